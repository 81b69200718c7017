"""What changed between two board reports, in words (pure: two ReportData values, no database)."""

from __future__ import annotations

from datetime import date

from msgspec.structs import replace

from app.reports.compare import NOT_IN_REPORT, changes_between, rag_words
from app.reports.model import Change, ReportData
from tests.app.reports.sample import sample_report


def changes(before: ReportData, after: ReportData, section: str) -> list[tuple[str, str, str]]:
    return [(c.item, c.before, c.after) for c in changes_between(before, after) if c.section == section]


def test_the_same_report_twice_has_no_changes():
    report = sample_report()
    assert changes_between(report, report) == []


def test_rag_counts_in_words_in_board_order():
    assert (
        rag_words({"blue": 1, "green": 2, "amber": 0, "red": 3, "grey": 0})
        == "1 complete, 2 on track, 3 off track"
    )
    assert rag_words(dict.fromkeys(("blue", "green", "amber", "red", "grey"), 0)) == "No actions"
    assert rag_words(None) == NOT_IN_REPORT


def test_headline_values_that_changed_appeared_or_went():
    before = sample_report()
    headlines = [h if h.key != "actions_red" else replace(h, value="3") for h in before.headlines]
    after = replace(before, headlines=[*headlines[1:], replace(headlines[0], key="new_figure", label="New")])

    assert changes(before, after, "Headline") == [
        ("Actions off track (Red)", "1", "3"),
        ("New", NOT_IN_REPORT, "22"),
        ("Actions", "22", NOT_IN_REPORT),
    ]


def test_area_rag_changes_are_told_per_priority_area():
    before = sample_report()
    first = before.area_rags[0]
    moved = replace(first, rag_counts={**first.rag_counts, "red": 0, "green": first.rag_counts["green"] + 1})
    after = replace(before, area_rags=[moved, *before.area_rags[2:]])

    gone = before.area_rags[1]
    assert changes(before, after, "RAG") == [
        (
            "WSOA-2026 priority 1: Timeliness of annual reviews",
            "1 complete, 1 on track, 1 at risk, 1 off track",
            "1 complete, 2 on track, 1 at risk",
        ),
        (f"WSOA-2026 priority 2: {gone.area_title}", rag_words(gone.rag_counts), NOT_IN_REPORT),
    ]


def test_milestones_in_both_reports_show_forecast_completion_and_rag_changes():
    before = sample_report()
    halved = before.milestones_due[1]  # 102, also due next period in the sample
    done = replace(halved, forecast_date=date(2026, 11, 13), actual_date=date(2026, 11, 10), rag="blue")
    after = replace(
        before,
        milestones_due=[m for m in before.milestones_due if m.milestone_id != 102],
        milestones_next=[
            done if m.milestone_id == 102 else m for m in before.milestones_next if m.milestone_id != 106
        ],
    )

    item = "WSOA-2026 1.3: Backlog of overdue annual reviews halved"
    assert changes(before, after, "Milestone") == [
        (f"{item} — forecast", "30 October 2026", "13 November 2026"),
        (f"{item} — completed", "No date", "10 November 2026"),
        (f"{item} — RAG", "Red (off track)", "Blue (complete)"),
    ]


def test_new_changed_and_cleared_slippage():
    before = sample_report()
    lines = before.slippage
    after = replace(
        before,
        slippage=[
            replace(lines[0], days=120, reason="Agency cover delayed"),
            *lines[1:4],
            replace(lines[4], reference="2.4", title="New slip", days=1, reason=""),
        ],
    )

    assert changes(before, after, "Slippage") == [
        ("WSOA-2026 action 1.3", "+90 days", "+120 days: Agency cover delayed"),
        ("WSOA-2026 action 2.4", "Not slipped", "+1 day"),
        ("WSOA-2026 action 2.3", "+21 days", "No longer slipped"),
    ]


def test_kpi_latest_values_in_their_units():
    before = sample_report()
    kpis = before.kpis
    after = replace(before, kpis=[replace(kpis[0], latest=82.0, status="Below target"), *kpis[1:]])
    fewer = replace(before, kpis=kpis[1:])

    assert changes(before, after, "KPI") == [
        ("WSOA-2026: Annual reviews held within 12 months", "78.4%", "82% (Below target)")
    ]
    assert changes(fewer, before, "KPI") == [
        ("WSOA-2026: Annual reviews held within 12 months", NOT_IN_REPORT, "78.4%")
    ]


def test_training_compliance_rows_that_changed():
    before = sample_report()
    row = before.compliance[0]
    after = replace(before, compliance=[replace(row, compliant=row.compliant + 2), *before.compliance[1:]])

    assert changes(before, after, "Training") == [
        (
            f"{row.organisation}, {row.job_role}",
            f"{row.compliant} of {row.assigned} trained",
            f"{row.compliant + 2} of {row.assigned} trained",
        )
    ]
    other = replace(after, training_course="Preparing for adulthood")
    assert changes(before, other, "Training") == [
        ("Course reported", before.training_course, "Preparing for adulthood")
    ]


def test_changes_are_change_structs_in_section_order():
    before = sample_report()
    after = replace(
        before,
        headlines=[replace(h, value="0") for h in before.headlines],
        slippage=before.slippage[1:],
    )
    found = changes_between(before, after)
    assert all(isinstance(c, Change) for c in found)
    sections = [c.section for c in found]
    assert sections == sorted(
        sections, key=["Headline", "RAG", "Milestone", "Slippage", "KPI", "Training"].index
    )
