"""The board paper's files made in worker processes, the charts drawn beside the PDF (app.reports.files):
the same files as drawing first and printing after in this process, and a failure in a worker is the
report's failure."""

from __future__ import annotations

import io
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import msgspec
import pytest
from openpyxl import load_workbook

from app.reports import files
from app.reports.charts import chart_plans, report_charts
from app.reports.files import draw_charts, report_files
from app.reports.render import report_html, report_pdf, report_pdf_while_drawing
from app.reports.workbook import SHEETS, report_xlsx
from app.settings import get_settings
from tests.app.reports.sample import sample_report


def test_the_files_are_those_of_drawing_first_then_printing() -> None:
    data = sample_report()
    charts = report_charts(data)
    made = report_files(data)
    assert made.pdf == report_pdf(data, charts)  # byte for byte: the charts went into the same places
    assert made.html == report_html(data, charts)
    assert 'src="data:image/svg+xml;base64,' in made.html and "assure-chart:" not in made.html
    sheets = load_workbook(io.BytesIO(made.xlsx), read_only=True).sheetnames
    assert sheets == load_workbook(io.BytesIO(report_xlsx(data)), read_only=True).sheetnames
    assert len(sheets) == len(SHEETS)


def test_the_pdf_fetches_each_chart_from_its_drawing_and_stops_when_one_fails() -> None:
    data = sample_report()
    plans = chart_plans(data)
    charts = report_charts(data)
    drawings = {c.key: c.content for c in charts}
    asked: list[str] = []

    def drawing(key: str) -> bytes:
        asked.append(key)
        return drawings[key]

    assert report_pdf_while_drawing(data, plans, drawing) == report_pdf(data, charts)
    assert asked == [p.key for p in plans]  # each chart once, in report order

    def failed(key: str) -> bytes:
        raise ValueError("the drawing failed")

    with pytest.raises(ValueError, match="the drawing failed"):
        report_pdf_while_drawing(data, plans, failed)


def test_the_print_worker_waits_for_each_chart_and_stops_when_the_drawing_fails(tmp_path: Path) -> None:
    data = sample_report()
    charts = report_charts(data)
    # Every chart already written: the PDF is the one printed in this process.
    drawn = tmp_path / "drawn"
    drawn.mkdir()
    for number, chart in enumerate(charts):
        files._chart_file(drawn, number).write_bytes(chart.content)
    assert files._print(data, "Northbrook Borough Council", drawn) == report_pdf(
        data, charts, council_name="Northbrook Borough Council"
    )
    # The first chart written, then word that the rest will not come: the PDF stops at the second.
    failed = tmp_path / "failed"
    failed.mkdir()
    files._chart_file(failed, 0).write_bytes(charts[0].content)
    (failed / files.FAILED).touch()
    with pytest.raises(files.ChartNotDrawn, match=charts[1].key):
        files._print(data, "Northbrook Borough Council", failed)
    # The folder gone (the report given up): it stops too, rather than waiting.
    with pytest.raises(files.ChartNotDrawn, match=charts[0].key):
        files._print(data, "Northbrook Borough Council", tmp_path / "gone")


def test_the_council_named_in_the_paper_is_the_one_passed_to_the_print_worker() -> None:
    data = sample_report()
    charts = report_charts(data)
    html = report_html(data, charts, council_name="Westshire County Council")
    assert "Westshire County Council" in html and "Northbrook Borough Council" not in html


def test_a_chart_that_fails_in_the_worker_fails_the_files_with_its_error() -> None:
    data = sample_report()
    # Words can be written about an infinite value, but no axis can be drawn to it.
    kpi = msgspec.structs.replace(data.kpis[0], latest=float("inf"))
    kpi = msgspec.structs.replace(
        kpi, points=[msgspec.structs.replace(p, value=float("inf")) for p in kpi.points]
    )
    broken = msgspec.structs.replace(data, kpis=[kpi, *data.kpis[1:]])
    assert chart_plans(broken)
    with pytest.raises(ValueError, match="NaN or Inf"):
        report_files(broken)
    assert report_files(data).pdf.startswith(b"%PDF-")  # the worker carries on


@pytest.mark.parametrize("worker", [files.DRAW, files.PRINT])
def test_a_worker_that_died_is_replaced(worker: str) -> None:
    report_files(sample_report())
    pool = files._pool(worker)
    with pytest.raises(BrokenProcessPool):
        pool.submit(os._exit, 1).result()
    made = report_files(sample_report())
    assert made.pdf.startswith(b"%PDF-")
    assert files._pool(worker) is not pool


def test_the_council_in_the_files_is_the_setting_when_the_report_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report_files(sample_report())  # the workers started, from the environment as it was then
    monkeypatch.setenv("ASSURE_COUNCIL_NAME", "Westshire County Council")
    get_settings.cache_clear()
    try:
        made = report_files(sample_report())
    finally:
        get_settings.cache_clear()  # read again after the test, from the environment as it was
    assert "Westshire County Council" in made.html
    assert made.pdf == report_pdf(
        sample_report(), report_charts(sample_report()), council_name="Westshire County Council"
    )


async def test_the_dashboards_charts_are_drawn_in_the_worker() -> None:
    data = sample_report()
    assert await draw_charts(data) == report_charts(data)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="Unix scheduling priority")
@pytest.mark.parametrize("worker", [files.DRAW, files.PRINT])
def test_the_workers_run_below_the_servers_priority(worker: str) -> None:
    # os.nice(0) changes nothing and answers the process's niceness.
    assert files._submit(worker, os.nice, 0).result() == min(19, os.nice(0) + files.WORKER_NICENESS)
