"""Benchmark: a board report's files from the data: the figures, then the PDF with its charts (and the XLSX
and HTML), at demo and large size.

Run with `.venv/bin/python -m tests.benchmarks.bench_report --size demo|large|both [--repeat 3]
[--out FILE]`, or `--database-url URL --no-prepare --size large` for a database already prepared.

Preparing a size: `assure migrate` and `assure demo` into a fresh SQLite file; large adds the generator's
50,000 staff, 1,000,000 assignments, 200 courses and a board with 1,000 actions and 5,000 milestones
(`tests.benchmarks.generate --actions 1000`). The board measured is `--board NAME`, else the board with
the most plans (the generated one at large size; at demo size the demo's board, or one made here for
every plan when the demo has none). Each repeat times, as `assure report generate` and the background
generation do them, for the last complete quarter: `build_report` (the SQL), then `report_files` in a
worker thread (app/reports/files.py: the PDF, with the charts drawn and the XLSX written in a worker
process beside it, then the HTML). For reference it also times each file's step alone, one after
another in this process (charts, PDF, XLSX, HTML), as generation did before report_files.
Goal (issue 5): the PDF in under 3 s at demo size and under 5 s at large size, on this machine; the
measure is the figures plus every file, so the PDF is ready sooner than that.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from tests.benchmarks.prepare import LARGE, REPO, SETUP_SECONDS, environment, prepare

GOALS = {"demo": 3.0, "large": 5.0}
LARGE_REPORT = [*LARGE, "--actions", "1000"]
STEPS = ("data", "files")
EXTRA_STEPS = ("charts", "pdf", "xlsx", "html")


@dataclass
class Result:
    size: str
    board: str
    period_end: date
    dataset: dict[str, int]
    report: dict[str, int]
    pdf_bytes: int = 0
    pages: int | None = None
    timings: dict[str, list[float]] = field(default_factory=dict)
    cpu: list[float] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cold: bool = False  # the stored compliance figures cleared before each run

    def total(self, index: int) -> float:
        return sum(self.timings[step][index] for step in STEPS)

    @property
    def totals(self) -> list[float]:
        return [self.total(i) for i in range(len(self.timings["data"]))]


async def _board(name: str | None) -> tuple[int, str]:
    """The board to report on (see the module's docstring)."""
    from action_plans.tables import Plan
    from app.tables import Board

    boards = await Board.select(Board.id, Board.name).order_by(Board.name)
    if name is not None:
        for board in boards:
            if board["name"].casefold() == name.casefold():
                return board["id"], board["name"]
        raise SystemExit(f"no board called {name!r}; boards: {', '.join(b['name'] for b in boards)}")
    if not boards:
        now = datetime.now(UTC)
        created = await Board.insert(
            Board(name="SEND Improvement Board", created_at=now, updated_at=now)
        ).returning(Board.id)
        await Plan.update({Plan.board: created[0]["id"]}, force=True)
        return created[0]["id"], "SEND Improvement Board"
    plans = await Plan.select(Plan.board).where(Plan.board.is_not_null())
    count = {b["id"]: 0 for b in boards}
    for plan in plans:
        count[plan["board"]] = count.get(plan["board"], 0) + 1
    chosen = max(boards, key=lambda b: (count[b["id"]], -b["id"]))
    return chosen["id"], chosen["name"]


async def _dataset() -> dict[str, int]:
    from action_plans.tables import Action, Milestone
    from app.tables import Staff
    from courses.tables import Assignment

    return {
        "staff": await Staff.count(),
        "assignments": await Assignment.count(),
        "actions": await Action.count(),
        "milestones": await Milestone.count(),
    }


def _pdf_pages(content: bytes) -> int | None:
    """The PDF's page count by poppler's pdfinfo, when it is installed."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    info = subprocess.run(  # noqa: S603 (a fixed local tool, no shell)
        [pdfinfo, "-"], input=content, capture_output=True, check=False, timeout=60
    )
    for line in info.stdout.decode(errors="replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


async def measure(size: str, board_name: str | None, repeat: int, *, cold: bool = False) -> Result:
    """Time the report's steps `repeat` times against the configured database (after one warm-up).
    `cold`: clear the stored compliance figures (courses/compliance_cache.py) before each run, so each
    report works its training figures out again, as the first one after a change to training records."""
    import anyio

    from app.database import close_pool, open_pool
    from app.reports.charts import report_charts
    from app.reports.data import build_report, last_complete_quarter
    from app.reports.files import report_files
    from app.reports.render import report_html, report_pdf
    from app.reports.workbook import report_xlsx
    from courses.tables import ComplianceFigures

    await open_pool()
    try:
        board_id, name = await _board(board_name)
        period_end = last_complete_quarter(date.today())
        result = Result(size, name, period_end, await _dataset(), {}, cold=cold)
        result.timings = {step: [] for step in (*STEPS, *EXTRA_STEPS)}
        result.load_before = os.getloadavg()
        for attempt in range(repeat + 1):  # the first is a warm-up (imports, fonts, the worker process)
            if cold:
                await ComplianceFigures.delete(force=True)
            cpu = time.process_time()
            started = time.perf_counter()
            data = await build_report(board_id=board_id, period_end=period_end, generated_by="benchmark")
            built = time.perf_counter()
            made = await anyio.to_thread.run_sync(report_files, data)
            printed = time.perf_counter()
            cpu_used = time.process_time() - cpu
            pdf = made.pdf
            # Each step alone, for reference (not in the goal).
            charts = await anyio.to_thread.run_sync(report_charts, data)
            drawn = time.perf_counter()
            await anyio.to_thread.run_sync(report_pdf, data, charts)
            alone = time.perf_counter()
            await anyio.to_thread.run_sync(report_xlsx, data)
            workbook = time.perf_counter()
            await anyio.to_thread.run_sync(report_html, data, charts)
            html = time.perf_counter()
            if attempt == 0:
                result.pdf_bytes, result.pages = len(pdf), _pdf_pages(pdf)
                result.report = {
                    "plans": len(data.plans),
                    "areas": len(data.area_rags),
                    "milestones due": len(data.milestones_due),
                    "slipped": len(data.slippage),
                    "exceptions": len(data.exceptions),
                    "KPIs": len(data.kpis),
                    "charts": len(charts),
                }
                continue
            for step, seconds in zip(
                (*STEPS, *EXTRA_STEPS),
                (
                    built - started,
                    printed - built,
                    drawn - printed,
                    alone - drawn,
                    workbook - alone,
                    html - workbook,
                ),
                strict=True,
            ):
                result.timings[step].append(seconds)
            result.cpu.append(cpu_used)
            print(f"[{size}] run {attempt}: {printed - started:.2f} s", flush=True)
        result.load_after = os.getloadavg()
        return result
    finally:
        await close_pool()


def render(result: Result) -> str:
    goal = GOALS[result.size]
    median = statistics.median(result.totals)
    dataset = ", ".join(f"{v:,} {k}" for k, v in result.dataset.items())
    report = ", ".join(f"{v:,} {k}" for k, v in result.report.items())
    pages = f", {result.pages} pages" if result.pages else ""
    lines = [
        f"### {result.size.capitalize()} size",
        "",
        f"- Data: {dataset}. Board: {result.board}; period ending {result.period_end.isoformat()}.",
        f"- Report: {report}; PDF {result.pdf_bytes:,} bytes{pages}.",
        f"- {len(result.totals)} timed runs after one warm-up"
        + (", each cold (the stored compliance figures cleared before it)" if result.cold else "")
        + ". Load average before: "
        + " / ".join(f"{v:.2f}" for v in result.load_before)
        + "; after: "
        + " / ".join(f"{v:.2f}" for v in result.load_after)
        + ".",
        "",
        "| Step | median s | min s | max s |",
        "|---|---:|---:|---:|",
    ]
    for step in (*STEPS, *EXTRA_STEPS):
        values = result.timings[step]
        label = {
            "data": "figures (`build_report`, SQL)",
            "files": "files (`report_files`: PDF, charts and XLSX beside it, HTML)",
            "charts": "for reference, alone: charts (`report_charts`, SVG)",
            "pdf": "for reference, alone: PDF (`report_pdf`, WeasyPrint)",
            "xlsx": "for reference, alone: XLSX (`report_xlsx`)",
            "html": "for reference, alone: HTML (`report_html`)",
        }[step]
        lines.append(f"| {label} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    lines.append(
        f"| **figures + files** | **{median:.2f}** | {min(result.totals):.2f} | {max(result.totals):.2f} |"
    )
    verdict = "met" if median < goal else "missed"
    lines += [
        "",
        f"Goal: under {goal:.0f} s: **{verdict}** (median {median:.2f} s; CPU time of this process, "
        f"not counting the worker process, {statistics.median(result.cpu):.2f} s, median).",
    ]
    return "\n".join(lines)


def machine() -> str:
    return f"{os.cpu_count()} cores; {platform.platform()}; Python {platform.python_version()}"


def run_size(args: argparse.Namespace, size: str, work: Path) -> Result:
    folder = work / size
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{folder / 'assure.sqlite'}"
    env = environment(url, folder / "var")
    if not args.no_prepare:
        prepare(size, url, env, folder / "prepare.log", large=LARGE_REPORT)
    # Measure in a child process so each size gets its own configuration and engine.
    command = [
        sys.executable,
        "-m",
        "tests.benchmarks.bench_report",
        "--measure",
        size,
        "--repeat",
        str(args.repeat),
        "--result",
        str(folder / "result.json"),
    ]
    if args.cold:
        command.append("--cold")
    if args.board:
        command += ["--board", args.board]
    subprocess.run(command, env=env, cwd=REPO, check=True, timeout=SETUP_SECONDS)  # noqa: S603
    import msgspec

    return msgspec.json.decode((folder / "result.json").read_bytes(), type=Result)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time a board report's PDF at demo and large size.")
    parser.add_argument("--size", choices=("demo", "large", "both"), default="demo")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per size")
    parser.add_argument("--no-prepare", action="store_true", help="the database is already prepared")
    parser.add_argument("--board", default=None, help="the board's name (default: the one with most plans)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after one warm-up (default 3)")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with databases")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="clear the stored compliance figures before each run (the first report after a change)",
    )
    parser.add_argument("--measure", choices=("demo", "large"), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        # The child process of run_size: configuration comes from the environment.
        import msgspec

        result = asyncio.run(measure(args.measure, args.board, args.repeat, cold=args.cold))
        args.result.write_bytes(msgspec.json.encode(result))
        return
    if args.size == "both" and args.database_url:
        parser.error("--database-url names one database: use it with --size demo or --size large")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    work = Path(tempfile.mkdtemp(prefix="assure-bench-report-"))
    try:
        sizes = ("demo", "large") if args.size == "both" else (args.size,)
        results = [run_size(args, size, work) for size in sizes]
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    parts = [f"Machine: {machine()}.", *(render(r) for r in results)]
    if len(results) == 2:
        demo, large = (statistics.median(r.totals) for r in results)
        parts.append(f"Large to demo: {large / demo:.1f} times ({demo:.2f} s → {large:.2f} s).")
    text = "\n\n".join(parts) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
