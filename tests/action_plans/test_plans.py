"""Plan structure, approval and date changes, through the services the pages use (real database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from action_plans import plans
from action_plans.enums import DateField, PlanOrigin, PlanStatus, Rag, RevisionStatus, WorkStatus
from action_plans.plans import ActionDetails, AreaDetails, MilestoneDetails, PlanDetails, PlanError
from action_plans.rag import slippage_days
from action_plans.status import milestone_assessment
from action_plans.tables import Action, DateRevision, Milestone, Plan
from app.enums import Role
from app.tables import AuditEntry
from tests.action_plans.plan_structure import TODAY, build_plan
from tests.conftest import make_person


async def milestone_row(milestone_id: int) -> dict:
    return await Milestone.select().where(Milestone.id == milestone_id).first()


async def test_approval_fixes_every_baseline_at_the_forecast():
    s = await build_plan()
    assert (await milestone_row(s.milestone_id))["baseline_date"] is None

    check = await plans.approve_plan(plan_id=s.plan_id, actor=s.owner)

    assert (check.action_count, check.milestone_count) == (1, 1)
    plan = await Plan.select().where(Plan.id == s.plan_id).first()
    assert plan["status"] == PlanStatus.APPROVED
    assert plan["approved_by"] == s.owner.staff_id and plan["approved_at"] is not None
    action = await Action.select().where(Action.id == s.action_id).first()
    assert action["baseline_date"] == action["forecast_date"] == TODAY + timedelta(days=60)
    milestone = await milestone_row(s.milestone_id)
    assert milestone["baseline_date"] == milestone["forecast_date"] == TODAY + timedelta(days=20)
    assert await AuditEntry.exists().where(
        (AuditEntry.entity == "plan") & AuditEntry.summary.like("%approved%")
    )


async def test_approval_is_refused_while_an_item_has_no_forecast_date():
    s = await build_plan()
    await plans.create_milestone(
        action_id=s.action_id,
        details=MilestoneDetails(title="Board sign-off"),
        forecast_date=None,
        actor=s.owner,
    )

    with pytest.raises(PlanError) as refused:
        await plans.approve_plan(plan_id=s.plan_id, actor=s.owner)

    assert "Board sign-off" in refused.value.message and "forecast date" in refused.value.message
    assert (await Plan.select(Plan.status).where(Plan.id == s.plan_id).first())["status"] == PlanStatus.DRAFT
    assert (await milestone_row(s.milestone_id))["baseline_date"] is None


async def test_before_approval_dates_move_freely_without_a_reason():
    s = await build_plan()
    moved = TODAY + timedelta(days=40)

    change = await plans.change_dates(
        item="milestone",
        item_id=s.milestone_id,
        forecast_date=moved,
        actual_date=None,
        reason="",
        as_owner=False,
        actor=s.lead,
    )

    assert change.applied == ["forecast"]
    assert (await milestone_row(s.milestone_id))["forecast_date"] == moved
    assert await DateRevision.count() == 0  # history starts at the baseline


async def test_moving_a_milestone_forecast_after_approval_needs_a_reason_and_then_shows_slippage():
    s = await build_plan(approve=True)
    baseline = TODAY + timedelta(days=20)
    moved = baseline + timedelta(days=10)

    with pytest.raises(PlanError) as refused:
        await plans.change_dates(
            item="milestone",
            item_id=s.milestone_id,
            forecast_date=moved,
            actual_date=None,
            reason="  ",
            as_owner=False,
            actor=s.lead,
        )
    assert refused.value.field == "reason"
    assert "reason" in refused.value.message
    assert (await milestone_row(s.milestone_id))["forecast_date"] == baseline
    assert await DateRevision.count() == 0

    change = await plans.change_dates(
        item="milestone",
        item_id=s.milestone_id,
        forecast_date=moved,
        actual_date=None,
        reason="Supplier delayed the tracker",
        as_owner=False,
        actor=s.lead,
    )

    assert change.applied == ["forecast"] and change.pending == []
    milestone = await milestone_row(s.milestone_id)
    assert milestone["forecast_date"] == moved and milestone["baseline_date"] == baseline
    revision = await DateRevision.select().first()
    assert revision["milestone"] == s.milestone_id and revision["field"] == DateField.FORECAST
    assert (revision["old_date"], revision["new_date"]) == (baseline, moved)
    assert revision["reason"] == "Supplier delayed the tracker"
    assert revision["status"] == RevisionStatus.APPLIED and revision["requested_by"] == s.lead.staff_id
    assert slippage_days(milestone["baseline_date"], milestone["forecast_date"]) == 10
    plan = await Plan.select().where(Plan.id == s.plan_id).first()
    assessment = milestone_assessment(milestone=milestone, action_start=None, plan=plan, today=TODAY)
    assert assessment.rag == Rag.AMBER  # slipped within the 14-day tolerance
    assert await AuditEntry.exists().where(
        (AuditEntry.entity == "milestone") & AuditEntry.summary.like("%Supplier delayed the tracker%")
    )


async def test_a_leads_forecast_move_waits_for_the_owner_when_the_plan_requires_approval():
    s = await build_plan(require_date_approval=True, approve=True)
    baseline = TODAY + timedelta(days=60)
    moved = baseline + timedelta(days=30)

    change = await plans.change_dates(
        item="action",
        item_id=s.action_id,
        forecast_date=moved,
        actual_date=None,
        reason="Recruitment of caseworkers delayed",
        as_owner=False,
        actor=s.lead,
    )

    assert change.pending == ["forecast"] and change.applied == []
    assert "approval" in change.message
    action = await Action.select().where(Action.id == s.action_id).first()
    assert action["forecast_date"] == baseline
    waiting = await plans.pending_revisions(s.plan_id)
    assert [r["action_reference"] for r in waiting] == ["1.1"]
    with pytest.raises(PlanError, match="already waiting"):
        await plans.change_dates(
            item="action",
            item_id=s.action_id,
            forecast_date=moved + timedelta(days=1),
            actual_date=None,
            reason="Even later",
            as_owner=False,
            actor=s.lead,
        )

    message = await plans.decide_revision(
        revision_id=waiting[0]["id"], approve=True, note="Agreed at board", actor=s.owner
    )

    assert message == "Date change approved"
    action = await Action.select().where(Action.id == s.action_id).first()
    assert action["forecast_date"] == moved and action["baseline_date"] == baseline
    revision = await DateRevision.select().where(DateRevision.id == waiting[0]["id"]).first()
    assert revision["status"] == RevisionStatus.APPLIED
    assert revision["decided_by"] == s.owner.staff_id and revision["decided_at"] is not None
    assert await plans.pending_revisions(s.plan_id) == []
    with pytest.raises(PlanError, match="already been decided"):
        await plans.decide_revision(revision_id=waiting[0]["id"], approve=False, note="No", actor=s.owner)


async def test_the_owner_can_reject_a_date_change_and_nothing_moves():
    s = await build_plan(require_date_approval=True, approve=True)
    baseline = TODAY + timedelta(days=20)
    await plans.change_dates(
        item="milestone",
        item_id=s.milestone_id,
        forecast_date=baseline + timedelta(days=5),
        actual_date=None,
        reason="Holiday",
        as_owner=False,
        actor=s.lead,
    )
    revision_id = (await plans.pending_revisions(s.plan_id))[0]["id"]

    with pytest.raises(PlanError) as no_note:
        await plans.decide_revision(revision_id=revision_id, approve=False, note="", actor=s.owner)
    assert no_note.value.field == "note"
    await plans.decide_revision(revision_id=revision_id, approve=False, note="Keep the date", actor=s.owner)

    assert (await milestone_row(s.milestone_id))["forecast_date"] == baseline
    revision = await DateRevision.select().where(DateRevision.id == revision_id).first()
    assert revision["status"] == RevisionStatus.REJECTED and revision["decision_note"] == "Keep the date"


async def test_the_owners_own_forecast_move_applies_at_once_even_when_approval_is_required():
    s = await build_plan(require_date_approval=True, approve=True)
    moved = TODAY + timedelta(days=25)

    change = await plans.change_dates(
        item="milestone",
        item_id=s.milestone_id,
        forecast_date=moved,
        actual_date=None,
        reason="Board asked for more time",
        as_owner=True,
        actor=s.owner,
    )

    assert change.applied == ["forecast"]
    assert (await milestone_row(s.milestone_id))["forecast_date"] == moved


async def test_an_actual_date_completes_the_item_and_cannot_be_in_the_future():
    s = await build_plan(approve=True)
    with pytest.raises(PlanError) as future:
        await plans.change_dates(
            item="milestone",
            item_id=s.milestone_id,
            forecast_date=TODAY + timedelta(days=20),
            actual_date=TODAY + timedelta(days=1),
            reason="Done early",
            as_owner=False,
            actor=s.lead,
        )
    assert future.value.field == "actual_date-day"

    await plans.change_dates(
        item="milestone",
        item_id=s.milestone_id,
        forecast_date=TODAY + timedelta(days=20),
        actual_date=TODAY,
        reason="Done early",
        as_owner=False,
        actor=s.lead,
    )

    milestone = await milestone_row(s.milestone_id)
    assert milestone["actual_date"] == TODAY and milestone["status"] == WorkStatus.COMPLETE
    revision = await DateRevision.select().first()
    assert revision["field"] == DateField.ACTUAL and revision["status"] == RevisionStatus.APPLIED


async def test_a_closed_plan_is_read_only():
    s = await build_plan(approve=True)
    plan = await plans.get_plan(s.plan_id)
    details = PlanDetails(
        title=plan["title"], reference=plan["reference"], origin=plan["origin"], owner_id=s.owner.staff_id
    )
    await plans.update_plan(plan_id=s.plan_id, details=details, close=True, actor=s.owner)

    with pytest.raises(PlanError, match="closed"):
        await plans.update_plan(plan_id=s.plan_id, details=details, actor=s.owner)
    with pytest.raises(PlanError, match="closed"):
        await plans.create_area(plan_id=s.plan_id, details=AreaDetails(number=2, title="More"), actor=s.owner)
    with pytest.raises(PlanError, match="closed"):
        await plans.update_milestone(
            milestone_id=s.milestone_id, details=MilestoneDetails(title="Renamed"), actor=s.owner
        )
    with pytest.raises(PlanError, match="closed"):
        await plans.change_dates(
            item="milestone",
            item_id=s.milestone_id,
            forecast_date=TODAY + timedelta(days=90),
            actual_date=None,
            reason="Late",
            as_owner=True,
            actor=s.owner,
        )
    assert (await milestone_row(s.milestone_id))["title"] == "Backlog tracker in place"


async def test_references_are_unique_and_the_next_one_is_suggested():
    s = await build_plan()
    assert await plans.next_references(s.plan_id) == {s.area_id: "1.2"}
    with pytest.raises(PlanError) as clash:
        await plans.create_action(
            plan_id=s.plan_id,
            details=ActionDetails(
                description="Again", priority_area_id=s.area_id, reference="1.1", lead_id=s.lead.staff_id
            ),
            forecast_date=None,
            actor=s.owner,
        )
    assert clash.value.field == "reference"
    with pytest.raises(PlanError) as plan_clash:
        await plans.create_plan(
            details=PlanDetails(
                title="Copy", reference="wsoa-2026", origin=PlanOrigin.INTERNAL, owner_id=s.owner.staff_id
            ),
            actor=s.owner,
        )
    assert plan_clash.value.field == "reference"


async def test_a_lead_cannot_change_the_owner_only_fields_of_their_action():
    s = await build_plan()
    other = await make_person("other@testshire.example", Role.PROFESSIONAL)

    await plans.update_action(
        action_id=s.action_id,
        details=ActionDetails(
            description="Clear the backlog by Easter",
            status=WorkStatus.IN_PROGRESS,
            priority_area_id=s.area_id,
            reference="9.9",
            lead_id=other,
        ),
        as_owner=False,
        actor=s.lead,
    )

    action = await Action.select().where(Action.id == s.action_id).first()
    assert action["description"] == "Clear the backlog by Easter"
    assert action["status"] == WorkStatus.IN_PROGRESS
    assert (action["reference"], action["lead"]) == ("1.1", s.lead.staff_id)
    entry = await (
        AuditEntry.select()
        .where(AuditEntry.entity == "action")
        .order_by(AuditEntry.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert (
        entry["before"]["status"] == WorkStatus.NOT_STARTED
        and entry["after"]["status"] == WorkStatus.IN_PROGRESS
    )


async def test_an_item_added_after_approval_takes_its_first_forecast_as_baseline():
    s = await build_plan(approve=True)
    with pytest.raises(PlanError) as no_date:
        await plans.create_milestone(
            action_id=s.action_id,
            details=MilestoneDetails(title="Late addition"),
            forecast_date=None,
            actor=s.owner,
        )
    assert no_date.value.field == "forecast_date-day"

    milestone_id = await plans.create_milestone(
        action_id=s.action_id,
        details=MilestoneDetails(title="Late addition"),
        forecast_date=TODAY + timedelta(days=9),
        actor=s.owner,
    )

    assert (await milestone_row(milestone_id))["baseline_date"] == TODAY + timedelta(days=9)
