"""A leader downloads a demo plan as XLSX and starts importing it back, and finds their calendar
addresses, in Chromium with axe-core run on every page. The import stops at the preview, so other
journeys see the demo as it was."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in

pytestmark = pytest.mark.e2e


async def test_leader_exports_a_plan_and_previews_it_as_an_import(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.goto("/plans")
    await page.get_by_role("link", name=re.compile("Ombudsman remedy plan")).click()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Download the plan as an Excel spreadsheet")).click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = await download.path()

    await page.goto("/plans/import")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Import a plan from a spreadsheet")
    await check_accessibility(page, "the import-a-plan form")
    await page.get_by_role("button", name="Upload and continue").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the plan's title")
    await expect(summary).to_be_focused()
    await check_accessibility(page, "the import-a-plan form with errors")

    await page.get_by_label("Plan title").fill("Copy of the Ombudsman remedy plan")
    await page.get_by_label("Plan reference").fill("E2E-COPY")
    await page.get_by_label("Where the plan comes from").select_option(label="Ombudsman remedy")
    await page.get_by_label("Spreadsheet").set_input_files(workbook)
    await page.get_by_role("button", name="Upload and continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Match the file's columns")
    await expect(page.get_by_text("exported from Assure")).to_be_visible()
    await check_accessibility(page, "the match-the-columns step")

    await page.get_by_role("button", name="Continue to check the plan").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check the new plan")
    await expect(page.get_by_role("button", name="Create the draft plan")).to_be_visible()
    await check_accessibility(page, "the import preview")


async def test_leader_finds_their_calendar_addresses(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.goto("/my-actions")
    await page.get_by_role("link", name="Add your milestones to your calendar").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Action plan dates in your calendar")
    await expect(page.locator("code").first).to_contain_text("/calendar/")
    await check_accessibility(page, "the calendar addresses page")
