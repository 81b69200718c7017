"""Pages refuse ids and text the database cannot take, rather than failing with a 500 (on PostgreSQL, whose
ids are 32-bit and whose text cannot hold NUL; tests/app/test_api_schema.py found both through the API)."""

from __future__ import annotations

import pytest

from app.enums import Role
from app.web import bounds
from tests.courses.conftest import publish_course


@pytest.mark.parametrize(
    "path", ["/admin/staff/2147483648", "/admin/staff/99999999999", "/admin/organisations/-99999999999"]
)
async def test_an_id_beyond_the_databases_range_is_page_not_found(client, signed_in_as, path):
    await signed_in_as(Role.ADMIN)

    response = await client.get(path)

    assert response.status_code == 404
    assert "Page not found" in response.text


async def test_a_nul_character_in_a_search_is_a_bad_request(client, signed_in_as):
    await signed_in_as(Role.ADMIN)

    refused = await client.get("/admin/staff", params={"q": "Ad\x00min"})
    searched = await client.get("/admin/staff", params={"q": "Admin"})

    assert refused.status_code == 400
    assert "The address contains a character that is not allowed" in refused.text
    assert searched.status_code == 200


async def test_out_of_range_ids_still_need_a_session(client):
    response = await client.get("/admin/staff/99999999999", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/staff",
        "/admin/audit",
        "/admin/outbox",
        "/courses",
        "/compliance/people",
        "/compliance/courses",
    ],
)
async def test_a_page_number_beyond_the_databases_range_is_page_not_found(client, signed_in_as, path):
    await signed_in_as(Role.ADMIN)
    await publish_course()  # the compliance pages need a course to show

    too_far = await client.get(path, params={"page": str(2**63)})
    thousands_of_digits = await client.get(path, params={"page": "9" * 5000})
    last = await client.get(path, params={"page": str(2**31 - 1)})  # far past the end, but an answer

    assert too_far.status_code == 404 and "Page not found" in too_far.text
    assert thousands_of_digits.status_code == 404
    assert last.status_code == 200


async def test_ids_in_filters_beyond_the_databases_range_are_answered(client, signed_in_as):
    await signed_in_as(Role.ADMIN)

    # A filter's list never holds such an id: the people list shows everyone, as for no choice...
    people = await client.get("/admin/staff", params={"organisation": "99999999999", "team": "-99999999999"})
    # ... and the compliance page, whose ids are checked against its lists, says what is wrong.
    compliance = await client.get("/compliance", params={"course": "99999999999"})
    odd_numbers = [
        await client.get("/compliance", params={"course": course}) for course in ("9" * 5000, "\u00b2")
    ]

    assert people.status_code == 200
    assert compliance.status_code == 400 and "must be chosen from the list" in compliance.text
    assert [r.status_code for r in odd_numbers] == [400, 400]


async def test_the_guard_reads_each_handlers_parameters_once_and_keeps_nothing_per_request(
    client, signed_in_as
):
    # Litestar hands each guard a copy of the handler: keyed by the copy, every request added an entry.
    await signed_in_as(Role.ADMIN)
    await client.get("/admin/staff", params={"page": 1})
    kept = len(bounds._whole_numbers)

    for _ in range(5):
        assert (await client.get("/admin/staff", params={"page": 1})).status_code == 200

    assert len(bounds._whole_numbers) == kept
