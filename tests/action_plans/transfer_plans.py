"""A tracked plan and the people around it, shared by the import, export and calendar tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from action_plans.enums import DateField, PlanOrigin, PlanStatus, RevisionStatus, WorkStatus
from action_plans.tables import Action, ActionPartner, DateRevision, Milestone, Plan, PriorityArea
from app.audit import CLI_ACTOR
from app.enums import OrganisationKind, Role
from app.people import services as people
from tests.conftest import make_person


async def build_tracked_plan(*, owner_id: int, lead_id: int, partner_id: int) -> int:
    """An approved plan with two priority areas, three actions, four milestones and a date revision."""
    now = datetime.now(UTC)
    plan_id = (
        await Plan.insert(
            Plan(
                reference="WSOA-2025",
                title="Written Statement of Action 2025",
                origin=PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
                status=PlanStatus.APPROVED,
                owner=owner_id,
                created_at=now,
                updated_at=now,
            )
        )
    )[0]["id"]
    areas = await PriorityArea.insert(
        PriorityArea(
            plan=plan_id, number=1, title="Timely EHC plans", intended_outcome="Plans within 20 weeks"
        ),
        PriorityArea(plan=plan_id, number=2, title="Annual reviews", intended_outcome="Every review on time"),
    )
    first, second = areas[0]["id"], areas[1]["id"]
    actions = await Action.insert(
        Action(
            plan=plan_id,
            priority_area=first,
            reference="1.1",
            position=1,
            description="Recruit two more EHC coordinators",
            lead=lead_id,
            start_date=date(2025, 1, 6),
            baseline_date=date(2025, 3, 31),
            forecast_date=date(2025, 4, 30),
            actual_date=date(2025, 5, 2),
            status=WorkStatus.COMPLETE,
            percent_complete=100,
        ),
        Action(
            plan=plan_id,
            priority_area=first,
            reference="1.2",
            position=2,
            description="=1+1",  # what a careless or hostile paste looks like
            lead=owner_id,
            start_date=date(2025, 2, 1),
            baseline_date=date(2025, 9, 30),
            forecast_date=date(2025, 10, 31),
            status=WorkStatus.IN_PROGRESS,
            percent_complete=40,
        ),
        Action(
            plan=plan_id,
            priority_area=second,
            reference="2.1",
            position=1,
            description="Tracker of annual review dates for every child",
            lead=None,
            start_date=date(2025, 4, 1),
            forecast_date=date(2026, 3, 31),
        ),
    )
    a11, a12, _ = (row["id"] for row in actions)
    await ActionPartner.insert(ActionPartner(action=a12, organisation=partner_id))
    milestones = await Milestone.insert(
        Milestone(
            plan=plan_id,
            action=a11,
            position=1,
            title="Posts advertised",
            baseline_date=date(2025, 2, 1),
            forecast_date=date(2025, 2, 1),
            actual_date=date(2025, 1, 30),
            status=WorkStatus.COMPLETE,
        ),
        Milestone(
            plan=plan_id,
            action=a11,
            position=2,
            title="Coordinators in post",
            lead=owner_id,
            baseline_date=date(2025, 3, 31),
            forecast_date=date(2025, 4, 30),
            status=WorkStatus.IN_PROGRESS,
        ),
        Milestone(
            plan=plan_id,
            action=a12,
            position=1,
            title="@SUM(A1) review of caseloads",
            forecast_date=date(2025, 6, 30),
        ),
        Milestone(
            plan=plan_id, action=a12, position=2, title="Report to board", forecast_date=date(2025, 10, 31)
        ),
    )
    await DateRevision.insert(
        DateRevision(
            plan=plan_id,
            action=a11,
            milestone=milestones[1]["id"],
            field=DateField.FORECAST,
            old_date=date(2025, 3, 31),
            new_date=date(2025, 4, 30),
            reason="Second round of recruitment",
            status=RevisionStatus.APPLIED,
            requested_by=lead_id,
            requested_at=now,
        )
    )
    return plan_id


@pytest.fixture(name="transfer_people")
async def transfer_people_fixture(signed_in_as):
    """A signed-in leader who owns the plan, an action lead, and a partner organisation."""
    owner_id = await signed_in_as(Role.LEADER, email="plan.owner@testshire.example")
    lead_id = await make_person("ana.lead@testshire.example", Role.PROFESSIONAL, name="Ana Lead")
    partner_id = await people.create_organisation(
        name="Testshire Community Health", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
    )
    return {"owner_id": owner_id, "lead_id": lead_id, "partner_id": partner_id}
