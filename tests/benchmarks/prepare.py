"""Preparing a benchmark database, shared by bench_pages, bench_instructions and bench_report: an
environment that points the `assure` commands at it, and `assure migrate` + `assure demo` + the
caseworker below (+ the generator: at the large size, and for the pages at the demo size too) run as child
processes with their output in a log.

The caseworker is a professional whose "My training" is the same at both sizes: the demo's two courses,
one in progress and one completed. The demo's own professional starts with none (so the journeys start
from a clean slate); the generator gives the demo's sign-ins a share of its assignments, 20 each at large
size. The page benchmarks also run the generator at the demo size (`DEMO_PAGES`: 20 courses, and 20
assignments for each sign-in), so the professional's list is 20 courses long at both sizes too: a list
of the same length, drawn from 22 courses among 267 people, or from 202 among 50,266.

Run `python -m tests.benchmarks.prepare caseworker` (with the environment below) to add the caseworker.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The generator at the large size: 50,000 staff, 1,000,000 assignments, 200 courses.
LARGE = ["--staff", "50000", "--assignments", "1000000", "--courses", "200"]
# The generator at the demo's own size, for the page benchmarks: one more person, 20 courses and 100
# assignments, 20 for each of the demo's four sign-ins and that person. One assignment in 50 is made
# ended; with seed 2 none of the professional's is, so their list has 20 courses as at large size.
DEMO_PAGES = ["--staff", "1", "--assignments", "100", "--courses", "20", "--seed", "2"]
SETUP_SECONDS = 3_600
CASEWORKER = "caseworker@northbrook.example"


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


def prepare(
    size: str,
    database_url: str,
    env: dict[str, str],
    log: Path,
    *,
    large: list[str],
    demo: list[str] | None = None,
) -> None:
    """Migrate and load the demo and the caseworker; then the generator with the `large` arguments at the
    large size, and with the `demo` ones, if any, at the demo size."""
    print(f"[{size}] preparing {database_url} (log: {log})", flush=True)
    run_module(["app.cli", "migrate"], env, log)
    run_module(["app.cli", "demo"], env, log)
    run_module(["tests.benchmarks.prepare", "caseworker"], env, log)
    generated = large if size == "large" else demo
    if generated:
        run_module(["tests.benchmarks.generate", "--database-url", database_url, *generated], env, log)


async def add_caseworker(today: date | None = None) -> int:
    """Add the caseworker (signing in with the demo's password) through the app's own services: the
    EHCP process course assigned, its first two modules done, and the annual review workshop completed
    at a session a month ago. Returns their staff id."""
    from app.accounts.provisioning import create_user
    from app.audit import CLI_ACTOR
    from app.demo import DEMO_PASSWORD
    from app.enums import Role
    from courses import assignments, learning
    from courses.assignments import DueRule
    from courses.enums import CompletionSource, DueKind
    from courses.tables import Course

    today = today or date.today()
    staff_id = await create_user(
        email=CASEWORKER, full_name="Casey Morgan-Reid", roles={Role.PROFESSIONAL}, password=DEMO_PASSWORD
    )
    codes = {c["code"]: c["id"] for c in await Course.select(Course.id, Course.code)}
    process, workshop = codes["EHCP-101"], codes["EHCP-201"]
    for course_id in (process, workshop):
        await assignments.assign_people(
            course_id=course_id,
            staff_ids=[staff_id],
            due=DueRule(DueKind.FIXED, on=today + timedelta(days=45)),
            actor=CLI_ACTOR,
            today=today - timedelta(days=60),
        )
    plan = await learning.course_plan(staff_id=staff_id, course_id=process)
    assert plan is not None
    for module in plan.modules[:2]:
        await learning.mark_module_done(plan=plan, module_id=module["id"], actor=CLI_ACTOR, today=today)
    await learning.record_completion(
        staff_id=staff_id,
        course_id=workshop,
        completed_on=today - timedelta(days=30),
        source=CompletionSource.SESSION,
        actor=CLI_ACTOR,
        evidence="Attended the annual review workshop (benchmark data)",
        backdate_reason="Loaded as benchmark history",
        today=today,
    )
    return staff_id


async def _add_caseworker_with_pool() -> None:
    from app.database import close_pool, open_pool

    await open_pool()
    try:
        staff_id = await add_caseworker()
    finally:
        await close_pool()
    print(f"Added {CASEWORKER} (person {staff_id}): two courses, one in progress and one completed.")


if __name__ == "__main__":
    if sys.argv[1:] != ["caseworker"]:
        raise SystemExit("usage: python -m tests.benchmarks.prepare caseworker")
    asyncio.run(_add_caseworker_with_pool())
