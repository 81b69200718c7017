"""The board paper's files made in worker processes, the charts drawn beside the PDF (app.reports.files):
the same files as drawing first and printing after in this process, and a failure in a worker is the
report's failure."""

from __future__ import annotations

import io
import os
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from openpyxl import load_workbook

from app.reports import files
from app.reports.charts import Chart, chart_plans, report_charts
from app.reports.files import draw_charts, report_files
from app.reports.model import ReportData
from app.reports.render import report_html, report_pdf, report_pdf_while_drawing
from app.reports.workbook import SHEETS, report_xlsx
from app.settings import get_settings
from tests.app.reports.sample import sample_report


@dataclass(frozen=True)
class Printed:
    """The sample report's charts and its PDF, drawn first and printed after, in this process."""

    data: ReportData
    charts: list[Chart]
    council_name: str  # the setting, as the tests have it
    pdf: bytes


@pytest.fixture(scope="module")
def printed() -> Printed:
    data = sample_report()
    charts = report_charts(data)
    council_name = get_settings().council_name
    return Printed(data, charts, council_name, report_pdf(data, charts, council_name=council_name))


def test_the_files_are_those_of_drawing_first_then_printing(printed: Printed) -> None:
    made = report_files(printed.data)
    assert made.pdf == printed.pdf  # byte for byte: the charts went into the same places
    assert made.html == report_html(printed.data, printed.charts)
    assert 'src="data:image/svg+xml;base64,' in made.html and "assure-chart:" not in made.html
    sheets = load_workbook(io.BytesIO(made.xlsx), read_only=True).sheetnames
    assert sheets == load_workbook(io.BytesIO(report_xlsx(printed.data)), read_only=True).sheetnames
    assert len(sheets) == len(SHEETS)


def test_the_print_worker_reads_each_chart_from_the_drawings_folder(printed: Printed, tmp_path: Path) -> None:
    for number, chart in enumerate(printed.charts):
        files._chart_file(tmp_path, number).write_bytes(chart.content)
    assert files._print(printed.data, printed.council_name, tmp_path) == printed.pdf


def test_the_print_worker_stops_when_the_drawing_fails(printed: Printed, tmp_path: Path) -> None:
    # The first chart written, then word that the rest will not come: the PDF stops at the second.
    files._chart_file(tmp_path, 0).write_bytes(printed.charts[0].content)
    (tmp_path / files.FAILED).touch()
    with pytest.raises(files.ChartNotDrawn, match=printed.charts[1].key):
        files._print(printed.data, printed.council_name, tmp_path)
    # The folder gone (the report given up): it stops too, rather than waiting.
    with pytest.raises(files.ChartNotDrawn, match=printed.charts[0].key):
        files._print(printed.data, printed.council_name, tmp_path / "gone")


def test_a_drawing_that_fails_stops_the_pdf_with_its_error(printed: Printed) -> None:
    def failed(key: str) -> bytes:
        raise ValueError("the drawing failed")

    with pytest.raises(ValueError, match="the drawing failed"):
        report_pdf_while_drawing(printed.data, chart_plans(printed.data), failed)


def test_a_chart_that_fails_in_the_worker_fails_the_files_with_its_error() -> None:
    data = sample_report()
    # Words can be written about an infinite value, but no axis can be drawn to it.
    kpi = msgspec.structs.replace(data.kpis[0], latest=float("inf"))
    kpi = msgspec.structs.replace(
        kpi, points=[msgspec.structs.replace(p, value=float("inf")) for p in kpi.points]
    )
    broken = msgspec.structs.replace(data, kpis=[kpi, *data.kpis[1:]])
    assert chart_plans(broken)
    workers = [files._submit(worker, os.getpid).result() for worker in (files.DRAW, files.PRINT)]
    with pytest.raises(ValueError, match="NaN or Inf"):
        report_files(broken)
    # The same workers carry on.
    assert [files._submit(worker, os.getpid).result() for worker in (files.DRAW, files.PRINT)] == workers


def test_workers_that_died_are_replaced() -> None:
    pools = [files._pool(files.DRAW), files._pool(files.PRINT)]
    for pool in pools:
        with pytest.raises(BrokenProcessPool):
            pool.submit(os._exit, 1).result()
    made = report_files(sample_report())
    assert made.pdf.startswith(b"%PDF-")
    assert files._pool(files.DRAW) is not pools[0] and files._pool(files.PRINT) is not pools[1]


def test_the_council_in_the_files_is_the_setting_when_the_report_is_made(
    printed: Printed, monkeypatch: pytest.MonkeyPatch
) -> None:
    for worker in (files.DRAW, files.PRINT):  # started, from the environment as it is before the change
        files._submit(worker, os.getpid).result()
    monkeypatch.setenv("ASSURE_COUNCIL_NAME", "Westshire County Council")
    get_settings.cache_clear()
    try:
        made = report_files(printed.data)
    finally:
        get_settings.cache_clear()  # read again after the test, from the environment as it was
    assert "Westshire County Council" in made.html
    assert made.pdf != printed.pdf  # the same report for the council of the tests' settings


async def test_the_dashboards_charts_are_drawn_in_the_worker() -> None:
    data = sample_report()
    assert await draw_charts(data) == report_charts(data)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="Unix scheduling priority")
@pytest.mark.parametrize("worker", [files.DRAW, files.PRINT])
def test_the_workers_run_below_the_servers_priority(worker: str) -> None:
    # os.nice(0) changes nothing and answers the process's niceness.
    assert files._submit(worker, os.nice, 0).result() == min(19, os.nice(0) + files.WORKER_NICENESS)
