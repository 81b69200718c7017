"""Plan structure and dates: plans, priority areas, actions and milestones, approval that fixes the
baselines, and date changes that after approval need a reason (and, where the plan asks, the owner's say).

Callers decide who may call what through action_plans.permissions; these functions enforce the rules
of the plan itself (closed plans are read-only, baselines never move, reasons for date changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.string import Lower
from piccolo.table import Table

from action_plans.enums import DateField, PlanOrigin, PlanStatus, RevisionStatus, WorkStatus
from action_plans.tables import Action, ActionPartner, DateRevision, Milestone, Plan, PriorityArea
from app import audit
from app.audit import Actor
from app.clock import local_today
from app.database import get_engine, write_transaction
from app.enums import AuditAction, Role
from app.tables import Account, Board, Organisation, RoleGrant, Staff


class PlanError(ValueError):
    """A change that breaks a rule of the plan, with the form field at fault and a message for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _now() -> datetime:
    return datetime.now(UTC)


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _stamped(values: dict[str, Any], now: datetime | None = None) -> dict[Any, Any]:
    """Column values for an update, with updated_at set."""
    return {**values, "updated_at": now or _now()}


async def _save_changes(
    table: type[Table],
    *,
    row_id: int,
    entity: str,
    current: dict[str, Any],
    values: dict[str, Any],
    summary: str,
    actor: Actor,
) -> None:
    """Update the fields that differ and audit them with their values before and after."""
    before, after = audit.changed_fields(current, values)
    if not after:
        return
    await table.update(_stamped(values)).where(table._meta.primary_key == row_id)
    await audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        entity=entity,
        entity_id=row_id,
        summary=summary,
        before=before,
        after=after,
    )


def _locked(query: Any) -> Any:
    """The query's rows locked until the transaction ends, so two people's changes queue
    (SQLite's IMMEDIATE write transaction already does this)."""
    return query.lock_rows() if isinstance(get_engine(), PostgresEngine) else query


def _label(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "none"


# --- look-ups shared by forms ----------------------------------------------------------------


async def leader_choices() -> list[dict[str, Any]]:
    """People who may own a plan: leaders who have not left, by name."""
    return await (
        Staff.select(Staff.id, Staff.full_name, Staff.email)
        .where(
            Staff.id.is_in(RoleGrant.select(RoleGrant.staff).where(RoleGrant.role == Role.LEADER))
            & Staff.left_on.is_null()
        )
        .order_by(Staff.full_name)
    )


async def lead_choices() -> list[dict[str, Any]]:
    """People who may lead an action or milestone: staff who have not left and can sign in, by name."""
    return await (
        Staff.select(Staff.id, Staff.full_name, Staff.email)
        .where(Staff.id.is_in(Account.select(Account.staff)) & Staff.left_on.is_null())
        .order_by(Staff.full_name)
    )


async def organisation_choices() -> list[dict[str, Any]]:
    """Active organisations that can be partners in an action, by name."""
    return await (
        Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.active == True)  # noqa: E712 (Piccolo builds SQL from ==)
        .order_by(Organisation.name)
    )


async def _check_lead(staff_id: int | None, *, field_name: str, required: bool) -> None:
    if staff_id is None:
        if required:
            raise PlanError(field_name, "Select the lead officer")
        return
    active = await Staff.exists().where(
        (Staff.id == staff_id) & Staff.left_on.is_null() & Staff.id.is_in(Account.select(Account.staff))
    )
    if not active:
        raise PlanError(field_name, "Select a lead who works here now and can sign in")


# --- plans -----------------------------------------------------------------------------------


class Unchanged(Enum):
    """A PlanDetails value that leaves the plan as it is (callers that do not show the field)."""

    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class PlanDetails:
    title: str
    reference: str
    origin: str
    owner_id: int | None
    description: str = ""
    # The governance board it reports to (app.reports.boards); None: no board; KEEP: as it is.
    board_id: int | Unchanged | None = Unchanged.KEEP
    start_date: date | None = None
    end_date: date | None = None
    require_date_approval: bool = False
    require_evidence: bool = False
    slip_tolerance_days: int = 14
    progress_tolerance_points: int = 10


async def get_plan(plan_id: int) -> dict[str, Any] | None:
    return await (
        Plan.select(*Plan.all_columns(), Plan.owner.full_name.as_alias("owner_name"))
        .where(Plan.id == plan_id)
        .first()
    )


def _editable(plan: dict[str, Any] | None) -> dict[str, Any]:
    if plan is None:
        raise PlanError("plan", "That plan no longer exists")
    if plan["status"] == PlanStatus.CLOSED:
        raise PlanError("plan", "This plan is closed, so it can no longer be changed")
    return plan


async def _check_plan(details: PlanDetails, *, exclude_id: int | None = None) -> dict[str, Any]:
    title, reference = _tidy(details.title), _tidy(details.reference)
    if not title:
        raise PlanError("title", "Enter the plan's title")
    if len(title) > 200:
        raise PlanError("title", "The title must be 200 characters or fewer")
    if not reference:
        raise PlanError("reference", "Enter a reference for the plan, for example WSOA-2026")
    if len(reference) > 30:
        raise PlanError("reference", "The reference must be 30 characters or fewer")
    if details.origin not in {o.value for o in PlanOrigin}:
        raise PlanError("origin", "Select where the plan comes from")
    if details.owner_id is None or details.owner_id not in {p["id"] for p in await leader_choices()}:
        raise PlanError("owner", "Select the plan owner: a leader who works here now")
    board: dict[str, int | None] = {}
    if not isinstance(details.board_id, Unchanged):
        if details.board_id is not None and not await Board.exists().where(Board.id == details.board_id):
            raise PlanError("board", "Select the board it reports to from the list")
        board["board"] = details.board_id
    if details.start_date and details.end_date and details.end_date < details.start_date:
        raise PlanError("end_date-day", "The end date must be on or after the start date")
    if not 0 <= details.slip_tolerance_days <= 365:
        raise PlanError("slip_tolerance_days", "The slippage tolerance must be between 0 and 365 days")
    if not 0 <= details.progress_tolerance_points <= 100:
        raise PlanError(
            "progress_tolerance_points", "The progress tolerance must be between 0 and 100 points"
        )
    clash = Plan.exists().where(Lower(Plan.reference) == reference.lower())
    if exclude_id is not None:
        clash = clash.where(Plan.id != exclude_id)
    if await clash:
        raise PlanError("reference", "Another plan already has this reference")
    return {
        "title": title,
        "reference": reference,
        "origin": details.origin,
        "owner": details.owner_id,
        "description": details.description.strip(),
        **board,
        "start_date": details.start_date,
        "end_date": details.end_date,
        "require_date_approval": details.require_date_approval,
        "require_evidence": details.require_evidence,
        "slip_tolerance_days": details.slip_tolerance_days,
        "progress_tolerance_points": details.progress_tolerance_points,
    }


async def create_plan(*, details: PlanDetails, actor: Actor) -> int:
    """A new draft plan; its owner approves it once its actions and dates are in."""
    values = await _check_plan(details)
    now = _now()
    async with write_transaction():
        row = (
            await Plan.insert(
                Plan(**values, status=PlanStatus.DRAFT, created_at=now, updated_at=now)
            ).returning(Plan.id)
        )[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="plan",
            entity_id=row["id"],
            summary=f"Plan {values['reference']} created",
            after=values,
        )
    return int(row["id"])


async def update_plan(*, plan_id: int, details: PlanDetails, close: bool = False, actor: Actor) -> None:
    """Change a plan's details; `close` makes an approved plan read-only for good."""
    values = await _check_plan(details, exclude_id=plan_id)
    async with write_transaction():
        current = _editable(await get_plan(plan_id))
        new: dict[str, Any] = dict(values)
        if close:
            if current["status"] != PlanStatus.APPROVED:
                raise PlanError("close", "Only an approved plan can be closed")
            new["status"] = PlanStatus.CLOSED
        await _save_changes(
            Plan,
            row_id=plan_id,
            entity="plan",
            current=current,
            values=new,
            summary=f"Plan {values['reference']} {'closed' if close else 'updated'}",
            actor=actor,
        )


@dataclass(frozen=True, slots=True)
class ApprovalCheck:
    action_count: int
    milestone_count: int
    missing: list[str]  # items without a forecast date, as people read them


async def approval_check(plan_id: int) -> ApprovalCheck:
    """What approving the plan would baseline, and which items still lack a forecast date. Two statements."""
    actions = await (
        Action.select(Action.reference, Action.forecast_date)
        .where(Action.plan == plan_id)
        .order_by(Action.priority_area.number)
        .order_by(Action.position)
    )
    milestones = await (
        Milestone.select(Milestone.title, Milestone.forecast_date, Milestone.action.reference)
        .where(Milestone.plan == plan_id)
        .order_by(Milestone.action.position)
        .order_by(Milestone.position)
    )
    missing = [f"Action {a['reference']}" for a in actions if a["forecast_date"] is None]
    missing += [
        f"Milestone “{m['title']}” of action {m['action.reference']}"
        for m in milestones
        if m["forecast_date"] is None
    ]
    return ApprovalCheck(action_count=len(actions), milestone_count=len(milestones), missing=missing)


async def approve_plan(*, plan_id: int, actor: Actor) -> ApprovalCheck:
    """The owner approves a draft plan: every action's and milestone's baseline becomes its forecast."""
    async with write_transaction():
        await _locked(Plan.select(Plan.id).where(Plan.id == plan_id))
        plan = _editable(await get_plan(plan_id))
        if plan["status"] != PlanStatus.DRAFT:
            raise PlanError("plan", "This plan has already been approved")
        check = await approval_check(plan_id)
        if check.action_count == 0:
            raise PlanError("plan", "Add at least one action before approving the plan")
        if check.missing:
            raise PlanError(
                "plan", "Give these a forecast date before approving: " + "; ".join(check.missing)
            )
        now = _now()
        await Action.update({Action.baseline_date: Action.forecast_date, Action.updated_at: now}).where(
            Action.plan == plan_id
        )
        await Milestone.update(
            {Milestone.baseline_date: Milestone.forecast_date, Milestone.updated_at: now}
        ).where(Milestone.plan == plan_id)
        await Plan.update(
            {
                Plan.status: PlanStatus.APPROVED,
                Plan.approved_at: now,
                Plan.approved_by: actor.staff_id,
                Plan.updated_at: now,
            }
        ).where(Plan.id == plan_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="plan",
            entity_id=plan_id,
            summary=(
                f"Plan {plan['reference']} approved: baselines fixed for {check.action_count} actions "
                f"and {check.milestone_count} milestones"
            ),
            before={"status": plan["status"]},
            after={"status": PlanStatus.APPROVED, "approved_at": now},
        )
    return check


# --- priority areas --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaDetails:
    number: int | None
    title: str
    intended_outcome: str = ""


async def get_area(area_id: int) -> dict[str, Any] | None:
    return await PriorityArea.select().where(PriorityArea.id == area_id).first()


async def list_areas(plan_id: int) -> list[dict[str, Any]]:
    return await (
        PriorityArea.select(PriorityArea.id, PriorityArea.number, PriorityArea.title)
        .where(PriorityArea.plan == plan_id)
        .order_by(PriorityArea.number)
    )


async def next_area_number(plan_id: int) -> int:
    numbers = [a["number"] for a in await list_areas(plan_id)]
    return max(numbers, default=0) + 1


async def _check_area(plan_id: int, details: AreaDetails, *, exclude_id: int | None = None) -> dict[str, Any]:
    if details.number is None or not 1 <= details.number <= 999:
        raise PlanError("number", "Enter the area's number as a whole number, like 2")
    title = _tidy(details.title)
    if not title:
        raise PlanError("title", "Enter the priority area's title")
    if len(title) > 200:
        raise PlanError("title", "The title must be 200 characters or fewer")
    clash = PriorityArea.exists().where(
        (PriorityArea.plan == plan_id) & (PriorityArea.number == details.number)
    )
    if exclude_id is not None:
        clash = clash.where(PriorityArea.id != exclude_id)
    if await clash:
        raise PlanError("number", f"This plan already has a priority area {details.number}")
    return {"number": details.number, "title": title, "intended_outcome": details.intended_outcome.strip()}


async def create_area(*, plan_id: int, details: AreaDetails, actor: Actor) -> int:
    async with write_transaction():
        _editable(await get_plan(plan_id))
        values = await _check_area(plan_id, details)
        now = _now()
        row = (
            await PriorityArea.insert(
                PriorityArea(plan=plan_id, **values, created_at=now, updated_at=now)
            ).returning(PriorityArea.id)
        )[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="priority_area",
            entity_id=row["id"],
            summary=f"Priority area {values['number']} added to plan {plan_id}",
            after={"plan": plan_id, **values},
        )
    return int(row["id"])


async def update_area(*, area_id: int, details: AreaDetails, actor: Actor) -> None:
    async with write_transaction():
        current = await get_area(area_id)
        if current is None:
            raise PlanError("title", "That priority area no longer exists")
        _editable(await get_plan(current["plan"]))
        values = await _check_area(current["plan"], details, exclude_id=area_id)
        await _save_changes(
            PriorityArea,
            row_id=area_id,
            entity="priority_area",
            current=current,
            values=values,
            summary=f"Priority area {values['number']} updated",
            actor=actor,
        )


# --- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionDetails:
    description: str
    status: str = WorkStatus.NOT_STARTED
    start_date: date | None = None
    # Owner-only: a lead's changes to these are ignored (see update_action).
    priority_area_id: int | None = None
    reference: str = ""
    lead_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)


OWNER_ONLY_ACTION_FIELDS = ("priority_area", "reference", "lead", "partners")


async def get_action(action_id: int) -> dict[str, Any] | None:
    """An action with its plan's status, its area and its partner organisation ids. Two statements."""
    row = await (
        Action.select(
            *Action.all_columns(),
            Action.plan.status.as_alias("plan_status"),
            Action.plan.title.as_alias("plan_title"),
            Action.plan.require_date_approval.as_alias("require_date_approval"),
            Action.priority_area.number.as_alias("area_number"),
            Action.priority_area.title.as_alias("area_title"),
        )
        .where(Action.id == action_id)
        .first()
    )
    if row is not None:
        partners = await ActionPartner.select(ActionPartner.organisation).where(
            ActionPartner.action == action_id
        )
        row["partners"] = sorted(p["organisation"] for p in partners)
    return row


async def next_references(plan_id: int) -> dict[int, str]:
    """The next free action reference in each priority area, such as 2.4 after 2.1, 2.2 and 2.3.
    Two statements."""
    taken = {r["reference"] for r in await Action.select(Action.reference).where(Action.plan == plan_id)}
    suggestions = {}
    for area in await list_areas(plan_id):
        prefix = f"{area['number']}."
        used = [
            int(ref[len(prefix) :])
            for ref in taken
            if ref.startswith(prefix) and ref[len(prefix) :].isdigit()
        ]
        n = max(used, default=0) + 1
        while f"{prefix}{n}" in taken:
            n += 1
        suggestions[area["id"]] = f"{prefix}{n}"
    return suggestions


def _check_status(status: str) -> None:
    if status not in {s.value for s in WorkStatus}:
        raise PlanError("status", "Select the status")


async def _check_action(
    plan_id: int, details: ActionDetails, *, exclude_id: int | None = None, current_lead: int | None = None
) -> dict[str, Any]:
    description = details.description.strip()
    if not description:
        raise PlanError("description", "Describe the action")
    if details.priority_area_id is None or not await PriorityArea.exists().where(
        (PriorityArea.id == details.priority_area_id) & (PriorityArea.plan == plan_id)
    ):
        raise PlanError("priority_area", "Select the priority area the action belongs to")
    reference = _tidy(details.reference)
    if not reference:
        raise PlanError("reference", "Enter the action's reference, for example 2.3")
    if len(reference) > 20:
        raise PlanError("reference", "The reference must be 20 characters or fewer")
    clash = Action.exists().where(Action.plan == plan_id).where(Lower(Action.reference) == reference.lower())
    if exclude_id is not None:
        clash = clash.where(Action.id != exclude_id)
    if await clash:
        raise PlanError("reference", f"Another action in this plan is already {reference}")
    if details.lead_id is None or details.lead_id != current_lead:  # a lead who has left may stay on
        await _check_lead(details.lead_id, field_name="lead", required=True)
    partner_ids = sorted(set(details.partner_ids))
    if partner_ids:
        known = await Organisation.select(Organisation.id).where(Organisation.id.is_in(partner_ids))
        if len(known) != len(partner_ids):
            raise PlanError("partners", "Select partner organisations from the list")
    _check_status(details.status)
    return {
        "priority_area": details.priority_area_id,
        "reference": reference,
        "description": description,
        "lead": details.lead_id,
        "start_date": details.start_date,
        "status": details.status,
        "partners": partner_ids,
    }


async def _set_partners(action_id: int, partner_ids: list[int]) -> None:
    await ActionPartner.delete().where(ActionPartner.action == action_id)
    if partner_ids:
        await ActionPartner.insert(
            *[ActionPartner(action=action_id, organisation=org) for org in partner_ids]
        )


def _check_forecast(start: date | None, forecast: date | None, *, approved: bool) -> None:
    if forecast is None and approved:
        raise PlanError("forecast_date-day", "Enter the forecast date: the plan is approved, so it needs one")
    if start and forecast and forecast < start:
        raise PlanError("forecast_date-day", "The forecast date must be on or after the start date")


async def create_action(
    *, plan_id: int, details: ActionDetails, forecast_date: date | None, actor: Actor
) -> int:
    """A new action; added to an approved plan, its baseline is its first forecast."""
    async with write_transaction():
        plan = _editable(await get_plan(plan_id))
        values = await _check_action(plan_id, details)
        approved = plan["status"] == PlanStatus.APPROVED
        _check_forecast(values["start_date"], forecast_date, approved=approved)
        partners = values.pop("partners")
        position = await Action.count().where(Action.priority_area == values["priority_area"])
        now = _now()
        row = (
            await Action.insert(
                Action(
                    plan=plan_id,
                    **values,
                    position=position,
                    forecast_date=forecast_date,
                    baseline_date=forecast_date if approved else None,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(Action.id)
        )[0]
        await _set_partners(row["id"], partners)
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="action",
            entity_id=row["id"],
            summary=f"Action {values['reference']} added to plan {plan['reference']}",
            after={"plan": plan_id, **values, "partners": partners, "forecast_date": forecast_date},
        )
    return int(row["id"])


async def update_action(*, action_id: int, details: ActionDetails, as_owner: bool, actor: Actor) -> None:
    """Change an action's description, start and status; its area, reference, lead and partners too
    when the plan owner does it (a lead's values for those are ignored). Dates: change_dates."""
    async with write_transaction():
        current = await get_action(action_id)
        if current is None:
            raise PlanError("description", "That action no longer exists")
        _editable(await get_plan(current["plan"]))
        if not as_owner:
            details = ActionDetails(
                description=details.description,
                status=details.status,
                start_date=details.start_date,
                priority_area_id=current["priority_area"],
                reference=current["reference"],
                lead_id=current["lead"],
                partner_ids=current["partners"],
            )
        values = await _check_action(
            current["plan"], details, exclude_id=action_id, current_lead=current["lead"]
        )
        if (
            values["start_date"]
            and current["forecast_date"]
            and current["forecast_date"] < values["start_date"]
        ):
            raise PlanError("start_date-day", "The start date must be on or before the forecast date")
        before, after = audit.changed_fields(current, values)
        if not after:
            return
        partners = values.pop("partners")
        if "partners" in after:
            await _set_partners(action_id, partners)
        if values["priority_area"] != current["priority_area"]:
            values["position"] = await Action.count().where(Action.priority_area == values["priority_area"])
        await Action.update(_stamped(values)).where(Action.id == action_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="action",
            entity_id=action_id,
            summary=f"Action {values['reference']} updated",
            before=before,
            after=after,
        )


# --- milestones ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilestoneDetails:
    title: str
    lead_id: int | None = None  # None: the action's lead leads it
    status: str = WorkStatus.NOT_STARTED


async def get_milestone(milestone_id: int) -> dict[str, Any] | None:
    return await (
        Milestone.select(
            *Milestone.all_columns(),
            Milestone.plan.status.as_alias("plan_status"),
            Milestone.plan.require_date_approval.as_alias("require_date_approval"),
            Milestone.action.reference.as_alias("action_reference"),
            Milestone.action.start_date.as_alias("action_start"),
            Milestone.action.lead.as_alias("action_lead"),
        )
        .where(Milestone.id == milestone_id)
        .first()
    )


async def _check_milestone(details: MilestoneDetails, *, current_lead: int | None = None) -> dict[str, Any]:
    title = _tidy(details.title)
    if not title:
        raise PlanError("title", "Enter what the milestone is")
    if len(title) > 300:
        raise PlanError("title", "The milestone must be 300 characters or fewer")
    if details.lead_id != current_lead:  # a lead who has left may stay on until someone is chosen
        await _check_lead(details.lead_id, field_name="lead", required=False)
    _check_status(details.status)
    return {"title": title, "lead": details.lead_id, "status": details.status}


async def create_milestone(
    *, action_id: int, details: MilestoneDetails, forecast_date: date | None, actor: Actor
) -> int:
    """A new milestone of an action; added to an approved plan, its baseline is its first forecast."""
    async with write_transaction():
        action = await get_action(action_id)
        if action is None:
            raise PlanError("title", "That action no longer exists")
        plan = _editable(await get_plan(action["plan"]))
        values = await _check_milestone(details)
        approved = plan["status"] == PlanStatus.APPROVED
        _check_forecast(None, forecast_date, approved=approved)
        position = await Milestone.count().where(Milestone.action == action_id)
        now = _now()
        row = (
            await Milestone.insert(
                Milestone(
                    plan=action["plan"],
                    action=action_id,
                    **values,
                    position=position,
                    forecast_date=forecast_date,
                    baseline_date=forecast_date if approved else None,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(Milestone.id)
        )[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="milestone",
            entity_id=row["id"],
            summary=f"Milestone “{values['title']}” added to action {action['reference']}",
            after={"action": action_id, **values, "forecast_date": forecast_date},
        )
    return int(row["id"])


async def update_milestone(
    *, milestone_id: int, details: MilestoneDetails, may_change_lead: bool = True, actor: Actor
) -> None:
    """Change a milestone's title, lead and status; its lead stays as it is unless `may_change_lead`
    (the plan owner or the action's lead). Dates: change_dates."""
    async with write_transaction():
        current = await get_milestone(milestone_id)
        if current is None:
            raise PlanError("title", "That milestone no longer exists")
        _editable(await get_plan(current["plan"]))
        if not may_change_lead:
            details = MilestoneDetails(title=details.title, lead_id=current["lead"], status=details.status)
        values = await _check_milestone(details, current_lead=current["lead"])
        await _save_changes(
            Milestone,
            row_id=milestone_id,
            entity="milestone",
            current=current,
            values=values,
            summary=f"Milestone “{values['title']}” updated",
            actor=actor,
        )


# --- dates -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateChange:
    """What change_dates did: the fields changed now, and those waiting for the owner."""

    applied: list[str]
    pending: list[str]

    @property
    def message(self) -> str:
        if not self.applied and not self.pending:
            return "No dates changed"
        parts = []
        if self.applied:
            parts.append(" and ".join(self.applied).capitalize() + " date changed")
        if self.pending:
            parts.append(
                " and ".join(self.pending).capitalize() + " date change sent to the plan owner for approval"
            )
        return "; ".join(parts)


ITEM_TABLES: dict[str, type[Action] | type[Milestone]] = {"action": Action, "milestone": Milestone}


async def change_dates(
    *,
    item: str,
    item_id: int,
    forecast_date: date | None,
    actual_date: date | None,
    reason: str,
    as_owner: bool,
    actor: Actor,
    today: date | None = None,
) -> DateChange:
    """Change an action's or milestone's forecast and actual dates.

    Before approval dates move freely. After it every change needs a reason and is kept as a
    revision; a forecast move by someone other than the owner waits for the owner's decision when
    the plan requires it. An actual date marks the item complete. Baselines never change here.
    """
    table = ITEM_TABLES[item]
    today = today or local_today()
    reason = reason.strip()
    async with write_transaction():
        await _locked(table.select(table.id).where(table.id == item_id))
        current = await (
            table.select(
                table.id,
                table.plan,
                table.forecast_date,
                table.actual_date,
                table.status,
                table.plan.status.as_alias("plan_status"),
                table.plan.require_date_approval.as_alias("require_date_approval"),
                table.plan.reference.as_alias("plan_reference"),
            )
            .where(table.id == item_id)
            .first()
        )
        if current is None:
            raise PlanError("forecast_date-day", f"That {item} no longer exists")
        if current["plan_status"] == PlanStatus.CLOSED:
            raise PlanError("plan", "This plan is closed, so its dates can no longer be changed")
        approved = current["plan_status"] == PlanStatus.APPROVED
        if actual_date is not None and actual_date > today:
            raise PlanError("actual_date-day", "The actual date cannot be in the future")
        _check_forecast(None, forecast_date, approved=approved)
        new = {"forecast_date": forecast_date, "actual_date": actual_date}
        changed = {k: v for k, v in new.items() if current[k] != v}
        if not changed:
            return DateChange(applied=[], pending=[])
        if approved and not reason:
            raise PlanError(
                "reason",
                "Give the reason for changing the date: after approval every date change needs one",
            )
        if approved and "forecast_date" in changed:
            waiting = await DateRevision.exists().where(
                (getattr(DateRevision, item) == item_id)
                & (DateRevision.field == DateField.FORECAST)
                & (DateRevision.status == RevisionStatus.PENDING)
            )
            if waiting:
                raise PlanError(
                    "forecast_date-day",
                    "A change to this forecast date is already waiting for the plan owner's decision",
                )
        hold_forecast = approved and current["require_date_approval"] and not as_owner
        now = _now()
        applied: dict[str, date | None] = {}
        pending: list[str] = []
        revisions = []
        for column, value in changed.items():
            field_name = DateField.FORECAST if column == "forecast_date" else DateField.ACTUAL
            waits = column == "forecast_date" and hold_forecast
            if waits:
                pending.append(field_name.value)
            else:
                applied[column] = value
            if approved:
                revisions.append(
                    DateRevision(
                        plan=current["plan"],
                        field=field_name,
                        old_date=current[column],
                        new_date=value,
                        reason=reason,
                        status=RevisionStatus.PENDING if waits else RevisionStatus.APPLIED,
                        requested_by=actor.staff_id,
                        requested_at=now,
                        action=item_id if item == "action" else None,
                        milestone=item_id if item == "milestone" else None,
                    )
                )
        if revisions:
            await DateRevision.insert(*revisions)
        update: dict[str, Any] = dict(applied)
        if "actual_date" in applied:
            if applied["actual_date"] is not None:
                update["status"] = WorkStatus.COMPLETE
            elif current["status"] == WorkStatus.COMPLETE:
                update["status"] = WorkStatus.IN_PROGRESS
        if update:
            await table.update(_stamped(update, now)).where(table.id == item_id)
        before = {k: current[k] for k in update}
        after: dict[str, Any] = dict(update)
        if pending:
            before["forecast_date"] = current["forecast_date"]
            after["forecast_date_requested"] = forecast_date
        if reason:
            after["reason"] = reason
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity=item,
            entity_id=item_id,
            summary=(
                f"Dates of {item} {item_id} in plan {current['plan_reference']}: "
                + ", ".join(
                    f"{c.removesuffix('_date')} {_label(current[c])} → {_label(v)}"
                    + (" (waiting for approval)" if c == "forecast_date" and hold_forecast else "")
                    for c, v in changed.items()
                )
                + (f". Reason: {reason}" if reason else "")
            ),
            before=before,
            after=after,
        )
    labels = {"forecast_date": "forecast", "actual_date": "actual"}
    return DateChange(applied=[labels[c] for c in applied], pending=pending)


async def pending_revisions(plan_id: int) -> list[dict[str, Any]]:
    """Forecast moves waiting for the plan owner, oldest first, with what each is for. One statement."""
    return await (
        DateRevision.select(
            DateRevision.id,
            DateRevision.action,
            DateRevision.milestone,
            DateRevision.field,
            DateRevision.old_date,
            DateRevision.new_date,
            DateRevision.reason,
            DateRevision.requested_at,
            DateRevision.requested_by.full_name.as_alias("requested_by_name"),
            DateRevision.action.reference.as_alias("action_reference"),
            DateRevision.milestone.title.as_alias("milestone_title"),
            # Piccolo types a two-step join as Column | Any.
            DateRevision.milestone.action.reference.as_alias("milestone_action_reference"),  # type: ignore[union-attr]
            DateRevision.milestone.baseline_date.as_alias("milestone_baseline"),
            DateRevision.action.baseline_date.as_alias("action_baseline"),
        )
        .where((DateRevision.plan == plan_id) & (DateRevision.status == RevisionStatus.PENDING))
        .order_by(DateRevision.requested_at)
    )


async def pending_for_item(*, item: str, item_id: int) -> list[dict[str, Any]]:
    """Date changes of one action or milestone waiting for the plan owner. One statement."""
    return await (
        DateRevision.select(
            DateRevision.field,
            DateRevision.new_date,
            DateRevision.reason,
            DateRevision.requested_at,
            DateRevision.requested_by.full_name.as_alias("requested_by_name"),
        )
        .where((getattr(DateRevision, item) == item_id) & (DateRevision.status == RevisionStatus.PENDING))
        .order_by(DateRevision.requested_at)
    )


async def recent_decisions(plan_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """The owner's latest decisions on date requests, newest first. One statement."""
    return await (
        DateRevision.select(
            DateRevision.id,
            DateRevision.field,
            DateRevision.old_date,
            DateRevision.new_date,
            DateRevision.status,
            DateRevision.decided_at,
            DateRevision.decision_note,
            DateRevision.action.reference.as_alias("action_reference"),
            DateRevision.milestone.title.as_alias("milestone_title"),
            DateRevision.requested_by.full_name.as_alias("requested_by_name"),
        )
        .where((DateRevision.plan == plan_id) & DateRevision.decided_at.is_not_null())
        .order_by(DateRevision.decided_at, ascending=False)
        .limit(limit)
    )


async def revision_plan_id(revision_id: int) -> int | None:
    row = await DateRevision.select(DateRevision.plan).where(DateRevision.id == revision_id).first()
    return None if row is None else int(row["plan"])


async def decide_revision(*, revision_id: int, approve: bool | None, note: str, actor: Actor) -> str:
    """The plan owner approves (the date changes) or rejects (it does not) a waiting date change."""
    note = note.strip()
    if approve is None:
        raise PlanError("decision", "Select whether to approve or reject the change")
    if not approve and not note:
        raise PlanError("note", "Say why you are rejecting the change")
    async with write_transaction():
        revision = await _locked(DateRevision.select().where(DateRevision.id == revision_id)).first()
        if revision is None:
            raise PlanError("decision", "That date change no longer exists")
        plan = await get_plan(revision["plan"])
        if plan is None or plan["status"] == PlanStatus.CLOSED:
            raise PlanError("decision", "This plan is closed, so its dates can no longer be changed")
        if revision["status"] != RevisionStatus.PENDING:
            raise PlanError("decision", "This change has already been decided")
        item = "action" if revision["action"] is not None else "milestone"
        table = ITEM_TABLES[item]
        item_id = revision[item]
        column = "forecast_date" if revision["field"] == DateField.FORECAST else "actual_date"
        now = _now()
        status = RevisionStatus.APPLIED if approve else RevisionStatus.REJECTED
        await DateRevision.update(
            {
                DateRevision.status: status,
                DateRevision.decided_by: actor.staff_id,
                DateRevision.decided_at: now,
                DateRevision.decision_note: note,
            }
        ).where(DateRevision.id == revision_id)
        current = await table.select(getattr(table, column)).where(table.id == item_id).first()
        if approve:
            await table.update({column: revision["new_date"], "updated_at": now}).where(table.id == item_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity=item,
            entity_id=item_id,
            summary=(
                f"Date change {'approved' if approve else 'rejected'}: {revision['field']} "
                f"{_label(revision['old_date'])} → {_label(revision['new_date'])}"
                + (f". Note: {note}" if note else "")
            ),
            before={column: current[column] if current else None, "revision_status": revision["status"]},
            after={
                column: revision["new_date"] if approve else (current[column] if current else None),
                "revision_status": status,
            },
        )
    return "Date change approved" if approve else "Date change rejected"
