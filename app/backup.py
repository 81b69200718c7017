"""Back up and restore a SQLite database while the app runs, through SQLite's online backup API.

A backup is one consistent snapshot of the whole database, taken in a single read transaction: in WAL
mode writers carry on while it is copied, and the copy never holds half of a transaction. The backup
file is a plain SQLite file (rollback journal, no -wal beside it), checked with `PRAGMA integrity_check`
before it is moved into place, so a file named FILE is always a complete backup.

A restore first checks that the file is an Assure database whose migrations are exactly the ones this
version of Assure knows (none missing, none unknown), then copies it into the live database with the
same backup API, in one write transaction: a running app's connections see either the old database or
the restored one, never a mixture, and the live file stays in WAL mode.

PostgreSQL is backed up with its own tools (pg_dump and pg_restore): see the README.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.database import SQLITE_BUSY_TIMEOUT, sqlite_path

# Piccolo records each migration it applied in this table: (name, app_name, ran_on).
MIGRATION_TABLE = "migration"
POSTGRES_ADVICE = (
    "ASSURE_DATABASE_URL names a PostgreSQL database: back it up with PostgreSQL's own tools, "
    "e.g. `pg_dump --format=custom --file=assure.dump DATABASE` and restore it with "
    "`pg_restore --clean --if-exists --dbname=DATABASE assure.dump` (see 'Backing up' in the README)."
)


class BackupError(Exception):
    """Why a backup or restore cannot go ahead, in words for the person running the command."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size_bytes: int
    migrations: int


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored_from: Path
    previous_copy: Path
    migrations: int


def live_database(database_url: str) -> Path:
    """The live SQLite file, or BackupError with the PostgreSQL advice."""
    if database_url.startswith(("postgresql:", "postgres:")):
        raise BackupError(POSTGRES_ADVICE)
    if not database_url.startswith("sqlite:"):
        raise BackupError("ASSURE_DATABASE_URL must name a SQLite database (sqlite:///path/to/file)")
    path = sqlite_path(database_url)
    if not path.is_file():
        raise BackupError(f"There is no database at {path}: check ASSURE_DATABASE_URL")
    return path


def known_migrations() -> set[tuple[str, str]]:
    """Every (app, migration id) this version of Assure ships."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    manager = BaseMigrationManager()
    known: set[tuple[str, str]] = set()
    for module in manager.get_app_modules():
        config = module.APP_CONFIG
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        known.update((config.app_name, migration_id) for migration_id in manager.get_migration_ids(modules))
    return known


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT)
    return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT)


def _read_database(path: Path) -> set[tuple[str, str]]:
    """The migrations a sound Assure database at `path` has applied, or BackupError."""
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not a SQLite database")
    try:
        connection = _connect(path, read_only=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()
            if not result or result[0] != "ok":
                raise BackupError(f"{path} is damaged: SQLite's integrity check says {result!r}")
            exists = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATION_TABLE,)
            ).fetchone()
            if not exists:
                raise BackupError(f"{path} has no migration table, so it is not an Assure database")
            rows = connection.execute(f"SELECT app_name, name FROM {MIGRATION_TABLE}").fetchall()  # noqa: S608
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite database: {exc}") from exc
    return {(str(app), str(name)) for app, name in rows}


def check_backup_file(path: Path, known: set[tuple[str, str]]) -> int:
    """Raise BackupError unless `path` is a sound Assure database with exactly the known migrations.

    Returns the number of migrations it carries."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    applied = _read_database(path)
    unknown = sorted(applied - known)
    missing = sorted(known - applied)
    if unknown:
        names = ", ".join(f"{app}:{name}" for app, name in unknown)
        raise BackupError(
            f"{path} was made by a newer version of Assure: it has migrations this version does not know "
            f"({names}). Restore it with the version that made it."
        )
    if missing:
        names = ", ".join(f"{app}:{name}" for app, name in missing)
        raise BackupError(
            f"{path} lacks migrations this version of Assure needs ({names}): restore it with the version "
            "that made it, then upgrade and run `assure migrate`."
        )
    return len(applied)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(*, database_url: str, target: Path) -> BackupResult:
    """Copy the whole live database into `target` (which must not exist yet) while the app runs."""
    source_path = live_database(database_url)
    if target.exists():
        raise BackupError(f"{target} already exists: a backup never overwrites a file, choose a new name")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist")
    if target.resolve() == source_path.resolve():
        raise BackupError("The backup file cannot be the live database itself")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        source = _connect(source_path)
        copy = sqlite3.connect(partial)
        try:
            # All pages in one step: one read transaction, so a consistent snapshot even while others write
            # (step by step, every write to the source would restart the copy).
            source.backup(copy, pages=-1)
            # A single self-contained file: no -wal beside it to lose when it is copied elsewhere.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            source.close()
            copy.close()
        # Whatever its migrations (a backup before `assure migrate` is a good idea), it must be sound.
        migrations = len(_read_database(partial))
        _fsync(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, size_bytes=target.stat().st_size, migrations=migrations)


def restore(*, database_url: str, source: Path) -> RestoreResult:
    """Replace the live database's whole content with the backup at `source`, while the app runs.

    The live database is first backed up beside itself (`<name>.before-restore-<time>`), so a restore
    of the wrong file can itself be undone."""
    live_path = live_database(database_url)
    if source.resolve() == live_path.resolve():
        raise BackupError("The file to restore is the live database itself")
    migrations = check_backup_file(source, known_migrations())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    previous = live_path.with_name(f"{live_path.name}.before-restore-{stamp}")
    backup(database_url=database_url, target=previous)
    backup_connection = _connect(source, read_only=True)
    live = _connect(live_path)
    try:
        # The backup API takes the live file's write lock for the whole copy (waiting for a writer in
        # progress, retrying while busy) and keeps the live file in WAL mode.
        backup_connection.backup(live, pages=-1)
        result = live.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise BackupError(
                f"The restored database failed SQLite's integrity check ({result!r}); "
                f"the database as it was is in {previous}"
            )
    finally:
        backup_connection.close()
        live.close()
    return RestoreResult(restored_from=source, previous_copy=previous, migrations=migrations)
