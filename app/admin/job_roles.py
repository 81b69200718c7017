"""Admin pages for job roles."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.accounts.access import actor_of, roles
from app.enums import Role
from app.people import services as people
from app.people.services import PeopleError
from app.web.flash import flash
from app.web.forms import error_context, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _form(title: str, action: str, values: dict[str, Any], errors: dict[str, str], editing: bool) -> Template:
    return Template(
        "admin/job_role_form.html",
        context={
            "title": title,
            "action": action,
            "values": values,
            "editing": editing,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


class JobRolesController(Controller):
    path = "/admin/job-roles"
    opt = roles(Role.ADMIN)

    @get("/")
    async def index(self) -> Template:
        return Template(
            "admin/job_roles.html",
            context={"title": "Job roles", "job_roles": await people.list_job_roles()},
        )

    @get("/new")
    async def new(self) -> Template:
        return _form("Add a job role", "/admin/job-roles/new", {"active": True}, {}, editing=False)

    @post("/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        values: dict[str, Any] = {
            "name": text(data, "name"),
            "description": text(data, "description"),
            "active": True,
        }
        try:
            await people.create_job_role(
                name=values["name"], description=values["description"], actor=actor_of(request)
            )
        except PeopleError as exc:
            return _form("Add a job role", "/admin/job-roles/new", values, {exc.field: exc.message}, False)
        return flash(
            Redirect("/admin/job-roles", status_code=303),
            request.app.state.settings.secret_key,
            f"Job role {values['name']} added",
        )

    @get("/{job_role_id:int}/edit")
    async def edit(self, job_role_id: FromPath[int]) -> Template:
        job_role = await people.get_job_role(job_role_id)
        if job_role is None:
            raise NotFoundException()
        return _form(f"Change {job_role['name']}", f"/admin/job-roles/{job_role_id}/edit", job_role, {}, True)

    @post("/{job_role_id:int}/edit", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], job_role_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        if await people.get_job_role(job_role_id) is None:
            raise NotFoundException()
        values: dict[str, Any] = {
            "name": text(data, "name"),
            "description": text(data, "description"),
            "active": text(data, "active") == "yes",
        }
        try:
            await people.update_job_role(job_role_id=job_role_id, actor=actor_of(request), **values)
        except PeopleError as exc:
            return _form(
                "Change job role",
                f"/admin/job-roles/{job_role_id}/edit",
                values,
                {exc.field: exc.message},
                True,
            )
        return flash(
            Redirect("/admin/job-roles", status_code=303),
            request.app.state.settings.secret_key,
            f"Job role {values['name']} updated",
        )
