from datetime import date, timedelta

import pytest

from app.audit import CLI_ACTOR, Actor
from courses import assignments, catalogue, learning
from courses.assignments import DueRule
from courses.enums import CompletionSource, DueKind, TargetKind, TrainingStatus
from courses.learning import LearningError
from courses.tables import Completion, Course, QuizAttempt
from tests.courses.conftest import add_staff, publish_course, two_question_quiz

TODAY = date(2026, 11, 27)


async def assigned_person(course_id, organisation, email="learner@testshire.example", due=date(2027, 3, 31)):
    staff_id = await add_staff(organisation, email)
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.PERSON,
        target_id=staff_id,
        due=DueRule(DueKind.FIXED, on=due),
        actor=CLI_ACTOR,
        today=TODAY,
    )
    return staff_id


def right_answers(questions):
    return {q["id"]: {o["id"] for o in q["options"] if o["correct"]} for q in questions}


async def test_professional_works_through_modules_in_order_and_completes(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation)
    actor = Actor(staff_id, "learner@testshire.example")
    plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
    reading, quiz = plan.modules
    assert not plan.may_open(quiz["id"])
    with pytest.raises(LearningError, match="earlier"):
        await learning.submit_attempt(plan=plan, module_id=quiz["id"], answers={}, actor=actor)

    assert (
        await learning.mark_module_done(plan=plan, module_id=reading["id"], actor=actor, today=TODAY) is None
    )
    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY)
    assert item.status is TrainingStatus.IN_PROGRESS and item.percent == 50

    attempt = await learning.open_attempt(staff_id=staff_id, module_id=quiz["id"])
    questions = await learning.attempt_questions(attempt)
    result = await learning.submit_attempt(
        plan=plan, module_id=quiz["id"], answers=right_answers(questions), actor=actor, today=TODAY
    )
    assert result.passed and result.score == 100 and result.completion_id is not None

    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY)
    assert item.status is TrainingStatus.COMPLETED
    assert item.completed_on == TODAY
    assert item.expires_on == date(2028, 11, 27)


async def test_a_failed_quiz_is_recorded_and_can_be_retried(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation)
    actor = Actor(staff_id, "learner@testshire.example")
    plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
    reading, quiz = plan.modules
    await learning.mark_module_done(plan=plan, module_id=reading["id"], actor=actor)
    questions = await learning.attempt_questions(
        await learning.open_attempt(staff_id=staff_id, module_id=quiz["id"])
    )
    wrong = {q["id"]: {o["id"] for o in q["options"] if not o["correct"]} for q in questions}
    result = await learning.submit_attempt(plan=plan, module_id=quiz["id"], answers=wrong, actor=actor)
    assert not result.passed and result.score == 0 and result.completion_id is None

    retry = await learning.open_attempt(staff_id=staff_id, module_id=quiz["id"])
    questions = await learning.attempt_questions(retry)
    assert (
        await learning.submit_attempt(
            plan=plan, module_id=quiz["id"], answers=right_answers(questions), actor=actor
        )
    ).passed
    assert await QuizAttempt.count().where(QuizAttempt.staff == staff_id) == 2


async def test_question_order_stays_the_same_within_an_attempt(organisation):
    many = two_question_quiz()
    many.questions = many.questions * 5
    course_id = await publish_course("QUIZ-ORDER", modules=[many])
    staff_id = await assigned_person(course_id, organisation)
    first = await learning.open_attempt(
        staff_id=staff_id,
        module_id=(await catalogue.version_modules((await catalogue.published_version(course_id))["id"]))[0][
            "id"
        ],
    )
    again = await learning.open_attempt(staff_id=staff_id, module_id=first["module"])
    assert first["id"] == again["id"]
    assert first["question_order"] == again["question_order"]
    assert sorted(first["question_order"]) != [] and len(first["question_order"]) == 10


async def test_an_unanswered_question_is_sent_back_not_marked(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation)
    actor = Actor(staff_id, "learner@testshire.example")
    plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
    await learning.mark_module_done(plan=plan, module_id=plan.modules[0]["id"], actor=actor)
    result = await learning.submit_attempt(
        plan=plan, module_id=plan.modules[1]["id"], answers={}, actor=actor
    )
    assert len(result.unanswered) == 2
    assert await QuizAttempt.count().where(QuizAttempt.submitted_at.is_not_null()) == 0


async def test_overdue_expiring_and_expired(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation, due=date(2026, 10, 1))
    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY)
    assert item.status is TrainingStatus.OVERDUE

    completed_on = TODAY - timedelta(days=700)  # 24-month course: expires 2026-12-31ish
    await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=completed_on,
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        evidence="Attended the March briefing",
        backdate_reason="Paper register",
        today=TODAY,
    )
    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY)
    assert item.status is TrainingStatus.EXPIRING_SOON
    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY + timedelta(days=60))
    assert item.status is TrainingStatus.EXPIRED


async def test_a_backdated_completion_needs_a_reason_and_history_is_kept(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation)
    with pytest.raises(LearningError, match="reason"):
        await learning.record_completion(
            staff_id=staff_id,
            course_id=course_id,
            completed_on=TODAY - timedelta(days=3),
            source=CompletionSource.OFFLINE,
            actor=CLI_ACTOR,
            today=TODAY,
        )
    with pytest.raises(LearningError, match="future"):
        await learning.record_completion(
            staff_id=staff_id,
            course_id=course_id,
            completed_on=TODAY + timedelta(days=1),
            source=CompletionSource.OFFLINE,
            actor=CLI_ACTOR,
            today=TODAY,
        )
    for days in (800, 10):
        await learning.record_completion(
            staff_id=staff_id,
            course_id=course_id,
            completed_on=TODAY - timedelta(days=days),
            source=CompletionSource.OFFLINE,
            actor=CLI_ACTOR,
            backdate_reason="Register",
            today=TODAY,
        )
    rows = await Completion.select().where(Completion.staff == staff_id)
    assert len(rows) == 2
    assert len({r["certificate_code"] for r in rows}) == 2


async def test_publishing_a_version_that_must_be_redone_reopens_the_course(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation)
    await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=TODAY,
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        today=TODAY,
    )
    content = catalogue.VersionContent(estimated_minutes=30, pass_mark=50, modules=[two_question_quiz()])
    await catalogue.replace_draft_content(course_id=course_id, content=content, actor=CLI_ACTOR)
    with pytest.raises(catalogue.CatalogueError):
        await catalogue.publish(course_id=course_id, requires_recompletion=True, reason="", actor=CLI_ACTOR)
    await catalogue.publish(
        course_id=course_id,
        requires_recompletion=True,
        reason="Regulation 20 guidance changed",
        actor=CLI_ACTOR,
    )
    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY)
    assert item.status is not TrainingStatus.COMPLETED


async def test_certificate_codes_verify_with_only_name_course_and_dates(course_id, organisation):
    staff_id = await assigned_person(course_id, organisation)
    completion_id = await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=TODAY,
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        today=TODAY,
    )
    code = (await learning.completion_for_certificate(completion_id))["certificate_code"]
    found = await learning.verify_code(code.lower())
    assert found == {
        "full_name": "Learner",
        "course_title": "Course EHCP-TEST",
        "completed_on": TODAY,
        "expires_on": date(2028, 11, 27),
    }
    assert await learning.verify_code("AAAA-BBBB-CCCC") is None


async def test_my_training_hands_back_each_value_as_stored(organisation):
    # The list comes from the database as one JSON text (learning._MY_TRAINING_SQL): text, flags, dates
    # and missing values must come back as they were stored, on both backends.
    course_id = await publish_course("JSON-1")
    title = 'Duties "under" the Act \\ s.44 \u2013 Ysgol Gymraeg \u2602 </script>'
    await Course.update({Course.title: title, Course.mandatory: False}).where(Course.id == course_id)
    staff_id = await assigned_person(course_id, organisation)

    (item,) = await learning.my_training(staff_id=staff_id, today=TODAY)

    assert (item.title, item.code) == (title, "JSON-1") and item.mandatory is False
    assert (item.due_on, item.completed_on, item.expires_on, item.completion_id) == (
        date(2027, 3, 31),
        None,
        None,
        None,
    )
    assert (item.status, item.modules_done, item.modules_total) == (TrainingStatus.NOT_STARTED, 0, 2)
    assert type(item.due_on) is date and type(item.course_id) is int
