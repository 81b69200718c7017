"""The board paper's files from its data, made in two worker processes so that the server's own process
stays free for other people's pages.

- The **print** worker lays out the PDF: most of the work (about 4 s of 6 at 50,000 staff and 1,000
  actions on a fast machine) and one library call that holds the GIL throughout. In a thread of the
  server's process it halved the pages the server could answer while a report was built.
- The **draw** worker draws the charts, then writes the workbook, at the same time. It writes each chart
  into a folder the two share as soon as it is drawn. The PDF needs a chart only when it builds the
  chart's box, after parsing and styling the whole document (render.report_pdf_while_drawing), which
  takes longer than drawing every chart; it waits there for any chart not yet written.
- This process waits for both, then writes the HTML (milliseconds). The charts shown on the live dashboard
  and on a stored report's page are drawn in the draw worker too (`draw_charts`).

All of it is blocking: callers run `report_files` in a worker thread. Each worker is started once, on
first use, from a fork server that has already imported the drawing, workbook and PDF code
(multiprocessing's "forkserver": a clean process, never a fork of a threaded server), and kept. The
workers read no settings (their environment is the fork server's, from when it started): the council's
name is passed with each job. A worker that dies (killed, out of memory) fails the job in hand with its
error; the next job finds its pool broken and starts a new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from app.reports.charts import Chart, chart_plans, each_chart, report_charts
from app.reports.model import ReportData
from app.reports.render import report_html, report_pdf_while_drawing
from app.reports.workbook import report_xlsx
from app.settings import get_settings

__all__ = ["Files", "draw_charts", "report_files", "stop_workers"]

T = TypeVar("T")

# What the fork server imports once, so each worker starts ready to draw, write and print.
PRELOAD = ["app.reports.charts", "app.reports.workbook", "app.reports.render"]
DRAW, PRINT = "draw", "print"
# The draw worker's word to the print worker that the charts will not come (written by this process).
FAILED = "failed"
# How often the print worker looks for a chart it needs, and how long it waits for one at most.
LOOK_EVERY_SECONDS = 0.01
WAIT_SECONDS = 600.0
# The workers' scheduling priority, below the server's (Unix niceness: 0 is the default, 19 the lowest).
WORKER_NICENESS = 10

_pools: dict[str, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Files:
    html: str
    pdf: bytes
    xlsx: bytes
    sha256: str


@lru_cache(maxsize=1)
def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")  # Windows


def _lower_priority() -> None:
    """In each worker, as it starts: the scheduler serves the server's process first, so people's pages
    stay fast while a report is built; an idle machine gives the report all the same."""
    if hasattr(os, "nice"):  # not on Windows
        os.nice(WORKER_NICENESS)


def _pool(name: str) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(name)
        if pool is None:
            pool = _pools[name] = ProcessPoolExecutor(
                max_workers=1, mp_context=_context(), initializer=_lower_priority
            )
        return pool


def _forget(name: str, pool: ProcessPoolExecutor) -> None:
    """A broken worker is not used again: the next job starts another."""
    with _pools_lock:
        if _pools.get(name) is pool:
            del _pools[name]
    pool.shutdown(wait=False, cancel_futures=True)


def stop_workers() -> None:
    """Stop the worker processes that were started (the app's shutdown)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(name: str, fn: Callable[..., T], *args: Any) -> Future[T]:
    pool = _pool(name)
    try:
        return pool.submit(fn, *args)
    except BrokenProcessPool:  # the worker died, during the last job or since: start another
        _forget(name, pool)
        return _pool(name).submit(fn, *args)


def _chart_file(folder: Path, number: int) -> Path:
    # Numbered in report order: a chart's key holds a plan's reference, which people type.
    return folder / f"{number}.svg"


def _draw_and_write(data: ReportData, folder: Path) -> tuple[list[Chart], bytes]:
    """In the draw worker: every chart, each written into `folder` as soon as it is drawn; then the
    workbook."""
    charts = []
    for number, chart in enumerate(each_chart(data)):
        part = folder / f"{number}.part"
        part.write_bytes(chart.content)
        part.replace(_chart_file(folder, number))  # whole or not at all, for the print worker
        charts.append(chart)
    return charts, report_xlsx(data)


class ChartNotDrawn(RuntimeError):
    pass


def _print(data: ReportData, council_name: str, folder: Path) -> bytes:
    """In the print worker: the PDF, each chart read from `folder` when the layout reaches it."""
    plans = chart_plans(data)
    numbers = {plan.key: number for number, plan in enumerate(plans)}

    def drawing(key: str) -> bytes:
        path = _chart_file(folder, numbers[key])
        deadline = time.monotonic() + WAIT_SECONDS
        while not path.exists():
            if (folder / FAILED).exists() or not folder.exists():
                raise ChartNotDrawn(f"Chart {key!r} was not drawn")
            if time.monotonic() > deadline:
                raise ChartNotDrawn(f"Chart {key!r} was not drawn within {WAIT_SECONDS:.0f} s")
            time.sleep(LOOK_EVERY_SECONDS)
        return path.read_bytes()

    return report_pdf_while_drawing(data, plans, drawing, council_name=council_name)


def report_files(data: ReportData) -> Files:
    """The board paper's HTML, PDF (with its SHA-256) and XLSX."""
    council_name = get_settings().council_name
    # A report given up while the draw worker is still writing may leave a file behind: never an error.
    with tempfile.TemporaryDirectory(prefix="assure-charts-", ignore_cleanup_errors=True) as name:
        folder = Path(name)
        drawn = _submit(DRAW, _draw_and_write, data, folder)
        printed = _submit(PRINT, _print, data, council_name, folder)
        try:
            charts, xlsx = drawn.result()
        except BaseException:
            (folder / FAILED).touch()  # the PDF stops at its first chart; the chart's error is the report's
            raise
        pdf = printed.result()
    html = report_html(data, charts, council_name=council_name)
    return Files(html=html, pdf=pdf, xlsx=xlsx, sha256=hashlib.sha256(pdf).hexdigest())


async def draw_charts(data: ReportData) -> list[Chart]:
    """The report's charts, drawn in the draw worker (the dashboard, a stored report's page): the
    server's own process stays free for other people's pages."""
    return await asyncio.wrap_future(_submit(DRAW, report_charts, data))
