"""Every request that changes something needs the CSRF token, whoever is signed in.

The routes are read from the app itself, so a new POST, PUT, PATCH or DELETE route is covered the day
it is added.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from app import audit
from app.audit import CLI_ACTOR
from app.enums import AuditAction, OrganisationKind, Role
from app.main import create_app
from app.people import services as people
from app.people.services import StaffDetails
from app.tables import AuditEntry, Organisation
from tests.conftest import csrf_token, make_person

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def state_changing_routes(app: Litestar) -> list[tuple[str, HTTPRoute]]:
    found = [
        (method, route)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in sorted(route.methods & STATE_CHANGING)
    ]
    return sorted(found, key=lambda pair: (pair[1].path, pair[0]))


ROUTES = [(method, route.path) for method, route in state_changing_routes(create_app())]


async def some_records() -> dict[str, Any]:
    """One of each record a path can name, made through the services, keyed by path parameter name."""
    organisation_id = await people.create_organisation(
        name="Northmoor Academy", kind=OrganisationKind.EDUCATION, actor=CLI_ACTOR
    )
    team_id = await people.create_team(name="Inclusion", organisation_id=organisation_id, actor=CLI_ACTOR)
    job_role_id = await people.create_job_role(name="SENCO", description="", actor=CLI_ACTOR)
    staff_id = await people.create_staff(
        details=StaffDetails(
            email="sam.patel@testshire.example", full_name="Sam Patel", organisation_id=organisation_id
        ),
        actor=CLI_ACTOR,
    )
    await audit.record(actor=CLI_ACTOR, action=AuditAction.UPDATE, entity="test", summary="for an id")
    entry = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id, ascending=False).first()
    assert entry is not None
    return {
        "staff_id": staff_id,
        "organisation_id": organisation_id,
        "team_id": team_id,
        "job_role_id": job_role_id,
        "entry_id": entry["id"],
    }


# A value the router accepts for a parameter of each type: the CSRF check comes before the handler,
# so a path that matches the route is all that matters for parameters with no record above.
VALUE_FOR_TYPE: dict[type, str] = {
    int: "1",
    str: "x",
    uuid.UUID: str(uuid.uuid4()),
    Path: "x",
    datetime.date: "2026-01-01",
}


def fill(route_path: str, app: Litestar, records: dict[str, Any]) -> str:
    route = next(r for r in app.routes if r.path == route_path)
    path = route_path
    for name, definition in route.path_parameters.items():
        if name in records:
            value = str(records[name])
        elif definition.type in VALUE_FOR_TYPE:
            value = VALUE_FOR_TYPE[definition.type]
        else:
            pytest.fail(f"add a value for {{{definition.full}}} to VALUE_FOR_TYPE or some_records()")
        path = path.replace(f"{{{definition.full}}}", value)
    return path


async def audit_count() -> int:
    return await AuditEntry.count()


def test_routes_that_change_things_are_all_found():
    assert ("POST", "/sign-in") in ROUTES
    assert ("POST", "/sign-out") in ROUTES
    assert ("POST", "/admin/staff/new") in ROUTES
    assert ("POST", "/admin/staff/{staff_id:int}/access") in ROUTES
    assert ("POST", "/admin/organisations/{organisation_id:int}/teams/new") in ROUTES
    assert all(method in STATE_CHANGING for method, _ in ROUTES)


@pytest.mark.parametrize(("method", "route_path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_admin_request_without_a_valid_csrf_token_is_refused(
    app, client, signed_in_as, method, route_path
):
    await signed_in_as(*Role, email="admin@testshire.example")
    records = await some_records()
    url = fill(route_path, app, records)
    await client.get("/")
    assert "assure_csrf" in client.cookies  # the browser holds a genuine CSRF cookie
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50001)), base_url="http://testserver"
    ) as elsewhere:
        someone_elses = await csrf_token(elsewhere)
    changes_before = await audit_count()
    organisations_before = await Organisation.count()
    form = {"name": "Changed by a forged request", "kind": "health", "roles": ["admin"], "email": "x@y.z"}

    attempts = {
        "no token": await client.request(method, url, data=form),
        "forged token": await client.request(method, url, data={**form, "_csrf_token": "forged" * 10}),
        "token from another browser": await client.request(
            method, url, data={**form, "_csrf_token": someone_elses}
        ),
        "token in a header but not the cookie's": await client.request(
            method, url, data=form, headers={"x-csrf-token": someone_elses}
        ),
        "JSON body without a token": await client.request(method, url, json=form),
    }

    for name, response in attempts.items():
        assert response.status_code == 403, f"{name}: {response.status_code}"
    assert await audit_count() == changes_before
    assert await Organisation.count() == organisations_before
    # Still signed in: a refused request does not sign anyone out or change anything.
    assert (await client.get("/admin/staff")).status_code == 200


async def test_request_with_no_csrf_cookie_at_all_is_refused(app, client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    session = client.cookies["assure_session"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)), base_url="http://testserver"
    ) as cookieless:
        cookieless.cookies.set("assure_session", session)
        assert (await cookieless.get("/admin/staff")).status_code == 200
        cookieless.cookies.delete("assure_csrf")
        before = await Organisation.count()

        response = await cookieless.post("/admin/organisations/new", data={"name": "X", "kind": "health"})

    assert response.status_code == 403
    assert await Organisation.count() == before


async def test_refusal_is_shown_as_a_permission_page(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    await client.get("/")

    page = await client.post("/admin/job-roles/new", data={"name": "SENCO"})

    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "You do not have permission" in page.text
    assert "Sign out" in page.text


async def test_same_request_with_the_token_goes_through(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    token = await csrf_token(client, "/admin/organisations/new")
    before = await Organisation.count()

    in_form = await client.post(
        "/admin/organisations/new",
        data={"name": "Northmoor Academy", "kind": "education", "_csrf_token": token},
    )
    in_header = await client.post(
        "/admin/organisations/new",
        data={"name": "Riverside Health Trust", "kind": "health"},
        headers={"x-csrf-token": token},
    )

    assert in_form.status_code == 303
    assert in_header.status_code == 303
    assert await Organisation.count() == before + 2


async def test_sign_in_itself_needs_the_token(client):
    await make_person("jane.okoro@testshire.example", Role.PROFESSIONAL)
    await client.get("/sign-in")

    response = await client.post(
        "/sign-in",
        data={"email": "jane.okoro@testshire.example", "password": "Correct horse battery staple 42"},
    )

    assert response.status_code == 403
    assert "assure_session" not in client.cookies
