"""The plan owner's success measures in Chromium: the list, one measure, recording a value (with an
error first) and deleting it again, with axe-core run on every page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in

pytestmark = pytest.mark.e2e


async def test_plan_owner_records_a_value_for_a_statutory_measure_and_deletes_it(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    # The demo leader owns the Ombudsman remedy plan, which carries the statutory measures.
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.goto("/plans")
    await page.get_by_role("link", name=re.compile("Ombudsman remedy plan")).click()
    await page.get_by_role("link", name="Success measures (KPIs)").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Success measures")
    await expect(page.locator("table.govuk-table tbody tr")).to_have_count(7)
    await check_accessibility(page, "a plan's success measures")

    await page.get_by_role("link", name="Annual reviews held within 12 months", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Annual reviews held within 12 months")
    measure_url = page.url
    chart = page.locator("img.app-chart__image")
    await expect(chart).to_be_visible()
    assert await chart.evaluate("image => image.complete && image.naturalWidth > 0"), "the chart did not load"
    await check_accessibility(page, "a success measure")

    await page.get_by_role("button", name="Record a value").click()
    await check_accessibility(page, "the record a value form")
    today = date.today()
    await page.get_by_label("Day").fill(str(today.day))
    await page.get_by_label("Month").fill(str(today.month))
    await page.get_by_label("Year").fill(str(today.year))
    await page.get_by_label("Number that met the measure").fill("61")
    await page.get_by_label("Total").fill("60")
    await page.get_by_role("button", name="Save value").click()

    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#numerator")
    await check_accessibility(page, "the record a value form with errors")

    await page.get_by_label("Number that met the measure").fill("45")
    await page.get_by_role("button", name="Save value").click()
    await page.wait_for_url(measure_url)
    period = f"{today:%-d %B %Y}"
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(f"period ending {period} saved")
    newest = page.locator("table.govuk-table tbody tr").first
    await expect(newest).to_contain_text("75%")
    await expect(newest).to_contain_text("45 of 60")
    await expect(newest).to_contain_text("Below statutory threshold")

    await page.get_by_role("link", name=f"Delete the value for {period}").click()
    await check_accessibility(page, "the delete a value page")
    await page.get_by_role("button", name="Delete the value").click()
    await page.wait_for_url(measure_url)
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"period ending {period} deleted"
    )
    await expect(page.locator("table.govuk-table tbody tr").first).not_to_contain_text("45 of 60")


async def test_success_measure_pages_reflow_at_320_pixels(page: Page) -> None:
    """WCAG 1.4.10: the wide tables scroll inside their own region; the page never scrolls sideways."""
    await sign_in(page, DEMO_EMAILS["leader"])
    await page.set_viewport_size({"width": 320, "height": 800})
    await page.goto("/plans")
    await page.get_by_role("link", name=re.compile("Ombudsman remedy plan")).click()
    await page.get_by_role("link", name="Success measures (KPIs)").click()
    measures_url = page.url
    await page.get_by_role("link", name="Annual reviews held within 12 months", exact=True).click()
    for url in (measures_url, page.url):
        await page.goto(url)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width}px wide at 320px"
