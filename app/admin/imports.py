"""Admin pages for importing staff from an HR export: upload, map columns, preview, confirm.

The uploaded file is read once and kept on the server (ASSURE_VAR_DIR/imports/<random id>) with the
id of the admin who uploaded it; every later step checks that id, and the confirm step re-reads the
stored file and plans again: nothing the browser sends back is trusted.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from app.accounts.access import CurrentUser, actor_of, roles
from app.enums import Role
from app.people import hr_import
from app.people.hr_import import FIELDS, HrTable, ImportField, ImportFileError
from app.settings import Settings
from app.web.flash import flash
from app.web.forms import error_context, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
UploadBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
KEEP_SECONDS = 24 * 3600
NOT_IN_FILE = ""
logger = logging.getLogger("assure")


# --- uploads kept between steps ---------------------------------------------------------------


def _imports_dir(settings: Settings) -> Path:
    return settings.var_dir / "imports"


def _purge_old(settings: Settings) -> None:
    """Uploads hold personal data: none is kept longer than a day, confirmed or not."""
    root = _imports_dir(settings)
    if not root.exists():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _save_upload(settings: Settings, *, staff_id: int, filename: str, data: bytes) -> str:
    """Read the file (raising ImportFileError) and keep its rows for the next steps; returns the id."""
    table = hr_import.read_upload(data, filename)
    _purge_old(settings)
    token = secrets.token_urlsafe(24)
    folder = _imports_dir(settings) / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / "table.json").write_text(table.to_json(), encoding="utf-8")
    meta = {"staff_id": staff_id, "filename": filename, "mapping": hr_import.guess_mapping(table.headers)}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for path in folder.iterdir():
        path.chmod(0o600)
    return token


def _folder(request: Request[Any, Any, Any], token: str) -> Path:
    """The upload's folder, only for the admin who uploaded it (anyone else: not found)."""
    settings: Settings = request.app.state.settings
    user: CurrentUser = request.scope["user"]
    folder = _imports_dir(settings) / token
    if not TOKEN.match(token) or not (folder / "meta.json").exists():
        raise NotFoundException("That upload has expired or does not exist: upload the file again")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("staff_id") != user.staff_id:
        raise NotFoundException("That upload has expired or does not exist: upload the file again")
    return folder


def _meta(folder: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return meta


def _save_meta(folder: Path, meta: dict[str, Any]) -> None:
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _table(folder: Path) -> HrTable:
    if not (folder / "table.json").exists():
        raise NotFoundException("This file has already been imported: upload it again to import it again")
    return HrTable.from_json((folder / "table.json").read_text(encoding="utf-8"))


async def _load_table(folder: Path) -> HrTable:
    return await anyio.to_thread.run_sync(_table, folder)


# --- pages ------------------------------------------------------------------------------------


def _upload_page(errors: dict[str, str]) -> Template:
    return Template(
        "admin/import_upload.html",
        context={
            "title": "Import staff from an HR export",
            "max_mb": hr_import.MAX_UPLOAD_BYTES // (1024 * 1024),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def column_choices(
    fields: Iterable[ImportField], headers: list[str], chosen: Mapping[str, int]
) -> list[dict[str, Any]]:
    """For each field, the file's columns to choose from (the chosen one selected), for _import.html."""
    choices = []
    for f in fields:
        items: list[dict[str, Any]] = [{"value": NOT_IN_FILE, "text": "Not in this file"}]
        items += [
            {
                "value": str(index),
                "text": header or f"Column {index + 1}",
                "selected": chosen.get(f.key) == index,
            }
            for index, header in enumerate(headers)
        ]
        choices.append({"key": f.key, "label": f.label, "hint": f.hint, "items": items})
    return choices


def _mapping_page(
    token: str, meta: dict[str, Any], table: HrTable, chosen: dict[str, int], errors: dict[str, str]
) -> Template:
    fields = column_choices(FIELDS, table.headers, chosen)
    examples = table.rows[:3]
    return Template(
        "admin/import_mapping.html",
        context={
            "title": "Match the file's columns",
            "token": token,
            "filename": meta["filename"],
            "row_count": len(table.rows),
            "fields": fields,
            "headers": table.headers,
            "examples": [
                (number, cells + [""] * (len(table.headers) - len(cells))) for number, cells in examples
            ],
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


class StaffImportController(Controller):
    path = "/admin/staff/import"
    opt = roles(Role.ADMIN)

    @get("/")
    async def upload_form(self) -> Template:
        return _upload_page({})

    # Room for the multipart wrapping around a file at the limit; the limit itself is checked below.
    @post("/", status_code=303, request_max_body_size=hr_import.MAX_UPLOAD_BYTES + 1024 * 1024)
    async def upload(self, request: Request[Any, Any, Any], data: UploadBody) -> Template | Redirect:
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _upload_page({"file": "Select a CSV or Excel (XLSX) file"})
        content = await upload.read(hr_import.MAX_UPLOAD_BYTES + 1)
        if len(content) > hr_import.MAX_UPLOAD_BYTES:
            limit = hr_import.MAX_UPLOAD_BYTES // (1024 * 1024)
            return _upload_page({"file": f"The selected file must be smaller than {limit} MB"})
        user: CurrentUser = request.scope["user"]
        try:
            token = await anyio.to_thread.run_sync(
                lambda: _save_upload(
                    request.app.state.settings,
                    staff_id=user.staff_id,
                    filename=Path(upload.filename).name[:200],
                    data=content,
                )
            )
        except ImportFileError as exc:
            return _upload_page({"file": exc.message})
        return Redirect(f"/admin/staff/import/{token}/mapping", status_code=303)

    @get("/{token:str}/mapping")
    async def mapping_form(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        folder = _folder(request, token)
        meta = _meta(folder)
        return _mapping_page(token, meta, await _load_table(folder), meta["mapping"], {})

    @post("/{token:str}/mapping", status_code=303)
    async def save_mapping(
        self, request: Request[Any, Any, Any], token: FromPath[str], data: FormBody
    ) -> Template | Redirect:
        folder = _folder(request, token)
        meta = _meta(folder)
        table = await _load_table(folder)
        chosen: dict[str, int] = {}
        for f in FIELDS:
            value = text(data, f.key)
            if value.isdigit():
                chosen[f.key] = int(value)
        try:
            hr_import.check_mapping(chosen, table.headers)
        except ImportFileError as exc:
            return _mapping_page(token, meta, table, chosen, {exc.field: exc.message})
        meta["mapping"] = chosen
        _save_meta(folder, meta)
        return Redirect(f"/admin/staff/import/{token}/preview", status_code=303)

    @get("/{token:str}/preview")
    async def preview(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
        folder = _folder(request, token)
        meta = _meta(folder)
        table = await _load_table(folder)
        try:
            plan = await hr_import.preview_import(table=table, mapping=meta["mapping"])
        except ImportFileError:
            return Redirect(f"/admin/staff/import/{token}/mapping", status_code=303)
        return Template(
            "admin/import_preview.html",
            context={
                "title": "Check the import",
                "token": token,
                "filename": meta["filename"],
                "plan": plan,
                "summary": plan.summary(),
                "issues": plan.issues[: hr_import.MAX_ISSUES_SHOWN],
                "more_issues": max(0, len(plan.issues) - hr_import.MAX_ISSUES_SHOWN),
                "new_teams": [plan.team_labels[t] for t in plan.new_teams],
                "new_job_roles": [r.name for r in plan.new_job_roles],
            },
        )

    @post("/{token:str}/confirm", status_code=303)
    async def confirm(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Redirect:
        folder = _folder(request, token)
        meta = _meta(folder)
        table = await _load_table(folder)
        secret = request.app.state.settings.secret_key
        try:
            plan = await hr_import.run_import(
                table=table, mapping=meta["mapping"], actor=actor_of(request), filename=meta["filename"]
            )
        except ImportFileError:
            return Redirect(f"/admin/staff/import/{token}/mapping", status_code=303)
        except Exception:
            # Nothing was written (one transaction); most likely someone changed the same people meanwhile.
            logger.exception("Staff import of %s failed and was rolled back", meta["filename"])
            return flash(
                Redirect(f"/admin/staff/import/{token}/preview", status_code=303),
                secret,
                "Nothing was imported: the people in Assure changed while importing. Check the preview "
                "and try again.",
                kind="important",
            )
        meta["result"] = {
            **plan.summary(),
            "issues": [asdict(i) for i in plan.issues[: hr_import.MAX_ISSUES_SHOWN]],
            "more_issues": max(0, len(plan.issues) - hr_import.MAX_ISSUES_SHOWN),
        }
        _save_meta(folder, meta)
        # The rows are personal data and are no longer needed; the summary stays for the next page.
        (folder / "table.json").unlink(missing_ok=True)
        return flash(
            Redirect(f"/admin/staff/import/{token}/done", status_code=303),
            secret,
            f"Import finished: {plan.new} new, {plan.changed} changed, {plan.leavers} marked as left",
        )

    @get("/{token:str}/done")
    async def done(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        meta = _meta(_folder(request, token))
        if "result" not in meta:
            raise NotFoundException("This import has not been confirmed yet")
        return Template(
            "admin/import_done.html",
            context={"title": "Import finished", "filename": meta["filename"], "result": meta["result"]},
        )
