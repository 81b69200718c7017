"""The database engine for SQLite or PostgreSQL, write transactions, and migration status."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

# How long a SQLite writer waits for another writer before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 30


def sqlite_path(url: str) -> Path:
    """The file behind a sqlite:///path URL (relative to the working directory)."""
    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    if not path:
        raise RuntimeError("ASSURE_DATABASE_URL names no SQLite file: use sqlite:///path/to/file")
    return Path(path)


def engine_from_url(url: str) -> Engine:
    """Build a Piccolo engine from ASSURE_DATABASE_URL."""
    if url.startswith("sqlite:"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(path)
        return KeptConnectionSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    if url.startswith(("postgresql:", "postgres:")):
        parts = urlsplit(url)
        config: dict[str, Any] = {
            "host": parts.hostname or "localhost",
            "port": parts.port or 5432,
            "database": parts.path.lstrip("/") or "assure",
            "user": unquote(parts.username) if parts.username else "postgres",
        }
        if parts.password:
            config["password"] = unquote(parts.password)
        return PostgresEngine(config=config)
    raise RuntimeError(
        f"ASSURE_DATABASE_URL must start with sqlite:/// or postgresql://, not {url.split(':')[0]!r}"
    )


# While the pool is open (open_pool to close_pool: the app's lifespan, a command's run), statements
# outside any transaction share one autocommit connection per database file, kept open.
_autocommit_connections: dict[str, Any] = {}


class KeptConnectionSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, except that:
    - a statement outside a transaction runs on a connection kept open while the pool is (each statement
      commits on its own, as before) instead of on a new one: a new connection costs a thread and a
      read of the whole schema, more than most statements;
    - a statement is one trip to its connection's thread (run and fetch together), not four: Piccolo
      also turns foreign keys on before each statement in a transaction, where SQLite ignores it, and
      they are on already (`get_connection` turns them on for every connection it opens)."""

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = _autocommit_connections.get(self.connection_kwargs["database"])
        if connection is None or _needs_inserted_pk(self, query_type):
            return await super()._run_in_new_connection(query, args, query_type=query_type, table=table)
        return await connection.execute_fetchall(query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if _needs_inserted_pk(self, query_type):
            return await super()._run_in_existing_connection(
                connection, query, args, query_type=query_type, table=table
            )
        return await connection.execute_fetchall(query, args or [])


def _needs_inserted_pk(engine: SQLiteEngine, query_type: str) -> bool:
    # SQLite before 3.35 has no RETURNING: Piccolo then reads an insert's key with a second statement.
    return query_type == "insert" and engine.get_version_sync() < 3.35


def _enable_wal(path: Path) -> None:
    # WAL lets readers carry on while one writer commits; the setting is kept in the file.
    connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


@cache
def get_engine() -> Engine:
    """The engine Piccolo's configuration made at import (as each table keeps it): found once, not on
    every call."""
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("Piccolo found no engine: is PICCOLO_CONF set to app.piccolo_conf?")
    return engine


# The read-only snapshot a GET or HEAD request runs in on SQLite, while one is open.
_snapshot: ContextVar[SQLiteTransaction | None] = ContextVar("read_snapshot", default=None)

# Read connections kept open between safe requests while the pool is open (open_pool to close_pool, the
# app's lifespan), by database file. A new connection costs a thread and a read of the whole schema on
# its first statement: about 3 ms, more than most pages' own statements.
READ_CONNECTIONS_KEPT = 8
_read_connections: dict[str, list[Any]] = {}


class _ReadSnapshot(SQLiteTransaction):
    """Piccolo's SQLite transaction on a read-only connection that is kept for the next safe request
    (when the pool is open) instead of being closed. It never commits: it only reads."""

    async def get_connection(self) -> Any:
        kept = _read_connections.get(self.engine.connection_kwargs["database"])
        if kept:
            return kept.pop()
        connection = await self.engine.get_connection()
        await connection.execute("PRAGMA query_only = 1")
        return connection

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        self.engine.current_transaction.reset(self.context)
        kept = _read_connections.get(self.engine.connection_kwargs["database"])
        try:
            await self.connection.execute("ROLLBACK")
        except Exception:
            await self.connection.close()
            raise
        if kept is not None and len(kept) < READ_CONNECTIONS_KEPT:
            kept.append(self.connection)
        else:
            await self.connection.close()
        return False


@asynccontextmanager
async def read_snapshot() -> AsyncIterator[None]:
    """Run a safe request (GET, HEAD) on SQLite on one connection, in one read-only snapshot.

    Outside a transaction Piccolo opens a new SQLite connection (and thread) for every statement, which
    costs more than most of the statements a page issues; here they share one, kept open for the next
    request, and the page reads one consistent state. The connection refuses writes (PRAGMA query_only),
    so a safe method cannot change data by accident: a write that belongs in one (a session kept alive,
    a quiz attempt started) goes through write_transaction(), which steps out to a connection of its
    own. PostgreSQL's pool makes statements cheap already, so there this does nothing."""
    engine = get_engine()
    if not isinstance(engine, SQLiteEngine) or engine.current_transaction.get() is not None:
        yield
        return
    async with _ReadSnapshot(engine, transaction_type=TransactionType.deferred) as transaction:
        token = _snapshot.set(transaction)
        try:
            yield
        finally:
            _snapshot.reset(token)


def in_write_transaction() -> bool:
    """Whether the caller runs inside a write transaction (rather than outside any, or in a safe
    request's read snapshot): its own uncommitted writes are then visible only on its connection."""
    transaction = get_engine().current_transaction.get()
    return transaction is not None and transaction is not _snapshot.get()


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A transaction for a write: IMMEDIATE on SQLite so writers queue, not deadlock.

    Inside a read snapshot it runs on a connection of its own; afterwards the snapshot starts again,
    so the rest of the request sees what was written."""
    engine = get_engine()
    if not isinstance(engine, SQLiteEngine):
        async with engine.transaction() as transaction:
            yield transaction
        return
    snapshot = _snapshot.get()
    if snapshot is None or engine.current_transaction.get() is not snapshot:
        async with engine.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
        return
    outside = engine.current_transaction.set(None)
    try:
        async with engine.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
    finally:
        engine.current_transaction.reset(outside)
        await snapshot.connection.execute("COMMIT")
        await snapshot.connection.execute(f"BEGIN {TransactionType.deferred.value}")


def json_rows(columns: str, rows: str) -> str:
    """A scalar subquery: the rows of the query `rows` as one JSON text, a list of [columns...] arrays
    ('[]' when there are none). A row handed over by the driver costs more than the database's work for
    it, and a list read this way is one value to parse."""
    if isinstance(get_engine(), PostgresEngine):
        return f"(SELECT COALESCE(json_agg(json_build_array({columns})), '[]')::text FROM ({rows}) r)"  # noqa: S608
    return f"(SELECT json_group_array(json_array({columns})) FROM ({rows}) r)"  # noqa: S608 (the caller's SQL)


def icontains(column: Any, text: str) -> Any:
    """A case-insensitive 'contains' condition that takes the text literally (a search for "100%" or
    "a_b" matches only those characters, which LIKE would treat as wildcards)."""
    position = "instr" if isinstance(get_engine(), SQLiteEngine) else "strpos"
    name = column._meta.get_full_name(with_alias=False)
    return WhereRaw(f"{position}(lower({name}), lower({{}})) > 0", text)


async def pending_migrations() -> list[str]:
    """Migrations not yet applied, as 'app:migration_id'."""
    from piccolo.apps.migrations.commands.check import CheckMigrationManager

    statuses = await CheckMigrationManager(app_name="all").get_migration_statuses()
    return [f"{s.app_name}:{s.migration_id}" for s in statuses if not s.has_ran]


async def apply_migrations() -> None:
    """Apply every pending migration, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}")


async def open_pool() -> None:
    """PostgreSQL's connection pool; on SQLite, read connections kept between safe requests."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool()
    elif isinstance(engine, SQLiteEngine):
        database = engine.connection_kwargs["database"]
        _read_connections.setdefault(database, [])
        if database not in _autocommit_connections:
            _autocommit_connections[database] = await engine.get_connection()


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SQLiteEngine):
        database = engine.connection_kwargs["database"]
        for connection in _read_connections.pop(database, []):
            await connection.close()
        autocommit = _autocommit_connections.pop(database, None)
        if autocommit is not None:
            await autocommit.close()
