"""`assure backup FILE` and `assure restore FILE` on a real SQLite file, while the app keeps writing.

Each test has its own database file, migrated by the real `assure migrate`; the commands run as the
console script in a subprocess, and a second process writes through the app's own write path
(`write_transaction` and `app.audit.record`) the whole time.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.test_cli import Run, assure_env, count, rows, runner
from tests.conftest import own_sqlite_files

pytestmark = [pytest.mark.slow, own_sqlite_files]

PASSWORD = "Correct horse battery staple 42"

# Keeps writing one audit entry per transaction, as the running app would, until the stop file appears
# (or two minutes pass). Any error, "database is locked" included, ends it with a non-zero exit code.
WRITER = """
import asyncio, sys, time
from pathlib import Path

from app.audit import CLI_ACTOR, record
from app.database import write_transaction
from app.enums import AuditAction


async def main() -> None:
    stop, deadline, n = Path(sys.argv[1]), time.monotonic() + 120, 0
    while not stop.exists() and time.monotonic() < deadline:
        n += 1
        async with write_transaction():
            await record(actor=CLI_ACTOR, action=AuditAction.UPDATE, entity="tick", entity_id=n,
                         summary=f"tick {n}")
        await asyncio.sleep(0.002)


asyncio.run(main())
"""


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("assure-backup-template")
    database = directory / "assure.sqlite"
    result = runner(database, directory / "var", directory)("migrate")
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def live(tmp_path: Path, migrated_template: Path) -> tuple[Path, Run]:
    database = tmp_path / "live" / "assure.sqlite"
    database.parent.mkdir()
    shutil.copyfile(migrated_template, database)
    return database, runner(database, tmp_path / "var", tmp_path)


def ticks(database: Path) -> list[int]:
    found = rows(database, "SELECT entity_id FROM audit_entry WHERE entity = 'tick'")
    return sorted(int(entity_id) for (entity_id,) in found)


def wait_for_ticks(database: Path, at_least: int, writer: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(ticks(database)) < at_least:
        assert writer.poll() is None, f"the writer stopped: {writer.communicate()}"
        assert time.monotonic() < deadline, "the writer made too little progress"
        time.sleep(0.05)


@pytest.fixture
def writer(live: tuple[Path, Run], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """The app writing to the live database in another process, stopped (and checked) at the end."""
    database, _ = live
    stop = tmp_path / "stop-writing"
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", WRITER, str(stop)],
        env=assure_env(database, tmp_path / "var"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_ticks(database, 20, process)
    yield process
    stop.touch()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, f"the app's writer failed while backup or restore ran:\n{stderr}"


def createuser(assure: Run, email: str) -> None:
    result = assure(
        "createuser",
        "--email",
        email,
        "--name",
        "Someone",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert result.returncode == 0, result.stderr


def integrity(database: Path) -> str:
    return str(rows(database, "PRAGMA integrity_check")[0][0])


def test_backup_and_restore_round_trip_the_whole_database_while_the_app_writes(live, writer, tmp_path):
    database, assure = live
    createuser(assure, "before@testshire.example")
    wait_for_ticks(database, len(ticks(database)) + 20, writer)
    backup = tmp_path / "backups" / "assure-backup.sqlite"
    backup.parent.mkdir()

    result = assure("backup", str(backup))

    assert result.returncode == 0, result.stderr
    assert f"Backed up the database to {backup}" in result.stdout
    assert integrity(backup) == "ok"
    # One self-contained file, not a WAL database that needs a -wal file beside it.
    assert rows(backup, "PRAGMA journal_mode")[0][0] == "delete"
    assert not list(backup.parent.glob("*-wal")) and not list(backup.parent.glob(".*partial"))
    # A consistent snapshot: every tick up to some point, none missing in between.
    in_backup = ticks(backup)
    assert len(in_backup) >= 40 and in_backup == list(range(1, len(in_backup) + 1))
    assert count(backup, "migration") == count(database, "migration")
    assert rows(backup, "SELECT email FROM staff") == [("before@testshire.example",)]

    # Life goes on after the backup: a new person, and more ticks.
    createuser(assure, "after@testshire.example")
    wait_for_ticks(database, len(in_backup) + 20, writer)

    result = assure("restore", str(backup), "--yes")

    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    wait_for_ticks(database, 1, writer)
    assert writer.poll() is None, "the app's writer stopped during the restore"
    assert integrity(database) == "ok"
    assert rows(database, "PRAGMA journal_mode")[0][0] == "wal"
    assert rows(database, "SELECT email FROM staff") == [("before@testshire.example",)]
    # Every tick of the backup is back; the ticks written between backup and restore are gone; the
    # writer carried on writing into the restored database (its later ticks follow the backup's).
    after = ticks(database)
    assert after[: len(in_backup)] == in_backup
    assert all(n > len(in_backup) + 20 for n in after[len(in_backup) :])
    # The database as it was just before the restore is kept beside it, whole.
    previous = list(database.parent.glob("assure.sqlite.before-restore-*"))
    assert len(previous) == 1 and integrity(previous[0]) == "ok"
    assert ("after@testshire.example",) in rows(previous[0], "SELECT email FROM staff")
    # The app reads the restored data: the person in the backup exists again, the later one does not.
    assert (
        assure(
            "createuser",
            "--email",
            "before@testshire.example",
            "--name",
            "B",
            "--role",
            "admin",
            "--password-stdin",
            stdin=PASSWORD,
        ).returncode
        != 0
    )
    createuser(assure, "after@testshire.example")


def test_backup_never_overwrites_a_file(live, tmp_path):
    _, assure = live
    target = tmp_path / "exists.sqlite"
    target.write_text("precious")

    result = assure("backup", str(target))

    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert target.read_text() == "precious"


def with_migrations(backup: Path, *, add: tuple[str, str] | None = None, drop: str | None = None) -> None:
    connection = sqlite3.connect(backup)
    try:
        if add:
            connection.execute(
                "INSERT INTO migration (name, app_name, ran_on) VALUES (?, ?, CURRENT_TIMESTAMP)", add
            )
        if drop:
            connection.execute("DELETE FROM migration WHERE id = (SELECT MAX(id) FROM migration)")
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path, template: path.write_text("not a database"), "is not a SQLite database"),
        (
            lambda path, template: (
                sqlite3.connect(path).execute("CREATE TABLE other (id INTEGER)").connection.commit()
            ),
            "not an Assure database",
        ),
        (
            lambda path, template: (
                shutil.copyfile(template, path),
                with_migrations(path, add=("2099-01-01", "app")),
            ),
            "newer version of Assure",
        ),
        (
            lambda path, template: (shutil.copyfile(template, path), with_migrations(path, drop="last")),
            "lacks migrations",
        ),
    ],
    ids=["not-sqlite", "not-assure", "unknown-migration", "missing-migration"],
)
def test_restore_refuses_a_file_that_is_not_a_matching_assure_database(
    live, tmp_path, migrated_template, make, message
):
    database, assure = live
    createuser(assure, "kept@testshire.example")
    candidate = tmp_path / "candidate.sqlite"
    make(candidate, migrated_template)

    result = assure("restore", str(candidate), "--yes")

    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert rows(database, "SELECT email FROM staff") == [("kept@testshire.example",)]
    assert not list(database.parent.glob("*.before-restore-*"))


def test_restore_asks_first_and_does_nothing_when_told_no(live, tmp_path, migrated_template):
    database, assure = live
    createuser(assure, "kept@testshire.example")

    result = assure("restore", str(migrated_template), stdin="n\n")

    assert result.returncode == 1
    assert "Nothing restored" in result.stdout
    assert rows(database, "SELECT email FROM staff") == [("kept@testshire.example",)]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_on_postgresql_point_to_pg_dump_and_pg_restore(
    tmp_path, migrated_template, command
):
    file = tmp_path / "file.sqlite"
    if command == "restore":
        shutil.copyfile(migrated_template, file)
    env = assure_env(tmp_path / "unused.sqlite", tmp_path / "var")
    env["ASSURE_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/assure"
    args = [command, str(file)] + (["--yes"] if command == "restore" else [])

    result = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [str(Path(sys.executable).with_name("assure")), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert "pg_dump" in result.stderr and "pg_restore" in result.stderr
    assert not (command == "backup" and file.exists())
