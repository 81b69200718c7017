"""The benchmark generator still writes data the app can read: a tiny run against the test database."""

from __future__ import annotations

import os

from app.audit import CLI_ACTOR
from app.tables import Organisation, Staff, Team
from courses import compliance, learning
from courses.compliance import Grouping, Scope
from courses.tables import Assignment, Completion, Course, CourseVersion, Module, ModuleProgress
from tests.benchmarks.generate import GeneratorError, generate


async def test_generator_writes_the_counts_asked_for_in_data_the_app_reads():
    counts = await generate(
        database_url=os.environ["ASSURE_DATABASE_URL"], staff=200, assignments=2_000, courses=12, seed=3
    )

    assert counts.sign_ins_created == 4
    assert await Staff.count() == 204
    assert counts.staff == 200
    assert await Assignment.count() == counts.assignments == 2_000
    assert await Course.count() == 12
    assert await CourseVersion.count() == 12
    assert await Module.count() == counts.modules >= 36
    assert await Completion.count() == counts.completions > 0
    assert await ModuleProgress.count() == counts.module_progress > 0
    assert await Team.count() == counts.teams == 8
    # One open assignment at most per person and course.
    duplicates = await Assignment.raw(
        "SELECT staff, course FROM assignment WHERE ended_at IS NULL "
        "GROUP BY staff, course HAVING COUNT(*) > 1"
    )
    assert duplicates == []

    # The professional signs in to a realistic list, and the app's own queries read the rows.
    professional = (
        await Staff.select(Staff.id).where(Staff.email == "professional@northbrook.example").first()
    )
    items = await learning.my_training(staff_id=professional["id"])
    assert 8 <= len(items) <= 10  # 2,000 over 204 people, less any ended
    course = await Course.select(Course.id).where(Course.mandatory == True).first()  # noqa: E712
    table = await compliance.compliance_table(
        course_id=course["id"], scope=Scope(), grouping=Grouping.ORGANISATION
    )
    assert table is not None and table.total.assigned > 150
    assert table.total.compliant > 0


async def test_generator_refuses_to_run_twice_on_one_database():
    url = os.environ["ASSURE_DATABASE_URL"]
    await generate(database_url=url, staff=10, assignments=20, courses=2)
    try:
        await generate(database_url=url, staff=10, assignments=20, courses=2)
    except GeneratorError as error:
        assert "already" in str(error)
    else:
        raise AssertionError("a second run was allowed")
    assert await Organisation.count() == 8 + 1


async def test_generator_adds_a_board_whose_plans_a_board_report_reads():
    from datetime import date

    from action_plans.tables import Action, Milestone, Plan, ProgressUpdate, TrainingLink
    from app.reports.data import build_report
    from app.tables import Board

    today = date(2026, 11, 15)
    counts = await generate(
        database_url=os.environ["ASSURE_DATABASE_URL"],
        staff=300,
        assignments=1_000,
        courses=12,
        seed=5,
        today=today,
        actions=250,
        milestones=1_000,
    )

    assert (counts.boards, counts.plans, counts.priority_areas) == (1, 2, 10)
    assert await Action.count() == counts.actions == 250
    assert await Milestone.count() == counts.milestones == 1_000
    assert await ProgressUpdate.count() == counts.progress_updates > 0
    assert await TrainingLink.count() == 1
    board = await Board.select(Board.id).first()
    assert await Plan.count().where(Plan.board == board["id"]) == 2

    report = await build_report(board_id=board["id"], period_end=date(2026, 9, 30), generated_by="test")

    assert sum(sum(p.rag_counts.values()) for p in report.plans) == 250
    assert len(report.kpis) == 14 and report.slippage and report.milestones_due
    assert report.compliance and sum(r.assigned for r in report.compliance) > 200


async def test_the_caseworkers_list_is_the_same_before_and_after_the_generator():
    # bench_pages compares "My training" at demo and large size for this person: the list must not grow.
    from courses import content
    from courses.demo import WORKSHOP_COURSE
    from courses.enums import TrainingStatus
    from tests.benchmarks.prepare import CASEWORKER, add_caseworker

    for course in (content.EHCP_COURSE, WORKSHOP_COURSE):
        await content.import_course(course, actor=CLI_ACTOR)
    staff_id = await add_caseworker()
    before = await learning.my_training(staff_id=staff_id)
    assert [(i.code, i.status, i.modules_done) for i in before] == [
        ("EHCP-101", TrainingStatus.IN_PROGRESS, 2),
        ("EHCP-201", TrainingStatus.COMPLETED, 0),
    ]
    assert (await Staff.select(Staff.email).where(Staff.id == staff_id).first())["email"] == CASEWORKER

    await generate(
        database_url=os.environ["ASSURE_DATABASE_URL"], staff=50, assignments=500, courses=6, seed=5
    )
    assert await learning.my_training(staff_id=staff_id) == before
