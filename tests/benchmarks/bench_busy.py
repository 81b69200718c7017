"""Benchmark: other people's pages while board reports are being built (issue 5: "other users' pages
stay fast while a report is built").

Run with `.venv/bin/python -m tests.benchmarks.bench_busy [--database-url URL --no-prepare] [--reports 3]
[--concurrency 4] [--seconds 30] [--out FILE]`.

It prepares the large size as bench_report does (or uses `--database-url` as it is), serves the app with
`assure serve` (one worker) on a free loopback port, and signs in as the demo's professional and leader.
Then, in turns:

1. **idle:** "My training" as fast as `--concurrency` clients can load it, for `--seconds`;
2. **one report alone:** the leader asks for the board report of the last complete quarter through the
   board's page and waits for its PDF, with nothing else running;
3. **busy:** the leader asks for `--reports` reports, one after another, while the clients load "My
   training" as fast as they can until the last report is ready.

It prints "My training"'s requests a second, p50 and p95 in both states, and the report's time alone and
under that load. The board is the one with the most plans (the generator's, at large size). Each report
adds a snapshot to the database. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from tests.benchmarks.bench_pages import (
    CSRF_INPUT,
    SIGN_INS,
    Measurement,
    PageUnderTest,
    _hammer,
    _sign_in,
    start_server,
    stop_server,
)
from tests.benchmarks.bench_report import LARGE_REPORT, machine
from tests.benchmarks.prepare import environment, prepare

LEADER = "leader@northbrook.example"
PAGE = PageUnderTest("/my-training", "professional", "My training")
SNAPSHOT = re.compile(r"/reports/(\d+)$")
REPORT_SECONDS = 600  # a report not ready by then fails the benchmark
LOOK_EVERY_SECONDS = 0.25
EVERY = 10**9  # requests: as many as the time allows


@dataclass
class Busy:
    idle: Measurement
    busy: Measurement
    alone: float = 0.0
    under_load: list[float] = field(default_factory=list)


async def _board_id(database_url: str, var_dir: Path) -> int:
    """The board with the most plans, read through the app's own configuration."""
    os.environ.update(environment(database_url, var_dir))
    from app.database import close_pool, open_pool
    from tests.benchmarks.bench_report import _board

    await open_pool()
    try:
        board_id, _ = await _board(None)
        return board_id
    finally:
        await close_pool()


async def _report(client: object, board_id: int, period_end: date) -> float:
    """Ask for the board's report through its page, as a leader would; seconds until its PDF is ready."""
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    began = time.perf_counter()
    form = await client.get(f"/boards/{board_id}")
    token = CSRF_INPUT.search(form.text)
    if token is None:
        raise SystemExit(f"the board's page carries no CSRF token ({form.status_code})")
    asked = await client.post(
        f"/boards/{board_id}/reports",
        data={
            "period_end-day": str(period_end.day),
            "period_end-month": str(period_end.month),
            "period_end-year": str(period_end.year),
            "_csrf_token": token.group(1),
        },
    )
    found = SNAPSHOT.search(asked.headers.get("location", ""))
    if asked.status_code != 303 or found is None:
        raise SystemExit(f"the report was not accepted: {asked.status_code} {asked.text[:500]}")
    pdf = f"/reports/{found.group(1)}/report.pdf"
    while time.perf_counter() - began < REPORT_SECONDS:
        response = await client.get(pdf)
        if response.status_code == 200:
            return time.perf_counter() - began
        page = await client.get(f"/reports/{found.group(1)}")
        if "The report could not be generated" in page.text:
            raise SystemExit(f"report {found.group(1)} failed; see its page")
        await asyncio.sleep(LOOK_EVERY_SECONDS)
    raise SystemExit(f"report {found.group(1)} was not ready within {REPORT_SECONDS} s")


async def run(base_url: str, board_id: int, reports: int, concurrency: int, seconds: float) -> Busy:
    import httpx

    from app.reports.data import last_complete_quarter

    period_end = last_complete_quarter(date.today())
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(120.0)
    async with (
        httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as professional,
        httpx.AsyncClient(base_url=base_url, timeout=timeout) as leader,
    ):
        await _sign_in(professional, SIGN_INS["professional"])
        await _sign_in(leader, LEADER)
        for _ in range(20):  # warm up the page and the server
            await professional.get(PAGE.path)
        # The first report starts the worker processes: not timed.
        await _report(leader, board_id, period_end)

        idle = await _hammer(professional, PAGE, EVERY, concurrency, seconds)
        alone = await _report(leader, board_id, period_end)

        done = asyncio.Event()
        loading = asyncio.create_task(
            _hammer(professional, PAGE, EVERY, concurrency, REPORT_SECONDS * reports, until=done)
        )
        await asyncio.sleep(1)  # the clients at full speed before the first report
        under_load = []
        try:
            for _ in range(reports):
                under_load.append(await _report(leader, board_id, period_end))
        finally:
            done.set()
        busy = await loading
    return Busy(idle=idle, busy=busy, alone=alone, under_load=under_load)


def render(result: Busy, *, concurrency: int, reports: int, started: datetime) -> str:
    def row(state: str, m: Measurement) -> str:
        return (
            f"| {state} | {len(m.latencies)} ({m.errors}) | {m.per_second:.1f} | "
            f"{m.percentile(0.50):.0f} | {m.percentile(0.95):.0f} |"
        )

    kept = result.busy.per_second / result.idle.per_second if result.idle.per_second else 0.0
    p95 = result.busy.percentile(0.95) / result.idle.percentile(0.95) - 1
    return "\n".join(
        [
            f"Machine: {machine()}. Run: {started:%Y-%m-%d %H:%M} UTC; one server worker; {concurrency} "
            f"clients loading `{PAGE.path}` as the demo's professional; {reports} reports one after "
            "another as the demo's leader.",
            "",
            "| My training | requests (errors) | req/s | p50 ms | p95 ms |",
            "|---|---:|---:|---:|---:|",
            row("idle", result.idle),
            row("while reports are built", result.busy),
            "",
            f"- While reports were built, the page kept **{kept:.0%}** of its idle throughput; its p95 moved "
            f"{p95:+.0%}.",
            f"- A report took {result.alone:.1f} s alone and "
            + ", ".join(f"{s:.1f}" for s in result.under_load)
            + f" s under that load (median {statistics.median(result.under_load):.1f} s), from asking to "
            "its PDF being ready.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Pages while board reports are built.")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file, large size")
    parser.add_argument("--no-prepare", action="store_true", help="the database is already prepared")
    parser.add_argument("--reports", type=int, default=3, help="reports built under load (default 3)")
    parser.add_argument("--concurrency", type=int, default=4, help="clients loading the page (default 4)")
    parser.add_argument("--seconds", type=float, default=30.0, help="idle measurement (default 30 s)")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown to this file")
    args = parser.parse_args()
    if args.reports < 1 or args.concurrency < 1 or args.seconds <= 0:
        parser.error("--reports, --concurrency and --seconds must be positive")
    with tempfile.TemporaryDirectory(prefix="assure-bench-busy-") as name:
        work = Path(name)
        url = args.database_url or f"sqlite:///{work / 'assure.sqlite'}"
        env = environment(url, work / "var")
        if not args.no_prepare:
            prepare("large", url, env, work / "prepare.log", large=LARGE_REPORT)
        board_id = asyncio.run(_board_id(url, work / "var"))
        started = datetime.now(UTC)
        server, base_url = start_server(env, 1, work / "server.log")
        try:
            result = asyncio.run(run(base_url, board_id, args.reports, args.concurrency, args.seconds))
        finally:
            stop_server(server)
    text = render(result, concurrency=args.concurrency, reports=args.reports, started=started) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
