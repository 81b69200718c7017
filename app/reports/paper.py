"""What the board paper shows of each list: a short list whole, a long one as its most important lines
and its count, as a real board paper does. The workbook (app/reports/workbook.py) keeps every row.

At 1,000 actions the whole lists made a 621-page PDF that no board would read (and WeasyPrint took
two minutes to lay out); at demo size every list is shorter than its limit, so nothing is left out.
The templates call `board_paper(data)` (a Jinja global) and the charts use the same excerpts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from action_plans.enums import KpiDirection
from app.reports.model import (
    AreaRag,
    Change,
    ComplianceRow,
    ExceptionItem,
    KpiSeries,
    MilestoneLine,
    ReportData,
    SlippageLine,
    TeamOverdue,
)

__all__ = [
    "LIMITS",
    "BoardPaper",
    "Excerpt",
    "KpiGroup",
    "KpiLine",
    "PlanMilestones",
    "PlanRag",
    "PlanSlippage",
    "board_paper",
    "longest_slippage",
]

T = TypeVar("T")

# The most lines each list shows; a longer list shows these many, most important first.
LIMITS = {
    "rag_areas": 15,  # more priority areas: RAG by plan, then the most at-risk areas
    "areas_at_risk": 10,  # the areas with most red actions, then amber
    "exception_pages": 5,  # a full exception report each (red first, then the longest slipped)
    "exception_rows": 20,  # the next most serious, one line each
    "milestones_due": 15,  # missed first, then by RAG and slippage
    "milestones_next": 15,  # by RAG and slippage
    "slippage": 15,  # the longest
    "compliance_roles": 20,  # organisation and job role with the most staff overdue
    "overdue_teams": 20,  # the teams with the most staff overdue
    "changes": 40,  # in the order compared
    "summary_kpis": 14,  # more, and they make one scorecard, counted by status in the executive summary
    "kpi_panels": 12,  # with a scorecard, the KPIs charted: those that miss their mark, worst first
    "kpi_panels_per_chart": 6,
}
# Board order of concern: red before amber and so on; complete (blue) last.
RAG_CONCERN = {"red": 0, "amber": 1, "grey": 2, "green": 3, "blue": 4}


@dataclass(frozen=True, slots=True)
class Excerpt(Generic[T]):
    """The lines a list shows, and how many there are in all."""

    lines: list[T]
    total: int

    @property
    def cut(self) -> bool:
        return len(self.lines) < self.total

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[T]:
        return iter(self.lines)


@dataclass(frozen=True, slots=True)
class PlanMilestones:
    plan_reference: str
    due: int
    met: int
    due_next: int

    @property
    def missed(self) -> int:
        return self.due - self.met


@dataclass(frozen=True, slots=True)
class PlanRag:
    """Actions by RAG in one plan's priority areas, now and at the previous report (None: not in it)."""

    plan_reference: str
    areas: int
    rag_counts: dict[str, int]
    previous_rag_counts: dict[str, int] | None


@dataclass(frozen=True, slots=True)
class PlanSlippage:
    plan_reference: str
    actions: int
    milestones: int
    longest_days: int


@dataclass(frozen=True, slots=True)
class KpiGroup:
    """One plan's KPIs, with every period any of them has a value for: one table and one chart."""

    plan_reference: str
    kpis: list[KpiSeries]
    period_ends: list[date]

    def value_on(self, kpi: KpiSeries, period_end: date) -> float | None:
        return next((p.value for p in kpi.points if p.period_end == period_end), None)


@dataclass(frozen=True, slots=True)
class KpiLine:
    """A KPI's line of the scorecard: its latest value and period, where it stands and which way it went."""

    kpi: KpiSeries
    latest_period: date | None  # the period of the latest value
    trend: str  # the latest value against the one before, in words: "Up: better", "No change", …

    @property
    def misses(self) -> bool:
        """Worse than its target or its statutory threshold ("Below target", "Above statutory threshold")."""
        return self.kpi.status.startswith(("Below ", "Above "))

    @property
    def breaches_threshold(self) -> bool:
        return self.misses and self.kpi.status.endswith("statutory threshold")


@dataclass(frozen=True, slots=True)
class BoardPaper:
    rag_by_plan: list[PlanRag]  # with many priority areas, the RAG table is one row a plan ...
    areas_at_risk: Excerpt[AreaRag]  # ... and these areas (with a red or amber action) of all of them
    exception_pages: Excerpt[ExceptionItem]
    exception_rows: Excerpt[ExceptionItem]  # the exceptions after the pages
    milestones_by_plan: list[PlanMilestones]
    milestones_due: Excerpt[MilestoneLine]
    milestones_next: Excerpt[MilestoneLine]
    slippage_by_plan: list[PlanSlippage]
    slippage: Excerpt[SlippageLine]
    compliance_by_organisation: list[ComplianceRow]  # job_role "All job roles"
    compliance_roles: Excerpt[ComplianceRow]
    overdue_teams: Excerpt[TeamOverdue]
    kpi_groups: list[KpiGroup]
    kpi_statuses: list[tuple[str, int]]  # (status, how many KPIs), most first: for a long KPI list
    kpi_scorecard: list[KpiLine]  # every KPI, in plan order: the section's table when there are many
    kpi_misses: Excerpt[KpiLine]  # the KPIs that miss their target or threshold, worst first
    changes: Excerpt[Change]

    @property
    def rag_areas_by_plan(self) -> bool:
        return self.areas_at_risk.total > LIMITS["rag_areas"]

    @property
    def kpis_listed_in_summary(self) -> bool:
        return sum(count for _, count in self.kpi_statuses) <= LIMITS["summary_kpis"]

    @property
    def kpis_as_scorecard(self) -> bool:
        """Many KPIs: one scorecard table, and charts only of those that miss their mark."""
        return not self.kpis_listed_in_summary

    @property
    def kpis_on_target(self) -> int:
        """KPIs that meet their target (or, with none set, their statutory threshold)."""
        return sum(1 for line in self.kpi_scorecard if line.kpi.status.startswith("Meets "))

    def kpi_chart_panels(self) -> list[list[KpiLine]]:
        """The charted KPIs (with a scorecard) a figure at a time."""
        size = LIMITS["kpi_panels_per_chart"]
        lines = self.kpi_misses.lines
        return [lines[start : start + size] for start in range(0, len(lines), size)]


def _excerpt(lines: Sequence[T], limit: int, importance: Callable[[T], Any]) -> Excerpt[T]:
    """All of a short list in its own order; of a long one, the `limit` most important lines."""
    if len(lines) <= limit:
        return Excerpt(list(lines), len(lines))
    return Excerpt(sorted(lines, key=importance)[:limit], len(lines))


def _slipped_days(line: MilestoneLine) -> int:
    if line.baseline_date is None or line.forecast_date is None:
        return 0
    return (line.forecast_date - line.baseline_date).days


def _exception_importance(item: ExceptionItem) -> tuple[int, int]:
    return (RAG_CONCERN.get(item.rag, 5), -(item.slippage_days or 0))


def longest_slippage(data: ReportData) -> Excerpt[SlippageLine]:
    """The slipped items the paper lists (and charts): every one, or the longest slippages."""
    return _excerpt(
        data.slippage, LIMITS["slippage"], lambda s: (-s.days, s.plan_reference, s.kind, s.reference)
    )


def _plans_in_order(references: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(references))


def _milestones_by_plan(data: ReportData) -> list[PlanMilestones]:
    met_ids = set(data.milestones_met)
    plans = _plans_in_order(
        [p.reference for p in data.plans]
        + [m.plan_reference for m in (*data.milestones_due, *data.milestones_next)]
    )
    rows = []
    for plan in plans:
        due = [m for m in data.milestones_due if m.plan_reference == plan]
        rows.append(
            PlanMilestones(
                plan_reference=plan,
                due=len(due),
                met=sum(1 for m in due if m.milestone_id in met_ids),
                due_next=sum(1 for m in data.milestones_next if m.plan_reference == plan),
            )
        )
    return [row for row in rows if row.due or row.due_next]


def _slippage_by_plan(data: ReportData) -> list[PlanSlippage]:
    rows = []
    for plan in _plans_in_order(s.plan_reference for s in data.slippage):
        mine = [s for s in data.slippage if s.plan_reference == plan]
        rows.append(
            PlanSlippage(
                plan_reference=plan,
                actions=sum(1 for s in mine if s.kind == "action"),
                milestones=sum(1 for s in mine if s.kind != "action"),
                longest_days=max(s.days for s in mine),
            )
        )
    return rows


def _add_counts(into: dict[str, int], counts: dict[str, int]) -> None:
    for rag, count in counts.items():
        into[rag] = into.get(rag, 0) + count


def _rag_by_plan(areas: Sequence[AreaRag]) -> list[PlanRag]:
    """Each plan's areas added up; a plan none of whose areas was in the previous report was not in it."""
    rows = []
    for plan in _plans_in_order(a.plan_reference for a in areas):
        mine = [a for a in areas if a.plan_reference == plan]
        now: dict[str, int] = {}
        before: dict[str, int] = {}
        for area in mine:
            _add_counts(now, area.rag_counts)
            if area.previous_rag_counts is not None:
                _add_counts(before, area.previous_rag_counts)
        was_in = any(a.previous_rag_counts is not None for a in mine)
        rows.append(PlanRag(plan, len(mine), now, before if was_in else None))
    return rows


def _areas_at_risk(areas: Sequence[AreaRag]) -> Excerpt[AreaRag]:
    """The areas with a red or amber action, most red first, then most amber; of all the areas."""
    at_risk = [a for a in areas if a.rag_counts.get("red", 0) or a.rag_counts.get("amber", 0)]
    ranked = sorted(at_risk, key=lambda a: (-a.rag_counts.get("red", 0), -a.rag_counts.get("amber", 0)))
    return Excerpt(ranked[: LIMITS["areas_at_risk"]], len(areas))


def _by_organisation(rows: Sequence[ComplianceRow]) -> list[ComplianceRow]:
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.organisation, [0, 0, 0])
        total[0] += row.assigned
        total[1] += row.compliant
        total[2] += row.overdue
    return [
        ComplianceRow(organisation=name, job_role="All job roles", assigned=a, compliant=c, overdue=o)
        for name, (a, c, o) in totals.items()
    ]


def _kpi_groups(kpis: Sequence[KpiSeries]) -> list[KpiGroup]:
    groups = []
    for plan in _plans_in_order(k.plan_reference for k in kpis):
        mine = [k for k in kpis if k.plan_reference == plan]
        ends = sorted({p.period_end for k in mine for p in k.points})
        groups.append(KpiGroup(plan_reference=plan, kpis=mine, period_ends=ends))
    return groups


def _kpi_trend(kpi: KpiSeries) -> str:
    if kpi.latest is None:
        return "No data yet"
    if kpi.previous is None:
        return "No earlier value"
    change = kpi.latest - kpi.previous
    if abs(change) < 0.05:
        return "No change"
    better = (change > 0) == (kpi.direction == KpiDirection.HIGHER)
    return f"{'Up' if change > 0 else 'Down'}: {'better' if better else 'worse'}"


def _kpi_line(kpi: KpiSeries) -> KpiLine:
    return KpiLine(
        kpi=kpi,
        latest_period=kpi.points[-1].period_end if kpi.points else None,  # the latest is the last point
        trend=_kpi_trend(kpi),
    )


def _shortfall(line: KpiLine) -> float:
    """How far a missing KPI is from its mark, as a share of the mark (the threshold if it breaches it)."""
    kpi = line.kpi
    mark = kpi.statutory_threshold if line.breaches_threshold else kpi.target
    if kpi.latest is None or mark is None:
        return 0.0
    gap = mark - kpi.latest if kpi.direction == KpiDirection.HIGHER else kpi.latest - mark
    return gap / abs(mark) if mark else gap


def _kpi_misses(lines: Sequence[KpiLine]) -> Excerpt[KpiLine]:
    """Threshold breaches first, then the furthest from their mark."""
    misses = [line for line in lines if line.misses]
    ranked = sorted(misses, key=lambda line: (not line.breaches_threshold, -_shortfall(line)))
    return Excerpt(ranked[: LIMITS["kpi_panels"]], len(misses))


def board_paper(data: ReportData) -> BoardPaper:
    """The lines of each list that the board paper (and the pages built from its sections) show."""
    met_ids = set(data.milestones_met)
    ranked = sorted(data.exceptions, key=_exception_importance)  # stable: ties keep the plan's order
    pages = ranked[: LIMITS["exception_pages"]]
    rest = ranked[len(pages) :]
    scorecard = [_kpi_line(k) for k in data.kpis]
    many_areas = len(data.area_rags) > LIMITS["rag_areas"]
    return BoardPaper(
        rag_by_plan=_rag_by_plan(data.area_rags) if many_areas else [],
        areas_at_risk=_areas_at_risk(data.area_rags),
        exception_pages=Excerpt(pages, len(data.exceptions)),
        exception_rows=Excerpt(rest[: LIMITS["exception_rows"]], len(rest)),
        milestones_by_plan=_milestones_by_plan(data),
        milestones_due=_excerpt(
            data.milestones_due,
            LIMITS["milestones_due"],
            lambda m: (m.milestone_id in met_ids, RAG_CONCERN.get(m.rag, 5), -_slipped_days(m)),
        ),
        milestones_next=_excerpt(
            data.milestones_next,
            LIMITS["milestones_next"],
            lambda m: (RAG_CONCERN.get(m.rag, 5), -_slipped_days(m)),
        ),
        slippage_by_plan=_slippage_by_plan(data),
        slippage=longest_slippage(data),
        compliance_by_organisation=_by_organisation(data.compliance),
        compliance_roles=_excerpt(
            data.compliance, LIMITS["compliance_roles"], lambda r: (-r.overdue, r.organisation, r.job_role)
        ),
        overdue_teams=_excerpt(
            data.overdue_by_team, LIMITS["overdue_teams"], lambda t: (-t.overdue, t.organisation, t.team)
        ),
        kpi_groups=_kpi_groups(data.kpis),
        kpi_statuses=Counter(k.status for k in data.kpis).most_common(),
        kpi_scorecard=scorecard,
        kpi_misses=_kpi_misses(scorecard),
        changes=_excerpt(data.changes, LIMITS["changes"], lambda c: 0),
    )
