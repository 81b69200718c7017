"""Pages that link an action to training (its owner or lead), and the evidence of who has completed
it (anyone who may view the plan)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from action_plans import training
from action_plans.enums import PlanStatus
from action_plans.permissions import require_plan_access
from action_plans.tables import Action
from action_plans.training import LinkedTraining, TrainingError
from app.accounts.access import actor_of, signed_in
from app.people import services as people
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, text
from courses import public as courses_public

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _action(request: Request[Any, Any, Any], action_id: int, *, change: bool) -> dict[str, Any]:
    """The action with its plan's title and status, once the signed-in person may see it (and, to
    change it, is its plan's owner or its lead)."""
    action = (
        await Action.select(
            Action.id,
            Action.plan,
            Action.reference,
            Action.description,
            Action.forecast_date,
            Action.plan.title.as_alias("plan_title"),
            Action.plan.reference.as_alias("plan_reference"),
            Action.plan.status.as_alias("plan_status"),
        )
        .where(Action.id == action_id)
        .first()
    )
    if action is None:
        raise NotFoundException("No such action")
    access = await require_plan_access(user=request.scope["user"], plan_id=action["plan"])
    if change:
        if not access.can_update_action(action_id):
            raise PermissionDeniedException("Only the plan owner or the action's lead can change this action")
        if action["plan_status"] == PlanStatus.CLOSED:
            raise ClientException(
                status_code=409, detail="This plan is closed: its actions can no longer be changed"
            )
    return action


def _values_of(link: LinkedTraining | None) -> dict[str, Any]:
    if link is None:
        return {"course_id": "", "organisation_ids": [], "job_role_ids": [], "target_count": ""}
    return {
        "course_id": str(link.course_id),
        "organisation_ids": [str(i) for i in link.organisation_ids],
        "job_role_ids": [str(i) for i in link.job_role_ids],
        "target_count": str(link.target_count),
    }


async def _form(
    action: dict[str, Any], link: LinkedTraining | None, values: dict[str, Any], errors: dict[str, str]
) -> Template:
    courses = await courses_public.course_choices()
    if link is not None and all(c.id != link.course_id for c in courses):
        # A linked course no longer published stays choosable, so the link can be kept as it is.
        courses += (await courses_public.courses_by_id(course_ids=[link.course_id])).values()
    choices = await people.choices(include_inactive=False)
    heading = "Change the training link of" if link else "Link to training:"
    return Template(
        "action_plans/training_form.html",
        context={
            "title": f"{heading} action {action['reference']}",
            "action": action,
            "link": link,
            "courses": courses,
            "organisations": choices.organisations,
            "job_roles": choices.job_roles,
            "values": values,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _ids(data: dict[str, Any], name: str) -> tuple[list[int], bool]:
    """Ids ticked in a checkbox list, and whether every value was a whole number."""
    raw = many(data, name)
    ids = [int(v) for v in raw if v.isdigit()]
    return ids, len(ids) == len(raw)


class TrainingLinkController(Controller):
    path = "/"
    opt = signed_in()  # and then only the plan owner or the action's lead (viewers for the evidence)

    @get("/actions/{action_id:int}/training")
    async def link_form(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        action = await _action(request, action_id, change=True)
        link = await training.get_link(action_id=action_id)
        return await _form(action, link, _values_of(link), {})

    @post("/actions/{action_id:int}/training", status_code=303)
    async def link(
        self, request: Request[Any, Any, Any], action_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        action = await _action(request, action_id, change=True)
        organisation_ids, organisations_ok = _ids(data, "organisation_ids")
        job_role_ids, job_roles_ok = _ids(data, "job_role_ids")
        values: dict[str, Any] = {
            "course_id": text(data, "course_id"),
            "organisation_ids": many(data, "organisation_ids"),
            "job_role_ids": many(data, "job_role_ids"),
            "target_count": text(data, "target_count"),
        }
        try:
            await training.link_training(
                action_id=action_id,
                course_id=optional_int(values["course_id"]),
                # A value that is not an id cannot name an organisation: the service says so.
                organisation_ids=organisation_ids if organisations_ok else [*organisation_ids, 0],
                job_role_ids=job_role_ids if job_roles_ok else [*job_role_ids, 0],
                target_count=optional_int(values["target_count"].replace(",", "")),
                actor=actor_of(request),
            )
        except TrainingError as exc:
            link = await training.get_link(action_id=action_id)
            return await _form(action, link, values, exc.errors)
        return flash(
            Redirect(f"/actions/{action_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"Action {action['reference']} now takes its progress from training completions.",
        )

    @post("/actions/{action_id:int}/training/remove", status_code=303)
    async def remove(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Redirect:
        action = await _action(request, action_id, change=True)
        removed = await training.unlink_training(action_id=action_id, actor=actor_of(request))
        message = (
            f"Action {action['reference']} no longer takes its progress from training: "
            "its lead reports its percent complete again."
            if removed
            else f"Action {action['reference']} was not linked to training."
        )
        return flash(
            Redirect(f"/actions/{action_id}", status_code=303), request.app.state.settings.secret_key, message
        )

    @get("/actions/{action_id:int}/training/evidence")
    async def evidence(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        action = await _action(request, action_id, change=False)
        today = date.today()
        evidence = await training.training_evidence(action_id=action_id, today=today)
        return Template(
            "action_plans/training_evidence.html",
            context={
                "title": f"Training completions for action {action['reference']}",
                "action": action,
                "evidence": evidence,
                "today": today,
            },
        )
