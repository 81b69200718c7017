"""Boards and their reports in Chromium on the demo data, with axe-core on every page: the boards, a
board with its reports, a report (its sections, downloads and a comparison), generating a report and
watching it finish, the leaders' dashboard, and the board form."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in

pytestmark = pytest.mark.e2e


async def test_leader_reads_compares_and_generates_board_reports(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.goto("/boards")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Boards")
    await check_accessibility(page, "the boards")

    await page.get_by_role("link", name="SEND Improvement Board").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("SEND Improvement Board")
    board_url = page.url
    await check_accessibility(page, "a board with its reports")

    # The demo's latest past report, and its comparison with the one before.
    await page.locator("table.govuk-table a[href^='/reports/']").first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Report for")
    await expect(page.get_by_role("link", name=re.compile("Download the board paper"))).to_be_visible()
    await check_accessibility(page, "a ready report")
    await page.get_by_role("link", name=re.compile("Changes between this report")).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Changes between two reports")
    await check_accessibility(page, "two reports compared")

    # Generating one: the page waits, refreshing itself, until the report is ready.
    await page.goto(board_url)
    await page.get_by_role("button", name="Generate the report").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Report for")
    await expect(page.get_by_role("link", name=re.compile("Download the board paper"))).to_be_visible(
        timeout=60_000
    )
    await expect(page.get_by_role("heading", name="Changes since the last report")).to_be_visible()
    await check_accessibility(page, "a report just generated")

    await page.goto("/dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Leader dashboard")
    await check_accessibility(page, "the leaders' dashboard")
    await page.get_by_label("Plan", exact=True).select_option(index=1)
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(re.compile(r"plan=\d+"))
    await check_accessibility(page, "the dashboard narrowed to a plan")


async def test_admin_opens_the_board_form(page: Page, check_accessibility: AccessibilityChecker) -> None:
    await sign_in(page, DEMO_EMAILS["admin"])
    await page.goto("/boards/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a board")
    await check_accessibility(page, "the board form")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_accessibility(page, "the board form with an error")
