"""Preparing a benchmark database, shared by bench_pages and bench_report: an environment that points
the `assure` commands at it, and `assure migrate` + `assure demo` (+ the generator for the large size)
run as child processes with their output in a log."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The generator at the large size: 50,000 staff, 1,000,000 assignments, 200 courses.
LARGE = ["--staff", "50000", "--assignments", "1000000", "--courses", "200"]
SETUP_SECONDS = 3_600


def environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """This process's environment without ASSURE_* settings, then the ones for the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSURE_") and k != "PICCOLO_CONF"}
    env.update(
        ASSURE_DATABASE_URL=database_url,
        ASSURE_VAR_DIR=str(var_dir),
        ASSURE_SECRET_KEY=os.environ.get("ASSURE_BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        PICCOLO_CONF="app.piccolo_conf",
        PYTHONPATH=str(REPO),
    )
    return env


def run_module(args: list[str], env: dict[str, str], log: Path) -> None:
    """`python -m <args>` in the repository, its output appended to `log`; stops the benchmark if it fails."""
    with log.open("a") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603 (our own commands, no shell)
            [sys.executable, "-m", *args],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=SETUP_SECONDS,
            check=False,
        )
        out.write(f"({time.perf_counter() - started:.1f} s)\n")
    if result.returncode != 0:
        raise SystemExit(f"`{' '.join(args)}` failed:\n{log.read_text()}")


def prepare(size: str, database_url: str, env: dict[str, str], log: Path, *, large: list[str]) -> None:
    """Migrate and load the demo; at the large size, then the generator with the `large` arguments."""
    print(f"[{size}] preparing {database_url} (log: {log})", flush=True)
    run_module(["app.cli", "migrate"], env, log)
    run_module(["app.cli", "demo"], env, log)
    if size == "large":
        run_module(["tests.benchmarks.generate", "--database-url", database_url, *large], env, log)
