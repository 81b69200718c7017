"""Training fixtures: a published course built through the same services trainers use."""

from __future__ import annotations

from datetime import date

import pytest

from app.audit import CLI_ACTOR
from app.enums import OrganisationKind
from app.people import services as people
from app.people.services import StaffDetails
from courses import catalogue
from courses.catalogue import ModuleContent, OptionContent, QuestionContent, VersionContent
from courses.enums import ModuleKind


def two_question_quiz() -> ModuleContent:
    return ModuleContent(
        kind=ModuleKind.QUIZ,
        title="Check your understanding",
        questions=[
            QuestionContent(
                text="How long has the council to decide whether to assess?",
                options=[OptionContent("6 weeks", True), OptionContent("20 weeks", False)],
            ),
            QuestionContent(
                text="Who can request an assessment?",
                multiple=True,
                options=[
                    OptionContent("A parent", True),
                    OptionContent("A young person", True),
                    OptionContent("A neighbour", False),
                ],
            ),
        ],
    )


async def publish_course(
    code: str = "EHCP-TEST", *, recertify_months: int | None = 24, modules: list[ModuleContent] | None = None
) -> int:
    course_id = await catalogue.create_course(
        code=code,
        title=f"Course {code}",
        summary="",
        mandatory=True,
        recertify_months=recertify_months,
        actor=CLI_ACTOR,
    )
    content = VersionContent(
        estimated_minutes=30,
        pass_mark=50,
        modules=modules
        or [
            ModuleContent(kind=ModuleKind.READING, title="Duties", body="## The law\n\nRead this."),
            two_question_quiz(),
        ],
    )
    await catalogue.replace_draft_content(course_id=course_id, content=content, actor=CLI_ACTOR)
    await catalogue.publish(course_id=course_id, requires_recompletion=False, reason="", actor=CLI_ACTOR)
    return course_id


@pytest.fixture
async def course_id() -> int:
    return await publish_course()


@pytest.fixture
async def organisation() -> dict[str, int]:
    organisation_id = await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    team_id = await people.create_team(
        name="Annual Reviews", organisation_id=organisation_id, actor=CLI_ACTOR
    )
    other_team_id = await people.create_team(
        name="Assessments", organisation_id=organisation_id, actor=CLI_ACTOR
    )
    return {"organisation_id": organisation_id, "team_id": team_id, "other_team_id": other_team_id}


async def add_staff(
    organisation: dict[str, int], email: str, *, team: str = "team_id", start_date: date | None = None
) -> int:
    return await people.create_staff(
        details=StaffDetails(
            email=email,
            full_name=email.split("@")[0].title(),
            organisation_id=organisation["organisation_id"],
            team_id=organisation[team],
            start_date=start_date,
        ),
        actor=CLI_ACTOR,
    )
