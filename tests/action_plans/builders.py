"""Plan rows inserted straight into the tables, for tests of the read-only pages.

The pages only read, so their tests build exactly the rows they need (dates in the past, revisions
made at a given time) without going through the write services.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from action_plans.enums import DateField, PlanOrigin, PlanStatus, RevisionStatus, WorkStatus
from action_plans.tables import Action, ActionPartner, DateRevision, Milestone, Plan, PriorityArea
from app.audit import CLI_ACTOR
from app.enums import OrganisationKind
from app.people import services as people
from app.people.services import StaffDetails


def _id(rows: list[dict[str, Any]]) -> int:
    return rows[0]["id"]


async def insert_plan(
    *,
    owner_id: int | None,
    reference: str = "WSOA-1",
    title: str = "Written Statement of Action",
    origin: PlanOrigin = PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
    status: PlanStatus = PlanStatus.APPROVED,
    **columns: Any,
) -> int:
    now = datetime.now(UTC)
    return _id(
        await Plan.insert(
            Plan(
                reference=reference,
                title=title,
                origin=origin,
                status=status,
                owner=owner_id,
                approved_at=now if status != PlanStatus.DRAFT else None,
                created_at=now,
                updated_at=now,
                **columns,
            )
        )
    )


async def insert_area(*, plan_id: int, number: int = 1, title: str = "Timeliness") -> int:
    return _id(
        await PriorityArea.insert(
            PriorityArea(plan=plan_id, number=number, title=title, intended_outcome=f"{title} improves")
        )
    )


async def insert_action(**fields: Any) -> int:
    """An action row; takes the keyword arguments of action_row."""
    return _id(await Action.insert(action_row(**fields)))


def action_row(
    *,
    plan_id: int,
    area_id: int,
    reference: str,
    lead_id: int | None,
    baseline: date | None,
    forecast: date | None,
    start: date | None = None,
    actual: date | None = None,
    percent: int = 0,
    status: WorkStatus = WorkStatus.IN_PROGRESS,
    description: str | None = None,
) -> Action:
    """An unsaved Action, for bulk inserts."""
    return Action(
        plan=plan_id,
        priority_area=area_id,
        reference=reference,
        description=description or f"Action {reference}",
        lead=lead_id,
        start_date=start,
        baseline_date=baseline,
        forecast_date=forecast,
        actual_date=actual,
        percent_complete=percent,
        status=status,
    )


async def insert_milestone(
    *,
    plan_id: int,
    action_id: int,
    title: str,
    baseline: date | None,
    forecast: date | None,
    lead_id: int | None = None,
    actual: date | None = None,
    status: WorkStatus = WorkStatus.IN_PROGRESS,
) -> int:
    return _id(
        await Milestone.insert(
            Milestone(
                plan=plan_id,
                action=action_id,
                title=title,
                lead=lead_id,
                baseline_date=baseline,
                forecast_date=forecast,
                actual_date=actual,
                status=status,
            )
        )
    )


async def insert_partner(*, action_id: int, organisation_id: int) -> None:
    await ActionPartner.insert(ActionPartner(action=action_id, organisation=organisation_id))


async def partner_organisation(name: str = "Testshire Integrated Care Board") -> int:
    return await people.create_organisation(name=name, kind=OrganisationKind.HEALTH, actor=CLI_ACTOR)


async def staff_in(organisation_id: int, email: str, full_name: str) -> int:
    """A person (who does not sign in) in the given organisation, to lead things."""
    return await people.create_staff(
        details=StaffDetails(email=email, full_name=full_name, organisation_id=organisation_id),
        actor=CLI_ACTOR,
    )


def revision_row(
    *,
    plan_id: int,
    old: date | None,
    new: date | None,
    reason: str,
    by: int | None,
    at: datetime,
    action_id: int | None = None,
    milestone_id: int | None = None,
    field: DateField = DateField.FORECAST,
    status: RevisionStatus = RevisionStatus.APPLIED,
) -> DateRevision:
    """An unsaved DateRevision of an action's or a milestone's date, requested by `by` at `at`."""
    return DateRevision(
        plan=plan_id,
        action=action_id,
        milestone=milestone_id,
        field=field,
        old_date=old,
        new_date=new,
        reason=reason,
        status=status,
        requested_by=by,
        requested_at=at,
    )
