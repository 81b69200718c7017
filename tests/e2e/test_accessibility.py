"""Each demo role's journeys through the real app in Chromium, with axe-core run on every page they see."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import DEMO_EMAILS, AccessibilityChecker, sign_in, sign_out

pytestmark = pytest.mark.e2e


async def visit(page: Page, path: str, *, status: int = 200) -> None:
    response = await page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"


async def follow(page: Page, link_or_button: Locator, *, status: int = 200) -> None:
    """Click a link (or a link styled as a button) and check the page it opens."""
    async with page.expect_navigation() as navigation:
        await link_or_button.click()
    response = await navigation.value
    assert response is not None and response.status == status, (
        f"{page.url} answered {response.status if response else 'nothing'}, expected {status}"
    )


async def test_sign_in_page_and_accessibility_statement_before_signing_in(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await visit(page, "/sign-in")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Assure")
    await check_accessibility(page, "the sign-in page")

    await page.get_by_role("link", name="Accessibility statement").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for Assure")
    await check_accessibility(page, "the accessibility statement")


async def test_signed_out_visitor_is_asked_to_sign_in_first(page: Page) -> None:
    await visit(page, "/admin/staff")
    assert re.search(r"/sign-in\?next=%2Fadmin%2Fstaff$", page.url), page.url


async def test_wrong_password_shows_an_error_summary_that_takes_focus(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await visit(page, "/sign-in")
    await page.get_by_label("Email address").fill(DEMO_EMAILS["trainer"])
    await page.get_by_label("Password", exact=True).fill("not the password")
    await page.get_by_role("button", name="Sign in", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter a correct email address and password")
    await expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    # GOV.UK Frontend's script (loaded under the Content-Security-Policy) moves focus to the summary.
    await expect(summary).to_be_focused()
    await check_accessibility(page, "the sign-in page with errors")


@pytest.mark.parametrize("role", ["admin", "trainer", "professional", "leader"])
async def test_each_role_can_visit_every_page_in_their_navigation(
    page: Page, check_accessibility: AccessibilityChecker, role: str
) -> None:
    await sign_in(page, DEMO_EMAILS[role])
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    await check_accessibility(page, f"the {role}'s home page")

    links = page.locator("nav[aria-label='Main menu'] a.govuk-service-navigation__link")
    hrefs = [href for href in await links.evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    assert "/" in hrefs, hrefs
    if role == "admin":
        assert {"/admin/staff", "/admin/organisations", "/admin/job-roles", "/admin/audit"} <= set(hrefs)
    else:
        assert not [h for h in hrefs if h.startswith("/admin")], f"{role} sees admin links: {hrefs}"

    for href in hrefs:
        await visit(page, href)
        # The service navigation marks the section being shown (aria-current="true" for a section).
        current = page.locator("nav[aria-label='Main menu'] a[aria-current]")
        await expect(current).to_have_attribute("href", href)
        await check_accessibility(page, f"{href} as {role}")

    await sign_out(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Assure")
    await check_accessibility(page, f"the sign-in page after the {role} signed out")
    await visit(page, "/")
    assert "/sign-in" in page.url, "signing out did not end the session"


async def test_admin_pages_for_people(page: Page, check_accessibility: AccessibilityChecker) -> None:
    await sign_in(page, DEMO_EMAILS["admin"])
    await visit(page, "/admin/staff")
    await check_accessibility(page, "the people list")

    await visit(page, "/admin/staff?q=aisha")
    await check_accessibility(page, "the people list, filtered")

    await visit(page, "/admin/staff?page=2")
    await check_accessibility(page, "the people list, page 2")

    await follow(page, page.get_by_role("button", name="Add a person"))
    await check_accessibility(page, "the add a person form")

    await visit(page, "/admin/staff")
    await follow(page, page.locator("table.govuk-table tbody a").first)
    await expect(page.locator(".govuk-caption-l")).to_have_text("Person")
    person_url = page.url
    await check_accessibility(page, "a person")

    await follow(page, page.get_by_role("link", name="Change details"))
    await check_accessibility(page, "the change a person form")

    await page.goto(person_url)
    await follow(page, page.get_by_role("link", name="Change sign-in and roles"))
    await check_accessibility(page, "the sign-in and roles form")

    await page.goto(person_url)
    await follow(page, page.get_by_role("button", name="Mark as left"))
    await check_accessibility(page, "the mark as left form")

    await page.goto(person_url)
    await follow(page, page.get_by_role("link", name="See the history of changes to this person"))
    await check_accessibility(page, "a person's audit history")


async def test_admin_filters_people_with_the_filter_form(page: Page) -> None:
    await sign_in(page, DEMO_EMAILS["admin"])
    await visit(page, "/admin/staff")
    await page.get_by_label("Name, email or employee number").fill("Aisha")
    await follow(page, page.get_by_role("button", name="Filter"))
    await expect(page.locator("table.govuk-table caption")).to_contain_text(
        re.compile(r"\d+ (people|person)")
    )


async def test_admin_pages_for_organisations_job_roles_and_audit(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["admin"])
    await visit(page, "/admin/organisations")
    await check_accessibility(page, "the organisations list")

    await follow(page, page.get_by_role("button", name="Add an organisation"))
    await check_accessibility(page, "the add an organisation form")

    await visit(page, "/admin/organisations")
    await follow(page, page.locator("table.govuk-table tbody a").first)
    await expect(page.locator(".govuk-caption-l")).to_have_text("Organisation")
    organisation_url = page.url
    await check_accessibility(page, "an organisation")

    await follow(page, page.get_by_role("link", name="Change organisation details"))
    await check_accessibility(page, "the change an organisation form")

    await page.goto(organisation_url)
    await follow(page, page.get_by_role("button", name="Add a team"))
    await check_accessibility(page, "the add a team form")

    await page.goto(organisation_url)
    await follow(page, page.locator("table.govuk-table tbody a", has_text="Change").first)
    await check_accessibility(page, "the change a team form")

    await visit(page, "/admin/job-roles")
    await check_accessibility(page, "the job roles list")
    await follow(page, page.get_by_role("button", name="Add a job role"))
    await check_accessibility(page, "the add a job role form")
    await visit(page, "/admin/job-roles")
    await follow(page, page.locator("table.govuk-table tbody a", has_text="Change").first)
    await check_accessibility(page, "the change a job role form")

    await visit(page, "/admin/audit")
    await check_accessibility(page, "the audit log")
    await follow(page, page.locator("table.govuk-table tbody a").first)
    await expect(page.get_by_role("link", name="Audit log").first).to_be_visible()
    await check_accessibility(page, "an audit entry")


async def test_form_submitted_with_errors_shows_an_error_summary_linked_to_the_field(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["admin"])
    await visit(page, "/admin/organisations/new")
    await page.get_by_role("button", name="Save").click()

    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(page).to_have_title(re.compile(r"^Error: "))
    error_link = summary.get_by_role("link").first
    await expect(error_link).to_have_attribute("href", "#name")
    await expect(page.locator("#name-error")).to_be_visible()
    await check_accessibility(page, "the add an organisation form with errors")

    await error_link.click()
    await expect(page.locator("#name")).to_be_focused()


async def test_trainer_finds_a_course_for_the_compliance_figures(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    # With the demo's few courses the compliance page offers a select; the search behind it (which a
    # council with more courses than a select can hold is sent to) works the same at any size.
    await sign_in(page, DEMO_EMAILS["trainer"])
    await visit(page, "/compliance/courses")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a course")
    await check_accessibility(page, "the course search for compliance")

    await page.get_by_label("Words in the course's code or title").fill("EHCP")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("main h2")).to_contain_text("match")
    await check_accessibility(page, "the course search's results")
    await follow(page, page.locator("main ul.govuk-list a").first)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Training compliance")

    await visit(page, "/compliance/courses?search=no+such+course")
    await expect(page.locator("main")).to_contain_text("No published course has")
    await check_accessibility(page, "the course search with nothing found")


async def test_trainer_searches_the_course_list(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["trainer"])
    await visit(page, "/courses")
    await page.get_by_label("Code or title").fill("ehcp")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("main caption")).to_contain_text("matching “ehcp”")
    await check_accessibility(page, "the course list's search results")

    await visit(page, "/courses?q=no+such+course")
    await expect(page.locator("main")).to_contain_text("No courses have “no such course”")
    await check_accessibility(page, "the course list with nothing found")


async def test_professional_sees_the_permission_page_for_admin_pages(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await sign_in(page, DEMO_EMAILS["professional"])
    await visit(page, "/admin/staff", status=403)
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )
    await check_accessibility(page, "the 403 page")


async def test_missing_pages_show_the_not_found_page(
    page: Page, check_accessibility: AccessibilityChecker
) -> None:
    await visit(page, "/no-such-page", status=404)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await check_accessibility(page, "the 404 page before signing in")

    await sign_in(page, DEMO_EMAILS["admin"])
    await visit(page, "/admin/staff/987654321", status=404)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await check_accessibility(page, "the 404 page for a person who does not exist")


FORM_CONTROLS_OFF_SCREEN = """() => [...document.querySelectorAll("input, select, textarea, button")]
    .filter(el => el.offsetParent !== null && el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(el => {
        const right = Math.round(el.getBoundingClientRect().right);
        return `${el.tagName.toLowerCase()}#${el.id || el.name} ends at ${right}px`;
    })"""


async def test_forms_fit_a_320_pixel_wide_screen(page: Page) -> None:
    """WCAG 1.4.10 Reflow: at 320 CSS pixels (400% zoom) no form control runs off the side of the page.

    Data tables are left out: two-dimensional content is the criterion's own exception.
    """
    await sign_in(page, DEMO_EMAILS["admin"])
    await page.set_viewport_size({"width": 320, "height": 800})
    for path in [
        "/admin/staff",
        "/admin/staff/new",
        "/admin/organisations/new",
        "/admin/job-roles/new",
        "/admin/audit",
    ]:
        await visit(page, path)
        assert await page.evaluate(FORM_CONTROLS_OFF_SCREEN) == [], f"{path} does not fit 320px"
    await page.context.clear_cookies()
    await visit(page, "/sign-in")
    assert await page.evaluate(FORM_CONTROLS_OFF_SCREEN) == [], "/sign-in does not fit 320px"
