"""A hand-made board report with realistic figures in every section, for tests of charts, HTML, PDF
and XLSX that must not depend on the database. Others may add builders here (additive edits only).

The figures are consistent with each other: the area RAG counts add up to the plans' RAG counts, the
milestones met are among the milestones due, and so on, so a test can compare any two sections.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.reports.model import (
    AreaRag,
    Change,
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

QUARTER_ENDS = [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]


def _kpi(
    kpi_id: int,
    name: str,
    values: list[float | None],
    *,
    target: float | None,
    threshold: float | None,
    status: str,
    unit: str = "percent",
    direction: str = "higher",
    plan_reference: str = "WSOA-2026",
) -> KpiSeries:
    points = [KpiPoint(period_end=on, value=value) for on, value in zip(QUARTER_ENDS, values, strict=True)]
    known = [value for value in values if value is not None]
    return KpiSeries(
        kpi_id=kpi_id,
        plan_reference=plan_reference,
        name=name,
        unit=unit,
        direction=direction,
        target=target,
        target_date=date(2027, 3, 31) if target is not None else None,
        statutory_threshold=threshold,
        points=points,
        latest=known[-1] if known else None,
        previous=known[-2] if len(known) > 1 else None,
        status=status,
    )


def sample_kpis() -> list[KpiSeries]:
    """The seven statutory KPIs of the demo, with four quarters of data each."""
    return [
        _kpi(
            1,
            "Annual reviews held within 12 months",
            [61.0, 66.5, 71.2, 78.4],
            target=90.0,
            threshold=100.0,
            status="Below target",
        ),
        _kpi(
            2,
            "Review decisions notified within 4 weeks of the meeting",
            [48.0, 55.0, 63.5, 69.0],
            target=85.0,
            threshold=100.0,
            status="Below target",
        ),
        _kpi(
            3,
            "Amended plans finalised within 12 weeks of the review meeting",
            [35.0, 41.8, 39.5, 52.3],
            target=80.0,
            threshold=100.0,
            status="Below target",
        ),
        _kpi(
            4,
            "New EHC plans issued within 20 weeks (including exceptions)",
            [42.1, 47.9, 55.6, 61.7],
            target=60.0,
            threshold=None,
            status="Meets target",
        ),
        _kpi(
            5,
            "New EHC plans issued within 20 weeks (excluding exceptions)",
            [50.4, 56.2, 64.8, 72.5],
            target=75.0,
            threshold=100.0,
            status="Below target",
        ),
        _kpi(
            6,
            "Phase transfers finalised by 15 February / 31 March",
            [None, 82.0, 88.5, 91.0],
            target=95.0,
            threshold=100.0,
            status="Below target",
        ),
        _kpi(
            7,
            "Staff trained on the EHCP process",
            [120.0, 185.0, 240.0, 298.0],
            target=350.0,
            threshold=None,
            status="Below target",
            unit="count",
        ),
    ]


def sample_report(*, with_previous: bool = True) -> ReportData:
    """A quarterly report to the SEND Improvement Board for July to September 2026."""
    milestones_due = [
        MilestoneLine(
            plan_reference="WSOA-2026",
            action_reference="1.1",
            milestone_id=101,
            title="Annual review tracker live in all teams",
            lead="Priya Shah",
            baseline_date=date(2026, 7, 31),
            forecast_date=date(2026, 7, 31),
            actual_date=date(2026, 7, 28),
            rag="blue",
            rag_reason="Complete on 28 July 2026",
        ),
        MilestoneLine(
            plan_reference="WSOA-2026",
            action_reference="1.3",
            milestone_id=102,
            title="Backlog of overdue annual reviews halved",
            lead="Tom Okafor",
            baseline_date=date(2026, 8, 31),
            forecast_date=date(2026, 10, 30),
            actual_date=None,
            rag="red",
            rag_reason="Forecast 60 days after baseline (tolerance 14 days)",
        ),
        MilestoneLine(
            plan_reference="WSOA-2026",
            action_reference="2.1",
            milestone_id=103,
            title="Co-production charter signed by the parent carer forum",
            lead="Helen Marsh",
            baseline_date=date(2026, 9, 15),
            forecast_date=date(2026, 9, 15),
            actual_date=date(2026, 9, 12),
            rag="blue",
            rag_reason="Complete on 12 September 2026",
        ),
        MilestoneLine(
            plan_reference="APP-2026",
            action_reference="1.2",
            milestone_id=104,
            title="Twenty-week timeliness dashboard published",
            lead="Ahmed Rahman",
            baseline_date=date(2026, 9, 30),
            forecast_date=date(2026, 9, 30),
            actual_date=date(2026, 9, 29),
            rag="blue",
            rag_reason="Complete on 29 September 2026",
        ),
        MilestoneLine(
            plan_reference="APP-2026",
            action_reference="2.2",
            milestone_id=105,
            title="Educational psychology capacity contract awarded",
            lead="Grace Liu",
            baseline_date=date(2026, 9, 1),
            forecast_date=date(2026, 10, 15),
            actual_date=None,
            rag="amber",
            rag_reason="Forecast 44 days after baseline",
        ),
    ]
    milestones_next = [
        MilestoneLine(
            plan_reference="WSOA-2026",
            action_reference="1.3",
            milestone_id=102,
            title="Backlog of overdue annual reviews halved",
            lead="Tom Okafor",
            baseline_date=date(2026, 8, 31),
            forecast_date=date(2026, 10, 30),
            actual_date=None,
            rag="red",
            rag_reason="Forecast 60 days after baseline (tolerance 14 days)",
        ),
        MilestoneLine(
            plan_reference="WSOA-2026",
            action_reference="3.1",
            milestone_id=106,
            title="Preparing for adulthood pathway agreed with adult social care",
            lead="Sarah Bennett",
            baseline_date=date(2026, 11, 30),
            forecast_date=date(2026, 11, 30),
            actual_date=None,
            rag="green",
            rag_reason="On track: 55% complete, 50% expected",
        ),
        MilestoneLine(
            plan_reference="APP-2026",
            action_reference="2.2",
            milestone_id=105,
            title="Educational psychology capacity contract awarded",
            lead="Grace Liu",
            baseline_date=date(2026, 9, 1),
            forecast_date=date(2026, 10, 15),
            actual_date=None,
            rag="amber",
            rag_reason="Forecast 44 days after baseline",
        ),
        MilestoneLine(
            plan_reference="APP-2026",
            action_reference="3.1",
            milestone_id=107,
            title="Quality assurance audit of 40 new EHC plans",
            lead="Ahmed Rahman",
            baseline_date=date(2026, 12, 18),
            forecast_date=date(2026, 12, 18),
            actual_date=None,
            rag="grey",
            rag_reason="Not started; starts 1 November 2026",
        ),
    ]
    slippage = [
        SlippageLine(
            plan_reference="WSOA-2026",
            reference="1.3",
            kind="action",
            title="Clear the backlog of overdue annual reviews",
            lead="Tom Okafor",
            baseline_date=date(2026, 12, 31),
            forecast_date=date(2027, 3, 31),
            days=90,
            reason="Two case officer posts vacant since June; agency cover starts in October",
        ),
        SlippageLine(
            plan_reference="WSOA-2026",
            reference="1.3 / Backlog of overdue annual reviews halved",
            kind="milestone",
            title="Backlog of overdue annual reviews halved",
            lead="Tom Okafor",
            baseline_date=date(2026, 8, 31),
            forecast_date=date(2026, 10, 30),
            days=60,
            reason="Follows the action: vacancies",
        ),
        SlippageLine(
            plan_reference="APP-2026",
            reference="2.2",
            kind="action",
            title="Increase educational psychology capacity",
            lead="Grace Liu",
            baseline_date=date(2026, 10, 31),
            forecast_date=date(2026, 12, 14),
            days=44,
            reason="Procurement re-run after a single compliant bid",
        ),
        SlippageLine(
            plan_reference="APP-2026",
            reference="2.2 / Educational psychology capacity contract awarded",
            kind="milestone",
            title="Educational psychology capacity contract awarded",
            lead="Grace Liu",
            baseline_date=date(2026, 9, 1),
            forecast_date=date(2026, 10, 15),
            days=44,
            reason="Procurement re-run after a single compliant bid",
        ),
        SlippageLine(
            plan_reference="WSOA-2026",
            reference="2.3",
            kind="action",
            title="Publish the refreshed Local Offer",
            lead="Helen Marsh",
            baseline_date=date(2026, 9, 30),
            forecast_date=date(2026, 10, 21),
            days=21,
            reason="Accessibility audit found issues to fix before launch",
        ),
    ]
    exceptions = [
        ExceptionItem(
            plan_reference="WSOA-2026",
            action_id=13,
            reference="1.3",
            title="Clear the backlog of overdue annual reviews",
            lead="Tom Okafor",
            rag="red",
            rag_reason="Forecast 90 days after baseline (tolerance 14 days)",
            newly_slipped=True,
            slippage_days=90,
            cause="Two of six case officer posts have been vacant since June 2026.",
            impact=(
                "About 140 children and young people will wait longer than 12 months for their annual review."
            ),
            recovery_action=(
                "Agency case officers from 5 October 2026; weekly backlog clinic led by the SEND manager."
            ),
            decision_requested="Approve £48,000 for six months of agency cover.",
        ),
        ExceptionItem(
            plan_reference="APP-2026",
            action_id=22,
            reference="2.2",
            title="Increase educational psychology capacity",
            lead="Grace Liu",
            rag="amber",
            rag_reason="Forecast 44 days after baseline",
            newly_slipped=True,
            slippage_days=44,
            cause="The first tender received a single compliant bid and was re-run.",
            impact=(
                "Psychological advice for new assessments stays at 8 weeks on average, "
                "against 6 weeks needed."
            ),
            recovery_action="Re-run tender closes 30 September; interim locum sessions booked for October.",
            decision_requested="",
        ),
    ]
    previous_at = datetime(2026, 7, 8, 9, 30, tzinfo=UTC) if with_previous else None
    return ReportData(
        board_id=1,
        board_name="SEND Improvement Board",
        protective_marking="OFFICIAL",
        period=Period(start=date(2026, 7, 1), end=date(2026, 9, 30), label="July to September 2026"),
        next_period=Period(start=date(2026, 10, 1), end=date(2026, 12, 31), label="October to December 2026"),
        generated_at=datetime(2026, 10, 6, 14, 5, tzinfo=UTC),
        generated_by="Jane Walker",
        plans=[
            PlanSummary(
                plan_id=1,
                reference="WSOA-2026",
                title="Written Statement of Action 2026",
                origin="Written Statement of Action",
                owner="Jane Walker",
                status="Approved",
                rag_counts={"blue": 3, "green": 5, "amber": 2, "red": 1, "grey": 2},
            ),
            PlanSummary(
                plan_id=2,
                reference="APP-2026",
                title="Accelerated Progress Plan: timeliness",
                origin="Accelerated Progress Plan",
                owner="Mark Evans",
                status="Approved",
                rag_counts={"blue": 2, "green": 4, "amber": 1, "red": 0, "grey": 2},
            ),
        ],
        headlines=[
            Headline(key="actions_total", label="Actions", value="22", detail="in 2 plans"),
            Headline(
                key="actions_on_track",
                label="Actions complete or on track",
                value="14 of 22",
                detail="64%",
            ),
            Headline(key="actions_red", label="Actions off track (Red)", value="1", detail="down from 2"),
            Headline(
                key="milestones_met", label="Milestones due this period met", value="3 of 5", detail="60%"
            ),
            Headline(
                key="slipped_items", label="Slipped actions and milestones", value="5", detail="up to 90 days"
            ),
            Headline(
                key="staff_trained",
                label="Staff trained: EHCP process essentials",
                value="90 of 120",
                detail="75.0% of the target",
            ),
        ],
        area_rags=[
            AreaRag(
                plan_reference="WSOA-2026",
                area_number=1,
                area_title="Timeliness of annual reviews",
                rag_counts={"blue": 1, "green": 1, "amber": 1, "red": 1, "grey": 0},
                previous_rag_counts={"blue": 0, "green": 2, "amber": 0, "red": 2, "grey": 0}
                if with_previous
                else None,
            ),
            AreaRag(
                plan_reference="WSOA-2026",
                area_number=2,
                area_title="Co-production with families",
                rag_counts={"blue": 2, "green": 2, "amber": 1, "red": 0, "grey": 0},
                previous_rag_counts={"blue": 1, "green": 3, "amber": 1, "red": 0, "grey": 0}
                if with_previous
                else None,
            ),
            AreaRag(
                plan_reference="WSOA-2026",
                area_number=3,
                area_title="Preparing for adulthood",
                rag_counts={"blue": 0, "green": 2, "amber": 0, "red": 0, "grey": 2},
                previous_rag_counts={"blue": 0, "green": 1, "amber": 0, "red": 0, "grey": 3}
                if with_previous
                else None,
            ),
            AreaRag(
                plan_reference="APP-2026",
                area_number=1,
                area_title="Twenty-week timeliness",
                rag_counts={"blue": 2, "green": 2, "amber": 0, "red": 0, "grey": 0},
                previous_rag_counts={"blue": 1, "green": 2, "amber": 1, "red": 0, "grey": 0}
                if with_previous
                else None,
            ),
            AreaRag(
                plan_reference="APP-2026",
                area_number=2,
                area_title="Quality of advice",
                rag_counts={"blue": 0, "green": 2, "amber": 1, "red": 0, "grey": 2},
                previous_rag_counts={"blue": 0, "green": 2, "amber": 0, "red": 0, "grey": 3}
                if with_previous
                else None,
            ),
        ],
        milestones_due=milestones_due,
        milestones_met=[101, 103, 104],
        milestones_next=milestones_next,
        slippage=slippage,
        exceptions=exceptions,
        kpis=sample_kpis(),
        training_course="EHCP process essentials",
        training_target=120,  # staff trained (a number of people, not a percentage)
        compliance=[
            ComplianceRow(
                organisation="Northshire Council",
                job_role="SEND case officer",
                assigned=42,
                compliant=37,
                overdue=3,
            ),
            ComplianceRow(
                organisation="Northshire Council",
                job_role="SEND team manager",
                assigned=8,
                compliant=8,
                overdue=0,
            ),
            ComplianceRow(
                organisation="Northshire Council",
                job_role="Educational psychologist",
                assigned=15,
                compliant=11,
                overdue=2,
            ),
            ComplianceRow(
                organisation="Northshire Health (ICB)",
                job_role="Designated clinical officer",
                assigned=6,
                compliant=4,
                overdue=1,
            ),
            ComplianceRow(
                organisation="Northshire Health (ICB)",
                job_role="Health visitor",
                assigned=24,
                compliant=16,
                overdue=5,
            ),
            ComplianceRow(
                organisation="Riverside Academy Trust", job_role="SENCo", assigned=18, compliant=14, overdue=4
            ),
        ],
        compliance_trend=[
            ComplianceTrendPoint(on=date(2025, 12, 31), assigned=96, compliant=52),
            ComplianceTrendPoint(on=date(2026, 3, 31), assigned=104, compliant=66),
            ComplianceTrendPoint(on=date(2026, 6, 30), assigned=110, compliant=79),
            ComplianceTrendPoint(on=date(2026, 9, 30), assigned=113, compliant=90),
        ],
        overdue_by_team=[
            TeamOverdue(
                organisation="Northshire Health (ICB)",
                team="0-19 Health Visiting East",
                assigned=14,
                overdue=4,
            ),
            TeamOverdue(
                organisation="Riverside Academy Trust", team="Riverside Primary", assigned=10, overdue=3
            ),
            TeamOverdue(
                organisation="Northshire Council", team="SEND Casework North", assigned=22, overdue=2
            ),
            TeamOverdue(
                organisation="Northshire Council", team="Educational Psychology", assigned=15, overdue=2
            ),
            TeamOverdue(
                organisation="Northshire Council", team="SEND Casework South", assigned=28, overdue=1
            ),
            TeamOverdue(
                organisation="Northshire Health (ICB)",
                team="0-19 Health Visiting West",
                assigned=10,
                overdue=1,
            ),
            TeamOverdue(
                organisation="Northshire Health (ICB)", team="Designated clinical team", assigned=6, overdue=1
            ),
            TeamOverdue(
                organisation="Riverside Academy Trust", team="Riverside Secondary", assigned=8, overdue=1
            ),
        ],
        previous_snapshot_id=7 if with_previous else None,
        previous_generated_at=previous_at,
        changes=[
            Change(section="Headline", item="Actions off track (Red)", before="2", after="1"),
            Change(
                section="RAG",
                item="WSOA-2026 1.3 Clear the backlog of overdue annual reviews",
                before="Green",
                after="Red",
            ),
            Change(
                section="Milestone",
                item="WSOA-2026 1.1 Annual review tracker live in all teams",
                before="Green",
                after="Blue",
            ),
            Change(
                section="Slippage",
                item="APP-2026 2.2 Increase educational psychology capacity",
                before="0 days",
                after="44 days",
            ),
            Change(section="KPI", item="Annual reviews held within 12 months", before="71.2%", after="78.4%"),
            Change(
                section="Training", item="EHCP process essentials compliance", before="71.8%", after="79.6%"
            ),
        ]
        if with_previous
        else [],
    )
