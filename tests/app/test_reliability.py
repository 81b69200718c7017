"""Losing nothing when things go wrong: many writers at once, and imports cut off part-way.

Everything here runs against the real test database (SQLite or PostgreSQL); the writers and the
killed import are real `assure` processes or the app's own services, never mocks of the database.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from app.audit import Actor
from app.database import get_engine, sqlite_path
from app.enums import OrganisationKind
from app.people import hr_import
from app.people import services as people
from app.people.services import StaffDetails
from app.tables import AuditEntry, JobRole, Organisation, Staff, Team
from tests.benchmarks.bench_staff_import import ORGANISATIONS, generate_csv

ADMIN = Actor(staff_id=None, label="admin@testshire.example", client_ip="127.0.0.1")
WRITERS = 20
WRITES_EACH = 10
# Each process adds then updates this many people: 10 write transactions each, 200 in all.
PROCESS_WRITES = 5

# One writer process: waits for the starting gun, then adds people and updates them through the app's
# own services (each a write transaction with its audit entry). Any exception exits non-zero.
WRITER = """
import asyncio, sys, time
from pathlib import Path

from app.audit import Actor
from app.people import services as people
from app.people.services import StaffDetails


async def main(number: int, organisation: int, go: Path, writes: int) -> None:
    actor = Actor(staff_id=None, label=f"writer {number}")
    deadline = time.monotonic() + 60
    (go.parent / f"ready-{number}").touch()
    while not go.exists():
        assert time.monotonic() < deadline, "no starting gun"
        await asyncio.sleep(0.005)
    for n in range(writes):
        email, name = f"writer{number}.{n}@testshire.example", f"Writer {number} {n}"
        details = StaffDetails(email=email, full_name=name, organisation_id=organisation)
        staff_id = await people.create_staff(details=details, actor=actor)
        details = StaffDetails(email=details.email, full_name=f"Writer {number} {n} updated",
                               organisation_id=organisation, employee_number=f"W{number}-{n}")
        await people.update_staff(staff_id=staff_id, details=details, actor=actor)


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])))
"""


def on_sqlite() -> bool:
    return isinstance(get_engine(), SQLiteEngine)


async def organisation() -> int:
    return await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=ADMIN
    )


# --- many writers at once ---------------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("ASSURE_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's single writer is what is under test; PostgreSQL runs the in-process writers below",
)
async def test_twenty_writer_processes_at_once_all_commit_without_database_is_locked(tmp_path: Path):
    organisation_id = await organisation()
    go = tmp_path / "go"
    processes = [
        await asyncio.create_subprocess_exec(
            *[sys.executable, "-c", WRITER, str(n), str(organisation_id), str(go), str(PROCESS_WRITES)],
            env=os.environ.copy(),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(WRITERS)
    ]
    try:
        # Every process has started and imported the app before any of them writes.
        deadline = time.monotonic() + 120
        while await asyncio.to_thread(lambda: len(list(tmp_path.glob("ready-*")))) < WRITERS:
            assert time.monotonic() < deadline, "the writers did not start"
            await asyncio.sleep(0.05)
        go.touch()
        errors = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), timeout=180)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    failures = [
        f"writer {n} exited {p.returncode}:\n{stderr.decode()}"
        for n, (p, (_, stderr)) in enumerate(zip(processes, errors, strict=True))
        if p.returncode != 0
    ]
    assert not failures, "\n".join(failures)
    assert not any(b"locked" in stderr for _, stderr in errors)
    writes = WRITERS * PROCESS_WRITES
    assert await Staff.count().where(Staff.employee_number.is_not_null()) == writes
    assert await AuditEntry.count().where(AuditEntry.entity == "staff") == 2 * writes


async def test_twenty_writers_in_one_event_loop_all_commit(tmp_path: Path):
    """As the app's own requests do: concurrent tasks, each in its own write transaction."""
    organisation_id = await organisation()

    async def writer(number: int) -> None:
        for n in range(WRITES_EACH):
            details = StaffDetails(
                email=f"task{number}.{n}@testshire.example",
                full_name=f"Task {number} {n}",
                organisation_id=organisation_id,
            )
            staff_id = await people.create_staff(details=details, actor=ADMIN)
            await people.mark_left(staff_id=staff_id, left_on=date(2025, 1, 1), actor=ADMIN)

    await asyncio.gather(*(writer(n) for n in range(WRITERS)))

    writes = WRITERS * WRITES_EACH
    assert await Staff.count().where(Staff.left_on.is_not_null()) == writes
    assert await AuditEntry.count().where(AuditEntry.entity == "staff") == 2 * writes


# --- imports cut off part-way -----------------------------------------------------------------


async def counts() -> dict[str, int]:
    return {
        "staff": await Staff.count(),
        "team": await Team.count(),
        "job_role": await JobRole.count(),
        "audit_entry": await AuditEntry.count(),
        "organisation": await Organisation.count(),
    }


async def hr_export(tmp_path: Path, rows: int) -> Path:
    for name in ORGANISATIONS:
        await people.create_organisation(name=name, kind=OrganisationKind.OTHER, actor=ADMIN)
    path = tmp_path / "hr-export.csv"
    generate_csv(path, rows)
    return path


async def test_import_that_fails_part_way_through_writing_leaves_nothing_behind(tmp_path, monkeypatch):
    path = await hr_export(tmp_path, 2500)
    before = await counts()
    staff_batches = 0
    execute = hr_import._execute

    async def fails_on_the_second_batch_of_people(
        template: str, args: list[object]
    ) -> list[dict[str, object]]:
        nonlocal staff_batches
        if template.startswith("INSERT INTO staff "):
            staff_batches += 1
            if staff_batches == 2:
                raise RuntimeError("the disk filled up")
        return await execute(template, args)

    monkeypatch.setattr(hr_import, "_execute", fails_on_the_second_batch_of_people)
    table = hr_import.read_upload(path.read_bytes(), path.name)

    with pytest.raises(RuntimeError, match="the disk filled up"):
        await hr_import.run_import(
            table=table, mapping=hr_import.guess_mapping(table.headers), actor=ADMIN, filename=path.name
        )

    # The job roles, teams and the first 2,000 people were written before the failure: all rolled back.
    assert staff_batches == 2
    assert await counts() == before


async def uncommitted_writes_under_way(database: Path | None) -> bool:
    """True once another connection holds uncommitted writes (the import is part-way through)."""
    if database is not None:
        # SQLite: the write lock is held and pages have spilled into the (emptied) write-ahead log.
        wal = database.with_name(database.name + "-wal")
        return wal.exists() and wal.stat().st_size > 512 * 1024
    # PostgreSQL: another session has an open transaction that has written, and has sent people.
    return await postgres_writers("INSERT INTO staff %") > 0


async def postgres_writers(query_like: str = "%") -> int:
    """Other sessions on this database with an open transaction that has written something."""
    rows = await Staff.raw(
        "SELECT COUNT(*) AS writers FROM pg_stat_activity WHERE datname = current_database() "
        "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND query LIKE {}",
        query_like,
    )
    return int(rows[0]["writers"])


async def test_killed_import_process_leaves_nothing_behind(tmp_path: Path):
    path = await hr_export(tmp_path, 30000)
    before = await counts()
    database = sqlite_path(os.environ["ASSURE_DATABASE_URL"]) if on_sqlite() else None
    if database is not None:
        checkpoint = sqlite3.connect(database)
        try:
            checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            checkpoint.close()
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "app.cli", "staff", "import", str(path)],
        env=os.environ.copy(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not await uncommitted_writes_under_way(database):
            assert process.returncode is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never started writing"
            await asyncio.sleep(0.02)
        process.kill()
    finally:
        if process.returncode is None:
            process.kill()
        await process.communicate()
    assert process.returncode == -9
    if database is None:
        # PostgreSQL rolls back the dead client's transaction once it notices the closed connection.
        deadline = time.monotonic() + 30
        while await postgres_writers():
            assert time.monotonic() < deadline, "PostgreSQL kept the killed import's transaction open"
            await asyncio.sleep(0.1)

    assert await counts() == before
    assert not await AuditEntry.exists().where(AuditEntry.entity == "staff_import")
    if database is not None:
        check = sqlite3.connect(database)
        try:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            check.close()
