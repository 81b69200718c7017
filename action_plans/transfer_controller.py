"""Pages for moving plans in and out: the XLSX export, importing a tracker as a new draft plan, and the
iCalendar feeds with the page that gives a person their secret feed address.

Uploads are held between the import steps as the staff import holds them (app.admin.imports): read once,
kept on the server under a random id with the uploader's staff id, re-read and re-planned on confirm.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from action_plans import calendars, transfer
from action_plans.enums import PlanOrigin
from action_plans.permissions import require_plan_access
from action_plans.tables import Action, Milestone, Plan
from action_plans.transfer import FIELDS, PlanDetails
from app.accounts.access import CurrentUser, actor_of, public, roles, signed_in
from app.admin.imports import (
    FormBody,
    UploadBody,
    _folder,
    _imports_dir,
    _meta,
    _purge_old,
    _save_meta,
    column_choices,
)
from app.enums import Role
from app.people.hr_import import HrTable, ImportFileError
from app.settings import Settings
from app.web.flash import flash
from app.web.forms import error_context, text

logger = logging.getLogger("assure")
KIND = "action_plan"  # marks our uploads apart from staff imports in the shared imports folder
TABLE_FILE = "plan_table.json"
PREVIEW_LIMIT = 300  # actions listed on the preview page


# --- uploads kept between steps -----------------------------------------------------------------


def _save_upload(
    settings: Settings, *, staff_id: int, filename: str, data: bytes, details: PlanDetails
) -> str:
    """Read the file (raising ImportFileError) and keep its rows for the next steps; returns the id."""
    table, exported = transfer.read_tracker(data, filename)
    _purge_old(settings)
    token = secrets.token_urlsafe(24)
    folder = _imports_dir(settings) / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / TABLE_FILE).write_text(table.to_json(), encoding="utf-8")
    meta = {
        "kind": KIND,
        "staff_id": staff_id,
        "filename": filename,
        "exported": exported,
        "details": {"title": details.title, "reference": details.reference, "origin": details.origin.value},
        "mapping": transfer.guess_mapping(table.headers),
    }
    _save_meta(folder, meta)
    for path in folder.iterdir():
        path.chmod(0o600)
    return token


def _our_folder(request: Request[Any, Any, Any], token: str) -> tuple[Path, dict[str, Any]]:
    """The upload's folder and notes, only for the leader who uploaded this plan (anyone else: not found)."""
    folder = _folder(request, token)
    meta = _meta(folder)
    if meta.get("kind") != KIND:
        raise NotFoundException("That upload has expired or does not exist: upload the file again")
    return folder, meta


def _table(folder: Path) -> HrTable:
    if not (folder / TABLE_FILE).exists():
        raise NotFoundException("This file has already been imported: upload it again to import it again")
    return HrTable.from_json((folder / TABLE_FILE).read_text(encoding="utf-8"))


def _details(meta: dict[str, Any]) -> PlanDetails:
    values = meta["details"]
    return PlanDetails(
        title=values["title"], reference=values["reference"], origin=PlanOrigin(values["origin"])
    )


# --- pages --------------------------------------------------------------------------------------


def _upload_page(values: dict[str, str], errors: dict[str, str]) -> Template:
    return Template(
        "action_plans/import_upload.html",
        context={
            "title": "Import a plan from a spreadsheet",
            "max_mb": transfer.MAX_UPLOAD_BYTES // (1024 * 1024),
            "values": values,
            "origins": [
                {"value": o.value, "text": o.label, "selected": values.get("origin") == o.value}
                for o in PlanOrigin
            ],
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _mapping_page(
    token: str, meta: dict[str, Any], table: HrTable, chosen: dict[str, int], errors: dict[str, str]
) -> Template:
    width = len(table.headers)
    return Template(
        "action_plans/import_mapping.html",
        context={
            "title": "Match the file's columns",
            "token": token,
            "filename": meta["filename"],
            "exported": meta.get("exported", False),
            "row_count": len(table.rows),
            "fields": column_choices(FIELDS, table.headers, chosen),
            "headers": table.headers,
            "examples": [(n, (cells + [""] * width)[:width]) for n, cells in table.rows[:3]],
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _issues_context(issues: list[Any]) -> dict[str, Any]:
    return {
        "issues": issues[: transfer.MAX_ISSUES_SHOWN],
        "more_issues": max(0, len(issues) - transfer.MAX_ISSUES_SHOWN),
    }


class PlanImportController(Controller):
    path = "/plans/import"
    opt = roles(Role.LEADER)

    @get("/")
    async def upload_form(self) -> Template:
        return _upload_page({}, {})

    # Room for the multipart wrapping around a file at the limit; the limit itself is checked below.
    @post("/", status_code=303, request_max_body_size=transfer.MAX_UPLOAD_BYTES + 1024 * 1024)
    async def upload(self, request: Request[Any, Any, Any], data: UploadBody) -> Template | Redirect:
        values = {name: text(data, name) for name in ("title", "reference", "origin")}
        details, errors = transfer.check_details(**values)
        if details is not None and await transfer.reference_taken(details.reference):
            errors["reference"] = f"A plan with the reference {details.reference} already exists"
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["file"] = "Select a CSV or Excel (XLSX) file"
        if errors or details is None or not isinstance(upload, UploadFile):
            return _upload_page(values, errors)
        content = await upload.read(transfer.MAX_UPLOAD_BYTES + 1)
        user: CurrentUser = request.scope["user"]
        try:
            token = await anyio.to_thread.run_sync(
                lambda: _save_upload(
                    request.app.state.settings,
                    staff_id=user.staff_id,
                    filename=Path(upload.filename).name[:200],
                    data=content,
                    details=details,
                )
            )
        except ImportFileError as exc:
            return _upload_page(values, {"file": exc.message})
        return Redirect(f"/plans/import/{token}/mapping", status_code=303)

    @get("/{token:str}/mapping")
    async def mapping_form(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        folder, meta = _our_folder(request, token)
        table = await anyio.to_thread.run_sync(_table, folder)
        return _mapping_page(token, meta, table, meta["mapping"], {})

    @post("/{token:str}/mapping", status_code=303)
    async def save_mapping(
        self, request: Request[Any, Any, Any], token: FromPath[str], data: FormBody
    ) -> Template | Redirect:
        folder, meta = _our_folder(request, token)
        table = await anyio.to_thread.run_sync(_table, folder)
        chosen = {f.key: int(v) for f in FIELDS if (v := text(data, f.key)).isdigit()}
        try:
            transfer.check_mapping(chosen, table.headers)
        except ImportFileError as exc:
            return _mapping_page(token, meta, table, chosen, {exc.field: exc.message})
        meta["mapping"] = chosen
        _save_meta(folder, meta)
        return Redirect(f"/plans/import/{token}/preview", status_code=303)

    @get("/{token:str}/preview")
    async def preview(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
        folder, meta = _our_folder(request, token)
        table = await anyio.to_thread.run_sync(_table, folder)
        try:
            result = await transfer.preview_import(table=table, mapping=meta["mapping"])
        except ImportFileError:
            return Redirect(f"/plans/import/{token}/mapping", status_code=303)
        milestones: dict[int, list[Any]] = {}
        for milestone in result.milestones:
            milestones.setdefault(id(milestone.action), []).append(milestone)
        return Template(
            "action_plans/import_preview.html",
            context={
                "title": "Check the new plan",
                "token": token,
                "filename": meta["filename"],
                "details": _details(meta),
                "result": result,
                "summary": result.summary(),
                "areas": sorted(result.areas, key=lambda a: a.number or 0),
                "actions": result.actions[:PREVIEW_LIMIT],
                "more_actions": max(0, len(result.actions) - PREVIEW_LIMIT),
                "milestones_of": lambda action: milestones.get(id(action), []),
                **_issues_context(result.issues),
            },
        )

    @post("/{token:str}/confirm", status_code=303)
    async def confirm(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Redirect:
        folder, meta = _our_folder(request, token)
        table = await anyio.to_thread.run_sync(_table, folder)
        secret = request.app.state.settings.secret_key
        try:
            plan_id, result = await transfer.run_import(
                table=table,
                mapping=meta["mapping"],
                details=_details(meta),
                actor=actor_of(request),
                filename=meta["filename"],
            )
        except ImportFileError as exc:
            return flash(
                Redirect(f"/plans/import/{token}/preview", status_code=303),
                secret,
                f"Nothing was imported: {exc.message}",
                kind="important",
            )
        except Exception:
            logger.exception("Plan import of %s failed and was rolled back", meta["filename"])
            return flash(
                Redirect(f"/plans/import/{token}/preview", status_code=303),
                secret,
                "Nothing was imported: something went wrong while saving. Check the preview and try again.",
                kind="important",
            )
        meta["result"] = {"plan_id": plan_id, **result.summary()}
        _save_meta(folder, meta)
        (folder / TABLE_FILE).unlink(missing_ok=True)
        return flash(
            Redirect(f"/plans/import/{token}/done", status_code=303),
            secret,
            f"Plan {_details(meta).reference} imported as a draft",
        )

    @get("/{token:str}/done")
    async def done(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        _, meta = _our_folder(request, token)
        if "result" not in meta:
            raise NotFoundException("This import has not been confirmed yet")
        return Template(
            "action_plans/import_done.html",
            context={
                "title": "Plan imported",
                "filename": meta["filename"],
                "details": _details(meta),
                "result": meta["result"],
            },
        )


class PlanExportController(Controller):
    path = "/plans/{plan_id:int}/export.xlsx"
    opt = signed_in()

    @get("/")
    async def export_xlsx(self, request: Request[Any, Any, Any], plan_id: FromPath[int]) -> Response[bytes]:
        await require_plan_access(user=request.scope["user"], plan_id=plan_id)
        exported = await transfer.export_plan(plan_id=plan_id, today=date.today())
        if exported is None:
            raise NotFoundException("No such plan")
        filename, content = exported
        return Response(
            content=content,
            media_type=transfer.XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )


# --- calendars ----------------------------------------------------------------------------------

NO_FEED = "No such calendar: the address may have been replaced. Copy the new one from Assure."


def _calendar_response(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=calendars.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
            # The address is the credential: keep it out of search engines and referrers.
            "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer",
        },
    )


def _base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


class CalendarFeedController(Controller):
    """Public on purpose: calendar apps cannot sign in, so the secret in the address is the credential."""

    path = "/calendar/{feed_token:str}"
    opt = public()

    @get("/mine")
    async def mine(self, request: Request[Any, Any, Any], feed_token: FromPath[str]) -> Response[bytes]:
        owner = await calendars.feed_owner(feed_token)
        if owner is None:
            raise NotFoundException(NO_FEED)
        content = await calendars.my_calendar(user=owner, base_url=_base_url(request), today=date.today())
        return _calendar_response(content, "my-action-plan-dates.ics")

    @get("/plans/{plan_id:int}")
    async def plan(
        self, request: Request[Any, Any, Any], feed_token: FromPath[str], plan_id: FromPath[int]
    ) -> Response[bytes]:
        owner = await calendars.feed_owner(feed_token)
        content = None
        if owner is not None:
            content = await calendars.plan_calendar(
                plan_id=plan_id, user=owner, base_url=_base_url(request), today=date.today()
            )
        # A wrong token, no such plan, or a plan its owner may not see: the same answer for each.
        if content is None:
            raise NotFoundException(NO_FEED)
        return _calendar_response(content, f"plan-{plan_id}-milestones.ics")


async def _viewable_plans(user: CurrentUser) -> list[dict[str, Any]]:
    """The plans whose milestone feed the person may subscribe to (one statement)."""
    query = Plan.select(Plan.id, Plan.reference, Plan.title).order_by(Plan.reference)
    if not user.has(Role.LEADER):
        me = user.staff_id
        query = query.where(
            (Plan.owner == me)
            | Plan.id.is_in(Action.select(Action.plan).where(Action.lead == me))
            | Plan.id.is_in(Milestone.select(Milestone.plan).where(Milestone.lead == me))
        )
    return await query


class MyCalendarController(Controller):
    path = "/my-actions/calendar"
    opt = signed_in()

    @get("/")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        user: CurrentUser = request.scope["user"]
        token = await calendars.feed_token(staff_id=user.staff_id, actor=actor_of(request))
        base = f"{_base_url(request)}/calendar/{token}"
        return Template(
            "action_plans/calendar.html",
            context={
                "title": "Action plan dates in your calendar",
                "mine_url": f"{base}/mine",
                "plans": [
                    {**plan, "url": f"{base}/plans/{plan['id']}"} for plan in await _viewable_plans(user)
                ],
            },
            headers={"Cache-Control": "no-store"},
        )

    @post("/reset", status_code=303)
    async def reset(self, request: Request[Any, Any, Any]) -> Redirect:
        user: CurrentUser = request.scope["user"]
        await calendars.reset_feed_token(staff_id=user.staff_id, actor=actor_of(request))
        return flash(
            Redirect("/my-actions/calendar", status_code=303),
            request.app.state.settings.secret_key,
            "Your calendar addresses have been replaced: the old ones no longer work",
        )
