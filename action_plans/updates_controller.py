"""Pages where an action's owner or lead reports progress, adds evidence and sets the RAG by hand,
and the evidence download for anyone who may view the plan."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from action_plans import updates
from action_plans.enums import EvidenceKind, Rag, WorkStatus
from action_plans.permissions import require_plan_access
from action_plans.rag import legend
from action_plans.status import thresholds_of
from action_plans.tables import Action
from action_plans.updates import ActionProgress, CheckedFile, UpdateError
from app.accounts.access import actor_of, signed_in
from app.web.flash import flash
from app.web.forms import error_context

# Room for the multipart wrapping around a file at the limit; the limit itself is checked by the service,
# so a file a little over it gets the form's message rather than a bare "too large" page.
UPLOAD_BODY_LIMIT = updates.MAX_EVIDENCE_BYTES + 1024 * 1024
MAX_MB = updates.MAX_EVIDENCE_BYTES // 2**20
RAG_CHOICES = [Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREY]


def _redirect(request: Request[Any, Any, Any], path: str, message: str) -> Redirect:
    return flash(Redirect(path, status_code=303), request.app.state.settings.secret_key, message)


async def _progress_for_change(request: Request[Any, Any, Any], action_id: int) -> ActionProgress:
    """The action, once the signed-in person is known to be its plan's owner or its lead."""
    action = await Action.select(Action.plan).where(Action.id == action_id).first()
    if action is None:
        raise NotFoundException("No such action")
    access = await require_plan_access(user=request.scope["user"], plan_id=action["plan"])
    if not access.can_update_action(action_id):
        raise PermissionDeniedException("Only the plan owner or the action's lead can change this action")
    progress = await updates.action_for_progress(action_id=action_id)
    if progress is None:
        raise NotFoundException("No such action")
    if progress.closed:
        raise ClientException(
            status_code=409, detail="This plan is closed: its actions can no longer be changed"
        )
    return progress


def _field(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


async def _checked_upload(form: Any) -> CheckedFile | None:
    """The uploaded file, checked by its content in a worker thread; None when none was chosen."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read(updates.MAX_EVIDENCE_BYTES + 1)
    return await anyio.to_thread.run_sync(
        partial(updates.check_file, file_name=upload.filename, content=content)
    )


def _context(progress: ActionProgress, errors: dict[str, str]) -> dict[str, Any]:
    action = progress.action
    return {
        "progress": progress,
        "action": action,
        "plan": progress.plan,
        "status": progress.status,
        "legend": legend(thresholds_of(progress.plan)),
        "back": f"/actions/{action['id']}",
        "max_mb": MAX_MB,
        "allowed_list": updates.ALLOWED_LIST,
        **error_context(errors),
    }


def _update_form(
    progress: ActionProgress, values: dict[str, Any], errors: dict[str, str], today: date
) -> Template:
    action = progress.action
    return Template(
        "action_plans/update_form.html",
        context={
            "title": f"Progress update for action {action['reference']}",
            "values": values,
            "periods": updates.reporting_periods(today),
            "statuses": list(WorkStatus),
            "current_status": WorkStatus(action["status"]),
            **_context(progress, errors),
        },
        status_code=400 if errors else 200,
    )


def _override_form(progress: ActionProgress, values: dict[str, Any], errors: dict[str, str]) -> Template:
    return Template(
        "action_plans/override_form.html",
        context={
            "title": f"Set the RAG of action {progress.action['reference']} by hand",
            "values": values,
            "rags": RAG_CHOICES,
            **_context(progress, errors),
        },
        status_code=400 if errors else 200,
    )


def _evidence_form(progress: ActionProgress, values: dict[str, Any], errors: dict[str, str]) -> Template:
    return Template(
        "action_plans/evidence_form.html",
        context={
            "title": f"Add evidence for action {progress.action['reference']}",
            "values": values,
            **_context(progress, errors),
        },
        status_code=400 if errors else 200,
    )


class ProgressController(Controller):
    path = "/"
    opt = signed_in()  # and then only the plan owner or the action's lead (viewers for downloads)

    @get("/actions/{action_id:int}/updates/new")
    async def update_form(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        progress = await _progress_for_change(request, action_id)
        today = updates.local_today()
        values = {
            "period_end": updates.reporting_periods(today)[0].isoformat(),
            "percent_complete": str(progress.action["percent_complete"]),
        }
        return _update_form(progress, values, {}, today)

    @post("/actions/{action_id:int}/updates/new", status_code=303, request_max_body_size=UPLOAD_BODY_LIMIT)
    async def create_update(
        self, request: Request[Any, Any, Any], action_id: FromPath[int]
    ) -> Template | Redirect:
        progress = await _progress_for_change(request, action_id)
        form = await request.form()
        today = updates.local_today()
        values = {
            name: _field(form, name)
            for name in (
                "period_end",
                "narrative",
                "percent_complete",
                "status",
                "links",
                "file_title",
                "impact",
                "recovery_action",
                "decision_requested",
            )
        }
        try:
            period_end = date.fromisoformat(values["period_end"])
        except ValueError:
            period_end = None
        try:
            file = await _checked_upload(form)
            await updates.record_update(
                action_id=action_id,
                period_end=period_end,
                narrative=values["narrative"],
                percent_complete=values["percent_complete"],
                status=values["status"],
                links=values["links"].splitlines(),
                file=file,
                file_title=values["file_title"],
                actor=actor_of(request),
                today=today,
                impact=values["impact"],
                recovery_action=values["recovery_action"],
                decision_requested=values["decision_requested"],
            )
        except UpdateError as exc:
            return _update_form(progress, values, {exc.field: exc.message}, today)
        return _redirect(request, f"/actions/{action_id}", "Progress update saved")

    @get("/actions/{action_id:int}/rag-override")
    async def override_form(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        progress = await _progress_for_change(request, action_id)
        values = {
            "rag": progress.action["rag_override"] or "",
            "reason": progress.action["rag_override_reason"],
        }
        return _override_form(progress, values, {})

    @post("/actions/{action_id:int}/rag-override", status_code=303)
    async def set_override(
        self, request: Request[Any, Any, Any], action_id: FromPath[int]
    ) -> Template | Redirect:
        progress = await _progress_for_change(request, action_id)
        form = await request.form()
        if _field(form, "remove"):
            removed = await updates.remove_override(action_id=action_id, actor=actor_of(request))
            message = "RAG set by hand removed" if removed else "The RAG was not set by hand"
            return _redirect(request, f"/actions/{action_id}", message)
        values = {"rag": _field(form, "rag"), "reason": _field(form, "reason")}
        try:
            await updates.set_override(
                action_id=action_id, rag=values["rag"], reason=values["reason"], actor=actor_of(request)
            )
        except UpdateError as exc:
            return _override_form(progress, values, {exc.field: exc.message})
        return _redirect(request, f"/actions/{action_id}", f"RAG set by hand to {Rag(values['rag']).word}")

    @get("/actions/{action_id:int}/evidence/new")
    async def evidence_form(self, request: Request[Any, Any, Any], action_id: FromPath[int]) -> Template:
        progress = await _progress_for_change(request, action_id)
        return _evidence_form(progress, {}, {})

    @post("/actions/{action_id:int}/evidence/new", status_code=303, request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_evidence(
        self, request: Request[Any, Any, Any], action_id: FromPath[int]
    ) -> Template | Redirect:
        progress = await _progress_for_change(request, action_id)
        form = await request.form()
        values = {"title": _field(form, "title"), "url": _field(form, "url")}
        actor = actor_of(request)
        try:
            file = await _checked_upload(form)
            if file is not None and values["url"].strip():
                raise UpdateError("url", "Add either a link or a file, not both")
            if file is not None:
                await updates.add_file_evidence(
                    action_id=action_id, title=values["title"], file=file, actor=actor
                )
            elif values["url"].strip():
                await updates.add_link_evidence(
                    action_id=action_id, title=values["title"], url=values["url"], actor=actor
                )
            else:
                raise UpdateError("url", "Enter a link or select a file")
        except UpdateError as exc:
            return _evidence_form(progress, values, {exc.field: exc.message})
        return _redirect(request, f"/actions/{action_id}", "Evidence added")

    @get("/evidence/{evidence_id:int}")
    async def download(
        self, request: Request[Any, Any, Any], evidence_id: FromPath[int]
    ) -> Response[bytes] | Redirect:
        plan_id = await updates.evidence_plan(evidence_id=evidence_id)
        if plan_id is None:
            raise NotFoundException("No such evidence")
        await require_plan_access(user=request.scope["user"], plan_id=plan_id)
        evidence = await updates.evidence_for_download(evidence_id=evidence_id)
        if evidence is None:
            raise NotFoundException("No such evidence")
        if evidence["kind"] == EvidenceKind.LINK:
            # Links added here are checked; one from elsewhere (an import) is followed only if a web link.
            if not evidence["url"].lower().startswith(("https://", "http://")):
                raise NotFoundException("This evidence is not a web link")
            return Redirect(evidence["url"], status_code=303)
        name = evidence["file_name"] or "evidence"
        name = updates.safe_file_name(name, PurePosixPath(name).suffix.lower())
        return Response(
            content=evidence["content"] or b"",
            media_type=evidence["content_type"] or "application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
            },
        )
