"""Benchmark: throughput and latency of the key pages under load, against the app's own /health.

Run with `.venv/bin/python -m tests.benchmarks.bench_pages [--size demo|large|both] [--database-url URL]
[--seconds S] [--concurrency C] [--timeout T] [--workers W] [--out FILE]` (S and T in whole seconds, as
wrk takes them). It needs wrk on the PATH (`apt-get install wrk`, Debian's 4.1.0).

For each size it prepares a database (demo: `assure migrate` and `assure demo`; large: the same, then
`tests.benchmarks.generate` with 50,000 staff and 1,000,000 assignments), counts the SQL statements
each page issues in-process (Piccolo's engine.query_id, as tests/app/test_query_counts.py does), then
serves the app with `assure serve` on a free loopback port. Each page is signed in to once with httpx, as
the demo role that uses it, warmed up with a few httpx requests, then loaded for `--seconds` by wrk (one
thread, `--concurrency` connections, the session's cookies in a header), with tests/benchmarks/
wrk_report.lua counting every answer but 200 as an error (a 303 to the sign-in page among them) and
handing back wrk's latency histogram. wrk, in C, costs the machine far less per request than a Python
client would, so the ratio to /health measures the server rather than the client (bench_busy.py keeps an
httpx load, `_hammer`, as it must stop the moment its reports are ready). With `--size both` both sizes are
served at once and each page's seconds alternate between them in turns, so the two sizes meet the same
machine (the machine is shared: measured one after the other, /health's own p95 moved by 25-30% between
sizes). It prints a Markdown table per size: requests per second, the ratio to /health's in the same run,
p50 and p95 latency, and statements per request; with `--size both`, also how p95 moved from demo size to
large size. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from tests.benchmarks.prepare import CASEWORKER, DEMO_PAGES, LARGE, REPO, environment, prepare

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")

DEMO_PASSWORD = "Northbrook SEND demo"
SIGN_INS = {
    "admin": "admin@northbrook.example",
    "trainer": "trainer@northbrook.example",
    "professional": "professional@northbrook.example",
    "caseworker": CASEWORKER,  # the same two courses at both sizes (tests/benchmarks/prepare.py)
}
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
SERVER_START_SECONDS = 60
WARM_UP_REQUESTS = 5
# With two sizes, each page's seconds are spent in this many turns, alternating between the sizes.
ROUNDS = 4
WRK_SOCKET_ERRORS = ("connect", "read", "write", "timeout")


@dataclass(frozen=True, slots=True)
class PageUnderTest:
    path: str
    role: str | None  # None: no sign-in
    what: str

    @property
    def key(self) -> str:
        """The page as this role sees it: one path can be measured for two people."""
        return f"{self.path} as {self.role or 'nobody'}"


# The compliance view goes last: a request that times out on the client still runs on in the server,
# and would slow whatever was measured after it.
PAGES = [
    PageUnderTest("/health", None, "health check (baseline)"),
    PageUnderTest("/my-training", "professional", "My training: 20 courses at both sizes"),
    PageUnderTest("/my-training", "caseworker", "My training: the same 2 courses at both sizes"),
    PageUnderTest("/admin/staff", "admin", "staff list, first page"),
    PageUnderTest("/courses", "trainer", "course list"),
    PageUnderTest("/compliance", "trainer", "compliance view (default course)"),
]


@dataclass
class Measurement:
    page: PageUnderTest
    # Seconds, successful requests only; from wrk, every answer within the timeout (wrk times them all,
    # whatever their status), so the same list whenever errors is 0.
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    statements: float | None = None
    ok: int | None = None  # successful requests, where latencies may hold others too (wrk's)

    @property
    def successes(self) -> int:
        return len(self.latencies) if self.ok is None else self.ok

    @property
    def per_second(self) -> float:
        return self.successes / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
        return 1000 * ordered[rank - 1]


@dataclass
class Run:
    size: str
    database: str
    dataset: dict[str, int]
    measurements: list[Measurement]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    started: datetime
    workers: int
    client: str  # wrk's version
    concurrency: int  # wrk's connections, on one wrk thread
    seconds: int  # per page, all turns together
    turns: int
    timeout: int


# --- preparing the database --------------------------------------------------------------------


# --- statements per request, in-process ----------------------------------------------------------


async def _sign_in(client: object, email: str) -> None:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    form = await client.get("/sign-in")
    match = CSRF_INPUT.search(form.text)
    if match is None:
        raise SystemExit("the sign-in page carries no CSRF token")
    response = await client.post(
        "/sign-in",
        data={"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": match.group(1)},
    )
    if response.status_code != 303:
        raise SystemExit(f"could not sign in as {email}: {response.status_code}")


async def _dataset_and_statements(repeat: int = 3) -> None:
    """The data's size, and SQL statements per request of each page, through the app in this process."""
    import httpx

    from app.database import close_pool, get_engine, open_pool
    from app.main import create_app
    from app.tables import Staff
    from courses.tables import Assignment, Completion, Course, ModuleProgress

    await open_pool()
    try:

        async def open_assignments(email: str) -> int:
            person = await Staff.select(Staff.id).where(Staff.email == email).first()
            return await Assignment.count().where(
                (Assignment.staff == (person or {}).get("id", 0)) & Assignment.ended_at.is_null()
            )

        dataset = {
            "staff": await Staff.count(),
            "courses": await Course.count(),
            "assignments": await Assignment.count(),
            "completions": await Completion.count(),
            "module progress": await ModuleProgress.count(),
            "professional's open assignments": await open_assignments(SIGN_INS["professional"]),
            "caseworker's open assignments": await open_assignments(SIGN_INS["caseworker"]),
        }
        print(json.dumps({"dataset": dataset}), flush=True)
        app = create_app()
        engine = get_engine()
        statements: dict[str, float | None] = {}
        transport = httpx.ASGITransport(app=cast(Any, app), client=("127.0.0.1", 50000))
        clients: dict[str | None, httpx.AsyncClient] = {}
        try:
            for page in PAGES:
                if page.role not in clients:
                    clients[page.role] = httpx.AsyncClient(transport=transport, base_url="http://bench")
                    if page.role:
                        await _sign_in(clients[page.role], SIGN_INS[page.role])
                client = clients[page.role]

                async def count(client: httpx.AsyncClient = client, path: str = page.path) -> float:
                    await client.get(path)  # the first request may renew the session or warm caches
                    before = engine.query_id
                    for _ in range(repeat):
                        response = await client.get(path)
                        if response.status_code != 200:
                            raise SystemExit(f"{path} answered {response.status_code} in-process")
                    return (engine.query_id - before) / repeat

                statements[page.key] = await count()
                # One line per page as it is counted: the parent keeps these if it must stop this process.
                print(json.dumps({"page": page.key, "statements": statements[page.key]}), flush=True)
        finally:
            for client in clients.values():
                await client.aclose()
    finally:
        await close_pool()


# --- load over loopback ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        server = subprocess.Popen(  # noqa: S603 (our own command, no shell)
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"`assure serve` exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return server, base_url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    stop_server(server)
    raise SystemExit(f"`assure serve` did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def _hammer(
    client: object,
    page: PageUnderTest,
    requests: int,
    concurrency: int,
    seconds: float,
    until: asyncio.Event | None = None,
) -> Measurement:
    """Up to `requests` GETs, `concurrency` at a time, sending no new one after `seconds` or once `until`
    is set. bench_busy.py's load, which must stop on an event; here, only the warm-up."""
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    measurement = Measurement(page)
    sent = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal sent
        while sent < requests and time.perf_counter() < deadline and not (until and until.is_set()):
            sent += 1
            began = time.perf_counter()
            try:
                response = await client.get(page.path)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                measurement.latencies.append(time.perf_counter() - began)
            else:
                measurement.errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    measurement.elapsed = time.perf_counter() - began
    return measurement


@dataclass(frozen=True, slots=True)
class WrkReport:
    """One wrk run, as wrk_report.lua writes it."""

    requests: int  # answers of any status, the late ones included
    duration_us: int
    non_200: int
    socket_errors: dict[str, int]  # "timeout": answers later than --timeout (wrk drops no connection)
    latency_us: list[tuple[int, int]]  # (value, count), with wrk's correction for coordinated omission
    connections: int

    def measurement(self, page: PageUnderTest) -> Measurement:
        histogram = _uncorrected(self.latency_us, self.duration_us, self.requests, self.connections)
        timed = sum(count for _value, count in histogram)
        late = self.socket_errors["timeout"]
        if timed != self.requests - late:
            # Taking wrk's correction out again rests on wrk 4.1's arithmetic: say so if it did not add up.
            print(
                f"  warning: {page.key}: {timed} latencies for {self.requests} answers, {late} of them late",
                flush=True,
            )
        return Measurement(
            page,
            latencies=[value / 1e6 for value, count in histogram for _ in range(count)],
            errors=self.non_200 + sum(self.socket_errors.values()),
            elapsed=self.duration_us / 1e6,
            ok=max(0, self.requests - self.non_200 - late),
        )


def _uncorrected(
    histogram: list[tuple[int, int]], duration_us: int, requests: int, connections: int
) -> list[tuple[int, int]]:
    """wrk's latency histogram as measured, without the answers wrk made up.

    Before done(), wrk 4.1 (stats_correct in wrk.c) adds to its histogram, for each answer that took n µs,
    one more at each of n - i, n - 2i, ... while above i, where i is the run's time per request per
    connection: the requests an open-loop client would have sent meanwhile. This load is closed (each
    connection asks again when answered), as the httpx loop's and bench_busy's are, so p50 and p95 here
    are of real answers only. Going down from the longest, the answers added at n all came from n + i,
    n + 2i, ..., which share n's remainder modulo i."""
    if requests // connections == 0:
        return sorted(histogram)  # wrk corrected nothing
    interval = duration_us // (requests // connections)
    added: dict[int, int] = {}  # by remainder modulo interval: real answers counted so far
    real = []
    for value, count in sorted(histogram, reverse=True):
        if value > interval:
            count = max(0, count - added.get(value % interval, 0))
        added[value % interval] = added.get(value % interval, 0) + count
        if count > 0:
            real.append((value, count))
    return real[::-1]


def wrk_version() -> str:
    """`wrk -v`'s first line, without the copyright (wrk then prints its usage and exits with 1)."""
    printed = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    return printed.splitlines()[0].split(" Copyright")[0] if printed else "wrk"


def run_wrk(url: str, cookie: str, connections: int, seconds: int, timeout: int) -> WrkReport:
    """Load `url` with wrk for `seconds`, `connections` requests in flight from one thread: the client
    takes one core at most."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s"]
    command += ["-s", str(WRK_SCRIPT), *(["-H", f"Cookie: {cookie}"] if cookie else []), url]
    # done() walks wrk's histogram once per bucket: a moment for wide ones, after the measured time.
    finished = subprocess.run(  # noqa: S603 (our own command, no shell)
        command, capture_output=True, text=True, check=False, timeout=seconds + timeout + 300
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({finished.returncode}) on {url}:\n{finished.stdout}{finished.stderr}")
    report = json.loads(lines[-1])
    return WrkReport(
        requests=report["requests"],
        duration_us=report["duration_us"],
        non_200=report["non_200"],
        socket_errors={name: report["socket_errors"][name] for name in WRK_SOCKET_ERRORS},
        latency_us=[(value, count) for value, count in report["latency_us"]],
        connections=connections,
    )


def turns(sizes: int, seconds: int) -> tuple[int, int]:
    """How many turns each page gets per size, and how long each is (wrk takes whole seconds)."""
    rounds = ROUNDS if sizes > 1 else 1
    return rounds, max(1, seconds // rounds)


async def load(
    base_urls: dict[str, str], concurrency: int, seconds: int, request_seconds: int
) -> dict[str, list[Measurement]]:
    """Measure every page on each server (by size) with wrk. With two sizes, each page's seconds go in
    ROUNDS alternating turns (demo, large, large, demo, ...), so both sizes meet the same machine: the
    p95 of the two is compared, and a busy neighbour would otherwise land on one size only."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients: dict[tuple[str, str | None], httpx.AsyncClient] = {}
    cookies: dict[tuple[str, str | None], str] = {}
    results: dict[str, list[Measurement]] = {size: [] for size in base_urls}
    rounds, turn_seconds = turns(len(base_urls), seconds)
    try:
        for page in PAGES:
            for size, base_url in base_urls.items():
                if (size, page.role) not in clients:
                    client = httpx.AsyncClient(base_url=base_url, limits=limits, timeout=request_seconds)
                    clients[size, page.role] = client
                    if page.role:
                        await _sign_in(client, SIGN_INS[page.role])
                    cookies[size, page.role] = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
                # The warm-up also shows, before wrk's seconds are spent, whether the session is let in.
                warm = await _hammer(clients[size, page.role], page, WARM_UP_REQUESTS, concurrency, seconds)
                if warm.errors:
                    print(f"  [{size}] {page.key}: {warm.errors} warm-up requests failed", flush=True)
            totals = {size: Measurement(page, ok=0) for size in base_urls}
            order = list(base_urls)
            for turn in range(rounds):
                for size in order if turn % 2 == 0 else reversed(order):
                    part = (
                        await asyncio.to_thread(
                            run_wrk,
                            f"{base_urls[size]}{page.path}",
                            cookies[size, page.role],
                            concurrency,
                            turn_seconds,
                            request_seconds,
                        )
                    ).measurement(page)
                    totals[size].latencies += part.latencies
                    totals[size].errors += part.errors
                    totals[size].elapsed += part.elapsed
                    totals[size].ok = totals[size].successes + part.successes
                    # wrk stops with up to `concurrency` requests unanswered, which the server still
                    # works on: let them finish (no later than the slowest answer took) before the next
                    # turn, which may be the other size's, is timed.
                    await asyncio.sleep(min(max(part.latencies, default=0.0), request_seconds))
            for size, measurement in totals.items():
                print(
                    f"  [{size}] {page.key}: {measurement.successes} ok, {measurement.errors} errors, "
                    f"{measurement.per_second:.1f} req/s, p95 {measurement.percentile(0.95):.0f} ms",
                    flush=True,
                )
                results[size].append(measurement)
    finally:
        for client in clients.values():
            await client.aclose()
    return results


# --- one size ------------------------------------------------------------------------------------


def run_sizes(
    args: argparse.Namespace, sizes: tuple[str, ...], database_url: str | None, work: Path
) -> list[Run]:
    """Prepare each size's database, then serve them all at once and measure them side by side."""
    prepared = []
    for size in sizes:
        folder = work / size
        folder.mkdir(parents=True, exist_ok=True)
        url = database_url or f"sqlite:///{folder / 'assure.sqlite'}"
        env = environment(url, folder / "var")
        log = folder / "setup.log"
        if not args.no_prepare:
            prepare(size, url, env, log, large=LARGE, demo=DEMO_PAGES)
        # The in-process app reads the same configuration as the server.
        dataset, statements = _measure_in_process(env, log, args.timeout)
        print(f"[{size}] dataset: {dataset}", flush=True)
        prepared.append((size, url, env, folder, dataset, statements))
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    servers: dict[str, subprocess.Popen[bytes]] = {}
    base_urls: dict[str, str] = {}
    try:
        for size, _url, env, folder, _dataset, _statements in prepared:
            servers[size], base_urls[size] = start_server(env, args.workers, folder / "server.log")
        measured = asyncio.run(load(base_urls, args.concurrency, args.seconds, args.timeout))
    finally:
        for server in servers.values():
            stop_server(server)
    load_after = os.getloadavg()
    client = wrk_version()
    rounds, turn_seconds = turns(len(sizes), args.seconds)
    runs = []
    for size, url, _env, _folder, dataset, statements in prepared:
        for m in measured[size]:
            m.statements = statements.get(m.page.key)
        runs.append(
            Run(
                size=size,
                database="SQLite" if url.startswith("sqlite:") else "PostgreSQL",
                dataset=dataset,
                measurements=measured[size],
                load_before=load_before,
                load_after=load_after,
                started=started,
                workers=args.workers,
                client=client,
                concurrency=args.concurrency,
                seconds=rounds * turn_seconds,
                turns=rounds,
                timeout=args.timeout,
            )
        )
    return runs


def _measure_in_process(
    env: dict[str, str], log: Path, timeout: int
) -> tuple[dict[str, int], dict[str, float | None]]:
    """Run the in-process count in a child process, so each size's database gets a fresh engine."""
    # A page too slow to count at this size would hold the child for many minutes (a running SQLite
    # statement cannot be cancelled), so the child is stopped after a time limit and the pages it
    # counted by then are kept.
    limit = 60 + timeout * 4
    with log.open("a") as out:
        try:
            output = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.bench_pages", "--count-statements"],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=out,
                timeout=limit,
                check=True,
            ).stdout
        except subprocess.TimeoutExpired as stopped:
            output = stopped.stdout or b""
    dataset: dict[str, int] = {}
    statements: dict[str, float | None] = {}
    for line in output.decode().splitlines():
        record = json.loads(line)
        if "dataset" in record:
            dataset = record["dataset"]
        else:
            statements[record["page"]] = record["statements"]
    return dataset, statements


# --- reporting -----------------------------------------------------------------------------------


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def render(run: Run) -> str:
    baseline = next((m.per_second for m in run.measurements if m.page.path == "/health"), 0.0)
    data = ", ".join(f"{v:,} {k}" for k, v in run.dataset.items())
    in_turns = f" in {run.turns} turns of {run.seconds // run.turns} s" if run.turns > 1 else ""
    lines = [
        f"### {run.size.capitalize()} size ({run.database})",
        "",
        f"- Data: {data}.",
        f"- Run: {run.started:%Y-%m-%d %H:%M} UTC; {run.workers} server worker(s); load from {run.client}, "
        f"1 thread, {run.concurrency} connections, {run.seconds} s per page{in_turns}, after "
        f"{WARM_UP_REQUESTS} warm-up requests from httpx; an answer other than 200, a socket error or an "
        f"answer taking over {run.timeout} s counts as an error.",
        f"- Load average (1/5/15 min) before: {_load(run.load_before)}; after: {_load(run.load_after)} "
        f"on {os.cpu_count()} cores.",
        "",
        "| Page | Signed in as | Requests (errors) | Req/s | ratio to /health | p50 ms | p95 ms "
        "| SQL statements/request |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in run.measurements:
        ratio = m.per_second / baseline if baseline else float("nan")
        statements = "not counted (timed out)" if m.statements is None else f"{m.statements:g}"
        lines.append(
            f"| `{m.page.path}` ({m.page.what}) | {m.page.role or 'nobody'} "
            f"| {m.successes} ({m.errors}) "
            f"| {m.per_second:.1f} | {ratio:.3f} | {m.percentile(0.5):.0f} | {m.percentile(0.95):.0f} "
            f"| {statements} |"
        )
    return "\n".join(lines)


def render_change(demo: Run, large: Run) -> str:
    lines = [
        "### p95 from demo size to large size",
        "",
        "| Page | p95 demo ms | p95 large ms | change | ratio demo | ratio large |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    base_demo = demo.measurements[0].per_second or float("nan")
    base_large = large.measurements[0].per_second or float("nan")
    for small, big in zip(demo.measurements, large.measurements, strict=True):
        p_small, p_big = small.percentile(0.95), big.percentile(0.95)
        change = (p_big - p_small) / p_small * 100 if p_small else float("nan")
        lines.append(
            f"| `{small.page.path}` ({small.page.what}) | {p_small:.0f} | {p_big:.0f} | {change:+.0f}% "
            f"| {small.per_second / base_demo:.3f} | {big.per_second / base_large:.3f} |"
        )
    return "\n".join(lines)


def machine() -> str:
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {total_kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, IndexError, ValueError):
        pass
    return (
        f"{os.cpu_count()} cores{memory}; {platform.platform()}; Python {platform.python_version()}; "
        f"client (wrk) and server on the same machine over loopback"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Load-test the key pages on loopback against /health.")
    parser.add_argument("--size", choices=("demo", "large", "both"), default="demo")
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file per size (not with --size both)"
    )
    parser.add_argument("--no-prepare", action="store_true", help="the database is already prepared")
    parser.add_argument(
        "--seconds",
        type=int,
        default=20,
        help="seconds of load per page and size, whole seconds per turn (default 20)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="wrk's connections (default 8)")
    parser.add_argument(
        "--timeout", type=int, default=30, help="seconds before an answer counts as an error (default 30)"
    )
    parser.add_argument("--workers", type=int, default=1, help="`assure serve --workers` (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder with databases and logs"
    )
    parser.add_argument("--count-statements", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_statements:
        # The child process of _measure_in_process: configuration comes from the environment.
        asyncio.run(_dataset_and_statements())
        return
    if args.size == "both" and args.database_url:
        parser.error("--database-url names one database: use it with --size demo or --size large")
    if min(args.concurrency, args.workers, args.seconds, args.timeout) < 1:
        parser.error("--concurrency, --workers, --seconds and --timeout must be positive")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")

    work = Path(tempfile.mkdtemp(prefix="assure-bench-pages-"))
    try:
        sizes = ("demo", "large") if args.size == "both" else (args.size,)
        runs = run_sizes(args, sizes, args.database_url, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    parts = [f"Machine: {machine()}.", *(render(run) for run in runs)]
    if len(runs) == 2:
        parts.append(render_change(runs[0], runs[1]))
    median_health = statistics.median(r.measurements[0].per_second for r in runs)
    parts.append(f"Median /health throughput across sizes: {median_health:.1f} req/s.")
    text = "\n\n".join(parts) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
