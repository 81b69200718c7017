"""The JSON API for the council's BI and HR integrations: people, organisations and teams."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import SecurityRequirement
from litestar.params import FromQuery, PathParameter, QueryParameter

from app.accounts.access import roles
from app.enums import Role
from app.people import services as people
from app.people.services import StaffFilter

READERS = roles(Role.ADMIN, Role.TRAINER, Role.LEADER)
# Every number a request carries is bounded, so that none reaches the database out of its range: record ids
# are positive and fit its 32-bit integer columns (PostgreSQL's SERIAL), and the offset a page number makes
# fits too. Outside these bounds the answer is a 400 naming the parameter.
MAX_ID = 2**31 - 1
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="Page number, from 1")]
PerPage = Annotated[int, QueryParameter(ge=1, le=500, description="Items per page, at most 500")]
RecordId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
OrganisationFilter = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="Only those of this organisation")
]
TeamFilter = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="Only those in this team")]
JobRoleFilter = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="Only those with this job role")
]
# PostgreSQL text cannot hold a NUL character: a search containing one is refused, not sent to the database.
SearchText = Annotated[
    str,
    QueryParameter(
        pattern=r"^[^\u0000]*$", description="Part of a name, email or employee number (no NUL characters)"
    ),
]

# The API is read with the session cookie of a signed-in person (app/main.py declares the scheme).
SESSION: list[SecurityRequirement] = [{"session": []}]


class ProblemError(msgspec.Struct):
    """One reason a request was refused: which parameter, and what is wrong with it."""

    message: str
    key: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET


class Problem(msgspec.Struct):
    """An error, as RFC 9457 problem details (what `app.web.errors.problem` sends)."""

    type: str
    title: str
    status: int
    detail: str | msgspec.UnsetType = msgspec.UNSET
    errors: list[ProblemError] | msgspec.UnsetType = msgspec.UNSET


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type="application/problem+json",
        description=description,
        generate_examples=False,
    )


# Declared on every operation, in place of Litestar's own 400 (whose body is not what the API sends).
REFUSALS = {
    400: _problem("A query parameter is missing, malformed or out of range; `errors` names each one"),
    401: _problem("No session: sign in first"),
    403: _problem("The signed-in person may not read the API (it is for admins, trainers and leaders)"),
}
NOT_FOUND = {**REFUSALS, 404: _problem("No record with that id")}


class OrganisationOut(msgspec.Struct):
    id: int
    name: str
    kind: str
    kind_label: str
    active: bool
    team_count: int
    active_staff_count: int


class TeamOut(msgspec.Struct):
    id: int
    name: str
    organisation_id: int
    organisation_name: str
    active: bool
    active_staff_count: int


class StaffOut(msgspec.Struct):
    id: int
    email: str
    full_name: str
    employee_number: str | None
    organisation_id: int
    organisation_name: str
    team_id: int | None
    team_name: str | None
    job_role_id: int | None
    job_role_name: str | None
    line_manager_id: int | None
    start_date: date | None
    left_on: date | None


class StaffPage(msgspec.Struct):
    items: list[StaffOut]
    total: int
    page: int
    per_page: int
    pages: int


def _organisation(row: dict[str, Any]) -> OrganisationOut:
    return OrganisationOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        kind_label=row["kind_label"],
        active=row["active"],
        team_count=row["team_count"],
        active_staff_count=row["staff_count"],
    )


def _team(row: dict[str, Any]) -> TeamOut:
    return TeamOut(
        id=row["id"],
        name=row["name"],
        organisation_id=row["organisation"],
        organisation_name=row["organisation_name"],
        active=row["active"],
        active_staff_count=row.get("staff_count", 0),
    )


def _staff(row: dict[str, Any]) -> StaffOut:
    return StaffOut(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        employee_number=row["employee_number"],
        organisation_id=row["organisation"],
        organisation_name=row["organisation_name"],
        team_id=row["team"],
        team_name=row["team_name"],
        job_role_id=row["job_role"],
        job_role_name=row["job_role_name"],
        line_manager_id=row["line_manager"],
        start_date=row["start_date"],
        left_on=row["left_on"],
    )


class OrganisationsApi(Controller):
    path = "/api/organisations"
    opt = READERS
    security = SESSION
    tags = ("People",)

    @get("/", responses=REFUSALS)
    async def list_organisations(self, active: FromQuery[bool | None] = None) -> list[OrganisationOut]:
        """Every organisation, optionally only active or inactive ones."""
        rows = await people.list_organisations()
        return [_organisation(r) for r in rows if active is None or r["active"] == active]

    @get("/{organisation_id:int}", responses=NOT_FOUND)
    async def get_organisation(self, organisation_id: RecordId) -> OrganisationOut:
        rows = [r for r in await people.list_organisations() if r["id"] == organisation_id]
        if not rows:
            raise NotFoundException(f"No organisation with id {organisation_id}")
        return _organisation(rows[0])


class TeamsApi(Controller):
    path = "/api/teams"
    opt = READERS
    security = SESSION
    tags = ("People",)

    @get("/", responses=REFUSALS)
    async def list_teams(self, organisation_id: OrganisationFilter = None) -> list[TeamOut]:
        """Teams, optionally those of one organisation."""
        return [_team(r) for r in await people.list_teams(organisation_id=organisation_id)]

    @get("/{team_id:int}", responses=NOT_FOUND)
    async def get_team(self, team_id: RecordId) -> TeamOut:
        row = await people.get_team(team_id)
        if row is None:
            raise NotFoundException(f"No team with id {team_id}")
        staff = await people.list_staff(filters=StaffFilter(team_id=team_id), per_page=1)
        return _team({**row, "staff_count": staff.total})


class StaffApi(Controller):
    path = "/api/staff"
    opt = READERS
    security = SESSION
    tags = ("People",)

    @get("/", responses=REFUSALS)
    async def list_staff(
        self,
        q: SearchText = "",
        organisation_id: OrganisationFilter = None,
        team_id: TeamFilter = None,
        job_role_id: JobRoleFilter = None,
        status: FromQuery[Literal["active", "left", "all"]] = "active",
        page: PageNumber = 1,
        per_page: PerPage = 100,
    ) -> StaffPage:
        """People matching the filters, by name, a page at a time."""
        result = await people.list_staff(
            filters=StaffFilter(
                search=q.strip(),
                organisation_id=organisation_id,
                team_id=team_id,
                job_role_id=job_role_id,
                status=status,
            ),
            page=page,
            per_page=per_page,
        )
        return StaffPage(
            items=[_staff(r) for r in result.rows],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @get("/{staff_id:int}", responses=NOT_FOUND)
    async def get_staff(self, staff_id: RecordId) -> StaffOut:
        row = await people.get_staff(staff_id)
        if row is None:
            raise NotFoundException(f"No person with id {staff_id}")
        return _staff(row)


API_CONTROLLERS = [OrganisationsApi, TeamsApi, StaffApi]
