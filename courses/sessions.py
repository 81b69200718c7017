"""Training sessions: scheduling, bookings up to capacity, registers, and completions recorded by trainers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count

from app import audit
from app.audit import Actor
from app.clock import LOCAL, local_today
from app.database import get_engine, icontains, write_transaction
from app.enums import AuditAction, Role
from app.people import services as people
from app.tables import RoleGrant, Staff
from courses import learning
from courses.enums import AttendanceStatus, CompletionSource, CourseStatus, ModuleKind, VersionStatus
from courses.learning import LearningError
from courses.tables import (
    Attendance,
    Completion,
    Course,
    CourseVersion,
    Module,
    ModuleProgress,
    TrainingSession,
)

# Sessions happen in England: times are typed, stored and shown as UK local time.
MAX_CAPACITY = 500
SEARCH_LIMIT = 20
REGISTER_MARKS = (AttendanceStatus.ATTENDED, AttendanceStatus.PARTLY_ATTENDED, AttendanceStatus.ABSENT)
ATTENDANCE_LABELS = {
    AttendanceStatus.BOOKED: "Booked",
    AttendanceStatus.ATTENDED: "Attended",
    AttendanceStatus.PARTLY_ATTENDED: "Partly attended",
    AttendanceStatus.ABSENT: "Absent",
}


class SessionError(ValueError):
    """A change that breaks a rule, with a message for the trainer and the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _now() -> datetime:
    return datetime.now(UTC)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL)


@dataclass(frozen=True, slots=True)
class SessionDetails:
    """What a trainer types when scheduling or changing a session."""

    course_id: int | None
    on: date | None
    starts: time | None
    ends: time | None
    venue: str
    online_url: str
    capacity: int | None
    trainer_id: int | None


async def published_courses() -> list[dict[str, Any]]:
    """Courses a session can be for: published, by title."""
    return (
        await Course.select(Course.id, Course.code, Course.title)
        .where(Course.status == CourseStatus.PUBLISHED)
        .order_by(Course.title)
    )


async def list_trainers() -> list[dict[str, Any]]:
    """People who hold the trainer role and have not left, by name."""
    return (
        await Staff.select(Staff.id, Staff.full_name, Staff.email)
        .where(
            Staff.id.is_in(RoleGrant.select(RoleGrant.staff).where(RoleGrant.role == Role.TRAINER))
            & Staff.left_on.is_null()
        )
        .order_by(Staff.full_name)
    )


def _is_https_link(url: str) -> bool:
    """A meeting link people can safely follow: https, with a host, and no spaces or control characters."""
    parts = urlsplit(url)
    return (
        parts.scheme == "https" and bool(parts.hostname) and not any(c.isspace() or ord(c) < 32 for c in url)
    )


async def _check_details(details: SessionDetails) -> tuple[datetime, datetime, dict[str, Any]]:
    """Validate a session's details; returns its start and end in UTC and the values to store."""
    if details.course_id is None or not await Course.exists().where(
        (Course.id == details.course_id) & (Course.status == CourseStatus.PUBLISHED)
    ):
        raise SessionError("course", "Select a published course")
    if details.on is None:
        raise SessionError("on-day", "Enter the date of the session")
    if details.starts is None:
        raise SessionError("starts", "Enter the start time, for example 09:30")
    if details.ends is None:
        raise SessionError("ends", "Enter the end time, for example 12:30")
    if details.ends <= details.starts:
        raise SessionError("ends", "The end time must be after the start time")
    venue, online_url = " ".join(details.venue.split()), details.online_url.strip()
    if not venue and not online_url:
        raise SessionError("venue", "Enter a venue or an online meeting link")
    if len(venue) > 300:
        raise SessionError("venue", "The venue must be 300 characters or fewer")
    if online_url and not _is_https_link(online_url):
        raise SessionError("online_url", "Enter the online meeting link starting with https://")
    if len(online_url) > 500:
        raise SessionError("online_url", "The online meeting link must be 500 characters or fewer")
    if details.capacity is None or not 1 <= details.capacity <= MAX_CAPACITY:
        raise SessionError("capacity", f"Enter the number of places, from 1 to {MAX_CAPACITY}")
    if details.trainer_id is None or details.trainer_id not in {t["id"] for t in await list_trainers()}:
        raise SessionError("trainer", "Select the trainer running the session")
    starts_at = datetime.combine(details.on, details.starts, tzinfo=LOCAL).astimezone(UTC)
    ends_at = datetime.combine(details.on, details.ends, tzinfo=LOCAL).astimezone(UTC)
    values = {
        "course": details.course_id,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": venue,
        "online_url": online_url,
        "capacity": details.capacity,
        "trainer": details.trainer_id,
    }
    return starts_at, ends_at, values


async def schedule_session(*, details: SessionDetails, actor: Actor) -> int:
    """Add a session of a published course; returns its id."""
    _, _, values = await _check_details(details)
    async with write_transaction():
        session_id = (await TrainingSession.insert(TrainingSession(**values)).returning(TrainingSession.id))[
            0
        ]["id"]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="training_session",
            entity_id=session_id,
            summary=f"Session of course {details.course_id} scheduled for {details.on.isoformat()}",  # type: ignore[union-attr]
            after=values,
        )
    return int(session_id)


async def _booked_count(session_id: int) -> int:
    return await Attendance.count().where(Attendance.session == session_id)


async def _lock_session(session_id: int) -> dict[str, Any] | None:
    """The session row, locked against concurrent bookings (SQLite's IMMEDIATE transaction already is)."""
    query = TrainingSession.select().where(TrainingSession.id == session_id)
    if isinstance(get_engine(), PostgresEngine):
        query = query.lock_rows()
    return await query.first()


async def update_session(*, session_id: int, details: SessionDetails, actor: Actor) -> None:
    """Change a session's details; its capacity cannot drop below the places already booked."""
    _, _, values = await _check_details(details)
    async with write_transaction():
        current = await _lock_session(session_id)
        if current is None:
            raise SessionError("course", "That session no longer exists")
        if current["cancelled_at"] is not None:
            raise SessionError("course", "This session has been cancelled and cannot be changed")
        booked = await _booked_count(session_id)
        if values["capacity"] < booked:
            raise SessionError(
                "capacity", f"{booked} places are already booked: enter at least {booked} places"
            )
        before, after = audit.changed_fields(current, values)
        if not after:
            return
        changes: dict[Any, Any] = after
        await TrainingSession.update(changes).where(TrainingSession.id == session_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="training_session",
            entity_id=session_id,
            summary=f"Session {session_id} changed",
            before=before,
            after=after,
        )


async def cancel_session(*, session_id: int, reason: str, actor: Actor) -> None:
    """Cancel a session with its reason; its bookings stay on record."""
    reason = reason.strip()
    if not reason:
        raise SessionError("reason", "Enter why the session is cancelled")
    if len(reason) > 500:
        raise SessionError("reason", "The reason must be 500 characters or fewer")
    async with write_transaction():
        current = await _lock_session(session_id)
        if current is None:
            raise SessionError("reason", "That session no longer exists")
        if current["cancelled_at"] is not None:
            raise SessionError("reason", "This session is already cancelled")
        await TrainingSession.update(
            {TrainingSession.cancelled_at: _now(), TrainingSession.cancel_reason: reason}
        ).where(TrainingSession.id == session_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="training_session",
            entity_id=session_id,
            summary=f"Session {session_id} cancelled: {reason}",
            before={"cancelled": False},
            after={"cancelled": True, "reason": reason},
        )


# --- reading sessions ------------------------------------------------------------------------

SESSION_COLUMNS = (
    TrainingSession.id,
    TrainingSession.course,
    TrainingSession.course.title.as_alias("course_title"),
    TrainingSession.course.code.as_alias("course_code"),
    TrainingSession.starts_at,
    TrainingSession.ends_at,
    TrainingSession.venue,
    TrainingSession.online_url,
    TrainingSession.capacity,
    TrainingSession.trainer,
    TrainingSession.trainer.full_name.as_alias("trainer_name"),
    TrainingSession.cancelled_at,
    TrainingSession.cancel_reason,
)


def _shaped(row: dict[str, Any], booked: int) -> dict[str, Any]:
    row["starts_local"] = _local(row["starts_at"])
    row["ends_local"] = _local(row["ends_at"])
    row["on"] = row["starts_local"].date()
    row["booked"] = booked
    row["places_left"] = max(0, row["capacity"] - booked)
    return row


@dataclass(frozen=True, slots=True)
class SessionLists:
    upcoming: list[dict[str, Any]]
    past: list[dict[str, Any]]


async def list_sessions(*, now: datetime | None = None, past_limit: int = 50) -> SessionLists:
    """Upcoming sessions soonest first, recent ones latest first, with places booked (three statements)."""
    now = now or _now()
    upcoming = (
        await TrainingSession.select(*SESSION_COLUMNS)
        .where(TrainingSession.ends_at >= now)
        .order_by(TrainingSession.starts_at)
    )
    past = (
        await TrainingSession.select(*SESSION_COLUMNS)
        .where(TrainingSession.ends_at < now)
        .order_by(TrainingSession.starts_at, ascending=False)
        .limit(past_limit)
    )
    ids = [r["id"] for r in upcoming + past]
    counts = (
        {
            r["session"]: r["count"]
            for r in await Attendance.select(Attendance.session, Count(alias="count"))
            .where(Attendance.session.is_in(ids))
            .group_by(Attendance.session)
        }
        if ids
        else {}
    )
    return SessionLists(
        upcoming=[_shaped(r, counts.get(r["id"], 0)) for r in upcoming],
        past=[_shaped(r, counts.get(r["id"], 0)) for r in past],
    )


async def get_session(session_id: int) -> dict[str, Any] | None:
    """One session with its course, trainer and places booked (two statements)."""
    row = await TrainingSession.select(*SESSION_COLUMNS).where(TrainingSession.id == session_id).first()
    if row is None:
        return None
    return _shaped(row, await _booked_count(session_id))


async def session_bookings(session_id: int) -> list[dict[str, Any]]:
    """The people booked on a session, by name, with their register mark (one statement)."""
    rows = (
        await Attendance.select(
            Attendance.id,
            Attendance.staff,
            Attendance.status,
            Attendance.recorded_at,
            Attendance.staff.full_name.as_alias("full_name"),
            Attendance.staff.email.as_alias("email"),
            Attendance.staff.organisation.name.as_alias("organisation_name"),  # type: ignore[union-attr]
        )
        .where(Attendance.session == session_id)
        .order_by(Attendance.staff.full_name)
        .order_by(Attendance.id)
    )
    for row in rows:
        row["status_label"] = ATTENDANCE_LABELS[AttendanceStatus(row["status"])]
    return rows


async def find_people_to_book(*, session_id: int, search: str) -> list[dict[str, Any]]:
    """Active people matching a name or email who are not yet booked on the session (one statement)."""
    search = " ".join(search.split())
    if not search:
        return []
    return (
        await Staff.select(
            Staff.id, Staff.full_name, Staff.email, Staff.organisation.name.as_alias("organisation_name")
        )
        .where(
            (icontains(Staff.full_name, search) | icontains(Staff.email, search))
            & Staff.left_on.is_null()
            & Staff.id.not_in(Attendance.select(Attendance.staff).where(Attendance.session == session_id))
        )
        .order_by(Staff.full_name)
        .limit(SEARCH_LIMIT)
    )


# --- bookings --------------------------------------------------------------------------------


async def book_people(*, session_id: int, staff_ids: list[int], actor: Actor) -> int:
    """Book people onto a session, all or none: refused when it would go over capacity. Returns how many."""
    wanted = sorted(set(staff_ids))
    if not wanted:
        raise SessionError("staff", "Select at least one person to book")
    async with write_transaction():
        session = await _lock_session(session_id)
        if session is None:
            raise SessionError("staff", "That session no longer exists")
        if session["cancelled_at"] is not None:
            raise SessionError("staff", "This session has been cancelled: nobody can be booked on it")
        already = {
            r["staff"]
            for r in await Attendance.select(Attendance.staff).where(Attendance.session == session_id)
        }
        active = {
            r["id"]
            for r in await Staff.select(Staff.id).where(Staff.id.is_in(wanted) & Staff.left_on.is_null())
        }
        if set(wanted) - active:
            raise SessionError("staff", "Select people who are still in Assure and have not left")
        new = [staff_id for staff_id in wanted if staff_id not in already]
        if not new:
            raise SessionError("staff", "Everyone selected is already booked on this session")
        places_left = session["capacity"] - len(already)
        if len(new) > places_left:
            raise SessionError(
                "staff",
                f"This session has {max(places_left, 0)} of {session['capacity']} places left: "
                f"you selected {len(new)} people. Nobody has been booked.",
            )
        await Attendance.insert(
            *[
                Attendance(session=session_id, staff=staff_id, status=AttendanceStatus.BOOKED)
                for staff_id in new
            ]
        )
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="training_session",
            entity_id=session_id,
            summary=f"{len(new)} booked on session {session_id}",
            after={"booked": new},
        )
    return len(new)


async def remove_booking(*, session_id: int, attendance_id: int, actor: Actor) -> str:
    """Take a person off a session before the register is taken; returns their name."""
    async with write_transaction():
        row = (
            await Attendance.select(
                Attendance.id,
                Attendance.staff,
                Attendance.status,
                Attendance.staff.full_name.as_alias("full_name"),
            )
            .where((Attendance.id == attendance_id) & (Attendance.session == session_id))
            .first()
        )
        if row is None:
            raise SessionError("staff", "That booking no longer exists")
        if row["status"] != AttendanceStatus.BOOKED:
            raise SessionError("staff", "Their attendance is on the register, so the booking is kept")
        await Attendance.delete().where(Attendance.id == attendance_id)
        await audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            entity="training_session",
            entity_id=session_id,
            summary=f"Booking of person {row['staff']} on session {session_id} removed",
            before={"staff": row["staff"], "status": row["status"]},
        )
    return str(row["full_name"])


# --- registers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterResult:
    marked: int
    completions: int


async def take_register(
    *,
    session_id: int,
    marks: dict[int, AttendanceStatus],
    actor: Actor,
    today: date | None = None,
) -> RegisterResult:
    """Record attended, partly attended or absent for every booked person, in one transaction.

    A person newly marked attended has the course's session module recorded as done, and when that
    finishes every module of the course (as it does for a course of sessions only) a completion dated
    the day of the session.
    """
    today = today or local_today()
    async with write_transaction():
        session = await _lock_session(session_id)
        if session is None:
            raise SessionError("register", "That session no longer exists")
        if session["cancelled_at"] is not None:
            raise SessionError("register", "This session was cancelled, so it has no register")
        held_on = _local(session["starts_at"]).date()
        if held_on > today:
            raise SessionError("register", "You can take the register on the day of the session or after it")
        bookings = {
            r["id"]: r
            for r in await Attendance.select(Attendance.id, Attendance.staff, Attendance.status).where(
                Attendance.session == session_id
            )
        }
        if not bookings:
            raise SessionError("register", "Nobody is booked on this session")
        unknown = set(marks) - set(bookings)
        if unknown:
            raise SessionError("register", "The register no longer matches the bookings: reload the page")
        missing = [
            attendance_id for attendance_id in bookings if marks.get(attendance_id) not in REGISTER_MARKS
        ]
        if missing:
            raise SessionError(
                f"attendance-{min(missing)}", "Select attended, partly attended or absent for everyone booked"
            )
        now = _now()
        for status in REGISTER_MARKS:  # one UPDATE per mark, whatever the number of people
            ids = [attendance_id for attendance_id, mark in marks.items() if mark == status]
            if ids:
                await Attendance.update(
                    {
                        Attendance.status: status,
                        Attendance.recorded_by: actor.staff_id,
                        Attendance.recorded_at: now,
                    }
                ).where(Attendance.id.is_in(ids))
        newly_attended = [
            bookings[attendance_id]["staff"]
            for attendance_id, mark in marks.items()
            if mark == AttendanceStatus.ATTENDED
            and bookings[attendance_id]["status"] != AttendanceStatus.ATTENDED
        ]
        completions = await _credit_attendance(
            course_id=session["course"], staff_ids=newly_attended, held_on=held_on, actor=actor, today=today
        )
        before = {str(b["staff"]): b["status"] for b in bookings.values()}
        after = {str(bookings[a]["staff"]): str(mark) for a, mark in marks.items()}
        changed_before, changed_after = audit.changed_fields(before, after)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="training_session",
            entity_id=session_id,
            summary=f"Register taken for session {session_id}: {len(marks)} marked, {completions} completed",
            before=changed_before,
            after=changed_after,
        )
    return RegisterResult(marked=len(marks), completions=completions)


async def _credit_attendance(
    *, course_id: int, staff_ids: list[int], held_on: date, actor: Actor, today: date
) -> int:
    """Record the session module as done for those who attended; complete the course if that finishes it."""
    if not staff_ids:
        return 0
    version = (
        await CourseVersion.select(CourseVersion.id)
        .where((CourseVersion.course == course_id) & (CourseVersion.status == VersionStatus.PUBLISHED))
        .first()
    )
    if version is None:
        return 0
    modules = (
        await Module.select(Module.id, Module.kind)
        .where(Module.version == version["id"])
        .order_by(Module.position)
    )
    session_modules = [m["id"] for m in modules if m["kind"] == ModuleKind.SESSION]
    if not session_modules:
        return 0  # a session that is not part of the course's content earns no credit towards it
    latest: dict[int, datetime] = {
        r["staff"]: r["created_at"]
        for r in await Completion.select(Completion.staff, Completion.created_at)
        .where(Completion.staff.is_in(staff_ids) & (Completion.course == course_id))
        .order_by(Completion.created_at)
    }
    done: dict[int, set[int]] = {staff_id: set() for staff_id in staff_ids}
    for row in await ModuleProgress.select(
        ModuleProgress.staff, ModuleProgress.module, ModuleProgress.completed_at
    ).where(ModuleProgress.staff.is_in(staff_ids) & ModuleProgress.module.is_in([m["id"] for m in modules])):
        since = latest.get(row["staff"])
        # Progress made before the person's last completion belongs to that completion, not a renewal.
        if since is None or row["completed_at"] > since:
            done[row["staff"]].add(row["module"])
    now = _now()
    progress = []
    for staff_id in staff_ids:
        module_id = next((m for m in session_modules if m not in done[staff_id]), None)
        if module_id is not None:
            progress.append(ModuleProgress(staff=staff_id, module=module_id, completed_at=now))
            done[staff_id].add(module_id)
    if progress:
        await ModuleProgress.insert(*progress)
    finished = [s for s in staff_ids if all(m["id"] in done[s] for m in modules)]
    for staff_id in finished:
        await learning.record_completion(
            staff_id=staff_id,
            course_id=course_id,
            completed_on=held_on,
            source=CompletionSource.SESSION,
            actor=actor,
            evidence=f"Attended the session on {held_on.strftime('%-d %B %Y')}",
            backdate_reason="" if held_on == today else "Register taken after the day of the session",
            today=today,
        )
    return len(finished)


# --- completions of training outside Assure --------------------------------------------------


async def record_offline_completion(
    *,
    email: str,
    course_id: int | None,
    completed_on: date | None,
    evidence: str,
    backdate_reason: str,
    actor: Actor,
    today: date | None = None,
) -> int:
    """Record that a person completed a course outside Assure, with evidence; returns the completion id."""
    today = today or local_today()
    email = email.strip()
    if not email:
        raise SessionError("email", "Enter the email address of the person who completed the course")
    staff_id = await people.staff_id_by_email(email)
    if staff_id is None:
        raise SessionError("email", "Enter the email address of someone already in Assure")
    if course_id is None or not await Course.exists().where(
        (Course.id == course_id) & (Course.status == CourseStatus.PUBLISHED)
    ):
        raise SessionError("course", "Select a published course")
    if completed_on is None:
        raise SessionError("completed_on-day", "Enter the date they completed the course")
    if not evidence.strip():
        raise SessionError(
            "evidence", "Describe the evidence, for example the certificate or register you saw"
        )
    if len(evidence) > 2000:
        raise SessionError("evidence", "The evidence note must be 2,000 characters or fewer")
    try:
        return await learning.record_completion(
            staff_id=staff_id,
            course_id=course_id,
            completed_on=completed_on,
            source=CompletionSource.OFFLINE,
            actor=actor,
            evidence=evidence,
            backdate_reason=backdate_reason,
            today=today,
        )
    except LearningError as exc:
        field = "backdate_reason" if "reason" in str(exc) else "completed_on-day"
        raise SessionError(field, str(exc)) from exc
