# The independent counts are SQL joined from this file's own constant fragments; values are arguments.
# ruff: noqa: S608
"""The board report's figures, built from known data made through the services, each checked against an
independent count: plain SQL or a table count in the test, or the live plan page's own figures.

Dates are relative to the last complete quarter, so the report is for a past period and every figure
is worked out as of its last day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from action_plans import kpis, plans, training, updates
from action_plans.enums import PlanOrigin, PlanStatus, Rag, WorkStatus
from action_plans.kpis import KpiDetails, Reading
from action_plans.plans import ActionDetails, AreaDetails, MilestoneDetails, PlanDetails
from action_plans.tables import Action, KpiDataPoint, Milestone, Plan, ProgressUpdate
from action_plans.views import PlanFilters, plan_page
from app.audit import CLI_ACTOR, Actor
from app.enums import Cadence, OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.reports import data as report_data
from app.reports.data import build_report, current_period_end, last_complete_quarter, report_period
from app.reports.model import RAGS, ReportData, decode, encode
from app.tables import Board, Staff
from courses import assignments, learning
from courses.assignments import DueRule
from courses.enums import CompletionSource, DueKind
from tests.conftest import make_person
from tests.courses.conftest import publish_course
from tests.courses.test_authoring import counting_statements

END = last_complete_quarter(date.today())
START = END.replace(day=1) - relativedelta(months=2)
NEXT_START = END + timedelta(days=1)
NEXT_END = (NEXT_START + relativedelta(months=3)) - timedelta(days=1)
DAY = timedelta(days=1)
NOW = datetime.now(UTC)


# --- periods --------------------------------------------------------------------------------------


def test_last_complete_quarter_is_the_quarter_that_ended_before_today():
    assert last_complete_quarter(date(2026, 11, 28)) == date(2026, 9, 30)
    assert last_complete_quarter(date(2026, 10, 1)) == date(2026, 9, 30)
    assert last_complete_quarter(date(2026, 9, 30)) == date(2026, 6, 30)
    assert last_complete_quarter(date(2026, 1, 15)) == date(2025, 12, 31)


def test_report_periods_follow_the_board_cadence():
    quarter = report_period(cadence=Cadence.QUARTERLY, period_end=date(2026, 9, 30))
    assert (quarter.start, quarter.end, quarter.label) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
        "July to September 2026",
    )
    month = report_period(cadence=Cadence.MONTHLY, period_end=date(2026, 11, 30))
    assert (month.start, month.label) == (date(2026, 11, 1), "November 2026")
    two = report_period(cadence=Cadence.BIMONTHLY, period_end=date(2027, 1, 31))
    assert (two.start, two.label) == (date(2026, 12, 1), "December 2026 to January 2027")
    odd = report_period(cadence=Cadence.MONTHLY, period_end=date(2026, 11, 15))
    assert (odd.start, odd.label) == (date(2026, 10, 16), "16 October 2026 to 15 November 2026")


def test_the_current_period_is_the_one_today_falls_in():
    assert current_period_end(cadence=Cadence.QUARTERLY, today=date(2026, 11, 28)) == date(2026, 12, 31)
    assert current_period_end(cadence=Cadence.QUARTERLY, today=date(2026, 1, 1)) == date(2026, 3, 31)
    assert current_period_end(cadence=Cadence.MONTHLY, today=date(2026, 2, 3)) == date(2026, 2, 28)
    assert current_period_end(cadence=Cadence.BIMONTHLY, today=date(2026, 11, 28)) == date(2026, 12, 31)
    assert current_period_end(cadence=Cadence.BIMONTHLY, today=date(2026, 9, 1)) == date(2026, 10, 31)


# --- known data -----------------------------------------------------------------------------------


@dataclass
class Known:
    board_id: int
    plan_a: int
    plan_b: int
    owner: Actor
    actions: dict[str, int] = field(default_factory=dict)
    milestones: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    council: int = 0
    health: int = 0
    kpi_id: int = 0
    course_id: int = 0


async def _plan(owner: Actor, reference: str, board_id: int | None, origin: PlanOrigin) -> int:
    plan_id = await plans.create_plan(
        details=PlanDetails(
            title=f"Plan {reference}", reference=reference, origin=origin, owner_id=owner.staff_id
        ),
        actor=owner,
    )
    await Plan.update({Plan.board: board_id}).where(Plan.id == plan_id)
    return plan_id


async def _area(owner: Actor, plan_id: int, number: int, title: str) -> int:
    return await plans.create_area(
        plan_id=plan_id, details=AreaDetails(number=number, title=title, intended_outcome=""), actor=owner
    )


async def _action(
    owner: Actor,
    plan_id: int,
    area_id: int,
    reference: str,
    *,
    lead: int,
    forecast: date,
    start: date,
    partners: list[int] | None = None,
) -> int:
    return await plans.create_action(
        plan_id=plan_id,
        details=ActionDetails(
            description=f"Action {reference}",
            priority_area_id=area_id,
            reference=reference,
            lead_id=lead,
            start_date=start,
            status=WorkStatus.IN_PROGRESS,
            partner_ids=partners or [],
        ),
        forecast_date=forecast,
        actor=owner,
    )


async def _milestone(owner: Actor, action_id: int, title: str, forecast: date) -> int:
    return await plans.create_milestone(
        action_id=action_id, details=MilestoneDetails(title=title), forecast_date=forecast, actor=owner
    )


async def _dates(
    owner: Actor, item: str, item_id: int, *, forecast: date, actual: date | None = None, reason: str
) -> None:
    await plans.change_dates(
        item=item,
        item_id=item_id,
        forecast_date=forecast,
        actual_date=actual,
        reason=reason,
        as_owner=True,
        actor=owner,
    )


async def _update(action_id: int, lead: Actor, narrative: str, **exception: str) -> int:
    update_id = await updates.record_update(
        action_id=action_id,
        period_end=END,
        narrative=narrative,
        percent_complete="10",
        status=WorkStatus.IN_PROGRESS,
        links=[],
        file=None,
        file_title="",
        actor=lead,
        today=END,
    )
    if exception:
        # The exception report's fields (impact, recovery action, decision requested) have no form yet.
        await ProgressUpdate.update(exception).where(ProgressUpdate.id == update_id)
    return update_id


async def _workforce(known: Known) -> None:
    """Five people of two organisations assigned EHCP-101 due at the period's start; two completed
    within the period, one after it (not counted at its end)."""
    reviews = await people.create_team(name="Annual Reviews", organisation_id=known.council, actor=CLI_ACTOR)
    caseworker = await people.create_job_role(name="SEND caseworker", description="", actor=CLI_ACTOR)
    therapist = await people.create_job_role(name="Speech therapist", description="", actor=CLI_ACTOR)
    staff = {}
    for name, organisation, team, role in [
        ("ann", known.council, reviews, caseworker),
        ("bob", known.council, reviews, caseworker),
        ("cat", known.council, None, None),
        ("dan", known.health, None, therapist),
        ("eve", known.health, None, caseworker),
    ]:
        staff[name] = await people.create_staff(
            details=StaffDetails(
                email=f"{name}@testshire.example",
                full_name=name.title(),
                organisation_id=organisation,
                team_id=team,
                job_role_id=role,
            ),
            actor=CLI_ACTOR,
        )
    known.course_id = await publish_course("EHCP-101")
    await assignments.assign_people(
        course_id=known.course_id,
        staff_ids=list(staff.values()),
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
        actor=CLI_ACTOR,
        today=START - 30 * DAY,
    )
    for name, on in [("ann", START + 10 * DAY), ("dan", END - DAY), ("bob", END + DAY)]:
        await learning.record_completion(
            staff_id=staff[name],
            course_id=known.course_id,
            completed_on=on,
            source=CompletionSource.OFFLINE,
            actor=CLI_ACTOR,
            evidence="Signed register",
            backdate_reason="Recorded from the register",
        )


async def build_known() -> Known:
    owner = Actor(await make_person("owner@testshire.example", Role.LEADER, name="Olive Owner"), "owner")
    lead = Actor(await make_person("lead@testshire.example", Role.PROFESSIONAL, name="Lee Lead"), "lead")
    nurse = await make_person("nurse@testshire.example", Role.PROFESSIONAL, name="Nia Nurse")
    council = (await Staff.select(Staff.organisation).where(Staff.id == lead.staff_id).first())[
        "organisation"
    ]
    health = await people.create_organisation(
        name="Testshire NHS Trust", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
    )
    await Staff.update({Staff.organisation: health}).where(Staff.id == nurse)
    board_id = (
        await Board.insert(
            Board(
                name="SEND Improvement Board",
                cadence=Cadence.QUARTERLY,
                training_target=4,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    )[0]["id"]
    other_board = (await Board.insert(Board(name="Scrutiny", created_at=NOW, updated_at=NOW)))[0]["id"]
    plan_a = await _plan(owner, "WSOA-2026", board_id, PlanOrigin.WRITTEN_STATEMENT_OF_ACTION)
    plan_b = await _plan(owner, "APP-2026", board_id, PlanOrigin.ACCELERATED_PROGRESS_PLAN)
    plan_c = await _plan(owner, "OTHER-1", other_board, PlanOrigin.INTERNAL)
    plan_d = await _plan(owner, "OLD-1", board_id, PlanOrigin.INTERNAL)
    known = Known(
        board_id=board_id, plan_a=plan_a, plan_b=plan_b, owner=owner, council=council, health=health
    )
    a1 = known.areas["A1"] = await _area(owner, plan_a, 1, "Timeliness")
    a2 = known.areas["A2"] = await _area(owner, plan_a, 2, "Quality")
    b1 = known.areas["B1"] = await _area(owner, plan_b, 1, "Joint working")
    c1 = await _area(owner, plan_c, 1, "Elsewhere")
    d1 = await _area(owner, plan_d, 1, "Closed")
    acts = known.actions
    acts["1.1"] = await _action(
        owner, plan_a, a1, "1.1", lead=lead.staff_id, forecast=END + 300 * DAY, start=END - 10 * DAY
    )
    acts["1.2"] = await _action(
        owner, plan_a, a1, "1.2", lead=lead.staff_id, forecast=END - 10 * DAY, start=START - 60 * DAY
    )
    acts["1.3"] = await _action(
        owner, plan_a, a1, "1.3", lead=lead.staff_id, forecast=END - 20 * DAY, start=START - 60 * DAY
    )
    acts["2.1"] = await _action(
        owner, plan_a, a2, "2.1", lead=lead.staff_id, forecast=END + 30 * DAY, start=END - 5 * DAY
    )
    acts["2.2"] = await _action(
        owner, plan_a, a2, "2.2", lead=lead.staff_id, forecast=END + 30 * DAY, start=END - 5 * DAY
    )
    acts["B1.1"] = await _action(
        owner, plan_b, b1, "1.1", lead=nurse, forecast=END + 100 * DAY, start=END - 5 * DAY
    )
    acts["B1.2"] = await _action(
        owner,
        plan_b,
        b1,
        "1.2",
        lead=lead.staff_id,
        forecast=END + 50 * DAY,
        start=END - 5 * DAY,
        partners=[health],
    )
    elsewhere = await _action(
        owner, plan_c, c1, "1.1", lead=lead.staff_id, forecast=END - 30 * DAY, start=START
    )
    closed = await _action(owner, plan_d, d1, "1.1", lead=lead.staff_id, forecast=END - 30 * DAY, start=START)
    ms = known.milestones
    on_1_1 = acts["1.1"]
    ms["met"] = await _milestone(owner, on_1_1, "Met early", START + 10 * DAY)
    ms["late"] = await _milestone(owner, on_1_1, "Done late", END - 5 * DAY)
    ms["open"] = await _milestone(owner, on_1_1, "Not done", START + 20 * DAY)
    ms["moved"] = await _milestone(owner, on_1_1, "Moved out", START + 30 * DAY)
    ms["next"] = await _milestone(owner, on_1_1, "Due next", END + 20 * DAY)
    ms["early"] = await _milestone(owner, on_1_1, "Due next, done", END + 25 * DAY)
    ms["cancelled"] = await _milestone(owner, on_1_1, "Cancelled", START + 40 * DAY)
    ms["later"] = await _milestone(owner, on_1_1, "Much later", END + 200 * DAY)
    ms["before"] = await _milestone(owner, on_1_1, "Before", START - 10 * DAY)
    ms["on_the_day"] = await _milestone(owner, acts["B1.1"], "On the day", START + 50 * DAY)
    for m in (elsewhere, closed):
        await _milestone(owner, m, "Elsewhere", START + 5 * DAY)
    for plan_id in (plan_a, plan_b, plan_c, plan_d):
        await plans.approve_plan(plan_id=plan_id, actor=owner)
    await plans.update_plan(
        plan_id=plan_d,
        details=PlanDetails(
            title="Plan OLD-1", reference="OLD-1", origin=PlanOrigin.INTERNAL, owner_id=owner.staff_id
        ),
        close=True,
        actor=owner,
    )

    await _dates(owner, "action", acts["1.3"], forecast=END - 20 * DAY, actual=END - 25 * DAY, reason="Done")
    await _dates(owner, "action", acts["2.1"], forecast=END + 40 * DAY, reason="Staff shortage")
    await _dates(owner, "action", acts["2.2"], forecast=END + 40 * DAY, reason="First delay")
    await _dates(owner, "action", acts["2.2"], forecast=END + 60 * DAY, reason="Supplier delay")
    await _dates(
        owner, "milestone", ms["met"], forecast=START + 10 * DAY, actual=START + 5 * DAY, reason="Done"
    )
    await _dates(
        owner, "milestone", ms["late"], forecast=END - 5 * DAY, actual=END - 2 * DAY, reason="Done late"
    )
    await _dates(owner, "milestone", ms["moved"], forecast=END + 10 * DAY, reason="Waiting for data")
    await _dates(
        owner, "milestone", ms["early"], forecast=END + 25 * DAY, actual=END - DAY, reason="Done early"
    )
    await _dates(
        owner, "milestone", ms["before"], forecast=START - 10 * DAY, actual=START - 12 * DAY, reason="Done"
    )
    await _dates(
        owner,
        "milestone",
        ms["on_the_day"],
        forecast=START + 50 * DAY,
        actual=START + 50 * DAY,
        reason="Done",
    )
    await plans.update_milestone(
        milestone_id=ms["cancelled"],
        details=MilestoneDetails(title="Cancelled", status=WorkStatus.CANCELLED),
        actor=owner,
    )

    await _update(acts["1.2"], lead, "First report")
    await _update(
        acts["1.2"],
        lead,
        "Backlog still growing",
        impact="Families wait longer",
        recovery_action="Agency caseworkers from January",
        decision_requested="Approve agency spend",
    )
    await _update(acts["2.2"], lead, "Supplier could not deliver")

    known.kpi_id = await kpis.create_kpi(
        plan_id=plan_a,
        details=KpiDetails(
            name="EHCPs issued within 20 weeks",
            unit="percent",
            direction="higher",
            target_value=60.0,
            statutory_threshold=50.0,
        ),
        actor=owner,
    )
    for on, value in [(START - DAY, 40.0), (END, 55.0), (END + 31 * DAY, 70.0)]:
        await kpis.record_data_point(
            kpi_id=known.kpi_id,
            reading=Reading(period_end=on, value=value),
            actor=owner,
            today=END + 31 * DAY,
        )
    await _workforce(known)
    return known


# --- independent counts ---------------------------------------------------------------------------

LIVE = "p.board = {} AND p.status <> 'closed'"


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await Plan.raw(query, *args)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def milestones_due(board_id: int, start: date, end: date) -> list[dict[str, Any]]:
    rows = await sql(
        f"""SELECT m.id, m.actual_date, COALESCE(m.forecast_date, m.baseline_date) AS due
        FROM milestone m JOIN plan p ON p.id = m.plan
        WHERE {LIVE} AND m.status <> 'cancelled'
        AND COALESCE(m.forecast_date, m.baseline_date) >= {{}}
        AND COALESCE(m.forecast_date, m.baseline_date) <= {{}}""",
        board_id,
        start,
        end,
    )
    return [{**r, "actual_date": as_date(r["actual_date"]), "due": as_date(r["due"])} for r in rows]


async def slipped(board_id: int, table: str) -> dict[int, int]:
    rows = await sql(
        f"""SELECT t.id, t.baseline_date, t.forecast_date FROM {table} t JOIN plan p ON p.id = t.plan
        WHERE {LIVE} AND t.status <> 'cancelled' AND t.forecast_date > t.baseline_date""",
        board_id,
    )
    return {r["id"]: (as_date(r["forecast_date"]) - as_date(r["baseline_date"])).days for r in rows}


async def compliance_at(course_id: int, on: date) -> list[dict[str, Any]]:
    """Each assigned person's organisation, team, job role, and whether completed or overdue on `on`."""
    rows = await sql(
        """SELECT o.name AS organisation, t.name AS team, j.name AS job_role, a.due_on,
            (SELECT COUNT(*) FROM completion c WHERE c.staff = a.staff AND c.course = a.course
             AND c.completed_on <= {}) AS completions
        FROM assignment a JOIN staff s ON s.id = a.staff JOIN organisation o ON o.id = s.organisation
        LEFT JOIN team t ON t.id = s.team LEFT JOIN job_role j ON j.id = s.job_role
        WHERE a.course = {} AND a.assigned_on <= {}""",
        on,
        course_id,
        on,
    )
    return [
        {
            "organisation": r["organisation"],
            "team": r["team"] or "Not recorded",
            "job_role": r["job_role"] or "Not recorded",
            "completed": r["completions"] > 0,
            "overdue": r["completions"] == 0 and as_date(r["due_on"]) < on,
        }
        for r in rows
    ]


def headline(report: ReportData, key: str) -> str:
    return next(h.value for h in report.headlines if h.key == key)


@pytest.fixture
async def known() -> Known:
    return await build_known()


async def report(known: Known, **kwargs: Any) -> ReportData:
    return await build_report(board_id=known.board_id, period_end=END, generated_by="Test", now=NOW, **kwargs)


# --- every figure against an independent count ------------------------------------------------------


async def test_the_report_covers_the_boards_open_plans_and_the_period(known):
    data = await report(known)

    assert data.board_name == "SEND Improvement Board"
    assert data.protective_marking == "OFFICIAL"
    assert (data.period.start, data.period.end) == (START, END)
    assert (data.next_period.start, data.next_period.end) == (NEXT_START, NEXT_END)
    assert [p.reference for p in data.plans] == ["APP-2026", "WSOA-2026"]
    live = await Plan.count().where((Plan.board == known.board_id) & (Plan.status != PlanStatus.CLOSED))
    assert len(data.plans) == live
    assert decode(encode(data)) == data


async def test_rag_counts_equal_the_plan_pages_on_the_periods_last_day(known):
    data = await report(known)

    for summary in data.plans:
        page = await plan_page(plan_id=summary.plan_id, filters=PlanFilters(), today=END)
        assert page is not None
        assert summary.rag_counts == {r.value: n for r, n in page.rag_counts.items()}
        for area_view in page.areas:
            line = next(
                a
                for a in data.area_rags
                if (a.plan_reference, a.area_number) == (summary.reference, area_view.row["number"])
            )
            counts = dict.fromkeys(RAGS, 0)
            for action in area_view.actions:
                counts[action.status.rag.value] += 1
            assert line.rag_counts == counts
            assert line.previous_rag_counts is None
    # Known by design: 1.2 overdue and 2.2 slipped past tolerance are red, 1.3 complete, 2.1 amber.
    wsoa = next(p for p in data.plans if p.reference == "WSOA-2026")
    assert wsoa.rag_counts == {"blue": 1, "green": 1, "amber": 1, "red": 2, "grey": 0}
    assert [
        (a.area_number, a.rag_counts["red"]) for a in data.area_rags if a.plan_reference == "WSOA-2026"
    ] == [
        (1, 1),
        (2, 1),
    ]


async def test_headlines_equal_independent_counts(known):
    data = await report(known)
    total = await Action.count().where(
        (Action.plan.board == known.board_id) & (Action.plan.status != PlanStatus.CLOSED)
    )
    rags = [r for p in data.plans for r, n in p.rag_counts.items() for _ in range(n)]
    good = rags.count("blue") + rags.count("green")
    due = await milestones_due(known.board_id, START, END)
    met = [m for m in due if m["actual_date"] is not None and m["actual_date"] <= min(m["due"], END)]
    slips = [
        *(await slipped(known.board_id, "action")).values(),
        *(await slipped(known.board_id, "milestone")).values(),
    ]
    trained = sum(1 for p in await compliance_at(known.course_id, END) if p["completed"])

    assert headline(data, "actions_total") == str(total) == "7"
    assert headline(data, "actions_on_track") == f"{good} of {total}" == "4 of 7"
    assert headline(data, "actions_red") == str(rags.count("red")) == "2"
    assert headline(data, "milestones_met") == f"{len(met)} of {len(due)}" == "2 of 4"
    assert headline(data, "milestones_missed") == str(len(due) - len(met)) == "2"
    assert headline(data, "slippage") == str(len(slips)) == "3"
    assert headline(data, "kpis_meeting") == "0 of 1"
    assert headline(data, "staff_trained") == f"{trained} of 4" == "2 of 4"
    assert data.training_target == 4


async def test_milestones_due_met_missed_and_next(known):
    data = await report(known)
    ms = known.milestones
    due = await milestones_due(known.board_id, START, END)
    upcoming = [
        m for m in await milestones_due(known.board_id, NEXT_START, NEXT_END) if m["actual_date"] is None
    ]

    assert sorted(m.milestone_id for m in data.milestones_due) == sorted(m["id"] for m in due)
    assert sorted(m["id"] for m in due) == sorted([ms["met"], ms["late"], ms["open"], ms["on_the_day"]])
    assert sorted(data.milestones_met) == sorted([ms["met"], ms["on_the_day"]])
    assert sorted(m.milestone_id for m in data.milestones_next) == sorted(m["id"] for m in upcoming)
    assert sorted(m["id"] for m in upcoming) == sorted([ms["moved"], ms["next"]])
    rows = {m["id"]: m for m in await Milestone.select().where(Milestone.id.is_in([m["id"] for m in due]))}
    for line in data.milestones_due:
        row = rows[line.milestone_id]
        assert (line.baseline_date, line.forecast_date, line.actual_date) == (
            row["baseline_date"],
            row["forecast_date"],
            row["actual_date"],
        )
    by_id = {line.milestone_id: line for line in data.milestones_due}
    assert by_id[ms["open"]].rag == Rag.RED
    assert by_id[ms["met"]].rag == Rag.BLUE
    assert by_id[ms["on_the_day"]].lead == "Nia Nurse"
    assert by_id[ms["met"]].lead == "Lee Lead"


async def test_slippage_lines_equal_the_slipped_rows_with_the_latest_reason(known):
    data = await report(known)
    actions = await slipped(known.board_id, "action")
    milestones = await slipped(known.board_id, "milestone")

    lines = {(s.kind, s.reference): s for s in data.slippage}
    assert {s.days for s in data.slippage if s.kind == "action"} == set(actions.values())
    assert len([s for s in data.slippage if s.kind == "action"]) == len(actions)
    assert len([s for s in data.slippage if s.kind == "milestone"]) == len(milestones)
    assert (lines[("action", "2.1")].days, lines[("action", "2.1")].reason) == (10, "Staff shortage")
    assert (lines[("action", "2.2")].days, lines[("action", "2.2")].reason) == (30, "Supplier delay")
    moved = lines[("milestone", "1.1 / Moved out")]
    assert (moved.days, moved.reason) == (milestones[known.milestones["moved"]], "Waiting for data")
    assert moved.baseline_date == START + 30 * DAY and moved.forecast_date == END + 10 * DAY


async def test_exceptions_are_the_red_and_newly_slipped_actions_with_the_latest_update(known):
    data = await report(known)

    by_reference = {(e.plan_reference, e.reference): e for e in data.exceptions}
    red = {(p, r) for (p, r), e in by_reference.items() if e.rag == Rag.RED}
    assert red == {("WSOA-2026", "1.2"), ("WSOA-2026", "2.2")}
    assert set(by_reference) == {("WSOA-2026", "1.2"), ("WSOA-2026", "2.1"), ("WSOA-2026", "2.2")}
    overdue = by_reference[("WSOA-2026", "1.2")]
    assert (overdue.cause, overdue.impact, overdue.recovery_action, overdue.decision_requested) == (
        "Backlog still growing",
        "Families wait longer",
        "Agency caseworkers from January",
        "Approve agency spend",
    )
    assert not overdue.newly_slipped
    supplier = by_reference[("WSOA-2026", "2.2")]
    assert (supplier.cause, supplier.newly_slipped, supplier.slippage_days) == ("Supplier delay", True, 30)
    amber = by_reference[("WSOA-2026", "2.1")]
    assert (amber.rag, amber.cause, amber.impact) == ("amber", "Staff shortage", "")

    # With a previous report that already showed 2.1 slipped by 10 days and 2.2 by fewer, only 2.2 is new.
    again = await report(known, previous=data)
    newly = {e.reference for e in again.exceptions if e.newly_slipped}
    assert newly == set()
    earlier = data.slippage
    less = [s if s.reference != "2.2" else type(s)(**{**_fields(s), "days": 5}) for s in earlier]
    previous = type(data)(**{**_fields(data), "slippage": less})
    third = await report(known, previous=previous)
    assert {e.reference for e in third.exceptions if e.newly_slipped} == {"2.2"}


def _fields(struct: Any) -> dict[str, Any]:
    return {name: getattr(struct, name) for name in struct.__struct_fields__}


async def test_work_completed_after_the_period_was_not_complete_at_its_end(known):
    await _dates(
        known.owner, "action", known.actions["1.2"], forecast=END - 10 * DAY, actual=END + DAY, reason="Done"
    )
    ms = known.milestones["open"]
    await _dates(known.owner, "milestone", ms, forecast=START + 20 * DAY, actual=END + DAY, reason="Done")
    data = await report(known)

    line = next(m for m in data.milestones_due if m.milestone_id == ms)
    assert (line.rag, line.actual_date) == ("red", END + DAY)
    assert ms not in data.milestones_met
    assert "1.2" in {e.reference for e in data.exceptions if e.rag == Rag.RED}
    assert headline(data, "actions_red") == "2"


async def test_kpis_show_the_values_known_by_the_periods_end(known):
    data = await report(known)
    points = (
        await KpiDataPoint.select(KpiDataPoint.period_end, KpiDataPoint.value)
        .where((KpiDataPoint.kpi == known.kpi_id) & (KpiDataPoint.period_end <= END))
        .order_by(KpiDataPoint.period_end)
    )

    (series,) = data.kpis
    assert series.plan_reference == "WSOA-2026"
    assert [(p.period_end, p.value) for p in series.points] == [(p["period_end"], p["value"]) for p in points]
    assert (series.latest, series.previous) == (points[-1]["value"], points[-2]["value"]) == (55.0, 40.0)
    assert (series.target, series.statutory_threshold, series.status) == (60.0, 50.0, "Below target")


async def test_training_compliance_equals_a_count_of_assignments_and_completions(known):
    data = await report(known)
    people_at_end = await compliance_at(known.course_id, END)

    assert data.training_course == "Course EHCP-101"
    expected_rows: dict[tuple[str, str], list[int]] = {}
    expected_teams: dict[tuple[str, str], list[int]] = {}
    for p in people_at_end:
        row = expected_rows.setdefault((p["organisation"], p["job_role"]), [0, 0, 0])
        row[0] += 1
        row[1] += p["completed"]
        row[2] += p["overdue"]
        team = expected_teams.setdefault((p["organisation"], p["team"]), [0, 0])
        team[0] += 1
        team[1] += p["overdue"]
    assert {(r.organisation, r.job_role): [r.assigned, r.compliant, r.overdue] for r in data.compliance} == (
        expected_rows
    )
    assert {(t.organisation, t.team): [t.assigned, t.overdue] for t in data.overdue_by_team} == {
        k: v for k, v in expected_teams.items() if v[1]
    }
    assert len(data.compliance_trend) == 12
    assert data.compliance_trend[-1].on == END
    for point in data.compliance_trend:
        at = await compliance_at(known.course_id, point.on)
        assert (point.assigned, point.compliant) == (len(at), sum(p["completed"] for p in at)), point.on


async def test_a_training_linked_action_chooses_the_course(known):
    other = await publish_course("PFA-1")
    await training.link_training(
        action_id=known.actions["B1.2"],
        course_id=other,
        organisation_ids=[],
        job_role_ids=[],
        target_count=3,
        actor=CLI_ACTOR,
    )
    data = await report(known)
    assert data.training_course == "Course PFA-1"
    assert data.compliance == [] and data.overdue_by_team == []
    assert [p.assigned for p in data.compliance_trend] == [0] * 12


async def test_no_training_figures_without_a_linked_or_ehcp_course():
    owner = Actor(await make_person("owner@testshire.example", Role.LEADER), "owner")
    board_id = (await Board.insert(Board(name="Empty board", created_at=NOW, updated_at=NOW)))[0]["id"]
    await _plan(owner, "P-1", board_id, PlanOrigin.INTERNAL)
    data = await build_report(board_id=board_id, period_end=END, generated_by="Test", now=NOW)
    assert (data.training_course, data.compliance, data.compliance_trend) == ("", [], [])
    assert "staff_trained" not in {h.key for h in data.headlines}
    assert headline(data, "actions_total") == "0"


async def test_no_such_board():
    with pytest.raises(report_data.ReportError):
        await build_report(board_id=999, period_end=END, generated_by="Test")


async def test_filters_narrow_to_plans_areas_and_organisations(known):
    only_b = await report(known, plan_ids=[known.plan_b])
    assert [p.reference for p in only_b.plans] == ["APP-2026"]
    assert headline(only_b, "actions_total") == "2"
    assert only_b.kpis == []

    area = await report(known, area_ids=[known.areas["A2"]])
    assert [(a.plan_reference, a.area_number) for a in area.area_rags] == [("WSOA-2026", 2)]
    assert headline(area, "actions_total") == "2"

    # Health leads B1.1 and partners on B1.2; its people are dan and eve.
    health = await report(known, organisation_ids=[known.health])
    assert headline(health, "actions_total") == "2"
    assert {e.reference for e in health.exceptions} == set()
    assert {r.organisation for r in health.compliance} == {"Testshire NHS Trust"}
    assert sum(r.assigned for r in health.compliance) == 2


async def test_the_live_period_is_assessed_today(known):
    """A period that has not ended yet is worked out on today's date."""
    end = END + relativedelta(months=3)
    end = end.replace(day=1) + relativedelta(months=1) - DAY
    data = await build_report(board_id=known.board_id, period_end=end, generated_by="Test", now=NOW)
    page = await plan_page(plan_id=known.plan_a, filters=PlanFilters(), today=NOW.date())
    assert page is not None
    wsoa = next(p for p in data.plans if p.plan_id == known.plan_a)
    assert wsoa.rag_counts == {r.value: n for r, n in page.rag_counts.items()}


async def test_changes_since_the_previous_report_are_listed(known):
    first = await report(known)
    await _dates(
        known.owner, "milestone", known.milestones["open"], forecast=START + 25 * DAY, reason="Re-planned"
    )
    second = await report(known, previous=first)

    assert second.previous_generated_at == first.generated_at
    items = {(c.section, c.item): c for c in second.changes}
    forecast = items[("Milestone", "WSOA-2026 1.1: Not done — forecast")]
    assert (forecast.before, forecast.after) == (
        f"{START + 20 * DAY:%-d %B %Y}",
        f"{START + 25 * DAY:%-d %B %Y}",
    )
    assert ("Slippage", "WSOA-2026 milestone 1.1 / Not done") in items
    assert items[("Headline", "Actions and milestones slipped past their baseline")].after == "4"
    for area in second.area_rags:
        assert area.previous_rag_counts == next(
            a.rag_counts
            for a in first.area_rags
            if (a.plan_reference, a.area_number) == (area.plan_reference, area.area_number)
        )


# --- a constant number of statements ------------------------------------------------------------------


async def _more(known: Known, n: int) -> None:
    """n more actions, each with two milestones (one slipped), a revision and an update, in a new area;
    n more people assigned the course."""
    area = await _area(known.owner, known.plan_a, 9, "More")
    lead = known.owner
    for i in range(n):
        action_id = await _action(
            known.owner,
            known.plan_a,
            area,
            f"9.{i}",
            lead=lead.staff_id,
            forecast=END + 30 * DAY,
            start=START,
        )
        await _dates(known.owner, "action", action_id, forecast=END + (31 + i) * DAY, reason=f"Reason {i}")
        for j in range(2):
            m = await _milestone(known.owner, action_id, f"M{j}", START + (j + i) * DAY)
            await _dates(known.owner, "milestone", m, forecast=START + (j + i + 3) * DAY, reason="Later")
        await _update(action_id, lead, f"Update {i}", impact="Some")
    staff_ids = [
        await people.create_staff(
            details=StaffDetails(
                email=f"more{i}@testshire.example", full_name=f"More {i}", organisation_id=known.council
            ),
            actor=CLI_ACTOR,
        )
        for i in range(n)
    ]
    await assignments.assign_people(
        course_id=known.course_id,
        staff_ids=staff_ids,
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=10),
        actor=CLI_ACTOR,
        today=START,
    )


async def test_the_report_takes_the_same_number_of_statements_whatever_the_size(known):
    with counting_statements() as small:
        first = await report(known)
    await _more(known, 12)
    with counting_statements() as large:
        second = await report(known, previous=first)
    assert int(headline(second, "actions_total")) == int(headline(first, "actions_total")) + 12
    assert len(small) == len(large) <= 20, (len(small), len(large))
