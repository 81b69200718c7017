"""The RAG rule (DESIGN.md section 4) at every boundary, with the default and custom thresholds,
and the same rule applied to real action rows by action_plans.status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from action_plans.enums import EvidenceKind, PlanOrigin, PlanStatus, Rag, WorkStatus
from action_plans.rag import Thresholds, assess, expected_percent, legend, slippage_days
from action_plans.status import ACTION_COLUMNS, action_statuses
from action_plans.tables import Action, Evidence, Plan, PriorityArea

TODAY = date(2026, 11, 18)
DAY = timedelta(days=1)
STRICT = Thresholds(slip_tolerance_days=0, progress_tolerance_points=0)
LENIENT = Thresholds(slip_tolerance_days=30, progress_tolerance_points=25)
DEFAULT = Thresholds()


def rag_of(**kwargs) -> Rag:
    """The RAG of an action started 50 days ago, due in 50 days, on track unless told otherwise."""
    values = {
        "today": TODAY,
        "start": TODAY - 50 * DAY,
        "baseline": TODAY + 50 * DAY,
        "forecast": TODAY + 50 * DAY,
        "actual": None,
        "percent_complete": 50,
        "recorded": True,
    }
    values.update(kwargs)
    return assess(**values).rag


def slipped(days: int, thresholds: Thresholds = DEFAULT) -> Rag:
    """RAG of an action ahead of its straight line whose forecast lies `days` after its baseline."""
    baseline = TODAY + 30 * DAY
    return rag_of(
        baseline=baseline, forecast=baseline + days * DAY, percent_complete=90, thresholds=thresholds
    )


# --- blue: complete --------------------------------------------------------------------------


def test_an_actual_date_is_blue_whatever_else_is_late():
    assessment = assess(
        today=TODAY,
        start=TODAY - 100 * DAY,
        baseline=TODAY - 60 * DAY,
        forecast=TODAY - 10 * DAY,
        actual=TODAY - 5 * DAY,
        percent_complete=20,
    )
    assert assessment.rag is Rag.BLUE
    assert assessment.reason == "Completed on 13 November 2026"


def test_complete_without_the_evidence_the_plan_requires_is_not_blue():
    assessment = assess(
        today=TODAY,
        start=TODAY - 100 * DAY,
        baseline=TODAY + DAY,
        forecast=TODAY + DAY,
        actual=TODAY,
        evidence_missing=True,
    )
    assert assessment.rag is not Rag.BLUE
    assert assessment.rag is Rag.AMBER
    assert "evidence" in assessment.reason


def test_complete_with_its_evidence_is_blue():
    assert rag_of(actual=TODAY, evidence_missing=False) is Rag.BLUE


# --- grey: not started -------------------------------------------------------------------------


def test_start_in_the_future_with_nothing_recorded_is_grey():
    assessment = assess(
        today=TODAY,
        start=TODAY + DAY,
        baseline=TODAY + 60 * DAY,
        forecast=TODAY + 60 * DAY,
        actual=None,
        percent_complete=0,
        recorded=False,
    )
    assert assessment.rag is Rag.GREY
    assert assessment.reason == "Starts on 19 November 2026"


def test_start_today_is_not_grey():
    assert rag_of(start=TODAY, percent_complete=0, recorded=False) is Rag.GREEN


def test_start_in_the_future_with_an_update_recorded_is_not_grey():
    assert rag_of(start=TODAY + DAY, percent_complete=0, recorded=True) is Rag.GREEN


def test_start_in_the_future_with_progress_is_not_grey():
    assert rag_of(start=TODAY + DAY, percent_complete=5, recorded=False) is Rag.GREEN


def test_a_milestone_not_started_before_its_actions_start_is_grey():
    """Milestones pass no percent at all."""
    assert rag_of(start=TODAY + 7 * DAY, percent_complete=None, recorded=False) is Rag.GREY


def test_no_target_date_at_all_is_grey():
    assessment = assess(today=TODAY, start=None, baseline=None, forecast=None, actual=None)
    assert assessment.rag is Rag.GREY
    assert assessment.reason == "No target date set yet"


def test_overdue_with_nothing_recorded_is_red_not_grey():
    # Started yesterday, due yesterday, nothing done: overdue, not "not started".
    assert rag_of(start=TODAY - DAY, baseline=TODAY - DAY, forecast=TODAY - DAY, recorded=False) is Rag.RED


# --- red: overdue ------------------------------------------------------------------------------


def test_due_yesterday_is_red():
    assessment = assess(
        today=TODAY,
        start=TODAY - 50 * DAY,
        baseline=TODAY - DAY,
        forecast=TODAY - DAY,
        actual=None,
        percent_complete=95,
        recorded=True,
    )
    assert assessment.rag is Rag.RED
    assert assessment.reason == "Overdue by 1 day"


def test_due_today_is_not_red():
    assert rag_of(baseline=TODAY, forecast=TODAY, percent_complete=100) is Rag.GREEN


def test_overdue_against_the_baseline_when_there_is_no_forecast():
    assert rag_of(baseline=TODAY - DAY, forecast=None) is Rag.RED
    assert rag_of(baseline=TODAY, forecast=None, percent_complete=100) is Rag.GREEN


def test_overdue_against_the_forecast_even_when_the_baseline_was_met_early():
    assert rag_of(baseline=TODAY + 5 * DAY, forecast=TODAY - 3 * DAY) is Rag.RED


# --- slippage: amber within tolerance, red beyond it ---------------------------------------------


def test_slip_exactly_at_the_default_tolerance_is_amber():
    assert slipped(14) is Rag.AMBER


def test_slip_one_day_beyond_the_default_tolerance_is_red():
    assessment = assess(
        today=TODAY,
        start=TODAY - 10 * DAY,
        baseline=TODAY + 30 * DAY,
        forecast=TODAY + 45 * DAY,
        actual=None,
        percent_complete=50,
        recorded=True,
    )
    assert assessment.rag is Rag.RED
    assert assessment.reason == "Forecast 15 days after baseline (tolerance 14 days)"


def test_slip_of_one_day_is_amber():
    assert slipped(1) is Rag.AMBER


def test_no_slip_is_not_amber():
    assert slipped(0) is Rag.GREEN


def test_forecast_earlier_than_baseline_is_green():
    assert slippage_days(TODAY, TODAY - 3 * DAY) == -3
    assert slipped(-3) is Rag.GREEN


def test_slip_boundaries_with_a_custom_tolerance():
    assert slipped(30, LENIENT) is Rag.AMBER
    assert slipped(31, LENIENT) is Rag.RED
    assert slipped(15, LENIENT) is Rag.AMBER  # red under the default tolerance


def test_with_no_tolerance_any_slip_is_red():
    assert slipped(1, STRICT) is Rag.RED
    assert slipped(0, STRICT) is Rag.GREEN
    assert slipped(-1, STRICT) is Rag.GREEN


def test_no_slippage_without_a_baseline():
    assert slippage_days(None, TODAY) is None
    assert slippage_days(TODAY, None) is None
    # A draft plan has forecasts but no baseline yet: nothing can have slipped.
    assert rag_of(baseline=None, forecast=TODAY + 50 * DAY) is Rag.GREEN


def test_amber_slip_reason_names_the_tolerance():
    assessment = assess(
        today=TODAY,
        start=TODAY - 10 * DAY,
        baseline=TODAY + 30 * DAY,
        forecast=TODAY + 31 * DAY,
        actual=None,
        percent_complete=50,
        recorded=True,
    )
    assert assessment.reason == "Forecast 1 day after baseline (within tolerance of 14 days)"


# --- progress against the straight line ----------------------------------------------------------


def test_progress_exactly_at_the_tolerance_line_is_green():
    # Halfway through: 50% expected; 10 points behind is still on track.
    assert rag_of(percent_complete=40) is Rag.GREEN


def test_progress_one_point_below_the_tolerance_line_is_amber():
    assessment = assess(
        today=TODAY,
        start=TODAY - 50 * DAY,
        baseline=TODAY + 50 * DAY,
        forecast=TODAY + 50 * DAY,
        actual=None,
        percent_complete=39,
        recorded=True,
    )
    assert assessment.rag is Rag.AMBER
    assert assessment.reason == "39% complete; 50% expected by now"


def test_progress_boundaries_with_custom_tolerances():
    assert rag_of(percent_complete=25, thresholds=LENIENT) is Rag.GREEN
    assert rag_of(percent_complete=24, thresholds=LENIENT) is Rag.AMBER
    assert rag_of(percent_complete=50, thresholds=STRICT) is Rag.GREEN
    assert rag_of(percent_complete=49, thresholds=STRICT) is Rag.AMBER


def test_progress_ahead_of_the_line_is_green():
    assert rag_of(percent_complete=90) is Rag.GREEN


def test_progress_is_measured_against_the_forecast_not_the_baseline():
    # Forecast moved earlier: 50 of 60 days gone, so 83% expected.
    assert rag_of(forecast=TODAY + 10 * DAY, percent_complete=73) is Rag.GREEN
    assert rag_of(forecast=TODAY + 10 * DAY, percent_complete=72) is Rag.AMBER


def test_no_progress_rule_without_a_start_date():
    assert rag_of(start=None, percent_complete=0) is Rag.GREEN


def test_milestones_without_a_percent_skip_the_progress_rule():
    assert rag_of(percent_complete=None) is Rag.GREEN


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 1), 0),  # the start day
        (date(2025, 12, 1), 0),  # before the start: clamped at 0
        (date(2026, 1, 11), 10),
        (date(2026, 4, 11), 100),  # the due day
        (date(2026, 6, 1), 100),  # after the due day: clamped at 100
    ],
)
def test_expected_percent_follows_the_straight_line_and_clamps(today, expected):
    # 100 days from 1 January to 11 April 2026.
    assert expected_percent(start=date(2026, 1, 1), due=date(2026, 4, 11), today=today) == expected


def test_expected_percent_rounds_to_whole_percent():
    assert expected_percent(start=date(2026, 1, 1), due=date(2026, 1, 4), today=date(2026, 1, 2)) == 33
    assert expected_percent(start=date(2026, 1, 1), due=date(2026, 1, 4), today=date(2026, 1, 3)) == 67


def test_expected_percent_needs_a_start_before_the_due_date():
    assert expected_percent(start=None, due=TODAY, today=TODAY) is None
    assert expected_percent(start=TODAY, due=None, today=TODAY) is None
    assert expected_percent(start=TODAY, due=TODAY, today=TODAY) is None
    assert expected_percent(start=TODAY, due=TODAY - DAY, today=TODAY) is None


# --- override ----------------------------------------------------------------------------------


@pytest.mark.parametrize("override", list(Rag))
def test_an_override_wins_over_every_computed_status(override):
    for computed in (
        {"actual": TODAY},  # blue
        {"baseline": TODAY - DAY, "forecast": TODAY - DAY},  # red
        {"percent_complete": 0},  # amber
        {},  # green
        {"start": TODAY + DAY, "percent_complete": 0, "recorded": False},  # grey
    ):
        values = {
            "today": TODAY,
            "start": TODAY - 50 * DAY,
            "baseline": TODAY + 50 * DAY,
            "forecast": TODAY + 50 * DAY,
            "actual": None,
            "percent_complete": 50,
            "recorded": True,
            "override": override,
            "override_reason": "Partner funding withdrawn",
        } | computed
        assessment = assess(**values)
        assert assessment.rag is override
        assert assessment.overridden
        assert assessment.reason == "Set by hand: Partner funding withdrawn"


def test_a_computed_status_is_not_marked_as_overridden():
    assert not assess(today=TODAY, start=None, baseline=TODAY, forecast=TODAY, actual=None).overridden


# --- legend ------------------------------------------------------------------------------------


def test_legend_names_every_status_and_the_plans_thresholds():
    entries = legend(Thresholds(slip_tolerance_days=1, progress_tolerance_points=5))
    assert [rag for rag, _ in entries] == [Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREY]
    meanings = dict(entries)
    assert "up to 1 day after baseline" in meanings[Rag.AMBER]
    assert "more than 5 points" in meanings[Rag.AMBER]
    assert "more than 1 day after baseline" in meanings[Rag.RED]
    assert "14 days" in dict(legend())[Rag.RED]


# --- the rule on real rows (action_plans.status) --------------------------------------------------


async def make_plan(*, require_evidence: bool = False, slip: int = 14, points: int = 10) -> dict:
    now = datetime.now(UTC)
    plan_id = (
        await Plan.insert(
            Plan(
                reference=f"RAG-{require_evidence}-{slip}-{points}",
                title="RAG rule plan",
                origin=PlanOrigin.INTERNAL,
                status=PlanStatus.APPROVED,
                require_evidence=require_evidence,
                slip_tolerance_days=slip,
                progress_tolerance_points=points,
                created_at=now,
                updated_at=now,
            )
        )
    )[0]["id"]
    area_id = (await PriorityArea.insert(PriorityArea(plan=plan_id, number=1, title="Reviews")))[0]["id"]
    return {"id": plan_id, "area": area_id}


async def make_action(plan: dict, reference: str, **columns) -> int:
    values = {
        "start_date": TODAY - 50 * DAY,
        "baseline_date": TODAY + 50 * DAY,
        "forecast_date": TODAY + 50 * DAY,
        "status": WorkStatus.IN_PROGRESS,
        "percent_complete": 50,
    } | columns
    row = await Action.insert(
        Action(
            plan=plan["id"], priority_area=plan["area"], reference=reference, description=reference, **values
        )
    )
    return int(row[0]["id"])


async def statuses_of(*plan_ids: int) -> dict:
    actions = await Action.select(*(getattr(Action, c) for c in ACTION_COLUMNS))
    plans = {
        row["id"]: row
        for row in await Plan.select(
            Plan.id, Plan.require_evidence, Plan.slip_tolerance_days, Plan.progress_tolerance_points
        ).where(Plan.id.is_in(list(plan_ids)))
    }
    return await action_statuses(actions=actions, plans=plans, today=TODAY)


async def test_complete_action_needs_evidence_where_its_plan_requires_it():
    strict = await make_plan(require_evidence=True)
    relaxed = await make_plan(require_evidence=False)
    without = await make_action(strict, "1.1", actual_date=TODAY - DAY, status=WorkStatus.COMPLETE)
    with_evidence = await make_action(strict, "1.2", actual_date=TODAY - DAY, status=WorkStatus.COMPLETE)
    not_required = await make_action(relaxed, "1.1", actual_date=TODAY - DAY, status=WorkStatus.COMPLETE)
    await Evidence.insert(
        Evidence(
            plan=strict["id"],
            action=with_evidence,
            kind=EvidenceKind.LINK,
            title="Minutes",
            url="https://example.org/minutes",
        )
    )

    statuses = await statuses_of(strict["id"], relaxed["id"])

    assert statuses[without].rag is Rag.AMBER
    assert statuses[without].evidence_count == 0
    assert statuses[with_evidence].rag is Rag.BLUE
    assert statuses[with_evidence].evidence_count == 1
    assert statuses[not_required].rag is Rag.BLUE


async def test_status_reads_each_plans_own_thresholds():
    default = await make_plan()
    lenient = await make_plan(slip=30, points=25)
    late_default = await make_action(default, "1.1", forecast_date=TODAY + 65 * DAY)
    late_lenient = await make_action(lenient, "1.1", forecast_date=TODAY + 65 * DAY)
    behind_default = await make_action(default, "1.2", percent_complete=30)
    behind_lenient = await make_action(lenient, "1.2", percent_complete=30)

    statuses = await statuses_of(default["id"], lenient["id"])

    assert statuses[late_default].rag is Rag.RED
    assert statuses[late_default].slippage_days == 15
    assert statuses[late_lenient].rag is Rag.AMBER
    assert statuses[behind_default].rag is Rag.AMBER
    assert statuses[behind_lenient].rag is Rag.GREEN


async def test_stored_override_wins_with_its_reason():
    plan = await make_plan()
    overridden = await make_action(
        plan,
        "1.1",
        rag_override=Rag.RED,
        rag_override_reason="Key post vacant since October",
    )
    statuses = await statuses_of(plan["id"])
    assessment = statuses[overridden].assessment
    assert assessment.rag is Rag.RED
    assert assessment.overridden
    assert assessment.reason == "Set by hand: Key post vacant since October"


async def test_not_started_until_something_is_recorded():
    plan = await make_plan()
    future = {"start_date": TODAY + 10 * DAY, "percent_complete": 0}
    untouched = await make_action(plan, "1.1", status=WorkStatus.NOT_STARTED, **future)
    started = await make_action(plan, "1.2", status=WorkStatus.IN_PROGRESS, **future)
    reported = await make_action(
        plan, "1.3", status=WorkStatus.NOT_STARTED, last_update_at=datetime.now(UTC), **future
    )

    statuses = await statuses_of(plan["id"])

    assert statuses[untouched].rag is Rag.GREY
    assert statuses[started].rag is Rag.GREEN
    assert statuses[reported].rag is Rag.GREEN
