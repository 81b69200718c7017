"""The JSON API that the council's BI and HR systems read: people, organisations and teams."""

from __future__ import annotations

from datetime import date

import pytest

from app.audit import Actor
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails

SETUP = Actor(staff_id=None, label="test set-up")
PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    """An RFC 9457 problem details answer with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


async def add_person(organisation_id: int, full_name: str, **details: object) -> int:
    email = full_name.lower().replace(" ", ".") + "@testshire.example"
    return await people.create_staff(
        details=StaffDetails(email=email, full_name=full_name, organisation_id=organisation_id, **details),  # type: ignore[arg-type]
        actor=SETUP,
    )


@pytest.fixture
async def workforce() -> dict[str, int]:
    """Two organisations, three teams, two job roles and five people, one of whom has left."""
    council = await people.create_organisation(
        name="Testshire Council", kind=OrganisationKind.LA_SEND, actor=SETUP
    )
    health = await people.create_organisation(
        name="Testshire Health", kind=OrganisationKind.HEALTH, actor=SETUP
    )
    north = await people.create_team(name="Casework North", organisation_id=council, actor=SETUP)
    south = await people.create_team(name="Casework South", organisation_id=council, actor=SETUP)
    therapy = await people.create_team(
        name="Speech and Language Therapy", organisation_id=health, actor=SETUP
    )
    caseworker = await people.create_job_role(name="SEND caseworker", description="", actor=SETUP)
    therapist = await people.create_job_role(name="Health practitioner", description="", actor=SETUP)
    ids = {
        "council": council,
        "health": health,
        "north": north,
        "south": south,
        "therapy": therapy,
        "caseworker": caseworker,
        "therapist": therapist,
    }
    ids["aisha"] = await add_person(
        council,
        "Aisha Ahmed",
        team_id=north,
        job_role_id=caseworker,
        employee_number="E100",
        start_date=date(2021, 9, 1),
    )
    ids["ben"] = await add_person(
        council, "Ben Brown", team_id=north, job_role_id=caseworker, line_manager_id=ids["aisha"]
    )
    ids["chloe"] = await add_person(council, "Chloe Clarke", team_id=south, job_role_id=caseworker)
    ids["deepa"] = await add_person(health, "Deepa Davies", team_id=therapy, job_role_id=therapist)
    ids["fatima"] = await add_person(council, "Fatima Fletcher", team_id=south, job_role_id=caseworker)
    await people.mark_left(staff_id=ids["fatima"], left_on=date(2026, 1, 9), actor=SETUP)
    return ids


@pytest.fixture
async def reader(signed_in_as, workforce) -> dict[str, int]:
    """Signed in as a trainer, one of the roles that may read the API, beside the workforce."""
    await signed_in_as(Role.TRAINER, email="trainer@testshire.example")
    return workforce


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["full_name"] for item in response.json()["items"]]


# --- who may read it -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/staff",
        "/api/staff/1",
        "/api/organisations",
        "/api/organisations/1",
        "/api/teams",
        "/api/teams/1",
    ],
)
async def test_the_api_answers_401_problem_details_without_a_session(client, path):
    response = await client.get(path)

    body = assert_problem(response, 401)
    assert body["detail"] == "Sign in to use this page"
    assert "location" not in response.headers


@pytest.mark.parametrize("path", ["/api/staff", "/api/organisations", "/api/teams"])
async def test_a_professional_may_not_read_the_api(client, signed_in_as, path):
    await signed_in_as(Role.PROFESSIONAL)

    response = await client.get(path)

    assert_problem(response, 403)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TRAINER, Role.LEADER])
async def test_admins_trainers_and_leaders_may_read_the_api(client, signed_in_as, role):
    await signed_in_as(role)

    for path in ("/api/staff", "/api/organisations", "/api/teams"):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("application/json")


async def test_the_api_is_read_only(client, reader):
    response = await client.post("/api/staff", json={"full_name": "Nobody", "email": "n@testshire.example"})

    assert response.status_code in (403, 405)
    assert response.headers["content-type"].startswith(PROBLEM)


# --- staff -----------------------------------------------------------------------------------


async def test_staff_list_gives_each_persons_details(client, reader):
    response = await client.get("/api/staff")

    body = response.json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (5, 1, 100, 1)
    assert names(response) == ["Aisha Ahmed", "Ben Brown", "Chloe Clarke", "Deepa Davies", "Trainer"]
    assert body["items"][0] == {
        "id": reader["aisha"],
        "email": "aisha.ahmed@testshire.example",
        "full_name": "Aisha Ahmed",
        "employee_number": "E100",
        "organisation_id": reader["council"],
        "organisation_name": "Testshire Council",
        "team_id": reader["north"],
        "team_name": "Casework North",
        "job_role_id": reader["caseworker"],
        "job_role_name": "SEND caseworker",
        "line_manager_id": None,
        "start_date": "2021-09-01",
        "left_on": None,
    }
    assert body["items"][1]["line_manager_id"] == reader["aisha"]


async def test_staff_list_filters_by_organisation_team_job_role_status_and_search(client, reader):
    by_organisation = await client.get("/api/staff", params={"organisation_id": reader["health"]})
    by_team = await client.get("/api/staff", params={"team_id": reader["north"]})
    by_job_role = await client.get("/api/staff", params={"job_role_id": reader["caseworker"]})
    left = await client.get("/api/staff", params={"status": "left"})
    everyone_in_south = await client.get("/api/staff", params={"status": "all", "team_id": reader["south"]})
    search = await client.get("/api/staff", params={"q": " CLARKE "})
    by_number = await client.get("/api/staff", params={"q": "e100"})

    assert names(by_organisation) == ["Deepa Davies"]
    assert names(by_team) == ["Aisha Ahmed", "Ben Brown"]
    assert names(by_job_role) == ["Aisha Ahmed", "Ben Brown", "Chloe Clarke"]
    assert names(left) == ["Fatima Fletcher"]
    assert left.json()["items"][0]["left_on"] == "2026-01-09"
    assert names(everyone_in_south) == ["Chloe Clarke", "Fatima Fletcher"]
    assert names(search) == ["Chloe Clarke"]
    assert names(by_number) == ["Aisha Ahmed"]


async def test_staff_list_is_paged(client, reader):
    first = await client.get("/api/staff", params={"per_page": 2})
    third = await client.get("/api/staff", params={"per_page": 2, "page": 3})
    beyond = await client.get("/api/staff", params={"per_page": 2, "page": 4})

    assert names(first) == ["Aisha Ahmed", "Ben Brown"]
    assert {k: first.json()[k] for k in ("total", "page", "per_page", "pages")} == {
        "total": 5,
        "page": 1,
        "per_page": 2,
        "pages": 3,
    }
    assert names(third) == ["Trainer"]
    assert third.json()["page"] == 3
    assert names(beyond) == []
    assert beyond.json()["total"] == 5


async def test_five_hundred_people_may_be_read_in_one_page(client, reader):
    response = await client.get("/api/staff", params={"per_page": 500})

    assert response.status_code == 200
    assert response.json()["per_page"] == 500


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"per_page": 501}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"status": "retired"}, "status"),
        ({"organisation_id": "council"}, "organisation_id"),
    ],
)
async def test_a_bad_query_is_a_400_problem_naming_the_parameter(client, reader, params, key):
    response = await client.get("/api/staff", params=params)

    body = assert_problem(response, 400)
    assert [error["key"] for error in body["errors"]] == [key]


async def test_one_person_is_read_by_id(client, reader):
    response = await client.get(f"/api/staff/{reader['ben']}")

    assert response.status_code == 200
    assert response.json()["full_name"] == "Ben Brown"
    assert response.json()["line_manager_id"] == reader["aisha"]


async def test_a_person_who_left_is_still_readable_by_id(client, reader):
    response = await client.get(f"/api/staff/{reader['fatima']}")

    assert response.status_code == 200
    assert response.json()["left_on"] == "2026-01-09"


async def test_an_unknown_person_is_a_404_problem(client, reader):
    response = await client.get("/api/staff/99999")

    body = assert_problem(response, 404)
    assert body["detail"] == "No person with id 99999"


# --- organisations and teams -----------------------------------------------------------------


async def test_organisations_list_with_team_and_active_staff_counts(client, reader):
    response = await client.get("/api/organisations")

    assert response.status_code == 200
    by_name = {o["name"]: o for o in response.json()}
    assert by_name["Testshire Council"] == {
        "id": reader["council"],
        "name": "Testshire Council",
        "kind": "la_send",
        "kind_label": "Local authority SEND service",
        "active": True,
        "team_count": 2,
        "active_staff_count": 4,  # three of the workforce and the trainer, who joined the council
    }
    health = by_name["Testshire Health"]
    assert (health["team_count"], health["active_staff_count"]) == (1, 1)
    assert list(by_name) == ["Testshire Council", "Testshire Health"]


async def test_organisations_can_be_narrowed_to_active_or_inactive(client, reader):
    await people.update_organisation(
        organisation_id=reader["health"], name="Testshire Health", kind="health", active=False, actor=SETUP
    )

    active = await client.get("/api/organisations", params={"active": "true"})
    inactive = await client.get("/api/organisations", params={"active": "false"})

    assert "Testshire Health" not in [o["name"] for o in active.json()]
    assert [o["name"] for o in inactive.json()] == ["Testshire Health"]


async def test_one_organisation_is_read_by_id(client, reader):
    response = await client.get(f"/api/organisations/{reader['health']}")

    assert response.status_code == 200
    assert response.json()["name"] == "Testshire Health"
    assert response.json()["kind_label"] == "Health"
    assert response.json()["active_staff_count"] == 1


async def test_an_unknown_organisation_is_a_404_problem(client, reader):
    body = assert_problem(await client.get("/api/organisations/99999"), 404)

    assert body["detail"] == "No organisation with id 99999"


async def test_teams_list_with_their_organisation_and_active_staff(client, reader):
    response = await client.get("/api/teams")

    assert response.status_code == 200
    assert [(t["organisation_name"], t["name"], t["active_staff_count"]) for t in response.json()] == [
        ("Testshire Council", "Casework North", 2),
        ("Testshire Council", "Casework South", 1),
        ("Testshire Health", "Speech and Language Therapy", 1),
    ]
    assert response.json()[0]["organisation_id"] == reader["council"]
    assert response.json()[0]["active"] is True


async def test_teams_can_be_narrowed_to_one_organisation(client, reader):
    response = await client.get("/api/teams", params={"organisation_id": reader["health"]})

    assert [t["name"] for t in response.json()] == ["Speech and Language Therapy"]


async def test_one_team_is_read_by_id_with_its_active_staff_count(client, reader):
    response = await client.get(f"/api/teams/{reader['south']}")

    assert response.status_code == 200
    assert response.json() == {
        "id": reader["south"],
        "name": "Casework South",
        "organisation_id": reader["council"],
        "organisation_name": "Testshire Council",
        "active": True,
        "active_staff_count": 1,
    }


async def test_an_unknown_team_is_a_404_problem(client, reader):
    body = assert_problem(await client.get("/api/teams/99999"), 404)

    assert body["detail"] == "No team with id 99999"


# --- the schema ------------------------------------------------------------------------------


async def test_the_openapi_schema_is_served_to_anyone_signed_in(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)

    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Assure API"
    for path in ("/api/staff", "/api/staff/{staff_id}", "/api/organisations", "/api/teams/{team_id}"):
        assert "get" in schema["paths"][path], path
    parameters = {p["name"]: p for p in schema["paths"]["/api/staff"]["get"]["parameters"]}
    assert {"q", "organisation_id", "team_id", "job_role_id", "status", "page", "per_page"} <= set(parameters)
    assert parameters["per_page"]["schema"]["maximum"] == 500
    staff = schema["components"]["schemas"]["StaffOut"]["properties"]
    assert staff["organisation_id"] == {"type": "integer"}


async def test_the_openapi_schema_needs_a_session(client):
    response = await client.get("/schema/openapi.json")

    assert_problem(response, 401)
