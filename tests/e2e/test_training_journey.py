"""The training journey in a real browser: a trainer assigns the EHCP course to a team, a professional
in that team completes every module including the quizzes, the trainer's compliance view shows the
completion, and the certificate downloads and verifies. Then the leader sees the improvement plan's
training-linked action count the completion, moves one of its milestones with a slippage reason, and
downloads the board report's PDF.

The professional works with the keyboard: each control is focused and then operated with Space or
Enter, as a keyboard user would. The quiz answers come from the course's own content file, whose
scenario questions are answered by the statutory-timescale calculator.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from courses.content import EHCP_COURSE, read_course_folder
from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in, sign_out

pytestmark = pytest.mark.e2e

TEAM = "Post-16 and Preparing for Adulthood"
COMPLIANT = re.compile(r"(\d+) of (\d+) (?:person|people) assigned (?:is|are) compliant")


def right_answers() -> dict[str, list[str]]:
    """Question text -> the text of each right option, from the shipped content."""
    course = read_course_folder(EHCP_COURSE)
    return {
        q.text: [o.text for o in q.options if o.correct]
        for module in course.content.modules
        for q in module.questions
    }


async def trained_on_the_linked_action(page: Page) -> int:
    """The leader's view of the Ombudsman plan's training-linked action: how many are trained."""
    await page.goto("/plans")
    await page.get_by_role("link", name=re.compile("Ombudsman remedy plan")).click()
    await page.get_by_role("link", name=re.compile(r"^Train 220 professionals")).click()
    match = re.search(r"(\d+) of 220 trained", await page.locator("#training-progress").inner_text())
    assert match, "the linked action shows no training progress"
    return int(match.group(1))


async def compliance_headline(page: Page) -> tuple[int, int]:
    await page.goto("/compliance")
    text = await page.locator("main").inner_text()
    match = COMPLIANT.search(text)
    assert match, text[:500]
    return int(match.group(1)), int(match.group(2))


def pdf_text(pdf) -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    return subprocess.run(  # noqa: S603 (a fixed system tool on our own file)
        ["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


async def press(page: Page, locator, key: str = "Enter") -> None:
    await locator.focus()
    await page.keyboard.press(key)


async def follow(page: Page, locator) -> None:
    """Press Enter on a link or button and wait for the page it leads to."""
    leaving = page.url
    await press(page, locator)
    await page.wait_for_url(lambda url: url != leaving)
    await page.wait_for_load_state()


async def test_trainer_assigns_professional_completes_and_certificate_verifies(
    page: Page, check_accessibility: AccessibilityChecker, tmp_path
) -> None:
    # The leader notes how many the plan's training-linked action counts as trained.
    await sign_in(page, DEMO_EMAILS["leader"])
    trained_before = await trained_on_the_linked_action(page)
    await sign_out(page)

    # The trainer assigns the course to the team that does not have it yet.
    await sign_in(page, DEMO_EMAILS["trainer"])
    before_compliant, before_assigned = await compliance_headline(page)
    await check_accessibility(page, "compliance view")
    await page.goto("/courses")
    await page.get_by_role("link", name=re.compile("The EHCP process")).first.click()
    await page.get_by_role("link", name=re.compile("^Assign")).first.click()
    await check_accessibility(page, "assign form")
    team_option = page.locator("#target option", has_text=TEAM)
    await page.locator("#target").select_option(value=await team_option.get_attribute("value"))
    await page.get_by_label("A number of days after it is assigned").check()
    await page.get_by_label("Number of days, for the other two").fill("30")
    await page.get_by_role("button", name="Assign the course").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("assigned to")
    await check_accessibility(page, "assignment rules")
    _, assigned_now = await compliance_headline(page)
    assert assigned_now > before_assigned
    await sign_out(page)

    # The professional in that team works through every module with the keyboard.
    answers = right_answers()
    await sign_in(page, DEMO_EMAILS["professional"])
    await page.goto("/my-training")
    await check_accessibility(page, "my training")
    await follow(page, page.get_by_role("link", name=re.compile("The EHCP process")))
    await check_accessibility(page, "course page")
    await follow(page, page.get_by_role("button", name="Start the course"))
    for _ in range(20):
        if await page.get_by_role("button", name="Mark as done and continue").count():
            await follow(page, page.get_by_role("button", name="Mark as done and continue"))
            continue
        if await page.get_by_role("button", name="Submit answers").count():
            await check_accessibility(page, "quiz")
            for fieldset in await page.locator("fieldset").all():
                legend = re.sub(r"^\d+\.\s*", "", (await fieldset.locator("legend").inner_text()).strip())
                for option in answers[legend]:
                    await press(page, fieldset.get_by_label(option, exact=True), "Space")
            await follow(page, page.get_by_role("button", name="Submit answers"))
            await expect(page.get_by_role("heading", name="You passed")).to_be_visible()
            await check_accessibility(page, "quiz result")
            next_step = page.get_by_role(
                "button", name=re.compile("Continue to the next module|Back to the course")
            )
            await follow(page, next_step)
            continue
        break
    await page.goto("/my-training")
    await expect(page.locator("main")).to_contain_text("Completed")

    # The certificate downloads, and its code verifies without signing in.
    await page.get_by_role("link", name=re.compile("The EHCP process")).click()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Download your certificate")).click()
    pdf = tmp_path / "certificate.pdf"
    await (await download_info.value).save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert code and "Priya Shah" in text
    await sign_out(page)
    await page.goto(f"/verify/{code.group(0)}")
    await expect(page.locator("main")).to_contain_text("Priya Shah")
    await expect(page.locator("main")).to_contain_text("The EHCP process and statutory responsibilities")
    await check_accessibility(page, "certificate verification")

    # The trainer's compliance view counts the new completion.
    await sign_in(page, DEMO_EMAILS["trainer"])
    after_compliant, after_assigned = await compliance_headline(page)
    assert after_assigned == assigned_now
    assert after_compliant == before_compliant + 1
    await sign_out(page)

    # The leader sees the linked action count the completion, then moves a milestone with a reason.
    await sign_in(page, DEMO_EMAILS["leader"])
    assert await trained_on_the_linked_action(page) == trained_before + 1
    await check_accessibility(page, "the training-linked action")
    milestone_links = page.locator("main a[href^='/milestones/']")
    hrefs = await milestone_links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        await page.goto(f"{href}/dates")
        if await page.locator("#actual_date-day").input_value() == "":
            break
    else:
        pytest.fail("every milestone of the linked action is done")
    day, month, year = [
        int(await page.locator(f"#forecast_date-{part}").input_value()) for part in ("day", "month", "year")
    ]
    later = date(year, month, day) + timedelta(days=14)
    await page.locator("#forecast_date-day").fill(str(later.day))
    await page.locator("#forecast_date-month").fill(str(later.month))
    await page.locator("#forecast_date-year").fill(str(later.year))
    reason = "Two training venues cancelled by the provider; sessions rebooked a fortnight later"
    await page.get_by_label("Reason for the change").fill(reason)
    await follow(page, page.get_by_role("button", name="Save dates"))
    await page.goto(href)
    main = page.locator("main")
    await expect(main).to_contain_text(reason)
    await expect(main).to_contain_text(re.compile(r"\+\d+ days?"))
    await check_accessibility(page, "a milestone after a slippage")

    # The leader generates the board report, waits for it, and downloads the PDF board paper.
    await page.goto("/boards")
    await page.get_by_role("link", name="SEND Improvement Board").click()
    await page.get_by_role("button", name="Generate the report").click()
    download_link = page.get_by_role("link", name=re.compile("Download the board paper"))
    await expect(download_link).to_be_visible(timeout=60_000)
    async with page.expect_download() as download_info:
        await download_link.click()
    paper = tmp_path / "board.pdf"
    await (await download_info.value).save_as(paper)
    assert paper.read_bytes().startswith(b"%PDF")
    assert "SEND Improvement Board" in pdf_text(paper)
