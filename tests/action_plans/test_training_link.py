"""Training-linked actions: progress, percent, RAG and evidence come live from course completions
(issue 4 point 6), asked of courses.public in a constant number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from action_plans import training
from action_plans.enums import PlanOrigin, PlanStatus, Rag, WorkStatus
from action_plans.status import ACTION_COLUMNS, action_statuses
from action_plans.tables import Action, Plan, PriorityArea, TrainingLink
from action_plans.training import TrainingError
from app.audit import CLI_ACTOR, Actor
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.tables import AuditEntry
from courses import assignments, catalogue, learning
from courses import public as courses_public
from courses.assignments import DueRule
from courses.catalogue import ModuleContent
from courses.enums import CompletionSource, DueKind, ModuleKind, TargetKind
from tests.conftest import make_person, post_form, sign_in
from tests.courses.conftest import publish_course
from tests.courses.test_authoring import counting_statements

TODAY = date.today()
DAY = timedelta(days=1)


@dataclass
class Workforce:
    """Two organisations, two job roles, five people assigned one course (a single reading module)."""

    course_id: int
    council: int
    health: int
    caseworker: int
    therapist: int
    people: dict[str, int]


async def _person(name: str, organisation_id: int, job_role_id: int | None) -> int:
    return await people.create_staff(
        details=StaffDetails(
            email=f"{name}@testshire.example",
            full_name=name.title(),
            organisation_id=organisation_id,
            job_role_id=job_role_id,
        ),
        actor=CLI_ACTOR,
    )


@pytest.fixture
async def workforce() -> Workforce:
    council = await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    health = await people.create_organisation(
        name="Testshire NHS Trust", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
    )
    caseworker = await people.create_job_role(name="SEND caseworker", description="", actor=CLI_ACTOR)
    therapist = await people.create_job_role(name="Speech therapist", description="", actor=CLI_ACTOR)
    course_id = await publish_course(
        "EHCP-PROCESS",
        modules=[ModuleContent(kind=ModuleKind.READING, title="The EHCP process", body="Read this.")],
    )
    staff = {
        "ann": await _person("ann", council, caseworker),
        "bob": await _person("bob", council, caseworker),
        "cat": await _person("cat", council, None),
        "dan": await _person("dan", health, therapist),
        "eve": await _person("eve", health, caseworker),
    }
    for organisation_id in (council, health):
        await assignments.create_rule(
            course_id=course_id,
            target_kind=TargetKind.ORGANISATION,
            target_id=organisation_id,
            due=DueRule(DueKind.AFTER_ASSIGNMENT, days=60),
            actor=CLI_ACTOR,
        )
    return Workforce(course_id, council, health, caseworker, therapist, staff)


async def complete_online(staff_id: int, course_id: int) -> None:
    """The professional reads the course's only module, which completes the course."""
    plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
    assert plan is not None
    completion_id = await learning.mark_module_done(
        plan=plan, module_id=plan.modules[0]["id"], actor=Actor(staff_id, "learner"), today=TODAY
    )
    assert completion_id is not None


async def complete_offline(staff_id: int, course_id: int) -> None:
    await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=TODAY,
        source=CompletionSource.OFFLINE,
        actor=CLI_ACTOR,
        evidence="Signed register",
    )


async def make_plan(*, owner_id: int | None = None, reference: str = "WSOA-2026") -> dict[str, int]:
    now = datetime.now(UTC)
    plan_id = (
        await Plan.insert(
            Plan(
                reference=reference,
                title="Written Statement of Action",
                origin=PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
                status=PlanStatus.APPROVED,
                owner=owner_id,
                created_at=now,
                updated_at=now,
            )
        )
    )[0]["id"]
    area_id = (await PriorityArea.insert(PriorityArea(plan=plan_id, number=1, title="Workforce")))[0]["id"]
    return {"id": plan_id, "area": area_id}


async def make_action(plan: dict[str, int], reference: str = "1.1", *, lead_id: int | None = None) -> int:
    """An action started 30 days ago, due in 60 days, whose lead reports 10%."""
    row = await Action.insert(
        Action(
            plan=plan["id"],
            priority_area=plan["area"],
            reference=reference,
            description="Train professionals on the EHCP process",
            lead=lead_id,
            start_date=TODAY - 30 * DAY,
            baseline_date=TODAY + 60 * DAY,
            forecast_date=TODAY + 60 * DAY,
            status=WorkStatus.IN_PROGRESS,
            percent_complete=10,
        )
    )
    return int(row[0]["id"])


async def statuses(*action_ids: int) -> dict:
    actions = await Action.select(*(getattr(Action, c) for c in ACTION_COLUMNS)).where(
        Action.id.is_in(list(action_ids))
    )
    plans = {
        row["id"]: row
        for row in await Plan.select(
            Plan.id, Plan.require_evidence, Plan.slip_tolerance_days, Plan.progress_tolerance_points
        )
    }
    return await action_statuses(actions=actions, plans=plans, today=TODAY)


async def link(
    action_id: int,
    course_id: int,
    target: int,
    *,
    organisations: list[int] | None = None,
    job_roles: list[int] | None = None,
) -> int:
    return await training.link_training(
        action_id=action_id,
        course_id=course_id,
        organisation_ids=organisations or [],
        job_role_ids=job_roles or [],
        target_count=target,
        actor=CLI_ACTOR,
    )


# --- progress comes live from completions ------------------------------------------------------


async def test_when_a_professional_completes_the_linked_course_the_action_progresses(workforce):
    action_id = await make_action(await make_plan())
    await link(action_id, workforce.course_id, 4)

    before = (await statuses(action_id))[action_id]
    await complete_online(workforce.people["ann"], workforce.course_id)
    after = (await statuses(action_id))[action_id]

    assert (before.percent_complete, before.evidence_count) == (0, 0)
    assert before.training is not None and before.training.assigned == 5
    assert (after.percent_complete, after.evidence_count) == (25, 1)
    assert after.training is not None and after.training.completed == 1


async def test_an_unlinked_action_keeps_the_percent_its_lead_reports(workforce):
    plan = await make_plan()
    linked, unlinked = await make_action(plan, "1.1"), await make_action(plan, "1.2")
    await link(linked, workforce.course_id, 5)
    await complete_offline(workforce.people["ann"], workforce.course_id)

    found = await statuses(linked, unlinked)

    assert found[linked].percent_complete == 20
    assert found[unlinked].percent_complete == 10 and found[unlinked].training is None


async def test_reaching_the_target_makes_the_action_blue(workforce):
    action_id = await make_action(await make_plan())
    await link(action_id, workforce.course_id, 2)
    await complete_offline(workforce.people["ann"], workforce.course_id)
    assert (await statuses(action_id))[action_id].rag is not Rag.BLUE

    await complete_offline(workforce.people["dan"], workforce.course_id)
    status = (await statuses(action_id))[action_id]

    assert status.rag is Rag.BLUE
    assert status.percent_complete == 100
    assert "2 of 2" in status.assessment.reason


async def test_completions_beyond_the_target_stay_at_100_percent(workforce):
    action_id = await make_action(await make_plan())
    await link(action_id, workforce.course_id, 1)
    for name in ("ann", "bob", "dan"):
        await complete_offline(workforce.people[name], workforce.course_id)

    status = (await statuses(action_id))[action_id]

    assert (status.percent_complete, status.evidence_count, status.rag) == (100, 3, Rag.BLUE)


async def test_audience_narrows_by_organisation_and_job_role(workforce):
    plan = await make_plan()
    everyone, council, caseworkers, council_caseworkers, either = [
        await make_action(plan, f"1.{n}") for n in range(1, 6)
    ]
    await link(everyone, workforce.course_id, 10)
    await link(council, workforce.course_id, 10, organisations=[workforce.council])
    await link(caseworkers, workforce.course_id, 10, job_roles=[workforce.caseworker])
    await link(
        council_caseworkers,
        workforce.course_id,
        10,
        organisations=[workforce.council],
        job_roles=[workforce.caseworker],
    )
    await link(either, workforce.course_id, 10, organisations=[workforce.council, workforce.health])
    # ann: council caseworker; cat: council, no job role; dan: health therapist; eve: health caseworker
    for name in ("ann", "cat", "dan", "eve"):
        await complete_offline(workforce.people[name], workforce.course_id)

    progress = await training.live_progress(
        action_ids=[everyone, council, caseworkers, council_caseworkers, either], today=TODAY
    )

    assert (progress[everyone].completed, progress[everyone].assigned) == (4, 5)
    assert (progress[council].completed, progress[council].assigned) == (2, 3)
    assert (progress[caseworkers].completed, progress[caseworkers].assigned) == (2, 3)
    assert (progress[council_caseworkers].completed, progress[council_caseworkers].assigned) == (1, 2)
    assert (progress[either].completed, progress[either].assigned) == (4, 5)


async def test_batched_counts_agree_with_the_single_course_counts(workforce):
    other_course = await publish_course("OTHER-1")
    await assignments.create_rule(
        course_id=other_course,
        target_kind=TargetKind.ORGANISATION,
        target_id=workforce.health,
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
        actor=CLI_ACTOR,
    )
    await complete_offline(workforce.people["ann"], workforce.course_id)
    await complete_offline(workforce.people["eve"], workforce.course_id)
    await complete_offline(workforce.people["dan"], other_course)
    asked = [
        (workforce.course_id, [], []),
        (workforce.course_id, [workforce.health], []),
        (workforce.course_id, [], [workforce.caseworker, workforce.therapist]),
        (other_course, [], []),
        (other_course, [workforce.council], []),
        (other_course, [workforce.health], [workforce.therapist]),
    ]
    audiences = [courses_public.Audience(c, tuple(o), tuple(j)) for c, o, j in asked]

    batched = await courses_public.audience_completion_counts(audiences=audiences, as_of=TODAY)

    for audience, (course_id, organisations, job_roles) in zip(audiences, asked, strict=True):
        single = await courses_public.completion_counts(
            course_id=course_id,
            organisation_ids=organisations or None,
            job_role_ids=job_roles or None,
            as_of=TODAY,
        )
        assert batched[audience] == single, audience


async def test_live_progress_issues_the_same_statements_for_one_and_five_links(workforce):
    plan = await make_plan()
    actions = [await make_action(plan, f"1.{n}") for n in range(1, 6)]
    await link(actions[0], workforce.course_id, 3)
    other_course = await publish_course("OTHER-2")
    for n, action_id in enumerate(actions[1:], start=1):
        await link(
            action_id,
            other_course if n % 2 else workforce.course_id,
            n,
            organisations=[workforce.council] if n > 2 else [],
            job_roles=[workforce.caseworker] if n == 4 else [],
        )

    async def statements(asked: list[int]) -> int:
        with counting_statements() as seen:
            progress = await training.live_progress(action_ids=asked, today=TODAY)
        assert len(progress) == len(asked)
        return len(seen)

    # Worked out: the links, the stored counts, every missing audience at once, then storing them.
    worked_out = [await statements(actions[:1]), await statements(actions)]
    # Stored: the links and the stored counts.
    stored = [await statements(actions[:1]), await statements(actions)]

    assert worked_out[0] == worked_out[1] > 2
    assert stored == [2, 2]


async def test_evidence_lists_the_people_counted_with_their_completion_dates(workforce):
    action_id = await make_action(await make_plan())
    await link(action_id, workforce.course_id, 10, organisations=[workforce.council])
    await complete_online(workforce.people["ann"], workforce.course_id)
    await complete_offline(workforce.people["dan"], workforce.course_id)  # health: not in the audience

    evidence = await training.training_evidence(action_id=action_id, today=TODAY)

    assert evidence is not None
    assert [p.full_name for p in evidence.people] == ["Ann"]
    assert evidence.people[0].completed_on == TODAY
    assert evidence.people[0].organisation == "Testshire SEND Service"
    assert evidence.people[0].job_role == "SEND caseworker"
    assert evidence.organisations == ["Testshire SEND Service"]
    assert evidence.course is not None and evidence.course.code == "EHCP-PROCESS"


# --- linking and unlinking -----------------------------------------------------------------------


async def test_linking_checks_the_course_audience_and_target_and_changes_nothing_when_wrong(workforce):
    action_id = await make_action(await make_plan())

    with pytest.raises(TrainingError) as refused:
        await training.link_training(
            action_id=action_id,
            course_id=None,
            organisation_ids=[999_999],
            job_role_ids=[999_998],
            target_count=0,
            actor=CLI_ACTOR,
        )

    assert set(refused.value.errors) == {"course_id", "organisation_ids", "job_role_ids", "target_count"}
    assert await TrainingLink.count() == 0


async def test_linking_changing_and_removing_are_audited(workforce):
    action_id = await make_action(await make_plan())
    link_id = await link(action_id, workforce.course_id, 220)
    same_id = await link(action_id, workforce.course_id, 200, organisations=[workforce.council])
    unchanged = await link(action_id, workforce.course_id, 200, organisations=[workforce.council])

    assert link_id == same_id == unchanged
    current = await training.get_link(action_id=action_id)
    assert current is not None
    assert (current.target_count, current.organisation_ids) == (200, [workforce.council])
    assert await training.unlink_training(action_id=action_id, actor=CLI_ACTOR) is True
    assert await training.unlink_training(action_id=action_id, actor=CLI_ACTOR) is False
    assert await training.get_link(action_id=action_id) is None
    entries = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.after)
        .where(AuditEntry.entity == "training_link")
        .order_by(AuditEntry.id)
    )
    assert [e["action"] for e in entries] == ["create", "update", "delete"]


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
async def led_action(workforce) -> dict[str, int]:
    """An action led by a professional in a plan owned by a leader, and a colleague who leads neither."""
    owner = await make_person("olive.owner@testshire.example", Role.LEADER)
    lead = await make_person("lee.lead@testshire.example", Role.PROFESSIONAL)
    other = await make_person("oscar.other@testshire.example", Role.PROFESSIONAL)
    plan = await make_plan(owner_id=owner)
    action_id = await make_action(plan, lead_id=lead)
    # The other professional leads an action in the same plan, so may see it but not change this one.
    await make_action(plan, "1.2", lead_id=other)
    return {"action_id": action_id, "plan_id": plan["id"], "owner": owner, "lead": lead, "other": other}


async def test_action_lead_links_the_action_to_a_course_and_audience(client, workforce, led_action):
    await sign_in(client, "lee.lead@testshire.example")
    path = f"/actions/{led_action['action_id']}/training"

    form = await client.get(path)
    assert form.status_code == 200
    assert "Course EHCP-PROCESS" in form.text and "Speech therapist" in form.text

    response = await post_form(
        client,
        path,
        {
            "course_id": str(workforce.course_id),
            "organisation_ids": [str(workforce.council)],
            "job_role_ids": [str(workforce.caseworker)],
            "target_count": "220",
        },
    )

    assert response.status_code == 303
    current = await training.get_link(action_id=led_action["action_id"])
    assert current is not None
    assert (current.course_id, current.organisation_ids, current.job_role_ids, current.target_count) == (
        workforce.course_id,
        [workforce.council],
        [workforce.caseworker],
        220,
    )


async def test_link_form_shows_every_problem(client, workforce, led_action):
    await sign_in(client, "lee.lead@testshire.example")
    path = f"/actions/{led_action['action_id']}/training"

    response = await post_form(client, path, {"course_id": "", "target_count": "none"})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Choose the course" in response.text
    assert "whole number" in response.text
    assert await TrainingLink.count() == 0


async def test_plan_owner_removes_the_link(client, workforce, led_action):
    await link(led_action["action_id"], workforce.course_id, 10)
    await sign_in(client, "olive.owner@testshire.example")

    response = await post_form(
        client,
        f"/actions/{led_action['action_id']}/training/remove",
        {},
        form_page=f"/actions/{led_action['action_id']}/training",
    )

    assert response.status_code == 303
    assert await training.get_link(action_id=led_action["action_id"]) is None


async def test_someone_who_does_not_lead_the_action_may_not_link_it(client, workforce, led_action):
    await link(led_action["action_id"], workforce.course_id, 10)
    await sign_in(client, "oscar.other@testshire.example")
    path = f"/actions/{led_action['action_id']}/training"
    token_page = await client.get("/my-training")
    assert token_page.status_code == 200

    assert (await client.get(path)).status_code == 403
    response = await post_form(
        client, path, {"course_id": str(workforce.course_id), "target_count": "1"}, form_page="/my-training"
    )
    assert response.status_code == 403
    removal = await post_form(client, f"{path}/remove", {}, form_page="/my-training")
    assert removal.status_code == 403
    current = await training.get_link(action_id=led_action["action_id"])
    assert current is not None and current.target_count == 10


async def test_anyone_who_sees_the_plan_sees_who_completed(client, workforce, led_action):
    await link(led_action["action_id"], workforce.course_id, 10)
    await complete_offline(workforce.people["ann"], workforce.course_id)
    await sign_in(client, "oscar.other@testshire.example")

    response = await client.get(f"/actions/{led_action['action_id']}/training/evidence")

    assert response.status_code == 200
    assert "Ann" in response.text and "Testshire SEND Service" in response.text
    assert "Bob" not in response.text
    assert "1 of 10" in response.text


async def test_evidence_page_of_a_linked_action_nobody_has_completed(client, workforce, led_action):
    await link(led_action["action_id"], workforce.course_id, 10)
    await sign_in(client, "lee.lead@testshire.example")

    response = await client.get(f"/actions/{led_action['action_id']}/training/evidence")

    assert response.status_code == 200
    assert "Nobody in the audience has completed" in response.text


async def test_evidence_page_is_hidden_from_people_outside_the_plan(client, workforce, led_action):
    await link(led_action["action_id"], workforce.course_id, 10)
    await make_person("stranger@testshire.example", Role.PROFESSIONAL)
    await sign_in(client, "stranger@testshire.example")

    response = await client.get(f"/actions/{led_action['action_id']}/training/evidence")

    assert response.status_code == 403


async def test_evidence_page_issues_the_same_statements_for_one_or_many_completions(
    client, workforce, led_action
):
    await link(led_action["action_id"], workforce.course_id, 10, job_roles=[workforce.caseworker])
    await sign_in(client, "lee.lead@testshire.example")
    path = f"/actions/{led_action['action_id']}/training/evidence"
    counts = []
    for names in (["ann"], ["bob", "eve"]):
        for name in names:
            await complete_offline(workforce.people[name], workforce.course_id)
        with counting_statements() as seen:
            response = await client.get(path)
        assert response.status_code == 200
        counts.append(len(seen))

    assert "3 people trained" in response.text
    assert counts[0] == counts[1]


async def test_a_link_to_a_course_since_retired_can_keep_it_but_not_switch_to_another(workforce):
    action_id = await make_action(await make_plan())
    await link(action_id, workforce.course_id, 10)
    retired = await publish_course("RETIRED-1")
    await catalogue.retire(course_id=workforce.course_id, reason="Replaced", actor=CLI_ACTOR)
    await catalogue.retire(course_id=retired, reason="Replaced", actor=CLI_ACTOR)

    await link(action_id, workforce.course_id, 12)
    with pytest.raises(TrainingError) as refused:
        await link(action_id, retired, 12)

    assert refused.value.errors == {"course_id": "Choose a published course"}
    current = await training.get_link(action_id=action_id)
    assert current is not None and (current.course_id, current.target_count) == (workforce.course_id, 12)


async def test_a_closed_plans_training_link_cannot_be_changed(client, workforce, led_action):
    await Plan.update({Plan.status: PlanStatus.CLOSED}).where(Plan.id == led_action["plan_id"])
    await sign_in(client, "lee.lead@testshire.example")

    response = await client.get(f"/actions/{led_action['action_id']}/training")

    assert response.status_code == 409
    assert (await client.get(f"/actions/{led_action['action_id']}/training/evidence")).status_code == 200
