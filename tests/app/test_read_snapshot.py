"""Safe requests on SQLite run on one read-only connection; writes step out through write_transaction."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest
from piccolo.engine.sqlite import SQLiteEngine

from app.database import get_engine, in_write_transaction, read_snapshot, write_transaction
from app.enums import OrganisationKind
from app.tables import Organisation, Team

pytestmark = pytest.mark.skipif(
    not isinstance(get_engine(), SQLiteEngine), reason="PostgreSQL's pool makes statements cheap already"
)


NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _organisation(name: str) -> Organisation:
    return Organisation(name=name, kind=OrganisationKind.LA_SEND)


async def test_a_snapshot_shares_one_connection_and_refuses_stray_writes():
    async with read_snapshot():
        transaction = get_engine().current_transaction.get()
        assert transaction is not None
        assert await Organisation.count() == 0
        assert get_engine().current_transaction.get() is transaction
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await Organisation.insert(_organisation("Written outside a write transaction"))
    assert await Organisation.count() == 0


async def test_a_write_transaction_commits_and_the_rest_of_the_request_sees_it():
    async with read_snapshot():
        snapshot = get_engine().current_transaction.get()
        assert await Organisation.count() == 0  # the snapshot has begun
        async with write_transaction():
            await Organisation.insert(_organisation("Northbrook SEND"))
        assert get_engine().current_transaction.get() is snapshot
        assert await Organisation.count() == 1
    assert await Organisation.count() == 1


async def test_a_failed_write_inside_a_snapshot_leaves_nothing():
    async with read_snapshot():
        with pytest.raises(RuntimeError):
            async with write_transaction():
                await Organisation.insert(_organisation("Half done"))
                raise RuntimeError("stopped part-way")
        assert await Organisation.count() == 0


async def test_a_snapshot_is_not_a_write_transaction():
    assert not in_write_transaction()
    async with read_snapshot():
        assert not in_write_transaction()
        async with write_transaction():
            assert in_write_transaction()
        assert not in_write_transaction()


async def test_the_next_snapshot_reuses_the_connection_and_sees_later_writes():
    async with read_snapshot():
        first = get_engine().current_transaction.get()
        assert first is not None
        assert await Organisation.count() == 0
        connection = first.connection
    # Written between two requests, on a connection of its own.
    async with write_transaction():
        await Organisation.insert(_organisation("Northbrook SEND"))
    async with read_snapshot():
        second = get_engine().current_transaction.get()
        assert second is not None
        assert second.connection is connection  # kept open: no new thread, no schema read
        assert await Organisation.count() == 1  # a new snapshot, not the last request's
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await Organisation.insert(_organisation("Still refused"))


async def test_snapshots_at_once_each_have_a_connection_and_the_pool_keeps_a_few():
    from app import database

    at_once = database.READ_CONNECTIONS_KEPT + 2
    seen: list[object] = []
    all_in, release = anyio.Event(), anyio.Event()

    async def one() -> None:
        async with read_snapshot():
            transaction = get_engine().current_transaction.get()
            assert transaction is not None
            await Organisation.count()
            seen.append(transaction.connection)
            if len(seen) == at_once:
                all_in.set()
            await release.wait()

    async with anyio.create_task_group() as tasks:
        for _ in range(at_once):
            tasks.start_soon(one)
        await all_in.wait()
        assert len({id(c) for c in seen}) == at_once
        release.set()
    engine = get_engine()
    assert isinstance(engine, SQLiteEngine)
    kept = database._read_connections[engine.connection_kwargs["database"]]
    assert len(kept) == database.READ_CONNECTIONS_KEPT


async def test_statements_outside_a_transaction_share_a_kept_connection_and_each_commits():
    from app import database

    engine = get_engine()
    assert isinstance(engine, SQLiteEngine)
    kept = database._autocommit_connections[engine.connection_kwargs["database"]]
    await Organisation.insert(_organisation("Northbrook SEND"))
    assert kept.in_transaction is False  # committed at once, as on a connection of its own
    # Another connection (another process, say) sees it straight away.
    with sqlite3.connect(engine.connection_kwargs["database"]) as other:
        assert other.execute("SELECT name FROM organisation").fetchall() == [("Northbrook SEND",)]
    # And the insert ran on the kept connection: its sqlite3 connection counted the change.
    assert kept._connection.total_changes > 0


async def _sent(connection: Any, statements: list[str] | None) -> None:
    """Record (or stop recording) what a connection sends to SQLite, on the connection's own thread."""
    await connection._execute(
        connection._connection.set_trace_callback, statements.append if statements else None
    )


async def test_each_statement_is_sent_alone_and_foreign_keys_hold_everywhere():
    await Organisation.insert(_organisation("Northbrook SEND"))
    for transaction in (read_snapshot, write_transaction):
        async with transaction():
            current = get_engine().current_transaction.get()
            assert current is not None
            sent: list[str] = ["(recording)"]
            await _sent(current.connection, sent)
            assert await Organisation.count() == 1
            await _sent(current.connection, None)
            # Nothing but the statement itself (Piccolo would turn foreign keys on before each one).
            assert [s.split()[0] for s in sent] == ["(recording)", "SELECT"], sent
    # Foreign keys are on in a transaction and outside one, as each connection is opened with them on.
    nowhere = Team(name="Nowhere", organisation=999, created_at=NOW, updated_at=NOW)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with write_transaction():
            await Team.insert(nowhere)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await Team.insert(nowhere)
    assert await Team.count() == 0
