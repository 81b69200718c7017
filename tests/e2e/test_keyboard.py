"""Signing in with the keyboard alone: Tab reaches every control in order, and Enter submits."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

MAX_TABS = 25


async def focused(page: Page) -> str:
    """What has focus, as 'tag#id' or 'tag:text' for elements without an id."""
    return await page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "body";
            const tag = el.tagName.toLowerCase();
            return el.id ? `${tag}#${el.id}` : `${tag}:${(el.textContent || "").trim()}`;
        }"""
    )


async def tab_to(page: Page, target: str, visited: list[str]) -> None:
    """Press Tab until `target` has focus; fail if it is never reached."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        now = await focused(page)
        visited.append(now)
        if now == target:
            return
    pytest.fail(f"Tab never reached {target}; focus went through: {visited}")


async def test_sign_in_with_the_keyboard_alone(page: Page) -> None:
    await page.goto("/sign-in")
    visited: list[str] = []

    await page.keyboard.press("Tab")
    first = await focused(page)
    visited.append(first)
    assert first == "a:Skip to main content", f"the first Tab should reach the skip link, not {first}"

    await tab_to(page, "input#email", visited)
    await page.keyboard.type(DEMO_EMAILS["leader"])
    await tab_to(page, "input#password", visited)
    await page.keyboard.type(DEMO_PASSWORD)
    await tab_to(page, "button:Sign in", visited)

    # Nothing between the fields but the password input's own Show button.
    between = visited[visited.index("input#email") + 1 : visited.index("button:Sign in")]
    assert [v for v in between if v not in {"input#password", "button:Show"}] == [], visited

    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/sign-in" not in url)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


async def test_enter_in_the_password_field_submits_the_form(page: Page) -> None:
    await page.goto("/sign-in")
    await page.locator("#email").focus()
    await page.keyboard.type(DEMO_EMAILS["trainer"])
    await page.keyboard.press("Tab")
    assert await focused(page) == "input#password"
    await page.keyboard.type(DEMO_PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/sign-in" not in url)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
