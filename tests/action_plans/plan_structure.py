"""A plan with one priority area, one action and one milestone, built through the write services
(action_plans.plans) the pages use, with an owner and an action lead who can sign in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from action_plans import plans
from action_plans.enums import PlanOrigin
from action_plans.plans import ActionDetails, AreaDetails, MilestoneDetails, PlanDetails
from app.audit import Actor
from app.enums import Role
from tests.conftest import make_person

OWNER_EMAIL = "owner@testshire.example"
LEAD_EMAIL = "lead@testshire.example"

TODAY = date.today()


@dataclass
class Structure:
    owner: Actor
    lead: Actor
    plan_id: int
    area_id: int
    action_id: int
    milestone_id: int


def actor(staff_id: int) -> Actor:
    return Actor(staff_id=staff_id, label=f"staff {staff_id}")


async def build_plan(*, require_date_approval: bool = False, approve: bool = False) -> Structure:
    """A plan with one area, one action and one milestone, made through the services."""
    owner = actor(await make_person(OWNER_EMAIL, Role.LEADER, name="Olive Owner"))
    lead = actor(await make_person(LEAD_EMAIL, Role.PROFESSIONAL, name="Lee Lead"))
    plan_id = await plans.create_plan(
        details=PlanDetails(
            title="Written Statement of Action 2026",
            reference="WSOA-2026",
            origin=PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
            owner_id=owner.staff_id,
            require_date_approval=require_date_approval,
        ),
        actor=owner,
    )
    area_id = await plans.create_area(
        plan_id=plan_id,
        details=AreaDetails(number=1, title="Timeliness", intended_outcome="Plans issued on time"),
        actor=owner,
    )
    action_id = await plans.create_action(
        plan_id=plan_id,
        details=ActionDetails(
            description="Clear the backlog of annual reviews",
            priority_area_id=area_id,
            reference="1.1",
            lead_id=lead.staff_id,
            start_date=TODAY - timedelta(days=30),
        ),
        forecast_date=TODAY + timedelta(days=60),
        actor=owner,
    )
    milestone_id = await plans.create_milestone(
        action_id=action_id,
        details=MilestoneDetails(title="Backlog tracker in place"),
        forecast_date=TODAY + timedelta(days=20),
        actor=owner,
    )
    if approve:
        await plans.approve_plan(plan_id=plan_id, actor=owner)
    return Structure(owner, lead, plan_id, area_id, action_id, milestone_id)
