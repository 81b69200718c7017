"""Learning: a person's training list, working through modules and quizzes, and completing courses."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta

from app import audit
from app.audit import Actor
from app.database import json_rows, write_transaction
from app.enums import AuditAction
from app.settings import get_settings
from courses.enums import CompletionSource, ModuleKind, TrainingStatus, VersionStatus
from courses.tables import (
    AnswerOption,
    Assignment,
    Completion,
    Course,
    CourseVersion,
    Module,
    ModuleProgress,
    Question,
    QuizAttempt,
)

# A completion comes back to "My training" this many days before it expires.
RENEWAL_WINDOW_DAYS = get_settings().renewal_window_days
# Certificate codes avoid letters and digits that read alike (O/0, I/1).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LearningError(ValueError):
    """Something a learner cannot do yet, with a message saying why."""


def _now() -> datetime:
    return datetime.now(UTC)


def new_certificate_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def expiry_for(completed_on: date, recertify_months: int | None) -> date | None:
    return completed_on + relativedelta(months=recertify_months) if recertify_months else None


class TrainingItem(NamedTuple):
    """One course in a person's 'My training' list. A named tuple, immutable and cheap to build: a frozen
    dataclass sets each field through object.__setattr__, 0.3 million instructions more for a 20-course
    list."""

    assignment_id: int
    course_id: int
    code: str
    title: str
    mandatory: bool
    due_on: date
    status: TrainingStatus
    modules_done: int
    modules_total: int
    completed_on: date | None
    expires_on: date | None
    completion_id: int | None

    @property
    def percent(self) -> int:
        if self.status in (TrainingStatus.COMPLETED, TrainingStatus.EXPIRING_SOON):
            return 100
        return round(100 * self.modules_done / self.modules_total) if self.modules_total else 0


def status_of(
    *,
    due_on: date,
    completed_version: int | None,
    expires_on: date | None,
    required_version: int,
    modules_done: int,
    today: date,
) -> TrainingStatus:
    """The rule behind 'My training': completed, expiring soon, expired, overdue, in progress, not started.
    `completed_version` is the version of the latest completion (None when there is none), `expires_on`
    that completion's expiry."""
    if completed_version is not None and completed_version >= required_version:
        if expires_on is None or (expires_on - today).days > RENEWAL_WINDOW_DAYS:
            return TrainingStatus.COMPLETED
        if expires_on > today:
            return TrainingStatus.EXPIRING_SOON
        return TrainingStatus.EXPIRED
    if due_on < today:
        return TrainingStatus.OVERDUE
    return TrainingStatus.IN_PROGRESS if modules_done else TrainingStatus.NOT_STARTED


# The id of a person's most recent completion of an assignment's course (`a` is the assignment).
_LATEST_COMPLETION = """(
    SELECT l.id FROM completion l WHERE l.staff = a.staff AND l.course = a.course
    ORDER BY l.completed_on DESC, l.id DESC LIMIT 1
)"""

# One row per open assignment, with its course, latest completion, the version a completion must be of,
# and module counts of the published version. Progress made before the last completion belongs to that
# completion, not the renewal.
_MY_TRAINING_ROWS = f"""
SELECT a.id AS assignment_id, a.course AS course_id, co.code, co.title, co.mandatory, a.due_on,
    c.id AS completion_id, c.completed_on, c.expires_on, c.version_number,
    (
        SELECT MAX(r.number) FROM course_version r
        WHERE r.course = a.course AND r.requires_recompletion = {{}} AND r.status <> {{}}
    ) AS required_version,
    (SELECT COUNT(*) FROM module m WHERE m.version = v.id) AS modules_total,
    (
        -- From the version's modules to the person's progress on each (SQLite keeps a CROSS JOIN's
        -- order): from all the person's progress, each course's row read it all again.
        SELECT COUNT(*) FROM module m CROSS JOIN module_progress mp
        WHERE m.version = v.id AND mp.module = m.id AND mp.staff = a.staff
            AND (c.id IS NULL OR mp.completed_at > c.created_at)
    ) AS modules_done
FROM assignment a
JOIN course co ON co.id = a.course
LEFT JOIN course_version v ON v.course = a.course AND v.status = {{}}
LEFT JOIN completion c ON c.id = {_LATEST_COMPLETION}
WHERE a.staff = {{}} AND a.ended_at IS NULL
"""  # noqa: S608 (joins constant fragments; every value is an argument)

_MY_TRAINING_COLUMNS = (
    "assignment_id, course_id, code, title, mandatory, due_on, completion_id, completed_on, expires_on, "
    "version_number, required_version, modules_total, modules_done"
)


@cache
def _my_training_sql() -> str:
    """The rows as one JSON text, a list of arrays in _MY_TRAINING_COLUMNS' order (as the compliance
    filters' lists come): each row handed over by the driver as a dict, its dates through SQLite's
    converters, cost more than the database's work for it (6.24 -> 5.64 million instructions a request
    for 20 courses). Built once: the engine is the process's."""
    return f"SELECT {json_rows(_MY_TRAINING_COLUMNS, _MY_TRAINING_ROWS)} AS list"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


async def my_training(*, staff_id: int, today: date | None = None) -> list[TrainingItem]:
    """A person's open assignments with where they stand, soonest due first (one statement)."""
    today = today or date.today()
    rows = await Assignment.raw(
        _my_training_sql(), True, VersionStatus.DRAFT.value, VersionStatus.PUBLISHED.value, staff_id
    )
    items = []
    for (
        assignment_id,
        course_id,
        code,
        title,
        mandatory,
        due_text,
        completion_id,
        completed_text,
        expires_text,
        version_number,
        required_version,
        modules_total,
        modules_done,
    ) in json.loads(rows[0]["list"]):
        due_on = date.fromisoformat(due_text)
        completed_on, expires_on = _day(completed_text), _day(expires_text)
        status = status_of(
            due_on=due_on,
            completed_version=version_number,
            expires_on=expires_on,
            required_version=required_version or 0,
            modules_done=modules_done,
            today=today,
        )
        items.append(
            TrainingItem(
                assignment_id=assignment_id,
                course_id=course_id,
                code=code,
                title=title,
                mandatory=bool(mandatory),
                due_on=expires_on
                if status in (TrainingStatus.EXPIRING_SOON, TrainingStatus.EXPIRED) and expires_on
                else due_on,
                status=status,
                modules_done=modules_done,
                modules_total=modules_total,
                completed_on=completed_on,
                expires_on=expires_on,
                completion_id=completion_id,
            )
        )
    return sorted(items, key=lambda i: (i.status is TrainingStatus.COMPLETED, i.due_on))


@dataclass
class CoursePlan:
    """One learner's view of a course: its published modules and which they have done."""

    course: dict[str, Any]
    version: dict[str, Any]
    modules: list[dict[str, Any]]
    done_ids: set[int]
    assignment: dict[str, Any]

    @property
    def next_module(self) -> dict[str, Any] | None:
        return next((m for m in self.modules if m["id"] not in self.done_ids), None)

    def may_open(self, module_id: int) -> bool:
        """Modules are taken in order: a module opens once every earlier one is done."""
        for module in self.modules:
            if module["id"] == module_id:
                return True
            if module["id"] not in self.done_ids:
                return False
        return False


# The modules of a version that a person has done since their last completion of the assignment's course.
_DONE_MODULES_SQL = f"""
SELECT mp.module
FROM assignment a
JOIN module_progress mp ON mp.staff = a.staff
JOIN module m ON m.id = mp.module
LEFT JOIN completion c ON c.id = {_LATEST_COMPLETION}
WHERE a.id = {{}} AND m.version = {{}} AND (c.id IS NULL OR mp.completed_at > c.created_at)
"""  # noqa: S608 (joins constant fragments; every value is an argument)


async def course_plan(*, staff_id: int, course_id: int) -> CoursePlan | None:
    """The course as this person takes it, or None when it is not assigned to them (four statements)."""
    assignment = (
        await Assignment.select()
        .where(
            (Assignment.staff == staff_id) & (Assignment.course == course_id) & Assignment.ended_at.is_null()
        )
        .first()
    )
    if assignment is None:
        return None
    version = (
        await CourseVersion.select(
            *CourseVersion.all_columns(exclude=[CourseVersion.course]), *CourseVersion.course.all_columns()
        )
        .where((CourseVersion.course == course_id) & (CourseVersion.status == VersionStatus.PUBLISHED))
        .output(nested=True)
        .first()
    )
    if version is None:
        return None
    course = version.pop("course")
    modules = await Module.select().where(Module.version == version["id"]).order_by(Module.position)
    done = {r["module"] for r in await Assignment.raw(_DONE_MODULES_SQL, assignment["id"], version["id"])}
    return CoursePlan(course=course, version=version, modules=modules, done_ids=done, assignment=assignment)


async def mark_module_done(
    *, plan: CoursePlan, module_id: int, actor: Actor, today: date | None = None
) -> int | None:
    """Record a reading or link module as done; returns a completion id when that finished the course."""
    module = next((m for m in plan.modules if m["id"] == module_id), None)
    if module is None or not plan.may_open(module_id):
        raise LearningError("Finish the earlier modules first")
    if module["kind"] == ModuleKind.QUIZ:
        raise LearningError("Pass the quiz to finish this module")
    if module["kind"] == ModuleKind.SESSION:
        raise LearningError("Your trainer records attendance at sessions")
    async with write_transaction():
        if module_id not in plan.done_ids:
            await ModuleProgress.insert(
                ModuleProgress(staff=plan.assignment["staff"], module=module_id, completed_at=_now())
            )
            plan.done_ids.add(module_id)
        return await _complete_if_finished(plan=plan, actor=actor, today=today)


async def _complete_if_finished(*, plan: CoursePlan, actor: Actor, today: date | None) -> int | None:
    if plan.next_module is not None:
        return None
    return await record_completion(
        staff_id=plan.assignment["staff"],
        course_id=plan.course["id"],
        completed_on=today or date.today(),
        source=CompletionSource.ONLINE,
        actor=actor,
        today=today,  # finishing online completes on "today", never a backdated day needing a reason
    )


async def record_completion(
    *,
    staff_id: int,
    course_id: int,
    completed_on: date,
    source: CompletionSource,
    actor: Actor,
    evidence: str = "",
    backdate_reason: str = "",
    today: date | None = None,
) -> int:
    """Add a completion (never overwriting an earlier one) with its certificate code and expiry."""
    today = today or date.today()
    if completed_on > today:
        raise LearningError("The completion date cannot be in the future")
    if completed_on < today and not backdate_reason.strip():
        raise LearningError("Give a reason for a completion date in the past")
    course = await Course.select(Course.code, Course.recertify_months).where(Course.id == course_id).first()
    version = (
        await CourseVersion.select(CourseVersion.number)
        .where((CourseVersion.course == course_id) & (CourseVersion.status == VersionStatus.PUBLISHED))
        .first()
    )
    if course is None or version is None:
        raise LearningError("That course has no published version")
    async with write_transaction():
        completion_id = (
            await Completion.insert(
                Completion(
                    staff=staff_id,
                    course=course_id,
                    version_number=version["number"],
                    completed_on=completed_on,
                    expires_on=expiry_for(completed_on, course["recertify_months"]),
                    source=source,
                    evidence=evidence.strip(),
                    backdate_reason=backdate_reason.strip(),
                    recorded_by=actor.staff_id,
                    certificate_code=new_certificate_code(),
                    created_at=_now(),
                )
            ).returning(Completion.id)
        )[0]["id"]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="completion",
            entity_id=completion_id,
            summary=f"{course['code']} completed by person {staff_id} on {completed_on.isoformat()}",
            after={
                "staff": staff_id,
                "course": course_id,
                "completed_on": completed_on,
                "source": source,
                "evidence": evidence,
                "backdate_reason": backdate_reason,
            },
        )
    return int(completion_id)


# --- quizzes ---------------------------------------------------------------------------------


async def open_attempt(*, staff_id: int, module_id: int) -> dict[str, Any]:
    """The learner's unfinished attempt at a quiz, or a new one with its own question order."""
    attempt = (
        await QuizAttempt.select()
        .where(
            (QuizAttempt.staff == staff_id)
            & (QuizAttempt.module == module_id)
            & QuizAttempt.submitted_at.is_null()
        )
        .output(load_json=True)
        .first()
    )
    if attempt is not None:
        return attempt
    question_ids = [
        q["id"]
        for q in await Question.select(Question.id)
        .where(Question.module == module_id)
        .order_by(Question.position)
    ]
    # The order is fixed per attempt, so reloading the page never reshuffles the questions.
    random.SystemRandom().shuffle(question_ids)
    # Opening a quiz page (a GET) starts the attempt, so it is written in a transaction of its own.
    async with write_transaction():
        await QuizAttempt.insert(
            QuizAttempt(staff=staff_id, module=module_id, started_at=_now(), question_order=question_ids)
        )
    return await open_attempt(staff_id=staff_id, module_id=module_id)


async def attempt_questions(attempt: dict[str, Any]) -> list[dict[str, Any]]:
    """The attempt's questions in its order, each with options (two statements)."""
    order: list[int] = attempt["question_order"]
    questions = {q["id"]: q for q in await Question.select().where(Question.id.is_in(order or [0]))}
    options = (
        await AnswerOption.select()
        .where(AnswerOption.question.is_in(order or [0]))
        .order_by(AnswerOption.position)
    )
    for question in questions.values():
        question["options"] = [o for o in options if o["question"] == question["id"]]
    return [questions[i] for i in order if i in questions]


@dataclass(frozen=True, slots=True)
class QuizResult:
    score: int
    passed: bool
    pass_mark: int
    completion_id: int | None
    unanswered: list[int]


async def submit_attempt(
    *,
    plan: CoursePlan,
    module_id: int,
    answers: dict[int, set[int]],
    actor: Actor,
    today: date | None = None,
) -> QuizResult:
    """Mark an attempt: score it, record it, and finish the module (and maybe the course) on a pass."""
    if not plan.may_open(module_id):
        raise LearningError("Finish the earlier modules first")
    staff_id = plan.assignment["staff"]
    attempt = await open_attempt(staff_id=staff_id, module_id=module_id)
    questions = await attempt_questions(attempt)
    unanswered = [q["id"] for q in questions if not answers.get(q["id"])]
    pass_mark = plan.version["pass_mark"] or 100
    if unanswered:
        return QuizResult(
            score=0, passed=False, pass_mark=pass_mark, completion_id=None, unanswered=unanswered
        )
    right = sum(answers[q["id"]] == {o["id"] for o in q["options"] if o["correct"]} for q in questions)
    score = round(100 * right / len(questions)) if questions else 0
    passed = score >= pass_mark
    completion_id = None
    async with write_transaction():
        await QuizAttempt.update(
            {
                QuizAttempt.submitted_at: _now(),
                QuizAttempt.answers: {str(k): sorted(v) for k, v in answers.items()},
                QuizAttempt.score: score,
                QuizAttempt.passed: passed,
            }
        ).where(QuizAttempt.id == attempt["id"])
        if passed:
            if module_id not in plan.done_ids:
                await ModuleProgress.insert(
                    ModuleProgress(staff=staff_id, module=module_id, completed_at=_now())
                )
                plan.done_ids.add(module_id)
            completion_id = await _complete_if_finished(plan=plan, actor=actor, today=today)
    return QuizResult(
        score=score, passed=passed, pass_mark=pass_mark, completion_id=completion_id, unanswered=[]
    )


async def last_attempt(*, staff_id: int, module_id: int) -> dict[str, Any] | None:
    return (
        await QuizAttempt.select()
        .where(
            (QuizAttempt.staff == staff_id)
            & (QuizAttempt.module == module_id)
            & QuizAttempt.submitted_at.is_not_null()
        )
        .order_by(QuizAttempt.id, ascending=False)
        .output(load_json=True)
        .first()
    )


# --- certificates ----------------------------------------------------------------------------


async def completion_for_certificate(completion_id: int) -> dict[str, Any] | None:
    return (
        await Completion.select(
            *Completion.all_columns(),
            Completion.staff.full_name.as_alias("full_name"),
            Completion.course.title.as_alias("course_title"),
            Completion.course.code.as_alias("course_code"),
        )
        .where(Completion.id == completion_id)
        .first()
    )


async def verify_code(code: str) -> dict[str, Any] | None:
    """What the public verification page may show for a certificate code: name, course and dates only."""
    row = (
        await Completion.select(
            Completion.staff.full_name.as_alias("full_name"),
            Completion.course.title.as_alias("course_title"),
            Completion.completed_on,
            Completion.expires_on,
        )
        .where(Completion.certificate_code == code.strip().upper())
        .first()
    )
    return row
