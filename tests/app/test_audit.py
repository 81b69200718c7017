"""The audit trail: sign-ins and every change an admin makes, with who, from where, and before/after."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from app.accounts.passwords import verify_password
from app.enums import AuditAction, Role
from app.tables import Account, AuditEntry
from tests.conftest import PASSWORD, make_person, post_form, sign_in

ADMIN = "admin@testshire.example"
JANE = "jane.okoro@testshire.example"
NEW_PASSWORD = "Marmalade orbit tundra fiddle"


async def entries(**where: Any) -> list[dict[str, Any]]:
    """Audit entries matching column values, oldest first, with before/after as dicts."""
    query = AuditEntry.select().order_by(AuditEntry.id).output(load_json=True)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return await query


async def only_entry(**where: Any) -> dict[str, Any]:
    found = await entries(**where)
    assert len(found) == 1, found
    return found[0]


def created_id(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rstrip("/").split("/")[-1])


@pytest.fixture
async def admin(client, signed_in_as) -> int:
    """The signed-in admin's staff id; their sign-in is the first audit entry."""
    return await signed_in_as(Role.ADMIN, email=ADMIN)


async def add_organisation(client, name: str = "Northmoor Academy", kind: str = "education") -> int:
    return created_id(await post_form(client, "/admin/organisations/new", {"name": name, "kind": kind}))


# --- signing in --------------------------------------------------------------------------------


async def test_sign_in_is_audited_with_the_person_and_their_address(client):
    staff_id = await make_person(JANE, Role.PROFESSIONAL)

    await sign_in(client, JANE)

    entry = await only_entry(action=AuditAction.SIGN_IN)
    assert entry["actor"] == staff_id
    assert entry["actor_label"] == JANE
    assert entry["client_ip"] == "127.0.0.1"
    assert entry["entity"] == "session"


async def test_address_recorded_is_the_one_the_request_came_from(app):
    await make_person(JANE, Role.PROFESSIONAL)
    transport = httpx.ASGITransport(app=app, client=("10.20.30.40", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await sign_in(client, JANE)

    assert (await only_entry(action=AuditAction.SIGN_IN))["client_ip"] == "10.20.30.40"


async def test_failed_sign_in_is_audited_with_the_email_tried_but_never_the_password(client):
    await make_person(JANE, Role.PROFESSIONAL)

    await sign_in(client, JANE, "Wrong guess for Jane 1")
    await sign_in(client, "nobody@testshire.example", "Wrong guess for nobody 2")

    failures = await entries(action=AuditAction.SIGN_IN_FAILED)
    assert [f["actor_label"] for f in failures] == [JANE, "nobody@testshire.example"]
    for failure in failures:
        assert failure["actor"] is None  # nobody was signed in
        assert failure["client_ip"] == "127.0.0.1"
        assert failure["summary"] == "Enter a correct email address and password"
        assert "Wrong guess" not in repr(failure)
    assert await entries(action=AuditAction.SIGN_IN) == []


async def test_sign_in_with_no_email_is_audited_as_such(client):
    await sign_in(client, "", "Some password 123")

    entry = await only_entry(action=AuditAction.SIGN_IN_FAILED)
    assert entry["actor_label"] == "(no email given)"
    assert entry["summary"] == "Enter your email address"


async def test_failed_sign_in_with_an_absurdly_long_email_is_refused_and_audited(client):
    # The audit label column holds 254 characters; PostgreSQL refuses longer text rather than cut it.
    email = "a" * 300 + "@testshire.example"

    response = await sign_in(client, email, "Some password 123")

    assert response.status_code == 400
    entry = await only_entry(action=AuditAction.SIGN_IN_FAILED)
    assert entry["actor_label"] == email[:254]


async def test_locked_out_attempts_are_audited_too(client):
    await make_person(JANE, Role.PROFESSIONAL)
    for n in range(5):
        await sign_in(client, JANE, f"Wrong guess number {n}")

    await sign_in(client, JANE)

    last = (await entries(action=AuditAction.SIGN_IN_FAILED))[-1]
    assert last["summary"].startswith("Too many failed attempts to sign in")
    assert await entries(action=AuditAction.SIGN_IN) == []


async def test_sign_out_is_audited(client, admin):
    await post_form(client, "/sign-out", {}, form_page="/")

    entry = await only_entry(action=AuditAction.SIGN_OUT)
    assert entry["actor"] == admin
    assert entry["actor_label"] == ADMIN
    assert entry["client_ip"] == "127.0.0.1"


# --- changes through the admin pages -----------------------------------------------------------


async def test_adding_an_organisation_is_audited_with_its_values(client, admin):
    organisation_id = await add_organisation(client)

    entry = await only_entry(entity="organisation", entity_id=str(organisation_id))
    assert entry["action"] == AuditAction.CREATE
    assert entry["actor"] == admin
    assert entry["actor_label"] == ADMIN
    assert entry["client_ip"] == "127.0.0.1"
    assert entry["before"] is None
    assert entry["after"] == {"name": "Northmoor Academy", "kind": "education"}


async def test_changing_an_organisation_records_only_the_changed_fields(client, admin):
    organisation_id = await add_organisation(client)

    response = await post_form(
        client,
        f"/admin/organisations/{organisation_id}/edit",
        {"name": "Northmoor Academy Trust", "kind": "education", "active": "yes"},
    )

    assert response.status_code == 303
    entry = await only_entry(entity="organisation", action=AuditAction.UPDATE)
    assert entry["entity_id"] == str(organisation_id)
    assert entry["before"] == {"name": "Northmoor Academy"}
    assert entry["after"] == {"name": "Northmoor Academy Trust"}
    assert entry["actor"] == admin


async def test_saving_an_organisation_unchanged_adds_no_entry(client, admin):
    organisation_id = await add_organisation(client)

    await post_form(
        client,
        f"/admin/organisations/{organisation_id}/edit",
        {"name": "Northmoor Academy", "kind": "education", "active": "yes"},
    )

    assert await entries(entity="organisation", action=AuditAction.UPDATE) == []


async def test_refused_change_adds_no_entry(client, admin):
    await add_organisation(client, "Northmoor Academy")
    before = len(await entries())

    response = await post_form(
        client, "/admin/organisations/new", {"name": "northmoor academy", "kind": "health"}
    )

    assert response.status_code == 400
    assert len(await entries()) == before


async def test_adding_and_changing_a_team_is_audited(client, admin):
    organisation_id = await add_organisation(client)

    response = await post_form(
        client, f"/admin/organisations/{organisation_id}/teams/new", {"name": "Inclusion"}
    )
    assert response.status_code == 303
    created = await only_entry(entity="team", action=AuditAction.CREATE)
    assert created["after"] == {"name": "Inclusion", "organisation": organisation_id}
    assert created["actor"] == admin
    team_id = int(created["entity_id"])

    response = await post_form(client, f"/admin/teams/{team_id}/edit", {"name": "Inclusion"})  # untick active
    assert response.status_code == 303

    changed = await only_entry(entity="team", action=AuditAction.UPDATE)
    assert changed["entity_id"] == str(team_id)
    assert changed["before"] == {"active": True}
    assert changed["after"] == {"active": False}


async def test_adding_and_changing_a_job_role_is_audited(client, admin):
    response = await post_form(client, "/admin/job-roles/new", {"name": "SENCO", "description": ""})
    assert response.status_code == 303
    created = await only_entry(entity="job_role", action=AuditAction.CREATE)
    assert created["after"] == {"name": "SENCO", "description": ""}
    job_role_id = int(created["entity_id"])

    response = await post_form(
        client,
        f"/admin/job-roles/{job_role_id}/edit",
        {"name": "SENCO", "description": "Special educational needs co-ordinator", "active": "yes"},
    )
    assert response.status_code == 303

    changed = await only_entry(entity="job_role", action=AuditAction.UPDATE)
    assert changed["before"] == {"description": ""}
    assert changed["after"] == {"description": "Special educational needs co-ordinator"}
    assert changed["actor_label"] == ADMIN


def person_form(organisation_id: int, **changes: str) -> dict[str, str]:
    form = {
        "full_name": "Jane Okoro",
        "email": JANE,
        "employee_number": "E1001",
        "organisation": str(organisation_id),
        "team": "",
        "job_role": "",
        "line_manager_email": "",
        "start_date-day": "1",
        "start_date-month": "9",
        "start_date-year": "2025",
    }
    return {**form, **changes}


async def test_adding_and_changing_a_person_is_audited(client, admin):
    organisation_id = await add_organisation(client)
    staff_id = created_id(await post_form(client, "/admin/staff/new", person_form(organisation_id)))

    created = await only_entry(entity="staff", action=AuditAction.CREATE, actor=admin)
    assert created["entity_id"] == str(staff_id)
    assert created["actor"] == admin
    assert created["after"]["email"] == JANE
    assert created["after"]["full_name"] == "Jane Okoro"
    assert created["after"]["employee_number"] == "E1001"
    assert created["after"]["organisation"] == organisation_id
    assert created["after"]["start_date"] == "2025-09-01"

    response = await post_form(
        client,
        f"/admin/staff/{staff_id}/edit",
        person_form(organisation_id, full_name="Jane Okoro-Smith", **{"start_date-month": "10"}),
        form_page=f"/admin/staff/{staff_id}/edit",
    )
    assert response.status_code == 303

    changed = await only_entry(entity="staff", action=AuditAction.UPDATE)
    assert changed["before"] == {"full_name": "Jane Okoro", "start_date": "2025-09-01"}
    assert changed["after"] == {"full_name": "Jane Okoro-Smith", "start_date": "2025-10-01"}


async def test_marking_a_person_as_left_is_audited(client, admin):
    staff_id = await make_person(JANE, Role.PROFESSIONAL)

    response = await post_form(
        client,
        f"/admin/staff/{staff_id}/leave",
        {"left_on-day": "31", "left_on-month": "3", "left_on-year": "2026"},
    )

    assert response.status_code == 303
    entry = (await entries(entity="staff", entity_id=str(staff_id), action=AuditAction.UPDATE))[-1]
    assert entry["before"] == {"left_on": None}
    assert entry["after"] == {"left_on": "2026-03-31"}
    assert entry["actor"] == admin


async def test_changing_roles_is_audited_with_the_roles_before_and_after(client, admin):
    staff_id = await make_person(JANE, Role.PROFESSIONAL)

    response = await post_form(
        client, f"/admin/staff/{staff_id}/access", {"roles": ["professional", "trainer"], "password": ""}
    )

    assert response.status_code == 303
    entry = (await entries(entity="roles", entity_id=str(staff_id)))[-1]
    assert entry["action"] == AuditAction.UPDATE
    assert entry["actor"] == admin
    assert entry["before"] == {"roles": ["professional"]}
    assert entry["after"] == {"roles": ["professional", "trainer"]}
    assert await entries(entity="account", actor=admin) == []  # no password was set


async def test_setting_a_password_is_audited_without_the_password_or_its_hash(client, admin):
    staff_id = await make_person(JANE, Role.PROFESSIONAL)

    response = await post_form(
        client, f"/admin/staff/{staff_id}/access", {"roles": ["professional"], "password": NEW_PASSWORD}
    )

    assert response.status_code == 303
    entry = await only_entry(entity="account", actor=admin)
    assert entry["action"] == AuditAction.UPDATE
    assert entry["entity_id"] == str(staff_id)
    assert entry["client_ip"] == "127.0.0.1"
    assert entry["summary"] == f"Password changed for {JANE}"
    account = await Account.select(Account.password_hash).where(Account.staff == staff_id).first()
    assert account is not None and verify_password(account["password_hash"], NEW_PASSWORD)
    assert NEW_PASSWORD not in repr(entry)
    assert account["password_hash"] not in repr(entry)
    assert "$argon2" not in repr(entry)


# --- the audit log pages -----------------------------------------------------------------------


def rows(page: str) -> list[str]:
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', page, re.S)
    return re.findall(r"<tr .*?</tr>", body.group(1), re.S) if body else []


async def some_history(client) -> int:
    """An organisation added and renamed, a job role added; returns the organisation's id."""
    organisation_id = await add_organisation(client)
    await post_form(
        client,
        f"/admin/organisations/{organisation_id}/edit",
        {"name": "Northmoor Academy Trust", "kind": "education", "active": "yes"},
    )
    await post_form(client, "/admin/job-roles/new", {"name": "SENCO", "description": ""})
    return organisation_id


async def test_audit_log_lists_everything_newest_first(client, admin):
    await some_history(client)

    page = await client.get("/admin/audit")

    assert page.status_code == 200
    listed = rows(page.text)
    summaries = [
        "Job role SENCO created",
        "Organisation Northmoor Academy Trust updated",
        "Organisation Northmoor Academy created",
        "Signed in",
    ]
    assert len(listed) >= len(summaries)
    for row, summary in zip(listed, summaries, strict=False):
        assert summary in html.unescape(row)
    assert all(ADMIN in row for row in listed[:4])
    assert "127.0.0.1" in listed[0]


async def test_audit_log_filters_by_record_type(client, admin):
    await some_history(client)

    page = await client.get("/admin/audit", params={"entity": "organisation"})

    listed = [html.unescape(r) for r in rows(page.text)]
    organisation_entries = await entries(entity="organisation")
    assert len(listed) == len(organisation_entries) >= 2
    assert all("Organisation " in row for row in listed)
    assert "Organisation Northmoor Academy Trust updated" in listed[0]
    assert "Organisation Northmoor Academy created" in listed[1]
    assert not any("SENCO" in row or "Signed in" in row for row in listed)
    assert f"{len(listed)} entries" in page.text


async def test_audit_log_filters_by_action(client, admin):
    await some_history(client)

    updates = [
        html.unescape(r) for r in rows((await client.get("/admin/audit", params={"action": "update"})).text)
    ]
    sign_ins = rows((await client.get("/admin/audit", params={"action": "sign_in"})).text)

    assert len(updates) == len(await entries(action=AuditAction.UPDATE))
    assert all(">Update<" in row for row in updates)
    assert "Organisation Northmoor Academy Trust updated" in updates[0]
    assert not any("created" in row for row in updates)
    assert len(sign_ins) == 1
    assert "Signed in" in sign_ins[0]


async def test_audit_log_filters_by_record_and_action_together_and_by_who(client, admin):
    await some_history(client)
    await sign_in(client, "nobody@testshire.example", "Some password 123")

    created_organisations = rows(
        (await client.get("/admin/audit", params={"entity": "organisation", "action": "create"})).text
    )
    by_nobody = rows((await client.get("/admin/audit", params={"actor": "NOBODY@"})).text)

    # The council's own service was added when the admin's account was made, so there are two.
    assert len(created_organisations) == 2
    assert "Organisation Northmoor Academy created" in html.unescape(created_organisations[0])
    assert "Organisation Local authority SEND service created" in html.unescape(created_organisations[1])
    assert len(by_nobody) == 1
    assert "Enter a correct email address and password" in by_nobody[0]


async def test_audit_log_shows_one_records_history(client, admin):
    organisation_id = await some_history(client)

    page = await client.get(
        "/admin/audit", params={"entity": "organisation", "entity_id": str(organisation_id)}
    )

    assert len(rows(page.text)) == 2


async def test_unknown_action_filter_is_ignored_rather_than_an_error(client, admin):
    await some_history(client)

    page = await client.get("/admin/audit", params={"action": "drop_tables"})

    assert page.status_code == 200
    assert len(rows(page.text)) == len(await entries()) > 0


async def test_audit_entry_page_shows_the_values_before_and_after(client, admin):
    await some_history(client)
    entry = await only_entry(entity="organisation", action=AuditAction.UPDATE)

    page = await client.get(f"/admin/audit/{entry['id']}")

    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Organisation Northmoor Academy Trust updated" in text
    assert ADMIN in text
    assert "127.0.0.1" in text
    table_row = re.search(r'<th scope="row" class="govuk-table__header">Name</th>(.*?)</tr>', text, re.S)
    assert table_row, "no Name row in the before/after table"
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', table_row.group(1), re.S)
    assert [c.strip() for c in cells] == ["Northmoor Academy", "Northmoor Academy Trust"]


async def test_audit_entry_for_a_new_record_shows_no_before_value(client, admin):
    organisation_id = await add_organisation(client)
    entry = await only_entry(entity="organisation", entity_id=str(organisation_id))

    text = html.unescape((await client.get(f"/admin/audit/{entry['id']}")).text)

    table_row = re.search(r'<th scope="row" class="govuk-table__header">Kind</th>(.*?)</tr>', text, re.S)
    assert table_row
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', table_row.group(1), re.S)
    assert [c.strip() for c in cells] == ["—", "education"]


async def test_missing_audit_entry_is_not_found(client, admin):
    assert (await client.get("/admin/audit/999999")).status_code == 404


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.TRAINER, Role.LEADER])
async def test_only_admins_can_see_the_audit_log(client, signed_in_as, role):
    await signed_in_as(role)
    entry = await only_entry(action=AuditAction.SIGN_IN)

    listing = await client.get("/admin/audit")
    detail = await client.get(f"/admin/audit/{entry['id']}")

    assert listing.status_code == 403
    assert detail.status_code == 403
    assert "Signed in" not in listing.text
    assert "Audit log" not in (await client.get("/")).text  # not offered in the navigation


async def test_audit_log_needs_sign_in(client):
    response = await client.get("/admin/audit")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


async def test_password_is_not_shown_anywhere_in_the_audit_log(client, admin):
    staff_id = await make_person(JANE, Role.PROFESSIONAL)
    await post_form(
        client, f"/admin/staff/{staff_id}/access", {"roles": ["professional"], "password": NEW_PASSWORD}
    )
    await sign_in(client, JANE, PASSWORD)  # her old password no longer works: a failed sign-in
    await sign_in(client, ADMIN)

    pages = [(await client.get("/admin/audit")).text]
    for entry in await entries():
        pages.append((await client.get(f"/admin/audit/{entry['id']}")).text)

    for page in pages:
        assert NEW_PASSWORD not in page
        assert PASSWORD not in page
        assert "$argon2" not in page
