"""Who may do what with a plan (issue 4, point 7), decided in one place for pages, API and feeds.

- Leaders see every plan; anyone else sees only the plans in which they lead an action or milestone.
- The plan owner edits the plan's structure, approves it, and decides date changes that need approval.
- An action's lead updates that action and all its milestones; a milestone's lead updates that milestone.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.exceptions import NotFoundException, PermissionDeniedException

from action_plans.tables import Action, Milestone, Plan
from app.accounts.access import CurrentUser
from app.enums import Role

__all__ = ["PlanAccess", "plan_access", "require_plan_access"]


@dataclass(frozen=True, slots=True)
class PlanAccess:
    plan_id: int
    is_owner: bool
    is_leader: bool
    lead_action_ids: frozenset[int]
    lead_milestone_ids: frozenset[int]  # includes every milestone of an action the person leads

    @property
    def can_view(self) -> bool:
        return self.is_owner or self.is_leader or bool(self.lead_action_ids or self.lead_milestone_ids)

    @property
    def can_manage(self) -> bool:
        """Edit structure, approve the plan, decide date changes."""
        return self.is_owner

    def can_update_action(self, action_id: int) -> bool:
        return self.is_owner or action_id in self.lead_action_ids

    def can_update_milestone(self, milestone_id: int) -> bool:
        return self.is_owner or milestone_id in self.lead_milestone_ids


async def plan_access(*, user: CurrentUser, plan_id: int) -> PlanAccess | None:
    """What this person may do with the plan; None when there is no such plan. Three statements."""
    plan = await Plan.select(Plan.owner).where(Plan.id == plan_id).first()
    if plan is None:
        return None
    led_actions = await Action.select(Action.id).where(
        (Action.plan == plan_id) & (Action.lead == user.staff_id)
    )
    action_ids = frozenset(row["id"] for row in led_actions)
    led_milestones = await Milestone.select(Milestone.id).where(
        (Milestone.plan == plan_id)
        & ((Milestone.lead == user.staff_id) | (Milestone.action.lead == user.staff_id))
    )
    return PlanAccess(
        plan_id=plan_id,
        is_owner=plan["owner"] == user.staff_id,
        is_leader=user.has(Role.LEADER),
        lead_action_ids=action_ids,
        lead_milestone_ids=frozenset(row["id"] for row in led_milestones),
    )


async def require_plan_access(*, user: CurrentUser, plan_id: int) -> PlanAccess:
    """The person's access to a plan they may see: 404 when there is no plan, 403 when they may not see it."""
    access = await plan_access(user=user, plan_id=plan_id)
    if access is None:
        raise NotFoundException("No such plan")
    if not access.can_view:
        raise PermissionDeniedException("You do not lead anything in this plan")
    return access
