from datetime import date, timedelta

import pytest

from app.audit import CLI_ACTOR
from courses import assignments
from courses.assignments import AssignmentError, DueRule
from courses.enums import DueKind, TargetKind
from courses.tables import Assignment
from tests.courses.conftest import add_staff

TODAY = date(2026, 11, 27)


async def open_assignments(course_id):
    return (
        await Assignment.select()
        .where((Assignment.course == course_id) & Assignment.ended_at.is_null())
        .order_by(Assignment.staff)
    )


async def test_assigning_a_course_to_a_team_assigns_everyone_in_it(course_id, organisation):
    in_team = [await add_staff(organisation, f"p{i}@testshire.example") for i in range(3)]
    await add_staff(organisation, "other@testshire.example", team="other_team_id")
    rule_id, count = await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=organisation["team_id"],
        due=DueRule(DueKind.FIXED, on=date(2027, 3, 31)),
        actor=CLI_ACTOR,
        today=TODAY,
    )
    assert count == 3
    rows = await open_assignments(course_id)
    assert [r["staff"] for r in rows] == in_team
    assert {r["due_on"] for r in rows} == {date(2027, 3, 31)}
    assert {r["from_rule"] for r in rows} == {rule_id}


async def test_a_new_starter_in_a_covered_team_gets_the_course_with_the_right_due_date(
    course_id, organisation
):
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=organisation["team_id"],
        due=DueRule(DueKind.AFTER_START, days=30),
        actor=CLI_ACTOR,
        today=TODAY,
    )
    starter = await add_staff(organisation, "new@testshire.example", start_date=date(2027, 1, 4))
    assert await assignments.apply_rules_to_staff(staff_ids=[starter], today=TODAY) == 1
    (row,) = await open_assignments(course_id)
    assert row["staff"] == starter
    assert row["due_on"] == date(2027, 2, 3)  # 30 days after their first day


async def test_people_already_in_post_get_days_from_assignment_not_a_past_date(course_id, organisation):
    await add_staff(organisation, "old@testshire.example", start_date=date(2015, 9, 1))
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=organisation["team_id"],
        due=DueRule(DueKind.AFTER_START, days=30),
        actor=CLI_ACTOR,
        today=TODAY,
    )
    (row,) = await open_assignments(course_id)
    assert row["due_on"] == date(2026, 12, 27)


async def test_applying_rules_twice_assigns_once(course_id, organisation):
    person = await add_staff(organisation, "p@testshire.example")
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.ORGANISATION,
        target_id=organisation["organisation_id"],
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=60),
        actor=CLI_ACTOR,
        today=TODAY,
    )
    assert await assignments.apply_rules_to_staff(staff_ids=[person], today=TODAY) == 0
    assert len(await open_assignments(course_id)) == 1


async def test_ending_a_rule_unassigns_with_the_reason_and_keeps_the_records(course_id, organisation):
    await add_staff(organisation, "p@testshire.example")
    rule_id, _ = await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=organisation["team_id"],
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=60),
        actor=CLI_ACTOR,
        today=TODAY,
    )
    with pytest.raises(AssignmentError):
        await assignments.end_rule(rule_id=rule_id, reason=" ", actor=CLI_ACTOR)
    assert await assignments.end_rule(rule_id=rule_id, reason="Team restructured", actor=CLI_ACTOR) == 1
    assert await open_assignments(course_id) == []
    (row,) = await Assignment.select().where(Assignment.course == course_id)
    assert row["end_reason"] == "Rule ended: Team restructured"


async def test_a_rule_needs_a_due_date_and_a_real_target(course_id, organisation):
    with pytest.raises(AssignmentError, match="date"):
        await assignments.create_rule(
            course_id=course_id,
            target_kind=TargetKind.TEAM,
            target_id=organisation["team_id"],
            due=DueRule(DueKind.FIXED),
            actor=CLI_ACTOR,
        )
    with pytest.raises(AssignmentError, match="who"):
        await assignments.create_rule(
            course_id=course_id,
            target_kind=TargetKind.TEAM,
            target_id=999_999,
            due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
            actor=CLI_ACTOR,
        )


async def test_a_person_added_by_an_admin_into_a_covered_team_gets_the_course(
    client, signed_in_as, course_id, organisation
):
    from app.enums import Role
    from tests.conftest import post_form

    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=organisation["team_id"],
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
        actor=CLI_ACTOR,
    )
    await signed_in_as(Role.ADMIN)
    response = await post_form(
        client,
        "/admin/staff/new",
        {
            "full_name": "New Starter",
            "email": "starter@testshire.example",
            "organisation": str(organisation["organisation_id"]),
            "team": str(organisation["team_id"]),
        },
    )
    assert response.status_code == 303, response.text
    (row,) = await open_assignments(course_id)
    assert row["due_on"] == date.today() + timedelta(days=30)
