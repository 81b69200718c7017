"""What a board report reads of action plans: a board's plans with their areas, actions and milestones,
each with its RAG on a date (through action_plans.status, as every page), the latest applied date
revision of each item and the latest progress update of each action.

A constant number of statements whatever the number of plans, actions or milestones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Max

from action_plans.enums import DateField, PlanStatus, RevisionStatus, WorkStatus
from action_plans.rag import Assessment
from action_plans.status import ActionStatus, action_statuses, milestone_assessment
from action_plans.tables import (
    Action,
    ActionPartner,
    DateRevision,
    Milestone,
    Plan,
    PriorityArea,
    ProgressUpdate,
    TrainingLink,
)
from action_plans.views import action_columns, milestone_columns

__all__ = ["ReportAction", "ReportMilestone", "ReportPlans", "report_plans"]


@dataclass(frozen=True, slots=True)
class ReportMilestone:
    row: dict[str, Any]
    assessment: Assessment
    lead_name: str  # the milestone's lead, or the action's when it has none
    revision_reason: str  # the reason of its latest applied forecast revision ("" when none)


@dataclass(slots=True)
class ReportAction:
    row: dict[str, Any]  # ACTION_COLUMNS plus reference, description, priority_area, lead_name
    status: ActionStatus
    partner_ids: set[int]
    revision_reason: str  # the reason of its latest applied forecast revision ("" when none)
    latest_update: dict[str, Any] | None  # narrative, impact, recovery_action, decision_requested…
    milestones: list[ReportMilestone] = field(default_factory=list)


@dataclass(slots=True)
class ReportPlans:
    plans: list[dict[str, Any]]  # in reference order
    areas: list[dict[str, Any]]  # by plan (as plans), then number
    actions: list[ReportAction]  # the actions the filters keep, by plan, area number, position
    training_course_ids: list[int]  # courses linked to actions of these plans, first action first


def _plan_columns() -> list[Any]:
    return [
        Plan.id,
        Plan.reference,
        Plan.title,
        Plan.origin,
        Plan.status,
        Plan.owner.full_name.as_alias("owner_name"),
        Plan.require_evidence,
        Plan.slip_tolerance_days,
        Plan.progress_tolerance_points,
    ]


def as_it_stood(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    """An action or milestone row as it stood on `as_of`: done later means not yet done then."""
    if row["actual_date"] is not None and row["actual_date"] > as_of:
        return {**row, "actual_date": None, "status": WorkStatus.IN_PROGRESS}
    return row


async def _latest_reasons(plan_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """The reason of the latest applied forecast revision of each action and each milestone."""
    applied = (
        DateRevision.plan.is_in(plan_ids)
        & (DateRevision.status == RevisionStatus.APPLIED)
        & (DateRevision.field == DateField.FORECAST)
    )
    latest_ids = (
        DateRevision.select(Max(DateRevision.id))
        .where(applied)
        .group_by(DateRevision.action, DateRevision.milestone)
    )
    rows = await DateRevision.select(DateRevision.action, DateRevision.milestone, DateRevision.reason).where(
        DateRevision.id.is_in(latest_ids)
    )
    by_action: dict[int, str] = {}
    by_milestone: dict[int, str] = {}
    for row in rows:
        if row["milestone"] is not None:
            by_milestone[row["milestone"]] = row["reason"]
        elif row["action"] is not None:
            by_action[row["action"]] = row["reason"]
    return by_action, by_milestone


async def _latest_updates(plan_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each action's latest progress update (the highest id: updates are never edited)."""
    latest_ids = (
        ProgressUpdate.select(Max(ProgressUpdate.id))
        .where(ProgressUpdate.plan.is_in(plan_ids))
        .group_by(ProgressUpdate.action)
    )
    rows = await ProgressUpdate.select(
        ProgressUpdate.id,
        ProgressUpdate.action,
        ProgressUpdate.period_end,
        ProgressUpdate.narrative,
        ProgressUpdate.impact,
        ProgressUpdate.recovery_action,
        ProgressUpdate.decision_requested,
        ProgressUpdate.created_at,
    ).where(ProgressUpdate.id.is_in(latest_ids))
    return {row["action"]: row for row in rows}


async def report_plans(
    *,
    board_id: int,
    as_of: date,
    plan_ids: Collection[int] | None = None,
    area_ids: Collection[int] | None = None,
    organisation_ids: Collection[int] | None = None,
) -> ReportPlans:
    """The board's plans that are not closed (narrowed to `plan_ids`), their priority areas (narrowed to
    `area_ids`) and the actions in them led by, or shared with, one of `organisation_ids` (None: all),
    each action and milestone assessed on `as_of` as it stood then (one completed after `as_of` was
    not complete on it; other dates are as they are now). Constant statements: plans, areas, actions,
    partners, milestones, revisions, updates, training links, and action_statuses' own."""
    where: Any = (Plan.board == board_id) & (Plan.status != PlanStatus.CLOSED)
    if plan_ids is not None:
        where &= Plan.id.is_in(list(plan_ids) or [0])
    plans = await Plan.select(*_plan_columns()).where(where).order_by(Plan.reference)
    if not plans:
        return ReportPlans(plans=[], areas=[], actions=[], training_course_ids=[])
    ids = [p["id"] for p in plans]
    plan_order = {plan_id: n for n, plan_id in enumerate(ids)}
    area_where: Any = PriorityArea.plan.is_in(ids)
    if area_ids is not None:
        area_where &= PriorityArea.id.is_in(list(area_ids) or [0])
    areas = await PriorityArea.select(
        PriorityArea.id, PriorityArea.plan, PriorityArea.number, PriorityArea.title
    ).where(area_where)
    areas.sort(key=lambda a: (plan_order[a["plan"]], a["number"]))
    area_number = {a["id"]: a["number"] for a in areas}
    action_where: Any = Action.plan.is_in(ids)
    if area_ids is not None:
        action_where &= Action.priority_area.is_in(list(area_ids) or [0])
    actions = await Action.select(*action_columns()).where(action_where)
    partner_rows = await ActionPartner.select(ActionPartner.action, ActionPartner.organisation).where(
        ActionPartner.action.plan.is_in(ids)
    )
    partners: dict[int, set[int]] = defaultdict(set)
    for row in partner_rows:
        partners[row["action"]].add(row["organisation"])
    if organisation_ids is not None:
        wanted = set(organisation_ids)
        actions = [
            a for a in actions if a["lead_organisation"] in wanted or partners.get(a["id"], set()) & wanted
        ]
    actions.sort(
        key=lambda a: (plan_order[a["plan"]], area_number[a["priority_area"]], a["position"], a["id"])
    )
    milestones = (
        await Milestone.select(*milestone_columns())
        .where(Milestone.plan.is_in(ids))
        .order_by(Milestone.position)
        .order_by(Milestone.id)
    )
    action_reasons, milestone_reasons = await _latest_reasons(ids)
    updates = await _latest_updates(ids)
    links = await TrainingLink.select(
        TrainingLink.action, TrainingLink.action.plan.as_alias("plan"), TrainingLink.course_id
    ).where(TrainingLink.action.plan.is_in(ids))
    plans_by_id = {p["id"]: p for p in plans}
    statuses = await action_statuses(
        actions=[as_it_stood(a, as_of) for a in actions], plans=plans_by_id, today=as_of
    )
    kept = {
        a["id"]: ReportAction(
            row=a,
            status=statuses[a["id"]],
            partner_ids=partners.get(a["id"], set()),
            revision_reason=action_reasons.get(a["id"], ""),
            latest_update=updates.get(a["id"]),
        )
        for a in actions
    }
    for m in milestones:
        action = kept.get(m["action"])
        if action is None:
            continue
        action.milestones.append(
            ReportMilestone(
                row=m,
                assessment=milestone_assessment(
                    milestone=as_it_stood(m, as_of),
                    action_start=action.row["start_date"],
                    plan=plans_by_id[m["plan"]],
                    today=as_of,
                ),
                lead_name=(m["lead_name"] if m["lead"] is not None else action.row["lead_name"]) or "",
                revision_reason=milestone_reasons.get(m["id"], ""),
            )
        )
    course_ids = []
    for link in sorted(links, key=lambda link: (plan_order[link["plan"]], link["action"])):
        if link["course_id"] not in course_ids:
            course_ids.append(link["course_id"])
    return ReportPlans(plans=plans, areas=areas, actions=list(kept.values()), training_course_ids=course_ids)
