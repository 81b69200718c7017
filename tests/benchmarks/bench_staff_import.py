"""Benchmark: import a 50,000-row HR export into a fresh SQLite file, then import it again.

Run with `.venv/bin/python -m tests.benchmarks.bench_staff_import [--rows N] [--database-url URL]`.
It prints rows per second for the first import (everyone new) and the second (nothing changes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ORGANISATIONS = [
    "Testshire SEND Service",
    "Northbrook NHS Trust",
    "Testshire Children's Social Care",
    "Riverside Academy Trust",
    "Testshire Parent Carer Forum",
]
JOB_ROLES = [f"Job role {n}" for n in range(30)]


def generate_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic export: forename and surname columns, UK dates, managers named by email."""
    rng = random.Random(seed)  # noqa: S311 (repeatable test data, not secrets)
    lines = [
        "Employee No,Forename,Surname,Work Email,Organisation,Team,Job Title,Line Manager Email,Start Date"
    ]
    for n in range(rows):
        organisation = ORGANISATIONS[n % len(ORGANISATIONS)]
        team = f"Team {rng.randrange(40)}"
        manager = f"person{n // 10 * 10}@testshire.example" if n % 10 else ""
        start = date(2010, 1, 1) + timedelta(days=rng.randrange(5000))
        lines.append(
            f"E{n:06d},Person,Number {n},person{n}@testshire.example,{organisation},{team},"
            f"{rng.choice(JOB_ROLES)},{manager},{start:%d/%m/%Y}"
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


async def run(rows: int) -> None:
    from app.audit import CLI_ACTOR
    from app.database import apply_migrations, open_pool
    from app.enums import OrganisationKind
    from app.people import hr_import
    from app.people import services as people

    await apply_migrations()
    await open_pool()
    for name in ORGANISATIONS:
        await people.create_organisation(name=name, kind=OrganisationKind.OTHER, actor=CLI_ACTOR)
    work = Path(tempfile.mkdtemp(prefix="assure-bench-import-"))
    path = work / "hr-export.csv"
    generate_csv(path, rows)
    print(f"{rows:,} rows, {path.stat().st_size / 1e6:.1f} MB CSV")

    for label in ("first import (all new)", "second import (no changes)"):
        started, cpu_started = time.perf_counter(), time.process_time()
        table = await asyncio.to_thread(hr_import.read_upload, path.read_bytes(), path.name)
        read = time.perf_counter()
        plan = await hr_import.run_import(
            table=table, mapping=hr_import.guess_mapping(table.headers), actor=CLI_ACTOR, filename=path.name
        )
        finished = time.perf_counter()
        seconds, cpu = finished - started, time.process_time() - cpu_started
        # CPU time too: on a shared machine the wall clock measures the neighbours as much as the import.
        print(
            f"{label}: {seconds:.2f} s (read {read - started:.2f} s, "
            f"plan and write {finished - read:.2f} s), "
            f"{rows / seconds:,.0f} rows/s; CPU {cpu:.2f} s ({rows / cpu:,.0f} rows per CPU second); "
            f"new {plan.new}, changed {plan.changed}, "
            f"unchanged {plan.unchanged}, errors {plan.error_rows}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="assure-bench-"))
    # Configuration must be in place before anything imports app.piccolo_conf.
    os.environ["ASSURE_DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
    os.environ["ASSURE_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
    asyncio.run(run(args.rows))


if __name__ == "__main__":
    main()
