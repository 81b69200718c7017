"""The figures of one board report, as stored in a snapshot and rendered to HTML, PDF and XLSX.

This is the contract between the parts of reporting: `reports.data` builds a ReportData from the
services the live pages use; `reports.charts`, `reports.render` and `reports.workbook` only read it;
`reports.snapshots` stores it as JSON and compares two of them. Nothing here queries the database.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

__all__ = [
    "AreaRag",
    "Change",
    "ComplianceRow",
    "ComplianceTrendPoint",
    "ExceptionItem",
    "Headline",
    "KpiPoint",
    "KpiSeries",
    "MilestoneLine",
    "Period",
    "PlanSummary",
    "ReportData",
    "SlippageLine",
    "TeamOverdue",
    "decode",
    "encode",
]

RAGS = ("blue", "green", "amber", "red", "grey")  # action_plans.enums.Rag values, in board order


class Period(msgspec.Struct, frozen=True):
    start: date
    end: date
    label: str  # e.g. "July to September 2026"


class Headline(msgspec.Struct, frozen=True):
    """One figure of the executive summary, e.g. ("Actions on track or complete", "14 of 22", "64%")."""

    key: str  # stable identifier, for comparing snapshots: "actions_on_track"
    label: str
    value: str
    detail: str = ""


class PlanSummary(msgspec.Struct, frozen=True):
    plan_id: int
    reference: str
    title: str
    origin: str  # PlanOrigin label
    owner: str
    status: str
    rag_counts: dict[str, int]  # RAG value -> number of actions


class AreaRag(msgspec.Struct, frozen=True):
    """Actions by RAG in one priority area, with the counts at the previous report (None: first report)."""

    plan_reference: str
    area_number: int
    area_title: str
    rag_counts: dict[str, int]
    previous_rag_counts: dict[str, int] | None = None


class MilestoneLine(msgspec.Struct, frozen=True):
    plan_reference: str
    action_reference: str
    milestone_id: int
    title: str
    lead: str
    baseline_date: date | None
    forecast_date: date | None
    actual_date: date | None
    rag: str
    rag_reason: str


class SlippageLine(msgspec.Struct, frozen=True):
    """An action or milestone whose forecast is later than its baseline."""

    plan_reference: str
    reference: str  # "2.3" for an action, "2.3 / Tracker live" style for a milestone
    kind: str  # "action" or "milestone"
    title: str
    lead: str
    baseline_date: date
    forecast_date: date
    days: int
    reason: str  # the latest revision's reason


class ExceptionItem(msgspec.Struct, frozen=True):
    """A red or newly slipped action, with the exception report from its lead's latest update."""

    plan_reference: str
    action_id: int
    reference: str
    title: str
    lead: str
    rag: str
    rag_reason: str
    newly_slipped: bool
    slippage_days: int | None
    cause: str
    impact: str
    recovery_action: str
    decision_requested: str


class KpiPoint(msgspec.Struct, frozen=True):
    period_end: date
    value: float | None


class KpiSeries(msgspec.Struct, frozen=True):
    kpi_id: int
    plan_reference: str
    name: str
    unit: str  # KpiUnit value
    direction: str  # KpiDirection value
    target: float | None
    target_date: date | None
    statutory_threshold: float | None
    points: list[KpiPoint]
    latest: float | None
    previous: float | None
    status: str  # words: "Meets target", "Below statutory threshold", …


class ComplianceRow(msgspec.Struct, frozen=True):
    """Training compliance for the report's course in one organisation and job role."""

    organisation: str
    job_role: str
    assigned: int
    compliant: int
    overdue: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.compliant / self.assigned, 1) if self.assigned else None


class ComplianceTrendPoint(msgspec.Struct, frozen=True):
    on: date
    assigned: int
    compliant: int


class TeamOverdue(msgspec.Struct, frozen=True):
    organisation: str
    team: str
    assigned: int
    overdue: int


class Change(msgspec.Struct, frozen=True):
    """One difference from the previous report, in words: what, from, to."""

    section: str  # "Headline", "RAG", "Milestone", "Slippage", "KPI", "Training"
    item: str
    before: str
    after: str


class ReportData(msgspec.Struct, frozen=True):
    board_id: int
    board_name: str
    protective_marking: str
    period: Period
    next_period: Period
    generated_at: datetime
    generated_by: str
    plans: list[PlanSummary]
    headlines: list[Headline]
    area_rags: list[AreaRag]
    milestones_due: list[MilestoneLine]  # due in the period: met (actual ≤ forecast within period) or missed
    milestones_met: list[int]  # milestone ids of milestones_due that were met
    milestones_next: list[MilestoneLine]  # due in the next period
    slippage: list[SlippageLine]
    exceptions: list[ExceptionItem]
    kpis: list[KpiSeries]
    training_course: str  # title of the course the training figures are for ("" when none)
    training_target: int | None
    compliance: list[ComplianceRow]
    compliance_trend: list[ComplianceTrendPoint]
    overdue_by_team: list[TeamOverdue]
    previous_snapshot_id: int | None = None
    previous_generated_at: datetime | None = None
    changes: list[Change] = []


def encode(data: ReportData) -> str:
    return msgspec.json.encode(data).decode()


def decode(text: str | bytes) -> ReportData:
    return msgspec.json.decode(text, type=ReportData)
