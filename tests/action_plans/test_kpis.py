"""Success measures (issue 4 point 5): statutory templates in one step, values by period, status words
against target and statutory threshold, who may change what, and pages in a constant number of statements."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from action_plans import kpis
from action_plans.enums import KpiDirection, KpiUnit, PlanOrigin, PlanStatus
from action_plans.kpi_templates import TEMPLATES
from action_plans.kpis import KpiDetails, KpiError, KpiStatus, Reading
from action_plans.tables import Action, Kpi, KpiDataPoint, Plan, PriorityArea
from app.audit import Actor
from app.database import get_engine
from app.enums import Role
from app.tables import AuditEntry
from tests.conftest import make_person, post_form, sign_in

TODAY = date.today()
QUARTER_ENDS = [date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31)]


@dataclass
class KpiPlan:
    plan_id: int
    owner_id: int
    owner: Actor
    action_id: int  # led by `lead_id`
    other_action_id: int  # led by the owner
    lead_id: int


async def _insert_plan(*, owner_id: int, lead_id: int, status: PlanStatus = PlanStatus.APPROVED) -> KpiPlan:
    now = datetime.now(UTC)
    plan_id = (
        await Plan.insert(
            Plan(
                reference=f"KPI-{owner_id}-{now.timestamp()}",
                title="Annual reviews recovery plan",
                origin=PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
                status=status,
                owner=owner_id,
                created_at=now,
                updated_at=now,
            )
        )
    )[0]["id"]
    area_id = (
        await PriorityArea.insert(
            PriorityArea(plan=plan_id, number=1, title="Timely reviews", created_at=now, updated_at=now)
        )
    )[0]["id"]
    actions = []
    for position, (reference, lead) in enumerate((("1.1", lead_id), ("1.2", owner_id))):
        actions.append(
            (
                await Action.insert(
                    Action(
                        plan=plan_id,
                        priority_area=area_id,
                        reference=reference,
                        position=position,
                        description="Clear the backlog of overdue annual reviews",
                        lead=lead,
                        created_at=now,
                        updated_at=now,
                    )
                )
            )[0]["id"]
        )
    return KpiPlan(
        plan_id=plan_id,
        owner_id=owner_id,
        owner=Actor(staff_id=owner_id, label="owner@testshire.example"),
        action_id=actions[0],
        other_action_id=actions[1],
        lead_id=lead_id,
    )


@pytest.fixture
async def kpi_plan() -> KpiPlan:
    """An approved plan owned by owner@, with action 1.1 led by lead@ and 1.2 led by the owner."""
    owner_id = await make_person("owner@testshire.example", Role.PROFESSIONAL)
    lead_id = await make_person("lead@testshire.example", Role.PROFESSIONAL)
    return await _insert_plan(owner_id=owner_id, lead_id=lead_id)


def _details(**overrides: object) -> KpiDetails:
    values: dict[str, object] = {
        "name": "Days to issue a new plan",
        "unit": KpiUnit.DAYS,
        "direction": KpiDirection.LOWER,
        "target_value": 140.0,
    }
    values.update(overrides)
    return KpiDetails(**values)  # type: ignore[arg-type]


# --- statutory templates ---------------------------------------------------------------------


def test_every_statutory_measure_of_the_design_has_a_template_citing_its_source():
    keys = [t.key for t in TEMPLATES]
    assert len(keys) == len(set(keys)) == 7
    for template in TEMPLATES:
        if template.unit == KpiUnit.PERCENT:  # a timescale in law; staff trained is the plan's own target
            assert any(source in template.description for source in ("reg ", "s.44")), template.key
        if template.statutory_threshold is not None:
            assert template.unit == KpiUnit.PERCENT and template.statutory_threshold == 100.0
    names = " ".join(t.name for t in TEMPLATES)
    for phrase in ("12 months", "4 weeks", "12 weeks", "20 weeks", "15 February", "trained"):
        assert phrase in names


async def test_statutory_measures_are_added_in_one_step_and_a_second_time_adds_nothing(kpi_plan):
    await kpis.create_kpi(plan_id=kpi_plan.plan_id, details=_details(), actor=kpi_plan.owner)
    added = await kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner)
    assert len(added) == len(TEMPLATES)

    summaries = await kpis.plan_kpis(plan_id=kpi_plan.plan_id)
    assert [s.name for s in summaries] == ["Days to issue a new plan", *(t.name for t in TEMPLATES)]
    reviews = summaries[1]
    assert reviews.template_key == "annual_reviews_within_12_months"
    assert reviews.statutory_threshold == 100.0 and reviews.unit == KpiUnit.PERCENT
    assert await AuditEntry.count().where(AuditEntry.entity == "kpi") == 1 + len(TEMPLATES)

    assert await kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner) == []
    assert await Kpi.count().where(Kpi.plan == kpi_plan.plan_id) == 1 + len(TEMPLATES)


async def test_two_owners_adding_the_statutory_measures_at_once_add_them_once(kpi_plan):
    first, second = await asyncio.gather(
        kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner),
        kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner),
    )
    assert sorted([len(first), len(second)]) == [0, len(TEMPLATES)]
    assert await Kpi.count().where(Kpi.plan == kpi_plan.plan_id) == len(TEMPLATES)


async def test_two_values_for_one_period_saved_at_once_leave_one(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    await asyncio.gather(
        *(
            kpis.record_data_point(
                kpi_id=kpi_id,
                reading=Reading(period_end=QUARTER_ENDS[0], value=v),
                actor=kpi_plan.owner,
                today=TODAY,
            )
            for v in (60.0, 70.0)
        )
    )
    assert await KpiDataPoint.count().where(KpiDataPoint.kpi == kpi_id) == 1


async def test_only_missing_statutory_measures_are_added(kpi_plan):
    await kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner)
    await Kpi.delete().where(Kpi.template_key == "phase_transfers_by_deadline")
    added = await kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner)
    assert len(added) == 1
    assert await Kpi.count().where(Kpi.plan == kpi_plan.plan_id) == len(TEMPLATES)


async def test_owner_adds_the_statutory_measures_from_the_kpi_page(client, kpi_plan):
    assert (await sign_in(client, "owner@testshire.example")).status_code == 303
    page = await client.get(f"/plans/{kpi_plan.plan_id}/kpis")
    assert page.status_code == 200 and "Add the statutory EHCP measures" in page.text
    response = await post_form(
        client, f"/plans/{kpi_plan.plan_id}/kpis/statutory", {}, form_page=f"/plans/{kpi_plan.plan_id}/kpis"
    )
    assert response.status_code == 303
    page = await client.get(f"/plans/{kpi_plan.plan_id}/kpis")
    assert "7 statutory EHCP measures added" in page.text
    assert "Annual reviews held within 12 months" in page.text and "No data yet" in page.text
    assert "Add the statutory EHCP measures" not in page.text  # nothing left to add


# --- values by period ------------------------------------------------------------------------


async def _percent_kpi(kpi_plan: KpiPlan) -> int:
    """Annual reviews on time: a percentage, target 90%, statutory threshold 100%."""
    details = _details(
        name="Annual reviews on time",
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=90.0,
        statutory_threshold=100.0,
    )
    return await kpis.create_kpi(plan_id=kpi_plan.plan_id, details=details, actor=kpi_plan.owner)


async def test_a_percentage_is_worked_out_from_numerator_and_denominator(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    await kpis.record_data_point(
        kpi_id=kpi_id,
        reading=Reading(period_end=QUARTER_ENDS[0], numerator=45, denominator=60),
        actor=kpi_plan.owner,
        today=TODAY,
    )
    point = await KpiDataPoint.select().where(KpiDataPoint.kpi == kpi_id).first()
    assert (point["value"], point["numerator"], point["denominator"]) == (75.0, 45, 60)
    summary = await kpis.kpi_summary(kpi_id=kpi_id)
    assert summary is not None and summary.shown(summary.latest.value) == "75%"


@pytest.mark.parametrize(
    ("reading", "field", "message"),
    [
        (
            Reading(period_end=QUARTER_ENDS[0], numerator=61, denominator=60),
            "numerator",
            "more than the total",
        ),
        (Reading(period_end=QUARTER_ENDS[0], numerator=-1, denominator=60), "numerator", "negative"),
        (Reading(period_end=QUARTER_ENDS[0], numerator=0, denominator=0), "denominator", "more than 0"),
        (Reading(period_end=QUARTER_ENDS[0], numerator=5), "denominator", "in total"),
        (Reading(period_end=QUARTER_ENDS[0], denominator=5), "numerator", "how many met"),
        (Reading(period_end=QUARTER_ENDS[0], value=80, numerator=4, denominator=5), "value", "not both"),
        (Reading(period_end=QUARTER_ENDS[0], value=101), "value", "0 to 100"),
        (Reading(period_end=QUARTER_ENDS[0]), "value", "Enter the percentage"),
        (Reading(period_end=None, value=50), "period_end", "last day"),
        (Reading(period_end=TODAY + timedelta(days=1), value=50), "period_end", "must have ended"),
    ],
)
async def test_values_that_cannot_be_right_are_refused(kpi_plan, reading, field, message):
    kpi_id = await _percent_kpi(kpi_plan)
    with pytest.raises(KpiError) as refused:
        await kpis.record_data_point(kpi_id=kpi_id, reading=reading, actor=kpi_plan.owner, today=TODAY)
    assert refused.value.field == field and message in refused.value.message
    assert await KpiDataPoint.count() == 0


async def test_numbers_over_a_total_are_only_for_percentages(kpi_plan):
    kpi_id = await kpis.create_kpi(plan_id=kpi_plan.plan_id, details=_details(), actor=kpi_plan.owner)
    with pytest.raises(KpiError, match="for percentages"):
        await kpis.record_data_point(
            kpi_id=kpi_id,
            reading=Reading(period_end=QUARTER_ENDS[0], numerator=1, denominator=2),
            actor=kpi_plan.owner,
            today=TODAY,
        )


async def test_a_second_value_for_the_same_period_corrects_the_first(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    first = await kpis.record_data_point(
        kpi_id=kpi_id,
        reading=Reading(period_end=QUARTER_ENDS[0], value=60),
        actor=kpi_plan.owner,
        today=TODAY,
    )
    second = await kpis.record_data_point(
        kpi_id=kpi_id,
        reading=Reading(period_end=QUARTER_ENDS[0], numerator=7, denominator=10, note="Recounted"),
        actor=kpi_plan.owner,
        today=TODAY,
    )
    assert first == second
    rows = await KpiDataPoint.select().where(KpiDataPoint.kpi == kpi_id)
    assert len(rows) == 1 and rows[0]["value"] == 70.0 and rows[0]["note"] == "Recounted"
    correction = (
        await AuditEntry.select()
        .where((AuditEntry.entity == "kpi_data_point") & (AuditEntry.action == "update"))
        .output(load_json=True)
        .first()
    )
    assert correction["before"]["value"] == 60.0 and correction["after"]["value"] == 70.0


async def test_latest_previous_and_change_come_from_the_two_newest_periods(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    # Recorded out of order: the newest period is the latest, whatever order the values came in.
    for period, value in ((QUARTER_ENDS[2], 80.0), (QUARTER_ENDS[0], 50.0), (QUARTER_ENDS[1], 72.5)):
        await kpis.record_data_point(
            kpi_id=kpi_id, reading=Reading(period_end=period, value=value), actor=kpi_plan.owner, today=TODAY
        )
    summary = await kpis.kpi_summary(kpi_id=kpi_id)
    assert summary is not None
    assert [p.period_end for p in summary.points] == QUARTER_ENDS[:3]
    assert summary.latest.value == 80.0 and summary.previous.value == 72.5
    assert summary.change == pytest.approx(7.5)
    assert summary.change_text == "Up 7.5 percentage points (better)"
    assert summary.status_word == "Below statutory threshold"  # the duty is 100%


async def test_a_board_report_for_a_past_period_sees_the_values_known_by_then(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    for period, value in zip(QUARTER_ENDS, (50.0, 60.0, 70.0, 95.0), strict=True):
        await kpis.record_data_point(
            kpi_id=kpi_id, reading=Reading(period_end=period, value=value), actor=kpi_plan.owner, today=TODAY
        )
    summary = (await kpis.kpi_summaries(plan_ids=[kpi_plan.plan_id], as_of=QUARTER_ENDS[1]))[
        kpi_plan.plan_id
    ][0]
    assert summary.latest.value == 60.0 and summary.previous.value == 50.0 and len(summary.points) == 2
    now = (await kpis.kpi_summaries(plan_ids=[kpi_plan.plan_id]))[kpi_plan.plan_id][0]
    assert now.latest.value == 95.0


async def test_a_value_recorded_in_error_is_deleted_with_an_audit_entry(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    point_id = await kpis.record_data_point(
        kpi_id=kpi_id,
        reading=Reading(period_end=QUARTER_ENDS[0], value=60),
        actor=kpi_plan.owner,
        today=TODAY,
    )
    await kpis.delete_data_point(point_id=point_id, actor=kpi_plan.owner)
    assert await KpiDataPoint.count() == 0
    entry = await AuditEntry.select().where(AuditEntry.action == "delete").output(load_json=True).first()
    assert entry["entity"] == "kpi_data_point" and entry["before"]["value"] == 60.0


# --- direction, target and threshold ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "direction", "target", "threshold", "status", "word"),
    [
        (95.0, KpiDirection.HIGHER, 90.0, None, KpiStatus.MEETS_TARGET, "Meets target"),
        (90.0, KpiDirection.HIGHER, 90.0, None, KpiStatus.MEETS_TARGET, "Meets target"),
        (85.0, KpiDirection.HIGHER, 90.0, None, KpiStatus.OFF_TARGET, "Below target"),
        (95.0, KpiDirection.HIGHER, 90.0, 100.0, KpiStatus.OFF_THRESHOLD, "Below statutory threshold"),
        (100.0, KpiDirection.HIGHER, 90.0, 100.0, KpiStatus.MEETS_TARGET, "Meets target"),
        (100.0, KpiDirection.HIGHER, None, 100.0, KpiStatus.MEETS_THRESHOLD, "Meets statutory threshold"),
        (40.0, KpiDirection.HIGHER, None, None, KpiStatus.NO_TARGET, "No target set"),
        (None, KpiDirection.HIGHER, 90.0, 100.0, KpiStatus.NO_DATA, "No data yet"),
        # Days: lower is better.
        (120.0, KpiDirection.LOWER, 140.0, None, KpiStatus.MEETS_TARGET, "Meets target"),
        (140.0, KpiDirection.LOWER, 140.0, None, KpiStatus.MEETS_TARGET, "Meets target"),
        (150.0, KpiDirection.LOWER, 140.0, None, KpiStatus.OFF_TARGET, "Above target"),
        (150.0, KpiDirection.LOWER, 160.0, 140.0, KpiStatus.OFF_THRESHOLD, "Above statutory threshold"),
    ],
)
def test_status_follows_the_direction_and_puts_the_statutory_threshold_first(
    value, direction, target, threshold, status, word
):
    found = kpis.kpi_status(value=value, direction=direction, target=target, threshold=threshold)
    assert found == status and found.word(direction) == word


def test_a_fall_in_days_reads_as_better():
    assert kpis.format_change(-12.0, KpiUnit.DAYS, KpiDirection.LOWER) == "Down 12 days (better)"
    assert kpis.format_change(3.0, KpiUnit.DAYS, KpiDirection.LOWER) == "Up 3 days (worse)"
    assert kpis.format_change(0.0, KpiUnit.COUNT, KpiDirection.HIGHER) == "No change"
    assert kpis.format_value(1.0, KpiUnit.DAYS) == "1 day"
    assert kpis.format_value(1234.0, KpiUnit.COUNT) == "1,234"


async def test_a_percentage_target_above_100_is_refused(kpi_plan):
    with pytest.raises(KpiError) as refused:
        await kpis.create_kpi(
            plan_id=kpi_plan.plan_id,
            details=_details(unit=KpiUnit.PERCENT, target_value=120.0),
            actor=kpi_plan.owner,
        )
    assert refused.value.field == "target_value"


async def test_a_kpi_can_only_measure_an_action_of_its_own_plan(kpi_plan):
    other = await _insert_plan(owner_id=kpi_plan.owner_id, lead_id=kpi_plan.lead_id)
    with pytest.raises(KpiError) as refused:
        await kpis.create_kpi(
            plan_id=kpi_plan.plan_id, details=_details(action_id=other.action_id), actor=kpi_plan.owner
        )
    assert refused.value.field == "action"


async def test_the_unit_cannot_change_once_values_are_recorded(kpi_plan):
    kpi_id = await kpis.create_kpi(plan_id=kpi_plan.plan_id, details=_details(), actor=kpi_plan.owner)
    await kpis.update_kpi(kpi_id=kpi_id, details=_details(unit=KpiUnit.COUNT), actor=kpi_plan.owner)
    await kpis.record_data_point(
        kpi_id=kpi_id, reading=Reading(period_end=QUARTER_ENDS[0], value=3), actor=kpi_plan.owner, today=TODAY
    )
    with pytest.raises(KpiError) as refused:
        await kpis.update_kpi(kpi_id=kpi_id, details=_details(unit=KpiUnit.DAYS), actor=kpi_plan.owner)
    assert refused.value.field == "unit"
    await kpis.update_kpi(
        kpi_id=kpi_id, details=_details(unit=KpiUnit.COUNT, name="Tribunals"), actor=kpi_plan.owner
    )
    assert (await Kpi.select(Kpi.name).where(Kpi.id == kpi_id).first())["name"] == "Tribunals"


async def test_a_closed_plans_measures_do_not_change(kpi_plan):
    kpi_id = await _percent_kpi(kpi_plan)
    await Plan.update({Plan.status: PlanStatus.CLOSED}).where(Plan.id == kpi_plan.plan_id)
    with pytest.raises(KpiError, match="closed"):
        await kpis.record_data_point(
            kpi_id=kpi_id,
            reading=Reading(period_end=QUARTER_ENDS[0], value=5),
            actor=kpi_plan.owner,
            today=TODAY,
        )
    with pytest.raises(KpiError, match="closed"):
        await kpis.add_statutory_kpis(plan_id=kpi_plan.plan_id, actor=kpi_plan.owner)


# --- pages and who may use them ----------------------------------------------------------------


async def test_owner_defines_a_measure_and_records_values_through_the_forms(client, kpi_plan):
    assert (await sign_in(client, "owner@testshire.example")).status_code == 303
    new = f"/plans/{kpi_plan.plan_id}/kpis/new"
    refused = await post_form(client, new, {"name": "", "unit": "percent", "direction": "higher"})
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "Enter the name of the measure" in refused.text
    response = await post_form(
        client,
        new,
        {
            "name": "Annual reviews on time",
            "unit": "percent",
            "direction": "higher",
            "action": str(kpi_plan.action_id),
            "target_value": "95%",
            "target_date-day": "31",
            "target_date-month": "3",
            "target_date-year": "2027",
            "statutory_threshold": "100",
        },
    )
    assert response.status_code == 303
    kpi_id = int(response.headers["location"].rsplit("/", 1)[1])
    kpi = await Kpi.select().where(Kpi.id == kpi_id).first()
    assert kpi["action"] == kpi_plan.action_id and kpi["target_value"] == 95.0
    assert kpi["target_date"] == date(2027, 3, 31)

    data = f"/kpis/{kpi_id}/data"
    period = {"period_end-day": "30", "period_end-month": "6", "period_end-year": "2024"}
    refused = await post_form(client, data, {**period, "numerator": "61", "denominator": "60"})
    assert refused.status_code == 400 and "cannot be more than the total" in refused.text
    assert 'href="#numerator"' in refused.text
    refused = await post_form(client, data, {**period, "numerator": "4.5", "denominator": "60"})
    assert refused.status_code == 400 and "whole number" in refused.text
    assert (
        await post_form(client, data, {**period, "numerator": "57", "denominator": "60"})
    ).status_code == 303
    page = await client.get(f"/kpis/{kpi_id}")
    assert "95%" in page.text and "57 of 60" in page.text and "Below statutory threshold" in page.text
    listing = await client.get(f"/plans/{kpi_plan.plan_id}/kpis")
    assert "Action 1.1" in listing.text and "95%" in listing.text


async def test_a_leader_sees_the_measures_but_cannot_change_them(client, kpi_plan, signed_in_as):
    kpi_id = await _percent_kpi(kpi_plan)
    await signed_in_as(Role.LEADER)
    page = await client.get(f"/plans/{kpi_plan.plan_id}/kpis")
    assert page.status_code == 200 and "Annual reviews on time" in page.text
    assert "Add the statutory EHCP measures" not in page.text
    assert (await client.get(f"/kpis/{kpi_id}")).status_code == 200
    for path in (f"/plans/{kpi_plan.plan_id}/kpis/new", f"/kpis/{kpi_id}/edit", f"/kpis/{kpi_id}/data"):
        assert (await client.get(path)).status_code == 403, path
    response = await post_form(
        client, f"/plans/{kpi_plan.plan_id}/kpis/statutory", {}, form_page=f"/plans/{kpi_plan.plan_id}/kpis"
    )
    assert response.status_code == 403
    assert await Kpi.count() == 1


async def test_a_professional_outside_the_plan_cannot_see_its_measures(client, kpi_plan, signed_in_as):
    kpi_id = await _percent_kpi(kpi_plan)
    await signed_in_as(Role.PROFESSIONAL)
    assert (await client.get(f"/plans/{kpi_plan.plan_id}/kpis")).status_code == 403
    assert (await client.get(f"/kpis/{kpi_id}")).status_code == 403
    assert (await client.get(f"/kpis/{kpi_id}/chart.svg")).status_code == 403


async def test_a_measure_with_values_shows_a_chart_above_the_table(client, kpi_plan, signed_in_as):
    kpi_id = await _percent_kpi(kpi_plan)
    for period, value in zip(QUARTER_ENDS, (50.0, 60.0, 70.0, 95.0), strict=True):
        await kpis.record_data_point(
            kpi_id=kpi_id, reading=Reading(period_end=period, value=value), actor=kpi_plan.owner, today=TODAY
        )
    await signed_in_as(Role.LEADER)
    page = await client.get(f"/kpis/{kpi_id}")
    assert f'src="/kpis/{kpi_id}/chart.svg"' in page.text and "The table below gives every value" in page.text
    chart = await client.get(f"/kpis/{kpi_id}/chart.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in chart.content and b"Statutory threshold 100%" in chart.content


async def test_an_action_lead_records_values_for_their_action_only(client, kpi_plan):
    theirs = await kpis.create_kpi(
        plan_id=kpi_plan.plan_id,
        details=_details(name="Reviews cleared", unit=KpiUnit.COUNT, action_id=kpi_plan.action_id),
        actor=kpi_plan.owner,
    )
    plan_level = await kpis.create_kpi(plan_id=kpi_plan.plan_id, details=_details(), actor=kpi_plan.owner)
    other_action = await kpis.create_kpi(
        plan_id=kpi_plan.plan_id,
        details=_details(name="Other", action_id=kpi_plan.other_action_id),
        actor=kpi_plan.owner,
    )
    assert (await sign_in(client, "lead@testshire.example")).status_code == 303
    period = {"period_end-day": "30", "period_end-month": "6", "period_end-year": "2024", "value": "12"}
    assert (await post_form(client, f"/kpis/{theirs}/data", period)).status_code == 303
    token_page = f"/plans/{kpi_plan.plan_id}/kpis"
    for kpi_id in (plan_level, other_action):
        response = await post_form(client, f"/kpis/{kpi_id}/data", period, form_page=token_page)
        assert response.status_code == 403
    response = await post_form(client, f"/kpis/{theirs}/edit", {"name": "Renamed"}, form_page=token_page)
    assert response.status_code == 403
    assert await KpiDataPoint.count() == 1
    point_id = (await KpiDataPoint.select(KpiDataPoint.id).first())["id"]
    assert (await client.get(f"/kpi-points/{point_id}/delete")).status_code == 200
    response = await post_form(client, f"/kpi-points/{point_id}/delete", {}, form_page=token_page)
    assert response.status_code == 303 and await KpiDataPoint.count() == 0


async def _measures_with_data(kpi_plan: KpiPlan, count: int) -> None:
    """`count` KPIs, half plan-level and half on an action, each with four quarters of values."""
    now = datetime.now(UTC)
    rows = [
        Kpi(
            plan=kpi_plan.plan_id,
            action=kpi_plan.action_id if n % 2 else None,
            name=f"Measure {n}",
            unit=KpiUnit.PERCENT,
            target_value=90.0,
            statutory_threshold=100.0,
            position=n,
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    ]
    ids = [r["id"] for r in await Kpi.insert(*rows).returning(Kpi.id)]
    await KpiDataPoint.insert(
        *(
            KpiDataPoint(kpi=kpi_id, period_end=period, value=50.0 + q, created_at=now, updated_at=now)
            for kpi_id in ids
            for q, period in enumerate(QUARTER_ENDS)
        )
    )


async def test_the_measures_page_issues_the_same_statements_for_3_and_30_measures(client, kpi_plan):
    engine = get_engine()
    assert (await sign_in(client, "owner@testshire.example")).status_code == 303

    async def statements() -> dict[str, int]:
        first_kpi = (await Kpi.select(Kpi.id).where(Kpi.plan == kpi_plan.plan_id).first())["id"]
        counts = {}
        for path in (f"/plans/{kpi_plan.plan_id}/kpis", f"/kpis/{first_kpi}"):
            before = engine.query_id
            response = await client.get(path)
            assert response.status_code == 200, path
            counts[path.split("/")[1]] = engine.query_id - before
        before = engine.query_id
        summaries = await kpis.kpi_summaries(plan_ids=[kpi_plan.plan_id])
        counts["summaries"] = engine.query_id - before
        counts["measures"] = len(summaries[kpi_plan.plan_id])
        return counts

    await _measures_with_data(kpi_plan, 3)
    small = await statements()
    await _measures_with_data(kpi_plan, 27)
    large = await statements()
    assert small.pop("measures") == 3 and large.pop("measures") == 30
    assert small["summaries"] == 2
    assert large == small
