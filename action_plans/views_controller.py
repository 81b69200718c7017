"""The read-only action-plan pages: plans, a plan, an action, a milestone, my actions, due dates
and what changed since a date. Each checks the plan through action_plans.permissions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from action_plans import views
from action_plans.enums import PlanOrigin, PlanStatus, Rag
from action_plans.permissions import require_plan_access
from action_plans.rag import legend
from action_plans.status import thresholds_of
from app.accounts.access import CurrentUser, signed_in
from app.enums import Role
from app.web.forms import optional_int

DEFAULT_WITHIN_DAYS = 30
DEFAULT_CHANGES_DAYS = 30

# Shared by every template here: labels and the slippage wording.
COMMON = {
    "origins": PlanOrigin,
    "plan_statuses": PlanStatus,
    "rags": list(Rag),
    "rag_of": Rag,
    "legend": legend,
    "slippage": views.slippage_text,
}


def _filters(rag: str, lead: str, organisation: str) -> views.PlanFilters:
    return views.PlanFilters(
        rag=Rag(rag) if rag in {r.value for r in Rag} else None,
        lead=optional_int(lead),
        organisation=optional_int(organisation),
    )


def _since(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return today - timedelta(days=DEFAULT_CHANGES_DAYS)


class PlanViewsController(Controller):
    opt = signed_in()

    @get("/plans")
    async def plans(self, request: Request[CurrentUser, Any, Any]) -> Template:
        user = request.user
        is_leader = user.has(Role.LEADER)
        summaries = await views.visible_plans(staff_id=user.staff_id, is_leader=is_leader, today=date.today())
        return Template(
            "action_plans/plans.html",
            context={"title": "Action plans", "summaries": summaries, "is_leader": is_leader, **COMMON},
        )

    @get("/plans/{plan_id:int}")
    async def plan(
        self,
        request: Request[CurrentUser, Any, Any],
        plan_id: FromPath[int],
        rag: FromQuery[str] = "",
        lead: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
    ) -> Template:
        access = await require_plan_access(user=request.user, plan_id=plan_id)
        page = await views.plan_page(
            plan_id=plan_id, filters=_filters(rag, lead, organisation), today=date.today()
        )
        if page is None:
            raise NotFoundException("No such plan")
        return Template(
            "action_plans/plan.html",
            context={
                "title": f"{page.plan['reference']} {page.plan['title']}",
                "page": page,
                "access": access,
                "feed_token": await views.calendar_token(staff_id=request.user.staff_id),
                **COMMON,
            },
        )

    @get("/plans/{plan_id:int}/changes")
    async def changes(
        self, request: Request[CurrentUser, Any, Any], plan_id: FromPath[int], since: FromQuery[str] = ""
    ) -> Template:
        await require_plan_access(user=request.user, plan_id=plan_id)
        plan = await views.plan_row(plan_id)
        if plan is None:
            raise NotFoundException("No such plan")
        since_day = _since(since, date.today())
        return Template(
            "action_plans/changes.html",
            context={
                "title": f"Changes to {plan['reference']} since {since_day:%-d %B %Y}",
                "plan": plan,
                "since": since_day,
                "thresholds": thresholds_of(plan),
                "changes": await views.plan_changes(plan_id=plan_id, since=since_day),
                **COMMON,
            },
        )

    @get("/actions/{action_id:int}")
    async def action(self, request: Request[CurrentUser, Any, Any], action_id: FromPath[int]) -> Template:
        plan_id = await views.plan_id_of_action(action_id)
        if plan_id is None:
            raise NotFoundException("No such action")
        access = await require_plan_access(user=request.user, plan_id=plan_id)
        page = await views.action_page(action_id=action_id, today=date.today())
        if page is None:
            raise NotFoundException("No such action")
        return Template(
            "action_plans/action.html",
            context={
                "title": f"Action {page.action.row['reference']}",
                "page": page,
                "access": access,
                **COMMON,
            },
        )

    @get("/milestones/{milestone_id:int}")
    async def milestone(
        self, request: Request[CurrentUser, Any, Any], milestone_id: FromPath[int]
    ) -> Template:
        plan_id = await views.plan_id_of_milestone(milestone_id)
        if plan_id is None:
            raise NotFoundException("No such milestone")
        access = await require_plan_access(user=request.user, plan_id=plan_id)
        page = await views.milestone_page(milestone_id=milestone_id, today=date.today())
        if page is None:
            raise NotFoundException("No such milestone")
        return Template(
            "action_plans/milestone.html",
            context={
                "title": f"Milestone: {page.milestone.row['title']}",
                "page": page,
                "access": access,
                **COMMON,
            },
        )

    @get("/my-actions")
    async def my_actions(self, request: Request[CurrentUser, Any, Any]) -> Template:
        work = await views.my_work(staff_id=request.user.staff_id, today=date.today())
        return Template(
            "action_plans/my_actions.html",
            context={"title": "My actions and milestones", "work": work, "today": date.today(), **COMMON},
        )

    @get("/due-dates")
    async def due_dates(
        self, request: Request[CurrentUser, Any, Any], within: FromQuery[str] = ""
    ) -> Template:
        days = optional_int(within)
        days = DEFAULT_WITHIN_DAYS if days is None or days < 0 else min(days, 366)
        is_leader = request.user.has(Role.LEADER)
        work = await views.due_items(
            staff_id=request.user.staff_id, is_leader=is_leader, within_days=days, today=date.today()
        )
        items = work.items
        return Template(
            "action_plans/due_dates.html",
            context={
                "title": "Overdue and due soon",
                "work": work,
                "overdue": [i for i in items if i.overdue],
                "due_soon": [i for i in items if not i.overdue],
                "within": days,
                "is_leader": is_leader,
                **COMMON,
            },
        )
