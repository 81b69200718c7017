"""Behind HTTPS every cookie is Secure and browsers are told to stay on HTTPS."""

from __future__ import annotations

import httpx

from app.enums import Role
from tests.conftest import PASSWORD, make_person


async def test_every_cookie_is_secure_over_https(app):
    await make_person("admin@testshire.example", Role.ADMIN)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        page = await client.get("/sign-in")
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        token = client.cookies["assure_csrf"]
        response = await client.post(
            "/sign-in",
            data={"email": "admin@testshire.example", "password": PASSWORD, "_csrf_token": token},
        )
    set_cookies = response.headers.get_list("set-cookie") + page.headers.get_list("set-cookie")
    names = {c.split("=", 1)[0] for c in set_cookies}
    assert {"assure_session", "assure_csrf"} <= names
    assert all("; Secure" in c for c in set_cookies), set_cookies


async def test_no_hsts_or_secure_cookies_over_plain_http(client):
    page = await client.get("/sign-in")
    assert "strict-transport-security" not in page.headers
    assert all("Secure" not in c for c in page.headers.get_list("set-cookie"))
