"""iCalendar feeds of milestones at a secret per-person address: what they hold and who they reveal it to."""

from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from action_plans.tables import CalendarFeed, Milestone
from app.enums import Role
from app.tables import AuditEntry
from tests.action_plans.transfer_plans import build_tracked_plan, transfer_people_fixture  # noqa: F401
from tests.conftest import csrf_token, make_person, sign_in

FEED_URL = re.compile(r"http://testserver/calendar/([A-Za-z0-9_-]+)/(mine|plans/\d+)")


async def feed_addresses(client) -> dict[str, str]:
    """The calendar page's addresses: 'mine' and one per plan id, as paths."""
    page = await client.get("/my-actions/calendar")
    assert page.status_code == 200
    return {kind: f"/calendar/{token}/{kind}" for token, kind in FEED_URL.findall(page.text)}


def events(response) -> dict[str, dict[str, object]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {
        str(e["uid"]): {
            "on": e.decoded("dtstart"),
            "summary": str(e["summary"]),
            "description": str(e["description"]),
        }
        for e in calendar.walk("VEVENT")
    }


async def test_plan_feed_parses_and_holds_every_milestone_on_its_date(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    addresses = await feed_addresses(client)
    feed = events(await client.get(addresses[f"plans/{plan_id}"]))
    milestones = await Milestone.select().where(Milestone.plan == plan_id)
    assert len(feed) == len(milestones) == 4
    for milestone in milestones:
        event = feed[f"milestone-{milestone['id']}@assure"]
        # On the date it was done when done, else on its forecast date; an all-day date, not a time.
        assert event["on"] == (milestone["actual_date"] or milestone["forecast_date"])
        assert type(event["on"]) is date
        assert event["summary"].startswith("WSOA-2025 ") and milestone["title"] in event["summary"]
        assert re.search(r"RAG: (Blue|Green|Amber|Red|Grey) ", event["description"])
    slipped = next(m for m in milestones if m["title"] == "Coordinators in post")
    assert "Slippage: 30 days after baseline" in feed[f"milestone-{slipped['id']}@assure"]["description"]
    # The same UIDs next time, so calendar apps update events rather than duplicate them.
    assert events(await client.get(addresses[f"plans/{plan_id}"])).keys() == feed.keys()


async def test_my_feed_holds_what_i_lead(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    assert (await sign_in(client, "ana.lead@testshire.example")).status_code == 303
    addresses = await feed_addresses(client)
    assert f"plans/{plan_id}" in addresses  # she leads an action in it, so she may see it
    feed = events(await client.get(addresses["mine"]))
    # Action 1.1 is hers: its two milestones (one led by the owner) and its own target date.
    summaries = sorted(e["summary"] for e in feed.values())
    assert summaries == [
        "WSOA-2025 1.1 (action): Recruit two more EHC coordinators",
        "WSOA-2025 1.1: Coordinators in post",
        "WSOA-2025 1.1: Posts advertised",
    ]
    action_event = next(e for uid, e in feed.items() if uid.startswith("action-"))
    assert action_event["on"] == date(2025, 5, 2)  # done: shown on its actual date


async def test_wrong_token_reveals_nothing(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    await feed_addresses(client)
    for path in ("/calendar/not-the-token/mine", f"/calendar/not-the-token/plans/{plan_id}"):
        response = await client.get(path)
        assert response.status_code == 404
        assert "WSOA" not in response.text
    # Signed out too: the token is the only credential, and a wrong one is simply not found.
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    assert (await client.get("/calendar/not-the-token/mine", follow_redirects=False)).status_code == 404


async def test_feed_works_without_signing_in(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    addresses = await feed_addresses(client)
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    assert len(events(await client.get(addresses[f"plans/{plan_id}"], follow_redirects=False))) == 4


async def test_replacing_the_address_stops_the_old_one(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    old = await feed_addresses(client)
    assert (await client.get(old["mine"])).status_code == 200
    assert await feed_addresses(client) == old  # visiting again keeps the same address
    token = await csrf_token(client, "/my-actions/calendar")
    response = await client.post(
        "/my-actions/calendar/reset", data={"_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    new = await feed_addresses(client)
    assert new["mine"] != old["mine"]
    assert (await client.get(old["mine"])).status_code == 404
    assert (await client.get(old[f"plans/{plan_id}"])).status_code == 404
    assert (await client.get(new["mine"])).status_code == 200
    assert await CalendarFeed.count() == 1
    summaries = [
        e["summary"]
        for e in await AuditEntry.select(AuditEntry.summary).where(AuditEntry.entity == "calendar_feed")
    ]
    assert sorted(summaries) == ["Calendar feed address created", "Calendar feed address replaced"]
    feed_token = new["mine"].split("/")[2]
    assert not await AuditEntry.exists().where(AuditEntry.summary.like(f"%{feed_token}%"))


async def test_plan_feed_refused_for_a_plan_the_token_owner_may_not_see(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    await make_person("outsider@testshire.example", Role.PROFESSIONAL)
    assert (await sign_in(client, "outsider@testshire.example")).status_code == 303
    addresses = await feed_addresses(client)
    assert f"plans/{plan_id}" not in addresses
    token = addresses["mine"].split("/")[2]
    response = await client.get(f"/calendar/{token}/plans/{plan_id}")
    assert response.status_code == 404
    assert "WSOA" not in response.text
    assert events(await client.get(addresses["mine"])) == {}


async def test_feed_of_someone_who_left_stops(client, transfer_people):
    from action_plans import calendars
    from app.audit import CLI_ACTOR

    token = await calendars.feed_token(staff_id=transfer_people["lead_id"], actor=CLI_ACTOR)
    assert (await client.get(f"/calendar/{token}/mine")).status_code == 200
    from app.tables import Staff

    await Staff.update({Staff.left_on: date(2025, 1, 1)}).where(Staff.id == transfer_people["lead_id"])
    assert (await client.get(f"/calendar/{token}/mine")).status_code == 404


async def test_export_and_feeds_issue_the_same_number_of_statements_whatever_the_plan_size(
    client, transfer_people
):
    from action_plans.enums import WorkStatus
    from action_plans.tables import Action, ActionPartner, PriorityArea
    from app.database import get_engine

    plan_id = await build_tracked_plan(**transfer_people)
    addresses = await feed_addresses(client)
    pages = [
        "/my-actions/calendar",
        f"/plans/{plan_id}/export.xlsx",
        addresses["mine"],
        addresses[f"plans/{plan_id}"],
    ]

    async def statements() -> dict[str, int]:
        engine = get_engine()
        counts = {}
        for page in pages:
            before = engine.query_id
            assert (await client.get(page)).status_code == 200, page
            counts[page] = engine.query_id - before
        return counts

    small = await statements()
    area = (await PriorityArea.select(PriorityArea.id).where(PriorityArea.plan == plan_id).first())["id"]
    owner = transfer_people["owner_id"]
    actions = await Action.insert(
        *[
            Action(
                plan=plan_id,
                priority_area=area,
                reference=f"1.{n}",
                description=f"Action {n}",
                lead=owner,
                forecast_date=date(2026, 1, 1 + n % 28),
                status=WorkStatus.IN_PROGRESS,
            )
            for n in range(10, 70)
        ]
    )
    await Milestone.insert(
        *[
            Milestone(plan=plan_id, action=a["id"], title="Step", forecast_date=date(2026, 2, 1))
            for a in actions
        ]
    )
    await ActionPartner.insert(
        *[ActionPartner(action=a["id"], organisation=transfer_people["partner_id"]) for a in actions]
    )
    assert await statements() == small
