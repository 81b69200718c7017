"""A professional's journey through 'My training', and a trainer assigning the course, through the UI."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from app.audit import CLI_ACTOR
from app.enums import OrganisationKind, Role
from app.people import services as people
from courses import assignments, catalogue
from courses.assignments import DueRule
from courses.enums import DueKind, TargetKind
from courses.tables import Assignment, Completion, Course
from tests.conftest import post_form
from tests.courses.conftest import publish_course


async def assign_to(staff_id: int, course_id: int, due: date = date(2027, 3, 31)) -> None:
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.PERSON,
        target_id=staff_id,
        due=DueRule(DueKind.FIXED, on=due),
        actor=CLI_ACTOR,
    )


async def modules_of(course_id: int) -> list[dict]:
    version = await catalogue.published_version(course_id)
    return await catalogue.version_modules(version["id"])


async def test_professional_with_nothing_assigned_sees_an_empty_state(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)
    page = await client.get("/my-training")
    assert page.status_code == 200
    assert "You have no training assigned" in page.text


async def test_a_course_title_is_escaped_in_the_list(client, signed_in_as):
    # The list is written with autoescaping off for each course, the title escaped once (my_training.html).
    staff_id = await signed_in_as(Role.PROFESSIONAL)
    course_id = await publish_course()
    await Course.update({Course.title: '<script>alert("x")</script> & co'}).where(Course.id == course_id)
    await assign_to(staff_id, course_id)

    listing = await client.get("/my-training")

    assert "<script>alert" not in listing.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in listing.text


async def test_professional_completes_a_course_including_the_quiz(client, signed_in_as):
    staff_id = await signed_in_as(Role.PROFESSIONAL)
    course_id = await publish_course()
    await assign_to(staff_id, course_id)
    reading, quiz = await modules_of(course_id)

    listing = await client.get("/my-training")
    assert (
        "Course EHCP-TEST" in listing.text
        and "Not started" in listing.text
        and "31 March 2027" in listing.text
    )

    # The quiz cannot be opened before the reading is done.
    early = await client.get(f"/my-training/{course_id}/modules/{quiz['id']}", follow_redirects=False)
    assert early.status_code == 303

    page = await client.get(f"/my-training/{course_id}/modules/{reading['id']}")
    assert '<h2 class="govuk-heading-l">The law</h2>' in page.text
    done = await post_form(
        client,
        f"/my-training/{course_id}/modules/{reading['id']}/done",
        {},
        form_page=f"/my-training/{course_id}/modules/{reading['id']}",
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/my-training/{course_id}/modules/{quiz['id']}"

    quiz_page = await client.get(f"/my-training/{course_id}/modules/{quiz['id']}")
    assert quiz_page.status_code == 200
    # Unanswered questions come back with an error summary, nothing recorded.
    blank = await post_form(
        client,
        f"/my-training/{course_id}/modules/{quiz['id']}/quiz",
        {},
        form_page=f"/my-training/{course_id}/modules/{quiz['id']}",
    )
    assert blank.status_code == 400 and "Answer question 1" in blank.text

    answers: dict[str, list[str]] = {}
    for question in quiz["questions"]:
        answers[f"q{question['id']}"] = [str(o["id"]) for o in question["options"] if o["correct"]]
    result = await post_form(
        client,
        f"/my-training/{course_id}/modules/{quiz['id']}/quiz",
        answers,
        form_page=f"/my-training/{course_id}/modules/{quiz['id']}",
    )
    assert result.status_code == 303
    shown = await client.get(result.headers["location"])
    assert "You passed" in shown.text and "100%" in shown.text

    course_page = await client.get(f"/my-training/{course_id}")
    assert "Completed" in course_page.text
    completion = await Completion.select().where(Completion.staff == staff_id).first()
    assert f"/certificates/{completion['id']}.pdf" in course_page.text


async def test_a_wrong_answer_fails_and_offers_another_try(client, signed_in_as):
    staff_id = await signed_in_as(Role.PROFESSIONAL)
    course_id = await publish_course()
    await assign_to(staff_id, course_id)
    reading, quiz = await modules_of(course_id)
    await post_form(
        client,
        f"/my-training/{course_id}/modules/{reading['id']}/done",
        {},
        form_page=f"/my-training/{course_id}/modules/{reading['id']}",
    )
    wrong = {
        f"q{q['id']}": [str(o["id"]) for o in q["options"] if not o["correct"]][:1] for q in quiz["questions"]
    }
    result = await post_form(
        client,
        f"/my-training/{course_id}/modules/{quiz['id']}/quiz",
        wrong,
        form_page=f"/my-training/{course_id}/modules/{quiz['id']}",
    )
    shown = await client.get(result.headers["location"])
    assert "You did not pass this time" in shown.text and "Try again" in shown.text
    assert await Completion.count() == 0


async def test_professional_cannot_open_a_course_not_assigned_to_them(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)
    course_id = await publish_course()
    reading, _ = await modules_of(course_id)
    assert (await client.get(f"/my-training/{course_id}")).status_code == 404
    assert (await client.get(f"/my-training/{course_id}/modules/{reading['id']}")).status_code == 404
    response = await post_form(
        client, f"/my-training/{course_id}/modules/{reading['id']}/done", {}, form_page="/my-training"
    )
    assert response.status_code == 404


async def test_trainer_assigns_the_course_to_a_team_and_sees_the_rule(client, signed_in_as):
    from app.enums import OrganisationKind
    from app.people import services as people
    from app.people.services import StaffDetails

    await signed_in_as(Role.TRAINER)
    course_id = await publish_course()
    organisation_id = await people.create_organisation(
        name="Testshire", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    team_id = await people.create_team(
        name="Annual Reviews", organisation_id=organisation_id, actor=CLI_ACTOR
    )
    for n in range(2):
        await people.create_staff(
            details=StaffDetails(
                email=f"cw{n}@testshire.example",
                full_name=f"Case {n}",
                organisation_id=organisation_id,
                team_id=team_id,
            ),
            actor=CLI_ACTOR,
        )

    missing = await post_form(client, f"/courses/{course_id}/assign", {"target": ""})
    assert missing.status_code == 400
    assert 'href="#target"' in missing.text and 'href="#due_kind"' in missing.text

    response = await post_form(
        client,
        f"/courses/{course_id}/assign",
        {"target": f"team:{team_id}", "due_kind": "after_assignment", "due_days": "30"},
    )
    assert response.status_code == 303
    rules = await client.get(response.headers["location"])
    assert "assigned to 2 people" in rules.text
    assert "A team: Annual Reviews" in rules.text and "30 days after assignment" in rules.text
    assert await Assignment.count().where(Assignment.course == course_id) == 2


async def test_trainer_bulk_assigns_ticked_people_and_unassigns_one_with_a_reason(client, signed_in_as):
    trainer_id = await signed_in_as(Role.TRAINER)
    course_id = await publish_course()
    page = await client.get(f"/courses/{course_id}/assign-people")
    assert page.status_code == 200
    response = await post_form(
        client,
        f"/courses/{course_id}/assign-people",
        {
            "staff": [str(trainer_id)],
            "due_kind": "fixed",
            "due_on-day": "31",
            "due_on-month": "3",
            "due_on-year": "2027",
        },
    )
    assert response.status_code == 303
    (assignment,) = await Assignment.select().where(Assignment.course == course_id)
    assert assignment["due_on"] == date(2027, 3, 31) and assignment["from_rule"] is None

    no_reason = await post_form(client, f"/assignments/{assignment['id']}/end", {"reason": ""})
    assert no_reason.status_code == 400 and "Say why" in no_reason.text
    ended = await post_form(client, f"/assignments/{assignment['id']}/end", {"reason": "Moved to finance"})
    assert ended.status_code == 303
    row = await Assignment.select().where(Assignment.id == assignment["id"]).first()
    assert row["end_reason"] == "Moved to finance" and row["ended_at"] is not None


async def test_leader_cannot_assign_courses(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    course_id = await publish_course()
    assert (await client.get(f"/courses/{course_id}/assign")).status_code == 403
    assert re.search("permission", (await client.get(f"/courses/{course_id}/rules")).text)


async def test_the_people_filter_form_submitted_as_it_stands_works(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course()
    page = await client.get(
        f"/courses/{course_id}/assign-people",
        params={"q": "", "organisation": "", "team": "", "job_role": ""},
    )
    assert page.status_code == 200


async def test_the_people_filter_lists_the_chosen_organisations_teams(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course()
    health = await people.create_organisation(
        name="Testshire Health", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
    )
    await people.create_team(name="Therapy", organisation_id=health, actor=CLI_ACTOR)
    await people.create_team(name="Nursing", organisation_id=health, actor=CLI_ACTOR)

    def teams(html: str) -> list[str]:
        select = re.search(r'<select class="govuk-select" id="team".*?</select>', html, re.S)
        assert select
        return [unescape(o) for o in re.findall(r"<option[^>]*>([^<]+)</option>", select.group(0))]

    # A large council has thousands of teams: they are listed once an organisation is chosen.
    everyone = (await client.get(f"/courses/{course_id}/assign-people")).text
    assert teams(everyone) == ["All teams"] and "Choose an organisation and filter" in everyone
    chosen = (await client.get(f"/courses/{course_id}/assign-people", params={"organisation": health})).text
    assert teams(chosen) == [
        "All teams",
        "Testshire Health \u2013 Nursing",
        "Testshire Health \u2013 Therapy",
    ]
