"""Boards (issue 5 point 1): leaders and administrators add and change boards, their members (leaders)
and the plans that report to them; every change is audited."""

from __future__ import annotations

import pytest

from action_plans.tables import Plan
from app.audit import CLI_ACTOR
from app.enums import Role
from app.reports import boards
from app.reports.boards import BoardDetails, BoardError
from app.tables import AuditEntry, Board, BoardMember
from tests.action_plans.builders import insert_plan
from tests.conftest import make_person, post_form


async def test_a_leader_adds_a_board_with_members_and_plans(client, signed_in_as):
    me = await signed_in_as(Role.LEADER)
    other = await make_person("chair@testshire.example", Role.LEADER, name="Carol Chair")
    wsoa = await insert_plan(owner_id=me, reference="WSOA-1")
    ombudsman = await insert_plan(owner_id=me, reference="LGSCO-1", title="Ombudsman recommendations")

    page = await client.get("/boards/new")
    assert page.status_code == 200
    assert "Carol Chair" in page.text and "LGSCO-1" in page.text

    response = await post_form(
        client,
        "/boards/new",
        {
            "name": "  SEND   Improvement Board ",
            "description": "Monthly oversight of the WSOA",
            "cadence": "quarterly",
            "protective_marking": "OFFICIAL",
            "training_target": "120",
            "members": [str(me), str(other)],
            "plans": [str(ombudsman)],
        },
        form_page="/boards/new",
    )
    assert response.status_code == 303, response.text
    board = await Board.select().first()
    assert response.headers["location"] == f"/boards/{board['id']}"
    assert board["name"] == "SEND Improvement Board"
    assert board["training_target"] == 120
    members = await BoardMember.select(BoardMember.staff).where(BoardMember.board == board["id"])
    assert sorted(m["staff"] for m in members) == sorted([me, other])
    linked = {p["id"]: p["board"] for p in await Plan.select(Plan.id, Plan.board)}
    assert linked == {ombudsman: board["id"], wsoa: None}
    entry = await AuditEntry.select().where(AuditEntry.entity == "board").first()
    assert entry["action"] == "create" and entry["entity_id"] == str(board["id"])

    shown = await client.get(f"/boards/{board['id']}")
    assert "Carol Chair" in shown.text and "LGSCO-1" in shown.text
    assert "Generate a report" in shown.text
    listed = await client.get("/boards")
    assert "SEND Improvement Board" in listed.text


async def test_the_form_shows_what_is_wrong(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    await boards.create_board(details=BoardDetails(name="Scrutiny Committee"), actor=CLI_ACTOR)
    response = await post_form(
        client,
        "/boards/new",
        {"name": "scrutiny committee", "cadence": "quarterly", "protective_marking": "OFFICIAL"},
        form_page="/boards/new",
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "A board with this name already exists" in response.text
    response = await post_form(
        client,
        "/boards/new",
        {"name": "Partnership", "cadence": "weekly", "training_target": "lots"},
        form_page="/boards/new",
    )
    assert response.status_code == 400
    assert "training target must be a whole number" in response.text
    assert await Board.count() == 1


async def test_members_must_be_leaders():
    professional = await make_person("pro@testshire.example", Role.PROFESSIONAL)
    with pytest.raises(BoardError) as refused:
        await boards.create_board(
            details=BoardDetails(name="Board", member_ids=[professional]), actor=CLI_ACTOR
        )
    assert refused.value.field == "members"
    assert await Board.count() == 0


async def test_changing_a_board_moves_its_plans_and_is_audited(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    leader = await make_person("leader@testshire.example", Role.LEADER)
    first = await insert_plan(owner_id=leader, reference="P-1")
    second = await insert_plan(owner_id=leader, reference="P-2")
    other_board = await boards.create_board(
        details=BoardDetails(name="Partnership Board", plan_ids=[second]), actor=CLI_ACTOR
    )
    board_id = await boards.create_board(
        details=BoardDetails(name="Improvement Board", plan_ids=[first], member_ids=[leader]),
        actor=CLI_ACTOR,
    )
    page = await client.get(f"/boards/{board_id}/edit")
    assert page.status_code == 200
    response = await post_form(
        client,
        f"/boards/{board_id}/edit",
        {
            "name": "Improvement Board",
            "cadence": "monthly",
            "protective_marking": "OFFICIAL-SENSITIVE",
            "plans": [str(second)],
            "active": "yes",
        },
        form_page=f"/boards/{board_id}/edit",
    )
    assert response.status_code == 303, response.text
    linked = {p["id"]: p["board"] for p in await Plan.select(Plan.id, Plan.board)}
    assert linked == {first: None, second: board_id}
    board = await boards.get_board(board_id)
    assert board is not None
    assert board["cadence"] == "monthly" and board["protective_marking"] == "OFFICIAL-SENSITIVE"
    assert board["member_ids"] == []
    assert (await boards.get_board(other_board) or {})["plan_ids"] == []
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.entity == "board", AuditEntry.action == "update")
        .output(load_json=True)
        .first()
    )
    assert entry["before"]["cadence"] == "quarterly" and entry["after"]["cadence"] == "monthly"
    assert entry["after"]["member_ids"] == [] and entry["before"]["member_ids"] == [leader]

    # An administrator manages the board but is not offered its reports.
    shown = await client.get(f"/boards/{board_id}")
    assert shown.status_code == 200
    assert "Generate a report" not in shown.text
