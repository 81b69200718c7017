"""The plan owner's forms in Chromium on the demo plans, with axe-core run on every page: start a plan,
change it, add an area and an action, a milestone's dates (refused without a reason), and the
date changes waiting for a decision. Nothing is saved, so other journeys see the demo as it was."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in

pytestmark = pytest.mark.e2e


async def test_owner_is_told_why_a_date_change_without_a_reason_is_refused(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.goto("/plans/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Start a plan")
    await check_accessibility(page, "the start-a-plan form")
    await page.get_by_role("button", name="Save plan").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the plan's title")
    await expect(summary).to_be_focused()
    await check_accessibility(page, "the start-a-plan form with an error")

    await page.goto("/plans")
    await page.get_by_role("link", name=re.compile("Ombudsman remedy plan")).click()
    plan_url = page.url
    plan_id = plan_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    for path, what in (
        (f"/plans/{plan_id}/edit", "the change-a-plan form"),
        (f"/plans/{plan_id}/areas/new", "the add-a-priority-area form"),
        (f"/plans/{plan_id}/actions/new", "the add-an-action form"),
        (f"/plans/{plan_id}/approve", "the approve page of an approved plan"),
        (f"/plans/{plan_id}/date-requests", "the date changes waiting for approval"),
    ):
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        await check_accessibility(page, what)

    await page.goto(plan_url)
    await page.locator("table.govuk-table a[href^='/actions/']").first.click()
    await page.locator("a[href^='/milestones/']").first.click()
    await page.get_by_role("link", name="Change dates").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Change the dates of milestone")
    await check_accessibility(page, "a milestone's dates")
    year = page.locator("#forecast_date-year")
    await year.fill(str(int(await year.input_value() or "2030") + 1))
    await page.get_by_role("button", name="Save dates").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Give the reason for changing the date")
    await expect(summary).to_be_focused()
    await check_accessibility(page, "a milestone's dates refused without a reason")
