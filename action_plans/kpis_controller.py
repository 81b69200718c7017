"""Pages for a plan's success measures: the list with latest values, one measure's data by period,
defining a measure, adding the statutory EHCP measures, and recording a value for a period."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from action_plans import kpis
from action_plans.enums import KpiDirection, KpiUnit, PlanStatus
from action_plans.kpi_chart import kpi_chart
from action_plans.kpi_templates import TEMPLATES
from action_plans.kpis import KpiDetails, KpiError, KpiStatus, KpiSummary, Reading
from action_plans.permissions import PlanAccess, require_plan_access
from app.accounts.access import CurrentUser, actor_of, signed_in
from app.web.flash import flash
from app.web.forms import error_context, optional_int, parse_date_parts, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
DATE_PARTS = ("day", "month", "year")
DATE_FIELDS = ("target_date", "period_end")
NUMBER = re.compile(r"-?\d+(\.\d+)?")

UNIT_ITEMS = [
    {"value": KpiUnit.PERCENT.value, "text": "Percentage (%)"},
    {"value": KpiUnit.COUNT.value, "text": "Count"},
    {"value": KpiUnit.DAYS.value, "text": "Days"},
]
DIRECTION_ITEMS = [
    {"value": KpiDirection.HIGHER.value, "text": "Higher is better", "hint": "For example, reviews on time"},
    {
        "value": KpiDirection.LOWER.value,
        "text": "Lower is better",
        "hint": "For example, days to issue a plan",
    },
]
# What each status word means, shown beside the table so colour is never the only signal.
STATUS_LEGEND = [
    (KpiStatus.MEETS_TARGET, "the latest value is at or better than the target."),
    (KpiStatus.OFF_TARGET, "the latest value is worse than the target."),
    (KpiStatus.OFF_THRESHOLD, "the latest value is worse than the legal duty (a breach for some children)."),
    (KpiStatus.MEETS_THRESHOLD, "no target is set, and the latest value meets the legal duty."),
    (KpiStatus.NO_TARGET, "a value is recorded, but no target or threshold is set."),
    (KpiStatus.NO_DATA, "no value has been recorded yet."),
]


def _user(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = request.scope["user"]
    return user


def _redirect(request: Request[Any, Any, Any], path: str, message: str, *, kind: str = "success") -> Redirect:
    return flash(Redirect(path, status_code=303), request.app.state.settings.secret_key, message, kind=kind)


def _field(field: str) -> str:
    """The form field an error links to: the day box of a date input."""
    return f"{field}-day" if field in DATE_FIELDS else field


def _number(data: dict[str, Any], name: str, label: str, *, whole: bool = False) -> float | None:
    """A number typed in a form ("95", "87.5", "87.5%", "1,200"); None when left blank."""
    raw = text(data, name).replace(",", "").removesuffix("%").strip()
    if not raw:
        return None
    if not NUMBER.fullmatch(raw) or (whole and "." in raw):
        kind = "a whole number, like 45" if whole else "a number, like 95 or 87.5"
        raise KpiError(name, f"Enter {label} as {kind}")
    return float(raw)


def _whole(data: dict[str, Any], name: str, label: str) -> int | None:
    value = _number(data, name, label, whole=True)
    return None if value is None else int(value)


async def _kpi_access(request: Request[Any, Any, Any], kpi_id: int) -> tuple[int, PlanAccess]:
    plan_id = await kpis.kpi_plan_id(kpi_id)
    if plan_id is None:
        raise NotFoundException("No such success measure")
    return plan_id, await require_plan_access(user=_user(request), plan_id=plan_id)


def _require_owner(access: PlanAccess) -> None:
    if not access.can_manage:
        raise PermissionDeniedException("Only the plan owner can change its success measures")


def _may_record(access: PlanAccess, action_id: int | None) -> bool:
    """The plan owner records any measure; an action's lead records the measures of their action."""
    return access.can_manage or (action_id is not None and access.can_update_action(action_id))


# --- the KPI definition form -------------------------------------------------------------------


def _kpi_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": text(data, "name"),
        "description": str(data.get("description", "")).strip(),
        "unit": text(data, "unit"),
        "direction": text(data, "direction"),
        "action": optional_int(text(data, "action")),
        "baseline_value": text(data, "baseline_value"),
        "target_value": text(data, "target_value"),
        "target_date_parts": {p: text(data, f"target_date-{p}") for p in DATE_PARTS},
        "statutory_threshold": text(data, "statutory_threshold"),
    }


def _kpi_details(values: dict[str, Any], data: dict[str, Any]) -> KpiDetails:
    target_date, problem = parse_date_parts(data, "target_date")
    if problem:
        raise KpiError("target_date", f"The target date {problem}")
    return KpiDetails(
        name=values["name"],
        description=values["description"],
        unit=values["unit"],
        direction=values["direction"],
        action_id=values["action"],
        baseline_value=_number(data, "baseline_value", "the baseline"),
        target_value=_number(data, "target_value", "the target"),
        target_date=target_date,
        statutory_threshold=_number(data, "statutory_threshold", "the statutory threshold"),
    )


def _shown_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def _values_of(summary: KpiSummary) -> dict[str, Any]:
    target_date = summary.target_date
    return {
        "name": summary.name,
        "description": summary.description,
        "unit": summary.unit.value,
        "direction": summary.direction.value,
        "action": summary.action_id,
        "baseline_value": _shown_number(summary.baseline_value),
        "target_value": _shown_number(summary.target_value),
        "target_date_parts": {
            "day": target_date.day if target_date else "",
            "month": target_date.month if target_date else "",
            "year": target_date.year if target_date else "",
        },
        "statutory_threshold": _shown_number(summary.statutory_threshold),
    }


async def _kpi_form(
    *,
    plan: dict[str, Any],
    kpi_id: int | None,
    values: dict[str, Any],
    errors: dict[str, str],
    has_data: bool = False,
) -> Template:
    return Template(
        "action_plans/kpi_form.html",
        context={
            "title": "Change a success measure" if kpi_id else "Add a success measure",
            "action_url": f"/kpis/{kpi_id}/edit" if kpi_id else f"/plans/{plan['id']}/kpis/new",
            "back_url": f"/kpis/{kpi_id}" if kpi_id else f"/plans/{plan['id']}/kpis",
            "plan": plan,
            "values": values,
            "units": UNIT_ITEMS,
            "directions": DIRECTION_ITEMS,
            "actions": await kpis.plan_actions(plan["id"]),
            "has_data": has_data,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


# --- the data point form -----------------------------------------------------------------------


def _reading_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "period_end_parts": {p: text(data, f"period_end-{p}") for p in DATE_PARTS},
        "value": text(data, "value"),
        "numerator": text(data, "numerator"),
        "denominator": text(data, "denominator"),
        "note": str(data.get("note", "")).strip(),
    }


def _reading(values: dict[str, Any], data: dict[str, Any]) -> Reading:
    period_end, problem = parse_date_parts(data, "period_end")
    if problem:
        raise KpiError("period_end", f"The end of the period {problem}")
    return Reading(
        period_end=period_end,
        value=_number(data, "value", "the value"),
        numerator=_whole(data, "numerator", "how many met the measure"),
        denominator=_whole(data, "denominator", "the total"),
        note=values["note"],
    )


def _data_form(
    *, summary: KpiSummary, plan: dict[str, Any], values: dict[str, Any], errors: dict[str, str]
) -> Template:
    return Template(
        "action_plans/kpi_data_form.html",
        context={
            "title": f"Record a value: {summary.name}",
            "kpi": summary,
            "plan": plan,
            "values": values,
            "is_percent": summary.unit == KpiUnit.PERCENT,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


class KpisController(Controller):
    """Everyone here is signed in; each handler then asks action_plans.permissions about the plan."""

    opt = signed_in()

    @get("/plans/{plan_id:int}/kpis")
    async def index(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Template:
        access = await require_plan_access(user=_user(request), plan_id=plan_id)
        plan = await kpis.plan_heading(plan_id)
        if plan is None:
            raise NotFoundException("No such plan")
        summaries = await kpis.plan_kpis(plan_id=plan_id)
        have = {s.template_key for s in summaries}
        open_plan = plan["status"] != PlanStatus.CLOSED
        return Template(
            "action_plans/kpis.html",
            context={
                "title": f"Success measures: {plan['title']}",
                "plan": plan,
                "kpis": summaries,
                "can_manage": access.can_manage and open_plan,
                "can_record": {s.id: open_plan and _may_record(access, s.action_id) for s in summaries},
                "missing_templates": [t for t in TEMPLATES if t.key not in have],
                "status_legend": STATUS_LEGEND,
            },
        )

    @post("/plans/{plan_id:int}/kpis/statutory", status_code=303)
    async def add_statutory(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Redirect:
        _require_owner(await require_plan_access(user=_user(request), plan_id=plan_id))
        try:
            added = await kpis.add_statutory_kpis(plan_id=plan_id, actor=actor_of(request))
        except KpiError as exc:
            return _redirect(request, f"/plans/{plan_id}/kpis", exc.message, kind="important")
        if not added:
            message = "The plan already has every statutory EHCP measure"
        else:
            message = f"{len(added)} statutory EHCP measure{'s' if len(added) != 1 else ''} added"
        return _redirect(request, f"/plans/{plan_id}/kpis", message)

    @get("/plans/{plan_id:int}/kpis/new")
    async def new(
        self, request: Request[Any, Any, Any], plan_id: FromPath[int], action: FromQuery[int | None] = None
    ) -> Template:
        _require_owner(await require_plan_access(user=_user(request), plan_id=plan_id))
        plan = await kpis.plan_heading(plan_id)
        if plan is None:
            raise NotFoundException("No such plan")
        values = {"unit": KpiUnit.PERCENT.value, "direction": KpiDirection.HIGHER.value, "action": action}
        return await _kpi_form(plan=plan, kpi_id=None, values=values, errors={})

    @post("/plans/{plan_id:int}/kpis/new", status_code=303)
    async def create(
        self, request: Request[Any, Any, Any], plan_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        _require_owner(await require_plan_access(user=_user(request), plan_id=plan_id))
        plan = await kpis.plan_heading(plan_id)
        if plan is None:
            raise NotFoundException("No such plan")
        values = _kpi_values(data)
        try:
            kpi_id = await kpis.create_kpi(
                plan_id=plan_id, details=_kpi_details(values, data), actor=actor_of(request)
            )
        except KpiError as exc:
            return await _kpi_form(
                plan=plan, kpi_id=None, values=values, errors={_field(exc.field): exc.message}
            )
        return _redirect(request, f"/kpis/{kpi_id}", f"{values['name']} added")

    @get("/kpis/{kpi_id:int}")
    async def show(self, request: Request[Any, Any, Any], kpi_id: FromPath[int]) -> Template:
        plan_id, access = await _kpi_access(request, kpi_id)
        summary = await kpis.kpi_summary(kpi_id=kpi_id)
        plan = await kpis.plan_heading(plan_id)
        if summary is None or plan is None:
            raise NotFoundException("No such success measure")
        open_plan = plan["status"] != PlanStatus.CLOSED
        return Template(
            "action_plans/kpi.html",
            context={
                "title": summary.name,
                "kpi": summary,
                "plan": plan,
                "points": list(reversed(summary.points)),  # newest first
                "can_manage": access.can_manage and open_plan,
                "can_record": _may_record(access, summary.action_id) and open_plan,
                "status_legend": STATUS_LEGEND,
            },
        )

    @get("/kpis/{kpi_id:int}/chart.svg")
    async def chart(self, request: Request[Any, Any, Any], kpi_id: FromPath[int]) -> Response[bytes]:
        """The values by period as a line chart, above the same values as a table on the measure's page."""
        await _kpi_access(request, kpi_id)
        summary = await kpis.kpi_summary(kpi_id=kpi_id)
        if summary is None:
            raise NotFoundException("No such success measure")
        svg = await anyio.to_thread.run_sync(kpi_chart, summary)
        return Response(svg, media_type="image/svg+xml")

    @get("/kpis/{kpi_id:int}/edit")
    async def edit(self, request: Request[Any, Any, Any], kpi_id: FromPath[int]) -> Template:
        plan_id, access = await _kpi_access(request, kpi_id)
        _require_owner(access)
        summary = await kpis.kpi_summary(kpi_id=kpi_id)
        plan = await kpis.plan_heading(plan_id)
        if summary is None or plan is None:
            raise NotFoundException("No such success measure")
        return await _kpi_form(
            plan=plan, kpi_id=kpi_id, values=_values_of(summary), errors={}, has_data=bool(summary.points)
        )

    @post("/kpis/{kpi_id:int}/edit", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], kpi_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        plan_id, access = await _kpi_access(request, kpi_id)
        _require_owner(access)
        values = _kpi_values(data)
        try:
            await kpis.update_kpi(kpi_id=kpi_id, details=_kpi_details(values, data), actor=actor_of(request))
        except KpiError as exc:
            plan = await kpis.plan_heading(plan_id)
            summary = await kpis.kpi_summary(kpi_id=kpi_id)
            if plan is None or summary is None:
                raise NotFoundException("No such success measure") from exc
            return await _kpi_form(
                plan=plan,
                kpi_id=kpi_id,
                values=values,
                errors={_field(exc.field): exc.message},
                has_data=bool(summary.points),
            )
        return _redirect(request, f"/kpis/{kpi_id}", f"{values['name']} updated")

    @get("/kpis/{kpi_id:int}/data")
    async def new_data(
        self, request: Request[Any, Any, Any], kpi_id: FromPath[int], period: FromQuery[date | None] = None
    ) -> Template:
        plan_id, access = await _kpi_access(request, kpi_id)
        summary = await kpis.kpi_summary(kpi_id=kpi_id)
        plan = await kpis.plan_heading(plan_id)
        if summary is None or plan is None:
            raise NotFoundException("No such success measure")
        if not _may_record(access, summary.action_id):
            raise PermissionDeniedException("Only the plan owner or the action's lead can record values")
        values: dict[str, Any] = {"period_end_parts": {}}
        # ?period=YYYY-MM-DD opens the value already recorded for that period, to correct it.
        existing = next((p for p in summary.points if p.period_end == period), None)
        if existing is not None:
            values = {
                "period_end_parts": {
                    "day": existing.period_end.day,
                    "month": existing.period_end.month,
                    "year": existing.period_end.year,
                },
                "value": "" if existing.numerator is not None else _shown_number(existing.value),
                "numerator": "" if existing.numerator is None else str(existing.numerator),
                "denominator": "" if existing.denominator is None else str(existing.denominator),
                "note": existing.note,
            }
        return _data_form(summary=summary, plan=plan, values=values, errors={})

    @post("/kpis/{kpi_id:int}/data", status_code=303)
    async def record_data(
        self, request: Request[Any, Any, Any], kpi_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        plan_id, access = await _kpi_access(request, kpi_id)
        summary = await kpis.kpi_summary(kpi_id=kpi_id)
        if summary is None:
            raise NotFoundException("No such success measure")
        if not _may_record(access, summary.action_id):
            raise PermissionDeniedException("Only the plan owner or the action's lead can record values")
        values = _reading_values(data)
        try:
            reading = _reading(values, data)
            await kpis.record_data_point(
                kpi_id=kpi_id, reading=reading, actor=actor_of(request), today=date.today()
            )
        except KpiError as exc:
            plan = await kpis.plan_heading(plan_id)
            if plan is None:
                raise NotFoundException("No such plan") from exc
            return _data_form(
                summary=summary, plan=plan, values=values, errors={_field(exc.field): exc.message}
            )
        assert reading.period_end is not None  # record_data_point refuses a reading without one
        return _redirect(
            request, f"/kpis/{kpi_id}", f"Value for the period ending {reading.period_end:%-d %B %Y} saved"
        )

    @get("/kpi-points/{point_id:int}/delete")
    async def confirm_delete(self, request: Request[Any, Any, Any], point_id: FromPath[int]) -> Template:
        point = await _point_for_change(request, point_id)
        summary = await kpis.kpi_summary(kpi_id=point["kpi"])
        if summary is None:
            raise NotFoundException("No such success measure")
        shown = next((p for p in summary.points if p.id == point_id), None)
        return Template(
            "action_plans/kpi_point_delete.html",
            context={
                "title": f"Delete the value for the period ending {point['period_end']:%-d %B %Y}",
                "kpi": summary,
                "point": shown,
                "point_id": point_id,
            },
        )

    @post("/kpi-points/{point_id:int}/delete", status_code=303)
    async def delete(self, request: Request[Any, Any, Any], point_id: FromPath[int]) -> Redirect:
        point = await _point_for_change(request, point_id)
        try:
            await kpis.delete_data_point(point_id=point_id, actor=actor_of(request))
        except KpiError as exc:
            return _redirect(request, f"/kpis/{point['kpi']}", exc.message, kind="important")
        return _redirect(
            request,
            f"/kpis/{point['kpi']}",
            f"Value for the period ending {point['period_end']:%-d %B %Y} deleted",
        )


async def _point_for_change(request: Request[Any, Any, Any], point_id: int) -> dict[str, Any]:
    """The data point, once the person is known to be allowed to change it (404, then 403)."""
    point = await kpis.point_kpi(point_id)
    if point is None:
        raise NotFoundException("No such value")
    access = await require_plan_access(user=_user(request), plan_id=point["plan"])
    if not _may_record(access, point["action"]):
        raise PermissionDeniedException("Only the plan owner or the action's lead can change values")
    return point
