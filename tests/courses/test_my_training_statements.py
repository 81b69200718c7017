"""'My training' and a learner's course pages issue the same number of SQL statements however many
courses a person has, in every state, read from the real engine's statement counter (engine.query_id)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from app.audit import CLI_ACTOR, Actor
from app.database import get_engine
from app.enums import Role
from courses import catalogue, learning
from courses.catalogue import VersionContent
from courses.enums import CompletionSource, TrainingStatus
from courses.tables import Assignment
from tests.courses.conftest import publish_course, two_question_quiz
from tests.courses.test_my_training_pages import assign_to

SOON = date.today() + timedelta(days=90)


async def complete(staff_id: int, course_id: int, *, days_ago: int = 0) -> None:
    await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=date.today() - timedelta(days=days_ago),
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        backdate_reason="Paper register" if days_ago else "",
    )


async def courses_in_every_state(staff_id: int, batch: int) -> dict[str, int]:
    """Five assigned courses: completed, expired, in progress (after an old completion), redo required
    (a version needing re-completion published after the completion) and overdue."""
    ids = {}
    ids["completed"] = await publish_course(f"DONE-{batch}")
    await assign_to(staff_id, ids["completed"], due=SOON)
    await complete(staff_id, ids["completed"])

    ids["expired"] = await publish_course(f"EXPIRED-{batch}", recertify_months=12)
    await assign_to(staff_id, ids["expired"], due=SOON)
    await complete(staff_id, ids["expired"], days_ago=400)

    ids["in_progress"] = await publish_course(f"BUSY-{batch}", recertify_months=12)
    await assign_to(staff_id, ids["in_progress"], due=SOON)
    plan = await learning.course_plan(staff_id=staff_id, course_id=ids["in_progress"])
    assert plan is not None
    actor = Actor(staff_id, "professional@testshire.example")
    # The reading done before the expired completion belongs to it, not to the renewal.
    await learning.mark_module_done(plan=plan, module_id=plan.modules[0]["id"], actor=actor)
    await complete(staff_id, ids["in_progress"], days_ago=400)
    plan = await learning.course_plan(staff_id=staff_id, course_id=ids["in_progress"])
    assert plan is not None and not plan.done_ids
    await learning.mark_module_done(plan=plan, module_id=plan.modules[0]["id"], actor=actor)

    ids["redo"] = await publish_course(f"REDO-{batch}")
    await assign_to(staff_id, ids["redo"], due=SOON)
    await complete(staff_id, ids["redo"])
    content = VersionContent(estimated_minutes=30, pass_mark=50, modules=[two_question_quiz()])
    await catalogue.replace_draft_content(course_id=ids["redo"], content=content, actor=CLI_ACTOR)
    await catalogue.publish(
        course_id=ids["redo"], requires_recompletion=True, reason="Guidance changed", actor=CLI_ACTOR
    )

    ids["overdue"] = await publish_course(f"LATE-{batch}")
    await assign_to(staff_id, ids["overdue"], due=date.today() - timedelta(days=1))
    return ids


async def statements(client, url: str) -> int:
    engine = get_engine()
    before = engine.query_id
    response = await client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return engine.query_id - before


async def test_my_training_issues_one_statement_for_every_state(signed_in_as):
    staff_id = await signed_in_as(Role.PROFESSIONAL, email="professional@testshire.example")
    ids = await courses_in_every_state(staff_id, 1)

    engine = get_engine()
    before = engine.query_id
    items = {i.course_id: i for i in await learning.my_training(staff_id=staff_id)}
    assert engine.query_id - before == 1

    today = date.today()
    completed, expired = items[ids["completed"]], items[ids["expired"]]
    assert completed.status is TrainingStatus.COMPLETED and completed.completed_on == today
    assert completed.expires_on == learning.expiry_for(today, 24)
    assert expired.status is TrainingStatus.EXPIRED and expired.due_on == expired.expires_on < today
    busy = items[ids["in_progress"]]
    assert busy.status is TrainingStatus.EXPIRED and (busy.modules_done, busy.modules_total) == (1, 2)
    redo = items[ids["redo"]]
    assert redo.status is TrainingStatus.NOT_STARTED and redo.completion_id is not None
    assert (redo.modules_done, redo.modules_total) == (0, 1)
    overdue = items[ids["overdue"]]
    assert overdue.status is TrainingStatus.OVERDUE and overdue.completion_id is None
    assert all(isinstance(i.due_on, date) and isinstance(i.mandatory, bool) for i in items.values())


async def test_learner_pages_issue_the_same_statements_for_5_and_15_courses(client, signed_in_as):
    staff_id = await signed_in_as(Role.PROFESSIONAL, email="professional@testshire.example")
    first = await courses_in_every_state(staff_id, 1)
    busy = await learning.course_plan(staff_id=staff_id, course_id=first["in_progress"])
    assert busy is not None
    pages = [
        "/my-training",
        f"/my-training/{first['in_progress']}",
        f"/my-training/{first['in_progress']}/modules/{busy.modules[0]['id']}",
    ]
    few = [await statements(client, page) for page in pages]

    for batch in (2, 3):
        await courses_in_every_state(staff_id, batch)
    assert len(await learning.my_training(staff_id=staff_id)) == 15
    many = [await statements(client, page) for page in pages]
    assert many == few

    listing = await client.get("/my-training")
    for label in ("Completed", "Expired", "Not started", "Overdue"):
        assert label in listing.text


@pytest.mark.skipif(
    not isinstance(get_engine(), SQLiteEngine), reason="the plan checked is SQLite's (a few rows here)"
)
async def test_modules_done_are_read_from_each_modules_progress_not_all_of_the_persons():
    # Read from all the person's progress, the list's query grew with courses x modules done.
    query = f"EXPLAIN QUERY PLAN {learning._my_training_sql()}"
    plan = " | ".join(row["detail"] for row in await Assignment.raw(query, True, "draft", "published", 1))

    assert "SEARCH mp USING INDEX module_progress_staff_module (staff=? AND module=?)" in plan
