"""Compliance views: every figure comes from SQL, and agrees with 'My training' person by person."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook
from piccolo.engine.sqlite import SQLiteEngine

from app.audit import CLI_ACTOR, Actor
from app.database import get_engine
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.tables import Staff
from app.web.exports import excel_safe
from courses import assignments, catalogue, compliance, learning
from courses.assignments import DueRule
from courses.catalogue import ModuleContent, VersionContent
from courses.compliance import COURSE_ORDER, NOT_RECORDED, Grouping, Scope
from courses.compliance_controller import View
from courses.enums import CompletionSource, DueKind, ModuleKind, TrainingStatus
from courses.public import completion_counts
from courses.tables import Assignment, Completion, Course, CourseVersion
from tests.courses.conftest import publish_course

TODAY = date.today()
DASH, OPEN, CLOSE = "\u2013", "\u2018", "\u2019"  # as the pages write them
COMPLIANT = {TrainingStatus.COMPLETED, TrainingStatus.EXPIRING_SOON}


@dataclass
class Person:
    staff_id: int
    organisation: int
    team: int | None
    job_role: int | None


@dataclass
class World:
    course_id: int
    organisations: dict[str, int]
    teams: dict[str, int]
    job_roles: dict[str, int]
    people: list[Person]
    leaver: int


async def _complete(staff_id: int, course_id: int, on: date) -> None:
    await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=on,
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        evidence="Signed register",
        backdate_reason="Recorded late" if on < TODAY else "",
    )


async def _start(staff_id: int, course_id: int) -> None:
    plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
    assert plan is not None
    await learning.mark_module_done(
        plan=plan, module_id=plan.modules[0]["id"], actor=Actor(staff_id, "learner"), today=TODAY
    )


# Each person's story: (how long ago they were assigned, due in N days (negative: past), what they did).
STORIES = [
    (200, -30, "completed-recently"),
    (400, 60, "completed-expiring"),
    (800, -100, "completed-expired"),
    (100, -5, "nothing"),  # overdue
    (30, 40, "started"),  # in progress
    (10, 90, "nothing"),  # not started
    (800, 30, "expired-then-started"),  # expired even though renewing
    (300, -20, "started-then-completed"),
    (500, -1, "old-version"),  # completed before the version everyone must redo: overdue
    (20, 14, "old-version-started"),  # in progress on the new version
    (250, 10, "new-version"),  # completed the version now required
    (90, 0, "nothing"),  # due today: not yet overdue
]


@pytest.fixture
async def world() -> World:
    """A course with a version everyone must redo, two agencies, three teams, two job roles, 24 people."""
    org = {
        "council": await people.create_organisation(
            name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
        ),
        "health": await people.create_organisation(
            name="Testshire NHS Trust", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
        ),
    }
    teams = {
        "reviews": await people.create_team(
            name="Annual Reviews", organisation_id=org["council"], actor=CLI_ACTOR
        ),
        "assessments": await people.create_team(
            name="Assessments", organisation_id=org["council"], actor=CLI_ACTOR
        ),
        "therapy": await people.create_team(name="Therapies", organisation_id=org["health"], actor=CLI_ACTOR),
    }
    roles = {
        "caseworker": await people.create_job_role(name="SEND caseworker", description="", actor=CLI_ACTOR),
        "therapist": await people.create_job_role(name="Speech therapist", description="", actor=CLI_ACTOR),
    }
    course_id = await publish_course("COMPLY-1", recertify_months=24)
    placements = [
        (org["council"], teams["reviews"], roles["caseworker"]),
        (org["council"], teams["assessments"], roles["caseworker"]),
        (org["council"], None, None),
        (org["health"], teams["therapy"], roles["therapist"]),
        (org["health"], teams["therapy"], None),
        (org["council"], teams["reviews"], roles["therapist"]),
    ]
    everyone: list[Person] = []
    stories: list[tuple[int, str]] = []
    for n in range(24):
        organisation, team, job_role = placements[n % len(placements)]
        assigned_ago, due_in, story = STORIES[n % len(STORIES)]
        staff_id = await people.create_staff(
            details=StaffDetails(
                email=f"person{n}@testshire.example",
                full_name=f"Person {n:02d}",
                organisation_id=organisation,
                team_id=team,
                job_role_id=job_role,
            ),
            actor=CLI_ACTOR,
        )
        await assignments.assign_people(
            course_id=course_id,
            staff_ids=[staff_id],
            due=DueRule(DueKind.FIXED, on=TODAY + timedelta(days=due_in)),
            actor=CLI_ACTOR,
            today=TODAY - timedelta(days=assigned_ago),
        )
        everyone.append(Person(staff_id, organisation, team, job_role))
        stories.append((staff_id, story))

    # Some completed version 1 before version 2 changed statutory content.
    for staff_id, story in stories:
        if story in ("old-version", "old-version-started"):
            await _complete(staff_id, course_id, TODAY - timedelta(days=200))

    # Version 2 changes statutory content: everyone must complete it again.
    await catalogue.replace_draft_content(
        course_id=course_id,
        content=VersionContent(
            estimated_minutes=20,
            pass_mark=None,
            modules=[
                ModuleContent(kind=ModuleKind.READING, title="The 2026 changes", body="Read this."),
                ModuleContent(kind=ModuleKind.READING, title="What it means for you", body="And this."),
            ],
        ),
        actor=CLI_ACTOR,
    )
    await catalogue.publish(
        course_id=course_id, requires_recompletion=True, reason="New regulations", actor=CLI_ACTOR
    )
    for staff_id, story in stories:
        if story == "completed-recently":
            await _complete(staff_id, course_id, TODAY - timedelta(days=40))
        elif story == "completed-expiring":
            await _complete(staff_id, course_id, TODAY - relativedelta(months=24) + timedelta(days=30))
        elif story == "completed-expired":
            await _complete(staff_id, course_id, TODAY - relativedelta(months=25))
        elif story == "started":
            await _start(staff_id, course_id)
        elif story == "expired-then-started":
            await _complete(staff_id, course_id, TODAY - relativedelta(months=26))
            await _start(staff_id, course_id)
        elif story == "started-then-completed":
            await _start(staff_id, course_id)
            await _complete(staff_id, course_id, TODAY - timedelta(days=3))
        elif story == "old-version-started":
            await _start(staff_id, course_id)
        elif story == "new-version":
            await _complete(staff_id, course_id, TODAY - timedelta(days=1))

    # Neither a leaver nor an unassigned person counts.
    leaver = everyone[0].staff_id
    await people.mark_left(staff_id=leaver, left_on=TODAY - timedelta(days=1), actor=CLI_ACTOR)
    ended = everyone[1].staff_id
    (row,) = await Assignment.select(Assignment.id).where(Assignment.staff == ended)
    await assignments.end_assignment(
        assignment_id=row["id"], reason="Moved to a non-SEND role", actor=CLI_ACTOR
    )
    still_counted = [p for p in everyone if p.staff_id not in (leaver, ended)]
    return World(course_id, org, teams, roles, still_counted, leaver)


async def statuses_from_my_training(world: World) -> dict[int, TrainingStatus]:
    """The independent answer: each person's status for the course, as their own 'My training' shows."""
    found = {}
    for person in world.people:
        items = [
            i for i in await learning.my_training(staff_id=person.staff_id) if i.course_id == world.course_id
        ]
        assert len(items) == 1
        found[person.staff_id] = items[0].status
    return found


async def test_every_figure_agrees_with_each_persons_my_training(world):
    expected = await statuses_from_my_training(world)
    # The stories cover every status, so a wrong rule for any of them would show.
    assert set(expected.values()) == set(TrainingStatus)

    def tally(people_in_group):
        counts = Counter(expected[p.staff_id] for p in people_in_group)
        return {s: counts.get(s, 0) for s in TrainingStatus}

    for grouping in Grouping:
        table = await compliance.compliance_table(course_id=world.course_id, scope=Scope(), grouping=grouping)
        assert table is not None
        assert table.total.assigned == len(world.people)
        assert table.total.counts == tally(world.people)
        for row in table.rows:
            members = [
                p
                for p in world.people
                if all((getattr(p, dimension) or 0) == key for dimension, key in row.keys.items())
            ]
            assert row.figures.assigned == len(members), (grouping, row)
            assert row.figures.counts == tally(members), (grouping, row)
            compliant = sum(1 for p in members if expected[p.staff_id] in COMPLIANT)
            assert row.figures.percent_compliant == round(100 * compliant / len(members), 1)
        assert sum(r.figures.assigned for r in table.rows) == len(world.people)


async def test_filters_narrow_the_figures_to_one_team_or_job_role(world):
    expected = await statuses_from_my_training(world)
    therapy = world.teams["therapy"]
    table = await compliance.compliance_table(
        course_id=world.course_id,
        scope=Scope.of(organisation=None, team=therapy, job_role=None),
        grouping=Grouping.JOB_ROLE,
    )
    members = [p for p in world.people if p.team == therapy]
    assert table.total.assigned == len(members)
    assert [r.job_role for r in table.rows] == ["Speech therapist", None]  # "not recorded" comes last

    no_role = await compliance.compliance_table(
        course_id=world.course_id,
        scope=Scope.of(organisation=None, team=None, job_role=compliance.NOT_RECORDED),
        grouping=Grouping.ORGANISATION,
    )
    members = [p for p in world.people if p.job_role is None]
    assert no_role.total.counts == {
        s: sum(1 for p in members if expected[p.staff_id] is s) for s in TrainingStatus
    }


async def test_drill_down_lists_the_people_in_a_cell_with_status_and_due_date(world):
    expected = await statuses_from_my_training(world)
    council = world.organisations["council"]
    page = await compliance.people_in_cell(
        course_id=world.course_id,
        scope=Scope.of(organisation=council, team=None, job_role=None),
        status=TrainingStatus.OVERDUE,
    )
    wanted = {
        p.staff_id
        for p in world.people
        if p.organisation == council and expected[p.staff_id] is TrainingStatus.OVERDUE
    }
    assert {r["id"] for r in page.rows} == wanted and page.total == len(wanted)
    assert all(r["due_on"] < TODAY and r["status_label"] == "Overdue" for r in page.rows)

    first = await compliance.people_in_cell(
        course_id=world.course_id, scope=Scope(), status=None, page=1, per_page=5
    )
    second = await compliance.people_in_cell(
        course_id=world.course_id, scope=Scope(), status=None, page=2, per_page=5
    )
    assert first.total == len(world.people) and first.pages == -(-len(world.people) // 5)
    names = [r["full_name"] for r in first.rows + second.rows]
    assert names == sorted(names) and len(set(names)) == 10


async def test_public_counts_for_action_plans_match_the_compliance_view(world):
    expected = await statuses_from_my_training(world)
    counts = await completion_counts(course_id=world.course_id)
    assert counts.assigned == len(world.people)
    assert counts.completed == sum(1 for s in expected.values() if s in COMPLIANT)
    assert counts.overdue == sum(1 for s in expected.values() if s is TrainingStatus.OVERDUE)

    health = world.organisations["health"]
    therapist = world.job_roles["therapist"]
    narrowed = await completion_counts(
        course_id=world.course_id, organisation_ids=[health], job_role_ids=[therapist]
    )
    members = [p for p in world.people if p.organisation == health and p.job_role == therapist]
    assert narrowed.assigned == len(members)
    assert narrowed.completed == sum(1 for p in members if expected[p.staff_id] in COMPLIANT)

    # Before anyone was assigned, there was nothing to count.
    assert await completion_counts(course_id=world.course_id, as_of=TODAY - timedelta(days=900)) == (
        type(counts)(assigned=0, completed=0, overdue=0)
    )


async def independent_trend(world: World, points):
    """Each month end worked out in Python from the stored rows, without the SQL."""
    assignments_rows = await Assignment.select().where(Assignment.course == world.course_id)
    completions = await Completion.select().where(Completion.course == world.course_id)
    versions = await CourseVersion.select().where(CourseVersion.course == world.course_id)
    staff = {r["id"]: r for r in await Staff.select(Staff.id, Staff.left_on)}
    results = []
    for point in points:
        required = max(
            (
                v["number"]
                for v in versions
                if v["requires_recompletion"]
                and v["published_at"]
                and v["published_at"].date() <= point.as_of
            ),
            default=0,
        )
        assigned = {
            a["staff"]
            for a in assignments_rows
            if a["assigned_on"] <= point.as_of
            and (a["ended_at"] is None or a["ended_at"].date() > point.as_of)
            and (staff[a["staff"]]["left_on"] is None or staff[a["staff"]]["left_on"] > point.as_of)
        }
        compliant = 0
        for staff_id in assigned:
            theirs = sorted(
                (c for c in completions if c["staff"] == staff_id and c["completed_on"] <= point.as_of),
                key=lambda c: (c["completed_on"], c["id"]),
            )
            if theirs:
                last = theirs[-1]
                if last["version_number"] >= required and (
                    last["expires_on"] is None or last["expires_on"] > point.as_of
                ):
                    compliant += 1
        done = sum(1 for c in completions if point.month_start <= c["completed_on"] <= point.as_of)
        results.append((point.as_of, done, len(assigned), compliant))
    return results


async def test_trend_shows_completions_per_month_and_compliance_at_each_month_end(world):
    trend = await compliance.trend(course_id=world.course_id, scope=Scope())
    assert len(trend) == 12 and trend[-1].as_of == TODAY and trend[0].month_start.day == 1
    points = compliance.trend_points(TODAY)
    assert [(t.as_of, t.completions, t.assigned, t.compliant) for t in trend] == await independent_trend(
        world, points
    )
    # The current month ends today, so it agrees with the table.
    table = await compliance.compliance_table(course_id=world.course_id, scope=Scope(), grouping=Grouping.ALL)
    assert trend[-1].compliant == table.total.compliant
    assert trend[-1].assigned == table.total.assigned


def test_a_cells_status_link_is_its_rows_link_with_the_status_added():
    # The page's template builds the status cells' links this way.
    view = View(course={"id": 7}, organisation=3, team=NOT_RECORDED, job_role=None, grouping=Grouping.ALL)
    for keys in ({}, {"organisation": 4, "team": 9, "job_role": NOT_RECORDED}):
        for status in TrainingStatus:
            assert view.cell_link(keys, status) == f"{view.cell_link(keys)}&status={status.value}"


def test_excel_safe_defuses_formulas_and_keeps_numbers():
    assert excel_safe('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert excel_safe(f"{start}1+1") == f"'{start}1+1"
    assert excel_safe("Annual Reviews") == "Annual Reviews"
    assert excel_safe(42) == 42 and excel_safe(66.7) == 66.7 and excel_safe(None) is None
    assert excel_safe(-3) == -3  # numbers stay numbers


# --- pages ------------------------------------------------------------------------------------


async def test_trainer_sees_compliance_by_organisation_and_drills_down(client, signed_in_as, world):
    await signed_in_as(Role.TRAINER)
    page = await client.get("/compliance")
    assert page.status_code == 200
    assert "Course COMPLY-1" in page.text
    assert "Testshire SEND Service" in page.text and "Testshire NHS Trust" in page.text
    assert "Compliance" in page.text  # the navigation item

    by_team = await client.get(f"/compliance?course={world.course_id}&group=team")
    assert "Annual Reviews" in by_team.text and "No team" in by_team.text

    by_role = await client.get(f"/compliance?course={world.course_id}&group=organisation_job_role")
    assert "by organisation and job role" in by_role.text
    therapist = (
        f"/compliance/people?course={world.course_id}&amp;organisation={world.organisations['health']}"
        f"&amp;job_role={world.job_roles['therapist']}"
    )
    assert "Speech therapist" in by_role.text and therapist in by_role.text
    # Each status cell links to its row's drill-down narrowed to the status.
    assert re.search(
        f'href="{re.escape(therapist)}&amp;group=organisation_job_role&amp;status=[a-z_]+"', by_role.text
    )

    council = world.organisations["council"]
    cell = await client.get(
        f"/compliance/people?course={world.course_id}&organisation={council}&status=overdue"
    )
    assert cell.status_code == 200
    assert "Overdue" in cell.text


async def test_names_in_the_table_are_escaped(client, signed_in_as, world):
    # The table's rows are written with autoescaping off (compliance.html), each name escaped once.
    hostile = '<script>alert("team")</script> & Co'
    team_id = await people.create_team(
        name=hostile, organisation_id=world.organisations["council"], actor=CLI_ACTOR
    )
    role_id = await people.create_job_role(name="<b>Lead</b>", description="", actor=CLI_ACTOR)
    staff_id = await people.create_staff(
        details=StaffDetails(
            email="hostile@testshire.example",
            full_name="Hostile Name",
            organisation_id=world.organisations["council"],
            team_id=team_id,
            job_role_id=role_id,
        ),
        actor=CLI_ACTOR,
    )
    await assignments.assign_people(
        course_id=world.course_id,
        staff_ids=[staff_id],
        due=DueRule(DueKind.FIXED, on=TODAY + timedelta(days=30)),
        actor=CLI_ACTOR,
    )
    await signed_in_as(Role.TRAINER)
    for group in ("team", "job_role"):
        page = await client.get(f"/compliance?course={world.course_id}&group={group}")
        assert page.status_code == 200
        assert "<script>" not in page.text and "<b>Lead</b>" not in page.text
    by_team = (await client.get(f"/compliance?course={world.course_id}&group=team")).text
    escaped = "&lt;script&gt;alert(&#34;team&#34;)&lt;/script&gt; &amp; Co"
    assert f'<td class="govuk-table__cell">{escaped}</td>' in by_team  # after the organisation
    in_row = f"in Testshire SEND Service, {escaped}</span>"
    assert f"> assigned {in_row}" in by_team and f"> not started {in_row}" in by_team
    by_role = (await client.get(f"/compliance?course={world.course_id}&group=job_role")).text
    assert '<th scope="row" class="govuk-table__header">&lt;b&gt;Lead&lt;/b&gt;</th>' in by_role


@pytest.mark.skipif(
    not isinstance(Course._meta.db, SQLiteEngine), reason="the plan checked is SQLite's (a few rows here)"
)
async def test_the_course_filter_reads_published_courses_in_order_from_an_index():
    # Without it, each view of the page sorted every published course by its lower-cased title.
    query = f"SELECT id FROM course WHERE status = 'published' ORDER BY {COURSE_ORDER} LIMIT 26"  # noqa: S608 (our constant)
    plan = " | ".join(row["detail"] for row in await Course.raw(f"EXPLAIN QUERY PLAN {query}"))

    assert "USING INDEX course_published_listing" in plan
    assert "TEMP B-TREE" not in plan


async def test_compliance_page_says_so_when_there_is_nothing_to_show(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    page = await client.get("/compliance")
    assert page.status_code == 200
    assert "No courses are published yet" in page.text


async def test_unknown_course_or_bad_filters_get_a_clear_answer(client, signed_in_as, world):
    await signed_in_as(Role.ADMIN)
    assert (await client.get("/compliance?course=99999")).status_code == 404
    assert (await client.get("/compliance?course=abc")).status_code == 400
    assert (await client.get(f"/compliance?course={world.course_id}&team=abc")).status_code == 400
    assert (await client.get(f"/compliance/people?course={world.course_id}&status=lost")).status_code == 400


async def _many_courses(count: int) -> dict[str, int]:
    """`count` published courses, COURSE-01 … ; the even ones not mandatory."""
    ids = {}
    for number in range(1, count + 1):
        code = f"COURSE-{number:02d}"
        ids[code] = await publish_course(code)
        if number % 2 == 0:
            await Course.update({Course.mandatory: False}).where(Course.id == ids[code])
    return ids


async def test_a_few_courses_are_chosen_from_a_select(client, signed_in_as):
    courses = await _many_courses(3)
    await signed_in_as(Role.TRAINER)
    page = await client.get("/compliance")
    assert '<select class="govuk-select" id="course" name="course">' in page.text
    # Mandatory first, then by title; the first is shown when none is asked for.
    text = html.unescape(page.text)  # the page writes its dashes as references (layout.html)
    order = [text.index(f">{code} {DASH} ") for code in ("COURSE-01", "COURSE-03", "COURSE-02")]
    assert order == sorted(order)
    assert f'<option value="{courses["COURSE-01"]}" selected>' in page.text
    assert "Choose another course" not in page.text


async def test_many_courses_are_found_by_a_search_that_keeps_the_filters(client, signed_in_as, world):
    courses = await _many_courses(compliance.COURSES_IN_SELECT + 5)
    await signed_in_as(Role.LEADER)
    council = world.organisations["council"]
    page = await client.get(f"/compliance?course={world.course_id}&organisation={council}")
    assert page.status_code == 200
    assert 'id="course"' not in page.text  # no select of 30 courses
    assert f'<input type="hidden" name="course" value="{world.course_id}">' in page.text
    chooser = re.search(r'href="(/compliance/courses\?[^"]+)">Choose another course', page.text)
    assert chooser is not None

    listing = await client.get(html.unescape(chooser.group(1)))
    assert listing.status_code == 200
    assert f"{len(courses) + 1} published courses, page 1 of 2" in listing.text
    # With none asked for, the page shows the first course in the search's order.
    first = re.search(r'href="/compliance\?course=(\d+)', listing.text)
    assert first is not None
    default = await client.get("/compliance")
    assert f'<input type="hidden" name="course" value="{first.group(1)}">' in default.text
    # Mandatory courses first (COMPLY-1 and the odd COURSE-nn), then the others.
    assert listing.text.index(f"COURSE-29 {DASH}") < listing.text.index(f"COURSE-02 {DASH}")
    link = f'href="/compliance?course={courses["COURSE-07"]}&amp;organisation={council}'
    assert link in listing.text

    found = await client.get("/compliance/courses", params={"course": world.course_id, "search": "course-1"})
    titles = re.findall(rf">(COURSE-\d+) {DASH} ", found.text)
    assert titles == [f"COURSE-{n}" for n in (11, 13, 15, 17, 19, 10, 12, 14, 16, 18)]
    assert f"10 courses match {OPEN}course-1{CLOSE}" in found.text
    # Words are matched anywhere in the code or title, each one, taken literally.
    two_words = await client.get("/compliance/courses", params={"search": "Course 07"})
    assert re.findall(rf">(COURSE-\d+) {DASH} ", two_words.text) == ["COURSE-07"]
    nothing = await client.get("/compliance/courses", params={"search": "100%"})
    assert f"No published course has {OPEN}100%{CLOSE} in its code or title" in nothing.text
    past_the_end = await client.get("/compliance/courses", params={"page": 9})
    assert past_the_end.status_code == 200
    assert "Go to the first page" in past_the_end.text


async def test_the_course_search_needs_a_published_course_and_a_reader(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    assert (await client.get("/compliance/courses")).status_code == 404
    await publish_course()
    await signed_in_as(Role.PROFESSIONAL)
    assert (await client.get("/compliance/courses")).status_code == 403


async def test_professional_cannot_see_compliance(client, signed_in_as, world):
    await signed_in_as(Role.PROFESSIONAL)
    assert (await client.get("/compliance")).status_code == 403
    assert (await client.get("/compliance/export.csv")).status_code == 403


async def test_export_is_the_current_view_and_safe_to_open_in_excel(client, signed_in_as, world):
    # A team whose name would run as a formula in Excel.
    await people.create_team(
        name="=cmd|' /C calc'!A0", organisation_id=world.organisations["health"], actor=CLI_ACTOR
    )
    (evil,) = [t for t in await people.list_teams() if t["name"].startswith("=")]
    await people.update_staff(
        staff_id=world.people[-1].staff_id,
        details=StaffDetails(
            email="person23@testshire.example",
            full_name="Person 23",
            organisation_id=world.organisations["health"],
            team_id=evil["id"],
        ),
        actor=CLI_ACTOR,
    )
    await signed_in_as(Role.TRAINER)
    table = await compliance.compliance_table(
        course_id=world.course_id, scope=Scope(), grouping=Grouping.TEAM
    )

    response = await client.get(f"/compliance/export.csv?course={world.course_id}&group=team")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # so Excel reads names as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Organisation", "Team", "Assigned"]
    assert any(r[1] == "'=cmd|' /C calc'!A0" for r in rows)
    assert rows[-1][0] == "Total" and int(rows[-1][2]) == table.total.assigned

    response = await client.get(f"/compliance/export.xlsx?course={world.course_id}&group=team")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Compliance"]
    values = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(values) if row[0] == "Organisation")
    assert values[header][:3] == ("Organisation", "Team", "Assigned")
    body = values[header + 1 :]
    assert any(r[1] == "'=cmd|' /C calc'!A0" for r in body)
    # Figures are numbers, not text, so they add up in Excel.
    total = body[-1]
    assert total[0] == "Total" and total[2] == table.total.assigned and isinstance(total[2], int)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "no cell may be a formula"
    assert "Trend" in book.sheetnames


# --- scale --------------------------------------------------------------------------------------

COMPLIANCE_PAGES = [
    "/compliance",
    "/compliance?course={course}&group=all",
    "/compliance?course={course}&group=team&organisation={organisation}",
    "/compliance/people?course={course}",
    "/compliance/people?course={course}&status=overdue&page=2",
    "/compliance/export.csv?course={course}&group=job_role",
    "/compliance/export.xlsx?course={course}",
]


async def _add_people(organisation_id: int, course_id: int, start: int, count: int) -> None:
    """Bulk people in new teams (the volume only matters for counting statements), assigned the course,
    a third of them completed and some overdue."""
    teams = [
        await people.create_team(name=f"Team {start + n}", organisation_id=organisation_id, actor=CLI_ACTOR)
        for n in range(3)
    ]
    rows = [
        Staff(
            email=f"p{n}@scale.example",
            full_name=f"Person {n:05d}",
            organisation=organisation_id,
            team=teams[n % 3],
        )
        for n in range(start, start + count)
    ]
    for first in range(0, len(rows), 500):
        await Staff.insert(*rows[first : first + 500])
    ids = [
        r["id"]
        for r in await Staff.select(Staff.id).where(Staff.email.like("p%@scale.example")).order_by(Staff.id)
    ][start:]
    await assignments.assign_people(
        course_id=course_id,
        staff_ids=ids[: count // 2],
        due=DueRule(DueKind.FIXED, on=TODAY - timedelta(days=5)),
        actor=CLI_ACTOR,
        today=TODAY - timedelta(days=60),
    )
    await assignments.assign_people(
        course_id=course_id,
        staff_ids=ids[count // 2 :],
        due=DueRule(DueKind.FIXED, on=TODAY + timedelta(days=30)),
        actor=CLI_ACTOR,
    )
    for staff_id in ids[::3][:15]:
        await _complete(staff_id, course_id, TODAY - timedelta(days=40))


async def test_compliance_pages_issue_the_same_number_of_statements_at_10_and_1000_staff(
    client, signed_in_as
):
    organisation_id = await people.create_organisation(
        name="Scale County SEND", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    course_id = await publish_course("SCALE-1")
    await _add_people(organisation_id, course_id, 0, 10)
    await signed_in_as(Role.LEADER)
    ids = {"course": course_id, "organisation": organisation_id}

    async def statements() -> dict[str, int]:
        engine = get_engine()
        counts = {}
        for page in COMPLIANCE_PAGES:
            before = engine.query_id
            response = await client.get(page.format(**ids))
            assert response.status_code == 200, (page, response.status_code)
            counts[page] = engine.query_id - before
        return counts

    small = await statements()
    await _add_people(organisation_id, course_id, 10, 990)
    table = await compliance.compliance_table(course_id=course_id, scope=Scope(), grouping=Grouping.TEAM)
    assert table.total.assigned == 1000 and len(table.rows) == 6
    assert await statements() == small
