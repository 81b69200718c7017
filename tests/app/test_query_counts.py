"""Pages issue the same number of SQL statements at 10 and at 1,000 staff.

Piccolo numbers every statement an engine runs (engine.query_id), so the count is read from the real
engine, with nothing replaced.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.audit import CLI_ACTOR
from app.database import get_engine
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.tables import Staff
from courses import assignments, learning
from courses.assignments import DueRule
from courses.enums import CompletionSource, DueKind, TargetKind
from tests.conftest import make_person, sign_in
from tests.courses.conftest import publish_course

# Pages to measure, as the admin (who may see all of them) — {course} is filled in.
PAGES = [
    "/",
    "/my-training",
    "/my-training/{course}",
    "/admin/staff",
    "/admin/staff?q=person",
    "/admin/organisations",
    "/admin/job-roles",
    "/admin/audit",
    "/api/staff",
    "/api/organisations",
    "/api/teams",
    "/courses/{course}/rules",
    "/courses/{course}/assign-people",
    "/compliance",
    "/compliance?course={course}&group=all",
]


async def build(size: int) -> dict[str, int]:
    """An organisation with `size` staff spread over teams, the course assigned to all, a third completed.

    Structure goes through the services; the volume of staff is bulk-inserted, since only the count
    of statements per page is under test here.
    """
    organisation_id = await people.create_organisation(
        name="Scale County SEND", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    team_ids = [
        await people.create_team(name=f"Team {n}", organisation_id=organisation_id, actor=CLI_ACTOR)
        for n in range(5)
    ]
    job_role_id = await people.create_job_role(name="SEND caseworker", description="", actor=CLI_ACTOR)
    rows = [
        Staff(
            email=f"person{n}@scale.example",
            full_name=f"Person {n}",
            organisation=organisation_id,
            team=team_ids[n % 5],
            job_role=job_role_id,
            start_date=date(2020, 1, 1) + timedelta(days=n),
        )
        for n in range(size)
    ]
    for start in range(0, len(rows), 500):
        await Staff.insert(*rows[start : start + 500])
    admin_id = await make_person("admin@scale.example", Role.ADMIN, Role.TRAINER)
    course_id = await publish_course("SCALE-1")
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.ORGANISATION,
        target_id=organisation_id,
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
        actor=CLI_ACTOR,
    )
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.PERSON,
        target_id=admin_id,
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
        actor=CLI_ACTOR,
    )
    staff_ids = [r["id"] for r in await Staff.select(Staff.id).where(Staff.organisation == organisation_id)]
    for staff_id in staff_ids[::3][:20]:
        await learning.record_completion(
            staff_id=staff_id,
            course_id=course_id,
            completed_on=date.today(),
            source=CompletionSource.OFFLINE,
            actor=CLI_ACTOR,
        )
    return {"course": course_id}


async def statements_per_page(client, ids: dict[str, int]) -> dict[str, int]:
    engine = get_engine()
    counts = {}
    for page in PAGES:
        url = page.format(**ids)
        before = engine.query_id
        response = await client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[page] = engine.query_id - before
    return counts


async def test_pages_issue_the_same_number_of_statements_at_10_and_1000_staff(client):
    ids = await build(10)
    assert (await sign_in(client, "admin@scale.example")).status_code == 303
    small = await statements_per_page(client, ids)

    organisation_id = (await Staff.select(Staff.organisation).first())["organisation"]
    extra = [
        Staff(email=f"more{n}@scale.example", full_name=f"More {n}", organisation=organisation_id)
        for n in range(990)
    ]
    for start in range(0, len(extra), 500):
        await Staff.insert(*extra[start : start + 500])
    await assignments.apply_rules_to_staff(
        staff_ids=[r["id"] for r in await Staff.select(Staff.id).where(Staff.email.like("more%"))]
    )
    assert await Staff.count() >= 1000
    large = await statements_per_page(client, ids)
    assert all(small.values()), small
    assert large == small
