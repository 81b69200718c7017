"""Signing in and out: cookies, error messages, redirects after sign-in, and who is turned away."""

from __future__ import annotations

import inspect
import re
from datetime import date
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from app.accounts.access import CurrentUser, enforce_access
from app.audit import CLI_ACTOR
from app.enums import Role
from app.people import services as people
from tests.conftest import PASSWORD, csrf_token, make_person, post_form, sign_in

SESSION_COOKIE = "assure_session"
JANE = "jane.okoro@testshire.example"
WRONG_OR_UNKNOWN = "Enter a correct email address and password"


def set_cookie(response: httpx.Response, name: str) -> str:
    """The one Set-Cookie header for `name` on a response."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


def cookie_attributes(header: str) -> dict[str, str]:
    name_value, *attributes = (part.strip() for part in header.split(";"))
    found = {"value": name_value.split("=", 1)[1]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        found[key.lower()] = value
    return found


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no GOV.UK error summary on the page"
    return match.group(0)


def hidden_next(html: str) -> str:
    match = re.search(r'<input type="hidden" name="next" value="([^"]*)">', html)
    assert match, "no hidden next field on the sign-in form"
    return match.group(1).replace("&amp;", "&")


async def sign_out(client: httpx.AsyncClient) -> httpx.Response:
    return await post_form(client, "/sign-out", {}, form_page="/")


def new_client(app, *, token: str | None = None) -> httpx.AsyncClient:
    """A second browser, optionally carrying a session cookie copied from elsewhere."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    browser = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    if token is not None:
        browser.cookies.set(SESSION_COOKIE, token)
    return browser


# --- signing in and out ------------------------------------------------------------------------


async def test_professional_signs_in_and_sees_their_home_page(client):
    await make_person(JANE, Role.PROFESSIONAL, name="Jane Okoro")

    response = await sign_in(client, JANE)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert home.status_code == 200
    assert "Jane Okoro" in home.text
    assert "Sign out" in home.text


async def test_email_is_matched_whatever_its_case_and_surrounding_spaces(client):
    await make_person(JANE, Role.PROFESSIONAL)

    response = await sign_in(client, "  Jane.Okoro@TESTSHIRE.example ")

    assert response.status_code == 303
    assert (await client.get("/")).status_code == 200


async def test_session_cookie_is_http_only_and_same_site_lax(client):
    await make_person(JANE, Role.PROFESSIONAL)

    response = await sign_in(client, JANE)

    attributes = cookie_attributes(set_cookie(response, SESSION_COOKIE))
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/"
    # A session cookie: it goes when the browser closes, and the server decides when it expires.
    assert "max-age" not in attributes
    assert "expires" not in attributes
    assert len(attributes["value"]) >= 40


async def test_session_cookie_is_secure_when_the_site_is_served_over_https(app):
    await make_person(JANE, Role.PROFESSIONAL)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as browser:
        response = await sign_in(browser, JANE)

    assert response.status_code == 303
    assert "secure" in cookie_attributes(set_cookie(response, SESSION_COOKIE))


async def test_session_cookie_is_not_marked_secure_over_plain_http_for_local_use(client):
    await make_person(JANE, Role.PROFESSIONAL)

    response = await sign_in(client, JANE)

    assert "secure" not in cookie_attributes(set_cookie(response, SESSION_COOKIE))


async def test_sign_out_removes_the_cookie_and_goes_to_the_sign_in_page(client):
    await make_person(JANE, Role.PROFESSIONAL)
    await sign_in(client, JANE)

    response = await sign_out(client)

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    removal = cookie_attributes(set_cookie(response, SESSION_COOKIE))
    assert removal["value"] in ("", '""')
    assert removal["max-age"] == "0"
    assert SESSION_COOKIE not in client.cookies
    after = await client.get("/")
    assert after.status_code == 303
    assert after.headers["location"].startswith("/sign-in")


async def test_session_token_no_longer_works_after_sign_out(app, client):
    await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)
    token = client.cookies[SESSION_COOKIE]
    async with new_client(app, token=token) as copy:
        assert (await copy.get("/admin/staff")).status_code == 200

        await sign_out(client)

        replayed = await copy.get("/admin/staff")
        assert replayed.status_code == 303
        assert replayed.headers["location"].startswith("/sign-in")
        api = await copy.get("/api/staff")
        assert api.status_code == 401


async def test_signing_out_one_browser_leaves_the_persons_other_sessions_alone(app, client):
    await make_person(JANE, Role.PROFESSIONAL)
    await sign_in(client, JANE)
    async with new_client(app) as laptop:
        await sign_in(laptop, JANE)

        await sign_out(client)

        assert (await laptop.get("/")).status_code == 200


async def test_sign_out_needs_a_signed_in_person(client):
    token = await csrf_token(client)

    response = await client.post("/sign-out", data={"_csrf_token": token})

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


# --- wrong details -----------------------------------------------------------------------------


async def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    await make_person(JANE, Role.PROFESSIONAL)

    wrong_password = await post_form(
        client, "/sign-in", {"email": JANE, "password": "Not the right one 123", "next": "/"}
    )
    unknown_email = await post_form(
        client, "/sign-in", {"email": "nobody@testshire.example", "password": PASSWORD, "next": "/"}
    )

    for response in (wrong_password, unknown_email):
        assert response.status_code == 400
        assert SESSION_COOKIE not in response.cookies
        assert "There is a problem" in response.text
        assert WRONG_OR_UNKNOWN in error_summary(response.text)
        assert '<a href="#email">' in error_summary(response.text)
        assert response.text.count(WRONG_OR_UNKNOWN) == 2  # in the summary and beside the field
        assert "<title>Error: " in response.text
    assert error_summary(wrong_password.text) == error_summary(unknown_email.text)
    assert (await client.get("/")).status_code == 303


async def test_sign_in_form_keeps_the_email_but_never_echoes_the_password(client):
    await make_person(JANE, Role.PROFESSIONAL)

    response = await post_form(
        client, "/sign-in", {"email": JANE, "password": "Typed by mistake 99", "next": "/"}
    )

    assert response.status_code == 400
    assert f'value="{JANE}"' in response.text
    assert "Typed by mistake 99" not in response.text


async def test_blank_email_and_password_are_each_named_in_the_error_summary(client):
    response = await post_form(client, "/sign-in", {"email": "  ", "password": "", "next": "/"})

    assert response.status_code == 400
    summary = error_summary(response.text)
    assert '<a href="#email">Enter your email address</a>' in summary
    assert '<a href="#password">Enter your password</a>' in summary
    assert 'id="email-error"' in response.text
    assert 'id="password-error"' in response.text


async def test_blank_password_alone_is_the_only_error(client):
    await make_person(JANE, Role.PROFESSIONAL)

    response = await post_form(client, "/sign-in", {"email": JANE, "password": "", "next": "/"})

    assert response.status_code == 400
    summary = error_summary(response.text)
    assert "Enter your password" in summary
    assert "Enter your email address" not in summary
    assert WRONG_OR_UNKNOWN not in summary


async def test_person_marked_as_left_cannot_sign_in(client):
    staff_id = await make_person(JANE, Role.ADMIN)
    await people.mark_left(staff_id=staff_id, left_on=date.today(), actor=CLI_ACTOR)

    response = await sign_in(client, JANE)

    assert response.status_code == 400
    assert WRONG_OR_UNKNOWN in error_summary(response.text)
    assert SESSION_COOKIE not in client.cookies


async def test_person_marked_as_left_loses_the_session_they_already_had(client):
    staff_id = await make_person(JANE, Role.ADMIN)
    await sign_in(client, JANE)
    assert (await client.get("/admin/staff")).status_code == 200

    await people.mark_left(staff_id=staff_id, left_on=date.today(), actor=CLI_ACTOR)

    response = await client.get("/admin/staff")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


async def test_reinstated_person_can_sign_in_again(client):
    staff_id = await make_person(JANE, Role.PROFESSIONAL)
    await people.mark_left(staff_id=staff_id, left_on=date.today(), actor=CLI_ACTOR)
    await people.reinstate(staff_id=staff_id, actor=CLI_ACTOR)

    assert (await sign_in(client, JANE)).status_code == 303


# --- where sign-in leads -----------------------------------------------------------------------


async def test_sign_in_returns_to_the_page_that_asked_for_it(client):
    await make_person(JANE, Role.ADMIN)

    asked = await client.get("/admin/staff?q=okoro&status=all")
    assert asked.status_code == 303
    sign_in_page = asked.headers["location"]
    assert urlsplit(sign_in_page).path == "/sign-in"
    assert unquote(sign_in_page.split("next=", 1)[1]) == "/admin/staff?q=okoro&status=all"

    form = await client.get(sign_in_page)
    assert hidden_next(form.text) == "/admin/staff?q=okoro&status=all"
    response = await post_form(
        client,
        "/sign-in",
        {"email": JANE, "password": PASSWORD, "next": hidden_next(form.text)},
        form_page=sign_in_page,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/staff?q=okoro&status=all"
    assert (await client.get(response.headers["location"])).status_code == 200


OFF_SITE = [
    "//evil.example",
    "//evil.example/sign-in",
    "https://evil.example",
    "http://evil.example/admin",
    "https:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
async def test_sign_in_refuses_to_send_people_to_another_site(client, target):
    await make_person(JANE, Role.PROFESSIONAL)

    response = await post_form(client, "/sign-in", {"email": JANE, "password": PASSWORD, "next": target})

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert (await client.get("/")).status_code == 200  # signed in all the same


@pytest.mark.parametrize("target", OFF_SITE)
async def test_sign_in_form_drops_an_off_site_next(client, target):
    response = await client.get("/sign-in", params={"next": target})

    assert response.status_code == 200
    assert hidden_next(response.text) == "/"


# --- session fixation --------------------------------------------------------------------------


async def test_cookie_planted_before_sign_in_is_never_the_session(app, client):
    await make_person(JANE, Role.ADMIN)
    client.cookies.set(SESSION_COOKIE, "planted-by-someone-else")

    response = await sign_in(client, JANE)

    issued = cookie_attributes(set_cookie(response, SESSION_COOKIE))["value"]
    assert issued != "planted-by-someone-else"
    async with new_client(app, token="planted-by-someone-else") as attacker:
        assert (await attacker.get("/admin/staff")).status_code == 303
    async with new_client(app, token=issued) as victim:
        assert (await victim.get("/admin/staff")).status_code == 200


async def test_attackers_own_session_planted_in_a_victims_browser_is_ended_not_reused(app, client):
    await make_person("mallory@testshire.example", Role.PROFESSIONAL)
    await make_person(JANE, Role.ADMIN)
    async with new_client(app) as attacker:
        await sign_in(attacker, "mallory@testshire.example")
        planted = attacker.cookies[SESSION_COOKIE]
        client.cookies.set(SESSION_COOKIE, planted)

        response = await sign_in(client, JANE)

        issued = cookie_attributes(set_cookie(response, SESSION_COOKIE))["value"]
        assert issued != planted
        assert (await attacker.get("/admin/staff")).status_code == 303
        assert (await attacker.get("/")).status_code == 303
    assert (await client.get("/admin/staff")).status_code == 200


async def test_every_sign_in_issues_a_new_session(client):
    await make_person(JANE, Role.PROFESSIONAL)

    first = await sign_in(client, JANE)
    second = await sign_in(client, JANE)

    first_token = cookie_attributes(set_cookie(first, SESSION_COOKIE))["value"]
    second_token = cookie_attributes(set_cookie(second, SESSION_COOKIE))["value"]
    assert first_token != second_token


# --- who is turned away ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/admin/staff", "/admin/audit", "/admin/organisations/new"])
async def test_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, path):
    response = await client.get(path)

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/sign-in?next=")
    assert unquote(location.split("next=", 1)[1]) == path


@pytest.mark.parametrize("path", ["/api/staff", "/api/organisations", "/api/teams/1", "/schema/openapi.json"])
async def test_api_call_without_sign_in_gets_401_problem_details(client, path):
    response = await client.get(path)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401
    assert body["title"]
    assert "location" not in response.headers


async def test_public_pages_need_no_sign_in(client):
    for path in ("/sign-in", "/accessibility", "/health", "/static/init.js"):
        assert (await client.get(path)).status_code == 200, path


async def test_professional_gets_a_permission_page_for_people_admin(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)

    response = await client.get("/admin/staff")

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "You do not have permission to see this page" in response.text
    assert "Sign out" in response.text  # still signed in, with the usual page around the message


async def test_professional_gets_403_problem_details_from_the_api(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)

    response = await client.get("/api/staff")

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 403


async def test_person_with_no_roles_can_see_home_but_not_admin(client, signed_in_as):
    await signed_in_as()

    assert (await client.get("/")).status_code == 200
    assert (await client.get("/admin/staff")).status_code == 403
    assert (await client.get("/api/organisations")).status_code == 403


# --- deny by default ---------------------------------------------------------------------------


def _connection(user: CurrentUser | None) -> SimpleNamespace:
    return SimpleNamespace(scope={"user": user})


ADMIN = CurrentUser(
    staff_id=1,
    email="admin@testshire.example",
    full_name="Admin",
    roles=frozenset(Role),
    session_token="t",
)


async def test_route_that_declares_no_access_is_refused_even_to_someone_with_every_role():
    undeclared = SimpleNamespace(opt={})

    with pytest.raises(PermissionDeniedException):
        await enforce_access(_connection(ADMIN), undeclared)  # type: ignore[arg-type]
    with pytest.raises(NotAuthorizedException):
        await enforce_access(_connection(None), undeclared)  # type: ignore[arg-type]


async def test_route_for_named_roles_admits_only_those_roles():
    trainers_only = SimpleNamespace(opt={"access": frozenset({Role.TRAINER})})
    professional = CurrentUser(1, "p@testshire.example", "P", frozenset({Role.PROFESSIONAL}), "t")
    trainer = CurrentUser(2, "t@testshire.example", "T", frozenset({Role.TRAINER, Role.PROFESSIONAL}), "t")

    await enforce_access(_connection(trainer), trainers_only)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedException):
        await enforce_access(_connection(professional), trainers_only)  # type: ignore[arg-type]


def test_every_route_in_the_app_declares_who_may_use_it(app):
    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "OPTIONS" not in handler.http_methods and handler.opt.get("access") is None
    ]
    assert undeclared == []


def test_every_guard_runs_on_the_event_loop(app):
    """Litestar runs a guard that is a plain function in a worker thread, on every request: a thread trip
    (and the pool's contention) for checks that take microseconds. Every guard is a coroutine function."""
    guards = {
        guard
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        for layer in handler.ownership_layers
        for guard in layer.guards or []
    }
    assert guards
    assert [g.__name__ for g in guards if not inspect.iscoroutinefunction(g)] == []
