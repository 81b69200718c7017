"""The plan structure and date pages as owners and leads use them (real database, real app)."""

from __future__ import annotations

from datetime import timedelta

from action_plans import plans
from action_plans.enums import PlanStatus, RevisionStatus, WorkStatus
from action_plans.plans import ActionDetails, PlanDetails
from action_plans.tables import Action, ActionPartner, DateRevision, Milestone, Plan, PriorityArea
from app.audit import CLI_ACTOR
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.reports import boards
from app.reports.boards import BoardDetails
from app.tables import AuditEntry
from tests.action_plans.plan_structure import LEAD_EMAIL, OWNER_EMAIL, TODAY, build_plan
from tests.conftest import make_person, post_form, sign_in


def date_parts(name: str, value) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


async def test_a_leader_starts_a_plan_and_owns_it(client, signed_in_as):
    leader_id = await signed_in_as(Role.LEADER)
    board_id = await boards.create_board(details=BoardDetails(name="SEND Improvement Board"), actor=CLI_ACTOR)
    form = {
        "title": "Ombudsman remedy: annual reviews",
        "reference": "LGSCO-24-001",
        "origin": "ombudsman_remedy",
        "owner": str(leader_id),
        "board": str(board_id),
        "slip_tolerance_days": "14",
        "progress_tolerance_points": "10",
        **date_parts("start_date", TODAY),
        "end_date-day": "28",
        "end_date-month": "2",
        "end_date-year": str(TODAY.year - 1),
    }

    refused = await post_form(client, "/plans/new", form)
    assert refused.status_code == 400
    assert "There is a problem" in refused.text and "end date must be on or after" in refused.text
    assert await Plan.count() == 0

    response = await post_form(
        client, "/plans/new", {**form, **date_parts("end_date", TODAY + timedelta(days=365))}
    )

    assert response.status_code == 303
    plan = await Plan.select().first()
    assert response.headers["location"] == f"/plans/{plan['id']}"
    assert plan["owner"] == leader_id and plan["status"] == PlanStatus.DRAFT
    assert plan["board"] == board_id
    assert (
        f'<a class="govuk-link" href="/boards/{board_id}">SEND Improvement Board</a>'
        in (await client.get(f"/plans/{plan['id']}")).text
    )
    assert await AuditEntry.exists().where(
        (AuditEntry.entity == "plan") & (AuditEntry.entity_id == str(plan["id"]))
    )


async def test_a_professional_cannot_start_a_plan(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)
    assert (await client.get("/plans/new")).status_code == 403


async def test_the_owner_builds_and_approves_the_plan_through_the_pages(client):
    s = await build_plan()
    await sign_in(client, OWNER_EMAIL)
    organisation_id = await people.create_organisation(
        name="Testshire NHS Trust", kind=OrganisationKind.HEALTH, actor=CLI_ACTOR
    )

    page = await client.get(f"/plans/{s.plan_id}/actions/new")
    assert page.status_code == 200 and 'value="1.2"' in page.text  # the next reference is suggested
    area = await post_form(
        client,
        f"/plans/{s.plan_id}/areas/new",
        {"number": "2", "title": "Joint commissioning", "intended_outcome": "Health advice on time"},
    )
    assert area.status_code == 303
    area_id = (await PriorityArea.select(PriorityArea.id).where(PriorityArea.number == 2).first())["id"]
    created = await post_form(
        client,
        f"/plans/{s.plan_id}/actions/new",
        {
            "priority_area": str(area_id),
            "reference": "2.1",
            "description": "Agree a health advice protocol",
            "lead": str(s.lead.staff_id),
            "partners": str(organisation_id),
            "status": "not_started",
            **date_parts("forecast_date", TODAY + timedelta(days=90)),
        },
    )
    assert created.status_code == 303
    action = await Action.select().where(Action.reference == "2.1").first()
    assert created.headers["location"] == f"/actions/{action['id']}"
    assert (await ActionPartner.select(ActionPartner.organisation).first())["organisation"] == organisation_id

    for form in (
        f"/plans/{s.plan_id}/edit",
        f"/areas/{area_id}/edit",
        f"/actions/{action['id']}/edit",
        f"/actions/{action['id']}/dates",
        f"/milestones/{s.milestone_id}/edit",
        f"/plans/{s.plan_id}/approve",
    ):
        assert (await client.get(form)).status_code == 200, form
    approved = await post_form(client, f"/plans/{s.plan_id}/approve", {})

    assert approved.status_code == 303 and approved.headers["location"] == f"/plans/{s.plan_id}"
    action = await Action.select().where(Action.id == action["id"]).first()
    assert action["baseline_date"] == TODAY + timedelta(days=90)


async def test_approval_lists_the_items_without_a_forecast(client):
    s = await build_plan()
    await Milestone.update({Milestone.forecast_date: None}).where(Milestone.id == s.milestone_id)
    await sign_in(client, OWNER_EMAIL)

    response = await post_form(client, f"/plans/{s.plan_id}/approve", {})

    assert response.status_code == 400
    assert "Backlog tracker in place" in response.text and "There is a problem" in response.text
    assert (await Plan.select(Plan.status).first())["status"] == PlanStatus.DRAFT


async def test_moving_a_milestone_after_approval_without_a_reason_is_refused_and_nothing_changes(client):
    s = await build_plan(approve=True)
    baseline = TODAY + timedelta(days=20)
    moved = baseline + timedelta(days=21)
    await sign_in(client, LEAD_EMAIL)
    path = f"/milestones/{s.milestone_id}/dates"
    assert (await client.get(path)).status_code == 200

    refused = await post_form(client, path, {**date_parts("forecast_date", moved), "reason": ""})

    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert "Give the reason for changing the date" in refused.text
    assert f'value="{moved.day}"' in refused.text  # what they typed is kept
    milestone = await Milestone.select().where(Milestone.id == s.milestone_id).first()
    assert milestone["forecast_date"] == baseline
    assert await DateRevision.count() == 0

    saved = await post_form(
        client, path, {**date_parts("forecast_date", moved), "reason": "Caseworker recruitment slipped"}
    )

    assert saved.status_code == 303 and saved.headers["location"] == f"/milestones/{s.milestone_id}"
    milestone = await Milestone.select().where(Milestone.id == s.milestone_id).first()
    assert milestone["forecast_date"] == moved and milestone["baseline_date"] == baseline
    revision = await DateRevision.select().first()
    assert (
        revision["reason"] == "Caseworker recruitment slipped"
        and revision["status"] == RevisionStatus.APPLIED
    )
    page = await client.get(path)
    assert "21 days late against the baseline" in page.text


async def test_a_leads_move_waits_for_the_owner_who_approves_it_on_the_requests_page(client):
    s = await build_plan(require_date_approval=True, approve=True)
    moved = TODAY + timedelta(days=75)
    await sign_in(client, LEAD_EMAIL)
    asked = await post_form(
        client,
        f"/actions/{s.action_id}/dates",
        {**date_parts("forecast_date", moved), "reason": "Waiting for new caseworkers"},
    )
    assert asked.status_code == 303
    assert (await Action.select(Action.forecast_date).first())["forecast_date"] == TODAY + timedelta(days=60)
    assert (
        await client.get(f"/plans/{s.plan_id}/date-requests")
    ).status_code == 403  # the lead is not the owner

    await sign_in(client, OWNER_EMAIL)
    page = await client.get(f"/plans/{s.plan_id}/date-requests")
    assert page.status_code == 200 and "Waiting for new caseworkers" in page.text
    revision_id = (await DateRevision.select(DateRevision.id).first())["id"]
    form_page = f"/plans/{s.plan_id}/date-requests"
    no_note = await post_form(
        client, f"/revisions/{revision_id}/decision", {"decision": "reject", "note": ""}, form_page=form_page
    )
    assert no_note.status_code == 400 and "Say why you are rejecting" in no_note.text

    decided = await post_form(
        client,
        f"/revisions/{revision_id}/decision",
        {"decision": "approve", "note": "Agreed"},
        form_page=form_page,
    )

    assert decided.status_code == 303
    assert (await Action.select(Action.forecast_date).first())["forecast_date"] == moved
    revision = await DateRevision.select().first()
    assert revision["status"] == RevisionStatus.APPLIED and revision["decided_by"] == s.owner.staff_id
    assert "Recent decisions" in (await client.get(form_page)).text


async def test_a_lead_cannot_edit_another_leads_action(client):
    s = await build_plan()
    other_lead = await make_person("other.lead@testshire.example", Role.PROFESSIONAL)
    other_action = await plans.create_action(
        plan_id=s.plan_id,
        details=ActionDetails(
            description="Someone else's work", priority_area_id=s.area_id, reference="1.2", lead_id=other_lead
        ),
        forecast_date=TODAY + timedelta(days=10),
        actor=s.owner,
    )
    await sign_in(client, LEAD_EMAIL)

    assert (await client.get(f"/actions/{other_action}/edit")).status_code == 403
    refused = await post_form(
        client,
        f"/actions/{other_action}/edit",
        {"description": "Taken over", "status": "in_progress"},
        form_page=f"/actions/{s.action_id}/edit",
    )
    assert refused.status_code == 403
    assert (await client.get(f"/actions/{other_action}/dates")).status_code == 403
    assert (await client.get(f"/plans/{s.plan_id}/edit")).status_code == 403  # structure is the owner's
    assert (await Action.select(Action.description).where(Action.id == other_action).first())[
        "description"
    ] == "Someone else's work"

    own = await post_form(
        client,
        f"/actions/{s.action_id}/edit",
        {"description": "Clear the backlog by Easter", "status": "in_progress"},
    )
    assert own.status_code == 303
    action = await Action.select().where(Action.id == s.action_id).first()
    assert (
        action["description"] == "Clear the backlog by Easter" and action["status"] == WorkStatus.IN_PROGRESS
    )
    assert action["lead"] == s.lead.staff_id


async def test_a_closed_plan_refuses_edits(client):
    s = await build_plan(approve=True)
    plan = await plans.get_plan(s.plan_id)
    await plans.update_plan(
        plan_id=s.plan_id,
        details=PlanDetails(
            title=plan["title"], reference=plan["reference"], origin=plan["origin"], owner_id=s.owner.staff_id
        ),
        close=True,
        actor=s.owner,
    )
    await sign_in(client, OWNER_EMAIL)

    for path in (
        f"/plans/{s.plan_id}/edit",
        f"/plans/{s.plan_id}/areas/new",
        f"/actions/{s.action_id}/edit",
        f"/milestones/{s.milestone_id}/dates",
    ):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "closed" in response.text


async def test_the_action_lead_adds_and_changes_a_milestone(client):
    s = await build_plan(approve=True)
    await sign_in(client, LEAD_EMAIL)
    path = f"/actions/{s.action_id}/milestones/new"
    page = await client.get(path)
    assert page.status_code == 200 and 'name="forecast_date-day"' in page.text

    no_date = await post_form(client, path, {"title": "Panel meets weekly", "status": "not_started"})
    assert no_date.status_code == 400 and "Enter the forecast date" in no_date.text

    added = await post_form(
        client,
        path,
        {
            "title": "Panel meets weekly",
            "status": "not_started",
            **date_parts("forecast_date", TODAY + timedelta(days=7)),
        },
    )
    assert added.status_code == 303
    milestone = await Milestone.select().where(Milestone.title == "Panel meets weekly").first()
    assert milestone["baseline_date"] == TODAY + timedelta(days=7)  # added after approval: first forecast
    edit = f"/milestones/{milestone['id']}/edit"
    assert "change the dates" in (await client.get(edit)).text
    changed = await post_form(
        client, edit, {"title": "Panel meets every week", "lead": "", "status": "in_progress"}
    )
    assert changed.status_code == 303 and changed.headers["location"] == f"/milestones/{milestone['id']}"
    milestone = await Milestone.select().where(Milestone.id == milestone["id"]).first()
    assert (milestone["title"], milestone["status"]) == ("Panel meets every week", WorkStatus.IN_PROGRESS)
