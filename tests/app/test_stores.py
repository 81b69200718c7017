"""The shared stores behind sessions and sign-in throttling: the database by default, Redis when set."""

from __future__ import annotations

import dataclasses
import os
import socket

import pytest

from app.accounts.sessions import SessionManager
from app.stores import DatabaseStore, make_store
from app.tables import StoreEntry

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


async def test_database_store_keeps_values_until_they_expire():
    store = DatabaseStore("test")
    await store.set("a", "first", expires_in=60)
    await store.set("a", b"second", expires_in=60)
    assert await store.get("a") == b"second"
    assert await store.exists("a")
    assert 55 <= (await store.expires_in("a") or 0) <= 60

    await store.set("gone", "x", expires_in=-1)
    assert await store.get("gone") is None
    assert not await store.exists("gone")
    assert await store.purge_expired() == 1
    assert await StoreEntry.count().where(StoreEntry.key == "test:gone") == 0


async def test_database_store_renews_and_deletes():
    store = DatabaseStore("test")
    await store.set("kept", "v", expires_in=10)
    assert await store.get("kept", renew_for=600) == b"v"
    assert (await store.expires_in("kept") or 0) > 500
    await store.set("forever", "v")
    assert await store.expires_in("forever") is None
    await store.delete("kept")
    assert await store.get("kept") is None


async def test_namespaces_do_not_see_each_other():
    sessions, throttle = DatabaseStore("session"), DatabaseStore("throttle")
    await sessions.set("k", "session value")
    await throttle.set("k", "throttle value")
    await throttle.delete_all()
    assert await sessions.get("k") == b"session value"
    assert await throttle.get("k") is None


async def test_signing_in_clears_out_expired_sessions(settings):
    store = DatabaseStore("session")
    await store.set("stale", "{}", expires_in=-1)
    manager = SessionManager(store, settings)
    token = await manager.start(staff_id=1)
    assert await manager.resume(token) is not None
    assert await StoreEntry.count().where(StoreEntry.key == "session:stale") == 0


@pytest.mark.skipif(not redis_running() and not os.environ.get("CI"), reason="no Redis on this machine")
async def test_sessions_live_in_redis_when_configured(settings):
    redis_settings = dataclasses.replace(settings, redis_url=REDIS_URL)
    store = make_store(redis_settings, "session")
    assert not isinstance(store, DatabaseStore)
    manager = SessionManager(store, redis_settings)
    token = await manager.start(staff_id=42)
    resumed = await manager.resume(token)
    assert resumed is not None and resumed.staff_id == 42
    assert await StoreEntry.count() == 0, "nothing should have gone to the database"
    await manager.end(token)
    assert await manager.resume(token) is None
