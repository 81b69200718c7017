"""The board paper's HTML file (as saved from a snapshot) in Chromium, checked by axe-core: a board
member may open the file itself rather than the PDF. No server is needed: the file is self-contained."""

from __future__ import annotations

from playwright.async_api import Browser

from app.reports.charts import report_charts
from app.reports.render import report_html
from tests.app.reports.sample import sample_report
from tests.e2e.conftest import AccessibilityChecker


async def test_board_paper_html_passes_axe(
    browser: Browser, check_accessibility: AccessibilityChecker
) -> None:
    data = sample_report()
    html = report_html(data, report_charts(data))
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await page.set_content(html)
        images = page.locator("img")
        assert await images.count() == len(report_charts(data))
        for index in range(await images.count()):
            assert (await images.nth(index).get_attribute("alt") or "").strip()
        await check_accessibility(page, "the board paper (HTML file)")
        # The same file at a phone's width reflows (WCAG 1.4.10).
        await page.set_viewport_size({"width": 320, "height": 640})
        await check_accessibility(page, "the board paper (HTML file) at 320 px")
    finally:
        await context.close()
