"""The read-only plan pages: who sees which plan, filters, slippage, legends, timelines, my actions,
due dates and what changed since a date. Rows are inserted directly (tests/action_plans/builders.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from action_plans.enums import DateField, EvidenceKind, KpiUnit, PlanStatus, Rag, RevisionStatus
from action_plans.tables import DateRevision, Evidence, Kpi, KpiDataPoint, Plan, ProgressUpdate, TrainingLink
from app import audit
from app.audit import CLI_ACTOR, Actor
from app.enums import AuditAction, Role
from app.reports import boards
from app.reports.boards import BoardDetails
from tests.action_plans.builders import (
    insert_action,
    insert_area,
    insert_milestone,
    insert_partner,
    insert_plan,
    partner_organisation,
    revision_row,
    staff_in,
)
from tests.conftest import make_person, sign_in
from tests.courses.conftest import publish_course

TODAY = date.today()
LEGEND = "What the RAG statuses mean"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class World:
    owner_id: int
    pro_id: int
    health_lead_id: int
    health_id: int
    plan_a: int
    plan_b: int
    on_time: int  # 1.1, led by the professional, forecast 12 days after baseline
    overdue_health: int  # 1.2, led by the health lead, overdue
    early: int  # 1.3, led by the owner, 3 days early, health is a partner
    overdue_pro: int  # 1.4, led by the professional, overdue
    milestone: int  # of 1.1, no lead of its own, on baseline
    other_action: int  # in plan B, led by the owner


@pytest.fixture
async def views_world() -> World:
    """Plan A, in which the professional leads two actions, and plan B, in which they lead nothing."""
    owner_id = await make_person("owner@testshire.example", Role.LEADER, name="Olive Owner")
    pro_id = await make_person("pro@testshire.example", Role.PROFESSIONAL, name="Pat Professional")
    health_id = await partner_organisation()
    health_lead_id = await staff_in(health_id, "hana@icb.example", "Hana Health")
    plan_a = await insert_plan(owner_id=owner_id, reference="WSOA-1", title="Written Statement of Action")
    area = await insert_area(plan_id=plan_a, number=1, title="Timeliness of plans")
    on_time = await insert_action(
        plan_id=plan_a,
        area_id=area,
        reference="1.1",
        lead_id=pro_id,
        baseline=days(30),
        forecast=days(42),
        description="Recruit two more caseworkers",
    )
    overdue_health = await insert_action(
        plan_id=plan_a,
        area_id=area,
        reference="1.2",
        lead_id=health_lead_id,
        baseline=days(-20),
        forecast=days(-5),
        description="Health advice within six weeks",
    )
    early = await insert_action(
        plan_id=plan_a,
        area_id=area,
        reference="1.3",
        lead_id=owner_id,
        baseline=days(20),
        forecast=days(17),
        description="Publish the local offer",
    )
    await insert_partner(action_id=early, organisation_id=health_id)
    overdue_pro = await insert_action(
        plan_id=plan_a,
        area_id=area,
        reference="1.4",
        lead_id=pro_id,
        baseline=days(-10),
        forecast=days(-10),
        description="Clear the backlog of annual reviews",
    )
    milestone = await insert_milestone(
        plan_id=plan_a, action_id=on_time, title="Job adverts published", baseline=days(10), forecast=days(10)
    )
    plan_b = await insert_plan(owner_id=owner_id, reference="OMB-1", title="Ombudsman remedy")
    area_b = await insert_area(plan_id=plan_b, number=1, title="Remedy")
    other_action = await insert_action(
        plan_id=plan_b,
        area_id=area_b,
        reference="1.1",
        lead_id=owner_id,
        baseline=days(5),
        forecast=days(5),
        description="Apologise to the family",
    )
    return World(
        owner_id=owner_id,
        pro_id=pro_id,
        health_lead_id=health_lead_id,
        health_id=health_id,
        plan_a=plan_a,
        plan_b=plan_b,
        on_time=on_time,
        overdue_health=overdue_health,
        early=early,
        overdue_pro=overdue_pro,
        milestone=milestone,
        other_action=other_action,
    )


async def as_owner(client) -> None:
    assert (await sign_in(client, "owner@testshire.example")).status_code == 303


async def as_professional(client) -> None:
    assert (await sign_in(client, "pro@testshire.example")).status_code == 303


def shown_actions(html: str) -> set[str]:
    """Descriptions of the actions listed on a plan page (their links to the action page)."""
    return set(re.findall(r'href="/actions/\d+">([^<]+)</a>', html))


# Who sees what


async def test_professional_sees_only_the_plans_they_lead_something_in(client, views_world):
    await as_professional(client)
    listing = await client.get("/plans")
    assert listing.status_code == 200
    assert "WSOA-1" in listing.text and "OMB-1" not in listing.text
    assert "Create a plan" not in listing.text

    assert (await client.get(f"/plans/{views_world.plan_a}")).status_code == 200
    assert (await client.get(f"/plans/{views_world.plan_b}")).status_code == 403
    assert (await client.get(f"/actions/{views_world.other_action}")).status_code == 403
    assert (await client.get(f"/plans/{views_world.plan_b}/changes")).status_code == 403
    assert (await client.get("/plans/999999999")).status_code == 404
    assert (await client.get("/actions/999999999")).status_code == 404
    assert (await client.get("/milestones/999999999")).status_code == 404


async def test_leader_sees_every_plan_with_its_actions_counted_by_rag(client, views_world):
    await as_owner(client)
    listing = await client.get("/plans")
    assert "WSOA-1" in listing.text and "OMB-1" in listing.text
    assert 'href="/plans/new"' in listing.text and 'href="/plans/import"' in listing.text
    assert "Written Statement of Action" in listing.text  # the origin
    row = re.search(r"WSOA-1.*?</tr>", listing.text, re.S)
    assert row is not None
    # 4 actions: 1 amber (1.1), 2 red (1.2, 1.4), 1 green (1.3); by column blue, green, amber, red, grey.
    counts = re.findall(r'numeric">(\d+)<', row.group(0))
    assert counts == ["4", "0", "1", "1", "2", "0"]


async def test_someone_leading_nothing_sees_an_empty_list(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)
    listing = await client.get("/plans")
    assert listing.status_code == 200
    assert "You do not own or lead anything in an action plan yet" in listing.text
    mine = await client.get("/my-actions")
    assert "You do not lead any actions or milestones" in mine.text


# The plan page


async def test_plan_page_shows_slippage_against_baseline_in_words(client, views_world):
    await as_owner(client)
    await boards.create_board(
        details=BoardDetails(name="SEND Improvement Board", plan_ids=[views_world.plan_a]), actor=CLI_ACTOR
    )
    page = (await client.get(f"/plans/{views_world.plan_a}")).text
    assert "+12 days" in page  # 1.1
    assert "3 days early" in page  # 1.3
    assert "On baseline" in page  # 1.4 and the milestone
    assert "Overdue by 5 days" in page  # 1.2's reason
    assert "Hana Health" in page and "Testshire Integrated Care Board" in page
    assert "SEND Improvement Board" in page


async def test_plan_page_filters_by_rag_lead_and_organisation(client, views_world):
    await as_owner(client)
    base = f"/plans/{views_world.plan_a}"
    everything = shown_actions((await client.get(base)).text)
    assert everything == {
        "Recruit two more caseworkers",
        "Health advice within six weeks",
        "Publish the local offer",
        "Clear the backlog of annual reviews",
    }
    red = shown_actions((await client.get(f"{base}?rag=red")).text)
    assert red == {"Health advice within six weeks", "Clear the backlog of annual reviews"}
    pro = shown_actions((await client.get(f"{base}?lead={views_world.pro_id}")).text)
    assert pro == {"Recruit two more caseworkers", "Clear the backlog of annual reviews"}
    health = shown_actions((await client.get(f"{base}?organisation={views_world.health_id}")).text)
    assert health == {"Health advice within six weeks", "Publish the local offer"}  # lead's, and partner
    both = await client.get(f"{base}?rag=green&organisation={views_world.health_id}")
    assert shown_actions(both.text) == {"Publish the local offer"}
    assert "Showing 1 of 4 actions" in both.text
    # A green milestone of an amber action shows alone under its action when filtering by green.
    green = (await client.get(f"{base}?rag=green")).text
    assert "Job adverts published" in green
    none = await client.get(f"{base}?rag=blue")
    assert "No actions or milestones match these filters" in none.text
    # Nonsense filters are ignored rather than refused.
    assert (await client.get(f"{base}?rag=purple&lead=x&organisation=")).status_code == 200


async def test_plan_links_follow_permissions(client, views_world):
    await as_owner(client)
    owner_page = (await client.get(f"/plans/{views_world.plan_a}")).text
    for link in (
        "/edit",
        "/areas/new",
        "/actions/new",
        "/date-requests",
        "/kpis",
        "/export.xlsx",
        "/changes",
    ):
        assert f'href="/plans/{views_world.plan_a}{link}"' in owner_page, link
    await as_professional(client)
    pro_page = (await client.get(f"/plans/{views_world.plan_a}")).text
    assert f"/plans/{views_world.plan_a}/edit" not in pro_page
    assert f"/plans/{views_world.plan_a}/kpis" in pro_page
    own = (await client.get(f"/actions/{views_world.on_time}")).text
    assert f'href="/actions/{views_world.on_time}/updates/new"' in own
    assert f'href="/actions/{views_world.on_time}/rag-override"' in own
    assert f'href="/actions/{views_world.on_time}/edit"' in own
    colleagues = await client.get(f"/actions/{views_world.overdue_health}")
    assert colleagues.status_code == 200
    assert "/updates/new" not in colleagues.text and "/dates" not in colleagues.text
    assert "/edit" not in colleagues.text


async def test_a_closed_plan_offers_no_changes(client, views_world):
    await Plan.update({Plan.status: PlanStatus.CLOSED}).where(Plan.id == views_world.plan_a)
    await as_owner(client)
    page = (await client.get(f"/plans/{views_world.plan_a}")).text
    assert "/edit" not in page and "/actions/new" not in page and "/milestones/new" not in page
    action = (await client.get(f"/actions/{views_world.early}")).text
    assert "This plan is closed" in action and "/updates/new" not in action
    milestone = (await client.get(f"/milestones/{views_world.milestone}")).text
    assert "/dates" not in milestone
    # Closed plans leave the owner's list of work and of due dates.
    assert "Publish the local offer" not in (await client.get("/my-actions")).text
    assert "Publish the local offer" not in (await client.get("/due-dates")).text


async def test_every_page_showing_rag_shows_the_legend_and_the_word(client, views_world):
    await as_owner(client)
    pages = [
        "/plans",
        f"/plans/{views_world.plan_a}",
        f"/plans/{views_world.plan_a}?rag=red",
        f"/actions/{views_world.on_time}",
        f"/milestones/{views_world.milestone}",
        "/my-actions",
        "/due-dates",
        f"/plans/{views_world.plan_a}/changes",
    ]
    for url in pages:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert LEGEND in response.text, url
        assert "Off track" in response.text and "At risk" in response.text, url


# The action and milestone pages


async def test_action_timeline_merges_updates_and_date_revisions_newest_first(client, views_world):
    action = views_world.on_time
    plan = views_world.plan_a
    pro = views_world.pro_id
    await ProgressUpdate.insert(
        ProgressUpdate(
            plan=plan,
            action=action,
            period_end=days(-40),
            narrative="Adverts drafted",
            percent_complete=10,
            rag=Rag.GREEN,
            author=pro,
            created_at=at(days(-38)),
        ),
        ProgressUpdate(
            plan=plan,
            action=action,
            period_end=days(-10),
            narrative="Interviews held",
            percent_complete=40,
            rag=Rag.AMBER,
            author=pro,
            created_at=at(days(-8)),
        ),
    )
    await DateRevision.insert(
        revision_row(
            plan_id=plan,
            action_id=action,
            old=days(30),
            new=days(42),
            reason="Recruitment freeze until the budget is agreed",
            by=pro,
            at=at(days(-20)),
        ),
        revision_row(
            plan_id=plan,
            milestone_id=views_world.milestone,
            old=days(10),
            new=days(15),
            reason="Waiting for HR sign-off",
            status=RevisionStatus.PENDING,
            by=pro,
            at=at(days(-1)),
        ),
    )
    await as_professional(client)
    page = (await client.get(f"/actions/{action}")).text
    order = [
        page.index(text)
        for text in ("Waiting for HR sign-off", "Interviews held", "Recruitment freeze", "Adverts drafted")
    ]
    assert order == sorted(order)
    assert "Waiting for the plan owner" in page and "Applied" in page
    assert "Pat Professional" in page
    assert "40% complete" in page


async def test_action_page_lists_evidence_and_training_progress(client, views_world):
    action = views_world.on_time
    await Evidence.insert(
        Evidence(
            plan=views_world.plan_a,
            action=action,
            kind=EvidenceKind.LINK,
            title="Advert on the jobs site",
            url="https://jobs.example/123",
            added_by=views_world.pro_id,
        ),
        Evidence(
            plan=views_world.plan_a,
            action=action,
            kind=EvidenceKind.FILE,
            title="Interview panel notes",
            file_name="notes.pdf",
            content_type="application/pdf",
            size_bytes=2048,
            content=b"%PDF-1.4",
            added_by=views_world.pro_id,
        ),
    )
    course_id = await publish_course("EHCP-VIEWS")
    await TrainingLink.insert(TrainingLink(action=action, course_id=course_id, target_count=220))
    await as_professional(client)
    page = (await client.get(f"/actions/{action}")).text
    assert 'href="https://jobs.example/123"' in page
    evidence_id = (await Evidence.select(Evidence.id).where(Evidence.kind == EvidenceKind.FILE).first())["id"]
    assert f'href="/evidence/{evidence_id}"' in page
    assert "0 of 220 trained" in page
    assert f'href="/actions/{action}/training/evidence"' in page


async def test_milestone_page_shows_its_dates_slippage_and_history(client, views_world):
    await DateRevision.insert(
        revision_row(
            plan_id=views_world.plan_a,
            milestone_id=views_world.milestone,
            old=days(8),
            new=days(10),
            reason="Adverts need the new pay scale",
            by=views_world.pro_id,
            at=at(days(-3)),
        ),
        revision_row(
            plan_id=views_world.plan_a,
            milestone_id=views_world.milestone,
            field=DateField.BASELINE,
            old=None,
            new=days(10),
            reason="Plan approved",
            by=views_world.owner_id,
            at=at(days(-30)),
        ),
    )
    await as_professional(client)
    response = await client.get(f"/milestones/{views_world.milestone}")
    assert response.status_code == 200
    page = response.text
    assert "Job adverts published" in page and "On baseline" in page
    forecast = page[page.index('id="history-forecast"') : page.index('id="history-actual"')]
    assert "Adverts need the new pay scale" in forecast and "Plan approved" not in forecast
    baseline = page[page.index('id="history-baseline"') : page.index('id="history-forecast"')]
    assert "Plan approved" in baseline
    assert f'href="/milestones/{views_world.milestone}/dates"' in page  # its action's lead may move it
    assert "Pat Professional" in page  # the action's lead leads a milestone without its own


# My actions, due dates


async def test_my_actions_lists_what_i_lead_overdue_first(client, views_world):
    await as_professional(client)
    page = (await client.get("/my-actions")).text
    assert "Clear the backlog of annual reviews" in page and "Recruit two more caseworkers" in page
    assert page.index("Clear the backlog") < page.index("Recruit two more caseworkers")  # overdue first
    assert "Job adverts published" in page  # the milestone has no lead: its action's lead leads it
    assert "Health advice within six weeks" not in page and "Apologise to the family" not in page
    assert "+12 days" in page
    assert "1 is overdue" in page


async def test_due_dates_lists_overdue_and_due_soon_for_what_i_lead(client, views_world):
    await as_professional(client)
    page = (await client.get("/due-dates")).text
    overdue = page[page.index('id="overdue"') : page.index('id="due-soon"')]
    soon = page[page.index('id="due-soon"') :]
    assert "Clear the backlog of annual reviews" in overdue
    assert "Job adverts published" in soon  # due in 10 days
    assert "Recruit two more caseworkers" not in page  # due in 42 days
    assert "Health advice within six weeks" not in page  # not theirs
    wider = (await client.get("/due-dates?within=50")).text
    assert "Recruit two more caseworkers" in wider


async def test_leaders_see_due_dates_in_every_plan(client, views_world):
    await insert_action(
        plan_id=views_world.plan_b,
        area_id=(await insert_area(plan_id=views_world.plan_b, number=2, title="Done")),
        reference="2.1",
        lead_id=views_world.owner_id,
        baseline=days(-3),
        forecast=days(-3),
        actual=days(-4),
        description="Already finished",
    )
    await as_owner(client)
    page = (await client.get("/due-dates")).text
    overdue = page[page.index('id="overdue"') : page.index('id="due-soon"')]
    soon = page[page.index('id="due-soon"') :]
    assert "Health advice within six weeks" in overdue and "Clear the backlog" in overdue
    assert "Apologise to the family" in soon and "Publish the local offer" in soon
    assert "Already finished" not in page  # it has an actual date
    assert "Recruit two more caseworkers" not in page


# Changes since


async def test_changes_since_a_date_newest_first(client, views_world):
    plan = views_world.plan_a
    pro = views_world.pro_id
    await DateRevision.insert(
        revision_row(
            plan_id=plan,
            action_id=views_world.on_time,
            old=days(30),
            new=days(42),
            reason="Recruitment freeze",
            by=pro,
            at=at(days(-2)),
        ),
        revision_row(
            plan_id=plan,
            action_id=views_world.on_time,
            old=days(25),
            new=days(30),
            reason="An old move",
            by=pro,
            at=at(days(-20)),
        ),
    )
    await ProgressUpdate.insert(
        ProgressUpdate(
            plan=plan,
            action=views_world.on_time,
            period_end=days(-1),
            narrative="Interviews booked",
            percent_complete=30,
            rag=Rag.AMBER,
            author=pro,
            created_at=at(days(-1)),
        )
    )
    await Evidence.insert(
        Evidence(
            plan=plan,
            action=views_world.on_time,
            kind=EvidenceKind.LINK,
            title="Advert published",
            url="https://jobs.example/1",
            added_by=pro,
            created_at=at(days(-3)),
        )
    )
    kpi = (await Kpi.insert(Kpi(plan=plan, name="Plans issued within 20 weeks", unit=KpiUnit.PERCENT)))[0][
        "id"
    ]
    await KpiDataPoint.insert(
        KpiDataPoint(
            kpi=kpi, period_end=days(-4), value=48.5, created_at=at(days(-4)), updated_at=at(days(-4))
        )
    )
    owner = Actor(staff_id=views_world.owner_id, label="Olive Owner")
    await audit.record(
        actor=owner,
        action=AuditAction.UPDATE,
        entity="action",
        entity_id=views_world.early,
        summary="Description of action 1.3 changed",
    )
    await audit.record(
        actor=owner,
        action=AuditAction.UPDATE,
        entity="action",
        entity_id=views_world.other_action,
        summary="A change in another plan",
    )
    # A date change is a revision and an audit entry at once: the list shows it once, with its reason.
    await DateRevision.insert(
        revision_row(
            plan_id=plan,
            action_id=views_world.early,
            old=days(17),
            new=days(19),
            reason="Printer booked later",
            by=views_world.owner_id,
            at=datetime.now(UTC),
        )
    )
    await audit.record(
        actor=owner,
        action=AuditAction.UPDATE,
        entity="action",
        entity_id=views_world.early,
        summary="Dates of action 1.3 moved",
        before={"forecast_date": days(17)},
        after={"forecast_date": days(19), "reason": "Printer booked later"},
    )
    await as_owner(client)
    response = await client.get(f"/plans/{plan}/changes?since={days(-7).isoformat()}")
    assert response.status_code == 200
    page = response.text
    assert "An old move" not in page and "A change in another plan" not in page
    assert "Printer booked later" in page and "Dates of action 1.3 moved" not in page
    expected_newest_first = [
        "Description of action 1.3 changed",  # now
        "Interviews booked",  # yesterday
        "Recruitment freeze",  # 2 days ago
        "Advert published",  # 3 days ago
        "Plans issued within 20 weeks",  # 4 days ago
    ]
    positions = [page.index(text) for text in expected_newest_first]
    assert positions == sorted(positions)
    wider = (await client.get(f"/plans/{plan}/changes?since={days(-30).isoformat()}")).text
    assert "An old move" in wider
    # The default is the last 30 days; a nonsense date falls back to it.
    assert "An old move" in (await client.get(f"/plans/{plan}/changes?since=yesterday")).text
