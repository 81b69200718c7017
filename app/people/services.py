"""People services: read and change organisations, teams, job roles and staff, with audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query import Select
from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.string import Lower

from app import audit
from app.audit import Actor
from app.database import icontains, write_transaction
from app.enums import AuditAction, OrganisationKind
from app.tables import Account, JobRole, Organisation, Staff, Team
from app.web.paging import Page

PER_PAGE = 25


class PeopleError(ValueError):
    """A change that breaks a rule, with a message for the person and the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _now() -> datetime:
    return datetime.now(UTC)


def _tidy(name: str) -> str:
    """A name as people read it: no spaces at either end, single spaces inside."""
    return " ".join(name.split())


def _stamped(values: dict[str, Any]) -> dict[Any, Any]:
    """Column values for an update, with updated_at set to now."""
    return {**values, "updated_at": _now()}


# --- organisations ---------------------------------------------------------------------------


async def list_organisations(*, include_inactive: bool = True) -> list[dict[str, Any]]:
    """Organisations by name, each with its count of active staff and of teams."""
    query = Organisation.select(
        Organisation.id, Organisation.name, Organisation.kind, Organisation.active
    ).order_by(Organisation.name)
    if not include_inactive:
        query = query.where(Organisation.active == True)  # noqa: E712 (Piccolo builds SQL from ==)
    rows = await query
    staff_counts = {
        r["organisation"]: r["count"]
        for r in await Staff.select(Staff.organisation, Count(alias="count"))
        .where(Staff.left_on.is_null())
        .group_by(Staff.organisation)
    }
    team_counts = {
        r["organisation"]: r["count"]
        for r in await Team.select(Team.organisation, Count(alias="count")).group_by(Team.organisation)
    }
    for row in rows:
        row["kind_label"] = OrganisationKind(row["kind"]).label
        row["staff_count"] = staff_counts.get(row["id"], 0)
        row["team_count"] = team_counts.get(row["id"], 0)
    return rows


async def get_organisation(organisation_id: int) -> dict[str, Any] | None:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row:
        row["kind_label"] = OrganisationKind(row["kind"]).label
    return row


async def _check_organisation(name: str, kind: str, *, exclude_id: int | None = None) -> None:
    if not name:
        raise PeopleError("name", "Enter the organisation's name")
    if kind not in {k.value for k in OrganisationKind}:
        raise PeopleError("kind", "Select the kind of organisation")
    clash = Organisation.exists().where(Lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(Organisation.id != exclude_id)
    if await clash:
        raise PeopleError("name", "An organisation with this name already exists")


async def create_organisation(*, name: str, kind: str, actor: Actor) -> int:
    name = _tidy(name)
    await _check_organisation(name, kind)
    async with write_transaction():
        row = (await Organisation.insert(Organisation(name=name, kind=kind)).returning(Organisation.id))[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="organisation",
            entity_id=row["id"],
            summary=f"Organisation {name} created",
            after={"name": name, "kind": kind},
        )
    return int(row["id"])


async def update_organisation(
    *, organisation_id: int, name: str, kind: str, active: bool, actor: Actor
) -> None:
    name = _tidy(name)
    await _check_organisation(name, kind, exclude_id=organisation_id)
    async with write_transaction():
        current = (
            await Organisation.select(Organisation.name, Organisation.kind, Organisation.active)
            .where(Organisation.id == organisation_id)
            .first()
        )
        if current is None:
            raise PeopleError("name", "That organisation no longer exists")
        new = {"name": name, "kind": kind, "active": active}
        before, after = audit.changed_fields(current, new)
        if not after:
            return
        await Organisation.update(_stamped(new)).where(Organisation.id == organisation_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="organisation",
            entity_id=organisation_id,
            summary=f"Organisation {name} updated",
            before=before,
            after=after,
        )


# --- teams -----------------------------------------------------------------------------------


async def list_teams(*, organisation_id: int | None = None) -> list[dict[str, Any]]:
    """Teams with their organisation's name and count of active staff."""
    query = (
        Team.select(
            Team.id,
            Team.name,
            Team.active,
            Team.organisation,
            Team.organisation.name.as_alias("organisation_name"),
        )
        .order_by(Team.organisation.name)
        .order_by(Team.name)
    )
    if organisation_id is not None:
        query = query.where(Team.organisation == organisation_id)
    rows = await query
    counts = {
        r["team"]: r["count"]
        for r in await Staff.select(Staff.team, Count(alias="count"))
        .where(Staff.left_on.is_null() & Staff.team.is_not_null())
        .group_by(Staff.team)
    }
    for row in rows:
        row["staff_count"] = counts.get(row["id"], 0)
    return rows


async def get_team(team_id: int) -> dict[str, Any] | None:
    return (
        await Team.select(
            Team.id,
            Team.name,
            Team.active,
            Team.organisation,
            Team.organisation.name.as_alias("organisation_name"),
        )
        .where(Team.id == team_id)
        .first()
    )


async def _check_team(name: str, organisation_id: int, *, exclude_id: int | None = None) -> None:
    if not name:
        raise PeopleError("name", "Enter the team's name")
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise PeopleError("organisation", "Select the organisation the team belongs to")
    clash = Team.exists().where(Team.organisation == organisation_id, Lower(Team.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(Team.id != exclude_id)
    if await clash:
        raise PeopleError("name", "This organisation already has a team with this name")


async def create_team(*, name: str, organisation_id: int, actor: Actor) -> int:
    name = _tidy(name)
    await _check_team(name, organisation_id)
    async with write_transaction():
        row = (await Team.insert(Team(name=name, organisation=organisation_id)).returning(Team.id))[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="team",
            entity_id=row["id"],
            summary=f"Team {name} created",
            after={"name": name, "organisation": organisation_id},
        )
    return int(row["id"])


async def update_team(*, team_id: int, name: str, active: bool, actor: Actor) -> None:
    name = _tidy(name)
    current = await Team.select(Team.name, Team.active, Team.organisation).where(Team.id == team_id).first()
    if current is None:
        raise PeopleError("name", "That team no longer exists")
    await _check_team(name, current["organisation"], exclude_id=team_id)
    before, after = audit.changed_fields(current, {"name": name, "active": active})
    if not after:
        return
    async with write_transaction():
        await Team.update({Team.name: name, Team.active: active, Team.updated_at: _now()}).where(
            Team.id == team_id
        )
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="team",
            entity_id=team_id,
            summary=f"Team {name} updated",
            before=before,
            after=after,
        )


# --- job roles -------------------------------------------------------------------------------


async def list_job_roles() -> list[dict[str, Any]]:
    rows = await JobRole.select(JobRole.id, JobRole.name, JobRole.description, JobRole.active).order_by(
        JobRole.name
    )
    counts = {
        r["job_role"]: r["count"]
        for r in await Staff.select(Staff.job_role, Count(alias="count"))
        .where(Staff.left_on.is_null() & Staff.job_role.is_not_null())
        .group_by(Staff.job_role)
    }
    for row in rows:
        row["staff_count"] = counts.get(row["id"], 0)
    return rows


async def get_job_role(job_role_id: int) -> dict[str, Any] | None:
    return await JobRole.select().where(JobRole.id == job_role_id).first()


async def _check_job_role(name: str, *, exclude_id: int | None = None) -> None:
    if not name:
        raise PeopleError("name", "Enter the job role's name")
    clash = JobRole.exists().where(Lower(JobRole.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(JobRole.id != exclude_id)
    if await clash:
        raise PeopleError("name", "A job role with this name already exists")


async def create_job_role(*, name: str, description: str, actor: Actor) -> int:
    name, description = _tidy(name), description.strip()
    await _check_job_role(name)
    async with write_transaction():
        row = (await JobRole.insert(JobRole(name=name, description=description)).returning(JobRole.id))[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="job_role",
            entity_id=row["id"],
            summary=f"Job role {name} created",
            after={"name": name, "description": description},
        )
    return int(row["id"])


async def update_job_role(
    *, job_role_id: int, name: str, description: str, active: bool, actor: Actor
) -> None:
    name, description = _tidy(name), description.strip()
    await _check_job_role(name, exclude_id=job_role_id)
    current = (
        await JobRole.select(JobRole.name, JobRole.description, JobRole.active)
        .where(JobRole.id == job_role_id)
        .first()
    )
    if current is None:
        raise PeopleError("name", "That job role no longer exists")
    before, after = audit.changed_fields(
        current, {"name": name, "description": description, "active": active}
    )
    if not after:
        return
    async with write_transaction():
        await JobRole.update(_stamped(after)).where(JobRole.id == job_role_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="job_role",
            entity_id=job_role_id,
            summary=f"Job role {name} updated",
            before=before,
            after=after,
        )


# --- staff -----------------------------------------------------------------------------------

STAFF_COLUMNS = (
    Staff.id,
    Staff.email,
    Staff.full_name,
    Staff.employee_number,
    Staff.organisation,
    Staff.organisation.name.as_alias("organisation_name"),
    Staff.team,
    Staff.team.name.as_alias("team_name"),
    Staff.job_role,
    Staff.job_role.name.as_alias("job_role_name"),
    Staff.line_manager,
    Staff.line_manager.full_name.as_alias("line_manager_name"),
    Staff.start_date,
    Staff.left_on,
)


@dataclass(frozen=True, slots=True)
class StaffFilter:
    search: str = ""
    organisation_id: int | None = None
    team_id: int | None = None
    job_role_id: int | None = None
    status: str = "active"  # active, left or all

    def conditions(self) -> list[Where | Any]:
        conditions: list[Any] = []
        if self.search:
            conditions.append(
                icontains(Staff.full_name, self.search)
                | icontains(Staff.email, self.search)
                | icontains(Staff.employee_number, self.search)
            )
        if self.organisation_id:
            conditions.append(Staff.organisation == self.organisation_id)
        if self.team_id:
            conditions.append(Staff.team == self.team_id)
        if self.job_role_id:
            conditions.append(Staff.job_role == self.job_role_id)
        if self.status == "active":
            conditions.append(Staff.left_on.is_null())
        elif self.status == "left":
            conditions.append(Staff.left_on.is_not_null())
        return conditions


def staff_page_query(filters: StaffFilter, *, page: int = 1, per_page: int = PER_PAGE) -> Select:
    """The statement for one page of staff matching the filters, by name (people in post, and leavers,
    are each read in that order from a partial index: see the migration of 2026-11-28T16:33)."""
    query = Staff.select(*STAFF_COLUMNS).order_by(Staff.full_name).order_by(Staff.id)
    if conditions := filters.conditions():
        query = query.where(*conditions)
    return query.limit(per_page).offset((max(1, page) - 1) * per_page)


async def list_staff(*, filters: StaffFilter, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of staff matching the filters, by name; two SQL statements whatever the size."""
    page = max(1, page)
    count = Staff.count()
    if conditions := filters.conditions():
        count = count.where(*conditions)
    rows = await staff_page_query(filters, page=page, per_page=per_page)
    return Page(rows=rows, total=await count, page=page, per_page=per_page)


async def get_staff(staff_id: int) -> dict[str, Any] | None:
    return await Staff.select(*STAFF_COLUMNS).where(Staff.id == staff_id).first()


@dataclass(frozen=True, slots=True)
class StaffDetails:
    email: str
    full_name: str
    organisation_id: int | None
    team_id: int | None = None
    job_role_id: int | None = None
    line_manager_id: int | None = None
    employee_number: str | None = None
    start_date: date | None = None

    def values(self) -> dict[str, Any]:
        return {
            "email": self.email.strip().lower(),
            "full_name": " ".join(self.full_name.split()),
            "organisation": self.organisation_id,
            "team": self.team_id,
            "job_role": self.job_role_id,
            "line_manager": self.line_manager_id,
            # HR systems differ in case ("e100", "E100"); one person, one number, kept in capitals.
            "employee_number": (self.employee_number or "").strip().upper() or None,
            "start_date": self.start_date,
        }


async def _check_staff(details: StaffDetails, *, staff_id: int | None = None) -> dict[str, Any]:
    values = details.values()
    email = values["email"]
    if not values["full_name"]:
        raise PeopleError("full_name", "Enter the person's full name")
    if not email:
        raise PeopleError("email", "Enter the person's email address")
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise PeopleError("email", "Enter an email address in the correct format, like name@example.org")
    if values["organisation"] is None or not await Organisation.exists().where(
        Organisation.id == values["organisation"]
    ):
        raise PeopleError("organisation", "Select the person's organisation")
    if values["team"] is not None:
        team = await Team.select(Team.organisation).where(Team.id == values["team"]).first()
        if team is None:
            raise PeopleError("team", "Select a team that exists")
        if team["organisation"] != values["organisation"]:
            raise PeopleError("team", "Select a team in the person's organisation")
    if values["job_role"] is not None and not await JobRole.exists().where(JobRole.id == values["job_role"]):
        raise PeopleError("job_role", "Select a job role that exists")
    if values["line_manager"] is not None:
        if values["line_manager"] == staff_id:
            raise PeopleError("line_manager", "A person cannot be their own line manager")
        if not await Staff.exists().where(Staff.id == values["line_manager"]):
            raise PeopleError("line_manager", "Select a line manager who exists")
    clash = Staff.exists().where(Staff.email == email)
    if staff_id is not None:
        clash = clash.where(Staff.id != staff_id)
    if await clash:
        raise PeopleError("email", "Someone with this email address already exists")
    if values["employee_number"]:
        clash = Staff.exists().where(Staff.employee_number == values["employee_number"])
        if staff_id is not None:
            clash = clash.where(Staff.id != staff_id)
        if await clash:
            raise PeopleError("employee_number", "Someone with this employee number already exists")
    return values


async def create_staff(*, details: StaffDetails, actor: Actor) -> int:
    """Add a person; raises PeopleError naming the field at fault."""
    values = await _check_staff(details)
    async with write_transaction():
        row = (await Staff.insert(Staff(**values)).returning(Staff.id))[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="staff",
            entity_id=row["id"],
            summary=f"{values['full_name']} added",
            after=values,
        )
    return int(row["id"])


async def update_staff(*, staff_id: int, details: StaffDetails, actor: Actor) -> None:
    values = await _check_staff(details, staff_id=staff_id)
    async with write_transaction():
        current = (
            await Staff.select(
                Staff.email,
                Staff.full_name,
                Staff.organisation,
                Staff.team,
                Staff.job_role,
                Staff.line_manager,
                Staff.employee_number,
                Staff.start_date,
            )
            .where(Staff.id == staff_id)
            .first()
        )
        if current is None:
            raise PeopleError("full_name", "That person no longer exists")
        before, after = audit.changed_fields(current, values)
        if not after:
            return
        await Staff.update(_stamped(after)).where(Staff.id == staff_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="staff",
            entity_id=staff_id,
            summary=f"{values['full_name']} updated",
            before=before,
            after=after,
        )


async def mark_left(*, staff_id: int, left_on: date, actor: Actor) -> None:
    """Record that a person has left; their records stay, they can no longer sign in."""
    async with write_transaction():
        current = await Staff.select(Staff.full_name, Staff.left_on).where(Staff.id == staff_id).first()
        if current is None:
            raise PeopleError("left_on", "That person no longer exists")
        if current["left_on"] is not None:
            raise PeopleError("left_on", "This person is already marked as left")
        # Leaving takes effect at once (they can no longer sign in), so it cannot be dated ahead.
        if left_on > date.today():
            raise PeopleError("left_on", "The date they left must be today or in the past")
        await Staff.update({Staff.left_on: left_on, Staff.updated_at: _now()}).where(Staff.id == staff_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="staff",
            entity_id=staff_id,
            summary=f"{current['full_name']} marked as left",
            before={"left_on": None},
            after={"left_on": left_on},
        )


async def reinstate(*, staff_id: int, actor: Actor) -> None:
    """Undo 'marked as left' for someone who returns."""
    async with write_transaction():
        current = await Staff.select(Staff.full_name, Staff.left_on).where(Staff.id == staff_id).first()
        if current is None or current["left_on"] is None:
            raise PeopleError("left_on", "This person is not marked as left")
        await Staff.update({Staff.left_on: None, Staff.updated_at: _now()}).where(Staff.id == staff_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="staff",
            entity_id=staff_id,
            summary=f"{current['full_name']} reinstated",
            before={"left_on": current["left_on"]},
            after={"left_on": None},
        )


async def has_account(staff_id: int) -> bool:
    return await Account.exists().where(Account.staff == staff_id)


async def staff_id_by_email(email: str) -> int | None:
    row = await Staff.select(Staff.id).where(Staff.email == email.strip().lower()).first()
    return int(row["id"]) if row else None


@dataclass(frozen=True, slots=True)
class WorkforceSummary:
    active_staff: int
    left_staff: int
    by_kind: list[dict[str, Any]]


async def workforce_summary() -> WorkforceSummary:
    """Active staff by kind of organisation, counted in SQL."""
    rows = (
        await Staff.select(Staff.organisation.kind.as_alias("kind"), Count(alias="count"))
        .where(Staff.left_on.is_null())
        .group_by(Staff.organisation.kind)
    )
    by_kind = [
        {"kind": OrganisationKind(r["kind"]).label, "count": r["count"]}
        for r in sorted(rows, key=lambda r: OrganisationKind(r["kind"]).label)
    ]
    return WorkforceSummary(
        active_staff=sum(r["count"] for r in rows),
        left_staff=await Staff.count().where(Staff.left_on.is_not_null()),
        by_kind=by_kind,
    )


@dataclass(frozen=True, slots=True)
class Choices:
    """Organisations, teams and job roles by name, for filter and form lists (no staff counts)."""

    organisations: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    job_roles: list[dict[str, Any]]

    def as_context(self) -> dict[str, Any]:
        return {"organisations": self.organisations, "teams": self.teams, "job_roles": self.job_roles}


async def choices(
    *,
    include_inactive: bool = True,
    chosen_teams_only: bool = False,
    organisation_id: int | None = None,
    team_id: int | None = None,
) -> Choices:
    """Three light statements, however many staff there are; the admin lists with counts cost more.
    `chosen_teams_only` (for filters): only the teams of `organisation_id` (none when it is None) and
    the team `team_id`, since a large council has thousands of teams, too many for one list."""
    organisations = Organisation.select(Organisation.id, Organisation.name, Organisation.kind).order_by(
        Organisation.name
    )
    if not include_inactive:
        organisations = organisations.where(Organisation.active == True)  # noqa: E712 (Piccolo builds SQL)
    teams = (
        Team.select(
            Team.id, Team.name, Team.organisation, Team.organisation.name.as_alias("organisation_name")
        )
        .order_by(Team.organisation.name)
        .order_by(Team.name)
    )
    if chosen_teams_only:
        teams = teams.where((Team.organisation == (organisation_id or -1)) | (Team.id == (team_id or -1)))
    job_roles = JobRole.select(JobRole.id, JobRole.name).order_by(JobRole.name)
    return Choices(organisations=await organisations, teams=await teams, job_roles=await job_roles)
