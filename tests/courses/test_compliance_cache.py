"""Stored compliance figures are never out of date: every kind of write changes them at once, a stored
answer costs one statement, and stored figures equal freshly computed ones."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.audit import CLI_ACTOR, Actor
from app.database import get_engine
from app.demo import load_demo
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.tables import JobRole, Organisation, Team
from courses import assignments, catalogue, compliance, compliance_cache, learning
from courses.assignments import DueRule
from courses.catalogue import ModuleContent, VersionContent
from courses.compliance import Audience, ComplianceTable, Grouping, Scope, TrendPoint
from courses.enums import CompletionSource, DueKind, ModuleKind, TrainingStatus
from courses.public import CompletionCounts, completion_counts, compliance_breakdown
from courses.tables import Assignment, ComplianceFigures, Course, CourseVersion
from tests.courses.conftest import publish_course

TODAY = date.today()
READING = [
    ModuleContent(kind=ModuleKind.READING, title="Duties", body="Read this."),
    ModuleContent(kind=ModuleKind.READING, title="Timescales", body="And this."),
]


@dataclass
class Setting:
    course_id: int
    organisation_id: int
    other_organisation_id: int
    teams: list[int]
    job_role_id: int
    assigned: list[int]  # due in 30 days, nothing done
    unassigned: int


@pytest.fixture
async def setting() -> Setting:
    """Four people assigned a two-module course, not started; one more not assigned."""
    organisation_id = await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    other = await people.create_organisation(
        name="Testshire NHS Trust", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
    )
    teams = [
        await people.create_team(name=name, organisation_id=organisation_id, actor=CLI_ACTOR)
        for name in ("Annual Reviews", "Assessments")
    ]
    job_role_id = await people.create_job_role(name="SEND caseworker", description="", actor=CLI_ACTOR)
    course_id = await publish_course("CACHE-1", modules=READING)
    staff = [
        await people.create_staff(
            details=StaffDetails(
                email=f"person{n}@testshire.example",
                full_name=f"Person {n}",
                organisation_id=organisation_id,
                team_id=teams[0],
                job_role_id=job_role_id,
            ),
            actor=CLI_ACTOR,
        )
        for n in range(5)
    ]
    await assignments.assign_people(
        course_id=course_id,
        staff_ids=staff[:4],
        due=DueRule(DueKind.FIXED, on=TODAY + timedelta(days=30)),
        actor=CLI_ACTOR,
        today=TODAY - timedelta(days=10),
    )
    return Setting(course_id, organisation_id, other, teams, job_role_id, staff[:4], staff[4])


async def stored(setting: Setting) -> tuple[ComplianceTable, list[TrendPoint]]:
    figures = await compliance_cache.page_figures(
        course_id=setting.course_id, scope=Scope(), grouping=Grouping.ALL
    )
    assert figures is not None
    return figures.table, figures.trend


async def computed(setting: Setting) -> tuple[ComplianceTable, list[TrendPoint]]:
    table = await compliance.compliance_table(
        course_id=setting.course_id, scope=Scope(), grouping=Grouping.ALL
    )
    assert table is not None
    return table, await compliance.trend(course_id=setting.course_id, scope=Scope())


async def statements(read: Callable[[], Awaitable[object]]) -> int:
    engine = get_engine()
    before = engine.query_id
    await read()
    return engine.query_id - before


# --- each kind of write -----------------------------------------------------------------------------


async def _assign_another(s: Setting) -> None:
    await assignments.assign_people(
        course_id=s.course_id,
        staff_ids=[s.unassigned],
        due=DueRule(DueKind.FIXED, on=TODAY + timedelta(days=30)),
        actor=CLI_ACTOR,
    )


async def _end_assignment(s: Setting) -> None:
    (row,) = await Assignment.select(Assignment.id).where(Assignment.staff == s.assigned[0])
    await assignments.end_assignment(assignment_id=row["id"], reason="Changed role", actor=CLI_ACTOR)


async def _learn(s: Setting, modules: int) -> None:
    plan = await learning.course_plan(staff_id=s.assigned[0], course_id=s.course_id)
    assert plan is not None
    for module in plan.modules[:modules]:
        await learning.mark_module_done(
            plan=plan, module_id=module["id"], actor=Actor(s.assigned[0], "learner")
        )


async def _complete_online(s: Setting) -> None:
    await _learn(s, 2)


async def _start_online(s: Setting) -> None:
    await _learn(s, 1)


async def _complete_offline_backdated(s: Setting) -> None:
    await learning.record_completion(
        staff_id=s.assigned[0],
        course_id=s.course_id,
        completed_on=TODAY - timedelta(days=5),
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        evidence="Signed register",
        backdate_reason="Recorded late",
    )


async def _publish_version_to_redo(s: Setting) -> None:
    await catalogue.replace_draft_content(
        course_id=s.course_id,
        content=VersionContent(estimated_minutes=20, pass_mark=None, modules=READING[:1]),
        actor=CLI_ACTOR,
    )
    await catalogue.publish(
        course_id=s.course_id, requires_recompletion=True, reason="New regulations", actor=CLI_ACTOR
    )


async def _move_team(s: Setting) -> None:
    await people.update_staff(
        staff_id=s.assigned[0],
        details=StaffDetails(
            email="person0@testshire.example",
            full_name="Person 0",
            organisation_id=s.organisation_id,
            team_id=s.teams[1],
            job_role_id=s.job_role_id,
        ),
        actor=CLI_ACTOR,
    )


async def _move_organisation(s: Setting) -> None:
    await people.update_staff(
        staff_id=s.assigned[0],
        details=StaffDetails(
            email="person0@testshire.example", full_name="Person 0", organisation_id=s.other_organisation_id
        ),
        actor=CLI_ACTOR,
    )


async def _leave(s: Setting) -> None:
    await people.mark_left(staff_id=s.assigned[0], left_on=TODAY - timedelta(days=1), actor=CLI_ACTOR)


async def _rename_organisation(s: Setting) -> None:
    await people.update_organisation(
        organisation_id=s.organisation_id,
        name="Testshire Inclusion Service",
        kind=OrganisationKind.LA_SEND,
        active=True,
        actor=CLI_ACTOR,
    )


async def _rename_team_in_sql(s: Setting) -> None:
    await Team.update({Team.name: "Reviews North"}).where(Team.id == s.teams[0])


async def _rename_job_role_in_sql(s: Setting) -> None:
    await JobRole.update({JobRole.name: "SEND officer"}).where(JobRole.id == s.job_role_id)


async def _due_date_moved_in_raw_sql(s: Setting) -> None:
    # As an import or a database administrator might: no service, no ORM.
    await Assignment.raw(
        "UPDATE assignment SET due_on = {} WHERE staff = {}", TODAY - timedelta(days=1), s.assigned[0]
    )


def _counts(table: ComplianceTable) -> dict[TrainingStatus, int]:
    return table.total.counts


def _names(table: ComplianceTable) -> set[tuple[str | None, str | None, str | None]]:
    return {(r.organisation, r.team, r.job_role) for r in table.rows}


NOT_STARTED, COMPLETED = TrainingStatus.NOT_STARTED, TrainingStatus.COMPLETED
# (the write, what must show in the figures after it, given those before)
WRITES: list[
    tuple[Callable[[Setting], Awaitable[None]], Callable[[ComplianceTable, ComplianceTable], bool]]
] = [
    (_assign_another, lambda old, new: new.total.assigned == old.total.assigned + 1),
    (_end_assignment, lambda old, new: new.total.assigned == old.total.assigned - 1),
    (_complete_online, lambda old, new: _counts(new)[COMPLETED] == _counts(old)[COMPLETED] + 1),
    (_start_online, lambda old, new: _counts(new)[TrainingStatus.IN_PROGRESS] == 1),
    (_complete_offline_backdated, lambda old, new: _counts(new)[COMPLETED] == _counts(old)[COMPLETED] + 1),
    (
        _publish_version_to_redo,
        lambda old, new: _counts(old)[COMPLETED] == 1 and _counts(new)[COMPLETED] == 0,
    ),
    (
        _move_team,
        lambda old, new: ("Testshire SEND Service", "Assessments", "SEND caseworker") in _names(new),
    ),
    (_move_organisation, lambda old, new: any(r.organisation == "Testshire NHS Trust" for r in new.rows)),
    (_leave, lambda old, new: new.total.assigned == old.total.assigned - 1),
    (
        _rename_organisation,
        lambda old, new: {r.organisation for r in new.rows} == {"Testshire Inclusion Service"},
    ),
    (_rename_team_in_sql, lambda old, new: {r.team for r in new.rows} == {"Reviews North"}),
    (_rename_job_role_in_sql, lambda old, new: {r.job_role for r in new.rows} == {"SEND officer"}),
    (_due_date_moved_in_raw_sql, lambda old, new: _counts(new)[TrainingStatus.OVERDUE] == 1),
]


@pytest.mark.parametrize(("write", "shows"), WRITES, ids=[w.__name__.strip("_") for w, _ in WRITES])
async def test_every_kind_of_write_shows_in_the_figures_at_once(setting, write, shows):
    if write is _publish_version_to_redo:
        await _complete_offline_backdated(setting)
    before, _ = await stored(setting)
    # Now stored: asking again is one statement, with no status query.
    assert await statements(lambda: stored(setting)) == 1

    await write(setting)

    after = await stored(setting)
    assert after == await computed(setting)
    assert shows(before, after[0]), (before, after[0])


async def test_a_completion_shows_in_the_trend_and_the_counts_for_action_plans(setting):
    _, trend = await stored(setting)
    assert trend[-1].completions == 0
    assert await completion_counts(course_id=setting.course_id) == CompletionCounts(4, 0, 0)
    assert await statements(lambda: completion_counts(course_id=setting.course_id)) == 1

    await _complete_online(setting)

    _, trend = await stored(setting)
    assert trend[-1].completions == 1 and trend[-1].compliant == 1
    assert await completion_counts(course_id=setting.course_id) == CompletionCounts(4, 1, 0)
    figures = await compliance_cache.status_counts(course_id=setting.course_id, scope=Scope(), as_of=TODAY)
    assert figures == await compliance.status_counts(course_id=setting.course_id, scope=Scope(), as_of=TODAY)


async def test_audience_counts_for_action_plans_are_stored_together_until_a_write(setting):
    audiences = [
        Audience(setting.course_id),
        Audience(setting.course_id, (setting.organisation_id,)),
        Audience(setting.course_id, (setting.other_organisation_id,)),
        Audience(setting.course_id, (), (setting.job_role_id,)),
    ]

    async def counts() -> dict[Audience, compliance.Figures]:
        return await compliance_cache.audience_counts(audiences=audiences, as_of=TODAY)

    # Worked out for every audience at once and stored: the read, one computation, the store.
    first = await counts()
    assert first == await compliance.audience_counts(audiences=audiences, as_of=TODAY)
    assert await ComplianceFigures.count() == len(audiences)
    # Stored: one statement for all of them.
    assert await statements(counts) == 1
    assert await compliance_cache.audience_counts(audiences=[], as_of=TODAY) == {}

    await _complete_online(setting)

    after = await counts()
    assert after == await compliance.audience_counts(audiences=audiences, as_of=TODAY)
    assert after[audiences[0]].compliant == first[audiences[0]].compliant + 1


async def test_figures_for_another_day_are_worked_out_for_that_day(setting):
    today = await compliance_cache.compliance_table(
        course_id=setting.course_id, scope=Scope(), grouping=Grouping.ALL
    )
    assert today is not None and today.total.counts[TrainingStatus.OVERDUE] == 0
    later = TODAY + timedelta(days=31)  # the day after everyone's due date
    overdue = await compliance_cache.compliance_table(
        course_id=setting.course_id, scope=Scope(), grouping=Grouping.ALL, as_of=later
    )
    assert overdue is not None and overdue.total.counts[TrainingStatus.OVERDUE] == 4
    assert overdue.as_of == later


async def test_a_deleted_course_has_no_figures(setting):
    assert await compliance_cache.compliance_table(
        course_id=setting.course_id, scope=Scope(), grouping=Grouping.ALL
    )
    await Course.delete().where(Course.id == setting.course_id)
    assert (
        await compliance_cache.page_figures(course_id=setting.course_id, scope=Scope(), grouping=Grouping.ALL)
        is None
    )
    assert await compliance_breakdown(course_id=setting.course_id, as_of=TODAY) is None


async def test_people_asking_at_once_get_the_same_figures_and_one_answer_is_kept(setting):
    await _complete_offline_backdated(setting)
    results = await asyncio.gather(*(stored(setting) for _ in range(6)))
    assert all(r == results[0] for r in results)
    assert results[0] == await computed(setting)
    assert await ComplianceFigures.count() == 2  # the table and the trend


async def test_an_answer_computed_before_a_write_never_replaces_a_newer_one(setting):
    await stored(setting)
    question = compliance_cache.Question("table", setting.course_id, Scope(), TODAY, Grouping.ALL)
    (row,) = await ComplianceFigures.select().where(ComplianceFigures.key == question.key)
    stale = compliance_cache._Found(
        row["course_counter"] - 1, row["people_counter"], json.dumps({"course": {}, "rows": []})
    )
    await compliance_cache._store([(question, stale)])
    (kept,) = await ComplianceFigures.select().where(ComplianceFigures.key == question.key)
    assert kept["course_counter"] == row["course_counter"] and kept["payload"] == row["payload"]
    assert (await stored(setting)) == await computed(setting)


async def test_a_write_clears_out_the_answers_it_made_useless(setting):
    await stored(setting)
    other = await publish_course("CACHE-2")
    await compliance_cache.trend(course_id=other, scope=Scope())
    assert await ComplianceFigures.count() == 3
    await _assign_another(setting)
    # The course's table and trend went; the other course's trend stays.
    assert [r["course"] for r in await ComplianceFigures.select(ComplianceFigures.course)] == [other]
    await _move_team(setting)  # people's places: every course's figures go
    assert await ComplianceFigures.count() == 0


async def test_the_figures_digest_names_the_figures(setting):
    async def figures(grouping: Grouping = Grouping.ALL) -> compliance_cache.PageFigures:
        found = await compliance_cache.page_figures(
            course_id=setting.course_id, scope=Scope(), grouping=grouping
        )
        assert found is not None
        return found

    worked_out = await figures()  # worked out now, then read from the store: the same figures
    assert (await figures()).digest == worked_out.digest
    assert (await figures(Grouping.TEAM)).digest != worked_out.digest

    await _complete_online(setting)

    changed = await figures()
    assert changed.digest != worked_out.digest
    assert (await figures()).digest == changed.digest
    assert (changed.table, changed.trend) == await computed(setting)


async def test_the_compliance_page_changes_when_someone_completes_or_a_filter_choice_is_added(
    client, signed_in_as, setting
):
    await signed_in_as(Role.TRAINER)
    url = f"/compliance?course={setting.course_id}"

    # The first view works the figures out and keeps the page's filters and figures rendered, the next
    # read the figures from the store and copy those: the same page each time.
    async def view() -> str:
        page = await client.get(url)
        return re.sub(r'nonce="[^"]+"', "", page.text)  # each response has a nonce of its own

    views = [await view() for _ in range(3)]
    assert "0 of 4 people assigned are compliant" in views[0]
    assert views[0] == views[1] == views[2]
    await _complete_online(setting)
    page = await view()
    assert "1 of 4 people assigned is compliant" in page
    assert await view() == page
    # A new job role changes no figures, but the filter offers it at once.
    role = await people.create_job_role(name="Portage worker", description="", actor=CLI_ACTOR)
    assert f'<option value="{role}">Portage worker</option>' in await view()
    # The course list offers every published course.
    other = await publish_course("CACHE-2")
    page = await client.get(f"/compliance?course={setting.course_id}")
    assert f'value="{other}"' in page.text


async def test_a_version_change_without_recompletion_keeps_completions(setting):
    await _complete_offline_backdated(setting)
    before, _ = await stored(setting)
    await catalogue.replace_draft_content(
        course_id=setting.course_id,
        content=VersionContent(estimated_minutes=20, pass_mark=None, modules=READING[:1]),
        actor=CLI_ACTOR,
    )
    await catalogue.publish(
        course_id=setting.course_id, requires_recompletion=False, reason="Typo", actor=CLI_ACTOR
    )
    assert await CourseVersion.count().where(CourseVersion.course == setting.course_id) == 2
    after = await stored(setting)
    assert after == await computed(setting) and after[0].total.compliant == before.total.compliant == 1


# --- the demo data --------------------------------------------------------------------------------


async def test_stored_figures_equal_computed_ones_for_every_grouping_and_filter_on_the_demo_data():
    await load_demo()
    courses = [c["id"] for c in await Course.select(Course.id)]
    organisations = [o["id"] for o in await Organisation.select(Organisation.id)]
    teams = [t["id"] for t in await Team.select(Team.id)]
    job_roles = [j["id"] for j in await JobRole.select(JobRole.id)]
    scopes = [
        Scope(),
        *(Scope(organisation_ids=[o]) for o in organisations),
        # Three of the demo's 39 teams: each is the same filter, and each scope costs a second or so.
        *(Scope(team_ids=[t]) for t in [*teams[:3], compliance.NOT_RECORDED]),
        *(Scope(job_role_ids=[j]) for j in [*job_roles, compliance.NOT_RECORDED]),
        Scope(organisation_ids=organisations[:2], job_role_ids=job_roles[:3]),
    ]
    assigned = 0
    for course_id in courses:
        for scope in scopes:
            for grouping in Grouping:
                truth = await compliance.compliance_table(course_id=course_id, scope=scope, grouping=grouping)
                assert truth is not None
                for _ in range(2):  # computed and stored, then read back
                    table = await compliance_cache.compliance_table(
                        course_id=course_id, scope=scope, grouping=grouping
                    )
                    assert table == truth, (course_id, scope, grouping)
                assigned += truth.total.assigned
            truth_trend = await compliance.trend(course_id=course_id, scope=scope)
            for _ in range(2):
                assert await compliance_cache.trend(course_id=course_id, scope=scope) == truth_trend
    assert assigned > 0


async def test_the_compliance_page_reads_stored_figures_in_two_statements_after_signing_in(
    client, signed_in_as, setting
):
    await signed_in_as(Role.TRAINER)
    url = f"/compliance?course={setting.course_id}&group=team"
    first = await statements(lambda: client.get(url))
    again = await statements(lambda: client.get(url))
    # The same page without its figures (an unknown grouping is refused after the filter lists are read):
    # signing the request in, plus the filter lists.
    refused = await statements(lambda: client.get(f"/compliance?course={setting.course_id}&group=lost"))
    assert again == refused + 1 < first


async def test_the_team_filter_lists_the_chosen_organisations_teams(client, signed_in_as, setting):
    # A large council has thousands of teams: one list of them all would be unusable and slow to send.
    await signed_in_as(Role.TRAINER)
    await people.create_team(name="Therapies", organisation_id=setting.other_organisation_id, actor=CLI_ACTOR)
    dash = "&ndash;"  # the team list writes the organisation, a dash, then the team (as a reference)
    reviews, assessments = (
        f"Testshire SEND Service {dash} Annual Reviews",
        f"Testshire SEND Service {dash} Assessments",
    )
    everyone = await client.get(f"/compliance?course={setting.course_id}")
    assert reviews not in everyone.text
    assert "Choose an organisation and show the figures to list its teams" in everyone.text
    council = await client.get(
        f"/compliance?course={setting.course_id}&organisation={setting.organisation_id}"
    )
    assert reviews in council.text and assessments in council.text
    assert "Therapies" not in council.text
    # A team chosen from a link is listed even without its organisation.
    team = await client.get(f"/compliance?course={setting.course_id}&team={setting.teams[1]}")
    assert f'<option value="{setting.teams[1]}" selected>{assessments}</option>' in team.text
