"""The plan pages issue the same number of SQL statements for 10 actions and for 1,000.

Counted from the real engine (engine.query_id numbers every statement), as tests/app/test_query_counts.py
does. The volume is bulk-inserted: only the number of statements per page is under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from action_plans.enums import DateField, EvidenceKind, Rag
from action_plans.tables import (
    Action,
    ActionPartner,
    DateRevision,
    Evidence,
    Milestone,
    ProgressUpdate,
    TrainingLink,
)
from app.database import get_engine
from app.enums import Role
from tests.action_plans.builders import action_row, insert_area, insert_plan, partner_organisation, staff_in
from tests.conftest import make_person, sign_in
from tests.courses.conftest import publish_course

TODAY = date.today()

PAGES = [
    "/plans",
    "/plans/{plan}",
    "/plans/{plan}?rag=red",
    "/plans/{plan}?organisation={partner}",
    "/plans/{plan}?lead={owner}",
    "/plans/{plan}/changes",
    "/actions/{action}",
    "/milestones/{milestone}",
    "/my-actions",
    "/due-dates",
]


async def add_actions(
    *, ids: dict[str, int], areas: list[int], leads: list[int], first: int, count: int
) -> None:
    """`count` actions numbered from `first`, each with a milestone, a partner, an update, evidence
    and a date revision, spread over the areas and leads; dates from long overdue to months ahead."""
    rows = [
        action_row(
            plan_id=ids["plan"],
            area_id=areas[n % len(areas)],
            reference=f"{n % len(areas) + 1}.{n}",
            lead_id=leads[n % len(leads)],
            start=TODAY - timedelta(days=60),
            baseline=TODAY + timedelta(days=(n % 90) - 30),
            forecast=TODAY + timedelta(days=(n % 90) - 30 + n % 20),
            percent=n % 100,
        )
        for n in range(first, first + count)
    ]
    for start in range(0, len(rows), 250):
        await Action.insert(*rows[start : start + 250])
    actions = await Action.select(Action.id, Action.baseline_date, Action.forecast_date).where(
        (Action.plan == ids["plan"]) & (Action.id > ids.get("last_action", 0))
    )
    now = datetime.now(UTC)
    milestones = [
        Milestone(
            plan=ids["plan"],
            action=a["id"],
            title=f"Milestone of {a['id']}",
            baseline_date=a["baseline_date"],
            forecast_date=a["forecast_date"],
        )
        for a in actions
    ]
    partners = [ActionPartner(action=a["id"], organisation=ids["partner"]) for a in actions[::2]]
    updates = [
        ProgressUpdate(
            plan=ids["plan"],
            action=a["id"],
            period_end=TODAY,
            narrative="On with it",
            percent_complete=50,
            rag=Rag.GREEN,
            author=ids["owner"],
            created_at=now,
        )
        for a in actions
    ]
    evidence = [
        Evidence(
            plan=ids["plan"],
            action=a["id"],
            kind=EvidenceKind.LINK,
            title="Minutes",
            url="https://example.org/m",
        )
        for a in actions[::3]
    ]
    revisions = [
        DateRevision(
            plan=ids["plan"],
            action=a["id"],
            field=DateField.FORECAST,
            old_date=a["baseline_date"],
            new_date=a["forecast_date"],
            reason="Slipped",
            requested_by=ids["owner"],
        )
        for a in actions
    ]
    for table, batch in (
        (Milestone, milestones),
        (ActionPartner, partners),
        (ProgressUpdate, updates),
        (Evidence, evidence),
        (DateRevision, revisions),
    ):
        for start in range(0, len(batch), 250):
            await table.insert(*batch[start : start + 250])  # type: ignore[attr-defined]
    ids["last_action"] = max(a["id"] for a in actions)


@dataclass
class Scale:
    ids: dict[str, int]  # the page parameters
    areas: list[int]
    leads: list[int]


async def build() -> Scale:
    owner = await make_person("owner@scale.example", Role.LEADER, name="Olive Owner")
    partner = await partner_organisation()
    leads = [owner, *[await staff_in(partner, f"lead{n}@icb.example", f"Lead {n}") for n in range(3)]]
    plan = await insert_plan(owner_id=owner, reference="SCALE-1", title="A large plan")
    areas = [await insert_area(plan_id=plan, number=n, title=f"Area {n}") for n in range(1, 6)]
    ids = {"plan": plan, "owner": owner, "partner": partner}
    await add_actions(ids=ids, areas=areas, leads=leads, first=1, count=10)
    first = await Action.select(Action.id).where(Action.lead == owner).order_by(Action.id).first()
    ids["action"] = first["id"]
    ids["milestone"] = (await Milestone.select(Milestone.id).where(Milestone.action == first["id"]).first())[
        "id"
    ]
    # One training-linked action, so the live-progress statements are counted too.
    course_id = await publish_course("SCALE-EHCP")
    await TrainingLink.insert(TrainingLink(action=first["id"], course_id=course_id, target_count=50))
    return Scale(ids=ids, areas=areas, leads=leads)


async def statements_per_page(client, ids: dict[str, int]) -> dict[str, int]:
    engine = get_engine()
    counts = {}
    for page in PAGES:
        url = page.format(**ids)
        before = engine.query_id
        response = await client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[page] = engine.query_id - before
    return counts


async def test_plan_pages_issue_the_same_number_of_statements_at_10_and_1000_actions(client):
    scale = await build()
    assert (await sign_in(client, "owner@scale.example")).status_code == 303
    # The first views work out the training link's counts and store them (courses.compliance_cache;
    # tests/action_plans/test_training_link.py counts that path): measure the pages as they are then read.
    await statements_per_page(client, scale.ids)
    small = await statements_per_page(client, scale.ids)

    await add_actions(ids=scale.ids, areas=scale.areas, leads=scale.leads, first=11, count=990)
    assert await Action.count() == 1000
    large = await statements_per_page(client, scale.ids)
    assert all(small.values()), small
    assert large == small
