"""Sessions end after 30 minutes idle or 12 hours in all, and live in the shared database store."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import httpx
import pytest

from app.accounts.sessions import SessionManager
from app.enums import Role
from app.main import create_app
from app.settings import get_settings
from app.stores import DatabaseStore
from app.tables import StoreEntry
from tests.conftest import make_person, sign_in

JANE = "jane.okoro@testshire.example"


class Clock:
    """The time the session manager sees, moved on by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = time.time()
        monkeypatch.setattr("app.accounts.sessions.time.time", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta).total_seconds()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def sent_to_sign_in(response, path: str) -> bool:
    location = response.headers.get("location", "")
    return (
        response.status_code == 303
        and location.startswith("/sign-in?next=")
        and unquote(location.split("next=", 1)[1]) == path
    )


async def session_entries() -> int:
    return await StoreEntry.count().where(StoreEntry.key.like("session:%"))


# --- through the browser -----------------------------------------------------------------------


async def test_session_survives_twenty_nine_minutes_without_activity(client, clock):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)

    clock.advance(minutes=29, seconds=50)

    assert (await client.get("/admin/staff")).status_code == 200


async def test_session_ends_after_thirty_minutes_without_activity(client, clock):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)

    clock.advance(minutes=30, seconds=5)

    response = await client.get("/admin/staff")
    assert sent_to_sign_in(response, "/admin/staff")
    assert (await client.get("/api/staff")).status_code == 401


async def test_using_the_service_keeps_the_session_alive_beyond_thirty_minutes(client, clock):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)

    for _ in range(6):  # two and a half hours, a page every 25 minutes
        clock.advance(minutes=25)
        assert (await client.get("/admin/staff")).status_code == 200


async def test_session_ends_after_twelve_hours_however_busy_the_person_is(client, clock):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)
    elapsed = 0
    while elapsed + 29 <= 12 * 60:
        clock.advance(minutes=29)
        elapsed += 29
        assert (await client.get("/")).status_code == 200, f"signed out after {elapsed} minutes"

    clock.advance(minutes=12 * 60 - elapsed, seconds=5)  # well inside the idle limit

    assert sent_to_sign_in(await client.get("/"), "/")


async def test_expired_session_is_deleted_and_cannot_come_back(client, clock):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)
    assert await session_entries() == 1

    clock.advance(minutes=31)
    assert sent_to_sign_in(await client.get("/"), "/")

    assert await session_entries() == 0
    clock.advance(minutes=-31)  # even if the clock were put back
    assert sent_to_sign_in(await client.get("/"), "/")


async def test_person_signs_in_again_after_their_session_expired(client, clock):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)
    clock.advance(hours=1)
    assert (await client.get("/")).status_code == 303

    assert (await sign_in(client, JANE)).status_code == 303

    assert (await client.get("/admin/staff")).status_code == 200


async def test_idle_limit_follows_the_settings(clock):
    app = create_app(dataclasses.replace(get_settings(), session_idle_minutes=5))
    await make_person(JANE, Role.PROFESSIONAL)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await sign_in(client, JANE)
        clock.advance(minutes=4)
        assert (await client.get("/")).status_code == 200

        clock.advance(minutes=5, seconds=5)

        assert sent_to_sign_in(await client.get("/"), "/")


# --- the session manager on the database store -------------------------------------------------


@pytest.fixture
def sessions() -> SessionManager:
    return SessionManager(DatabaseStore("session"), get_settings())


async def test_each_session_gets_a_new_unguessable_token(sessions):
    tokens = {await sessions.start(7) for _ in range(5)}

    assert len(tokens) == 5
    assert all(len(t) >= 43 for t in tokens)  # 32 random bytes


async def test_session_is_found_again_by_its_token(sessions, clock):
    token = await sessions.start(7)

    session = await sessions.resume(token)

    assert session is not None
    assert session.staff_id == 7
    assert session.created_at == session.last_seen_at == clock.now


async def test_unknown_token_finds_no_session(sessions):
    await sessions.start(7)

    assert await sessions.resume("made-up-token") is None
    assert await sessions.resume("") is None


async def test_ended_session_is_gone(sessions):
    token = await sessions.start(7)
    other = await sessions.start(7)

    await sessions.end(token)

    assert await sessions.resume(token) is None
    assert await sessions.resume(other) is not None


async def test_store_keeps_only_a_hash_of_the_token(sessions):
    token = await sessions.start(7)

    rows = await StoreEntry.select(StoreEntry.key, StoreEntry.value)

    assert [r["key"] for r in rows] == [f"session:{hashlib.sha256(token.encode()).hexdigest()}"]
    assert token.encode() not in bytes(rows[0]["value"])


async def test_another_worker_sees_and_ends_the_same_session(sessions):
    other_worker = SessionManager(DatabaseStore("session"), get_settings())
    token = await sessions.start(7)

    assert (await other_worker.resume(token)).staff_id == 7
    await other_worker.end(token)

    assert await sessions.resume(token) is None


async def test_store_entry_expires_when_the_idle_limit_would_end_it(sessions):
    token = await sessions.start(7)

    remaining = await sessions.store.expires_in(hashlib.sha256(token.encode()).hexdigest())

    assert remaining is not None
    assert 30 * 60 - 10 <= remaining <= 30 * 60


async def test_store_entry_never_outlives_the_absolute_limit(clock):
    # With a long idle limit, only the twelve-hour limit bounds the store entry's life.
    sessions = SessionManager(
        DatabaseStore("session"), dataclasses.replace(get_settings(), session_idle_minutes=24 * 60)
    )
    token = await sessions.start(7)
    clock.advance(hours=11, minutes=50)

    assert await sessions.resume(token) is not None  # seen again: the entry is saved with a new expiry

    remaining = await sessions.store.expires_in(hashlib.sha256(token.encode()).hexdigest())
    assert remaining is not None
    assert 10 * 60 - 10 <= remaining <= 10 * 60


async def test_store_entry_expiry_alone_ends_a_session(sessions, monkeypatch):
    token = await sessions.start(7)

    later = datetime.now(UTC) + timedelta(minutes=30, seconds=5)
    monkeypatch.setattr("app.stores._now", lambda: later)

    assert await sessions.resume(token) is None


async def test_last_seen_is_saved_at_most_once_a_minute(sessions, clock):
    token = await sessions.start(7)
    started = clock.now

    clock.advance(seconds=30)
    soon = await sessions.resume(token)
    clock.advance(seconds=35)  # 65 seconds after it was last saved
    later = await sessions.resume(token)

    assert soon is not None and later is not None
    assert soon.last_seen_at == started
    assert later.last_seen_at == clock.now
    assert later.created_at == started


async def test_session_idle_for_just_under_the_limit_is_kept_and_just_over_is_ended(sessions, clock):
    kept = await sessions.start(7)
    ended = await sessions.start(8)

    clock.advance(minutes=29, seconds=59)
    assert await sessions.resume(kept) is not None
    clock.advance(seconds=2)

    assert await sessions.resume(ended) is None
    assert await sessions.resume(kept) is not None  # it was seen two seconds ago


async def test_session_past_twelve_hours_is_ended_even_if_just_seen(clock):
    sessions = SessionManager(
        DatabaseStore("session"), dataclasses.replace(get_settings(), session_idle_minutes=24 * 60)
    )
    token = await sessions.start(7)
    clock.advance(hours=11, minutes=59)
    assert await sessions.resume(token) is not None

    clock.advance(minutes=1, seconds=1)

    assert await sessions.resume(token) is None
    assert await session_entries() == 0
