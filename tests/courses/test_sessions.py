"""Trainers run sessions: schedule, book up to capacity, take registers, record training done elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta

import pytest

from app.audit import CLI_ACTOR
from app.database import get_engine
from app.enums import Role
from app.tables import AuditEntry
from courses import sessions
from courses.catalogue import ModuleContent
from courses.enums import AttendanceStatus, CompletionSource, ModuleKind
from courses.sessions import SessionDetails, SessionError
from courses.tables import Attendance, Completion, Module, ModuleProgress, TrainingSession
from tests.conftest import make_person, post_form
from tests.courses.conftest import add_staff, publish_course

TODAY = date.today()


async def session_only_course() -> int:
    return await publish_course(
        "F2F-ONLY",
        recertify_months=None,
        modules=[ModuleContent(kind=ModuleKind.SESSION, title="Annual reviews workshop")],
    )


def form(course_id: int, trainer_id: int, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "course": course_id,
        "on-day": TODAY.day,
        "on-month": TODAY.month,
        "on-year": TODAY.year,
        "starts": "09:30",
        "ends": "12:30",
        "venue": "County Hall, Committee Room 3",
        "online_url": "",
        "capacity": "20",
        "trainer": trainer_id,
    }
    values.update(overrides)
    return values


async def schedule(course_id: int, *, on: date = TODAY, capacity: int = 20) -> int:
    trainer_id = await make_person("session-trainer@testshire.example", Role.TRAINER)
    return await sessions.schedule_session(
        details=SessionDetails(
            course_id=course_id,
            on=on,
            starts=time(9, 30),
            ends=time(12, 30),
            venue="County Hall",
            online_url="",
            capacity=capacity,
            trainer_id=trainer_id,
        ),
        actor=CLI_ACTOR,
    )


async def attendance_ids(session_id: int) -> dict[int, int]:
    """staff id -> attendance id for a session's bookings."""
    rows = await Attendance.select(Attendance.id, Attendance.staff).where(Attendance.session == session_id)
    return {r["staff"]: r["id"] for r in rows}


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every SQL statement the app runs inside the block."""
    engine_class = type(get_engine())
    original = engine_class.run_querystring
    seen: list[str] = []

    async def counted(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


async def test_trainer_schedules_a_session_and_sees_it_in_upcoming_sessions(client, signed_in_as, course_id):
    trainer_id = await signed_in_as(Role.TRAINER)
    response = await post_form(
        client, "/training-sessions/new", form(course_id, trainer_id), form_page="/training-sessions/new"
    )
    assert response.status_code == 303
    session_page = await client.get(response.headers["location"])
    assert "Session scheduled" in session_page.text
    assert "0 of 20 places booked" in session_page.text
    assert "County Hall, Committee Room 3" in session_page.text
    listing = await client.get("/training-sessions")
    assert "Upcoming sessions" in listing.text and "Course EHCP-TEST" in listing.text
    stored = await TrainingSession.select().first()
    assert stored["starts_at"].astimezone(sessions.LOCAL).time() == time(9, 30)
    assert await AuditEntry.exists().where(AuditEntry.entity == "training_session")


async def test_sessions_page_says_when_nothing_is_scheduled(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    page = await client.get("/training-sessions")
    assert page.status_code == 200
    assert "No sessions are scheduled" in page.text


async def test_schedule_form_explains_a_session_that_ends_before_it_starts(client, signed_in_as, course_id):
    trainer_id = await signed_in_as(Role.TRAINER)
    response = await post_form(
        client,
        "/training-sessions/new",
        form(course_id, trainer_id, starts="14:00", ends="13:00"),
        form_page="/training-sessions/new",
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "The end time must be after the start time" in response.text
    assert 'href="#ends"' in response.text
    assert await TrainingSession.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"venue": "", "online_url": ""}, "Enter a venue or an online meeting link"),
        ({"online_url": "javascript:alert(1)"}, "starting with https://"),
        ({"capacity": "0"}, "Enter the number of places, from 1 to 500"),
        ({"capacity": "lots"}, "whole number"),
        ({"starts": "25:00"}, "24-hour time"),
        ({"on-day": "31", "on-month": "2"}, "must be a real date"),
        ({"course": ""}, "Select a published course"),
    ],
)
async def test_schedule_form_refuses_bad_details(client, signed_in_as, course_id, overrides, message):
    trainer_id = await signed_in_as(Role.TRAINER)
    response = await post_form(
        client,
        "/training-sessions/new",
        form(course_id, trainer_id, **overrides),
        form_page="/training-sessions/new",
    )
    assert response.status_code == 400
    assert message in response.text
    assert await TrainingSession.count() == 0


async def test_trainer_finds_people_by_name_and_books_them(client, signed_in_as, course_id, organisation):
    await signed_in_as(Role.TRAINER)
    session_id = await schedule(course_id)
    amira = await add_staff(organisation, "amira.khan@testshire.example")
    ben = await add_staff(organisation, "ben.okafor@testshire.example")
    await add_staff(organisation, "carol.smith@testshire.example")

    found = await client.get(f"/training-sessions/{session_id}", params={"q": "amira"})
    assert "Amira.Khan" in found.text and "Carol.Smith" not in found.text

    response = await post_form(
        client,
        f"/training-sessions/{session_id}/bookings",
        {"staff": [amira, ben], "q": "a"},
        form_page=f"/training-sessions/{session_id}",
    )
    assert response.status_code == 303
    page = await client.get(f"/training-sessions/{session_id}")
    assert "2 people booked" in page.text
    assert "2 of 20 places booked" in page.text
    assert set(await attendance_ids(session_id)) == {amira, ben}
    # People already booked are not offered again.
    again = await client.get(f"/training-sessions/{session_id}", params={"q": "amira"})
    assert "Amira.Khan@testshire.example, " not in again.text


async def test_booking_over_capacity_is_refused_and_books_nobody(
    client, signed_in_as, course_id, organisation
):
    await signed_in_as(Role.TRAINER)
    session_id = await schedule(course_id, capacity=2)
    people = [await add_staff(organisation, f"person{n}@testshire.example") for n in range(3)]
    response = await post_form(
        client,
        f"/training-sessions/{session_id}/bookings",
        {"staff": people, "q": "person"},
        form_page=f"/training-sessions/{session_id}",
    )
    assert response.status_code == 400
    assert (
        "This session has 2 of 2 places left: you selected 3 people. Nobody has been booked." in response.text
    )
    assert await Attendance.count() == 0


async def test_a_full_session_refuses_one_more_booking(course_id, organisation):
    session_id = await schedule(course_id, capacity=1)
    first = await add_staff(organisation, "first@testshire.example")
    second = await add_staff(organisation, "second@testshire.example")
    assert await sessions.book_people(session_id=session_id, staff_ids=[first], actor=CLI_ACTOR) == 1
    with pytest.raises(SessionError, match="0 of 1 places left"):
        await sessions.book_people(session_id=session_id, staff_ids=[second], actor=CLI_ACTOR)
    assert set(await attendance_ids(session_id)) == {first}


async def test_register_records_each_mark_and_attendance_completes_a_session_only_course(
    client, signed_in_as, organisation
):
    await signed_in_as(Role.TRAINER)
    course_id = await session_only_course()
    session_id = await schedule(course_id)
    came = await add_staff(organisation, "came@testshire.example")
    partly = await add_staff(organisation, "partly@testshire.example")
    absent = await add_staff(organisation, "absent@testshire.example")
    await sessions.book_people(session_id=session_id, staff_ids=[came, partly, absent], actor=CLI_ACTOR)
    ids = await attendance_ids(session_id)

    register = await client.get(f"/training-sessions/{session_id}/register")
    assert register.status_code == 200
    assert f'name="attendance-{ids[came]}"' in register.text

    response = await post_form(
        client,
        f"/training-sessions/{session_id}/register",
        {
            f"attendance-{ids[came]}": "attended",
            f"attendance-{ids[partly]}": "partly_attended",
            f"attendance-{ids[absent]}": "absent",
        },
        form_page=f"/training-sessions/{session_id}/register",
    )
    assert response.status_code == 303
    page = await client.get(f"/training-sessions/{session_id}")
    assert "Register saved for 3 people. 1 completed the course" in page.text
    marks = {r["staff"]: r["status"] for r in await Attendance.select(Attendance.staff, Attendance.status)}
    assert marks == {came: "attended", partly: "partly_attended", absent: "absent"}

    completions = await Completion.select()
    assert [(c["staff"], c["source"], c["completed_on"]) for c in completions] == [
        (came, CompletionSource.SESSION, TODAY)
    ]
    assert completions[0]["expires_on"] is None
    progress = await ModuleProgress.select(ModuleProgress.staff)
    assert [p["staff"] for p in progress] == [came]
    assert await AuditEntry.exists().where(AuditEntry.summary.like("Register taken for session%"))


async def test_retaking_the_register_does_not_complete_anyone_twice(organisation):
    course_id = await session_only_course()
    session_id = await schedule(course_id)
    person = await add_staff(organisation, "twice@testshire.example")
    await sessions.book_people(session_id=session_id, staff_ids=[person], actor=CLI_ACTOR)
    attendance_id = (await attendance_ids(session_id))[person]
    for _ in range(2):
        await sessions.take_register(
            session_id=session_id, marks={attendance_id: AttendanceStatus.ATTENDED}, actor=CLI_ACTOR
        )
    assert await Completion.count() == 1
    assert await ModuleProgress.count() == 1


async def test_attending_a_session_of_a_longer_course_records_the_session_module_only(organisation):
    course_id = await publish_course(
        "BLENDED",
        modules=[
            ModuleContent(kind=ModuleKind.READING, title="Before the day", body="Read this."),
            ModuleContent(kind=ModuleKind.SESSION, title="Workshop"),
        ],
    )
    session_id = await schedule(course_id)
    person = await add_staff(organisation, "blended@testshire.example")
    await sessions.book_people(session_id=session_id, staff_ids=[person], actor=CLI_ACTOR)
    result = await sessions.take_register(
        session_id=session_id,
        marks={(await attendance_ids(session_id))[person]: AttendanceStatus.ATTENDED},
        actor=CLI_ACTOR,
    )
    assert result.completions == 0
    assert await Completion.count() == 0
    done = await ModuleProgress.select(ModuleProgress.module.kind.as_alias("kind"))
    assert [d["kind"] for d in done] == [ModuleKind.SESSION]


async def test_register_taken_after_the_day_dates_the_completion_on_the_session_day(organisation):
    course_id = await session_only_course()
    yesterday = TODAY - timedelta(days=1)
    session_id = await schedule(course_id, on=yesterday)
    person = await add_staff(organisation, "late@testshire.example")
    await sessions.book_people(session_id=session_id, staff_ids=[person], actor=CLI_ACTOR)
    await sessions.take_register(
        session_id=session_id,
        marks={(await attendance_ids(session_id))[person]: AttendanceStatus.ATTENDED},
        actor=CLI_ACTOR,
    )
    completion = await Completion.select().first()
    assert completion["completed_on"] == yesterday
    assert completion["backdate_reason"] == "Register taken after the day of the session"


async def test_register_must_mark_everyone_booked_and_changes_nothing_otherwise(
    client, signed_in_as, organisation
):
    await signed_in_as(Role.TRAINER)
    course_id = await session_only_course()
    session_id = await schedule(course_id)
    marked = await add_staff(organisation, "marked@testshire.example")
    forgotten = await add_staff(organisation, "forgotten@testshire.example")
    await sessions.book_people(session_id=session_id, staff_ids=[marked, forgotten], actor=CLI_ACTOR)
    ids = await attendance_ids(session_id)
    response = await post_form(
        client,
        f"/training-sessions/{session_id}/register",
        {f"attendance-{ids[marked]}": "attended"},
        form_page=f"/training-sessions/{session_id}/register",
    )
    assert response.status_code == 400
    assert "Select attended, partly attended or absent for everyone booked" in response.text
    assert {r["status"] for r in await Attendance.select(Attendance.status)} == {"booked"}
    assert await Completion.count() == 0


async def test_register_waits_for_the_day_of_the_session(organisation):
    course_id = await session_only_course()
    session_id = await schedule(course_id, on=TODAY + timedelta(days=7))
    person = await add_staff(organisation, "early@testshire.example")
    await sessions.book_people(session_id=session_id, staff_ids=[person], actor=CLI_ACTOR)
    with pytest.raises(SessionError, match="on the day of the session or after it"):
        await sessions.take_register(
            session_id=session_id,
            marks={(await attendance_ids(session_id))[person]: AttendanceStatus.ATTENDED},
            actor=CLI_ACTOR,
        )


async def test_cancelling_needs_a_reason_and_then_stops_bookings(
    client, signed_in_as, course_id, organisation
):
    await signed_in_as(Role.TRAINER)
    session_id = await schedule(course_id)
    no_reason = await post_form(
        client,
        f"/training-sessions/{session_id}/cancel",
        {"reason": " "},
        form_page=f"/training-sessions/{session_id}/cancel",
    )
    assert no_reason.status_code == 400
    assert "Enter why the session is cancelled" in no_reason.text

    response = await post_form(
        client,
        f"/training-sessions/{session_id}/cancel",
        {"reason": "Trainer unwell"},
        form_page=f"/training-sessions/{session_id}/cancel",
    )
    assert response.status_code == 303
    page = await client.get(f"/training-sessions/{session_id}")
    assert "Cancelled" in page.text
    assert "Reason: Trainer unwell" in page.text
    entry = await AuditEntry.select().where(AuditEntry.summary.like("%cancelled%")).first()
    assert "Trainer unwell" in entry["summary"]
    person = await add_staff(organisation, "toolate@testshire.example")
    with pytest.raises(SessionError, match="cancelled"):
        await sessions.book_people(session_id=session_id, staff_ids=[person], actor=CLI_ACTOR)


async def test_capacity_cannot_drop_below_the_places_booked(organisation, course_id):
    session_id = await schedule(course_id, capacity=3)
    people = [await add_staff(organisation, f"cap{n}@testshire.example") for n in range(2)]
    await sessions.book_people(session_id=session_id, staff_ids=people, actor=CLI_ACTOR)
    session = await TrainingSession.select().first()
    with pytest.raises(SessionError, match="enter at least 2 places"):
        await sessions.update_session(
            session_id=session_id,
            details=SessionDetails(
                course_id=course_id,
                on=TODAY,
                starts=time(9, 30),
                ends=time(12, 30),
                venue="County Hall",
                online_url="",
                capacity=1,
                trainer_id=session["trainer"],
            ),
            actor=CLI_ACTOR,
        )


async def test_session_page_runs_the_same_statements_for_two_or_forty_bookings(
    client, signed_in_as, course_id, organisation
):
    await signed_in_as(Role.TRAINER)
    small = await schedule(course_id, capacity=50)
    large = await sessions.schedule_session(
        details=SessionDetails(
            course_id=course_id,
            on=TODAY,
            starts=time(14, 0),
            ends=time(16, 0),
            venue="County Hall",
            online_url="",
            capacity=50,
            trainer_id=(await TrainingSession.select().first())["trainer"],
        ),
        actor=CLI_ACTOR,
    )
    staff = [await add_staff(organisation, f"crowd{n}@testshire.example") for n in range(40)]
    await sessions.book_people(session_id=small, staff_ids=staff[:2], actor=CLI_ACTOR)
    await sessions.book_people(session_id=large, staff_ids=staff, actor=CLI_ACTOR)
    counts = []
    for session_id in (small, large):
        with counting_statements() as seen:
            response = await client.get(f"/training-sessions/{session_id}", params={"q": "crowd"})
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]
    assert counts[0] >= 4  # the counter really saw the page's statements


async def test_trainer_records_an_offline_completion_with_evidence(
    client, signed_in_as, course_id, organisation
):
    await signed_in_as(Role.TRAINER)
    person = await add_staff(organisation, "partner.nurse@testshire.example")
    response = await post_form(
        client,
        "/completions/new",
        {
            "email": "Partner.Nurse@testshire.example",
            "course": course_id,
            "completed_on-day": TODAY.day,
            "completed_on-month": TODAY.month,
            "completed_on-year": TODAY.year,
            "evidence": "NHS trust certificate seen",
        },
        form_page="/completions/new",
    )
    assert response.status_code == 303
    completion = await Completion.select().first()
    assert completion["staff"] == person
    assert completion["source"] == CompletionSource.OFFLINE
    assert completion["evidence"] == "NHS trust certificate seen"
    page = await client.get(response.headers["location"])
    assert f"Certificate code {completion['certificate_code']}" in page.text


async def test_backdated_offline_completion_needs_a_reason_which_is_audited(
    client, signed_in_as, course_id, organisation
):
    await signed_in_as(Role.TRAINER)
    person = await add_staff(organisation, "backdated@testshire.example")
    last_year = TODAY - timedelta(days=300)
    data = {
        "email": "backdated@testshire.example",
        "course": course_id,
        "completed_on-day": last_year.day,
        "completed_on-month": last_year.month,
        "completed_on-year": last_year.year,
        "evidence": "Register from the 2025 face-to-face course",
    }
    refused = await post_form(client, "/completions/new", data, form_page="/completions/new")
    assert refused.status_code == 400
    assert "Give a reason for a completion date in the past" in refused.text
    assert 'href="#backdate_reason"' in refused.text
    assert await Completion.count() == 0

    reason = "Trained before Assure was introduced"
    accepted = await post_form(
        client, "/completions/new", {**data, "backdate_reason": reason}, form_page="/completions/new"
    )
    assert accepted.status_code == 303
    completion = await Completion.select().first()
    assert (completion["staff"], completion["completed_on"], completion["backdate_reason"]) == (
        person,
        last_year,
        reason,
    )
    entry = await AuditEntry.select().where(AuditEntry.entity == "completion").output(load_json=True).first()
    assert entry["after"]["backdate_reason"] == reason


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "nobody@testshire.example"}, "Enter the email address of someone already in Assure"),
        ({"evidence": ""}, "Describe the evidence"),
        ({"completed_on-day": ""}, "must include a day, month and year"),
        ({"course": "999999"}, "Select a published course"),
    ],
)
async def test_offline_completion_form_explains_what_is_wrong(
    client, signed_in_as, course_id, organisation, overrides, message
):
    await signed_in_as(Role.TRAINER)
    await add_staff(organisation, "someone@testshire.example")
    data = {
        "email": "someone@testshire.example",
        "course": course_id,
        "completed_on-day": TODAY.day,
        "completed_on-month": TODAY.month,
        "completed_on-year": TODAY.year,
        "evidence": "Seen",
        **overrides,
    }
    response = await post_form(client, "/completions/new", data, form_page="/completions/new")
    assert response.status_code == 400
    assert message in response.text
    assert await Completion.count() == 0


async def test_professional_cannot_schedule_sessions(client, signed_in_as, course_id):
    await signed_in_as(Role.PROFESSIONAL)
    assert (await client.get("/training-sessions")).status_code == 403
    assert (await client.get("/completions/new")).status_code == 403


async def test_session_modules_exist_for_the_session_only_course():
    """Guard for the tests above: the fixture course really is made of one session module."""
    course_id = await session_only_course()
    modules = await Module.select(Module.kind).where(Module.version.course == course_id)
    assert [m["kind"] for m in modules] == [ModuleKind.SESSION]
