"""Builds the figures of a board report (app.reports.model.ReportData) from the services the live pages
use: action_plans.reporting (RAG through action_plans.status), action_plans.kpis and courses.public.

A constant number of SQL statements whatever the size of the plans or the workforce: every figure is
an SQL aggregate or a count over rows the services already batch.

Definitions, as the report states them:
- The report's date ("as of") is the period's end, or today while the period is still running. RAG,
  KPI values and training compliance are worked out on that date, from the plans as they stand, except
  that an action or milestone completed after that date counts as not yet complete on it.
- A milestone is *due in the period* when its forecast date (its baseline when it has no forecast)
  falls inside the period; cancelled milestones are left out. It is *met* when it has an actual date
  on or before that due date and on or before the period's end; otherwise it is *missed*.
- A milestone is *due next period* when its due date falls in the next period (of the same length)
  and it is neither done nor cancelled.
- An action or milestone has *slipped* when its forecast is later than its baseline (cancelled ones
  are left out); the reason is that of its latest applied forecast revision.
- An action is an *exception* when it is red on the report's date, or *newly slipped*: slipped now and
  not slipped, or slipped by fewer days, in the previous report (every slipped action is new to the
  board in its first report).
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from dateutil.relativedelta import relativedelta

from action_plans.enums import PlanOrigin, PlanStatus, Rag, WorkStatus
from action_plans.kpis import kpi_summaries
from action_plans.rag import slippage_days
from action_plans.reporting import ReportAction, ReportPlans, report_plans
from app.enums import Cadence
from app.reports.compare import changes_between
from app.reports.model import (
    RAGS,
    AreaRag,
    ComplianceRow,
    ComplianceTrendPoint,
    ExceptionItem,
    Headline,
    KpiPoint,
    KpiSeries,
    MilestoneLine,
    Period,
    PlanSummary,
    ReportData,
    SlippageLine,
    TeamOverdue,
)
from app.tables import Board
from courses import public as courses

__all__ = [
    "DEFAULT_TRAINING_COURSE",
    "NOT_RECORDED",
    "ReportError",
    "build_report",
    "current_period_end",
    "last_complete_quarter",
    "report_period",
]

# The EHCP process course the report's training figures are for when no action links a course.
DEFAULT_TRAINING_COURSE = "EHCP-101"
NOT_RECORDED = "Not recorded"


class ReportError(LookupError):
    """There is no such board."""


# --- periods --------------------------------------------------------------------------------------


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _is_month_end(day: date) -> bool:
    return day == _month_end(day)


def _label(start: date, end: date) -> str:
    """ "July to September 2026", "November 2026", "November 2026 to January 2027", or day dates when
    the period does not run from a month's first day to a month's last."""
    if start.day == 1 and _is_month_end(end):
        if (start.year, start.month) == (end.year, end.month):
            return f"{end:%B %Y}"
        if start.year == end.year:
            return f"{start:%B} to {end:%B %Y}"
        return f"{start:%B %Y} to {end:%B %Y}"
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def _period_ending(end: date, months: int) -> Period:
    if _is_month_end(end):
        start = end.replace(day=1) - relativedelta(months=months - 1)
    else:
        start = end - relativedelta(months=months) + timedelta(days=1)
    return Period(start=start, end=end, label=_label(start, end))


def report_period(*, cadence: Cadence, period_end: date) -> Period:
    """The reporting period of a board's cadence that ends on `period_end` (calendar months when it is
    a month's last day: the quarter ending 30 September 2026 is July to September 2026)."""
    return _period_ending(period_end, Cadence(cadence).months)


def _next_period(period: Period, months: int) -> Period:
    if _is_month_end(period.end):
        end = _month_end(period.end + timedelta(days=1) + relativedelta(months=months - 1))
    else:
        end = period.end + relativedelta(months=months)
    return _period_ending(end, months)


def current_period_end(*, cadence: Cadence, today: date) -> date:
    """The last day of the cadence's period that `today` falls in (calendar quarters, pairs of months
    from January, or months): the live dashboard's period, worked out on today's date."""
    months = Cadence(cadence).months
    first = date(today.year, months * ((today.month - 1) // months) + 1, 1)
    return _month_end(first + relativedelta(months=months - 1))


def last_complete_quarter(today: date) -> date:
    """The last day of the latest calendar quarter that ended before `today`."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return quarter_start - timedelta(days=1)


# --- the parts ------------------------------------------------------------------------------------


def _counts(rags: list[Rag]) -> dict[str, int]:
    counts = dict.fromkeys(RAGS, 0)
    for rag in rags:
        counts[rag.value] += 1
    return counts


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "No figures"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _due(row: dict[str, Any]) -> date | None:
    return row["forecast_date"] or row["baseline_date"]


def _milestone_line(plan_reference: str, action: ReportAction, m: Any) -> MilestoneLine:
    return MilestoneLine(
        plan_reference=plan_reference,
        action_reference=action.row["reference"],
        milestone_id=m.row["id"],
        title=m.row["title"],
        lead=m.lead_name,
        baseline_date=m.row["baseline_date"],
        forecast_date=m.row["forecast_date"],
        actual_date=m.row["actual_date"],
        rag=m.assessment.rag.value,
        rag_reason=m.assessment.reason,
    )


def _met(row: dict[str, Any], period: Period) -> bool:
    due = _due(row)
    actual = row["actual_date"]
    return actual is not None and due is not None and actual <= due and actual <= period.end


def _slipped(row: dict[str, Any]) -> int | None:
    """Days the forecast is after the baseline, when it is (None otherwise, or when cancelled)."""
    if row["status"] == WorkStatus.CANCELLED:
        return None
    days = slippage_days(row["baseline_date"], row["forecast_date"])
    return days if days is not None and days > 0 else None


def _slippage(reference: dict[int, str], actions: list[ReportAction]) -> list[SlippageLine]:
    lines = []
    for action in actions:
        plan_reference = reference[action.row["plan"]]
        days = _slipped(action.row)
        if days is not None:
            lines.append(
                SlippageLine(
                    plan_reference=plan_reference,
                    reference=action.row["reference"],
                    kind="action",
                    title=action.row["description"],
                    lead=action.row["lead_name"] or "",
                    baseline_date=action.row["baseline_date"],
                    forecast_date=action.row["forecast_date"],
                    days=days,
                    reason=action.revision_reason,
                )
            )
        for m in action.milestones:
            days = _slipped(m.row)
            if days is not None:
                lines.append(
                    SlippageLine(
                        plan_reference=plan_reference,
                        reference=f"{action.row['reference']} / {m.row['title']}",
                        kind="milestone",
                        title=m.row["title"],
                        lead=m.lead_name,
                        baseline_date=m.row["baseline_date"],
                        forecast_date=m.row["forecast_date"],
                        days=days,
                        reason=m.revision_reason,
                    )
                )
    return lines


def _exceptions(
    reference: dict[int, str], actions: list[ReportAction], previous: ReportData | None
) -> list[ExceptionItem]:
    before: dict[tuple[str, str], int] | None = None
    if previous is not None:
        before = {(s.plan_reference, s.reference): s.days for s in previous.slippage if s.kind == "action"}
    items = []
    for action in actions:
        plan_reference = reference[action.row["plan"]]
        days = _slipped(action.row)
        was = None if before is None else before.get((plan_reference, action.row["reference"]))
        newly = days is not None and (before is None or was is None or was < days)
        if action.status.rag != Rag.RED and not newly:
            continue
        update = action.latest_update or {}
        items.append(
            ExceptionItem(
                plan_reference=plan_reference,
                action_id=action.row["id"],
                reference=action.row["reference"],
                title=action.row["description"],
                lead=action.row["lead_name"] or "",
                rag=action.status.rag.value,
                rag_reason=action.status.assessment.reason,
                newly_slipped=newly,
                slippage_days=action.status.slippage_days,
                cause=action.revision_reason or update.get("narrative", ""),
                impact=update.get("impact", ""),
                recovery_action=update.get("recovery_action", ""),
                decision_requested=update.get("decision_requested", ""),
            )
        )
    return items


def _kpis(reference: dict[int, str], plan_ids: list[int], found: dict[int, list[Any]]) -> list[KpiSeries]:
    series = []
    for plan_id in plan_ids:
        for k in found.get(plan_id, []):
            series.append(
                KpiSeries(
                    kpi_id=k.id,
                    plan_reference=reference[plan_id],
                    name=k.name,
                    unit=k.unit.value,
                    direction=k.direction.value,
                    target=k.target_value,
                    target_date=k.target_date,
                    statutory_threshold=k.statutory_threshold,
                    points=[KpiPoint(period_end=p.period_end, value=p.value) for p in k.points],
                    latest=k.latest.value if k.latest else None,
                    previous=k.previous.value if k.previous else None,
                    status=k.status_word,
                )
            )
    return series


async def _training_course(found: ReportPlans) -> courses.CourseChoice | None:
    """The course of the first training-linked action of the board's plans; else the EHCP process
    course when it is published; else none. One statement."""
    if found.training_course_ids:
        chosen = await courses.courses_by_id(course_ids=found.training_course_ids[:1])
        return chosen.get(found.training_course_ids[0])
    course = await courses.course_by_code(code=DEFAULT_TRAINING_COURSE)
    return course if course is not None and course.published else None


def _compliance(
    breakdown: courses.ComplianceBreakdown,
) -> tuple[list[ComplianceRow], list[TeamOverdue], list[ComplianceTrendPoint]]:
    """The course's figures by organisation and job role, the teams with people overdue, and the trend."""
    rows = [
        ComplianceRow(
            organisation=g.organisation,
            job_role=g.name or NOT_RECORDED,
            assigned=g.assigned,
            compliant=g.completed,
            overdue=g.overdue,
        )
        for g in breakdown.by_job_role
    ]
    teams = [
        TeamOverdue(
            organisation=g.organisation, team=g.name or NOT_RECORDED, assigned=g.assigned, overdue=g.overdue
        )
        for g in breakdown.by_team
        if g.overdue
    ]
    trend = [
        ComplianceTrendPoint(on=p.on, assigned=p.assigned, compliant=p.completed) for p in breakdown.trend
    ]
    return rows, teams, trend


def _headlines(
    *,
    actions: list[ReportAction],
    due: list[MilestoneLine],
    met: list[int],
    slippage: list[SlippageLine],
    kpis: list[KpiSeries],
    course_title: str,
    compliance: list[ComplianceRow],
    target: int | None,
) -> list[Headline]:
    total = len(actions)
    good = sum(1 for a in actions if a.status.rag in (Rag.BLUE, Rag.GREEN))
    red = sum(1 for a in actions if a.status.rag == Rag.RED)
    missed = len(due) - len(met)
    slipped_actions = sum(1 for s in slippage if s.kind == "action")
    with_target = [k for k in kpis if k.status != "No data yet"]
    meeting = sum(1 for k in kpis if k.status in ("Meets target", "Meets statutory threshold"))
    headlines = [
        Headline(
            "actions_total", "Actions", str(total), _plural(len({a.row["plan"] for a in actions}), "plan")
        ),
        Headline(
            "actions_on_track", "Actions on track or complete", f"{good} of {total}", _percent(good, total)
        ),
        Headline("actions_red", "Actions off track (red)", str(red), _percent(red, total)),
        Headline(
            "milestones_met",
            "Milestones due in the period met",
            f"{len(met)} of {len(due)}",
            _percent(len(met), len(due)),
        ),
        Headline(
            "milestones_missed",
            "Milestones due in the period missed",
            str(missed),
            _percent(missed, len(due)),
        ),
        Headline(
            "slippage",
            "Actions and milestones slipped past their baseline",
            str(len(slippage)),
            f"{_plural(slipped_actions, 'action')} and "
            f"{_plural(len(slippage) - slipped_actions, 'milestone')}",
        ),
        Headline(
            "kpis_meeting",
            "Success measures meeting their target or statutory threshold",
            f"{meeting} of {len(kpis)}",
            f"{_plural(len(kpis) - len(with_target), 'measure')} without data",
        ),
    ]
    if course_title:
        trained = sum(r.compliant for r in compliance)
        assigned = sum(r.assigned for r in compliance)
        if target:
            value, detail = f"{trained:,} of {target:,}", f"{_percent(trained, target)} of the target"
        else:
            value, detail = f"{trained:,} of {assigned:,}", f"{_percent(trained, assigned)} of those assigned"
        headlines.append(Headline("staff_trained", f"Staff trained: {course_title}", value, detail))
    return headlines


# --- the report -----------------------------------------------------------------------------------


async def build_report(
    *,
    board_id: int,
    period_end: date,
    generated_by: str,
    previous: ReportData | None = None,
    plan_ids: list[int] | None = None,
    area_ids: list[int] | None = None,
    organisation_ids: list[int] | None = None,
    now: datetime | None = None,
) -> ReportData:
    """The board's report for the period of its cadence ending on `period_end`. The filters (None:
    everything) narrow it for the leader dashboard: plans of the board, priority areas, and
    organisations (an action's lead's organisation or a partner organisation; training figures for
    people in those organisations). Raises ReportError when there is no such board."""
    now = now or datetime.now(UTC)
    board = await Board.select().where(Board.id == board_id).first()
    if board is None:
        raise ReportError(f"There is no board {board_id}")
    months = Cadence(board["cadence"]).months
    period = _period_ending(period_end, months)
    next_period = _next_period(period, months)
    as_of = min(period_end, now.date())

    found = await report_plans(
        board_id=board_id,
        as_of=as_of,
        plan_ids=plan_ids,
        area_ids=area_ids,
        organisation_ids=organisation_ids,
    )
    reference = {p["id"]: p["reference"] for p in found.plans}
    ids = [p["id"] for p in found.plans]

    plans = [
        PlanSummary(
            plan_id=p["id"],
            reference=p["reference"],
            title=p["title"],
            origin=PlanOrigin(p["origin"]).label,
            owner=p["owner_name"] or "",
            status=PlanStatus(p["status"]).label,
            rag_counts=_counts([a.status.rag for a in found.actions if a.row["plan"] == p["id"]]),
        )
        for p in found.plans
    ]
    by_area: dict[int, list[Rag]] = defaultdict(list)
    for a in found.actions:
        by_area[a.row["priority_area"]].append(a.status.rag)
    earlier = (
        {(r.plan_reference, r.area_number): r.rag_counts for r in previous.area_rags} if previous else {}
    )
    area_rags = [
        AreaRag(
            plan_reference=reference[area["plan"]],
            area_number=area["number"],
            area_title=area["title"],
            rag_counts=_counts(by_area.get(area["id"], [])),
            previous_rag_counts=earlier.get((reference[area["plan"]], area["number"])),
        )
        for area in found.areas
    ]

    due: list[MilestoneLine] = []
    met: list[int] = []
    upcoming: list[MilestoneLine] = []
    for action in found.actions:
        for m in action.milestones:
            day = _due(m.row)
            if m.row["status"] == WorkStatus.CANCELLED or day is None:
                continue
            if period.start <= day <= period.end:
                due.append(_milestone_line(reference[action.row["plan"]], action, m))
                if _met(m.row, period):
                    met.append(m.row["id"])
            elif next_period.start <= day <= next_period.end and m.row["actual_date"] is None:
                upcoming.append(_milestone_line(reference[action.row["plan"]], action, m))
    due.sort(key=_line_order)
    upcoming.sort(key=_line_order)

    slippage = _slippage(reference, found.actions)
    exceptions = _exceptions(reference, found.actions, previous)
    kpis = _kpis(reference, ids, await kpi_summaries(plan_ids=ids, as_of=as_of))

    course = await _training_course(found)
    compliance: list[ComplianceRow] = []
    trend: list[ComplianceTrendPoint] = []
    overdue: list[TeamOverdue] = []
    if course is not None:
        breakdown = await courses.compliance_breakdown(
            course_id=course.id, as_of=as_of, organisation_ids=organisation_ids
        )
        if breakdown is not None:
            compliance, overdue, trend = _compliance(breakdown)

    data = ReportData(
        board_id=board_id,
        board_name=board["name"],
        protective_marking=board["protective_marking"],
        period=period,
        next_period=next_period,
        generated_at=now,
        generated_by=generated_by,
        plans=plans,
        headlines=_headlines(
            actions=found.actions,
            due=due,
            met=met,
            slippage=slippage,
            kpis=kpis,
            course_title=course.title if course else "",
            compliance=compliance,
            target=board["training_target"],
        ),
        area_rags=area_rags,
        milestones_due=due,
        milestones_met=met,
        milestones_next=upcoming,
        slippage=slippage,
        exceptions=exceptions,
        kpis=kpis,
        training_course=course.title if course else "",
        training_target=board["training_target"],
        compliance=compliance,
        compliance_trend=trend,
        overdue_by_team=overdue,
        previous_generated_at=previous.generated_at if previous else None,
    )
    if previous is not None:
        data = msgspec.structs.replace(data, changes=changes_between(previous, data))
    return data


def _line_order(line: MilestoneLine) -> tuple[date, str, int]:
    return (line.forecast_date or line.baseline_date or date.max, line.plan_reference, line.milestone_id)
