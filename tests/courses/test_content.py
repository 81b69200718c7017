"""The built-in course's files: scenario answers come from the calculator; importing is idempotent."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from app.audit import CLI_ACTOR
from courses import catalogue
from courses.content import EHCP_COURSE, ContentError, import_course, long_date, read_course_folder
from courses.tables import CourseVersion, Question
from courses.timescales import SCENARIOS


def test_every_scenario_question_is_answered_by_the_statutory_calculator():
    raw = tomllib.loads((EHCP_COURSE / "course.toml").read_text())
    loaded = read_course_folder(EHCP_COURSE)
    checked = 0
    for raw_module, module in zip(raw["modules"], loaded.content.modules, strict=True):
        for raw_question, question in zip(raw_module.get("questions", []), module.questions, strict=True):
            if "scenario" not in raw_question:
                continue
            answer = SCENARIOS[raw_question["scenario"]](raw_question["event_date"])
            right = [o.text for o in question.options if o.correct]
            assert right == [long_date(answer)], question.text
            assert long_date(raw_question["event_date"]) in question.text
            checked += 1
    assert checked >= 6


def test_the_built_in_course_has_the_six_topics_and_quizzes():
    course = read_course_folder(EHCP_COURSE)
    readings = [m for m in course.content.modules if m.kind == "reading"]
    quizzes = [m for m in course.content.modules if m.kind == "quiz"]
    assert len(readings) >= 6 and len(quizzes) >= 2
    assert course.content.pass_mark == 80 and course.mandatory


async def test_importing_the_same_files_twice_changes_nothing():
    first = await import_course(EHCP_COURSE, actor=CLI_ACTOR)
    assert first.version == 1
    questions = await Question.count()
    second = await import_course(EHCP_COURSE, actor=CLI_ACTOR)
    assert second.version is None
    assert await CourseVersion.count() == 1
    assert await Question.count() == questions


async def test_changed_files_publish_a_new_version(tmp_path: Path):
    folder = tmp_path / "course"
    shutil.copytree(EHCP_COURSE, folder)
    await import_course(folder, actor=CLI_ACTOR)
    reading = folder / "01-legal-framework.md"
    reading.write_text(reading.read_text() + "\n\nA paragraph added after the law changed.\n")
    result = await import_course(folder, actor=CLI_ACTOR, requires_recompletion=True, reason="Law changed")
    assert result.version == 2
    published = await catalogue.published_version(result.course_id)
    assert published["requires_recompletion"] and published["change_reason"] == "Law changed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('scenario = "review_decision_due"', 'scenario = "no_such_rule"'), "unknown scenario"),
        (
            (
                '[2, 6, 12]\n  feedback = "The council must notify',
                '[2, 4, 12]\n  feedback = "The council must notify',
            ),
            "distractor falls on the right",
        ),
        (('file = "01-legal-framework.md"', 'file = "missing.md"'), "not found"),
    ],
)
def test_broken_content_is_refused_with_where_the_problem_is(tmp_path: Path, change, message):
    folder = tmp_path / "course"
    shutil.copytree(EHCP_COURSE, folder)
    manifest = folder / "course.toml"
    text = manifest.read_text()
    assert change[0] in text, change[0]
    manifest.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(ContentError, match=message):
        read_course_folder(folder)
