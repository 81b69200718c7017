"""Demo training: the built-in EHCP course assigned across the demo staff with a realistic spread of
progress, including overdue, expiring and expired records. Idempotent: a second load adds nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.audit import CLI_ACTOR, Actor
from app.database import write_transaction
from app.tables import Organisation, Staff, Team
from courses import assignments, content, learning, sessions
from courses.assignments import DueRule
from courses.enums import AttendanceStatus, CompletionSource, DueKind, TargetKind
from courses.tables import Assignment, AssignmentRule, Attendance, Completion, ModuleProgress, TrainingSession


@dataclass
class TrainingDemoSummary:
    course_id: int
    course_code: str
    assigned: int
    completions_added: int

    def describe(self) -> str:
        return (
            f"Training: {self.course_code} assigned to {self.assigned} people; "
            f"{self.completions_added} completions added this time."
        )


async def load_training_demo(
    *,
    trainer_id: int | None,
    untouched: frozenset[int] | set[int] = frozenset(),
    held_back_teams: frozenset[str] | set[str] = frozenset(),
    today: date | None = None,
) -> TrainingDemoSummary:
    """Import the built-in course, assign it across the demo organisations and simulate a year of progress."""
    today = today or date.today()
    actor = Actor(staff_id=trainer_id, label="assure demo") if trainer_id else CLI_ACTOR
    result = await content.import_course(content.EHCP_COURSE, actor=actor)
    course_id = result.course_id

    organisations = [o["id"] for o in await Organisation.select(Organisation.id).order_by(Organisation.id)]
    council, partners = organisations[0], organisations[1:]
    # Partners get the course as a whole; the council's own service team by team, with some teams
    # held back so a trainer can assign the course to them in the demo.
    targets = [(TargetKind.ORGANISATION, o, today + timedelta(days=120)) for o in partners] + [
        (TargetKind.TEAM, t["id"], today + timedelta(days=45))
        for t in await Team.select(Team.id).where(
            (Team.organisation == council) & Team.name.not_in(sorted(held_back_teams) or [""])
        )
    ]
    existing = {
        (r["target_kind"], r["target_id"])
        for r in await AssignmentRule.select(AssignmentRule.target_kind, AssignmentRule.target_id).where(
            (AssignmentRule.course == course_id) & AssignmentRule.ended_at.is_null()
        )
    }
    for kind, target_id, due_on in targets:
        if (kind.value, target_id) not in existing:
            await assignments.create_rule(
                course_id=course_id,
                target_kind=kind,
                target_id=target_id,
                due=DueRule(DueKind.FIXED, on=due_on),
                actor=actor,
                today=today - timedelta(days=90),
            )

    assigned = (
        await Assignment.select(Assignment.id, Assignment.staff)
        .where((Assignment.course == course_id) & Assignment.ended_at.is_null())
        .order_by(Assignment.staff)
    )
    # Some people's deadlines have already passed: they were assigned earlier, with a tighter date.
    overdue_staff = [a["id"] for a in assigned[::9]]
    if overdue_staff:
        await Assignment.update({Assignment.due_on: today - timedelta(days=21)}).where(
            Assignment.id.is_in(overdue_staff) & (Assignment.due_on > today)
        )

    already = {
        r["staff"] for r in await Completion.select(Completion.staff).where(Completion.course == course_id)
    }
    started = {
        r["staff"]
        for r in await ModuleProgress.select(ModuleProgress.staff).where(
            ModuleProgress.module.version.course == course_id  # type: ignore[union-attr]
        )
    }
    rng = random.Random(2014)  # noqa: S311 (demo data, not security); the year of the Act
    added = 0
    staff_start = {s["id"]: s["start_date"] for s in await Staff.select(Staff.id, Staff.start_date)}
    for row in assigned:
        staff_id = row["staff"]
        # Every draw happens for every person, so a second load makes the same choices.
        roll, days_ago, online = rng.random(), rng.randint(1, 330), rng.random() < 0.8
        lapsed_days, modules_read = rng.choice([700, 740, 800]), rng.randint(1, 3)
        if staff_id in already or staff_id in started or staff_id in untouched:
            continue
        if roll < 0.45:
            completed_on = today - timedelta(days=days_ago)
            if staff_start.get(staff_id) and staff_start[staff_id] > completed_on:
                completed_on = today - timedelta(days=1)
            await learning.record_completion(
                staff_id=staff_id,
                course_id=course_id,
                completed_on=completed_on,
                source=CompletionSource.ONLINE if online else CompletionSource.OFFLINE,
                actor=actor,
                evidence="Completed during the 2025-26 training programme (demo data)",
                backdate_reason="Loaded as demo history",
                today=today,
            )
            added += 1
        elif roll < 0.52:
            # Completed two years ago: expired, or about to.
            completed_on = today - timedelta(days=lapsed_days)
            await learning.record_completion(
                staff_id=staff_id,
                course_id=course_id,
                completed_on=completed_on,
                source=CompletionSource.SESSION,
                actor=actor,
                evidence="Attended the face-to-face EHCP briefing (demo data)",
                backdate_reason="Loaded as demo history",
                today=today,
            )
            added += 1
        elif roll < 0.72:
            plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
            readings = [m for m in (plan.modules if plan else [])[:modules_read] if m["kind"] == "reading"]
            if readings:
                finished_at = datetime.now(UTC) - timedelta(days=days_ago)
                await ModuleProgress.insert(
                    *[
                        ModuleProgress(staff=staff_id, module=m["id"], completed_at=finished_at)
                        for m in readings
                    ]
                )
    return TrainingDemoSummary(
        course_id=course_id, course_code=result.code, assigned=len(assigned), completions_added=added
    )


WORKSHOP_COURSE = content.BUILT_IN / "annual-review-workshop"


async def load_sessions_demo(*, trainer_id: int, today: date | None = None) -> int:
    """Two sessions of the annual review workshop: one held, with its register taken, one to come.

    Returns how many sessions were added (none when the demo already has them).
    """
    today = today or date.today()
    actor = Actor(staff_id=trainer_id, label="assure demo")
    result = await content.import_course(WORKSHOP_COURSE, actor=actor)
    if await TrainingSession.exists().where(TrainingSession.course == result.course_id):
        return 0
    caseworkers = [
        s["id"]
        for s in await Staff.select(Staff.id)
        .where(Staff.left_on.is_null() & (Staff.job_role.name == "SEND caseworker"))
        .order_by(Staff.id)
    ]
    # All or nothing, so an interrupted load never leaves a session without its register.
    async with write_transaction():
        held = await sessions.schedule_session(
            details=sessions.SessionDetails(
                course_id=result.course_id,
                on=today - timedelta(days=14),
                starts=time(9, 30),
                ends=time(12, 30),
                venue="Northbrook Civic Centre, Committee Room 2",
                online_url="",
                capacity=16,
                trainer_id=trainer_id,
            ),
            actor=actor,
        )
        await sessions.book_people(session_id=held, staff_ids=caseworkers[:12], actor=actor)
        booked = (
            await Attendance.select(Attendance.id).where(Attendance.session == held).order_by(Attendance.id)
        )
        marks = {
            row["id"]: (
                AttendanceStatus.ABSENT
                if n % 6 == 5
                else AttendanceStatus.PARTLY_ATTENDED
                if n % 6 == 4
                else AttendanceStatus.ATTENDED
            )
            for n, row in enumerate(booked)
        }
        await sessions.take_register(session_id=held, marks=marks, actor=actor, today=today)
        upcoming = await sessions.schedule_session(
            details=sessions.SessionDetails(
                course_id=result.course_id,
                on=today + timedelta(days=21),
                starts=time(13, 30),
                ends=time(16, 30),
                venue="",
                online_url="https://meet.northbrook.example/annual-reviews-workshop",
                capacity=20,
                trainer_id=trainer_id,
            ),
            actor=actor,
        )
        await sessions.book_people(session_id=upcoming, staff_ids=caseworkers[12:20], actor=actor)
    return 2
