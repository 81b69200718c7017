"""Trainers assign courses: standing rules for teams, organisations, job roles and people; one-off bulk
assignment from a filtered list; ending rules and assignments with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.accounts.access import actor_of, roles
from app.enums import Role
from app.people import services as people
from app.people.services import StaffFilter
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, parse_date_parts, text
from app.web.paging import pagination
from courses import assignments, catalogue
from courses.assignments import AssignmentError, DueRule
from courses.enums import CourseStatus, DueKind, TargetKind
from courses.tables import Assignment

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
TRAINERS = roles(Role.TRAINER, Role.ADMIN)
TARGET_LABELS = {
    TargetKind.TEAM: "A team",
    TargetKind.ORGANISATION: "An organisation",
    TargetKind.JOB_ROLE: "A job role",
    TargetKind.PERSON: "One person",
}


async def _published_course(course_id: int) -> dict[str, Any]:
    course = await catalogue.get_course(course_id)
    if course is None:
        raise NotFoundException("No such course")
    return course


def _due_from_form(data: dict[str, Any]) -> tuple[DueRule | None, dict[str, str]]:
    kind = text(data, "due_kind")
    if kind not in {k.value for k in DueKind}:
        return None, {"due_kind": "Choose when the course is due"}
    if kind == DueKind.FIXED:
        on, problem = parse_date_parts(data, "due_on")
        if problem or on is None:
            return None, {"due_on-day": f"The due date {problem}" if problem else "Enter the due date"}
        return DueRule(DueKind.FIXED, on=on), {}
    days = optional_int(text(data, "due_days"))
    if days is None:
        return None, {"due_days": "Enter a whole number of days"}
    return DueRule(DueKind(kind), days=days), {}


def _target_from_form(value: str) -> tuple[TargetKind | None, int | None]:
    """Read 'team:12' style choices from the 'Who is it for?' list."""
    kind, _, raw_id = value.partition(":")
    if kind not in {TargetKind.TEAM, TargetKind.ORGANISATION, TargetKind.JOB_ROLE} or not raw_id.isdigit():
        return None, None
    return TargetKind(kind), int(raw_id)


async def _choices() -> dict[str, Any]:
    return (await people.choices(include_inactive=False)).as_context()


class AssignmentController(Controller):
    opt = TRAINERS

    @get("/courses/{course_id:int}/assign")
    async def assign_form(self, course_id: FromPath[int]) -> Template:
        course = await _published_course(course_id)
        return await _assign_page(course, {}, {})

    @post("/courses/{course_id:int}/assign", status_code=303)
    async def assign(
        self, request: Request[Any, Any, Any], course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _published_course(course_id)
        values = {k: text(data, k) for k in data if not k.startswith("_")}
        errors: dict[str, str] = {}
        target_kind, target_id = _target_from_form(text(data, "target"))
        email = text(data, "person_email")
        if email and target_kind is not None:
            errors["target"] = "Choose a group or enter one person's email address, not both"
        elif email:
            target_kind, target_id = TargetKind.PERSON, await people.staff_id_by_email(email)
            if target_id is None:
                errors["person_email"] = "Enter the email address of someone in Assure"
        elif target_kind is None:
            errors["target"] = "Choose a team, organisation or job role, or enter one person's email address"
        due, due_errors = _due_from_form(data)
        errors.update(due_errors)
        if not errors and due is not None and target_kind is not None and target_id is not None:
            try:
                _, count = await assignments.create_rule(
                    course_id=course_id,
                    target_kind=target_kind,
                    target_id=target_id,
                    due=due,
                    actor=actor_of(request),
                )
            except AssignmentError as exc:
                errors[exc.field] = exc.message
            else:
                return flash(
                    Redirect(f"/courses/{course_id}/rules", status_code=303),
                    request.app.state.settings.secret_key,
                    f"{course['title']} assigned to {count} {'person' if count == 1 else 'people'}. "
                    "New starters who match will get it too.",
                )
        return await _assign_page(course, values, errors)

    @get("/courses/{course_id:int}/rules")
    async def rules(self, course_id: FromPath[int]) -> Template:
        course = await _published_course(course_id)
        return Template(
            "courses/rules.html",
            context={
                "title": f"Who {course['title']} is assigned to",
                "course": course,
                "rules": await assignments.list_rules(course_id=course_id),
                "labels": TARGET_LABELS,
            },
        )

    @get("/assignment-rules/{rule_id:int}/end")
    async def end_rule_form(self, rule_id: FromPath[int]) -> Template:
        rule = await _rule(rule_id)
        return _end_page(rule=rule, assignment=None, errors={})

    @post("/assignment-rules/{rule_id:int}/end", status_code=303)
    async def end_rule(
        self, request: Request[Any, Any, Any], rule_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        rule = await _rule(rule_id)
        try:
            ended = await assignments.end_rule(
                rule_id=rule_id, reason=text(data, "reason"), actor=actor_of(request)
            )
        except AssignmentError as exc:
            return _end_page(rule=rule, assignment=None, errors={"reason": exc.message})
        return flash(
            Redirect(f"/courses/{rule['course']}/rules", status_code=303),
            request.app.state.settings.secret_key,
            f"Rule ended. {ended} open assignment{'s' if ended != 1 else ''} closed; completions are kept.",
        )

    @get("/courses/{course_id:int}/assign-people")
    async def bulk_form(
        self,
        course_id: FromPath[int],
        q: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        course = await _published_course(course_id)
        # The filter form sends its blank "All ..." choices too, so ids arrive as text.
        filters = {
            "q": q,
            "organisation": optional_int(organisation),
            "team": optional_int(team),
            "job_role": optional_int(job_role),
        }
        return await _bulk_page(course, filters, page, {}, {})

    @post("/courses/{course_id:int}/assign-people", status_code=303)
    async def bulk_assign(
        self, request: Request[Any, Any, Any], course_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        course = await _published_course(course_id)
        staff_ids = [int(v) for v in many(data, "staff") if v.isdigit()]
        due, errors = _due_from_form(data)
        if not staff_ids:
            errors["staff"] = "Select at least one person"
        if not errors and due is not None:
            try:
                count = await assignments.assign_people(
                    course_id=course_id, staff_ids=staff_ids, due=due, actor=actor_of(request)
                )
            except AssignmentError as exc:
                errors[exc.field] = exc.message
            else:
                return flash(
                    Redirect(f"/courses/{course_id}/assign-people", status_code=303),
                    request.app.state.settings.secret_key,
                    f"{course['title']} assigned to {count} {'person' if count == 1 else 'people'} "
                    f"({len(staff_ids) - count} already had it).",
                )
        filters = {
            "q": text(data, "q"),
            "organisation": optional_int(text(data, "organisation")),
            "team": optional_int(text(data, "team")),
            "job_role": optional_int(text(data, "job_role")),
        }
        values = {k: text(data, k) for k in data if not k.startswith("_")}
        return await _bulk_page(course, filters, 1, values, errors, chosen=set(staff_ids))

    @get("/assignments/{assignment_id:int}/end")
    async def end_assignment_form(self, assignment_id: FromPath[int]) -> Template:
        return _end_page(rule=None, assignment=await _assignment(assignment_id), errors={})

    @post("/assignments/{assignment_id:int}/end", status_code=303)
    async def end_assignment(
        self, request: Request[Any, Any, Any], assignment_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        assignment = await _assignment(assignment_id)
        try:
            await assignments.end_assignment(
                assignment_id=assignment_id, reason=text(data, "reason"), actor=actor_of(request)
            )
        except AssignmentError as exc:
            return _end_page(rule=None, assignment=assignment, errors={"reason": exc.message})
        return flash(
            Redirect(f"/courses/{assignment['course']}/rules", status_code=303),
            request.app.state.settings.secret_key,
            f"{assignment['full_name']} no longer has {assignment['course_title']} assigned.",
        )


async def _rule(rule_id: int) -> dict[str, Any]:
    rule = next((r for r in await assignments.list_rules() if r["id"] == rule_id), None)
    if rule is None:
        raise NotFoundException("No active rule with that number")
    return rule


async def _assignment(assignment_id: int) -> dict[str, Any]:
    row = (
        await Assignment.select(
            *Assignment.all_columns(),
            Assignment.staff.full_name.as_alias("full_name"),
            Assignment.course.title.as_alias("course_title"),
        )
        .where((Assignment.id == assignment_id) & Assignment.ended_at.is_null())
        .first()
    )
    if row is None:
        raise NotFoundException("No open assignment with that number")
    return row


def _end_page(
    *, rule: dict[str, Any] | None, assignment: dict[str, Any] | None, errors: dict[str, str]
) -> Template:
    if rule is not None:
        title = f"End the rule assigning {rule['course_title']} to {rule['target_name']}"
        action = f"/assignment-rules/{rule['id']}/end"
        back = f"/courses/{rule['course']}/rules"
    else:
        assert assignment is not None
        title = f"Unassign {assignment['course_title']} from {assignment['full_name']}"
        action = f"/assignments/{assignment['id']}/end"
        back = f"/courses/{assignment['course']}/rules"
    return Template(
        "courses/end_assignment.html",
        context={
            "title": title,
            "action": action,
            "back": back,
            "is_rule": rule is not None,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


async def _assign_page(course: dict[str, Any], values: dict[str, Any], errors: dict[str, str]) -> Template:
    return Template(
        "courses/assign.html",
        context={
            "title": f"Assign {course['title']}",
            "course": course,
            "published": course["status"] == CourseStatus.PUBLISHED,
            "values": values,
            "labels": TARGET_LABELS,
            **await _choices(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


async def _bulk_page(
    course: dict[str, Any],
    filters: dict[str, Any],
    page: int,
    values: dict[str, Any],
    errors: dict[str, str],
    chosen: set[int] | None = None,
) -> Template:
    result = await people.list_staff(
        filters=StaffFilter(
            search=(filters.get("q") or "").strip(),
            organisation_id=filters.get("organisation"),
            team_id=filters.get("team"),
            job_role_id=filters.get("job_role"),
        ),
        page=page,
        per_page=50,
    )
    return Template(
        "courses/assign_people.html",
        context={
            "title": f"Assign {course['title']} to chosen people",
            "course": course,
            "published": course["status"] == CourseStatus.PUBLISHED,
            "result": result,
            "filters": filters,
            "values": values,
            "chosen": chosen or set(),
            "pagination": pagination(
                page=result.page,
                pages=result.pages,
                path=f"/courses/{course['id']}/assign-people",
                query=filters,
            ),
            # The filter lists the chosen organisation's teams only: a large council has thousands.
            **(
                await people.choices(
                    include_inactive=False,
                    chosen_teams_only=True,
                    organisation_id=filters.get("organisation"),
                    team_id=filters.get("team"),
                )
            ).as_context(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )
