"""Admin pages for people: find, add, change, mark as left, and manage sign-in and roles."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.accounts import services as accounts
from app.accounts.access import actor_of, roles
from app.accounts.services import AccountError
from app.database import write_transaction
from app.enums import Role
from app.people import services as people
from app.people.services import PeopleError, StaffDetails, StaffFilter
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, parse_date_parts, text
from app.web.paging import pagination
from courses import assignments

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
STATUS_ITEMS = [("active", "Active"), ("left", "Left"), ("all", "Everyone")]


async def _choices() -> dict[str, Any]:
    return (await people.choices()).as_context()


async def _staff_form(
    *, title: str, action: str, values: dict[str, Any], errors: dict[str, str], back: str
) -> Template:
    return Template(
        "admin/staff_form.html",
        context={
            "title": title,
            "action": action,
            "values": values,
            "back": back,
            **await _choices(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    start_date, _ = parse_date_parts(data, "start_date")
    return {
        "full_name": text(data, "full_name"),
        "email": text(data, "email"),
        "employee_number": text(data, "employee_number"),
        "organisation": optional_int(text(data, "organisation")),
        "team": optional_int(text(data, "team")),
        "job_role": optional_int(text(data, "job_role")),
        "line_manager_email": text(data, "line_manager_email"),
        "start_date": start_date,
        "start_date_parts": {p: text(data, f"start_date-{p}") for p in ("day", "month", "year")},
    }


async def _details(values: dict[str, Any], data: dict[str, Any]) -> StaffDetails:
    """Turn form values into service input; raises PeopleError for what the form alone can tell."""
    _, date_problem = parse_date_parts(data, "start_date")
    if date_problem:
        raise PeopleError("start_date-day", f"Start date {date_problem}")
    line_manager_id = None
    if values["line_manager_email"]:
        line_manager_id = await people.staff_id_by_email(values["line_manager_email"])
        if line_manager_id is None:
            raise PeopleError("line_manager_email", "Enter the email address of someone already in Assure")
    return StaffDetails(
        email=values["email"],
        full_name=values["full_name"],
        organisation_id=values["organisation"],
        team_id=values["team"],
        job_role_id=values["job_role"],
        line_manager_id=line_manager_id,
        employee_number=values["employee_number"],
        start_date=values["start_date"],
    )


def _form_errors(exc: PeopleError) -> dict[str, str]:
    """The error against the form's own field: the form names the line manager by email."""
    return {"line_manager_email" if exc.field == "line_manager" else exc.field: exc.message}


class StaffController(Controller):
    path = "/admin/staff"
    opt = roles(Role.ADMIN)

    @get("/")
    async def index(
        self,
        q: FromQuery[str] = "",
        # Text, not int: the filter form sends "" for its "All ..." choices.
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        status: FromQuery[str] = "active",
        page: FromQuery[int] = 1,
    ) -> Template:
        status = status if status in {s for s, _ in STATUS_ITEMS} else "active"
        filters = StaffFilter(
            search=q.strip(),
            organisation_id=optional_int(organisation),
            team_id=optional_int(team),
            job_role_id=optional_int(job_role),
            status=status,
        )
        result = await people.list_staff(filters=filters, page=page)
        query = {
            "q": filters.search,
            "organisation": filters.organisation_id,
            "team": filters.team_id,
            "job_role": filters.job_role_id,
            "status": status,
        }
        return Template(
            "admin/staff.html",
            context={
                "title": "People",
                "result": result,
                "filters": query,
                "statuses": STATUS_ITEMS,
                "pagination": pagination(
                    page=result.page, pages=result.pages, path="/admin/staff", query=query
                ),
                **(
                    await people.choices(
                        chosen_teams_only=True,
                        organisation_id=filters.organisation_id,
                        team_id=filters.team_id,
                    )
                ).as_context(),
            },
        )

    @get("/new")
    async def new(self) -> Template:
        return await _staff_form(
            title="Add a person",
            action="/admin/staff/new",
            values={},
            errors={},
            back="/admin/staff",
        )

    @post("/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        values = _form_values(data)
        try:
            details = await _details(values, data)
            # A new starter gets every course whose standing rules cover them, in the same transaction.
            async with write_transaction():
                staff_id = await people.create_staff(details=details, actor=actor_of(request))
                await assignments.apply_rules_to_staff(staff_ids=[staff_id])
        except PeopleError as exc:
            return await _staff_form(
                title="Add a person",
                action="/admin/staff/new",
                values=values,
                errors=_form_errors(exc),
                back="/admin/staff",
            )
        return flash(
            Redirect(f"/admin/staff/{staff_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"{values['full_name']} added",
        )

    @get("/{staff_id:int}")
    async def show(self, staff_id: FromPath[int]) -> Template:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        return Template(
            "admin/person.html",
            context={
                "title": person["full_name"],
                "person": person,
                "person_roles": sorted(r.label for r in await accounts.roles_of(staff_id)),
                "has_account": await people.has_account(staff_id),
            },
        )

    @get("/{staff_id:int}/edit")
    async def edit(self, staff_id: FromPath[int]) -> Template:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        manager = await people.get_staff(person["line_manager"]) if person["line_manager"] else None
        start = person["start_date"]
        values = {
            **person,
            "line_manager_email": manager["email"] if manager else "",
            "start_date_parts": {"day": start.day, "month": start.month, "year": start.year} if start else {},
        }
        return await _staff_form(
            title=f"Change {person['full_name']}",
            action=f"/admin/staff/{staff_id}/edit",
            values=values,
            errors={},
            back=f"/admin/staff/{staff_id}",
        )

    @post("/{staff_id:int}/edit", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], staff_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        if await people.get_staff(staff_id) is None:
            raise NotFoundException()
        values = _form_values(data)
        try:
            details = await _details(values, data)
            # Someone moving team, organisation or role picks up the courses of their new group.
            async with write_transaction():
                await people.update_staff(staff_id=staff_id, details=details, actor=actor_of(request))
                await assignments.apply_rules_to_staff(staff_ids=[staff_id])
        except PeopleError as exc:
            return await _staff_form(
                title="Change person",
                action=f"/admin/staff/{staff_id}/edit",
                values=values,
                errors=_form_errors(exc),
                back=f"/admin/staff/{staff_id}",
            )
        return flash(
            Redirect(f"/admin/staff/{staff_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"{values['full_name']} updated",
        )

    @get("/{staff_id:int}/leave")
    async def leave_form(self, staff_id: FromPath[int]) -> Template:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        today = date.today()
        return Template(
            "admin/leave.html",
            context={
                "title": f"Mark {person['full_name']} as left",
                "person": person,
                "parts": {"day": today.day, "month": today.month, "year": today.year},
                **error_context({}),
            },
        )

    @post("/{staff_id:int}/leave", status_code=303)
    async def leave(
        self, request: Request[Any, Any, Any], staff_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        left_on, problem = parse_date_parts(data, "left_on")
        error = None
        if problem:
            error = f"Date they left {problem}"
        elif left_on is None:
            error = "Enter the date they left"
        else:
            try:
                await people.mark_left(staff_id=staff_id, left_on=left_on, actor=actor_of(request))
            except PeopleError as exc:
                error = exc.message
        if error:
            return Template(
                "admin/leave.html",
                context={
                    "title": f"Mark {person['full_name']} as left",
                    "person": person,
                    "parts": {p: text(data, f"left_on-{p}") for p in ("day", "month", "year")},
                    **error_context({"left_on-day": error}),
                },
                status_code=400,
            )
        return flash(
            Redirect(f"/admin/staff/{staff_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"{person['full_name']} marked as left. Their records are kept and they can no longer sign in.",
        )

    @post("/{staff_id:int}/reinstate", status_code=303)
    async def reinstate(self, request: Request[Any, Any, Any], staff_id: FromPath[int]) -> Redirect:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        try:
            await people.reinstate(staff_id=staff_id, actor=actor_of(request))
        except PeopleError as exc:
            return flash(
                Redirect(f"/admin/staff/{staff_id}", status_code=303),
                request.app.state.settings.secret_key,
                exc.message,
                kind="important",
            )
        return flash(
            Redirect(f"/admin/staff/{staff_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"{person['full_name']} reinstated",
        )

    @get("/{staff_id:int}/access")
    async def access_form(self, staff_id: FromPath[int]) -> Template:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        return await _access_page(person, {r.value for r in await accounts.roles_of(staff_id)}, {})

    @post("/{staff_id:int}/access", status_code=303)
    async def access(
        self, request: Request[Any, Any, Any], staff_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        person = await people.get_staff(staff_id)
        if person is None:
            raise NotFoundException()
        chosen = {r for r in many(data, "roles") if r in {x.value for x in Role}}
        password = str(data.get("password", ""))
        actor = actor_of(request)
        if staff_id == actor.staff_id and Role.ADMIN.value not in chosen:
            return await _access_page(person, chosen, {"roles": "You cannot remove your own admin role"})
        try:
            async with write_transaction():
                if password:
                    await accounts.set_password(staff_id=staff_id, password=password, actor=actor)
                await accounts.set_roles(staff_id=staff_id, roles={Role(r) for r in chosen}, actor=actor)
        except AccountError as exc:
            return await _access_page(person, chosen, {"password": str(exc)})
        return flash(
            Redirect(f"/admin/staff/{staff_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"Sign-in and roles saved for {person['full_name']}",
        )


async def _access_page(person: dict[str, Any], chosen: set[str], errors: dict[str, str]) -> Template:
    return Template(
        "admin/access.html",
        context={
            "title": f"Sign-in and roles for {person['full_name']}",
            "person": person,
            "chosen": chosen,
            "all_roles": list(Role),
            "has_account": await people.has_account(person["id"]),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )
