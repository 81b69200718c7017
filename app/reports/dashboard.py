"""The leaders' dashboard: the board report as it stands today, built live and never stored.

The figures come from `reports.data.build_report` (the same function a snapshot uses, so the dashboard
and the board paper agree); the charts are drawn in the reports' worker process (app.reports.files), so
the server's own process stays free for other pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from action_plans.tables import Plan, PriorityArea
from app.enums import Cadence
from app.reports import boards as boards_service
from app.reports import snapshots
from app.reports.data import build_report, current_period_end, report_period
from app.reports.files import draw_charts
from app.reports.model import decode
from app.tables import Organisation


async def _choices() -> dict[str, list[dict[str, Any]]]:
    plans = await Plan.select(Plan.id, Plan.reference, Plan.title, Plan.board).order_by(Plan.reference)
    areas = await (
        PriorityArea.select(
            PriorityArea.id,
            PriorityArea.number,
            PriorityArea.title,
            PriorityArea.plan,
            PriorityArea.plan.reference.as_alias("plan_reference"),
        )
        .order_by(PriorityArea.plan.reference)
        .order_by(PriorityArea.number)
    )
    organisations = await (
        Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.active == True)  # noqa: E712
        .order_by(Organisation.name)
    )
    return {"plans": plans, "areas": areas, "organisations": organisations}


async def dashboard(
    *,
    board_id: int | None,
    plan_id: int | None,
    area_id: int | None,
    organisation_id: int | None,
    today: date,
    period_end: date | None = None,
    viewer: str = "",
) -> dict[str, Any]:
    """The dashboard's context: the live report for the period `today` falls in (or one of the four
    before it, to set beside that period's board paper), for the chosen board (the first active board
    when none is chosen), narrowed to a plan, priority area or organisation."""
    boards = await boards_service.board_choices()
    choices = await _choices()
    known = {b["id"] for b in boards}
    if board_id not in known:
        board_id = boards[0]["id"] if boards else None
    plans = [p for p in choices["plans"] if p["board"] == board_id]
    plan_ids = {p["id"] for p in plans}
    if plan_id not in plan_ids:
        plan_id = None
    areas = [
        a for a in choices["areas"] if a["plan"] in plan_ids and (plan_id is None or a["plan"] == plan_id)
    ]
    if area_id not in {a["id"] for a in areas}:
        area_id = None
    if organisation_id not in {o["id"] for o in choices["organisations"]}:
        organisation_id = None
    context: dict[str, Any] = {
        "boards": boards,
        "plans": plans,
        "areas": areas,
        "organisations": choices["organisations"],
        "selected": {"board": board_id, "plan": plan_id, "area": area_id, "organisation": organisation_id},
        "periods": [],
        "data": None,
        "charts": [],
    }
    if board_id is None:
        return context
    cadence = Cadence(next(b["cadence"] for b in boards if b["id"] == board_id))
    periods = [report_period(cadence=cadence, period_end=current_period_end(cadence=cadence, today=today))]
    for _ in range(4):
        periods.append(report_period(cadence=cadence, period_end=periods[-1].start - timedelta(days=1)))
    if period_end not in {p.end for p in periods}:
        period_end = periods[0].end
    context["periods"] = periods
    context["selected"]["period_end"] = period_end
    # The whole board's figures compare with its latest report, as its next report will; a narrowed
    # view would only show the filter as change, so it has none.
    row = None
    if plan_id is None and area_id is None and organisation_id is None:
        row = await snapshots.previous_snapshot(board_id=board_id, period_end=period_end, before_id=None)
    data = await build_report(
        board_id=board_id,
        period_end=period_end,
        previous=decode(row["data"]) if row else None,
        generated_by=viewer or "Live dashboard",
        plan_ids=[plan_id] if plan_id else None,
        area_ids=[area_id] if area_id else None,
        organisation_ids=[organisation_id] if organisation_id else None,
        now=datetime.now(UTC),
    )
    if row is not None:
        data = msgspec.structs.replace(data, previous_snapshot_id=row["id"])
    context["data"] = data
    context["charts"] = await draw_charts(data)
    return context
