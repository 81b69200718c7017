"""Every page's header and service navigation: kept per menu (app/web/templating.py), yet each person sees
their own menu, the page they are on, and a sign-out button with their own name and CSRF token."""

from __future__ import annotations

import re

import httpx

from app.enums import Role
from tests.conftest import CSRF_INPUT, make_person, sign_in


def navigation(html: str) -> str:
    match = re.search(r'<section aria-label="Service information".*?</section>', html, re.S)
    assert match, "no service navigation on the page"
    return match.group(0)


def items(html: str) -> list[tuple[str, bool]]:
    """The menu's links, each with whether it is marked as the current one."""
    return [
        (text.strip(), "aria-current" in attributes)
        for attributes, text in re.findall(
            r'<a class="govuk-service-navigation__link" href="[^"]*"([^>]*)>\s*(?:<strong[^>]*>)?([^<]+)',
            navigation(html),
        )
    ]


async def browser(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_each_person_gets_their_own_menu_current_page_and_sign_out(app):
    await make_person("trainer@testshire.example", Role.TRAINER, name="Tess Trainer")
    await make_person("admin@testshire.example", Role.ADMIN, name="Ada Admin")
    async with await browser(app) as trainer, await browser(app) as admin:
        assert (await sign_in(trainer, "trainer@testshire.example")).status_code == 303
        assert (await sign_in(admin, "admin@testshire.example")).status_code == 303
        for _ in range(2):  # the second time round, the menus come from what was kept
            trainer_page = (await trainer.get("/compliance")).text
            admin_page = (await admin.get("/compliance")).text
            admin_home = (await admin.get("/")).text

            assert ("Compliance", True) in items(trainer_page) and ("Courses", False) in items(trainer_page)
            assert "People" not in dict(items(trainer_page))
            assert ("Compliance", True) in items(admin_page) and ("People", False) in items(admin_page)
            assert ("Home", True) in items(admin_home) and ("Compliance", False) in items(admin_home)

            for page, name in ((trainer_page, "Tess Trainer"), (admin_page, "Ada Admin")):
                menu = navigation(page)
                assert f'Sign out<span class="govuk-visually-hidden"> {name}</span>' in menu
                # The sign-out form carries the same token as the rest of this person's page.
                tokens = set(CSRF_INPUT.findall(page))
                assert len(tokens) == 1 and tokens <= set(CSRF_INPUT.findall(menu))
            assert set(CSRF_INPUT.findall(trainer_page)) != set(CSRF_INPUT.findall(admin_page))


async def test_signed_out_pages_have_no_menu_items_or_sign_out(client):
    page = (await client.get("/accessibility")).text
    assert items(page) == []
    assert "Sign out" not in page
    assert 'class="govuk-generic-header__homepage-link"' in page and "/sign-out" not in page
