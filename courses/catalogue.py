"""The course catalogue: courses, their versions, modules and quiz questions, and publishing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction
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


def _now() -> datetime:
    return datetime.now(UTC)


async def list_courses(*, include_retired: bool = False) -> list[dict[str, Any]]:
    """Courses by title with their published version's number (two statements whatever the size)."""
    query = Course.select().order_by(Course.title)
    if not include_retired:
        query = query.where(Course.status != CourseStatus.RETIRED)
    courses = await query
    published = {
        v["course"]: v
        for v in await CourseVersion.select(
            CourseVersion.course, CourseVersion.number, CourseVersion.estimated_minutes
        ).where(CourseVersion.status == VersionStatus.PUBLISHED)
    }
    for course in courses:
        version = published.get(course["id"])
        course["published_version"] = version["number"] if version else None
        course["estimated_minutes"] = version["estimated_minutes"] if version else None
    return courses


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


def check_content(content: VersionContent) -> None:
    """Refuse content a learner could not complete; raises CatalogueError."""
    if not content.modules:
        raise CatalogueError("modules", "A course needs at least one module")
    has_quiz = False
    for number, module in enumerate(content.modules, start=1):
        if not module.title.strip():
            raise CatalogueError("modules", f"Module {number} needs a title")
        if module.kind is ModuleKind.LINK and not module.url.startswith(("https://", "http://")):
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
    if not title.strip():
        raise CatalogueError("title", "Enter the course title")
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
    """Publish the draft version: it becomes what learners take; the previous one is superseded."""
    draft = await draft_version(course_id)
    if draft is None:
        raise CatalogueError("draft", "There is no draft version to publish")
    modules = await version_modules(draft["id"])
    if not modules:
        raise CatalogueError("draft", "The draft has no modules yet")
    if requires_recompletion and not reason.strip():
        raise CatalogueError("reason", "Say what changed, so learners know why they must complete it again")
    async with write_transaction():
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
    if not title.strip():
        raise CatalogueError("title", "Enter the course title")
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
