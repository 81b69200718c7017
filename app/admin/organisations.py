"""Admin pages for organisations and their teams."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.accounts.access import actor_of, roles
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import PeopleError
from app.web.flash import flash
from app.web.forms import error_context, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

KIND_ITEMS = [{"value": k.value, "text": k.label} for k in OrganisationKind]


def _form(title: str, action: str, values: dict[str, Any], errors: dict[str, str], **extra: Any) -> Template:
    return Template(
        "admin/organisation_form.html",
        context={
            "title": title,
            "action": action,
            "values": values,
            "kinds": KIND_ITEMS,
            **error_context(errors),
            **extra,
        },
        status_code=400 if errors else 200,
    )


class OrganisationsController(Controller):
    path = "/admin/organisations"
    opt = roles(Role.ADMIN)

    @get("/")
    async def index(self) -> Template:
        return Template(
            "admin/organisations.html",
            context={"title": "Organisations", "organisations": await people.list_organisations()},
        )

    @get("/new")
    async def new(self) -> Template:
        return _form("Add an organisation", "/admin/organisations/new", {"active": True}, {})

    @post("/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        values: dict[str, Any] = {"name": text(data, "name"), "kind": text(data, "kind"), "active": True}
        try:
            organisation_id = await people.create_organisation(
                name=values["name"], kind=values["kind"], actor=actor_of(request)
            )
        except PeopleError as exc:
            return _form("Add an organisation", "/admin/organisations/new", values, {exc.field: exc.message})
        return flash(
            Redirect(f"/admin/organisations/{organisation_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"{values['name']} added",
        )

    @get("/{organisation_id:int}")
    async def show(self, organisation_id: FromPath[int]) -> Template:
        organisation = await people.get_organisation(organisation_id)
        if organisation is None:
            raise NotFoundException()
        return Template(
            "admin/organisation.html",
            context={
                "title": organisation["name"],
                "organisation": organisation,
                "teams": await people.list_teams(organisation_id=organisation_id),
            },
        )

    @get("/{organisation_id:int}/edit")
    async def edit(self, organisation_id: FromPath[int]) -> Template:
        organisation = await people.get_organisation(organisation_id)
        if organisation is None:
            raise NotFoundException()
        return _form(
            f"Change {organisation['name']}",
            f"/admin/organisations/{organisation_id}/edit",
            organisation,
            {},
            editing=True,
        )

    @post("/{organisation_id:int}/edit", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], organisation_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        if await people.get_organisation(organisation_id) is None:
            raise NotFoundException()
        values: dict[str, Any] = {
            "name": text(data, "name"),
            "kind": text(data, "kind"),
            "active": text(data, "active") == "yes",
        }
        try:
            await people.update_organisation(
                organisation_id=organisation_id, actor=actor_of(request), **values
            )
        except PeopleError as exc:
            return _form(
                "Change organisation",
                f"/admin/organisations/{organisation_id}/edit",
                values,
                {exc.field: exc.message},
                editing=True,
            )
        return flash(
            Redirect(f"/admin/organisations/{organisation_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"{values['name']} updated",
        )

    @get("/{organisation_id:int}/teams/new")
    async def new_team(self, organisation_id: FromPath[int]) -> Template:
        organisation = await people.get_organisation(organisation_id)
        if organisation is None:
            raise NotFoundException()
        return _team_form(organisation, None, {"active": True}, {})

    @post("/{organisation_id:int}/teams/new", status_code=303)
    async def create_team(
        self, request: Request[Any, Any, Any], organisation_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        organisation = await people.get_organisation(organisation_id)
        if organisation is None:
            raise NotFoundException()
        values: dict[str, Any] = {"name": text(data, "name"), "active": True}
        try:
            await people.create_team(
                name=values["name"], organisation_id=organisation_id, actor=actor_of(request)
            )
        except PeopleError as exc:
            return _team_form(organisation, None, values, {exc.field: exc.message})
        return flash(
            Redirect(f"/admin/organisations/{organisation_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"Team {values['name']} added",
        )


def _team_form(
    organisation: dict[str, Any],
    team_id: int | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Template:
    action = (
        f"/admin/teams/{team_id}/edit" if team_id else f"/admin/organisations/{organisation['id']}/teams/new"
    )
    return Template(
        "admin/team_form.html",
        context={
            "title": f"Change team {values.get('name', '')}"
            if team_id
            else f"Add a team to {organisation['name']}",
            "action": action,
            "organisation": organisation,
            "values": values,
            "editing": team_id is not None,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


class TeamsController(Controller):
    path = "/admin/teams"
    opt = roles(Role.ADMIN)

    @get("/{team_id:int}/edit")
    async def edit(self, team_id: FromPath[int]) -> Template:
        team = await people.get_team(team_id)
        if team is None:
            raise NotFoundException()
        organisation = await people.get_organisation(team["organisation"])
        assert organisation is not None  # a team's organisation cannot be deleted
        return _team_form(organisation, team_id, team, {})

    @post("/{team_id:int}/edit", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], team_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        team = await people.get_team(team_id)
        if team is None:
            raise NotFoundException()
        values: dict[str, Any] = {"name": text(data, "name"), "active": text(data, "active") == "yes"}
        try:
            await people.update_team(team_id=team_id, actor=actor_of(request), **values)
        except PeopleError as exc:
            organisation = await people.get_organisation(team["organisation"])
            assert organisation is not None
            return _team_form(organisation, team_id, values, {exc.field: exc.message})
        return flash(
            Redirect(f"/admin/organisations/{team['organisation']}", status_code=303),
            request.app.state.settings.secret_key,
            f"Team {values['name']} updated",
        )
