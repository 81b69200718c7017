"""Trainers write, preview, publish, revise and retire courses through the course pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app import audit
from app.audit import CLI_ACTOR
from app.database import get_engine
from app.enums import Role
from courses import catalogue
from courses.catalogue import CatalogueError, ModuleFields, OptionContent, QuestionContent
from courses.enums import ModuleKind, VersionStatus
from courses.markdown import render_markdown
from courses.tables import AnswerOption, Course, CourseVersion, Module, Question
from tests.conftest import post_form
from tests.courses.conftest import publish_course, two_question_quiz

READING = """## What the law says

The council **must** decide within 6 weeks.

- a parent
- a young person
"""


def question_form(text: str, options: list[tuple[str, bool]], *, multiple: bool = False, feedback: str = ""):
    data: dict[str, object] = {"text": text, "multiple": "yes" if multiple else "no", "feedback": feedback}
    for number, (option, _) in enumerate(options, start=1):
        data[f"option-{number}"] = option
    data["correct"] = [str(n) for n, (_, right) in enumerate(options, start=1) if right]
    return data


def module_form(kind: ModuleKind, title: str, *, body: str = "", url: str = "", minutes: str = "10"):
    return {"kind": kind.value, "title": title, "body": body, "url": url, "estimated_minutes": minutes}


async def create_course(client, code: str = "EHCP-101", title: str = "Annual reviews in practice") -> int:
    response = await post_form(
        client,
        "/courses/new",
        {
            "code": code,
            "title": title,
            "summary": "For caseworkers",
            "mandatory": "yes",
            "recertify_months": "24",
        },
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/courses/(\d+)/draft", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def add_module(client, course_id: int, data: dict[str, object]):
    return await post_form(
        client,
        f"/courses/{course_id}/draft/modules/new",
        data,
        form_page=f"/courses/{course_id}/draft/modules/new?kind={data['kind']}",
    )


async def draft_modules(course_id: int) -> list[dict]:
    draft = await catalogue.draft_version(course_id)
    assert draft is not None
    return await catalogue.version_modules(draft["id"])


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every SQL statement run inside the block (patched on the class: the engine's attributes are slots)."""
    engine_class = type(get_engine())
    original = engine_class.run_querystring
    seen: list[str] = []

    async def counted(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


# --- the whole story ---------------------------------------------------------------------------------


async def test_trainer_writes_a_course_previews_it_and_publishes_it(client, signed_in_as):
    await signed_in_as(Role.TRAINER, email="tess.trainer@testshire.example")
    courses_page = await client.get("/courses")
    assert courses_page.status_code == 200
    assert "There are no courses yet" in courses_page.text

    course_id = await create_course(client)
    draft_page = await client.get(f"/courses/{course_id}/draft")
    assert "Draft version 1" in draft_page.text
    assert "This draft has no modules yet" in draft_page.text

    response = await add_module(client, course_id, module_form(ModuleKind.READING, "The law", body=READING))
    assert response.status_code == 303
    response = await add_module(
        client,
        course_id,
        module_form(
            ModuleKind.LINK,
            "Watch: a review meeting",
            url="https://www.youtube.com/watch?v=abc",
            body="Watch it",
        ),
    )
    assert response.status_code == 303
    response = await add_module(client, course_id, module_form(ModuleKind.QUIZ, "Check your understanding"))
    assert response.status_code == 303
    quiz_page = response.headers["location"]
    quiz_id = int(re.search(r"/modules/(\d+)/edit", quiz_page).group(1))  # type: ignore[union-attr]
    assert "This quiz has no questions yet" in (await client.get(quiz_page)).text

    questions = [
        question_form(
            "How long has the council to decide whether to assess?",
            [("6 weeks", True), ("20 weeks", False), ("12 months", False)],
            feedback="Regulation 5(1): 6 weeks from the request.",
        ),
        question_form(
            "Who can ask for an assessment?",
            [("A parent", True), ("A young person", True), ("A neighbour", False)],
            multiple=True,
        ),
    ]
    new_question = f"/courses/{course_id}/draft/modules/{quiz_id}/questions/new"
    for data in questions:
        response = await post_form(client, new_question, data)
        assert response.status_code == 303, response.text
    quiz = (await client.get(quiz_page)).text
    assert "Question 2" in quiz and "A young person <strong>(right answer)</strong>" in quiz

    response = await post_form(
        client, f"/courses/{course_id}/draft/settings", {"estimated_minutes": "45", "pass_mark": "80"}
    )
    assert response.status_code == 303

    preview = await client.get(f"/courses/{course_id}/draft/preview")
    assert preview.status_code == 200
    assert '<h2 class="govuk-heading-l">What the law says</h2>' in preview.text
    assert "<strong>must</strong>" in preview.text
    assert 'href="https://www.youtube.com/watch?v=abc"' in preview.text
    assert "How long has the council to decide whether to assess?" in preview.text
    assert 'type="checkbox"' in preview.text  # the multiple-answer question
    assert "Learners cannot see it until it is published" in preview.text

    publish_page = await client.get(f"/courses/{course_id}/publish")
    assert "must complete it again" not in publish_page.text  # nobody has completed a first version
    response = await post_form(client, f"/courses/{course_id}/publish", {})
    assert response.status_code == 303
    course_page = await client.get(response.headers["location"])
    assert "Version 1 of Annual reviews in practice published" in course_page.text
    assert "Published v1" in course_page.text
    assert "Tess Trainer" in course_page.text  # who published it, in the version history

    published = await catalogue.published_version(course_id)
    assert published is not None and published["pass_mark"] == 80 and published["estimated_minutes"] == 45
    modules = await catalogue.version_modules(published["id"])
    assert [m["kind"] for m in modules] == ["reading", "link", "quiz"]
    assert [len(q["options"]) for q in modules[2]["questions"]] == [3, 3]
    assert "Published v1" in (await client.get("/courses")).text

    trail = await audit.list_entries(page=1, per_page=100, entity="course", entity_id=str(course_id))
    summaries = [e["summary"] for e in trail.entries]
    assert any("Reading module 'The law' added" in s for s in summaries)
    assert sum("Question added" in s for s in summaries) == 2
    assert any("Version 1 published" in s for s in summaries)
    assert all(e["actor_label"] == "tess.trainer@testshire.example" for e in trail.entries)


async def test_published_course_changes_through_a_new_draft_that_everyone_must_complete_again(
    client, signed_in_as
):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course("EHCP-200")
    response = await post_form(
        client, f"/courses/{course_id}/new-draft", {}, form_page=f"/courses/{course_id}"
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/courses/{course_id}/draft"

    reading = (await draft_modules(course_id))[0]
    assert reading["title"] == "Duties"  # the draft starts as a copy of version 1
    response = await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{reading['id']}/edit",
        {
            "title": "Duties under the 2014 Act",
            "body": "## The law\n\nReviews within 12 months.",
            "estimated_minutes": "15",
        },
    )
    assert response.status_code == 303

    response = await post_form(
        client, f"/courses/{course_id}/publish", {"requires_recompletion": "yes", "reason": ""}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Say what changed" in response.text

    response = await post_form(
        client,
        f"/courses/{course_id}/publish",
        {"requires_recompletion": "yes", "reason": "Annual review timescales corrected"},
    )
    assert response.status_code == 303
    page = (await client.get(f"/courses/{course_id}")).text
    history = page.split("Version history")[1]
    assert re.search(r">2 \(current\)<", history) and re.search(r">1<", history)
    assert "Annual review timescales corrected" in history
    assert "Yes" in history

    versions = (
        await CourseVersion.select().where(CourseVersion.course == course_id).order_by(CourseVersion.number)
    )
    assert [v["status"] for v in versions] == [VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED]
    assert versions[1]["requires_recompletion"] is True
    first_titles = [m["title"] for m in await catalogue.version_modules(versions[0]["id"])]
    assert first_titles[0] == "Duties"  # what learners took in version 1 is kept as it was


# --- validation -------------------------------------------------------------------------------------


async def test_publishing_a_quiz_without_a_pass_mark_is_refused_with_a_link_to_the_fix(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    await add_module(client, course_id, module_form(ModuleKind.QUIZ, "Quiz"))
    quiz = (await draft_modules(course_id))[0]
    await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{quiz['id']}/questions/new",
        question_form("Six weeks or twenty?", [("6", True), ("20", False)]),
    )
    response = await post_form(client, f"/courses/{course_id}/publish", {})
    assert response.status_code == 400
    assert "A course with quizzes needs a pass mark" in response.text
    assert f'href="/courses/{course_id}/draft/settings"' in response.text
    assert await catalogue.published_version(course_id) is None


async def test_publishing_a_quiz_without_questions_is_refused(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    await add_module(client, course_id, module_form(ModuleKind.QUIZ, "Quiz"))
    await post_form(
        client, f"/courses/{course_id}/draft/settings", {"estimated_minutes": "20", "pass_mark": "70"}
    )
    response = await post_form(client, f"/courses/{course_id}/publish", {})
    assert response.status_code == 400
    assert "needs at least one question" in response.text
    assert await catalogue.published_version(course_id) is None


async def test_publishing_an_empty_draft_is_refused(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    response = await post_form(client, f"/courses/{course_id}/publish", {})
    assert response.status_code == 400
    assert "The draft has no modules yet" in response.text


@pytest.mark.parametrize(
    ("options", "multiple", "message"),
    [
        ([("6 weeks", False), ("20 weeks", False)], False, "Tick the right answer"),
        ([("6 weeks", True), ("20 weeks", True)], False, "Tick only one right answer"),
        ([("6 weeks", True)], False, "Enter at least 2 answer options"),
        ([("6 weeks", True), ("", True)], True, "Option 2 is ticked as right but has no answer text"),
    ],
)
async def test_a_question_that_cannot_be_answered_is_refused_and_keeps_what_was_typed(
    client, signed_in_as, options, multiple, message
):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    await add_module(client, course_id, module_form(ModuleKind.QUIZ, "Quiz"))
    quiz = (await draft_modules(course_id))[0]
    response = await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{quiz['id']}/questions/new",
        question_form("When must the council decide?", options, multiple=multiple),
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert "When must the council decide?" in response.text
    assert 'value="6 weeks"' in response.text
    assert await Question.count() == 0


@pytest.mark.parametrize(
    "url",
    ["http://www.example.com/video", "javascript:alert(1)", "www.gov.uk", "https://", "https://exa mple.com"],
)
async def test_a_link_module_needs_an_https_address(client, signed_in_as, url):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    response = await add_module(client, course_id, module_form(ModuleKind.LINK, "Watch this", url=url))
    assert response.status_code == 400
    assert "Enter a web address that starts with https://" in response.text
    assert 'href="#url"' in response.text
    assert await draft_modules(course_id) == []


async def test_module_and_course_forms_explain_what_is_missing(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    response = await add_module(client, course_id, module_form(ModuleKind.READING, "Empty reading"))
    assert response.status_code == 400 and "Enter the reading, written in Markdown" in response.text
    response = await add_module(client, course_id, module_form(ModuleKind.SESSION, "Session", minutes="lots"))
    assert response.status_code == 400 and "whole number of minutes" in response.text
    response = await post_form(
        client,
        "/courses/new",
        {"code": "EHCP-101", "title": "Another", "mandatory": "no", "recertify_months": ""},
    )
    assert response.status_code == 400 and "A course with this code already exists" in response.text
    response = await post_form(
        client, "/courses/new", {"code": "X" * 31, "title": "Too long a code", "mandatory": "no"}
    )
    assert response.status_code == 400 and "30 characters or fewer" in response.text
    response = await post_form(
        client, f"/courses/{course_id}/draft/settings", {"estimated_minutes": "30", "pass_mark": "120"}
    )
    assert response.status_code == 400 and "from 1 to 100" in response.text
    assert await Course.count() == 1


# --- who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.LEADER])
async def test_professionals_and_leaders_cannot_write_courses(client, signed_in_as, role):
    course_id = await publish_course("EHCP-300")
    await signed_in_as(role)
    assert (await client.get("/courses")).status_code == 403
    assert (await client.get(f"/courses/{course_id}")).status_code == 403
    response = await post_form(
        client,
        "/courses/new",
        {"code": "SNEAKY", "title": "Not allowed", "mandatory": "no"},
        form_page="/",
    )
    assert response.status_code == 403
    response = await post_form(client, f"/courses/{course_id}/retire", {"reason": "no"}, form_page="/")
    assert response.status_code == 403
    assert await Course.count() == 1
    assert (await catalogue.get_course(course_id))["status"] == "published"  # type: ignore[index]


async def test_admin_may_write_courses_and_sees_the_courses_menu(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    home = await client.get("/")
    assert 'href="/courses"' in home.text
    await create_course(client)
    assert (await client.get("/courses")).status_code == 200


async def test_published_versions_cannot_be_edited(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course("EHCP-400")
    published = await catalogue.published_version(course_id)
    assert published is not None
    modules = await catalogue.version_modules(published["id"])
    reading, quiz = modules
    question = quiz["questions"][0]

    edit = await client.get(f"/courses/{course_id}/draft/modules/{reading['id']}/edit")
    assert edit.status_code == 409
    assert "Published versions cannot be changed" in edit.text
    attempts = [
        (
            f"/courses/{course_id}/draft/modules/{reading['id']}/edit",
            {"title": "Changed", "body": "x", "estimated_minutes": "5"},
        ),
        (f"/courses/{course_id}/draft/modules/{reading['id']}/delete", {}),
        (f"/courses/{course_id}/draft/modules/{quiz['id']}/move-up", {}),
        (f"/courses/{course_id}/draft/questions/{question['id']}/delete", {}),
        (f"/courses/{course_id}/draft/settings", {"estimated_minutes": "5", "pass_mark": "10"}),
    ]
    for path, data in attempts:
        response = await post_form(client, path, data, form_page=f"/courses/{course_id}")
        assert response.status_code == 409, path

    # Even with a draft open, the published version's own modules stay out of reach.
    await catalogue.start_draft(course_id=course_id, actor=CLI_ACTOR)
    response = await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{reading['id']}/edit",
        {"title": "Changed", "body": "x", "estimated_minutes": "5"},
        form_page=f"/courses/{course_id}",
    )
    assert response.status_code == 409
    with pytest.raises(CatalogueError):
        await catalogue.update_module(
            course_id=course_id,
            module_id=reading["id"],
            fields=ModuleFields(title="Changed", body="x"),
            actor=CLI_ACTOR,
        )
    with pytest.raises(CatalogueError):
        await catalogue.update_question(
            course_id=course_id,
            question_id=question["id"],
            question=QuestionContent("Changed?", [OptionContent("a", True), OptionContent("b", False)]),
            actor=CLI_ACTOR,
        )
    assert await catalogue.version_modules(published["id"]) == modules


async def test_a_module_of_another_course_cannot_be_reached_through_this_one(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    mine = await create_course(client, "MINE")
    theirs = await create_course(client, "THEIRS")
    await add_module(client, theirs, module_form(ModuleKind.SESSION, "Their session"))
    their_module = (await draft_modules(theirs))[0]
    response = await client.get(f"/courses/{mine}/draft/modules/{their_module['id']}/edit")
    assert response.status_code == 404
    response = await post_form(
        client, f"/courses/{mine}/draft/modules/{their_module['id']}/delete", {}, form_page=f"/courses/{mine}"
    )
    assert response.status_code == 404
    assert len(await draft_modules(theirs)) == 1


# --- editing the draft -------------------------------------------------------------------------------


async def test_trainer_reorders_and_removes_modules(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    for title in ("One", "Two", "Three"):
        await add_module(client, course_id, module_form(ModuleKind.SESSION, title))
    one, _, three = await draft_modules(course_id)

    response = await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{three['id']}/move-up",
        {},
        form_page=f"/courses/{course_id}/draft",
    )
    assert response.status_code == 303
    await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{one['id']}/move-down",
        {},
        form_page=f"/courses/{course_id}/draft",
    )
    assert [m["title"] for m in await draft_modules(course_id)] == ["Three", "One", "Two"]

    confirm = await client.get(f"/courses/{course_id}/draft/modules/{one['id']}/delete")
    assert "Remove module One?" in confirm.text
    await post_form(client, f"/courses/{course_id}/draft/modules/{one['id']}/delete", {})
    remaining = await draft_modules(course_id)
    assert [(m["title"], m["position"]) for m in remaining] == [("Three", 1), ("Two", 2)]

    # Moving the first module up changes nothing and says so.
    response = await post_form(
        client,
        f"/courses/{course_id}/draft/modules/{three['id']}/move-up",
        {},
        form_page=f"/courses/{course_id}/draft",
    )
    assert "already first" in (await client.get(response.headers["location"])).text


async def test_trainer_changes_and_removes_a_question(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course("EHCP-500")
    await post_form(client, f"/courses/{course_id}/new-draft", {}, form_page=f"/courses/{course_id}")
    quiz = (await draft_modules(course_id))[1]
    first, second = quiz["questions"]
    page = await client.get(f"/courses/{course_id}/draft/questions/{first['id']}/edit")
    assert 'value="6 weeks"' in page.text
    response = await post_form(
        client,
        f"/courses/{course_id}/draft/questions/{first['id']}/edit",
        question_form(
            "By when must the council decide whether to assess?",
            [("6 weeks", True), ("16 weeks", False), ("20 weeks", False)],
            feedback="reg 5(1)",
        ),
    )
    assert response.status_code == 303
    await post_form(
        client,
        f"/courses/{course_id}/draft/questions/{second['id']}/delete",
        {},
        form_page=f"/courses/{course_id}/draft/modules/{quiz['id']}/edit",
    )
    quiz = (await draft_modules(course_id))[1]
    assert [q["text"] for q in quiz["questions"]] == ["By when must the council decide whether to assess?"]
    assert [o["text"] for o in quiz["questions"][0]["options"]] == ["6 weeks", "16 weeks", "20 weeks"]
    # The published version's quiz still has both questions and its two options.
    published = await catalogue.published_version(course_id)
    assert published is not None
    published_quiz = (await catalogue.version_modules(published["id"]))[1]
    assert len(published_quiz["questions"]) == 2
    assert [o["text"] for o in published_quiz["questions"][0]["options"]] == ["6 weeks", "20 weeks"]
    assert await AnswerOption.count().where(AnswerOption.question == first["id"]) == 3


async def test_trainer_discards_a_draft_and_the_published_version_is_untouched(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course("EHCP-600")
    await post_form(client, f"/courses/{course_id}/new-draft", {}, form_page=f"/courses/{course_id}")
    assert "Draft v2 in progress" in (await client.get("/courses")).text
    response = await post_form(client, f"/courses/{course_id}/draft/discard", {})
    assert response.status_code == 303
    assert await catalogue.draft_version(course_id) is None
    published = await catalogue.published_version(course_id)
    assert published is not None and published["number"] == 1
    assert await Module.count().where(Module.version == published["id"]) == 2
    # A second draft started later is version 2 again, since the discarded one never went out.
    assert await catalogue.start_draft(course_id=course_id, actor=CLI_ACTOR) == 2


async def test_starting_a_second_draft_is_refused_politely(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    response = await post_form(
        client, f"/courses/{course_id}/new-draft", {}, form_page=f"/courses/{course_id}"
    )
    assert response.status_code == 303
    assert "already has a draft" in (await client.get(response.headers["location"])).text
    assert await CourseVersion.count().where(CourseVersion.course == course_id) == 1


async def test_trainer_changes_course_details(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    response = await post_form(
        client,
        f"/courses/{course_id}/edit",
        {
            "title": "Annual reviews: the 2, 4 and 12 week steps",
            "summary": "New summary",
            "mandatory": "no",
            "recertify_months": "",
        },
    )
    assert response.status_code == 303
    course = await catalogue.get_course(course_id)
    assert course is not None
    assert (course["title"], course["mandatory"], course["recertify_months"]) == (
        "Annual reviews: the 2, 4 and 12 week steps",
        False,
        None,
    )
    response = await post_form(client, f"/courses/{course_id}/edit", {"title": "", "mandatory": "no"})
    assert response.status_code == 400 and "Enter the course title" in response.text


async def test_trainer_retires_a_course_with_a_reason(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await publish_course("EHCP-700")
    assert f'href="/courses/{course_id}/assign"' in (await client.get(f"/courses/{course_id}")).text
    response = await post_form(client, f"/courses/{course_id}/retire", {"reason": ""})
    assert response.status_code == 400 and "Say why the course is being retired" in response.text
    response = await post_form(client, f"/courses/{course_id}/retire", {"reason": "Replaced by EHCP-800"})
    assert response.status_code == 303
    listing = (await client.get("/courses")).text
    assert "Retired" in listing
    page = (await client.get(f"/courses/{course_id}")).text
    assert "This course is retired" in page and f'href="/courses/{course_id}/assign"' not in page
    trail = await audit.list_entries(page=1, entity="course", entity_id=str(course_id))
    assert trail.entries[0]["summary"] == "Course retired"


async def test_course_list_shows_each_status_in_words(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    await create_course(client, "DRAFT-1", "Still being written")
    await publish_course("LIVE-1")
    retired = await publish_course("OLD-1")
    await catalogue.retire(course_id=retired, reason="Out of date", actor=CLI_ACTOR)
    listing = (await client.get("/courses")).text
    rows = {code: listing.split(code, 1)[1].split("</tr>", 1)[0] for code in ("DRAFT-1", "LIVE-1", "OLD-1")}
    assert "Draft" in rows["DRAFT-1"] and "Published" not in rows["DRAFT-1"]
    assert "Published v1" in rows["LIVE-1"]
    assert "Retired" in rows["OLD-1"] and "Published" not in rows["OLD-1"]


def listed_codes(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">([^<]+)</td>', html)


async def test_course_list_is_searched_by_code_or_title_and_paged(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    for n in range(catalogue.COURSES_PER_PAGE + 2):
        await catalogue.create_course(
            code=f"C-{n:02d}",
            title=f"{'Annual reviews' if n % 2 else 'Needs assessment'} part {n:02d}",
            summary="",
            mandatory=False,
            recertify_months=None,
            actor=CLI_ACTOR,
        )
    first = (await client.get("/courses")).text
    assert len(listed_codes(first)) == catalogue.COURSES_PER_PAGE
    assert f"{catalogue.COURSES_PER_PAGE + 2} courses, page 1 of 2" in first
    assert 'href="/courses?page=2"' in first
    second = (await client.get("/courses?page=2")).text
    assert len(listed_codes(second)) == 2 and not set(listed_codes(first)) & set(listed_codes(second))

    # Each word anywhere in the code or title, any case; the search is kept in the page links.
    found = (await client.get("/courses?q=ANNUAL++part+1")).text
    assert listed_codes(found) == [f"C-{n:02d}" for n in (1, 11, 13, 15, 17, 19, 21)]
    assert "7 courses matching “ANNUAL part 1”" in found and 'value="ANNUAL part 1"' in found
    by_title = [f"C-{n:02d}" for n in (21, 23, 25, 20, 22, 24, 26)]  # "Annual ..." before "Needs ..."
    assert listed_codes((await client.get("/courses?q=c-2")).text) == by_title
    assert 'href="/courses?q=Annual&amp;page=2"' not in (await client.get("/courses?q=Annual")).text

    nothing = (await client.get("/courses?q=zebedee")).text
    assert "No courses have “zebedee” in their code or title" in nothing and "govuk-table" not in nothing
    past = await client.get("/courses?q=annual&page=9")
    assert past.status_code == 200 and "There is only 1 page of courses matching “annual”" in past.text
    assert 'href="/courses?q=annual"' in past.text
    assert (await client.get(f"/courses?page={2**70}")).status_code == 404  # app/web/bounds.py


async def test_course_page_runs_the_same_statements_for_two_or_thirty_modules(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    small = await publish_course("SMALL")
    large = await publish_course(
        "LARGE",
        modules=[
            *(
                catalogue.ModuleContent(kind=ModuleKind.READING, title=f"Part {n}", body="Read.")
                for n in range(30)
            ),
            two_question_quiz(),
            two_question_quiz(),
        ],
    )
    for course_id in (small, large):
        await catalogue.start_draft(course_id=course_id, actor=CLI_ACTOR)
    counts = []
    for course_id in (small, large):
        for path in ("", "/draft", "/draft/preview"):
            with counting_statements() as seen:
                response = await client.get(f"/courses/{course_id}{path}")
            assert response.status_code == 200
            counts.append(len(seen))
    assert counts[:3] == counts[3:]


# --- safe Markdown -----------------------------------------------------------------------------------


def test_markdown_shows_html_as_text_and_drops_script_links():
    html = str(
        render_markdown(
            "<script>alert('x')</script>\n\n"
            "[click me](javascript:alert(1)) [also](JAVASCRIPT:alert(1))\n\n"
            "[data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
            '<a href="javascript:alert(1)">raw</a> <img src=x onerror=alert(1)>\n\n'
            "![pic](javascript:alert(1))"
        )
    )
    assert "<script" not in html and "<img" not in html
    addresses = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert not any(a.lower().startswith(("javascript", "data")) for a in addresses), addresses
    assert "&lt;script&gt;" in html


def test_markdown_gets_govuk_styles_and_keeps_safe_links():
    html = str(
        render_markdown(
            "# Top\n\n## Section\n\n### Detail\n\nText with [a link](https://www.gov.uk).\n\n- item"
        )
    )
    assert '<h2 class="govuk-heading-l">Top</h2>' in html  # the page has its own h1
    assert '<h2 class="govuk-heading-l">Section</h2>' in html
    assert '<h3 class="govuk-heading-m">Detail</h3>' in html
    assert '<a href="https://www.gov.uk" class="govuk-link">a link</a>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<p class="govuk-body">' in html


async def test_a_reading_with_a_script_previews_harmlessly(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    course_id = await create_course(client)
    body = "Hello <script>alert('x')</script>\n\n[Open](javascript:alert(document.cookie))"
    response = await add_module(client, course_id, module_form(ModuleKind.READING, "Tricky", body=body))
    assert response.status_code == 303
    preview = await client.get(f"/courses/{course_id}/draft/preview")
    assert preview.status_code == 200
    assert "<script>alert" not in preview.text
    assert "&lt;script&gt;alert" in preview.text
    assert 'href="javascript' not in preview.text.lower()
