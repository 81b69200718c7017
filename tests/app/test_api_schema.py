"""Schemathesis against the JSON API's OpenAPI schema: generated requests, signed in and not, on real data.

The schema is the one the app serves at /schema/openapi.json. For every operation in it, schemathesis
generates requests (valid ones, and invalid ones the schema says should be refused); the test sends each
through the same ASGI client and event loop as the rest of the suite (so the same database pool, on SQLite
or PostgreSQL) and runs schemathesis's checks on every answer: never a 5xx, and the status, content type,
headers and body all as the schema declares.

Generation is plain Hypothesis, derandomised (the same requests on every run), collected before the requests
are sent: the API only reads, so no request can change what a later one sees, and nothing is shrunk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.errors import FailureGroup

from app.accounts.sessions import COOKIE_NAME
from app.audit import Actor
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from tests.conftest import Client, make_person, sign_in

SETUP = Actor(staff_id=None, label="test set-up")
EXAMPLES = 50  # per operation, generation mode and person: about 1,400 requests in all, a few seconds
PROBLEM = "application/problem+json"

# Every response check schemathesis has that applies to one stateless request. Left out: the stateful checks
# (use_after_free, ensure_resource_availability, object_level_authorization: the API has no writes to link
# requests by); ignored_auth (the unauthenticated test below asserts the 401s directly);
# missing_required_header and unsupported_method (they judge the requests of schemathesis's coverage phase,
# which this test does not run: it sends no request without a header the schema requires, nor with a method
# the schema lacks); allow_header_conformance (likewise, only on a 405 to such a method); max_response_time
# (speed is tests/benchmarks' business, not correctness).
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]


async def add_person(organisation_id: int, full_name: str, **details: object) -> int:
    email = full_name.lower().replace(" ", ".").replace("'", "") + "@testshire.example"
    return await people.create_staff(
        details=StaffDetails(email=email, full_name=full_name, organisation_id=organisation_id, **details),  # type: ignore[arg-type]
        actor=SETUP,
    )


@pytest.fixture
async def records() -> dict[str, list[int]]:
    """Organisations, teams and people made through the services, including the awkward ones: an inactive
    organisation, a person with no team, job role or manager, a person who left, names beyond ASCII."""
    council = await people.create_organisation(
        name="Testshire Council", kind=OrganisationKind.LA_SEND, actor=SETUP
    )
    health = await people.create_organisation(
        name="Testshire Health", kind=OrganisationKind.HEALTH, actor=SETUP
    )
    school = await people.create_organisation(
        name="Ysgol Gymraeg Llanfair", kind=OrganisationKind.EDUCATION, actor=SETUP
    )
    await people.update_organisation(
        organisation_id=school, name="Ysgol Gymraeg Llanfair", kind="education", active=False, actor=SETUP
    )
    north = await people.create_team(name="Casework North", organisation_id=council, actor=SETUP)
    therapy = await people.create_team(name="Speech & Language Therapy", organisation_id=health, actor=SETUP)
    empty = await people.create_team(name="Year 7 (pastoral)", organisation_id=school, actor=SETUP)
    caseworker = await people.create_job_role(name="SEND caseworker", description="", actor=SETUP)
    aisha = await add_person(
        council,
        "Aisha Ahmed",
        team_id=north,
        job_role_id=caseworker,
        employee_number="E100",
        start_date=date(2021, 9, 1),
    )
    ben = await add_person(
        council, "Ben O'Brien", team_id=north, job_role_id=caseworker, line_manager_id=aisha
    )
    siobhan = await add_person(health, "Siobhán Ní Bhriain", team_id=therapy)
    zoe = await add_person(council, "Zoë Żak")
    await people.mark_left(staff_id=zoe, left_on=date(2026, 1, 9), actor=SETUP)
    return {
        "organisation_id": [council, health, school],
        "team_id": [north, therapy, empty],
        "staff_id": [aisha, ben, siobhan, zoe],
    }


async def served_schema(client: Client, session: str) -> schemathesis.schemas.BaseSchema:
    response = await client.get("/schema/openapi.json", headers={"cookie": f"{COOKIE_NAME}={session}"})
    assert response.status_code == 200, response.text
    return schemathesis.openapi.from_dict(response.json())


def generated_cases(operation: Any, mode: GenerationMode, **fixed: Any) -> list[Any]:
    """Up to EXAMPLES requests for the operation, the same ones every run; none if the mode cannot make any
    (an operation without parameters has no invalid request)."""
    cases: list[Any] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode, **fixed))
    def collect(case: Any) -> None:
        cases.append(case)

    with contextlib.suppress(Unsatisfiable):
        collect()
    return cases


def all_cases(
    schema: schemathesis.schemas.BaseSchema,
    records: dict[str, list[int]],
    session: str,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
) -> list[Any]:
    """Generated requests for every operation, valid and invalid, plus valid ones on each real record (random
    ids mostly miss: these reach the code that reads and shapes a found row). Each carries this session
    cookie: the schema declares it, and schemathesis would otherwise make one up or leave it out."""
    cookies = {COOKIE_NAME: session}
    cases = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            cases += generated_cases(operation, mode, cookies=cookies)
        for parameter in operation.path_parameters:
            for record_id in records.get(parameter.name, []):
                cases += generated_cases(
                    operation,
                    GenerationMode.POSITIVE,
                    cookies=cookies,
                    path_parameters={parameter.name: record_id},
                )
    return cases


async def send(client: Client, case: Any, *, with_cookies: bool = True):
    """Send the case's request as generated: its query, headers and cookies (the session cookie is kept out
    of the client's jar, so that a request without it really goes without it)."""
    assert COOKIE_NAME not in client.cookies
    request = case.as_transport_kwargs(base_url=str(client.base_url))
    headers = dict(request.get("headers") or {})
    if with_cookies and request.get("cookies"):
        headers["cookie"] = "; ".join(f"{name}={value}" for name, value in request["cookies"].items())
    return await client.request(
        request["method"], request["url"], params=request.get("params"), headers=headers
    )


async def failures(client: Client, cases: list[Any]) -> list[str]:
    found = []
    for case in cases:
        response = await send(client, case)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:
            found.append(
                f"{case.as_curl_command()}\n→ {response.status_code} {response.text[:300]}\n{failure}"
            )
    return found


def operation_labels(cases: list[Any]) -> set[str]:
    return {case.operation.label for case in cases}


async def signed_in_session(client: Client, role: Role) -> str:
    """Sign in as a new person with this role; returns their session cookie, taken out of the client's jar."""
    await make_person("fuzzer@testshire.example", role)
    assert (await sign_in(client, "fuzzer@testshire.example")).status_code == 303
    session = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    return session


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROFESSIONAL])
async def test_generated_requests_get_answers_the_schema_declares_and_never_a_5xx(client, records, role):
    """An admin reads everything; a professional is refused everything but /health. Either way every answer
    is one the schema declares."""
    session = await signed_in_session(client, role)
    schema = await served_schema(client, session)
    cases = all_cases(schema, records, session)

    found = await failures(client, cases)

    assert not found, f"{len(found)} of {len(cases)} requests failed a check:\n\n" + "\n\n".join(found[:5])
    assert operation_labels(cases) == {f"GET {path}" for path in schema.raw_schema["paths"]}
    assert len(cases) > EXAMPLES * len(schema.raw_schema["paths"])


async def test_without_a_session_every_api_operation_answers_401_problem_details(client, records):
    """Every operation the schema says needs the session cookie refuses a valid request without one, or with
    a forged one, whatever the parameters, with a 401 problem; the rest (the health check) answer. (Invalid
    requests are left out: a path that matches no route, such as /api/staff/abc, is a 404 for anyone.)"""
    session = await signed_in_session(client, Role.ADMIN)
    schema = await served_schema(client, session)
    cases = all_cases(schema, records, "forged-" + session[::-1], modes=(GenerationMode.POSITIVE,))

    secured = set()
    for case in cases:
        for with_cookies in (True, False):
            response = await send(client, case, with_cookies=with_cookies)
            if case.operation.definition.raw.get("security", schema.raw_schema.get("security")):
                secured.add(case.operation.label)
                assert response.status_code == 401, (case.as_curl_command(), response.text)
                assert response.headers["content-type"].startswith(PROBLEM)
                assert response.json()["detail"] == "Sign in to use this page"
            else:
                assert response.status_code < 400, (case.as_curl_command(), response.text)
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )

    assert secured == {label for label in operation_labels(cases) if label.startswith("GET /api/")}


# --- what the generated requests found --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "key"),
    [
        # Ids beyond PostgreSQL's 32-bit integer columns made the database refuse the query: a 500.
        ("/api/staff/2147483648", {}, "staff_id"),
        ("/api/teams/99999999999999999999", {}, "team_id"),
        ("/api/organisations/0", {}, "organisation_id"),
        ("/api/teams", {"organisation_id": 2**31}, "organisation_id"),
        ("/api/staff", {"job_role_id": -1}, "job_role_id"),
        ("/api/staff", {"page": 2**63}, "page"),
        # PostgreSQL text cannot hold NUL: a search with one was a 500 there.
        ("/api/staff", {"q": "Ai\x00sha"}, "q"),
    ],
)
async def test_numbers_out_of_the_databases_range_and_nul_in_a_search_are_400_problems(
    client, signed_in_as, path, params, key
):
    await signed_in_as(Role.ADMIN)

    response = await client.get(path, params=params)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert [error["key"] for error in response.json()["errors"]] == [key]


async def test_the_largest_id_is_a_404_and_a_search_is_still_a_search(client, signed_in_as, records):
    await signed_in_as(Role.ADMIN)

    missing = await client.get("/api/staff/2147483647")
    found = await client.get("/api/staff", params={"q": "siobhán", "status": "all"})

    assert missing.status_code == 404
    assert [person["full_name"] for person in found.json()["items"]] == ["Siobhán Ní Bhriain"]
