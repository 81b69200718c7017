"""Pages that build a plan and move its dates: plan, area, action and milestone forms, approval,
date changes, and the owner's decisions on date changes waiting for approval."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from action_plans import plans
from action_plans.enums import PlanOrigin, PlanStatus, WorkStatus
from action_plans.permissions import PlanAccess, plan_access
from action_plans.plans import ActionDetails, AreaDetails, MilestoneDetails, PlanDetails, PlanError
from action_plans.rag import slippage_days
from app.accounts.access import actor_of, roles, signed_in
from app.enums import Role
from app.reports.boards import board_choices
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, parse_date_parts, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
DATE_PARTS = ("day", "month", "year")
ORIGINS = [{"value": o.value, "text": o.label} for o in PlanOrigin]
STATUSES = [{"value": s.value, "text": s.label} for s in WorkStatus]


# --- access ----------------------------------------------------------------------------------


async def _access(request: Request[Any, Any, Any], plan_id: int) -> PlanAccess:
    access = await plan_access(user=request.scope["user"], plan_id=plan_id)
    if access is None:
        raise NotFoundException("No such plan")
    return access


def _allow(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDeniedException(message)


def _open(plan_status: str) -> None:
    if plan_status == PlanStatus.CLOSED:
        raise PermissionDeniedException("This plan is closed, so it can no longer be changed")


async def _plan(plan_id: int) -> dict[str, Any]:
    plan = await plans.get_plan(plan_id)
    if plan is None:
        raise NotFoundException("No such plan")
    return plan


async def _owned_plan(request: Request[Any, Any, Any], plan_id: int) -> dict[str, Any]:
    """A plan the signed-in person owns and may still change: 404, then 403 otherwise."""
    access = await _access(request, plan_id)
    _allow(access.can_manage, "Only the plan owner can do this")
    plan = await _plan(plan_id)
    _open(plan["status"])
    return plan


async def _action(request: Request[Any, Any, Any], action_id: int) -> tuple[dict[str, Any], PlanAccess]:
    """An action the signed-in person may update (its plan's owner or its lead) in an open plan."""
    action = await plans.get_action(action_id)
    if action is None:
        raise NotFoundException("No such action")
    access = await _access(request, action["plan"])
    _allow(access.can_update_action(action_id), "Only the plan owner or the action's lead can do this")
    _open(action["plan_status"])
    return action, access


async def _milestone(request: Request[Any, Any, Any], milestone_id: int) -> tuple[dict[str, Any], PlanAccess]:
    milestone = await plans.get_milestone(milestone_id)
    if milestone is None:
        raise NotFoundException("No such milestone")
    access = await _access(request, milestone["plan"])
    _allow(
        access.can_update_milestone(milestone_id),
        "Only the plan owner or the milestone's lead can do this",
    )
    _open(milestone["plan_status"])
    return milestone, access


def _done(request: Request[Any, Any, Any], path: str, message: str) -> Redirect:
    return flash(Redirect(path, status_code=303), request.app.state.settings.secret_key, message)


# --- form values -----------------------------------------------------------------------------


def _parts(data: dict[str, Any], name: str) -> dict[str, str]:
    return {p: text(data, f"{name}-{p}") for p in DATE_PARTS}


def _parts_of(value: date | None) -> dict[str, Any]:
    return {"day": value.day, "month": value.month, "year": value.year} if value else {}


def _date(data: dict[str, Any], name: str, label: str, errors: dict[str, str]) -> date | None:
    value, problem = parse_date_parts(data, name)
    if problem:
        errors[f"{name}-day"] = f"{label} {problem}"
    return value


def _whole(data: dict[str, Any], name: str, label: str, errors: dict[str, str]) -> int:
    value = optional_int(text(data, name))
    if value is None:
        errors[name] = f"Enter {label} as a whole number"
        return 0
    return value


def _form(template: str, *, errors: dict[str, str], **context: Any) -> Template:
    return Template(
        f"action_plans/{template}",
        context={**context, **error_context(errors)},
        status_code=400 if errors else 200,
    )


# --- plans -----------------------------------------------------------------------------------


def _plan_values(plan: dict[str, Any]) -> dict[str, Any]:
    return {
        **plan,
        "owner": plan["owner"],
        "start_date": _parts_of(plan["start_date"]),
        "end_date": _parts_of(plan["end_date"]),
    }


def _read_plan(data: dict[str, Any], errors: dict[str, str]) -> tuple[dict[str, Any], PlanDetails]:
    values: dict[str, Any] = {
        "title": text(data, "title"),
        "reference": text(data, "reference"),
        "origin": text(data, "origin"),
        "description": str(data.get("description", "")).strip(),
        "owner": optional_int(text(data, "owner")),
        "board": optional_int(text(data, "board")),
        "start_date": _parts(data, "start_date"),
        "end_date": _parts(data, "end_date"),
        "require_date_approval": text(data, "require_date_approval") == "yes",
        "require_evidence": text(data, "require_evidence") == "yes",
        "slip_tolerance_days": text(data, "slip_tolerance_days"),
        "progress_tolerance_points": text(data, "progress_tolerance_points"),
        "close": text(data, "close") == "yes",
    }
    details = PlanDetails(
        title=values["title"],
        reference=values["reference"],
        origin=values["origin"],
        owner_id=values["owner"],
        description=values["description"],
        board_id=values["board"],
        start_date=_date(data, "start_date", "The start date", errors),
        end_date=_date(data, "end_date", "The end date", errors),
        require_date_approval=values["require_date_approval"],
        require_evidence=values["require_evidence"],
        slip_tolerance_days=_whole(data, "slip_tolerance_days", "the slippage tolerance in days", errors),
        progress_tolerance_points=_whole(
            data, "progress_tolerance_points", "the progress tolerance in points", errors
        ),
    )
    return values, details


async def _plan_form(
    *, title: str, action: str, back: str, values: dict[str, Any], errors: dict[str, str], plan: Any = None
) -> Template:
    return _form(
        "plan_form.html",
        errors=errors,
        title=title,
        action=action,
        back=back,
        values=values,
        plan=plan,
        origins=ORIGINS,
        leaders=await plans.leader_choices(),
        boards=await board_choices(include_inactive=True),
    )


# --- the controller --------------------------------------------------------------------------


class PlanStructureController(Controller):
    """Build plans, approve them and move their dates; every handler checks the plan itself."""

    path = "/"
    opt = signed_in()

    @get("/plans/new", opt=roles(Role.LEADER))
    async def new_plan(self, request: Request[Any, Any, Any]) -> Template:
        values = {
            "owner": request.scope["user"].staff_id,
            "origin": "",
            "slip_tolerance_days": 14,
            "progress_tolerance_points": 10,
        }
        return await _plan_form(
            title="Start a plan", action="/plans/new", back="/plans", values=values, errors={}
        )

    @post("/plans/new", opt=roles(Role.LEADER), status_code=303)
    async def create_plan(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        errors: dict[str, str] = {}
        values, details = _read_plan(data, errors)
        if not errors:
            try:
                plan_id = await plans.create_plan(details=details, actor=actor_of(request))
                return _done(request, f"/plans/{plan_id}", f"Plan {details.reference} started")
            except PlanError as exc:
                errors[exc.field] = exc.message
        return await _plan_form(
            title="Start a plan", action="/plans/new", back="/plans", values=values, errors=errors
        )

    @get("/plans/{plan_id:int}/edit")
    async def edit_plan(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template:
        plan = await _owned_plan(request, plan_id)
        return await _plan_form(
            title=f"Change {plan['reference']}",
            action=f"/plans/{plan_id}/edit",
            back=f"/plans/{plan_id}",
            values=_plan_values(plan),
            errors={},
            plan=plan,
        )

    @post("/plans/{plan_id:int}/edit", status_code=303)
    async def update_plan(
        self, request: Request[Any, Any, Any], plan_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        plan = await _owned_plan(request, plan_id)
        errors: dict[str, str] = {}
        values, details = _read_plan(data, errors)
        if not errors:
            try:
                await plans.update_plan(
                    plan_id=plan_id, details=details, close=values["close"], actor=actor_of(request)
                )
                message = "Plan closed" if values["close"] else "Plan updated"
                return _done(request, f"/plans/{plan_id}", message)
            except PlanError as exc:
                errors[exc.field] = exc.message
        return await _plan_form(
            title=f"Change {plan['reference']}",
            action=f"/plans/{plan_id}/edit",
            back=f"/plans/{plan_id}",
            values=values,
            errors=errors,
            plan=plan,
        )

    @get("/plans/{plan_id:int}/approve")
    async def approve_form(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template:
        plan = await _owned_plan(request, plan_id)
        return await _approve_page(plan, errors={})

    @post("/plans/{plan_id:int}/approve", status_code=303)
    async def approve(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template | Redirect:
        plan = await _owned_plan(request, plan_id)
        try:
            check = await plans.approve_plan(plan_id=plan_id, actor=actor_of(request))
        except PlanError as exc:
            return await _approve_page(plan, errors={"approve": exc.message})
        return _done(
            request,
            f"/plans/{plan_id}",
            f"Plan approved: baselines fixed for {check.action_count} actions and "
            f"{check.milestone_count} milestones",
        )

    # --- priority areas ---

    @get("/plans/{plan_id:int}/areas/new")
    async def new_area(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template:
        plan = await _owned_plan(request, plan_id)
        values = {"number": await plans.next_area_number(plan_id)}
        return _area_form(plan, None, values, {})

    @post("/plans/{plan_id:int}/areas/new", status_code=303)
    async def create_area(
        self, request: Request[Any, Any, Any], plan_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        plan = await _owned_plan(request, plan_id)
        values, details = _read_area(data)
        try:
            await plans.create_area(plan_id=plan_id, details=details, actor=actor_of(request))
        except PlanError as exc:
            return _area_form(plan, None, values, {exc.field: exc.message})
        return _done(request, f"/plans/{plan_id}", f"Priority area {details.number} added")

    @get("/areas/{area_id:int}/edit")
    async def edit_area(self, request: Request[Any, Any, Any], area_id: FromPath[int]) -> Template:
        area = await _area(area_id)
        plan = await _owned_plan(request, area["plan"])
        return _area_form(plan, area_id, area, {})

    @post("/areas/{area_id:int}/edit", status_code=303)
    async def update_area(
        self, request: Request[Any, Any, Any], area_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        area = await _area(area_id)
        plan = await _owned_plan(request, area["plan"])
        values, details = _read_area(data)
        try:
            await plans.update_area(area_id=area_id, details=details, actor=actor_of(request))
        except PlanError as exc:
            return _area_form(plan, area_id, values, {exc.field: exc.message})
        return _done(request, f"/plans/{plan['id']}", f"Priority area {details.number} updated")

    # --- actions ---

    @get("/plans/{plan_id:int}/actions/new")
    async def new_action(
        self, request: Request[Any, Any, Any], plan_id: FromPath[int], area: FromQuery[int | None] = None
    ) -> Template:
        plan = await _owned_plan(request, plan_id)
        references = await plans.next_references(plan_id)
        area_id = area if area in references else next(iter(references), None)
        values: dict[str, Any] = {
            "priority_area": area_id,
            "reference": references.get(area_id, "") if area_id else "",
            "status": WorkStatus.NOT_STARTED,
            "partners": [],
        }
        return await _action_form(plan=plan, action=None, values=values, errors={}, as_owner=True)

    @post("/plans/{plan_id:int}/actions/new", status_code=303)
    async def create_action(
        self, request: Request[Any, Any, Any], plan_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        plan = await _owned_plan(request, plan_id)
        errors: dict[str, str] = {}
        values, details = _read_action(data, errors)
        forecast = _date(data, "forecast_date", "The forecast date", errors)
        values["forecast_date"] = _parts(data, "forecast_date")
        if not errors:
            try:
                action_id = await plans.create_action(
                    plan_id=plan_id, details=details, forecast_date=forecast, actor=actor_of(request)
                )
                return _done(request, f"/actions/{action_id}", f"Action {details.reference} added")
            except PlanError as exc:
                errors[exc.field] = exc.message
        return await _action_form(plan=plan, action=None, values=values, errors=errors, as_owner=True)

    @get("/actions/{action_id:int}/edit")
    async def edit_action(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        action, access = await _action(request, action_id)
        values = {**action, "start_date": _parts_of(action["start_date"])}
        return await _action_form(
            plan=await _plan(action["plan"]),
            action=action,
            values=values,
            errors={},
            as_owner=access.is_owner,
        )

    @post("/actions/{action_id:int}/edit", status_code=303)
    async def update_action(
        self, request: Request[Any, Any, Any], action_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        action, access = await _action(request, action_id)
        errors: dict[str, str] = {}
        values, details = _read_action(data, errors)
        if not errors:
            try:
                await plans.update_action(
                    action_id=action_id, details=details, as_owner=access.is_owner, actor=actor_of(request)
                )
                return _done(request, f"/actions/{action_id}", f"Action {action['reference']} updated")
            except PlanError as exc:
                errors[exc.field] = exc.message
        return await _action_form(
            plan=await _plan(action["plan"]),
            action=action,
            values=values,
            errors=errors,
            as_owner=access.is_owner,
        )

    @get("/actions/{action_id:int}/dates")
    async def action_dates(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        action, access = await _action(request, action_id)
        return await _dates_form(item="action", row=action, access=access, values=None, errors={})

    @post("/actions/{action_id:int}/dates", status_code=303)
    async def change_action_dates(
        self, request: Request[Any, Any, Any], action_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        action, access = await _action(request, action_id)
        return await _change_dates(request, item="action", row=action, access=access, data=data)

    # --- milestones ---

    @get("/actions/{action_id:int}/milestones/new")
    async def new_milestone(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        action, _ = await _action(request, action_id)
        values: dict[str, Any] = {"status": WorkStatus.NOT_STARTED, "lead": None}
        return await _milestone_form(
            action=action, milestone=None, values=values, errors={}, may_change_lead=True
        )

    @post("/actions/{action_id:int}/milestones/new", status_code=303)
    async def create_milestone(
        self, request: Request[Any, Any, Any], action_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        action, _ = await _action(request, action_id)
        errors: dict[str, str] = {}
        values, details = _read_milestone(data)
        forecast = _date(data, "forecast_date", "The forecast date", errors)
        values["forecast_date"] = _parts(data, "forecast_date")
        if not errors:
            try:
                milestone_id = await plans.create_milestone(
                    action_id=action_id, details=details, forecast_date=forecast, actor=actor_of(request)
                )
                return _done(request, f"/milestones/{milestone_id}", "Milestone added")
            except PlanError as exc:
                errors[exc.field] = exc.message
        return await _milestone_form(
            action=action, milestone=None, values=values, errors=errors, may_change_lead=True
        )

    @get("/milestones/{milestone_id:int}/edit")
    async def edit_milestone(self, request: Request[Any, Any, Any], milestone_id: FromPath[int]) -> Template:
        milestone, access = await _milestone(request, milestone_id)
        return await _milestone_form(
            action=await _milestone_action(milestone),
            milestone=milestone,
            values=milestone,
            errors={},
            may_change_lead=access.can_update_action(milestone["action"]),
        )

    @post("/milestones/{milestone_id:int}/edit", status_code=303)
    async def update_milestone(
        self, request: Request[Any, Any, Any], milestone_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        milestone, access = await _milestone(request, milestone_id)
        may_change_lead = access.can_update_action(milestone["action"])
        values, details = _read_milestone(data)
        try:
            await plans.update_milestone(
                milestone_id=milestone_id,
                details=details,
                may_change_lead=may_change_lead,
                actor=actor_of(request),
            )
        except PlanError as exc:
            return await _milestone_form(
                action=await _milestone_action(milestone),
                milestone=milestone,
                values=values,
                errors={exc.field: exc.message},
                may_change_lead=may_change_lead,
            )
        return _done(request, f"/milestones/{milestone_id}", "Milestone updated")

    @get("/milestones/{milestone_id:int}/dates")
    async def milestone_dates(self, request: Request[Any, Any, Any], milestone_id: FromPath[int]) -> Template:
        milestone, access = await _milestone(request, milestone_id)
        return await _dates_form(item="milestone", row=milestone, access=access, values=None, errors={})

    @post("/milestones/{milestone_id:int}/dates", status_code=303)
    async def change_milestone_dates(
        self, request: Request[Any, Any, Any], milestone_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        milestone, access = await _milestone(request, milestone_id)
        return await _change_dates(request, item="milestone", row=milestone, access=access, data=data)

    # --- the owner's decisions on date changes ---

    @get("/plans/{plan_id:int}/date-requests")
    async def date_requests(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template:
        access = await _access(request, plan_id)
        _allow(access.can_manage, "Only the plan owner can decide date changes")
        return await _requests_page(await _plan(plan_id), values={}, errors={})

    @post("/revisions/{revision_id:int}/decision", status_code=303)
    async def decide(
        self, request: Request[Any, Any, Any], revision_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        plan_id = await plans.revision_plan_id(revision_id)
        if plan_id is None:
            raise NotFoundException("No such date change")
        access = await _access(request, plan_id)
        _allow(access.can_manage, "Only the plan owner can decide date changes")
        plan = await _plan(plan_id)
        _open(plan["status"])
        decision = text(data, "decision")
        note = str(data.get("note", "")).strip()
        try:
            message = await plans.decide_revision(
                revision_id=revision_id,
                approve={"approve": True, "reject": False}.get(decision),
                note=note,
                actor=actor_of(request),
            )
        except PlanError as exc:
            field = f"{exc.field}-{revision_id}"
            return await _requests_page(
                plan,
                values={"revision": revision_id, "decision": decision, "note": note},
                errors={field: exc.message},
            )
        return _done(request, f"/plans/{plan_id}/date-requests", message)


# --- page builders ---------------------------------------------------------------------------


async def _approve_page(plan: dict[str, Any], *, errors: dict[str, str]) -> Template:
    return _form(
        "approve.html",
        errors=errors,
        title=f"Approve {plan['reference']}",
        plan=plan,
        check=await plans.approval_check(plan["id"]),
    )


async def _area(area_id: int) -> dict[str, Any]:
    area = await plans.get_area(area_id)
    if area is None:
        raise NotFoundException("No such priority area")
    return area


def _read_area(data: dict[str, Any]) -> tuple[dict[str, Any], AreaDetails]:
    values = {
        "number": text(data, "number"),
        "title": text(data, "title"),
        "intended_outcome": str(data.get("intended_outcome", "")).strip(),
    }
    details = AreaDetails(
        number=optional_int(values["number"]),
        title=values["title"],
        intended_outcome=values["intended_outcome"],
    )
    return values, details


def _area_form(
    plan: dict[str, Any], area_id: int | None, values: dict[str, Any], errors: dict[str, str]
) -> Template:
    return _form(
        "area_form.html",
        errors=errors,
        title="Change the priority area" if area_id else f"Add a priority area to {plan['reference']}",
        action=f"/areas/{area_id}/edit" if area_id else f"/plans/{plan['id']}/areas/new",
        plan=plan,
        values=values,
    )


def _read_action(data: dict[str, Any], errors: dict[str, str]) -> tuple[dict[str, Any], ActionDetails]:
    values: dict[str, Any] = {
        "priority_area": optional_int(text(data, "priority_area")),
        "reference": text(data, "reference"),
        "description": str(data.get("description", "")).strip(),
        "lead": optional_int(text(data, "lead")),
        "partners": [p for p in (optional_int(v) for v in many(data, "partners")) if p is not None],
        "start_date": _parts(data, "start_date"),
        "status": text(data, "status") or WorkStatus.NOT_STARTED,
    }
    details = ActionDetails(
        description=values["description"],
        status=values["status"],
        start_date=_date(data, "start_date", "The start date", errors),
        priority_area_id=values["priority_area"],
        reference=values["reference"],
        lead_id=values["lead"],
        partner_ids=values["partners"],
    )
    return values, details


async def _action_form(
    *,
    plan: dict[str, Any],
    action: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, str],
    as_owner: bool,
) -> Template:
    return _form(
        "action_form.html",
        errors=errors,
        title=f"Change action {action['reference']}" if action else f"Add an action to {plan['reference']}",
        action=f"/actions/{action['id']}/edit" if action else f"/plans/{plan['id']}/actions/new",
        back=f"/actions/{action['id']}" if action else f"/plans/{plan['id']}",
        plan=plan,
        item=action,
        values=values,
        as_owner=as_owner,
        areas=await plans.list_areas(plan["id"]),
        references=await plans.next_references(plan["id"]),
        leads=await plans.lead_choices() if as_owner else [],
        organisations=await plans.organisation_choices() if as_owner else [],
        statuses=STATUSES,
    )


async def _milestone_action(milestone: dict[str, Any]) -> dict[str, Any]:
    action = await plans.get_action(milestone["action"])
    assert action is not None  # a milestone goes with its action
    return action


def _read_milestone(data: dict[str, Any]) -> tuple[dict[str, Any], MilestoneDetails]:
    values: dict[str, Any] = {
        "title": text(data, "title"),
        "lead": optional_int(text(data, "lead")),
        "status": text(data, "status") or WorkStatus.NOT_STARTED,
    }
    details = MilestoneDetails(title=values["title"], lead_id=values["lead"], status=values["status"])
    return values, details


async def _milestone_form(
    *,
    action: dict[str, Any],
    milestone: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, str],
    may_change_lead: bool,
) -> Template:
    return _form(
        "milestone_form.html",
        errors=errors,
        title="Change the milestone" if milestone else f"Add a milestone to action {action['reference']}",
        action=f"/milestones/{milestone['id']}/edit"
        if milestone
        else f"/actions/{action['id']}/milestones/new",
        back=f"/milestones/{milestone['id']}" if milestone else f"/actions/{action['id']}",
        parent=action,
        item=milestone,
        values=values,
        may_change_lead=may_change_lead,
        leads=await plans.lead_choices() if may_change_lead else [],
        statuses=STATUSES,
    )


async def _dates_form(
    *,
    item: str,
    row: dict[str, Any],
    access: PlanAccess,
    values: dict[str, Any] | None,
    errors: dict[str, str],
) -> Template:
    approved = row["plan_status"] == PlanStatus.APPROVED
    label = f"action {row['reference']}" if item == "action" else f"milestone “{row['title']}”"
    return _form(
        "dates_form.html",
        errors=errors,
        title=f"Change the dates of {label}",
        action=f"/{item}s/{row['id']}/dates",
        back=f"/{item}s/{row['id']}",
        item=row,
        kind=item,
        approved=approved,
        needs_owner=approved and row["require_date_approval"] and not access.is_owner,
        slippage=slippage_days(row["baseline_date"], row["forecast_date"]),
        waiting=await plans.pending_for_item(item=item, item_id=row["id"]),
        values=values
        or {
            "forecast_date": _parts_of(row["forecast_date"]),
            "actual_date": _parts_of(row["actual_date"]),
            "reason": "",
        },
    )


async def _change_dates(
    request: Request[Any, Any, Any],
    *,
    item: str,
    row: dict[str, Any],
    access: PlanAccess,
    data: FormBody,
) -> Template | Redirect:
    errors: dict[str, str] = {}
    forecast = _date(data, "forecast_date", "The forecast date", errors)
    actual = _date(data, "actual_date", "The actual date", errors)
    reason = str(data.get("reason", "")).strip()
    values = {
        "forecast_date": _parts(data, "forecast_date"),
        "actual_date": _parts(data, "actual_date"),
        "reason": reason,
    }
    if not errors:
        try:
            change = await plans.change_dates(
                item=item,
                item_id=row["id"],
                forecast_date=forecast,
                actual_date=actual,
                reason=reason,
                as_owner=access.is_owner,
                actor=actor_of(request),
            )
            return _done(request, f"/{item}s/{row['id']}", change.message)
        except PlanError as exc:
            errors[exc.field] = exc.message
    return await _dates_form(item=item, row=row, access=access, values=values, errors=errors)


async def _requests_page(plan: dict[str, Any], *, values: dict[str, Any], errors: dict[str, str]) -> Template:
    return _form(
        "date_requests.html",
        errors=errors,
        title=f"Date changes waiting for approval: {plan['reference']}",
        plan=plan,
        pending=await plans.pending_revisions(plan["id"]),
        decided=await plans.recent_decisions(plan["id"]),
        values=values,
    )
