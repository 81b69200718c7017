"""The board paper's files from its data, on two cores: the charts are drawn, and then the workbook
written, in a worker process while this process lays out the PDF.

The PDF is most of the work (about 4 s of 6 at 50,000 staff and 1,000 actions) and one library call. It
needs each chart only when it builds the chart's box, after parsing and styling the whole document, which
takes longer than drawing every chart: so the charts are drawn beside it (render.report_pdf_while_drawing)
instead of before it, and the workbook after them in the same worker. All of it is CPU work: callers run
`report_files` in a worker thread. The live dashboard's charts are drawn in the same worker
(`draw_charts`).

The worker is started once, on first use, from a fork server that has already imported the drawing and
workbook code (multiprocessing's "forkserver": a clean process, never a fork of a threaded server), and
kept. A worker that dies (killed, out of memory) fails the job in hand with its error; the next job finds
the pool broken and starts a new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TypeVar

from app.reports.charts import Chart, chart_plans, report_charts
from app.reports.model import ReportData
from app.reports.render import report_html, report_pdf_while_drawing
from app.reports.workbook import report_xlsx

__all__ = ["Files", "draw_charts", "report_files", "stop_worker"]

T = TypeVar("T")

# What the fork server imports once, so each worker starts ready to draw and write.
PRELOAD = ["app.reports.charts", "app.reports.workbook"]

_worker: ProcessPoolExecutor | None = None
_worker_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Files:
    html: str
    pdf: bytes
    xlsx: bytes
    sha256: str


def _pool() -> ProcessPoolExecutor:
    global _worker
    with _worker_lock:
        if _worker is None:
            context: BaseContext
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(PRELOAD)
            else:  # Windows
                context = multiprocessing.get_context("spawn")
            _worker = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return _worker


def _forget(pool: ProcessPoolExecutor) -> None:
    """A broken worker is not used again: the next report starts another."""
    global _worker
    with _worker_lock:
        if _worker is pool:
            _worker = None
    pool.shutdown(wait=False, cancel_futures=True)


def stop_worker() -> None:
    """Stop the worker process, if one was started (the app's shutdown)."""
    global _worker
    with _worker_lock:
        pool, _worker = _worker, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(fn: Callable[[ReportData], T], data: ReportData) -> tuple[ProcessPoolExecutor, Future[T]]:
    pool = _pool()
    try:
        return pool, pool.submit(fn, data)
    except BrokenProcessPool:  # the worker died, during the last job or since: start another
        _forget(pool)
        pool = _pool()
        return pool, pool.submit(fn, data)


def report_files(data: ReportData) -> Files:
    """The board paper's HTML, PDF (with its SHA-256) and XLSX."""
    pool, drawn = _submit(report_charts, data)
    workbook = pool.submit(report_xlsx, data)
    pdf = report_pdf_while_drawing(data, chart_plans(data), drawn)
    charts, xlsx = drawn.result(), workbook.result()
    return Files(html=report_html(data, charts), pdf=pdf, xlsx=xlsx, sha256=hashlib.sha256(pdf).hexdigest())


async def draw_charts(data: ReportData) -> list[Chart]:
    """The report's charts, drawn in the worker process (the live dashboard): the server's own process
    stays free for other people's pages."""
    _, drawn = _submit(report_charts, data)
    return await asyncio.wrap_future(drawn)
