"""Security headers: a strict CSP with a per-request nonce, no framing, no sniffing, HSTS over HTTPS."""

from __future__ import annotations

import re

import httpx
import pytest

from app.enums import Role
from tests.conftest import make_person, sign_in

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def csp(response: httpx.Response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy")
    assert header, f"no CSP on {response.request.method} {response.request.url} ({response.status_code})"
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def nonce_of(response: httpx.Response) -> str:
    nonces = [s for s in csp(response)["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1, nonces
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


def inline_scripts(html: str) -> list[str]:
    """The attributes of every <script> without a src."""
    return [attrs for attrs in SCRIPT_TAG.findall(html) if "src=" not in attrs]


def assert_protective_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    directives = csp(response)
    assert directives["default-src"] == ["'self'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["base-uri"] == ["'self'"], where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where


@pytest.fixture
async def https_client(app):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


# --- the content security policy ---------------------------------------------------------------


async def test_csp_allows_no_inline_code_except_by_nonce(client):
    response = await client.get("/sign-in")

    header = response.headers["content-security-policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "*" not in header
    directives = csp(response)
    assert directives["script-src"][0] == "'self'"
    assert directives["style-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


async def test_inline_script_carries_the_nonce_from_the_header(client):
    response = await client.get("/sign-in")

    nonce = nonce_of(response)
    scripts = inline_scripts(response.text)
    assert scripts, "the GOV.UK template's inline script should be on the page"
    for attrs in scripts:
        assert f'nonce="{nonce}"' in attrs


async def test_signed_in_pages_carry_the_nonce_too(client, signed_in_as):
    await signed_in_as(Role.ADMIN)

    for path in ("/", "/admin/staff", "/admin/audit"):
        response = await client.get(path)
        assert response.status_code == 200
        nonce = nonce_of(response)
        assert all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts(response.text)), path


async def test_nonce_is_new_for_every_request(client):
    nonces = [nonce_of(await client.get("/sign-in")) for _ in range(5)]

    assert len(set(nonces)) == 5
    assert all(len(n) >= 22 for n in nonces)  # at least 128 bits


async def test_external_scripts_and_styles_come_from_this_site(client):
    html = (await client.get("/sign-in")).text

    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html) + re.findall(
        r'<link[^>]*\bhref="([^"]+)"', html
    )
    assert sources
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources


PAGES_FOR_ADMINS = [
    "/",
    "/accessibility",
    "/admin/staff",
    "/admin/staff/new",
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/job-roles",
    "/admin/job-roles/new",
    "/admin/audit",
    "/no-such-page",
]


async def test_pages_have_nothing_inline_that_the_policy_would_block(client, signed_in_as):
    pages = {"/sign-in": (await client.get("/sign-in")).text}
    await signed_in_as(Role.ADMIN)
    for path in PAGES_FOR_ADMINS:
        pages[path] = (await client.get(path)).text

    for path, html in pages.items():
        assert not re.search(r"\sstyle\s*=", html, re.I), f"inline style attribute on {path}"
        assert "<style" not in html.lower(), f"<style> element on {path}"
        assert not re.search(r"\son[a-z]+\s*=", html, re.I), f"inline event handler on {path}"
        assert "javascript:" not in html.lower(), f"javascript: URL on {path}"


# --- every kind of response --------------------------------------------------------------------


async def test_every_kind_of_response_carries_the_protective_headers(client):
    await make_person("jane.okoro@testshire.example", Role.PROFESSIONAL)
    responses = [
        await client.get("/sign-in"),  # a page
        await client.get("/"),  # a redirect to sign in
        await client.get("/health"),  # JSON
        await client.get("/static/init.js"),  # a static file
        await client.get("/api/staff"),  # problem details, 401
        await client.get("/no-such-page"),  # 404 from the router
        await client.delete("/sign-in"),  # 405 from the router
        await client.post("/sign-in", data={"email": "x"}),  # CSRF refusal
        await sign_in(client, "jane.okoro@testshire.example"),  # redirect after sign-in
        await client.get("/admin/staff"),  # 403 page
        await client.get("/api/staff/999"),  # 403 problem details
    ]
    statuses = {r.status_code for r in responses}
    assert {200, 303, 401, 403, 404, 405} <= statuses

    for response in responses:
        assert_protective_headers(response)


async def test_not_found_page_script_has_the_nonce_of_its_header(client):
    response = await client.get("/no-such-page")

    assert response.status_code == 404
    nonce = nonce_of(response)
    scripts = inline_scripts(response.text)
    assert scripts
    assert all(f'nonce="{nonce}"' in attrs for attrs in scripts)


async def test_csrf_refusal_page_script_has_the_nonce_of_its_header(client):
    await client.get("/sign-in")

    response = await client.post("/sign-in", data={"email": "x"})

    assert response.status_code == 403
    nonce = nonce_of(response)
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts(response.text))


# --- HTTPS -------------------------------------------------------------------------------------


async def test_no_hsts_over_plain_http(client):
    for path in ("/sign-in", "/", "/no-such-page"):
        assert "strict-transport-security" not in (await client.get(path)).headers, path


async def test_hsts_for_a_year_over_https(https_client):
    for path in ("/sign-in", "/", "/no-such-page", "/static/init.js"):
        response = await https_client.get(path)
        hsts = response.headers.get("strict-transport-security")
        assert hsts == "max-age=31536000; includeSubDomains", path


async def test_other_headers_are_the_same_over_https(https_client):
    response = await https_client.get("/sign-in")

    assert_protective_headers(response)
    assert nonce_of(response)
