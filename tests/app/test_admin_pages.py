"""An admin looks after people, organisations, teams and job roles through the pages of Assure."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from html import unescape

import httpx
import pytest
from litestar import Litestar

from app.accounts import services as accounts
from app.audit import Actor
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.tables import JobRole, Organisation, Staff, Team
from tests.conftest import PASSWORD, post_form, sign_in

SETUP = Actor(staff_id=None, label="test set-up")
ADMIN_EMAIL = "admin@testshire.example"
BANNER = "govuk-notification-banner"
ERROR_SUMMARY = "govuk-error-summary"


@pytest.fixture
async def admin(signed_in_as) -> int:
    """The client is signed in as an admin (who works for the 'Local authority SEND service')."""
    return await signed_in_as(Role.ADMIN, email=ADMIN_EMAIL)


@pytest.fixture
async def another_browser(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser on the same app, for someone else signing in."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        yield browser


async def follow(client: httpx.AsyncClient, response: httpx.Response) -> httpx.Response:
    """The page a 303 sends the browser to."""
    assert response.status_code == 303, response.text
    return await client.get(response.headers["location"])


def error_summary_links(html: str) -> dict[str, str]:
    """The error summary's links, as {href: message}."""
    assert "There is a problem" in html
    summary = html[html.index(ERROR_SUMMARY) :]
    summary = summary[: summary.index("</ul>")]
    return {href: text.strip() for href, text in re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)}


def assert_form_problem(response: httpx.Response, field: str, message: str) -> None:
    """A form came back with one error: in the summary, linked to the field, and beside the field."""
    assert response.status_code == 400, response.text
    assert response.text.count(f'class="{ERROR_SUMMARY}"') == 1
    assert "<title>Error: " in response.text
    assert error_summary_links(response.text) == {f"#{field}": message}
    assert f'id="{field}"' in response.text, f"the summary links to #{field}, which is not on the page"
    assert re.search(
        r'govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> ' + re.escape(message),
        response.text,
    )


def banners(html: str) -> list[str]:
    return re.findall(r'govuk-notification-banner__heading">\s*([^<]+?)\s*<', html)


async def add_organisation(name: str, kind: str = OrganisationKind.HEALTH) -> int:
    return await people.create_organisation(name=name, kind=kind, actor=SETUP)


async def add_person(organisation_id: int, full_name: str, **details: object) -> int:
    email = full_name.lower().replace(" ", ".") + "@testshire.example"
    return await people.create_staff(
        details=StaffDetails(email=email, full_name=full_name, organisation_id=organisation_id, **details),  # type: ignore[arg-type]
        actor=SETUP,
    )


async def council_id() -> int:
    row = (
        await Organisation.select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.LA_SEND)
        .first()
    )
    assert row is not None
    return int(row["id"])


# --- organisations and teams -----------------------------------------------------------------


async def test_admin_adds_an_organisation_and_sees_the_banner_once(client, admin):
    form = await client.get("/admin/organisations/new")
    assert form.status_code == 200
    assert "Add an organisation" in form.text

    response = await post_form(
        client, "/admin/organisations/new", {"name": "Testshire Community Health", "kind": "health"}
    )

    organisation = (
        await Organisation.select().where(Organisation.name == "Testshire Community Health").first()
    )
    assert organisation is not None
    assert organisation["kind"] == "health"
    assert response.headers["location"] == f"/admin/organisations/{organisation['id']}"
    page = await follow(client, response)
    assert page.status_code == 200
    assert banners(page.text) == ["Testshire Community Health added"]
    assert '<h1 class="govuk-heading-l">Testshire Community Health</h1>' in page.text
    assert "This organisation has no teams yet." in page.text
    again = await client.get(response.headers["location"])
    assert BANNER not in again.text
    listing = await client.get("/admin/organisations")
    assert "Testshire Community Health" in listing.text
    assert "2 organisations" in listing.text


async def test_an_organisation_without_a_name_or_kind_is_sent_back_with_the_problem(client, admin):
    no_name = await post_form(client, "/admin/organisations/new", {"name": "  ", "kind": "health"})
    no_kind = await post_form(client, "/admin/organisations/new", {"name": "Testshire Health"})

    assert_form_problem(no_name, "name", "Enter the organisation&#39;s name")
    assert 'value="health" checked' in no_name.text
    assert_form_problem(no_kind, "kind", "Select the kind of organisation")
    assert 'value="Testshire Health"' in no_kind.text
    assert await Organisation.count() == 1  # only the admin's own


async def test_a_second_organisation_with_the_same_name_is_refused_keeping_what_was_typed(client, admin):
    response = await post_form(
        client, "/admin/organisations/new", {"name": "local authority SEND service", "kind": "social_care"}
    )

    assert_form_problem(response, "name", "An organisation with this name already exists")
    assert 'value="local authority SEND service"' in response.text
    assert 'value="social_care" checked' in response.text
    assert await Organisation.count() == 1


async def test_admin_renames_and_deactivates_an_organisation(client, admin):
    health = await add_organisation("Testshire Helth")
    form = await client.get(f"/admin/organisations/{health}/edit")
    assert 'value="Testshire Helth"' in form.text

    response = await post_form(
        client, f"/admin/organisations/{health}/edit", {"name": "Testshire Health", "kind": "health"}
    )

    page = await follow(client, response)
    assert banners(page.text) == ["Testshire Health updated"]
    assert "Inactive" in page.text
    row = await Organisation.select().where(Organisation.id == health).first()
    assert row is not None
    assert (row["name"], row["active"]) == ("Testshire Health", False)


async def test_admin_adds_a_team_to_an_organisation(client, admin):
    health = await add_organisation("Testshire Health")

    response = await post_form(
        client, f"/admin/organisations/{health}/teams/new", {"name": "Speech and Language Therapy"}
    )

    assert response.headers["location"] == f"/admin/organisations/{health}"
    page = await follow(client, response)
    assert banners(page.text) == ["Team Speech and Language Therapy added"]
    team = await Team.select().where(Team.name == "Speech and Language Therapy").first()
    assert team is not None
    assert team["organisation"] == health
    assert f'href="/admin/staff?team={team["id"]}">Speech and Language Therapy</a>' in page.text


async def test_a_duplicate_or_blank_team_is_refused(client, admin):
    health = await add_organisation("Testshire Health")
    await people.create_team(name="Physiotherapy", organisation_id=health, actor=SETUP)

    duplicate = await post_form(client, f"/admin/organisations/{health}/teams/new", {"name": "physiotherapy"})
    blank = await post_form(client, f"/admin/organisations/{health}/teams/new", {"name": ""})

    assert_form_problem(duplicate, "name", "This organisation already has a team with this name")
    assert 'value="physiotherapy"' in duplicate.text
    assert_form_problem(blank, "name", "Enter the team&#39;s name")
    assert await Team.count() == 1


async def test_admin_renames_and_deactivates_a_team(client, admin):
    health = await add_organisation("Testshire Health")
    team = await people.create_team(name="Physio", organisation_id=health, actor=SETUP)

    response = await post_form(client, f"/admin/teams/{team}/edit", {"name": "Physiotherapy"})

    assert response.headers["location"] == f"/admin/organisations/{health}"
    page = await follow(client, response)
    assert banners(page.text) == ["Team Physiotherapy updated"]
    row = await people.get_team(team)
    assert row is not None
    assert (row["name"], row["active"]) == ("Physiotherapy", False)


# --- job roles -------------------------------------------------------------------------------


async def test_admin_adds_a_job_role_and_a_duplicate_is_refused(client, admin):
    added = await post_form(
        client,
        "/admin/job-roles/new",
        {"name": "Educational psychologist", "description": "Gives psychological advice"},
    )
    assert added.headers["location"] == "/admin/job-roles"
    page = await follow(client, added)
    duplicate = await post_form(
        client, "/admin/job-roles/new", {"name": "EDUCATIONAL PSYCHOLOGIST", "description": "Again"}
    )

    assert banners(page.text) == ["Job role Educational psychologist added"]
    assert "Gives psychological advice" in page.text
    assert_form_problem(duplicate, "name", "A job role with this name already exists")
    assert 'value="EDUCATIONAL PSYCHOLOGIST"' in duplicate.text
    assert ">Again</textarea>" in duplicate.text
    assert await JobRole.count() == 1


async def test_admin_changes_a_job_role(client, admin):
    job_role = await people.create_job_role(name="SENCo", description="", actor=SETUP)

    response = await post_form(
        client,
        f"/admin/job-roles/{job_role}/edit",
        {"name": "SENCO", "description": "Co-ordinates SEN in a school", "active": "yes"},
    )

    page = await follow(client, response)
    assert banners(page.text) == ["Job role SENCO updated"]
    row = await people.get_job_role(job_role)
    assert row is not None
    assert (row["name"], row["description"], row["active"]) == ("SENCO", "Co-ordinates SEN in a school", True)


# --- adding and changing people --------------------------------------------------------------


async def test_admin_adds_a_person_with_their_team_role_manager_and_start_date(client, admin):
    council = await council_id()
    team = await people.create_team(name="Annual Reviews Team", organisation_id=council, actor=SETUP)
    job_role = await people.create_job_role(name="SEND caseworker", description="", actor=SETUP)
    form = await client.get("/admin/staff/new")
    assert form.status_code == 200

    response = await post_form(
        client,
        "/admin/staff/new",
        {
            "full_name": "Priya Shah",
            "email": "Priya.Shah@Testshire.example",
            "employee_number": "E1001",
            "organisation": str(council),
            "team": str(team),
            "job_role": str(job_role),
            "line_manager_email": ADMIN_EMAIL,
            "start_date-day": "2",
            "start_date-month": "9",
            "start_date-year": "2024",
        },
    )

    staff_id = await people.staff_id_by_email("priya.shah@testshire.example")
    assert staff_id is not None
    assert response.headers["location"] == f"/admin/staff/{staff_id}"
    page = await follow(client, response)
    assert banners(page.text) == ["Priya Shah added"]
    for shown in (
        "priya.shah@testshire.example",
        "E1001",
        "Annual Reviews Team",
        "SEND caseworker",
        "2 September 2024",
    ):
        assert shown in page.text
    person = await people.get_staff(staff_id)
    assert person is not None
    assert person["line_manager"] == admin
    assert person["start_date"] == date(2024, 9, 2)


async def test_a_person_without_a_name_is_sent_back_with_everything_else_kept(client, admin):
    council = await council_id()

    response = await post_form(
        client,
        "/admin/staff/new",
        {
            "full_name": "",
            "email": "sam.jones@testshire.example",
            "employee_number": "E2002",
            "organisation": str(council),
            "start_date-day": "1",
            "start_date-month": "4",
            "start_date-year": "2025",
        },
    )

    assert_form_problem(response, "full_name", "Enter the person&#39;s full name")
    assert 'value="sam.jones@testshire.example"' in response.text
    assert 'value="E2002"' in response.text
    assert f'<option value="{council}" selected>' in response.text
    assert 'name="start_date-year" type="text" value="2025"' in response.text
    assert await Staff.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"email": "sam.jones"},
            "email",
            "Enter an email address in the correct format, like name@example.org",
        ),
        ({"organisation": ""}, "organisation", "Select the person&#39;s organisation"),
        (
            {"start_date-day": "31", "start_date-month": "2"},
            "start_date-day",
            "Start date must be a real date",
        ),
        ({"start_date-year": ""}, "start_date-day", "Start date must include a day, month and year"),
        (
            {"line_manager_email": "nobody@testshire.example"},
            "line_manager_email",
            "Enter the email address of someone already in Assure",
        ),
        ({"email": ADMIN_EMAIL.upper()}, "email", "Someone with this email address already exists"),
    ],
)
async def test_a_person_with_a_wrong_detail_is_sent_back_naming_the_field(
    client, admin, change, field, message
):
    council = await council_id()
    typed = {
        "full_name": "Sam Jones",
        "email": "sam.jones@testshire.example",
        "organisation": str(council),
        "start_date-day": "1",
        "start_date-month": "4",
        "start_date-year": "2025",
    }

    response = await post_form(client, "/admin/staff/new", {**typed, **change})

    assert_form_problem(response, field, message)
    assert 'value="Sam Jones"' in response.text
    assert await Staff.count() == 1


async def test_a_team_from_another_organisation_is_refused_and_stays_selected(client, admin):
    health = await add_organisation("Testshire Health")
    physio = await people.create_team(name="Physiotherapy", organisation_id=health, actor=SETUP)

    response = await post_form(
        client,
        "/admin/staff/new",
        {
            "full_name": "Sam Jones",
            "email": "sam.jones@testshire.example",
            "organisation": str(await council_id()),
            "team": str(physio),
        },
    )

    assert_form_problem(response, "team", "Select a team in the person&#39;s organisation")
    assert f'<option value="{physio}" selected>' in response.text


async def test_admin_changes_a_persons_details_from_a_form_filled_in_for_them(client, admin):
    council = await council_id()
    manager = await add_person(council, "Mona Manager")
    staff_id = await add_person(council, "Sam Jons", line_manager_id=manager, start_date=date(2023, 1, 16))

    form = await client.get(f"/admin/staff/{staff_id}/edit")
    assert 'value="Sam Jons"' in form.text
    assert 'value="mona.manager@testshire.example"' in form.text
    assert 'name="start_date-day" type="text" value="16"' in form.text
    response = await post_form(
        client,
        f"/admin/staff/{staff_id}/edit",
        {
            "full_name": "Sam Jones",
            "email": "sam.jones@testshire.example",
            "organisation": str(council),
            "line_manager_email": "",
            "start_date-day": "16",
            "start_date-month": "1",
            "start_date-year": "2023",
        },
    )

    page = await follow(client, response)
    assert banners(page.text) == ["Sam Jones updated"]
    person = await people.get_staff(staff_id)
    assert person is not None
    assert (person["full_name"], person["line_manager"]) == ("Sam Jones", None)


async def test_a_person_cannot_be_made_their_own_line_manager_through_the_form(client, admin):
    council = await council_id()
    staff_id = await add_person(council, "Sam Jones")

    response = await post_form(
        client,
        f"/admin/staff/{staff_id}/edit",
        {
            "full_name": "Sam Jones",
            "email": "sam.jones@testshire.example",
            "organisation": str(council),
            "line_manager_email": "sam.jones@testshire.example",
        },
    )

    assert_form_problem(response, "line_manager_email", "A person cannot be their own line manager")
    assert 'value="sam.jones@testshire.example"' in response.text
    person = await people.get_staff(staff_id)
    assert person is not None
    assert person["line_manager"] is None


# --- finding people --------------------------------------------------------------------------


@pytest.fixture
async def workforce(admin) -> dict[str, int]:
    """Beside the admin: a health trust, two teams, two job roles and four people, one of whom has left."""
    council = await council_id()
    health = await add_organisation("Testshire Health")
    casework = await people.create_team(name="Casework North", organisation_id=council, actor=SETUP)
    therapy = await people.create_team(
        name="Speech and Language Therapy", organisation_id=health, actor=SETUP
    )
    caseworker = await people.create_job_role(name="SEND caseworker", description="", actor=SETUP)
    therapist = await people.create_job_role(name="Health practitioner", description="", actor=SETUP)
    ids = {"council": council, "health": health, "casework": casework, "therapy": therapy}
    ids["caseworker"], ids["therapist"] = caseworker, therapist
    ids["aisha"] = await add_person(
        council, "Aisha Ahmed", team_id=casework, job_role_id=caseworker, employee_number="E100"
    )
    ids["ben"] = await add_person(
        council, "Ben Brown", team_id=casework, job_role_id=caseworker, employee_number="E101"
    )
    ids["deepa"] = await add_person(
        health, "Deepa Davies", team_id=therapy, job_role_id=therapist, employee_number="H200"
    )
    ids["fatima"] = await add_person(council, "Fatima Fletcher", team_id=casework, job_role_id=caseworker)
    await people.mark_left(staff_id=ids["fatima"], left_on=date(2026, 1, 9), actor=SETUP)
    return ids


def listed(html: str) -> list[str]:
    """The people in the staff table, in order."""
    return re.findall(r'<a class="govuk-link" href="/admin/staff/\d+">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Admin", "Aisha Ahmed", "Ben Brown", "Deepa Davies"]),
        ("q=brown", ["Ben Brown"]),
        ("q=deepa.davies%40testshire", ["Deepa Davies"]),
        ("q=E10", ["Aisha Ahmed", "Ben Brown"]),
        ("status=left", ["Fatima Fletcher"]),
        ("status=all", ["Admin", "Aisha Ahmed", "Ben Brown", "Deepa Davies", "Fatima Fletcher"]),
        ("status=nonsense", ["Admin", "Aisha Ahmed", "Ben Brown", "Deepa Davies"]),
    ],
)
async def test_admin_searches_the_staff_list(client, workforce, query, expected):
    page = await client.get(f"/admin/staff?{query}")

    assert page.status_code == 200
    assert listed(page.text) == expected


async def test_admin_filters_the_staff_list_by_organisation_team_and_job_role(client, workforce):
    by_organisation = await client.get(f"/admin/staff?organisation={workforce['health']}")
    by_team = await client.get(f"/admin/staff?team={workforce['casework']}&status=all")
    by_job_role = await client.get(f"/admin/staff?job_role={workforce['caseworker']}")

    assert listed(by_organisation.text) == ["Deepa Davies"]
    assert f'<option value="{workforce["health"]}" selected>' in by_organisation.text
    assert listed(by_team.text) == ["Aisha Ahmed", "Ben Brown", "Fatima Fletcher"]
    assert "Left on 9 January 2026" in by_team.text
    assert listed(by_job_role.text) == ["Aisha Ahmed", "Ben Brown"]


def team_options(html: str) -> list[str]:
    select = re.search(r'<select class="govuk-select" id="team".*?</select>', html, re.S)
    assert select, "no team filter"
    return [unescape(o) for o in re.findall(r"<option[^>]*>([^<]+)</option>", select.group(0))]


async def test_the_team_filter_lists_the_chosen_organisations_teams(client, workforce):
    # A large council has thousands of teams: they are listed once an organisation is chosen.
    everyone = await client.get("/admin/staff")
    assert team_options(everyone.text) == ["All teams"]
    assert "Choose an organisation and filter to list its teams" in everyone.text

    health = await client.get(f"/admin/staff?organisation={workforce['health']}")
    assert team_options(health.text) == ["All teams", "Testshire Health \u2013 Speech and Language Therapy"]
    assert "Choose an organisation and filter" not in health.text

    # A team asked for without its organisation (a link from the organisation's page) is shown chosen.
    by_team = await client.get(f"/admin/staff?team={workforce['casework']}")
    assert f'<option value="{workforce["casework"]}" selected>' in by_team.text
    assert len(team_options(by_team.text)) == 2


async def test_the_filter_form_submitted_as_it_stands_lists_everyone_active(client, workforce):
    # A browser sends every field of the filter form, including the empty "All ..." choices.
    page = await client.get("/admin/staff?q=&organisation=&team=&job_role=&status=active")

    assert page.status_code == 200
    assert listed(page.text) == ["Admin", "Aisha Ahmed", "Ben Brown", "Deepa Davies"]


async def test_a_search_that_finds_nobody_says_so(client, workforce):
    page = await client.get("/admin/staff?q=zebedee")

    assert page.status_code == 200
    assert "No people match these filters." in page.text
    assert "govuk-table" not in page.text
    assert 'value="zebedee"' in page.text


async def test_a_long_staff_list_is_paged_with_links_that_keep_the_filters(client, admin):
    council = await council_id()
    for number in range(30):
        await add_person(council, f"Caseworker {number:02d}")

    first = await client.get("/admin/staff?q=caseworker")
    second = await client.get("/admin/staff?q=caseworker&page=2")

    assert "30 people, page 1 of 2" in first.text
    assert listed(first.text) == [f"Caseworker {n:02d}" for n in range(25)]
    assert 'href="/admin/staff?q=caseworker&amp;status=active&amp;page=2"' in first.text
    assert 'rel="next"' in first.text
    assert "30 people, page 2 of 2" in second.text
    assert listed(second.text) == [f"Caseworker {n:02d}" for n in range(25, 30)]
    assert 'href="/admin/staff?q=caseworker&amp;status=active&amp;page=1"' in second.text
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


async def test_a_short_staff_list_has_no_page_links(client, workforce):
    page = await client.get("/admin/staff")

    assert "4 people" in page.text
    assert "govuk-pagination" not in page.text


# --- leaving and returning -------------------------------------------------------------------


async def test_admin_marks_a_person_as_left_and_they_can_no_longer_sign_in(client, admin, another_browser):
    staff_id = await add_person(await council_id(), "Larry Leaver")
    await accounts.set_password(staff_id=staff_id, password=PASSWORD, actor=SETUP)
    form = await client.get(f"/admin/staff/{staff_id}/leave")
    assert form.status_code == 200

    response = await post_form(
        client,
        f"/admin/staff/{staff_id}/leave",
        {"left_on-day": "31", "left_on-month": "3", "left_on-year": "2026"},
    )

    page = await follow(client, response)
    assert banners(page.text) == [
        "Larry Leaver marked as left. Their records are kept and they can no longer sign in."
    ]
    assert "Left on 31 March 2026" in page.text
    assert "Reinstate" in page.text
    assert "Larry Leaver" not in listed((await client.get("/admin/staff")).text)
    assert "Larry Leaver" in listed((await client.get("/admin/staff?status=left")).text)
    refused = await sign_in(another_browser, "larry.leaver@testshire.example")
    assert refused.status_code != 303


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"left_on-day": "", "left_on-month": "", "left_on-year": ""}, "Enter the date they left"),
        (
            {"left_on-day": "30", "left_on-month": "2", "left_on-year": "2026"},
            "Date they left must be a real date",
        ),
        (
            {"left_on-day": "3", "left_on-month": "", "left_on-year": "2026"},
            "Date they left must include a day, month and year",
        ),
    ],
)
async def test_marking_as_left_needs_a_real_date(client, admin, parts, message):
    staff_id = await add_person(await council_id(), "Larry Leaver")

    response = await post_form(client, f"/admin/staff/{staff_id}/leave", parts)

    assert_form_problem(response, "left_on-day", message)
    assert f'name="left_on-year" type="text" value="{parts["left_on-year"]}"' in response.text
    person = await people.get_staff(staff_id)
    assert person is not None
    assert person["left_on"] is None


async def test_admin_reinstates_someone_who_returns(client, admin):
    staff_id = await add_person(await council_id(), "Rita Returner")
    await people.mark_left(staff_id=staff_id, left_on=date(2026, 1, 31), actor=SETUP)

    response = await post_form(
        client, f"/admin/staff/{staff_id}/reinstate", {}, form_page=f"/admin/staff/{staff_id}"
    )

    page = await follow(client, response)
    assert banners(page.text) == ["Rita Returner reinstated"]
    assert "Left on" not in page.text
    assert "Mark as left" in page.text
    assert "Rita Returner" in listed((await client.get("/admin/staff")).text)


async def test_reinstating_someone_who_has_not_left_explains_why_nothing_happened(client, admin):
    staff_id = await add_person(await council_id(), "Ann Active")

    response = await post_form(
        client, f"/admin/staff/{staff_id}/reinstate", {}, form_page=f"/admin/staff/{staff_id}"
    )

    page = await follow(client, response)
    assert banners(page.text) == ["This person is not marked as left"]
    assert re.search(
        r'govuk-notification-banner__title" id="govuk-notification-banner-title">\s*Important', page.text
    )


# --- sign-in and roles -----------------------------------------------------------------------


async def test_admin_grants_roles_and_sets_a_password_so_a_person_can_sign_in(client, admin, another_browser):
    staff_id = await add_person(await council_id(), "Tessa Trainer")
    form = await client.get(f"/admin/staff/{staff_id}/access")
    assert "Set a password so they can sign in" in form.text

    response = await post_form(
        client,
        f"/admin/staff/{staff_id}/access",
        {"roles": ["trainer", "professional"], "password": PASSWORD},
    )

    page = await follow(client, response)
    assert banners(page.text) == ["Sign-in and roles saved for Tessa Trainer"]
    assert "Professional, Trainer" in page.text
    assert await accounts.roles_of(staff_id) == {Role.TRAINER, Role.PROFESSIONAL}
    signed_in = await sign_in(another_browser, "tessa.trainer@testshire.example")
    assert signed_in.status_code == 303
    assert (await another_browser.get("/api/staff")).status_code == 200


async def test_a_weak_password_is_refused_and_nothing_is_saved(client, admin):
    staff_id = await add_person(await council_id(), "Tessa Trainer")

    short = await post_form(
        client, f"/admin/staff/{staff_id}/access", {"roles": "trainer", "password": "tessa"}
    )
    guessable = await post_form(
        client, f"/admin/staff/{staff_id}/access", {"roles": "trainer", "password": "password1234"}
    )

    assert_form_problem(short, "password", "Password must be 12 characters or more")
    assert error_summary_links(guessable.text)["#password"].startswith(
        "Choose a password that is harder to guess"
    )
    assert 'value="trainer" checked' in guessable.text
    assert not await people.has_account(staff_id)
    assert await accounts.roles_of(staff_id) == set()


async def test_an_admin_cannot_remove_their_own_admin_role(client, admin):
    response = await post_form(client, f"/admin/staff/{admin}/access", {"roles": ["trainer"]})

    assert_form_problem(response, "roles", "You cannot remove your own admin role")
    assert await accounts.roles_of(admin) == {Role.ADMIN}
    assert (await client.get("/admin/staff")).status_code == 200


async def test_an_admin_may_add_roles_to_themselves(client, admin):
    response = await post_form(client, f"/admin/staff/{admin}/access", {"roles": ["admin", "leader"]})

    assert response.status_code == 303
    assert await accounts.roles_of(admin) == {Role.ADMIN, Role.LEADER}


# --- missing pages and other people ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/staff/99999",
        "/admin/staff/99999/edit",
        "/admin/staff/99999/leave",
        "/admin/staff/99999/access",
        "/admin/organisations/99999",
        "/admin/organisations/99999/edit",
        "/admin/organisations/99999/teams/new",
        "/admin/teams/99999/edit",
        "/admin/job-roles/99999/edit",
    ],
)
async def test_an_unknown_id_shows_the_page_not_found_page(client, admin, path):
    response = await client.get(path)

    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.text


async def test_posting_to_an_unknown_person_changes_nothing_and_says_not_found(client, admin):
    response = await post_form(
        client,
        "/admin/staff/99999/leave",
        {"left_on-day": "1", "left_on-month": "1", "left_on-year": "2026"},
        form_page="/admin/staff",
    )

    assert response.status_code == 404


async def test_a_professional_cannot_open_the_admin_pages(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)

    response = await client.get("/admin/staff")

    assert response.status_code == 403


async def test_someone_not_signed_in_is_sent_to_sign_in_first(client):
    response = await client.get("/admin/staff?q=smith")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fadmin%2Fstaff%3Fq%3Dsmith"
