"""'My training': a person's assigned courses, working through modules and quizzes."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.accounts.access import CurrentUser, actor_of, signed_in
from app.web.flash import flash
from app.web.forms import error_context, many
from courses import learning
from courses.enums import ModuleKind, TrainingStatus
from courses.learning import CoursePlan, LearningError
from courses.markdown import render_markdown

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

STATUS_TAGS = {
    TrainingStatus.NOT_STARTED: ("Not started", "govuk-tag--grey"),
    TrainingStatus.IN_PROGRESS: ("In progress", "govuk-tag--light-blue"),
    TrainingStatus.COMPLETED: ("Completed", "govuk-tag--green"),
    TrainingStatus.OVERDUE: ("Overdue", "govuk-tag--red"),
    TrainingStatus.EXPIRING_SOON: ("Expiring soon", "govuk-tag--yellow"),
    TrainingStatus.EXPIRED: ("Expired", "govuk-tag--red"),
}


async def _plan(user: CurrentUser, course_id: int) -> CoursePlan:
    """The course as this person takes it; 404 when it is not assigned to them (never another's)."""
    plan = await learning.course_plan(staff_id=user.staff_id, course_id=course_id)
    if plan is None:
        raise NotFoundException("That course is not in your training")
    return plan


def _module(plan: CoursePlan, module_id: int) -> dict[str, Any]:
    module = next((m for m in plan.modules if m["id"] == module_id), None)
    if module is None:
        raise NotFoundException("That module is not part of this course")
    return module


def _module_url(course_id: int, module_id: int) -> str:
    return f"/my-training/{course_id}/modules/{module_id}"


def _after_module(plan: CoursePlan, completion_id: int | None) -> str:
    if completion_id is not None:
        return f"/my-training/{plan.course['id']}"
    upcoming = plan.next_module
    return _module_url(plan.course["id"], upcoming["id"]) if upcoming else f"/my-training/{plan.course['id']}"


class MyTrainingController(Controller):
    path = "/my-training"
    opt = signed_in()

    @get("/")
    async def index(self, request: Request[CurrentUser, Any, Any]) -> Template:
        items = await learning.my_training(staff_id=request.user.staff_id)
        counts: dict[str, int] = {}
        for item in items:
            counts[item.status] = counts.get(item.status, 0) + 1
        return Template(
            "courses/my_training.html",
            context={"title": "My training", "items": items, "tags": STATUS_TAGS, "counts": counts},
        )

    @get("/{course_id:int}")
    async def course(self, request: Request[CurrentUser, Any, Any], course_id: FromPath[int]) -> Template:
        plan = await _plan(request.user, course_id)
        items = {i.course_id: i for i in await learning.my_training(staff_id=request.user.staff_id)}
        return Template(
            "courses/course.html",
            context={
                "title": plan.course["title"],
                "plan": plan,
                "item": items.get(course_id),
                "tags": STATUS_TAGS,
                "kinds": ModuleKind,
            },
        )

    @get("/{course_id:int}/modules/{module_id:int}")
    async def module(
        self, request: Request[CurrentUser, Any, Any], course_id: FromPath[int], module_id: FromPath[int]
    ) -> Template | Redirect:
        plan = await _plan(request.user, course_id)
        module = _module(plan, module_id)
        if not plan.may_open(module_id):
            return flash(
                Redirect(f"/my-training/{course_id}", status_code=303),
                request.app.state.settings.secret_key,
                "Finish the earlier modules first: the course is taken in order.",
                kind="important",
            )
        context: dict[str, Any] = {
            "title": module["title"],
            "plan": plan,
            "module": module,
            "position": [m["id"] for m in plan.modules].index(module_id) + 1,
            "done": module_id in plan.done_ids,
            "body": render_markdown(module["body"]),
            **error_context({}),
        }
        if module["kind"] == ModuleKind.QUIZ:
            attempt = await learning.open_attempt(staff_id=request.user.staff_id, module_id=module_id)
            context["questions"] = await learning.attempt_questions(attempt)
            context["chosen"] = {}
            return Template("courses/quiz.html", context=context)
        return Template("courses/module.html", context=context)

    @post("/{course_id:int}/modules/{module_id:int}/done", status_code=303)
    async def mark_done(
        self, request: Request[CurrentUser, Any, Any], course_id: FromPath[int], module_id: FromPath[int]
    ) -> Redirect:
        plan = await _plan(request.user, course_id)
        module = _module(plan, module_id)
        secret = request.app.state.settings.secret_key
        try:
            completion_id = await learning.mark_module_done(
                plan=plan, module_id=module_id, actor=actor_of(request)
            )
        except LearningError as exc:
            return flash(
                Redirect(f"/my-training/{course_id}", status_code=303), secret, str(exc), kind="important"
            )
        message = (
            f"You have completed {plan.course['title']}. Your certificate is ready."
            if completion_id
            else f"{module['title']} done"
        )
        return flash(Redirect(_after_module(plan, completion_id), status_code=303), secret, message)

    @post("/{course_id:int}/modules/{module_id:int}/quiz", status_code=303)
    async def submit_quiz(
        self,
        request: Request[CurrentUser, Any, Any],
        course_id: FromPath[int],
        module_id: FromPath[int],
        data: FormBody,
    ) -> Template | Redirect:
        plan = await _plan(request.user, course_id)
        module = _module(plan, module_id)
        if module["kind"] != ModuleKind.QUIZ:
            raise NotFoundException("That module is not a quiz")
        attempt = await learning.open_attempt(staff_id=request.user.staff_id, module_id=module_id)
        questions = await learning.attempt_questions(attempt)
        answers: dict[int, set[int]] = {}
        for question in questions:
            valid = {o["id"] for o in question["options"]}
            picked = {int(v) for v in many(data, f"q{question['id']}") if v.isdigit() and int(v) in valid}
            if picked:
                answers[question["id"]] = picked
        try:
            result = await learning.submit_attempt(
                plan=plan, module_id=module_id, answers=answers, actor=actor_of(request)
            )
        except LearningError as exc:
            return flash(
                Redirect(f"/my-training/{course_id}", status_code=303),
                request.app.state.settings.secret_key,
                str(exc),
                kind="important",
            )
        if result.unanswered:
            numbers = {q["id"]: n for n, q in enumerate(questions, start=1)}
            errors = {f"q{qid}": f"Answer question {numbers[qid]}" for qid in result.unanswered}
            return Template(
                "courses/quiz.html",
                context={
                    "title": module["title"],
                    "plan": plan,
                    "module": module,
                    "position": [m["id"] for m in plan.modules].index(module_id) + 1,
                    "done": module_id in plan.done_ids,
                    "body": render_markdown(module["body"]),
                    "questions": questions,
                    "chosen": {str(k): {str(v) for v in vs} for k, vs in answers.items()},
                    **error_context(errors),
                },
                status_code=400,
            )
        return Redirect(f"{_module_url(course_id, module_id)}/result", status_code=303)

    @get("/{course_id:int}/modules/{module_id:int}/result")
    async def quiz_result(
        self, request: Request[CurrentUser, Any, Any], course_id: FromPath[int], module_id: FromPath[int]
    ) -> Template:
        plan = await _plan(request.user, course_id)
        module = _module(plan, module_id)
        attempt = await learning.last_attempt(staff_id=request.user.staff_id, module_id=module_id)
        if attempt is None:
            raise NotFoundException("You have not taken this quiz yet")
        questions = await learning.attempt_questions(attempt)
        chosen = {int(k): set(v) for k, v in (attempt["answers"] or {}).items()}
        marked = [
            {
                "question": q,
                "chosen": chosen.get(q["id"], set()),
                "right": chosen.get(q["id"], set()) == {o["id"] for o in q["options"] if o["correct"]},
            }
            for q in questions
        ]
        completed = plan.next_module is None
        return Template(
            "courses/quiz_result.html",
            context={
                "title": f"Your result: {module['title']}",
                "plan": plan,
                "module": module,
                "attempt": attempt,
                "marked": marked,
                "pass_mark": plan.version["pass_mark"],
                "next_url": _after_module(plan, None) if attempt["passed"] and not completed else None,
                "completed": completed,
            },
        )
