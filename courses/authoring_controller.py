"""Trainers' pages for writing courses: details, draft versions, modules, quiz questions, publishing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.accounts.access import actor_of, roles
from app.enums import Role
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, text
from app.web.paging import pagination
from courses import catalogue
from courses.catalogue import MAX_OPTIONS, CatalogueError, ModuleFields, OptionContent, QuestionContent
from courses.enums import CourseStatus, ModuleKind
from courses.markdown import render_markdown

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]

# Errors about the draft as a whole, rather than a field on the form in front of the trainer.
NOT_A_FIELD = {"course", "draft", "module", "question"}
KIND_ITEMS = [{"value": k.value, "text": k.label} for k in ModuleKind]
KIND_HINTS = {
    ModuleKind.READING: "Text the learner reads on the page, written in Markdown.",
    ModuleKind.LINK: "A video or a page on another website, with an introduction.",
    ModuleKind.QUIZ: "Questions with one or more right answers, marked against the course's pass mark.",
    ModuleKind.SESSION: "A face-to-face or virtual session the learner attends.",
}


class Conflict(ClientException):
    """The change cannot be made in the course's current state (say, to a published version)."""

    status_code = 409


def _multiline(data: dict[str, Any], name: str) -> str:
    """A textarea's value with its line breaks kept (Markdown needs them), tidied at both ends."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _done(request: AnyRequest, url: str, message: str, *, kind: str = "success") -> Redirect:
    return flash(Redirect(url, status_code=303), request.app.state.settings.secret_key, message, kind=kind)


def _refuse(exc: CatalogueError) -> Conflict:
    return Conflict(detail=exc.message)


async def _course(course_id: int) -> dict[str, Any]:
    course = await catalogue.get_course(course_id)
    if course is None:
        raise NotFoundException()
    return course


async def _draft(course_id: int) -> dict[str, Any]:
    draft = await catalogue.draft_version(course_id)
    if draft is None:
        raise Conflict(detail=catalogue.NOT_A_DRAFT)
    return draft


async def _draft_module(course_id: int, module_id: int) -> dict[str, Any]:
    module = await catalogue.draft_module(course_id, module_id)
    if module is not None:
        return module
    if await catalogue.module_in_course(course_id, module_id):
        raise Conflict(detail=catalogue.NOT_A_DRAFT)
    raise NotFoundException()


async def _draft_question(course_id: int, question_id: int) -> dict[str, Any]:
    question = await catalogue.draft_question(course_id, question_id)
    if question is not None:
        return question
    if await catalogue.question_in_course(course_id, question_id):
        raise Conflict(detail=catalogue.NOT_A_DRAFT)
    raise NotFoundException()


def _course_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": text(data, "code"),
        "title": text(data, "title"),
        "summary": _multiline(data, "summary"),
        "mandatory": text(data, "mandatory"),
        "recertify_months": text(data, "recertify_months"),
    }


def _course_details(values: dict[str, Any]) -> dict[str, Any]:
    """Form values as service arguments; raises CatalogueError for what the form alone can tell."""
    if values["mandatory"] not in ("yes", "no"):
        raise CatalogueError("mandatory", "Select whether the course is mandatory")
    months = None
    if values["recertify_months"]:
        months = optional_int(values["recertify_months"])
        if months is None:
            raise CatalogueError("recertify_months", "Enter recertification as a whole number of months")
    return {
        "title": values["title"],
        "summary": values["summary"],
        "mandatory": values["mandatory"] == "yes",
        "recertify_months": months,
    }


def _course_form(
    title: str, action: str, values: dict[str, Any], errors: dict[str, str], *, back: str, editing: bool
) -> Template:
    return Template(
        "courses/authoring/course_form.html",
        context={
            "title": title,
            "action": action,
            "values": values,
            "back": back,
            "editing": editing,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _minutes_field(value: str) -> int | None:
    return optional_int(value) if value else None


def _module_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": text(data, "title"),
        "body": _multiline(data, "body"),
        "url": text(data, "url"),
        "estimated_minutes": text(data, "estimated_minutes"),
    }


def _module_fields(values: dict[str, Any]) -> ModuleFields:
    minutes = optional_int(values["estimated_minutes"])
    if minutes is None:
        raise CatalogueError("estimated_minutes", "Enter the estimated time as a whole number of minutes")
    return ModuleFields(
        title=values["title"], body=values["body"], url=values["url"], estimated_minutes=minutes
    )


def _module_form(
    course: dict[str, Any],
    draft: dict[str, Any],
    kind: ModuleKind,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    module: dict[str, Any] | None = None,
) -> Template:
    base = f"/courses/{course['id']}/draft"
    action = f"{base}/modules/{module['id']}/edit" if module else f"{base}/modules/new"
    title = f"Change module: {module['title']}" if module else f"Add a {kind.label.lower()} module"
    return Template(
        "courses/authoring/module_form.html",
        context={
            "title": title,
            "course": course,
            "draft": draft,
            "kind": kind,
            "kind_label": kind.label,
            "module": module,
            "action": action,
            "values": values,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _question_values(data: dict[str, Any]) -> dict[str, Any]:
    right = set(many(data, "correct"))
    return {
        "text": _multiline(data, "text"),
        "multiple": text(data, "multiple"),
        "feedback": _multiline(data, "feedback"),
        "options": [
            {"text": text(data, f"option-{n}"), "correct": str(n) in right} for n in range(1, MAX_OPTIONS + 1)
        ],
    }


def _question_content(values: dict[str, Any]) -> QuestionContent:
    if values["multiple"] not in ("yes", "no"):
        raise CatalogueError("multiple", "Select how many answers can be right")
    return QuestionContent(
        text=values["text"],
        multiple=values["multiple"] == "yes",
        feedback=values["feedback"],
        options=[OptionContent(o["text"], o["correct"]) for o in values["options"]],
    )


def _question_form(
    course: dict[str, Any],
    module: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    question_id: int | None = None,
) -> Template:
    base = f"/courses/{course['id']}/draft"
    action = (
        f"{base}/questions/{question_id}/edit"
        if question_id
        else f"{base}/modules/{module['id']}/questions/new"
    )
    # The summary links to the first answer box or tick box, which is where the trainer starts fixing.
    anchors = {"options": "option-1", "correct": "correct-1"}
    context = error_context(errors)
    context["error_list"] = [
        {"text": message, "href": f"#{anchors.get(field, field)}"} for field, message in errors.items()
    ]
    return Template(
        "courses/authoring/question_form.html",
        context={
            "title": "Change a question" if question_id else f"Add a question to {module['title']}",
            "course": course,
            "module": module,
            "action": action,
            "values": values,
            "editing": question_id is not None,
            **context,
        },
        status_code=400 if errors else 200,
    )


def _blank_question() -> dict[str, Any]:
    return {
        "text": "",
        "multiple": "no",
        "feedback": "",
        "options": [{"text": "", "correct": False} for _ in range(MAX_OPTIONS)],
    }


def _question_as_values(question: dict[str, Any]) -> dict[str, Any]:
    options = [{"text": o["text"], "correct": o["correct"]} for o in question["options"]]
    options += [{"text": "", "correct": False}] * (MAX_OPTIONS - len(options))
    return {
        "text": question["text"],
        "multiple": "yes" if question["multiple"] else "no",
        "feedback": question["feedback"],
        "options": options,
    }


async def _publish_page(course: dict[str, Any], values: dict[str, Any], errors: dict[str, str]) -> Template:
    draft = await _draft(course["id"])
    modules = await catalogue.version_modules(draft["id"])
    context = error_context(errors)
    # Problems with the draft itself are fixed in the draft editor, so the summary links there.
    context["error_list"] = [
        {
            "text": message,
            "href": f"/courses/{course['id']}/draft" + ("/settings" if field == "pass_mark" else "")
            if field in ("modules", "pass_mark", "draft")
            else f"#{field}",
        }
        for field, message in errors.items()
    ]
    return Template(
        "courses/authoring/publish.html",
        context={
            "title": f"Publish version {draft['number']} of {course['title']}",
            "course": course,
            "draft": draft,
            "modules": modules,
            "published": await catalogue.published_version(course["id"]),
            "values": values,
            **context,
        },
        status_code=400 if errors else 200,
    )


class CourseAuthoringController(Controller):
    path = "/courses"
    opt = roles(Role.TRAINER, Role.ADMIN)

    @get("/")
    async def index(self, q: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
        search = " ".join(q.split())
        result = await catalogue.course_page(search=search, page=page)
        return Template(
            "courses/authoring/index.html",
            context={
                "title": "Courses",
                "search": search,
                "result": result,
                "pagination": pagination(
                    page=result.page, pages=result.pages, path="/courses", query={"q": search}
                ),
            },
        )

    @get("/new")
    async def new(self) -> Template:
        return _course_form(
            "Create a course",
            "/courses/new",
            {"mandatory": "no"},
            {},
            back="/courses",
            editing=False,
        )

    @post("/new", status_code=303)
    async def create(self, request: AnyRequest, data: FormBody) -> Template | Redirect:
        values = _course_values(data)
        try:
            course_id = await catalogue.create_course(
                code=values["code"], **_course_details(values), actor=actor_of(request)
            )
        except CatalogueError as exc:
            return _course_form(
                "Create a course",
                "/courses/new",
                values,
                {exc.field: exc.message},
                back="/courses",
                editing=False,
            )
        return _done(
            request, f"/courses/{course_id}/draft", f"{values['title']} created: now add its modules"
        )

    @get("/{course_id:int}")
    async def show(self, course_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        draft = await catalogue.draft_version(course_id)
        published = await catalogue.published_version(course_id)
        return Template(
            "courses/authoring/course.html",
            context={
                "title": course["title"],
                "course": course,
                "draft": draft,
                "draft_modules": await catalogue.version_modules(draft["id"]) if draft else [],
                "published": published,
                "published_modules": await catalogue.version_modules(published["id"]) if published else [],
                "history": await catalogue.version_history(course_id),
            },
        )

    @get("/{course_id:int}/edit")
    async def edit(self, course_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        values = {
            **course,
            "mandatory": "yes" if course["mandatory"] else "no",
            "recertify_months": course["recertify_months"] or "",
        }
        return _course_form(
            f"Change {course['title']}",
            f"/courses/{course_id}/edit",
            values,
            {},
            back=f"/courses/{course_id}",
            editing=True,
        )

    @post("/{course_id:int}/edit", status_code=303)
    async def update(
        self, request: AnyRequest, course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        values = {**_course_values(data), "code": course["code"]}
        try:
            await catalogue.update_course_details(
                course_id=course_id, **_course_details(values), actor=actor_of(request)
            )
        except CatalogueError as exc:
            return _course_form(
                f"Change {course['title']}",
                f"/courses/{course_id}/edit",
                values,
                {exc.field: exc.message},
                back=f"/courses/{course_id}",
                editing=True,
            )
        return _done(request, f"/courses/{course_id}", "Course details saved")

    @post("/{course_id:int}/new-draft", status_code=303)
    async def start_draft(self, request: AnyRequest, course_id: FromPath[int]) -> Redirect:
        await _course(course_id)
        try:
            number = await catalogue.start_draft(course_id=course_id, actor=actor_of(request))
        except CatalogueError as exc:
            return _done(request, f"/courses/{course_id}", exc.message, kind="important")
        return _done(request, f"/courses/{course_id}/draft", f"Draft version {number} started")

    # --- the draft ---------------------------------------------------------------------------

    @get("/{course_id:int}/draft")
    async def draft(self, request: AnyRequest, course_id: FromPath[int]) -> Template | Redirect:
        course = await _course(course_id)
        draft = await catalogue.draft_version(course_id)
        if draft is None:
            return _done(
                request, f"/courses/{course_id}", "This course has no draft version", kind="important"
            )
        return Template(
            "courses/authoring/draft.html",
            context={
                "title": f"Draft version {draft['number']} of {course['title']}",
                "course": course,
                "draft": draft,
                "modules": await catalogue.version_modules(draft["id"]),
                "kinds": KIND_ITEMS,
            },
        )

    @get("/{course_id:int}/draft/settings")
    async def settings_form(self, course_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        draft = await _draft(course_id)
        return _settings_form(
            course, draft, {k: draft[k] or "" for k in ("estimated_minutes", "pass_mark")}, {}
        )

    @post("/{course_id:int}/draft/settings", status_code=303)
    async def settings(
        self, request: AnyRequest, course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        draft = await _draft(course_id)
        values = {"estimated_minutes": text(data, "estimated_minutes"), "pass_mark": text(data, "pass_mark")}
        try:
            pass_mark = None
            if values["pass_mark"]:
                pass_mark = optional_int(values["pass_mark"].rstrip("%").strip())
                if pass_mark is None:
                    raise CatalogueError("pass_mark", "Enter the pass mark as a whole number, like 80")
            await catalogue.update_draft_settings(
                course_id=course_id,
                estimated_minutes=_minutes_field(values["estimated_minutes"]),
                pass_mark=pass_mark,
                actor=actor_of(request),
            )
        except CatalogueError as exc:
            if exc.field in NOT_A_FIELD:
                raise _refuse(exc) from exc
            return _settings_form(course, draft, values, {exc.field: exc.message})
        return _done(request, f"/courses/{course_id}/draft", "Draft settings saved")

    @get("/{course_id:int}/draft/preview")
    async def preview(self, course_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        draft = await _draft(course_id)
        modules = await catalogue.version_modules(draft["id"])
        for module in modules:
            module["html"] = render_markdown(module["body"]) if module["kind"] == ModuleKind.READING else None
        return Template(
            "courses/authoring/preview.html",
            context={
                "title": f"Preview of {course['title']}",
                "course": course,
                "draft": draft,
                "modules": modules,
            },
        )

    @get("/{course_id:int}/draft/discard")
    async def discard_form(self, course_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        draft = await _draft(course_id)
        return Template(
            "courses/authoring/discard.html",
            context={"title": f"Discard draft version {draft['number']}?", "course": course, "draft": draft},
        )

    @post("/{course_id:int}/draft/discard", status_code=303)
    async def discard(self, request: AnyRequest, course_id: FromPath[int]) -> Redirect:
        await _course(course_id)
        try:
            number = await catalogue.discard_draft(course_id=course_id, actor=actor_of(request))
        except CatalogueError as exc:
            raise _refuse(exc) from exc
        return _done(request, f"/courses/{course_id}", f"Draft version {number} discarded")

    # --- modules -------------------------------------------------------------------------------

    @get("/{course_id:int}/draft/modules/new")
    async def new_module(self, course_id: FromPath[int], kind: FromQuery[str] = "") -> Template:
        course = await _course(course_id)
        draft = await _draft(course_id)
        if kind not in {k.value for k in ModuleKind}:
            return Template(
                "courses/authoring/module_kind.html",
                context={
                    "title": "What kind of module?",
                    "course": course,
                    "draft": draft,
                    "kinds": [{**k, "hint": KIND_HINTS[ModuleKind(k["value"])]} for k in KIND_ITEMS],
                    **error_context({"kind": "Select the kind of module"} if kind else {}),
                },
                status_code=400 if kind else 200,
            )
        return _module_form(course, draft, ModuleKind(kind), {"estimated_minutes": 10}, {})

    @post("/{course_id:int}/draft/modules/new", status_code=303)
    async def add_module(
        self, request: AnyRequest, course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        draft = await _draft(course_id)
        kind_value = text(data, "kind")
        if kind_value not in {k.value for k in ModuleKind}:
            return _done(
                request,
                f"/courses/{course_id}/draft/modules/new",
                "Select the kind of module",
                kind="important",
            )
        kind = ModuleKind(kind_value)
        values = _module_values(data)
        try:
            module_id = await catalogue.add_module(
                course_id=course_id, kind=kind, fields=_module_fields(values), actor=actor_of(request)
            )
        except CatalogueError as exc:
            if exc.field in NOT_A_FIELD:
                raise _refuse(exc) from exc
            return _module_form(course, draft, kind, values, {exc.field: exc.message})
        if kind is ModuleKind.QUIZ:
            return _done(
                request,
                f"/courses/{course_id}/draft/modules/{module_id}/edit",
                f"Quiz {values['title']} added: now add its questions",
            )
        return _done(request, f"/courses/{course_id}/draft", f"Module {values['title']} added")

    @get("/{course_id:int}/draft/modules/{module_id:int}/edit")
    async def edit_module(self, course_id: FromPath[int], module_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        module = await _draft_module(course_id, module_id)
        draft = await _draft(course_id)
        return _module_form(course, draft, ModuleKind(module["kind"]), module, {}, module=module)

    @post("/{course_id:int}/draft/modules/{module_id:int}/edit", status_code=303)
    async def update_module(
        self, request: AnyRequest, course_id: FromPath[int], module_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        module = await _draft_module(course_id, module_id)
        draft = await _draft(course_id)
        values = _module_values(data)
        try:
            await catalogue.update_module(
                course_id=course_id,
                module_id=module_id,
                fields=_module_fields(values),
                actor=actor_of(request),
            )
        except CatalogueError as exc:
            if exc.field in NOT_A_FIELD:
                raise _refuse(exc) from exc
            return _module_form(
                course, draft, ModuleKind(module["kind"]), values, {exc.field: exc.message}, module=module
            )
        return _done(request, f"/courses/{course_id}/draft", f"Module {values['title']} saved")

    @post("/{course_id:int}/draft/modules/{module_id:int}/move-up", status_code=303)
    async def move_up(
        self, request: AnyRequest, course_id: FromPath[int], module_id: FromPath[int]
    ) -> Redirect:
        return await self._move(request, course_id, module_id, "up")

    @post("/{course_id:int}/draft/modules/{module_id:int}/move-down", status_code=303)
    async def move_down(
        self, request: AnyRequest, course_id: FromPath[int], module_id: FromPath[int]
    ) -> Redirect:
        return await self._move(request, course_id, module_id, "down")

    async def _move(
        self, request: AnyRequest, course_id: int, module_id: int, direction: Literal["up", "down"]
    ) -> Redirect:
        await _course(course_id)
        module = await _draft_module(course_id, module_id)
        try:
            moved = await catalogue.move_module(
                course_id=course_id, module_id=module_id, direction=direction, actor=actor_of(request)
            )
        except CatalogueError as exc:
            raise _refuse(exc) from exc
        message = (
            f"Module {module['title']} moved {direction}"
            if moved
            else f"Module {module['title']} is already {'first' if direction == 'up' else 'last'}"
        )
        return _done(request, f"/courses/{course_id}/draft#module-{module_id}", message)

    @get("/{course_id:int}/draft/modules/{module_id:int}/delete")
    async def delete_module_form(self, course_id: FromPath[int], module_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        module = await _draft_module(course_id, module_id)
        return Template(
            "courses/authoring/delete_module.html",
            context={"title": f"Remove module {module['title']}?", "course": course, "module": module},
        )

    @post("/{course_id:int}/draft/modules/{module_id:int}/delete", status_code=303)
    async def delete_module(
        self, request: AnyRequest, course_id: FromPath[int], module_id: FromPath[int]
    ) -> Redirect:
        await _course(course_id)
        await _draft_module(course_id, module_id)
        try:
            title = await catalogue.delete_module(
                course_id=course_id, module_id=module_id, actor=actor_of(request)
            )
        except CatalogueError as exc:
            raise _refuse(exc) from exc
        return _done(request, f"/courses/{course_id}/draft", f"Module {title} removed")

    # --- quiz questions -------------------------------------------------------------------------

    @get("/{course_id:int}/draft/modules/{module_id:int}/questions/new")
    async def new_question(self, course_id: FromPath[int], module_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        module = await _quiz(course_id, module_id)
        return _question_form(course, module, _blank_question(), {})

    @post("/{course_id:int}/draft/modules/{module_id:int}/questions/new", status_code=303)
    async def add_question(
        self, request: AnyRequest, course_id: FromPath[int], module_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        module = await _quiz(course_id, module_id)
        values = _question_values(data)
        try:
            await catalogue.add_question(
                course_id=course_id,
                module_id=module_id,
                question=_question_content(values),
                actor=actor_of(request),
            )
        except CatalogueError as exc:
            if exc.field in NOT_A_FIELD:
                raise _refuse(exc) from exc
            return _question_form(course, module, values, {exc.field: exc.message})
        return _done(
            request, f"/courses/{course_id}/draft/modules/{module_id}/edit#questions", "Question added"
        )

    @get("/{course_id:int}/draft/questions/{question_id:int}/edit")
    async def edit_question(self, course_id: FromPath[int], question_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        question = await _draft_question(course_id, question_id)
        module = await _draft_module(course_id, question["module"])
        return _question_form(course, module, _question_as_values(question), {}, question_id=question_id)

    @post("/{course_id:int}/draft/questions/{question_id:int}/edit", status_code=303)
    async def update_question(
        self, request: AnyRequest, course_id: FromPath[int], question_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        question = await _draft_question(course_id, question_id)
        module = await _draft_module(course_id, question["module"])
        values = _question_values(data)
        try:
            await catalogue.update_question(
                course_id=course_id,
                question_id=question_id,
                question=_question_content(values),
                actor=actor_of(request),
            )
        except CatalogueError as exc:
            if exc.field in NOT_A_FIELD:
                raise _refuse(exc) from exc
            return _question_form(course, module, values, {exc.field: exc.message}, question_id=question_id)
        return _done(
            request, f"/courses/{course_id}/draft/modules/{module['id']}/edit#questions", "Question saved"
        )

    @post("/{course_id:int}/draft/questions/{question_id:int}/delete", status_code=303)
    async def delete_question(
        self, request: AnyRequest, course_id: FromPath[int], question_id: FromPath[int]
    ) -> Redirect:
        await _course(course_id)
        question = await _draft_question(course_id, question_id)
        try:
            await catalogue.delete_question(
                course_id=course_id, question_id=question_id, actor=actor_of(request)
            )
        except CatalogueError as exc:
            raise _refuse(exc) from exc
        return _done(
            request,
            f"/courses/{course_id}/draft/modules/{question['module']}/edit#questions",
            "Question removed",
        )

    # --- publishing and retiring -------------------------------------------------------------------

    @get("/{course_id:int}/publish")
    async def publish_form(self, course_id: FromPath[int]) -> Template:
        return await _publish_page(await _course(course_id), {}, {})

    @post("/{course_id:int}/publish", status_code=303)
    async def publish(
        self, request: AnyRequest, course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        await _draft(course_id)
        first = await catalogue.published_version(course_id) is None
        values = {
            "requires_recompletion": "no" if first else text(data, "requires_recompletion"),
            "reason": _multiline(data, "reason"),
        }
        try:
            if values["requires_recompletion"] not in ("yes", "no"):
                raise CatalogueError(
                    "requires_recompletion",
                    "Select whether learners who completed an earlier version must complete it again",
                )
            number = await catalogue.publish(
                course_id=course_id,
                requires_recompletion=values["requires_recompletion"] == "yes",
                reason=values["reason"],
                actor=actor_of(request),
            )
        except CatalogueError as exc:
            return await _publish_page(course, values, {exc.field: exc.message})
        return _done(request, f"/courses/{course_id}", f"Version {number} of {course['title']} published")

    @get("/{course_id:int}/retire")
    async def retire_form(self, course_id: FromPath[int]) -> Template:
        course = await _course(course_id)
        return _retire_form(course, {}, {})

    @post("/{course_id:int}/retire", status_code=303)
    async def retire(
        self, request: AnyRequest, course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _course(course_id)
        if course["status"] == CourseStatus.RETIRED:
            raise Conflict(detail="This course is already retired")
        values = {"reason": _multiline(data, "reason")}
        try:
            await catalogue.retire(course_id=course_id, reason=values["reason"], actor=actor_of(request))
        except CatalogueError as exc:
            return _retire_form(course, values, {exc.field: exc.message})
        return _done(request, f"/courses/{course_id}", f"{course['title']} retired")


async def _quiz(course_id: int, module_id: int) -> dict[str, Any]:
    module = await _draft_module(course_id, module_id)
    if module["kind"] != ModuleKind.QUIZ:
        raise NotFoundException(detail="Questions belong in quiz modules")
    return module


def _settings_form(
    course: dict[str, Any], draft: dict[str, Any], values: dict[str, Any], errors: dict[str, str]
) -> Template:
    return Template(
        "courses/authoring/settings_form.html",
        context={
            "title": f"Settings for draft version {draft['number']}",
            "course": course,
            "draft": draft,
            "values": values,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _retire_form(course: dict[str, Any], values: dict[str, Any], errors: dict[str, str]) -> Template:
    return Template(
        "courses/authoring/retire.html",
        context={
            "title": f"Retire {course['title']}",
            "course": course,
            "values": values,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )
