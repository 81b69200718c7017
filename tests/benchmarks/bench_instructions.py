"""Benchmark: CPU instructions per request of the key pages, counted by valgrind's callgrind.

The count is the same run after run, whatever else the machine is doing; wall-clock rates on these
shared two-core machines move by 30% within minutes, which hides a change of a few per cent. Use this
to see what a change to a page costs or saves, and bench_pages for what users wait for.

Run with `.venv/bin/python -m tests.benchmarks.bench_instructions [--size demo|large|both]
[--requests 40] [--out FILE]`, or `--size large --database-url URL --no-prepare` for a database
already prepared. Needs valgrind (Debian's package `valgrind`).

For each size it prepares a database as bench_pages does. Then, for each page, a child process runs
under `valgrind --tool=callgrind --instr-atstart=no`: it signs in as the page's demo role, freezes
what exists out of the garbage collector (as the app does at start-up), asks for the page 30 times to
warm up, collects garbage, switches callgrind's counting on (`callgrind_control -i on`), asks for it
`--requests` more times, and switches it off. The requests go straight into the app's ASGI
interface, with no HTTP server or client in between, so the count is the app's own work: routing,
middleware, the handler, SQLite (its threads included) and the template. Reported per page: millions
of instructions a request; /health's count divided by the page's (how many of the page one core could
serve for each /health, the HTTP server's share left out); with both sizes, the change from demo size
to large size.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from tests.benchmarks.bench_pages import PAGES, SIGN_INS, PageUnderTest, _sign_in
from tests.benchmarks.prepare import DEMO_PAGES, LARGE, REPO, environment, prepare

WARM_UP_REQUESTS = 30
CHILD_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Count:
    page: PageUnderTest
    instructions: float  # per request


# --- the child: one page, counted ------------------------------------------------------------------


def _callgrind(switch: str) -> None:
    subprocess.run(  # noqa: S603 (valgrind's own tool, this process's id)
        ["callgrind_control", "-i", switch, str(os.getpid())],  # noqa: S607
        check=True,
        capture_output=True,
    )


async def _count_one(path: str, role: str | None, requests: int) -> None:
    import httpx

    from app.database import close_pool, open_pool
    from app.main import create_app

    await open_pool()
    try:
        app = create_app()
        transport = httpx.ASGITransport(app=cast(Any, app), client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            if role:
                await _sign_in(client, SIGN_INS[role])
            cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"bench"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        async def ask(times: int) -> None:
            for _ in range(times):
                await app(dict(scope), receive, send)  # type: ignore[arg-type]

        # As the app's lifespan does at start-up (not run here), then a clean slate for the count: a full
        # collection falling inside the counted requests would add millions of instructions to one run.
        gc.collect()
        gc.freeze()
        await ask(WARM_UP_REQUESTS)
        gc.collect()
        _callgrind("on")
        await ask(requests)
        _callgrind("off")
        if set(statuses) != {200}:
            raise SystemExit(f"{path} answered {sorted(set(statuses))}, not only 200")
    finally:
        await close_pool()


# --- the parent: every page, under callgrind -------------------------------------------------------


def count_page(page: PageUnderTest, requests: int, env: dict[str, str], folder: Path) -> Count:
    out = folder / f"callgrind{page.path.replace('/', '-')}-{page.role or 'nobody'}.out"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "tests.benchmarks.bench_instructions",
        "--child",
        page.path,
        page.role or "",
        str(requests),
    ]
    result = subprocess.run(  # noqa: S603 (our own command, no shell)
        command, env=env, cwd=REPO, capture_output=True, timeout=CHILD_SECONDS, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"counting {page.path} failed:\n{result.stdout.decode()}\n{result.stderr.decode()}")
    return Count(page, totals(out.read_text()) / requests)


def totals(callgrind_output: str) -> int:
    """The instructions counted, from callgrind's output file."""
    for line in callgrind_output.splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit("callgrind's output has no totals line")


def render(size: str, counts: list[Count]) -> str:
    health = counts[0].instructions
    lines = [
        f"### {size.capitalize()} size",
        "",
        "| Page | Signed in as | million instructions a request | /health's count over the page's |",
        "|---|---|---:|---:|",
    ]
    for c in counts:
        lines.append(
            f"| `{c.page.path}` ({c.page.what}) | {c.page.role or 'nobody'} | {c.instructions / 1e6:.2f} "
            f"| {health / c.instructions:.3f} |"
        )
    return "\n".join(lines) + "\n"


def render_change(demo: list[Count], large: list[Count]) -> str:
    lines = [
        "### From demo size to large size",
        "",
        "| Page | demo, million | large, million | change |",
        "|---|---:|---:|---:|",
    ]
    for d, g in zip(demo, large, strict=True):
        change = (g.instructions / d.instructions - 1) * 100
        lines.append(
            f"| `{d.page.path}` ({d.page.what}) | {d.instructions / 1e6:.2f} "
            f"| {g.instructions / 1e6:.2f} | {change:+.0f}% |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["demo", "large", "both"], default="both")
    parser.add_argument("--database-url", help="default: a fresh SQLite file per size (not with --size both)")
    parser.add_argument("--no-prepare", action="store_true", help="the database is already prepared")
    parser.add_argument("--requests", type=int, default=40, help="requests counted per page (default 40)")
    parser.add_argument("--out", type=Path, help="also write the Markdown to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", nargs=3, metavar=("PATH", "ROLE", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, role, requests = args.child
        asyncio.run(_count_one(path, role or None, int(requests)))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    sizes = ("demo", "large") if args.size == "both" else (args.size,)
    if args.database_url and len(sizes) > 1:
        raise SystemExit("--database-url names one database: use it with --size demo or --size large")
    work = Path(tempfile.mkdtemp(prefix="assure-bench-instructions-"))
    results: dict[str, list[Count]] = {}
    try:
        for size in sizes:
            folder = work / size
            folder.mkdir(parents=True)
            url = args.database_url or f"sqlite:///{folder / 'assure.sqlite'}"
            env = environment(url, folder / "var")
            if not args.no_prepare:
                prepare(size, url, env, folder / "setup.log", large=LARGE, demo=DEMO_PAGES)
            results[size] = []
            for page in PAGES:
                results[size].append(count_page(page, args.requests, env, folder))
                print(f"[{size}] {page.key}: {results[size][-1].instructions / 1e6:.2f} M", flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    parts = [
        f"Counted {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at {commit or 'an unknown commit'}; "
        f"{args.requests} requests a page after {WARM_UP_REQUESTS} to warm up; "
        f"Python {platform.python_version()}.",
        "",
    ]
    parts += [render(size, counts) for size, counts in results.items()]
    if len(results) == 2:
        parts.append(render_change(results["demo"], results["large"]))
    text = "\n".join(parts)
    print(text)
    if args.out:
        args.out.write_text(text)
    counted = {size: {c.page.key: round(c.instructions) for c in counts} for size, counts in results.items()}
    print(json.dumps(counted))


if __name__ == "__main__":
    main()
