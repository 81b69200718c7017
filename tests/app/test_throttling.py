"""Sign-in throttling: too many failures lock an account, or a whole client address, for a while."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx

from app.enums import Role
from app.main import create_app
from app.settings import get_settings
from tests.conftest import PASSWORD, make_person, post_form

JANE = "jane.okoro@testshire.example"
SAM = "sam.patel@testshire.example"
LOCKED = "Too many failed attempts to sign in"
WRONG = "Enter a correct email address and password"


@asynccontextmanager
async def browser(app, ip: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await post_form(client, "/sign-in", {"email": email, "password": password, "next": "/"})


async def fail(client: httpx.AsyncClient, email: str, times: int) -> None:
    for n in range(times):
        response = await attempt(client, email, f"Wrong guess number {n}!")
        assert response.status_code == 400
        assert WRONG in response.text, f"attempt {n + 1} was refused for another reason"


def refused_as_locked(response: httpx.Response) -> bool:
    return (
        response.status_code == 400 and LOCKED in response.text and "assure_session" not in response.cookies
    )


async def test_account_is_locked_after_five_failures_even_with_the_right_password(client):
    await make_person(JANE, Role.PROFESSIONAL)
    await fail(client, JANE, 5)

    response = await attempt(client, JANE, PASSWORD)

    assert refused_as_locked(response)
    assert "Wait 15 minutes, then try again" in response.text
    assert (await client.get("/")).status_code == 303


async def test_four_failures_still_leave_the_right_password_working(client):
    await make_person(JANE, Role.PROFESSIONAL)
    await fail(client, JANE, 4)

    response = await attempt(client, JANE, PASSWORD)

    assert response.status_code == 303
    assert (await client.get("/")).status_code == 200


async def test_signing_in_clears_the_count_of_failures(app):
    await make_person(JANE, Role.PROFESSIONAL)
    async with browser(app) as first:
        await fail(first, JANE, 4)
        assert (await attempt(first, JANE, PASSWORD)).status_code == 303
    async with browser(app) as second:
        await fail(second, JANE, 4)  # eight in all, but only four since she last signed in

        response = await attempt(second, JANE, PASSWORD)

    assert response.status_code == 303


async def test_failures_count_whatever_case_the_email_is_typed_in(client):
    await make_person(JANE, Role.PROFESSIONAL)
    for email in (JANE, JANE.upper(), f" {JANE} ", "Jane.Okoro@Testshire.Example", JANE):
        await fail(client, email, 1)

    assert refused_as_locked(await attempt(client, JANE, PASSWORD))


async def test_locked_account_does_not_stop_a_colleague_on_the_same_computer(client):
    await make_person(JANE, Role.PROFESSIONAL)
    await make_person(SAM, Role.PROFESSIONAL)
    await fail(client, JANE, 5)
    assert refused_as_locked(await attempt(client, JANE, PASSWORD))

    response = await attempt(client, SAM, PASSWORD)

    assert response.status_code == 303
    assert (await client.get("/")).status_code == 200


async def test_locked_account_is_locked_from_every_computer(app):
    await make_person(JANE, Role.PROFESSIONAL)
    async with browser(app, "10.0.0.1") as guesser:
        await fail(guesser, JANE, 5)
    async with browser(app, "10.0.0.2") as janes_own:
        assert refused_as_locked(await attempt(janes_own, JANE, PASSWORD))


async def test_unknown_email_is_locked_just_like_a_real_one(client):
    # Otherwise the lock-out would tell a guesser which addresses have accounts.
    await fail(client, "nobody@testshire.example", 5)

    assert refused_as_locked(await attempt(client, "nobody@testshire.example", PASSWORD))


async def test_computer_is_locked_after_twenty_failures_across_accounts(app):
    await make_person(SAM, Role.PROFESSIONAL)
    await make_person(JANE, Role.PROFESSIONAL)
    async with browser(app, "10.0.0.9") as shared_pc:
        # Four guesses at each of five addresses: no single account reaches its limit.
        for n in range(4):
            await fail(shared_pc, f"guess{n}@testshire.example", 4)
        await fail(shared_pc, "guess4@testshire.example", 3)
        # Nineteen failures so far: the computer may still be used, and a success does not reset it.
        assert (await attempt(shared_pc, SAM, PASSWORD)).status_code == 303
        await fail(shared_pc, "guess4@testshire.example", 1)

        locked = await attempt(shared_pc, JANE, PASSWORD)

    assert refused_as_locked(locked)
    async with browser(app, "10.0.0.10") as another_pc:
        assert (await attempt(another_pc, JANE, PASSWORD)).status_code == 303


async def test_lock_lifts_once_the_window_has_passed(client, monkeypatch):
    await make_person(JANE, Role.PROFESSIONAL)
    await fail(client, JANE, 5)
    assert refused_as_locked(await attempt(client, JANE, PASSWORD))

    later = datetime.now(UTC) + timedelta(minutes=15, seconds=5)
    monkeypatch.setattr("app.stores._now", lambda: later)

    assert (await attempt(client, JANE, PASSWORD)).status_code == 303


async def test_lock_is_still_on_just_before_the_window_ends(client, monkeypatch):
    await make_person(JANE, Role.PROFESSIONAL)
    await fail(client, JANE, 5)

    later = datetime.now(UTC) + timedelta(minutes=14, seconds=50)
    monkeypatch.setattr("app.stores._now", lambda: later)

    assert refused_as_locked(await attempt(client, JANE, PASSWORD))


async def test_limits_and_window_follow_the_settings():
    settings = dataclasses.replace(
        get_settings(),
        throttle_account_failures=2,
        throttle_client_failures=3,
        throttle_window_minutes=5,
    )
    app = create_app(settings)
    await make_person(JANE, Role.PROFESSIONAL)
    await make_person(SAM, Role.PROFESSIONAL)
    async with browser(app) as client:
        await fail(client, JANE, 2)
        locked = await attempt(client, JANE, PASSWORD)
        assert refused_as_locked(locked)
        assert "Wait 5 minutes, then try again" in locked.text

        await fail(client, "nobody@testshire.example", 1)  # three failures from this client

        assert refused_as_locked(await attempt(client, SAM, PASSWORD))
