"""What changed between two board reports, in words: headline figures, RAG by priority area, milestones'
RAG and forecast, slippage that is new or cleared, and success measures' latest values.

Pure: reads two ReportData values (from snapshots or freshly built) and queries nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from action_plans.enums import KpiUnit, Rag
from action_plans.kpis import format_value
from app.reports.model import RAGS, Change, KpiSeries, MilestoneLine, ReportData

__all__ = ["NOT_IN_REPORT", "changes_between", "rag_words"]

NOT_IN_REPORT = "Not in the report"


def _day(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "No date"


def rag_words(counts: dict[str, int] | None) -> str:
    """ "3 on track, 1 off track" — each RAG's count with its label, in board order; "No actions"."""
    if counts is None:
        return NOT_IN_REPORT
    parts = [f"{counts[rag]} {Rag(rag).label.lower()}" for rag in RAGS if counts.get(rag)]
    return ", ".join(parts) or "No actions"


def _rag(value: str) -> str:
    return f"{Rag(value).word} ({Rag(value).label.lower()})"


def _headlines(previous: ReportData, current: ReportData) -> Iterable[Change]:
    before = {h.key: h for h in previous.headlines}
    after = {h.key: h for h in current.headlines}
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            yield Change("Headline", now.label, NOT_IN_REPORT, now.value)
        elif then.value != now.value:
            yield Change("Headline", now.label, then.value, now.value)
    for key, then in before.items():
        if key not in after:
            yield Change("Headline", then.label, then.value, NOT_IN_REPORT)


def _areas(previous: ReportData, current: ReportData) -> Iterable[Change]:
    before = {(a.plan_reference, a.area_number): a for a in previous.area_rags}
    seen = set()
    for area in current.area_rags:
        key = (area.plan_reference, area.area_number)
        seen.add(key)
        then = before.get(key)
        then_counts = then.rag_counts if then else None
        if then_counts != area.rag_counts:
            item = f"{area.plan_reference} priority {area.area_number}: {area.area_title}"
            yield Change("RAG", item, rag_words(then_counts), rag_words(area.rag_counts))
    for key, then in before.items():
        if key not in seen:
            item = f"{then.plan_reference} priority {then.area_number}: {then.area_title}"
            yield Change("RAG", item, rag_words(then.rag_counts), NOT_IN_REPORT)


def _milestones(report: ReportData) -> dict[int, MilestoneLine]:
    return {m.milestone_id: m for m in [*report.milestones_next, *report.milestones_due]}


def _milestone_changes(previous: ReportData, current: ReportData) -> Iterable[Change]:
    """Milestones listed in both reports (due, or due next) whose RAG, forecast or actual date changed."""
    before = _milestones(previous)
    for m in sorted(
        _milestones(current).values(), key=lambda m: (m.plan_reference, m.action_reference, m.milestone_id)
    ):
        then = before.get(m.milestone_id)
        if then is None:
            continue
        item = f"{m.plan_reference} {m.action_reference}: {m.title}"
        if then.forecast_date != m.forecast_date:
            yield Change("Milestone", f"{item} — forecast", _day(then.forecast_date), _day(m.forecast_date))
        if then.actual_date != m.actual_date:
            yield Change("Milestone", f"{item} — completed", _day(then.actual_date), _day(m.actual_date))
        if then.rag != m.rag:
            yield Change("Milestone", f"{item} — RAG", _rag(then.rag), _rag(m.rag))


def _days(n: int) -> str:
    return f"+{n} day" if n == 1 else f"+{n} days"


def _slippage(previous: ReportData, current: ReportData) -> Iterable[Change]:
    before = {(s.plan_reference, s.kind, s.reference): s for s in previous.slippage}
    after = {(s.plan_reference, s.kind, s.reference): s for s in current.slippage}
    for key, now in after.items():
        item = f"{now.plan_reference} {now.kind} {now.reference}"
        then = before.get(key)
        if then is None:
            yield Change("Slippage", item, "Not slipped", f"{_days(now.days)}: {now.reason}".rstrip(": "))
        elif then.days != now.days:
            yield Change("Slippage", item, _days(then.days), f"{_days(now.days)}: {now.reason}".rstrip(": "))
    for key, then in before.items():
        if key not in after:
            item = f"{then.plan_reference} {then.kind} {then.reference}"
            yield Change("Slippage", item, _days(then.days), "No longer slipped")


def _kpi_value(kpi: KpiSeries) -> str:
    return format_value(kpi.latest, KpiUnit(kpi.unit))


def _kpis(previous: ReportData, current: ReportData) -> Iterable[Change]:
    before = {k.kpi_id: k for k in previous.kpis}
    for kpi in current.kpis:
        then = before.get(kpi.kpi_id)
        item = f"{kpi.plan_reference}: {kpi.name}"
        if then is None:
            yield Change("KPI", item, NOT_IN_REPORT, _kpi_value(kpi))
        elif then.latest != kpi.latest:
            yield Change("KPI", item, _kpi_value(then), f"{_kpi_value(kpi)} ({kpi.status})")


def _training(previous: ReportData, current: ReportData) -> Iterable[Change]:
    before = {(r.organisation, r.job_role): r for r in previous.compliance}
    if previous.training_course != current.training_course:
        yield Change(
            "Training",
            "Course reported",
            previous.training_course or "None",
            current.training_course or "None",
        )
        return
    for row in current.compliance:
        then = before.get((row.organisation, row.job_role))
        if then is None or (then.compliant, then.assigned) != (row.compliant, row.assigned):
            yield Change(
                "Training",
                f"{row.organisation}, {row.job_role}",
                f"{then.compliant} of {then.assigned} trained" if then else NOT_IN_REPORT,
                f"{row.compliant} of {row.assigned} trained",
            )


def changes_between(previous: ReportData, current: ReportData) -> list[Change]:
    """Every difference a board would want told, section by section, in words."""
    return [
        *_headlines(previous, current),
        *_areas(previous, current),
        *_milestone_changes(previous, current),
        *_slippage(previous, current),
        *_kpis(previous, current),
        *_training(previous, current),
    ]
