"""Assigning courses: standing rules for people, teams, organisations and job roles, and the
assignments they make, including for new starters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction
from app.tables import JobRole, Organisation, Staff, Team
from courses.enums import CourseStatus, DueKind, TargetKind
from courses.tables import Assignment, AssignmentRule, Course


class AssignmentError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class DueRule:
    kind: DueKind
    on: date | None = None
    days: int | None = None

    def check(self) -> None:
        if self.kind is DueKind.FIXED and self.on is None:
            raise AssignmentError("due_on-day", "Enter the date the course is due")
        if self.kind is not DueKind.FIXED and (self.days is None or not 1 <= self.days <= 730):
            raise AssignmentError("due_days", "Enter a number of days between 1 and 730")

    def due_for(self, *, assigned_on: date, start_date: date | None) -> date:
        """The due date for one person.

        'After start' gives new starters N days from their first day; people already in post when the
        course is assigned get N days from the assignment, never a date already past.
        """
        if self.kind is DueKind.FIXED:
            assert self.on is not None
            return self.on
        assert self.days is not None
        from_assignment = assigned_on + timedelta(days=self.days)
        if self.kind is DueKind.AFTER_START and start_date is not None:
            return max(start_date + timedelta(days=self.days), from_assignment)
        return from_assignment


def _rule_from_row(row: dict[str, Any]) -> DueRule:
    return DueRule(kind=DueKind(row["due_kind"]), on=row["due_on"], days=row["due_days"])


_TARGET_COLUMN = {
    TargetKind.PERSON: Staff.id,
    TargetKind.TEAM: Staff.team,
    TargetKind.ORGANISATION: Staff.organisation,
    TargetKind.JOB_ROLE: Staff.job_role,
}


async def target_name(kind: TargetKind, target_id: int) -> str | None:
    """The name of what a rule covers, or None when it does not exist."""
    table, column = {
        TargetKind.PERSON: (Staff, Staff.full_name),
        TargetKind.TEAM: (Team, Team.name),
        TargetKind.ORGANISATION: (Organisation, Organisation.name),
        TargetKind.JOB_ROLE: (JobRole, JobRole.name),
    }[kind]
    row = await table.select(column.as_alias("name")).where(table._meta.primary_key == target_id).first()
    return row["name"] if row else None


async def _assign(
    *, course_id: int, staff_rows: list[dict[str, Any]], due: DueRule, rule_id: int | None, today: date
) -> int:
    """Insert assignments for those of these people without an open one for the course."""
    if not staff_rows:
        return 0
    already = {
        r["staff"]
        for r in await Assignment.select(Assignment.staff).where(
            (Assignment.course == course_id)
            & Assignment.ended_at.is_null()
            & Assignment.staff.is_in([s["id"] for s in staff_rows])
        )
    }
    new = [
        Assignment(
            course=course_id,
            staff=s["id"],
            from_rule=rule_id,
            assigned_on=today,
            due_on=due.due_for(assigned_on=today, start_date=s["start_date"]),
        )
        for s in staff_rows
        if s["id"] not in already
    ]
    # Batches keep each INSERT within the database's limit on bound parameters.
    for start in range(0, len(new), 500):
        await Assignment.insert(*new[start : start + 500])
    return len(new)


async def create_rule(
    *,
    course_id: int,
    target_kind: TargetKind,
    target_id: int,
    due: DueRule,
    actor: Actor,
    today: date | None = None,
) -> tuple[int, int]:
    """Assign a course to a person or group as a standing rule; returns (rule id, people assigned now)."""
    today = today or date.today()
    due.check()
    course = await Course.select(Course.code, Course.status).where(Course.id == course_id).first()
    if course is None or course["status"] != CourseStatus.PUBLISHED:
        raise AssignmentError("course", "Choose a published course")
    name = await target_name(target_kind, target_id)
    if name is None:
        raise AssignmentError("target", "Choose who the course is for")
    async with write_transaction():
        rule_id = (
            await AssignmentRule.insert(
                AssignmentRule(
                    course=course_id,
                    target_kind=target_kind,
                    target_id=target_id,
                    due_kind=due.kind,
                    due_on=due.on,
                    due_days=due.days,
                    created_by=actor.staff_id,
                )
            ).returning(AssignmentRule.id)
        )[0]["id"]
        staff_rows = await Staff.select(Staff.id, Staff.start_date).where(
            (_TARGET_COLUMN[target_kind] == target_id) & Staff.left_on.is_null()
        )
        count = await _assign(
            course_id=course_id, staff_rows=staff_rows, due=due, rule_id=rule_id, today=today
        )
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="assignment_rule",
            entity_id=rule_id,
            summary=f"{course['code']} assigned to {target_kind.value.replace('_', ' ')} {name} "
            f"({count} people)",
            after={
                "course": course_id,
                "target_kind": target_kind,
                "target_id": target_id,
                "due_kind": due.kind,
                "due_on": due.on,
                "due_days": due.days,
            },
        )
    return int(rule_id), count


async def apply_rules_to_staff(*, staff_ids: list[int], today: date | None = None) -> int:
    """Give these people every course whose standing rules now cover them (new starters, movers)."""
    today = today or date.today()
    if not staff_ids:
        return 0
    people = await Staff.select(
        Staff.id, Staff.team, Staff.organisation, Staff.job_role, Staff.start_date
    ).where(Staff.id.is_in(staff_ids) & Staff.left_on.is_null())
    rules = await AssignmentRule.select().where(
        AssignmentRule.ended_at.is_null() & (AssignmentRule.course.status == CourseStatus.PUBLISHED)
    )
    total = 0
    key = {
        TargetKind.PERSON: "id",
        TargetKind.TEAM: "team",
        TargetKind.ORGANISATION: "organisation",
        TargetKind.JOB_ROLE: "job_role",
    }
    for rule in rules:
        covered = [p for p in people if p[key[TargetKind(rule["target_kind"])]] == rule["target_id"]]
        total += await _assign(
            course_id=rule["course"],
            staff_rows=covered,
            due=_rule_from_row(rule),
            rule_id=rule["id"],
            today=today,
        )
    return total


async def assign_people(
    *, course_id: int, staff_ids: list[int], due: DueRule, actor: Actor, today: date | None = None
) -> int:
    """One-off assignment of a course to chosen people (bulk assign from a filtered list)."""
    today = today or date.today()
    due.check()
    if not staff_ids:
        raise AssignmentError("staff", "Select at least one person")
    course = await Course.select(Course.code, Course.status).where(Course.id == course_id).first()
    if course is None or course["status"] != CourseStatus.PUBLISHED:
        raise AssignmentError("course", "Choose a published course")
    async with write_transaction():
        staff_rows = await Staff.select(Staff.id, Staff.start_date).where(
            Staff.id.is_in(staff_ids) & Staff.left_on.is_null()
        )
        count = await _assign(course_id=course_id, staff_rows=staff_rows, due=due, rule_id=None, today=today)
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="assignment",
            entity_id=course_id,
            summary=f"{course['code']} assigned to {count} selected people",
            after={"course": course_id, "staff": staff_ids, "due_kind": due.kind},
        )
    return count


async def end_assignment(*, assignment_id: int, reason: str, actor: Actor) -> None:
    """Unassign a course from one person; the record stays, with why."""
    if not reason.strip():
        raise AssignmentError("reason", "Say why the course is being unassigned")
    async with write_transaction():
        row = (
            await Assignment.select(Assignment.staff, Assignment.course, Assignment.ended_at)
            .where(Assignment.id == assignment_id)
            .first()
        )
        if row is None or row["ended_at"] is not None:
            raise AssignmentError("reason", "That assignment is not open")
        await Assignment.update(
            {Assignment.ended_at: datetime.now(UTC), Assignment.end_reason: reason.strip()}
        ).where(Assignment.id == assignment_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="assignment",
            entity_id=assignment_id,
            summary="Course unassigned",
            before={"ended_at": None},
            after={"end_reason": reason.strip()},
        )


async def end_rule(*, rule_id: int, reason: str, actor: Actor) -> int:
    """Stop a standing rule and unassign its open assignments; returns how many were ended."""
    if not reason.strip():
        raise AssignmentError("reason", "Say why the rule is being ended")
    now = datetime.now(UTC)
    async with write_transaction():
        rule = (
            await AssignmentRule.select(AssignmentRule.ended_at).where(AssignmentRule.id == rule_id).first()
        )
        if rule is None or rule["ended_at"] is not None:
            raise AssignmentError("reason", "That rule is not active")
        await AssignmentRule.update(
            {AssignmentRule.ended_at: now, AssignmentRule.end_reason: reason.strip()}
        ).where(AssignmentRule.id == rule_id)
        ended = (
            await Assignment.update(
                {Assignment.ended_at: now, Assignment.end_reason: f"Rule ended: {reason.strip()}"}
            )
            .where((Assignment.from_rule == rule_id) & Assignment.ended_at.is_null())
            .returning(Assignment.id)
        )
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="assignment_rule",
            entity_id=rule_id,
            summary=f"Rule ended; {len(ended)} assignments closed",
            after={"end_reason": reason.strip()},
        )
    return len(ended)


async def list_rules(*, course_id: int | None = None) -> list[dict[str, Any]]:
    """Active rules with their course and what they cover (names looked up in one statement per kind)."""
    query = (
        AssignmentRule.select(
            *AssignmentRule.all_columns(),
            AssignmentRule.course.code.as_alias("course_code"),
            AssignmentRule.course.title.as_alias("course_title"),
        )
        .where(AssignmentRule.ended_at.is_null())
        .order_by(AssignmentRule.id)
    )
    if course_id is not None:
        query = query.where(AssignmentRule.course == course_id)
    rules = await query
    names: dict[tuple[str, int], str] = {}
    for kind, (table, column) in {
        TargetKind.PERSON: (Staff, Staff.full_name),
        TargetKind.TEAM: (Team, Team.name),
        TargetKind.ORGANISATION: (Organisation, Organisation.name),
        TargetKind.JOB_ROLE: (JobRole, JobRole.name),
    }.items():
        ids = [r["target_id"] for r in rules if r["target_kind"] == kind]
        if ids:
            for row in await table.select(
                table._meta.primary_key.as_alias("id"), column.as_alias("name")
            ).where(table._meta.primary_key.is_in(ids)):
                names[(kind.value, row["id"])] = row["name"]
    for rule in rules:
        rule["target_name"] = names.get((rule["target_kind"], rule["target_id"]), "(removed)")
    return rules
