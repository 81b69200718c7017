"""The course catalogue: courses, their versions, modules and quiz questions, and publishing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from app import audit
from app.audit import Actor
from app.database import icontains, write_transaction
from app.enums import AuditAction
from app.web.paging import Page
from courses.enums import CourseStatus, ModuleKind, VersionStatus
from courses.tables import AnswerOption, Course, CourseVersion, Module, Question


class CatalogueError(ValueError):
    """A change to a course that breaks a rule, with a message for the trainer and the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class OptionContent:
    text: str
    correct: bool


@dataclass
class QuestionContent:
    text: str
    options: list[OptionContent]
    multiple: bool = False
    feedback: str = ""


@dataclass
class ModuleContent:
    kind: ModuleKind
    title: str
    body: str = ""
    url: str = ""
    estimated_minutes: int = 10
    questions: list[QuestionContent] = field(default_factory=list)


@dataclass
class VersionContent:
    """Everything a version holds: what a trainer edits, and what a content file describes."""

    estimated_minutes: int
    pass_mark: int | None
    modules: list[ModuleContent]


# Column lengths and sensible limits, so a form never fails on the database instead of on a rule.
CODE_LENGTH = 30
TITLE_LENGTH = 200
URL_LENGTH = 500
OPTION_LENGTH = 500
MAX_OPTIONS = 6
MAX_MODULE_MINUTES = 600
MAX_COURSE_MINUTES = 6000


def _now() -> datetime:
    return datetime.now(UTC)


COURSES_PER_PAGE = 25


async def course_page(*, search: str = "", page: int = 1, per_page: int = COURSES_PER_PAGE) -> Page:
    """One page of courses of every status by title, those whose code or title holds each word of
    `search` (any case), with their published and draft version numbers; three statements, any size."""
    page = max(1, page)
    words = [icontains(Course.code, word) | icontains(Course.title, word) for word in search.split()]
    query = Course.select().order_by(Course.title).order_by(Course.id)
    count = Course.count()
    if words:
        query = query.where(*words)
        count = count.where(*words)
    courses = await query.limit(per_page).offset((page - 1) * per_page)
    versions = (
        await CourseVersion.select(
            CourseVersion.course, CourseVersion.number, CourseVersion.status, CourseVersion.estimated_minutes
        ).where(
            CourseVersion.course.is_in([c["id"] for c in courses])
            & CourseVersion.status.is_in([VersionStatus.PUBLISHED, VersionStatus.DRAFT])
        )
        if courses
        else []
    )
    published = {v["course"]: v for v in versions if v["status"] == VersionStatus.PUBLISHED}
    drafts = {v["course"]: v["number"] for v in versions if v["status"] == VersionStatus.DRAFT}
    for course in courses:
        version = published.get(course["id"])
        course["published_version"] = version["number"] if version else None
        course["estimated_minutes"] = version["estimated_minutes"] if version else None
        course["draft_version"] = drafts.get(course["id"])
    return Page(rows=courses, total=await count, page=page, per_page=per_page)


async def get_course(course_id: int) -> dict[str, Any] | None:
    return await Course.select().where(Course.id == course_id).first()


async def course_by_code(code: str) -> dict[str, Any] | None:
    return await Course.select().where(Course.code == code.strip().upper()).first()


async def published_version(course_id: int) -> dict[str, Any] | None:
    return (
        await CourseVersion.select()
        .where((CourseVersion.course == course_id) & (CourseVersion.status == VersionStatus.PUBLISHED))
        .first()
    )


async def draft_version(course_id: int) -> dict[str, Any] | None:
    return (
        await CourseVersion.select()
        .where((CourseVersion.course == course_id) & (CourseVersion.status == VersionStatus.DRAFT))
        .first()
    )


async def version_modules(version_id: int) -> list[dict[str, Any]]:
    """A version's modules in order, each with its questions and their options (three statements)."""
    modules = await Module.select().where(Module.version == version_id).order_by(Module.position)
    module_ids = [m["id"] for m in modules]
    questions = (
        await Question.select().where(Question.module.is_in(module_ids)).order_by(Question.position)
        if module_ids
        else []
    )
    question_ids = [q["id"] for q in questions]
    options = (
        await AnswerOption.select()
        .where(AnswerOption.question.is_in(question_ids))
        .order_by(AnswerOption.position)
        if question_ids
        else []
    )
    by_question: dict[int, list[dict[str, Any]]] = {}
    for option in options:
        by_question.setdefault(option["question"], []).append(option)
    by_module: dict[int, list[dict[str, Any]]] = {}
    for question in questions:
        question["options"] = by_question.get(question["id"], [])
        by_module.setdefault(question["module"], []).append(question)
    for module in modules:
        module["questions"] = by_module.get(module["id"], [])
    return modules


def is_https_address(url: str) -> bool:
    """A web address a learner can safely follow: https, with a host, and nothing odd in it."""
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and bool(parts.hostname)
        and len(url) <= URL_LENGTH
        and not any(c.isspace() or ord(c) < 32 for c in url)
    )


def check_content(content: VersionContent) -> None:
    """Refuse content a learner could not complete; raises CatalogueError."""
    if not content.modules:
        raise CatalogueError("modules", "A course needs at least one module")
    has_quiz = False
    for number, module in enumerate(content.modules, start=1):
        if not module.title.strip():
            raise CatalogueError("modules", f"Module {number} needs a title")
        if module.kind is ModuleKind.LINK and not is_https_address(module.url):
            raise CatalogueError("modules", f"Module {number} needs a web address starting https://")
        if module.kind is ModuleKind.QUIZ:
            has_quiz = True
            if not module.questions:
                raise CatalogueError("modules", f"Quiz module {number} needs at least one question")
            for q_number, question in enumerate(module.questions, start=1):
                right = sum(o.correct for o in question.options)
                if len(question.options) < 2:
                    raise CatalogueError("modules", f"Question {q_number} in module {number} needs 2 options")
                if right == 0 or (right > 1 and not question.multiple):
                    raise CatalogueError(
                        "modules",
                        f"Question {q_number} in module {number} needs exactly one right answer, "
                        "or must allow several",
                    )
    if has_quiz and content.pass_mark is None:
        raise CatalogueError("pass_mark", "A course with quizzes needs a pass mark")
    if content.pass_mark is not None and not 1 <= content.pass_mark <= 100:
        raise CatalogueError("pass_mark", "The pass mark must be between 1 and 100")


async def _insert_modules(version_id: int, modules: list[ModuleContent]) -> None:
    for position, module in enumerate(modules, start=1):
        module_id = (
            await Module.insert(
                Module(
                    version=version_id,
                    position=position,
                    kind=module.kind,
                    title=module.title,
                    body=module.body,
                    url=module.url,
                    estimated_minutes=module.estimated_minutes,
                )
            ).returning(Module.id)
        )[0]["id"]
        for q_position, question in enumerate(module.questions, start=1):
            question_id = (
                await Question.insert(
                    Question(
                        module=module_id,
                        position=q_position,
                        text=question.text,
                        multiple=question.multiple,
                        feedback=question.feedback,
                    )
                ).returning(Question.id)
            )[0]["id"]
            await AnswerOption.insert(
                *[
                    AnswerOption(question=question_id, position=o_position, text=o.text, correct=o.correct)
                    for o_position, o in enumerate(question.options, start=1)
                ]
            )


def _check_title(title: str, missing: str) -> None:
    if not title.strip():
        raise CatalogueError("title", missing)
    if len(title.strip()) > TITLE_LENGTH:
        raise CatalogueError("title", f"The title must be {TITLE_LENGTH} characters or fewer")


async def create_course(
    *,
    code: str,
    title: str,
    summary: str,
    mandatory: bool,
    recertify_months: int | None,
    actor: Actor,
) -> int:
    """A new course in draft, with an empty draft version 1 to fill in."""
    code = code.strip().upper()
    if not code:
        raise CatalogueError("code", "Enter a course code, like EHCP-101")
    if len(code) > CODE_LENGTH:
        raise CatalogueError("code", f"The course code must be {CODE_LENGTH} characters or fewer")
    _check_title(title, "Enter the course title")
    if recertify_months is not None and not 1 <= recertify_months <= 120:
        raise CatalogueError("recertify_months", "Recertification must be between 1 and 120 months")
    if await Course.exists().where(Course.code == code):
        raise CatalogueError("code", "A course with this code already exists")
    async with write_transaction():
        course_id = (
            await Course.insert(
                Course(
                    code=code,
                    title=title.strip(),
                    summary=summary.strip(),
                    mandatory=mandatory,
                    recertify_months=recertify_months,
                )
            ).returning(Course.id)
        )[0]["id"]
        await CourseVersion.insert(CourseVersion(course=course_id, number=1))
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="course",
            entity_id=course_id,
            summary=f"Course {code} {title} created",
            after={
                "code": code,
                "title": title,
                "mandatory": mandatory,
                "recertify_months": recertify_months,
            },
        )
    return int(course_id)


async def replace_draft_content(*, course_id: int, content: VersionContent, actor: Actor) -> int:
    """Put new content into the course's draft version (making one if needed); returns its id."""
    check_content(content)
    async with write_transaction():
        draft = await draft_version(course_id)
        if draft is None:
            latest = (
                await CourseVersion.select(CourseVersion.number)
                .where(CourseVersion.course == course_id)
                .order_by(CourseVersion.number, ascending=False)
                .first()
            )
            number = (latest["number"] if latest else 0) + 1
            draft_id = (
                await CourseVersion.insert(CourseVersion(course=course_id, number=number)).returning(
                    CourseVersion.id
                )
            )[0]["id"]
        else:
            draft_id = draft["id"]
            await Module.delete().where(Module.version == draft_id)
        await CourseVersion.update(
            {
                CourseVersion.estimated_minutes: content.estimated_minutes,
                CourseVersion.pass_mark: content.pass_mark,
            }
        ).where(CourseVersion.id == draft_id)
        await _insert_modules(draft_id, content.modules)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Draft content replaced ({len(content.modules)} modules)",
        )
    return int(draft_id)


async def publish(
    *, course_id: int, requires_recompletion: bool, reason: str, actor: Actor, content_hash: str = ""
) -> int:
    """Publish the draft version: it becomes what learners take; the previous one is superseded.

    Refuses a draft a learner could not complete (no modules, a quiz without questions or pass mark…).
    """
    if requires_recompletion and not reason.strip():
        raise CatalogueError("reason", "Say what changed, so learners know why they must complete it again")
    async with write_transaction():
        draft = await draft_version(course_id)
        if draft is None:
            raise CatalogueError("draft", "There is no draft version to publish")
        modules = await version_modules(draft["id"])
        if not modules:
            raise CatalogueError("draft", "The draft has no modules yet")
        check_content(content_of(draft, modules))
        await CourseVersion.update({CourseVersion.status: VersionStatus.SUPERSEDED}).where(
            (CourseVersion.course == course_id) & (CourseVersion.status == VersionStatus.PUBLISHED)
        )
        await CourseVersion.update(
            {
                CourseVersion.status: VersionStatus.PUBLISHED,
                CourseVersion.published_at: _now(),
                CourseVersion.published_by: actor.staff_id,
                CourseVersion.requires_recompletion: requires_recompletion,
                CourseVersion.change_reason: reason.strip(),
                CourseVersion.content_hash: content_hash,
            }
        ).where(CourseVersion.id == draft["id"])
        await Course.update({Course.status: CourseStatus.PUBLISHED, Course.updated_at: _now()}).where(
            Course.id == course_id
        )
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Version {draft['number']} published"
            + (" (everyone must complete it again)" if requires_recompletion else ""),
            after={
                "version": draft["number"],
                "requires_recompletion": requires_recompletion,
                "reason": reason,
            },
        )
    return int(draft["number"])


async def retire(*, course_id: int, reason: str, actor: Actor) -> None:
    """Withdraw a course: nobody new can be assigned it; completions and history stay."""
    if not reason.strip():
        raise CatalogueError("reason", "Say why the course is being retired")
    async with write_transaction():
        await Course.update({Course.status: CourseStatus.RETIRED, Course.updated_at: _now()}).where(
            Course.id == course_id
        )
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary="Course retired",
            after={"status": "retired", "reason": reason},
        )


async def update_course_details(
    *,
    course_id: int,
    title: str,
    summary: str,
    mandatory: bool,
    recertify_months: int | None,
    actor: Actor,
) -> None:
    """Change a course's title, summary, whether it is mandatory and its recertification interval."""
    _check_title(title, "Enter the course title")
    if recertify_months is not None and not 1 <= recertify_months <= 120:
        raise CatalogueError("recertify_months", "Recertification must be between 1 and 120 months")
    current = (
        await Course.select(Course.title, Course.summary, Course.mandatory, Course.recertify_months)
        .where(Course.id == course_id)
        .first()
    )
    if current is None:
        raise CatalogueError("title", "That course no longer exists")
    new = {
        "title": title.strip(),
        "summary": summary.strip(),
        "mandatory": mandatory,
        "recertify_months": recertify_months,
    }
    before, after = audit.changed_fields(current, new)
    if not after:
        return
    async with write_transaction():
        await Course.update({**after, "updated_at": _now()}).where(Course.id == course_id)  # type: ignore[dict-item]
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Course {title} updated",
            before=before,
            after=after,
        )


def content_of(version: dict[str, Any], modules: list[dict[str, Any]]) -> VersionContent:
    """A stored version (with `version_modules`) as content, to check it or to copy it."""
    return VersionContent(
        estimated_minutes=version["estimated_minutes"],
        pass_mark=version["pass_mark"],
        modules=[
            ModuleContent(
                kind=ModuleKind(m["kind"]),
                title=m["title"],
                body=m["body"],
                url=m["url"],
                estimated_minutes=m["estimated_minutes"],
                questions=[
                    QuestionContent(
                        text=q["text"],
                        multiple=q["multiple"],
                        feedback=q["feedback"],
                        options=[OptionContent(text=o["text"], correct=o["correct"]) for o in q["options"]],
                    )
                    for q in m["questions"]
                ],
            )
            for m in modules
        ],
    )


async def version_history(course_id: int) -> list[dict[str, Any]]:
    """Every version of a course, newest first, with who published it (one statement)."""
    return await (
        CourseVersion.select(
            CourseVersion.id,
            CourseVersion.number,
            CourseVersion.status,
            CourseVersion.published_at,
            CourseVersion.requires_recompletion,
            CourseVersion.change_reason,
            CourseVersion.published_by.full_name.as_alias("published_by_name"),
        )
        .where(CourseVersion.course == course_id)
        .order_by(CourseVersion.number, ascending=False)
    )


# --- editing a draft ---------------------------------------------------------------------------
# Every change below works only on the course's draft version: a published or superseded version is
# what learners took, so it never changes. Each runs its checks inside its write transaction, so two
# trainers editing at once cannot slip a change past a check (say, into a version published meanwhile).

NOT_A_DRAFT = "Published versions cannot be changed: start a new draft to make changes"


async def _editable_draft(course_id: int) -> dict[str, Any]:
    if not await Course.exists().where(Course.id == course_id):
        raise CatalogueError("course", "That course no longer exists")
    draft = await draft_version(course_id)
    if draft is None:
        raise CatalogueError("draft", NOT_A_DRAFT)
    return draft


async def _draft_module(course_id: int, module_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The draft and one of its modules; refuses a module of a published version or another course."""
    draft = await _editable_draft(course_id)
    module = await Module.select().where((Module.id == module_id) & (Module.version == draft["id"])).first()
    if module is None:
        raise CatalogueError("module", NOT_A_DRAFT)
    return draft, module


async def _draft_question(course_id: int, question_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A question of a quiz in the course's draft, with its module."""
    draft = await _editable_draft(course_id)
    question = (
        await Question.select(*Question.all_columns(), Question.module.version.as_alias("version_id"))
        .where(Question.id == question_id)
        .first()
    )
    if question is None or question["version_id"] != draft["id"]:
        raise CatalogueError("question", NOT_A_DRAFT)
    module = await Module.select().where(Module.id == question["module"]).first()
    assert module is not None  # the question's foreign key holds it
    return module, question


async def draft_module(course_id: int, module_id: int) -> dict[str, Any] | None:
    """A module of the course's draft with its questions and options, or None (e.g. a published one)."""
    draft = await draft_version(course_id)
    if draft is None:
        return None
    for module in await version_modules(draft["id"]):
        if module["id"] == module_id:
            return module
    return None


async def draft_question(course_id: int, question_id: int) -> dict[str, Any] | None:
    """A question of a quiz in the course's draft with its options, or None."""
    draft = await draft_version(course_id)
    if draft is None:
        return None
    for module in await version_modules(draft["id"]):
        for question in module["questions"]:
            if question["id"] == question_id:
                return {**question, "module_title": module["title"]}
    return None


async def update_draft_settings(
    *, course_id: int, estimated_minutes: int | None, pass_mark: int | None, actor: Actor
) -> None:
    """Change the draft's estimated time and pass mark (a percentage; None when it has no quiz)."""
    if estimated_minutes is None or not 1 <= estimated_minutes <= MAX_COURSE_MINUTES:
        raise CatalogueError(
            "estimated_minutes", f"Enter the estimated time in minutes, from 1 to {MAX_COURSE_MINUTES}"
        )
    if pass_mark is not None and not 1 <= pass_mark <= 100:
        raise CatalogueError("pass_mark", "The pass mark must be a percentage from 1 to 100")
    async with write_transaction():
        draft = await _editable_draft(course_id)
        current = {"estimated_minutes": draft["estimated_minutes"], "pass_mark": draft["pass_mark"]}
        before, after = audit.changed_fields(
            current, {"estimated_minutes": estimated_minutes, "pass_mark": pass_mark}
        )
        if not after:
            return
        await CourseVersion.update(after).where(CourseVersion.id == draft["id"])  # type: ignore[arg-type]
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Draft version {draft['number']} settings changed",
            before=before,
            after=after,
        )


@dataclass
class ModuleFields:
    """What a trainer types for a module; which fields matter depends on its kind."""

    title: str
    body: str = ""
    url: str = ""
    estimated_minutes: int | None = 10


def _checked_module(kind: ModuleKind, fields: ModuleFields) -> dict[str, Any]:
    _check_title(fields.title, "Enter the module title")
    minutes = fields.estimated_minutes
    if minutes is None or not 1 <= minutes <= MAX_MODULE_MINUTES:
        raise CatalogueError(
            "estimated_minutes", f"Enter the estimated time in minutes, from 1 to {MAX_MODULE_MINUTES}"
        )
    body = fields.body.strip()
    if kind is ModuleKind.READING and not body:
        raise CatalogueError("body", "Enter the reading, written in Markdown")
    url = fields.url.strip() if kind is ModuleKind.LINK else ""
    if kind is ModuleKind.LINK and not is_https_address(url):
        raise CatalogueError("url", "Enter a web address that starts with https://, like https://www.gov.uk")
    return {"title": fields.title.strip(), "body": body, "url": url, "estimated_minutes": minutes}


async def add_module(*, course_id: int, kind: ModuleKind, fields: ModuleFields, actor: Actor) -> int:
    """Add a module at the end of the draft; returns its id."""
    values = _checked_module(kind, fields)
    async with write_transaction():
        draft = await _editable_draft(course_id)
        last = (
            await Module.select(Module.position)
            .where(Module.version == draft["id"])
            .order_by(Module.position, ascending=False)
            .first()
        )
        position = (last["position"] if last else 0) + 1
        module_id = (
            await Module.insert(
                Module(version=draft["id"], position=position, kind=kind, **values)
            ).returning(Module.id)
        )[0]["id"]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="course",
            entity_id=course_id,
            summary=f"{kind.label} module {values['title']!r} added to draft version {draft['number']}",
            after={"module": module_id, "kind": kind.value, **values},
        )
    return int(module_id)


async def update_module(*, course_id: int, module_id: int, fields: ModuleFields, actor: Actor) -> None:
    """Change a draft module's title, content, address or time (its kind stays)."""
    async with write_transaction():
        draft, module = await _draft_module(course_id, module_id)
        values = _checked_module(ModuleKind(module["kind"]), fields)
        before, after = audit.changed_fields(module, values)
        if not after:
            return
        await Module.update(after).where(Module.id == module_id)  # type: ignore[arg-type]
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Module {values['title']!r} changed in draft version {draft['number']}",
            before={"module": module_id, **before},
            after=after,
        )


async def move_module(
    *, course_id: int, module_id: int, direction: Literal["up", "down"], actor: Actor
) -> bool:
    """Swap a draft module with the one above or below it; False when it is already first or last."""
    async with write_transaction():
        draft, module = await _draft_module(course_id, module_id)
        position = module["position"]
        neighbour_query = Module.select(Module.id, Module.position).where(Module.version == draft["id"])
        if direction == "up":
            neighbour_query = neighbour_query.where(Module.position < position).order_by(
                Module.position, ascending=False
            )
        else:
            neighbour_query = neighbour_query.where(Module.position > position).order_by(Module.position)
        neighbour = await neighbour_query.first()
        if neighbour is None:
            return False
        await Module.update({Module.position: neighbour["position"]}).where(Module.id == module_id)
        await Module.update({Module.position: position}).where(Module.id == neighbour["id"])
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Module {module['title']!r} moved {direction} in draft version {draft['number']}",
            before={"module": module_id, "position": position},
            after={"module": module_id, "position": neighbour["position"]},
        )
    return True


async def delete_module(*, course_id: int, module_id: int, actor: Actor) -> str:
    """Remove a module (and any quiz questions) from the draft; returns its title."""
    async with write_transaction():
        draft, module = await _draft_module(course_id, module_id)
        await Module.delete().where(Module.id == module_id)
        await Module.update({Module.position: Module.position - 1}).where(
            (Module.version == draft["id"]) & (Module.position > module["position"])
        )
        await audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            entity="course",
            entity_id=course_id,
            summary=f"Module {module['title']!r} removed from draft version {draft['number']}",
            before={k: module[k] for k in ("id", "kind", "title", "body", "url", "position")},
        )
    return str(module["title"])


def _checked_question(question: QuestionContent) -> QuestionContent:
    text = question.text.strip()
    if not text:
        raise CatalogueError("text", "Enter the question")
    options = [OptionContent(o.text.strip(), o.correct) for o in question.options]
    for number, option in enumerate(options, start=1):
        if option.correct and not option.text:
            raise CatalogueError("options", f"Option {number} is ticked as right but has no answer text")
        if len(option.text) > OPTION_LENGTH:
            raise CatalogueError("options", f"Option {number} must be {OPTION_LENGTH} characters or fewer")
    options = [o for o in options if o.text]
    if len(options) < 2:
        raise CatalogueError("options", "Enter at least 2 answer options")
    if len(options) > MAX_OPTIONS:
        raise CatalogueError("options", f"A question can have at most {MAX_OPTIONS} answer options")
    right = sum(o.correct for o in options)
    if right == 0:
        raise CatalogueError("correct", "Tick the right answer")
    if right > 1 and not question.multiple:
        raise CatalogueError(
            "correct",
            "Tick only one right answer, or say that learners should select every right answer",
        )
    return QuestionContent(
        text=text, options=options, multiple=question.multiple, feedback=question.feedback.strip()
    )


def _question_audit(question: QuestionContent) -> dict[str, Any]:
    return {
        "text": question.text,
        "multiple": question.multiple,
        "feedback": question.feedback,
        "options": [f"{'[right] ' if o.correct else ''}{o.text}" for o in question.options],
    }


async def add_question(*, course_id: int, module_id: int, question: QuestionContent, actor: Actor) -> int:
    """Add a question, with its answer options, at the end of a quiz in the draft; returns its id."""
    checked = _checked_question(question)
    async with write_transaction():
        draft, module = await _draft_module(course_id, module_id)
        if module["kind"] != ModuleKind.QUIZ:
            raise CatalogueError("module", "Questions belong in quiz modules")
        last = (
            await Question.select(Question.position)
            .where(Question.module == module_id)
            .order_by(Question.position, ascending=False)
            .first()
        )
        question_id = (
            await Question.insert(
                Question(
                    module=module_id,
                    position=(last["position"] if last else 0) + 1,
                    text=checked.text,
                    multiple=checked.multiple,
                    feedback=checked.feedback,
                )
            ).returning(Question.id)
        )[0]["id"]
        await _insert_options(question_id, checked.options)
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="course",
            entity_id=course_id,
            summary=f"Question added to quiz {module['title']!r} in draft version {draft['number']}",
            after={"question": question_id, **_question_audit(checked)},
        )
    return int(question_id)


async def _insert_options(question_id: int, options: list[OptionContent]) -> None:
    await AnswerOption.insert(
        *[
            AnswerOption(question=question_id, position=position, text=o.text, correct=o.correct)
            for position, o in enumerate(options, start=1)
        ]
    )


async def update_question(
    *, course_id: int, question_id: int, question: QuestionContent, actor: Actor
) -> None:
    """Replace a draft question's text, options, answers and feedback."""
    checked = _checked_question(question)
    async with write_transaction():
        module, current = await _draft_question(course_id, question_id)
        old_options = (
            await AnswerOption.select(AnswerOption.text, AnswerOption.correct)
            .where(AnswerOption.question == question_id)
            .order_by(AnswerOption.position)
        )
        old = QuestionContent(
            text=current["text"],
            multiple=current["multiple"],
            feedback=current["feedback"],
            options=[OptionContent(o["text"], o["correct"]) for o in old_options],
        )
        before, after = audit.changed_fields(_question_audit(old), _question_audit(checked))
        if not after:
            return
        await Question.update(
            {
                Question.text: checked.text,
                Question.multiple: checked.multiple,
                Question.feedback: checked.feedback,
            }
        ).where(Question.id == question_id)
        await AnswerOption.delete().where(AnswerOption.question == question_id)
        await _insert_options(question_id, checked.options)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="course",
            entity_id=course_id,
            summary=f"Question changed in quiz {module['title']!r}",
            before={"question": question_id, **before},
            after=after,
        )


async def delete_question(*, course_id: int, question_id: int, actor: Actor) -> None:
    """Remove a question from a quiz in the draft."""
    async with write_transaction():
        module, question = await _draft_question(course_id, question_id)
        await Question.delete().where(Question.id == question_id)
        await Question.update({Question.position: Question.position - 1}).where(
            (Question.module == module["id"]) & (Question.position > question["position"])
        )
        await audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            entity="course",
            entity_id=course_id,
            summary=f"Question removed from quiz {module['title']!r}",
            before={"question": question_id, "text": question["text"]},
        )


async def start_draft(*, course_id: int, actor: Actor) -> int:
    """A new draft version, a copy of the published one to edit; returns the new version's number."""
    async with write_transaction():
        if not await Course.exists().where(Course.id == course_id):
            raise CatalogueError("course", "That course no longer exists")
        if await draft_version(course_id) is not None:
            raise CatalogueError("draft", "This course already has a draft: change that one")
        latest = (
            await CourseVersion.select(CourseVersion.number)
            .where(CourseVersion.course == course_id)
            .order_by(CourseVersion.number, ascending=False)
            .first()
        )
        number = (latest["number"] if latest else 0) + 1
        published = await published_version(course_id)
        content = (
            content_of(published, await version_modules(published["id"]))
            if published
            else VersionContent(estimated_minutes=30, pass_mark=None, modules=[])
        )
        draft_id = (
            await CourseVersion.insert(
                CourseVersion(
                    course=course_id,
                    number=number,
                    estimated_minutes=content.estimated_minutes,
                    pass_mark=content.pass_mark,
                )
            ).returning(CourseVersion.id)
        )[0]["id"]
        await _insert_modules(draft_id, content.modules)
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="course",
            entity_id=course_id,
            summary=f"Draft version {number} started"
            + (f" from version {published['number']}" if published else ""),
            after={"version": number, "modules": len(content.modules)},
        )
    return number


async def discard_draft(*, course_id: int, actor: Actor) -> int:
    """Throw away the draft version and everything in it; returns its number."""
    async with write_transaction():
        draft = await _editable_draft(course_id)
        module_count = await Module.count().where(Module.version == draft["id"])
        await CourseVersion.delete().where(CourseVersion.id == draft["id"])
        await audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            entity="course",
            entity_id=course_id,
            summary=f"Draft version {draft['number']} discarded",
            before={"version": draft["number"], "modules": module_count},
        )
    return int(draft["number"])


async def module_in_course(course_id: int, module_id: int) -> bool:
    """Whether the module belongs to any version of the course (published, superseded or draft)."""
    return bool(await Module.exists().where((Module.id == module_id) & (Module.version.course == course_id)))


async def question_in_course(course_id: int, question_id: int) -> bool:
    """Whether the quiz question belongs to any version of the course."""
    return bool(
        await Question.exists().where(
            (Question.id == question_id) & (Question.module._.version._.course == course_id)
        )
    )
