"""The read-only plan pages in Chromium on the demo plans, with axe-core run on every page: the list,
a plan (filtered too), an action, a milestone, what changed, my actions and due dates."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in

pytestmark = pytest.mark.e2e


async def test_leader_reads_a_plan_down_to_a_milestone_and_what_changed(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.goto("/plans")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Action plans")
    await check_accessibility(page, "the list of plans")

    await page.get_by_role("link", name=re.compile("Ombudsman remedy plan")).click()
    await expect(page.locator(".app-rag-legend")).to_be_visible()
    plan_url = page.url
    await check_accessibility(page, "a plan")

    await page.get_by_label("RAG status").select_option("red")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"rag=red"))
    await check_accessibility(page, "a plan filtered by RAG")

    await page.goto(plan_url)
    await page.locator("table.govuk-table a[href^='/actions/']").first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Action")
    await check_accessibility(page, "an action")

    milestones = page.locator("a[href^='/milestones/']")
    if await milestones.count():
        await milestones.first.click()
        await expect(page.locator("#history-forecast")).to_be_visible()
        await check_accessibility(page, "a milestone")

    await page.goto(plan_url)
    await page.get_by_role("link", name="What changed in the last 30 days").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("What changed since")
    await check_accessibility(page, "what changed in a plan")

    await page.goto("/due-dates")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overdue and due soon")
    await check_accessibility(page, "overdue and due soon")

    await page.goto("/my-actions")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My actions and milestones")
    await check_accessibility(page, "my actions and milestones")
