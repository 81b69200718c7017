"""`assure demo` loads two realistic improvement plans: the Ombudsman remedy plan and a Written
Statement of Action, part-way through, with slipped, overdue, complete and not-started work."""

from __future__ import annotations

from datetime import date

import pytest

from action_plans.demo import (
    OMBUDSMAN_REFERENCE,
    TRAINING_TARGET,
    WSOA_REFERENCE,
    load_action_plans_demo,
    month_ends,
    quarter_ends,
)
from action_plans.enums import DateField, PlanOrigin, PlanStatus, Rag, RevisionStatus, WorkStatus
from action_plans.kpi_templates import TEMPLATES
from action_plans.status import ACTION_COLUMNS, action_statuses, milestone_assessment
from action_plans.tables import (
    Action,
    ActionPartner,
    DateRevision,
    Evidence,
    Kpi,
    KpiDataPoint,
    Milestone,
    Plan,
    ProgressUpdate,
    TrainingLink,
)
from action_plans.views import my_work
from app.demo import load_demo
from app.enums import Role
from app.tables import Staff
from courses.tables import Course
from tests.conftest import make_person


async def staff_id(email: str) -> int:
    row = await Staff.select(Staff.id).where(Staff.email == email).first()
    assert row is not None
    return int(row["id"])


async def test_demo_adds_an_ombudsman_remedy_plan_and_a_written_statement_of_action_once():
    await load_demo()
    today = date.today()

    plans = {p["reference"]: p for p in await Plan.select()}
    assert set(plans) == {OMBUDSMAN_REFERENCE, WSOA_REFERENCE}
    ombudsman, wsoa = plans[OMBUDSMAN_REFERENCE], plans[WSOA_REFERENCE]
    assert ombudsman["origin"] == PlanOrigin.OMBUDSMAN_REMEDY
    assert wsoa["origin"] == PlanOrigin.WRITTEN_STATEMENT_OF_ACTION
    leader = await staff_id("leader@northbrook.example")
    professional = await staff_id("professional@northbrook.example")
    assert ombudsman["owner"] == leader
    assert wsoa["owner"] not in (leader, None)
    for plan in plans.values():
        assert plan["status"] == PlanStatus.APPROVED
        assert plan["approved_at"] is not None and plan["approved_at"].date() < today
        assert plan["approved_by"] == plan["owner"]
    assert ombudsman["require_date_approval"]

    actions = await Action.select()
    milestones = await Milestone.select()
    assert all(a["baseline_date"] is not None for a in actions)
    assert all(m["baseline_date"] is not None for m in milestones)
    assert any(a["lead"] == professional for a in actions)
    assert any(m["lead"] == professional for m in milestones)
    assert any(a["lead"] == leader for a in actions)
    # "My actions" has something in it for the demo's professional and leader.
    for person in (professional, leader):
        mine = await my_work(staff_id=person, today=today)
        assert mine.actions and mine.milestones
    assert await ActionPartner.count() > 0

    # Complete, overdue and slipped work, with the reason for each slip kept.
    assert any(a["actual_date"] and a["status"] == WorkStatus.COMPLETE for a in actions)
    assert any(a["actual_date"] is None and a["forecast_date"] < today for a in actions)
    slipped = [a for a in actions if a["forecast_date"] > a["baseline_date"] and a["actual_date"] is None]
    assert slipped
    revisions = await DateRevision.select()
    reasons = {
        r["action"]: r["reason"] for r in revisions if r["field"] == DateField.FORECAST and r["action"]
    }
    assert all(reasons.get(a["id"]) for a in slipped)
    assert any("caseworker posts delayed" in reason for reason in reasons.values())
    pending = [r for r in revisions if r["status"] == RevisionStatus.PENDING]
    assert len(pending) == 1 and pending[0]["plan"] == ombudsman["id"] and pending[0]["reason"]
    assert any(a["rag_override"] and a["rag_override_reason"] for a in actions)
    assert await ProgressUpdate.count() >= 20
    # Slipped actions carry an exception report on their latest update, for the board paper.
    assert await ProgressUpdate.count().where(ProgressUpdate.recovery_action != "") == 5
    assert await Evidence.count().where(Evidence.url != "") >= 2

    # Every RAG appears, as the pages will compute it.
    plan_rows = {p["id"]: p for p in plans.values()}
    columns = [getattr(Action, c) for c in ACTION_COLUMNS]
    statuses = await action_statuses(actions=await Action.select(*columns), plans=plan_rows, today=today)
    assert {s.rag for s in statuses.values()} == set(Rag)
    starts = {a["id"]: a["start_date"] for a in actions}
    milestone_rags = {
        milestone_assessment(
            milestone=m, action_start=starts[m["action"]], plan=plan_rows[m["plan"]], today=today
        ).rag
        for m in milestones
    }
    assert {Rag.BLUE, Rag.GREEN, Rag.RED, Rag.GREY} <= milestone_rags

    # The statutory measures on the Ombudsman plan, eight quarters each.
    kpis = await Kpi.select().where(Kpi.plan == ombudsman["id"])
    assert sorted(k["template_key"] for k in kpis) == sorted(t.key for t in TEMPLATES)
    points = await KpiDataPoint.select()
    for kpi in kpis:
        mine = sorted(p["period_end"] for p in points if p["kpi"] == kpi["id"])
        assert len(mine) == 8 and len(set(mine)) == 8 and mine[-1] < today
    assert any(p["note"] for p in points)
    assert await Kpi.count().where(Kpi.plan == wsoa["id"]) == 1
    percents = [p for p in points if p["denominator"]]
    assert any(p["value"] < 100 for p in percents)

    # The training-linked action counts completions of the EHCP course.
    course = await Course.select(Course.id).where(Course.code == "EHCP-101").first()
    links = await TrainingLink.select()
    assert len(links) == 1
    assert links[0]["course_id"] == course["id"] and links[0]["target_count"] == TRAINING_TARGET
    linked = statuses[links[0]["action"]]
    assert linked.training is not None and linked.training.completed > 0

    counts = {
        t: await t.count() for t in (Plan, Action, Milestone, DateRevision, ProgressUpdate, Kpi, KpiDataPoint)
    }
    await load_demo()
    assert {t: await t.count() for t in counts} == counts


async def load_for(today: date) -> dict[int, Rag]:
    """The action plans alone, as if loaded on `today`, into a service without the demo's teams."""
    leader = await make_person("lena@testshire.example", Role.LEADER)
    professional = await make_person("priya@testshire.example", Role.PROFESSIONAL)
    trainer = await make_person("tessa@testshire.example", Role.TRAINER)
    await load_action_plans_demo(
        leader_id=leader, professional_id=professional, trainer_id=trainer, course_id=None, today=today
    )
    plans = {p["id"]: p for p in await Plan.select()}
    columns = [getattr(Action, c) for c in ACTION_COLUMNS]
    statuses = await action_statuses(actions=await Action.select(*columns), plans=plans, today=today)
    return {action_id: status.rag for action_id, status in statuses.items()}


@pytest.mark.parametrize(
    "today", [date(2025, 1, 1), date(2024, 2, 29), date(2025, 3, 31), date(2025, 4, 1), date(2025, 12, 31)]
)
async def test_demo_plans_show_every_rag_whatever_day_they_are_loaded(today):
    rags = await load_for(today)

    assert set(rags.values()) == set(Rag)
    updates = await ProgressUpdate.select(ProgressUpdate.period_end)
    assert updates and all(u["period_end"] < today for u in updates)


def test_quarter_ends_are_the_last_eight_before_today():
    assert quarter_ends(date(2026, 11, 28), 8) == [
        date(2024, 12, 31),
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 9, 30),
        date(2025, 12, 31),
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    assert quarter_ends(date(2026, 1, 1), 2) == [date(2025, 9, 30), date(2025, 12, 31)]
    assert quarter_ends(date(2026, 3, 31), 1) == [date(2025, 12, 31)]


def test_month_ends_are_the_last_ones_before_today():
    assert month_ends(date(2024, 3, 1), 3) == [date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29)]
    assert month_ends(date(2026, 11, 28), 1) == [date(2026, 10, 31)]
