"""The board paper's files with the charts drawn in a worker process beside the PDF (app.reports.files):
the same files as drawing first and printing after, and a failure in the worker is the report's failure."""

from __future__ import annotations

import io
import os
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import msgspec
import pytest
from openpyxl import load_workbook

from app.reports import files
from app.reports.charts import Chart, chart_plans, report_charts
from app.reports.files import draw_charts, report_files
from app.reports.render import report_html, report_pdf, report_pdf_while_drawing
from app.reports.workbook import SHEETS, report_xlsx
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


def test_the_pdf_waits_for_each_chart_and_stops_when_one_fails() -> None:
    data = sample_report()
    plans = chart_plans(data)
    drawn: Future[list[Chart]] = Future()
    drawn.set_result(report_charts(data))
    assert report_pdf_while_drawing(data, plans, drawn) == report_pdf(data, drawn.result())

    failed: Future[list[Chart]] = Future()
    failed.set_exception(ValueError("the drawing failed"))
    with pytest.raises(ValueError, match="the drawing failed"):
        report_pdf_while_drawing(data, plans, failed)

    # A chart missing from the drawings stops the PDF rather than leaving a hole where it goes.
    missing: Future[list[Chart]] = Future()
    missing.set_result(report_charts(data)[1:])
    with pytest.raises(RuntimeError, match="rag_by_area"):
        report_pdf_while_drawing(data, plans, missing)


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


def test_a_worker_that_died_is_replaced() -> None:
    report_files(sample_report())
    pool = files._pool()
    with pytest.raises(BrokenProcessPool):
        pool.submit(os._exit, 1).result()
    made = report_files(sample_report())
    assert made.pdf.startswith(b"%PDF-")
    assert files._pool() is not pool


async def test_the_dashboards_charts_are_drawn_in_the_worker() -> None:
    data = sample_report()
    assert await draw_charts(data) == report_charts(data)
