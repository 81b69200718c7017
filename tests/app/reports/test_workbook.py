"""The board report as an XLSX workbook: a sheet per section, typed cells, nothing Excel would run."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time, timedelta

import msgspec
from openpyxl import load_workbook

from action_plans.enums import Rag
from action_plans.tables import ProgressUpdate
from app.reports.data import build_report, last_complete_quarter
from app.reports.model import ReportData
from app.reports.workbook import SHEETS, report_xlsx
from app.tables import Board
from tests.action_plans.builders import insert_action, insert_area, insert_plan
from tests.app.reports.sample import sample_report

EXPECTED_SHEETS = [
    "Summary",
    "Plans",
    "RAG by area",
    "Milestones due",
    "Next period",
    "Slippage",
    "Exceptions",
    "KPIs",
    "Training compliance",
    "Training trend",
    "Overdue by team",
    "Changes",
]


def with_formulas_typed_in(data: ReportData) -> ReportData:
    """The report with '=1+1' typed by users as an exception's cause and an action's title."""
    first, *rest = data.exceptions
    exception = msgspec.structs.replace(first, cause="=1+1", title="=1+1", decision_requested="@SUM(A1)")
    return msgspec.structs.replace(data, exceptions=[exception, *rest])


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


def table(sheet) -> list[dict[str, object]]:
    """A sheet's rows under its header row (row 2; row 1 is the title) as dicts."""
    headers = [c.value for c in sheet[2]]
    return [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_workbook_opens_with_a_sheet_per_section_each_with_title_and_frozen_header():
    data = sample_report()

    book = open_book(report_xlsx(data))

    assert book.sheetnames == EXPECTED_SHEETS == [s.title for s in SHEETS]
    for sheet in book.worksheets:
        title = sheet["A1"].value
        assert data.board_name in title and data.period.label in title and "OFFICIAL" in title
        assert sheet.freeze_panes == "A3"
        assert all(cell.font.bold for cell in sheet[2] if cell.value)
        assert all(sheet.column_dimensions[c.column_letter].width >= 10 for c in sheet[2])
    assert book.properties.category == data.protective_marking
    assert data.board_name in book.properties.title and data.period.label in book.properties.title


def test_a_formula_typed_by_a_user_is_stored_as_text_and_nothing_is_a_formula():
    content = report_xlsx(with_formulas_typed_in(sample_report()))

    book = open_book(content)

    exceptions = table(book["Exceptions"])
    assert exceptions[0]["Cause"] == "'=1+1"
    assert exceptions[0]["Title"] == "'=1+1"
    assert exceptions[0]["Decision requested"] == "'@SUM(A1)"
    cause_cell = book["Exceptions"].cell(row=3, column=9)
    assert cause_cell.value == "'=1+1" and cause_cell.data_type == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_columns_are_typed_dates_numbers_and_percentages():
    data = sample_report()

    book = open_book(report_xlsx(data))

    slippage = book["Slippage"]
    first = data.slippage[0]
    row = table(slippage)[0]
    assert row["Baseline date"] == datetime.combine(first.baseline_date, datetime.min.time())
    assert row["Days slipped"] == first.days and isinstance(row["Days slipped"], int)
    assert slippage.cell(row=3, column=6).is_date
    assert slippage.cell(row=3, column=6).number_format == "d mmm yyyy"

    compliance = book["Training compliance"]
    line = data.compliance[0]
    cell = compliance.cell(row=3, column=7)
    assert cell.number_format == "0.0%"
    assert abs(cell.value - line.compliant / line.assigned) < 1e-9
    assert [r["Assigned"] for r in table(compliance)] == [c.assigned for c in data.compliance]

    kpis = table(book["KPIs"])
    assert len(kpis) == sum(len(k.points) for k in data.kpis)
    kpi = data.kpis[0]
    first_point = kpis[0]
    assert first_point["KPI"] == kpi.name
    assert first_point["Period end"].date() == kpi.points[0].period_end
    assert first_point["Value"] == kpi.points[0].value
    assert first_point["Target"] == kpi.target
    assert first_point["Statutory threshold"] == kpi.statutory_threshold
    if kpi.unit == "percent":
        assert book["KPIs"].cell(row=3, column=4).number_format == '0.0"%"'


def test_every_section_holds_the_reports_rows():
    data = sample_report()

    book = open_book(report_xlsx(data))

    assert len(table(book["Plans"])) == len(data.plans)
    assert len(table(book["RAG by area"])) == len(data.area_rags)
    due = table(book["Milestones due"])
    assert len(due) == len(data.milestones_due)
    met = {m.title for m in data.milestones_due if m.milestone_id in data.milestones_met}
    assert {r["Milestone"] for r in due if r["Met or missed"] == "Met"} == met
    assert len(table(book["Next period"])) == len(data.milestones_next)
    assert len(table(book["Slippage"])) == len(data.slippage)
    assert len(table(book["Exceptions"])) == len(data.exceptions)
    assert len(table(book["Training trend"])) == len(data.compliance_trend)
    assert len(table(book["Overdue by team"])) == len(data.overdue_by_team)
    assert [(r["Section"], r["Item"]) for r in table(book["Changes"])] == [
        (c.section, c.item) for c in data.changes
    ]
    summary = {r["Item"]: r["Value"] for r in table(book["Summary"])}
    assert summary["Board"] == data.board_name
    assert summary["Period end"] == datetime.combine(data.period.end, datetime.min.time())
    for headline in data.headlines:
        assert summary[headline.label] == headline.value


def test_a_report_with_empty_sections_still_has_every_sheet():
    data = msgspec.structs.replace(
        sample_report(with_previous=False),
        plans=[],
        area_rags=[],
        milestones_due=[],
        milestones_met=[],
        milestones_next=[],
        slippage=[],
        exceptions=[],
        kpis=[],
        training_course="",
        training_target=None,
        compliance=[],
        compliance_trend=[],
        overdue_by_team=[],
        changes=[],
    )

    book = open_book(report_xlsx(data))

    assert book.sheetnames == EXPECTED_SHEETS
    assert table(book["Exceptions"]) == []
    assert data.period.end > date(2000, 1, 1)


async def test_formulas_typed_into_an_action_and_its_update_reach_the_workbook_as_text():
    """End to end: what a lead typed, through build_report, into the XLSX cells."""
    now = datetime.now(UTC)
    board = await Board.insert(
        Board(name="SEND Improvement Board", created_at=now, updated_at=now)
    ).returning(Board.id)
    plan_id = await insert_plan(owner_id=None, board=board[0]["id"])
    area_id = await insert_area(plan_id=plan_id)
    end = last_complete_quarter(date.today())
    action_id = await insert_action(
        plan_id=plan_id,
        area_id=area_id,
        reference="1.1",
        lead_id=None,
        start=end - timedelta(days=200),
        baseline=end - timedelta(days=60),
        forecast=end - timedelta(days=60),
        percent=10,
        description="=1+1",
    )
    await ProgressUpdate.insert(
        ProgressUpdate(
            plan=plan_id,
            action=action_id,
            period_end=end,
            narrative="=1+1",
            percent_complete=10,
            rag=Rag.RED,
            impact='=HYPERLINK("http://example.invalid","Open")',
            recovery_action="+SUM(A1:A9)",
            decision_requested="@SUM(1)",
            created_at=datetime.combine(end - timedelta(days=5), time(12), tzinfo=UTC),
        )
    )
    data = await build_report(board_id=board[0]["id"], period_end=end, generated_by="test")

    book = open_book(report_xlsx(data))

    [row] = table(book["Exceptions"])
    assert row["Title"] == "'=1+1"
    assert row["Cause"] == "'=1+1"
    assert row["Impact"] == '\'=HYPERLINK("http://example.invalid","Open")'
    assert (row["Recovery action"], row["Decision requested"]) == ("'+SUM(A1:A9)", "'@SUM(1)")
    assert all(c.data_type != "f" for sheet in book.worksheets for r in sheet.iter_rows() for c in r)
