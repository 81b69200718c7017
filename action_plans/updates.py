"""Progress on an action as its lead reports it: progress updates per reporting period, evidence
(links, or files checked by their content), and the RAG set by hand until the next update.

Callers decide who may call what through action_plans.permissions; these functions enforce the rules
of the records themselves (closed plans are read-only, reasons for an override, allowed file types).
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import filetype
from piccolo.columns import Column

from action_plans.enums import EvidenceKind, PlanStatus, Rag, WorkStatus
from action_plans.status import ACTION_COLUMNS, ActionStatus, action_statuses
from action_plans.tables import Action, Evidence, Plan, ProgressUpdate
from app import audit
from app.audit import Actor
from app.clock import local_today
from app.database import write_transaction
from app.enums import AuditAction

__all__ = [
    "ALLOWED_FILE_TYPES",
    "MAX_EVIDENCE_BYTES",
    "CheckedFile",
    "EvidenceLink",
    "UpdateError",
    "action_for_progress",
    "add_file_evidence",
    "add_link_evidence",
    "check_file",
    "check_link",
    "evidence_for_download",
    "evidence_plan",
    "record_update",
    "remove_override",
    "reporting_periods",
    "set_override",
]

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_NARRATIVE = 10_000
MAX_REASON = 2_000
PERIODS_OFFERED = 4  # this month's end and the three before it


class UpdateError(ValueError):
    """A change that breaks a rule, with the form field at fault and a message for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _now() -> datetime:
    return datetime.now(UTC)


def _tidy(value: str) -> str:
    return " ".join(value.split())


# --- the action as the forms need it ----------------------------------------------------------

PLAN_COLUMNS = (
    Plan.id,
    Plan.reference,
    Plan.title,
    Plan.status,
    Plan.require_evidence,
    Plan.slip_tolerance_days,
    Plan.progress_tolerance_points,
)


@dataclass(frozen=True, slots=True)
class ActionProgress:
    action: dict[str, Any]  # ACTION_COLUMNS plus reference, description, lead and the override's author
    plan: dict[str, Any]
    status: ActionStatus

    @property
    def training_linked(self) -> bool:
        return self.status.training is not None

    @property
    def closed(self) -> bool:
        return bool(self.plan["status"] == PlanStatus.CLOSED)


async def _action_row(action_id: int) -> dict[str, Any] | None:
    columns = [getattr(Action, name) for name in ACTION_COLUMNS]
    row: dict[str, Any] | None = (
        await Action.select(
            *columns,
            Action.reference,
            Action.description,
            Action.lead,
            Action.rag_override_at,
            Action.rag_override_by.full_name.as_alias("override_by_name"),
        )
        .where(Action.id == action_id)
        .first()
    )
    return row


async def action_for_progress(*, action_id: int, today: date | None = None) -> ActionProgress | None:
    """The action, its plan and its current status; None when there is no such action."""
    action = await _action_row(action_id)
    if action is None:
        return None
    plan = await Plan.select(*PLAN_COLUMNS).where(Plan.id == action["plan"]).first()
    assert plan is not None  # an action's plan cascades on delete
    statuses = await action_statuses(actions=[action], plans={plan["id"]: plan}, today=today or local_today())
    return ActionProgress(action=action, plan=plan, status=statuses[action_id])


def _refuse_if_closed(progress: ActionProgress) -> None:
    if progress.closed:
        raise UpdateError("plan", "This plan is closed: its actions can no longer be changed")


# --- reporting periods ------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def reporting_periods(today: date) -> list[date]:
    """The period ends a lead may report for: this month's end first, then the months before."""
    ends = []
    year, month = today.year, today.month
    for _ in range(PERIODS_OFFERED):
        ends.append(_month_end(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends


def parse_percent(value: str) -> int:
    """A whole percentage typed into the form; raises UpdateError with the message to show."""
    value = value.strip().removesuffix("%").strip()
    if not value:
        raise UpdateError("percent_complete", "Enter the percentage complete")
    if not re.fullmatch(r"\d{1,3}", value):
        raise UpdateError("percent_complete", "Percentage complete must be a whole number, like 60")
    percent = int(value)
    if percent > 100:
        raise UpdateError("percent_complete", "Percentage complete must be between 0 and 100")
    return percent


# --- evidence: links ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceLink:
    title: str
    url: str


def check_link(*, title: str, url: str, field: str = "url") -> EvidenceLink:
    """A web link as evidence: http or https only, with a host; the title defaults to the link."""
    url = url.strip()
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in {"http", "https"}
        or not parts.hostname
        or any(c.isspace() for c in url)
        or len(url) > 1000
    ):
        raise UpdateError(
            field, "Enter a link that starts with https:// or http://, like https://example.org/report"
        )
    title = _tidy(title) or url
    return EvidenceLink(title=title[:200], url=url)


# --- evidence: files checked by their content ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileType:
    label: str
    extensions: tuple[str, ...]
    content_type: str


ALLOWED_FILE_TYPES = {
    "pdf": FileType("PDF", (".pdf",), "application/pdf"),
    "png": FileType("PNG image", (".png",), "image/png"),
    "jpeg": FileType("JPEG image", (".jpg", ".jpeg"), "image/jpeg"),
    "docx": FileType(
        "Word document (DOCX)",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": FileType(
        "Excel workbook (XLSX)",
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": FileType(
        "PowerPoint presentation (PPTX)",
        (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "csv": FileType("CSV file", (".csv",), "text/csv"),
    "txt": FileType("text file", (".txt",), "text/plain"),
}
ALLOWED_LIST = "a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), CSV or text (TXT) file"
# The part every Office Open XML file of each kind holds (ECMA-376 part 2).
OFFICE_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
BINARY_KINDS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg"}
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class CheckedFile:
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    content: bytes


def safe_file_name(name: str, extension: str) -> str:
    """The uploaded name without folders or characters that could trouble a download header."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = PurePosixPath(base).stem if PurePosixPath(base).suffix else base
    stem = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._") or "evidence"
    return f"{stem[: 200 - len(extension)]}{extension}"


def _decoded_text(content: bytes) -> tuple[str, str] | None:
    """The content as text with the charset it was in, or None when it is not plain text."""
    if b"\x00" in content:
        return None
    for charset in ("utf-8-sig", "windows-1252"):
        try:
            decoded = content.decode(charset)
        except UnicodeDecodeError:
            continue
        if TEXT_CONTROL.search(decoded):
            return None
        return decoded, "utf-8" if charset == "utf-8-sig" else charset
    return None


def _office_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in OFFICE_MAIN_PARTS.items():
        if part in names:
            return kind
    return None


def _a(words: str) -> str:
    return f"an {words}" if words[:1].upper() in "AEIOU" else f"a {words}"


def _content_kind(content: bytes) -> tuple[str | None, str]:
    """What the bytes are, as a key of ALLOWED_FILE_TYPES (or None), and in words."""
    if content.startswith(b"PK\x03\x04"):
        kind = _office_kind(content)
        if kind:
            return kind, _a(ALLOWED_FILE_TYPES[kind].label)
        return None, "a ZIP archive"
    guess = filetype.guess(content)
    if guess is not None:
        kind = BINARY_KINDS.get(guess.mime)
        if kind:
            return kind, _a(ALLOWED_FILE_TYPES[kind].label)
        return None, _a(f"{guess.extension.upper()} file")
    if _decoded_text(content) is not None:
        return "txt", "plain text"
    return None, "not a type Assure can check"


def check_file(*, file_name: str, content: bytes) -> CheckedFile:
    """Check an uploaded file's size and that its content is the type its name claims. CPU-bound:
    call it in a worker thread. Raises UpdateError("file", …)."""
    if not content:
        raise UpdateError("file", "The selected file is empty")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise UpdateError("file", f"The selected file must be smaller than {MAX_EVIDENCE_BYTES // 2**20} MB")
    extension = PurePosixPath(re.split(r"[\\/]", file_name)[-1]).suffix.lower()
    claimed = next((key for key, t in ALLOWED_FILE_TYPES.items() if extension in t.extensions), None)
    if claimed is None:
        raise UpdateError("file", f"The selected file must be {ALLOWED_LIST}")
    found, described = _content_kind(content)
    content_type = ALLOWED_FILE_TYPES[claimed].content_type
    if claimed in {"csv", "txt"} and found == "txt":
        text, charset = _decoded_text(content) or ("", "utf-8")
        if claimed == "csv":
            try:
                for _ in csv.reader(io.StringIO(text, newline="")):
                    pass
            except csv.Error:
                raise UpdateError("file", "The selected file is not a CSV file Assure can read") from None
        content_type = f"{content_type}; charset={charset}"
    elif found != claimed:
        label = ALLOWED_FILE_TYPES[claimed].label
        raise UpdateError("file", f"The selected file is not a real {label}: its content is {described}")
    return CheckedFile(
        file_name=safe_file_name(file_name, extension),
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


async def _insert_evidence(
    *, progress: ActionProgress, described: dict[str, Any], summary: str, actor: Actor, update_id: int | None
) -> int:
    """One evidence row (its kind, title and link or file in `described`) and its audit entry."""
    values = {"plan": progress.plan["id"], "action": progress.action["id"], **described}
    row = await Evidence.insert(
        Evidence(**values, progress_update=update_id, added_by=actor.staff_id, created_at=_now())
    ).returning(Evidence.id)
    evidence_id = int(row[0]["id"])
    await audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        entity="evidence",
        entity_id=evidence_id,
        summary=f"{summary} added as evidence for action {progress.action['reference']}",
        after={key: value for key, value in values.items() if key != "content"},
    )
    return evidence_id


async def _insert_link(
    *, progress: ActionProgress, link: EvidenceLink, actor: Actor, update_id: int | None = None
) -> int:
    described = {"kind": EvidenceKind.LINK, "title": link.title, "url": link.url}
    return await _insert_evidence(
        progress=progress, described=described, summary="Link", actor=actor, update_id=update_id
    )


async def _insert_file(
    *, progress: ActionProgress, title: str, file: CheckedFile, actor: Actor, update_id: int | None = None
) -> int:
    described = {
        "kind": EvidenceKind.FILE,
        "title": (_tidy(title) or file.file_name)[:200],
        "file_name": file.file_name,
        "content_type": file.content_type,
        "size_bytes": file.size_bytes,
        "sha256": file.sha256,
        "content": file.content,
    }
    return await _insert_evidence(
        progress=progress,
        described=described,
        summary=f"File {file.file_name}",
        actor=actor,
        update_id=update_id,
    )


async def add_link_evidence(*, action_id: int, title: str, url: str, actor: Actor) -> int:
    """Add a web link as evidence for an action; returns the evidence id."""
    progress = await _existing(action_id)
    _refuse_if_closed(progress)
    if not _tidy(title):
        raise UpdateError("title", "Enter a title for the evidence")
    link = check_link(title=title, url=url)
    async with write_transaction():
        return await _insert_link(progress=progress, link=link, actor=actor)


async def add_file_evidence(*, action_id: int, title: str, file: CheckedFile, actor: Actor) -> int:
    """Add a file already passed through check_file as evidence for an action; returns its id."""
    progress = await _existing(action_id)
    _refuse_if_closed(progress)
    async with write_transaction():
        return await _insert_file(progress=progress, title=title, file=file, actor=actor)


async def evidence_plan(*, evidence_id: int) -> int | None:
    """The plan an evidence record belongs to (asked before its content is read); None when there is none."""
    row = await Evidence.select(Evidence.plan).where(Evidence.id == evidence_id).first()
    return None if row is None else int(row["plan"])


async def evidence_for_download(*, evidence_id: int) -> dict[str, Any] | None:
    """An evidence record with its content, for whoever may view its plan."""
    row: dict[str, Any] | None = await Evidence.select().where(Evidence.id == evidence_id).first()
    return row


# --- progress updates -----------------------------------------------------------------------------


async def _existing(action_id: int) -> ActionProgress:
    progress = await action_for_progress(action_id=action_id)
    if progress is None:
        raise UpdateError("action", "That action no longer exists")
    return progress


async def record_update(
    *,
    action_id: int,
    period_end: date | None,
    narrative: str,
    percent_complete: str,
    status: str,
    links: Sequence[str],
    file: CheckedFile | None,
    file_title: str,
    actor: Actor,
    today: date | None = None,
    impact: str = "",
    recovery_action: str = "",
    decision_requested: str = "",
) -> int:
    """Store a progress update with the RAG it leaves the action at, update the action and clear any
    RAG set by hand, all in one transaction; returns the update's id.

    `impact`, `recovery_action` and `decision_requested` are the exception report the board report
    shows for a red or slipped action."""
    today = today or local_today()
    progress = await _existing(action_id)
    _refuse_if_closed(progress)
    if period_end not in reporting_periods(today):
        raise UpdateError("period_end", "Select the reporting period this update is for")
    narrative = narrative.strip()
    if not narrative:
        raise UpdateError("narrative", "Enter what has happened since the last update")
    if len(narrative) > MAX_NARRATIVE:
        raise UpdateError("narrative", f"The update must be {MAX_NARRATIVE:,} characters or fewer")
    exception = {
        "impact": impact.strip(),
        "recovery_action": recovery_action.strip(),
        "decision_requested": decision_requested.strip(),
    }
    for field, text in exception.items():
        if len(text) > MAX_NARRATIVE:
            raise UpdateError(field, f"This must be {MAX_NARRATIVE:,} characters or fewer")
    # A training-linked action's percent comes live from completions, so it is not asked.
    percent = None if progress.training_linked else parse_percent(percent_complete)
    if status and status not in {s.value for s in WorkStatus}:
        raise UpdateError("status", "Select the action's status")
    checked_links = [check_link(title="", url=url, field="links") for url in links if url.strip()]

    action = progress.action
    now = _now()
    new: dict[Column | str, Any] = {
        "percent_complete": action["percent_complete"] if percent is None else percent,
        "status": status or action["status"],
        "rag_override": None,
        "rag_override_reason": "",
        "rag_override_by": None,
        "rag_override_at": None,
    }
    audited = ("percent_complete", "status", "rag_override", "rag_override_reason")
    before, after = audit.changed_fields(
        {key: action[key] for key in audited}, {key: new[key] for key in audited}
    )
    async with write_transaction():
        await Action.update({**new, "last_update_at": now, "updated_at": now}).where(Action.id == action_id)
        row = await ProgressUpdate.insert(
            ProgressUpdate(
                plan=progress.plan["id"],
                action=action_id,
                period_end=period_end,
                narrative=narrative,
                impact=exception["impact"],
                recovery_action=exception["recovery_action"],
                decision_requested=exception["decision_requested"],
                percent_complete=new["percent_complete"],
                rag=Rag.GREY,  # replaced below, once the evidence is in
                author=actor.staff_id,
                created_at=now,
            )
        ).returning(ProgressUpdate.id)
        update_id = int(row[0]["id"])
        evidence_ids = [
            await _insert_link(progress=progress, link=link, actor=actor, update_id=update_id)
            for link in checked_links
        ]
        if file is not None:
            evidence_ids.append(
                await _insert_file(
                    progress=progress, title=file_title, file=file, actor=actor, update_id=update_id
                )
            )
        # The RAG the board would see after this update: the rule on the action as it now stands.
        changed = await _action_row(action_id)
        assert changed is not None
        statuses = await action_statuses(
            actions=[changed], plans={progress.plan["id"]: progress.plan}, today=today
        )
        now_status = statuses[action_id]
        await ProgressUpdate.update(
            {ProgressUpdate.rag: now_status.rag, ProgressUpdate.percent_complete: now_status.percent_complete}
        ).where(ProgressUpdate.id == update_id)
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="progress_update",
            entity_id=update_id,
            summary=f"Progress update for action {action['reference']}, period ending {period_end:%-d %B %Y}",
            after={
                "action": action_id,
                "period_end": period_end,
                "percent_complete": now_status.percent_complete,
                "rag": now_status.rag.value,
                "narrative": narrative,
                **{field: text for field, text in exception.items() if text},
                "evidence": evidence_ids,
            },
        )
        if after:
            await audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                entity="action",
                entity_id=action_id,
                summary=f"Action {action['reference']} updated by a progress update",
                before=before,
                after=after,
            )
    return update_id


# --- RAG set by hand ------------------------------------------------------------------------------


async def set_override(*, action_id: int, rag: str, reason: str, actor: Actor) -> None:
    """Set an action's RAG by hand, with a reason; it lasts until the next progress update."""
    progress = await _existing(action_id)
    _refuse_if_closed(progress)
    if rag not in {r.value for r in Rag}:
        raise UpdateError("rag", "Select the RAG status to show")
    reason = reason.strip()
    if not reason:
        raise UpdateError("reason", "Enter why the RAG status is being set by hand")
    if len(reason) > MAX_REASON:
        raise UpdateError("reason", f"The reason must be {MAX_REASON:,} characters or fewer")
    action = progress.action
    now = _now()
    async with write_transaction():
        await Action.update(
            {
                Action.rag_override: rag,
                Action.rag_override_reason: reason,
                Action.rag_override_by: actor.staff_id,
                Action.rag_override_at: now,
                Action.updated_at: now,
            }
        ).where(Action.id == action_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="action",
            entity_id=action_id,
            summary=f"RAG of action {action['reference']} set by hand to {Rag(rag).word}",
            before={
                "rag_override": action["rag_override"],
                "rag_override_reason": action["rag_override_reason"],
            },
            after={"rag_override": rag, "rag_override_reason": reason},
        )


async def remove_override(*, action_id: int, actor: Actor) -> bool:
    """Go back to the computed RAG; False when there was no RAG set by hand."""
    progress = await _existing(action_id)
    _refuse_if_closed(progress)
    action = progress.action
    if not action["rag_override"]:
        return False
    async with write_transaction():
        await Action.update(
            {
                Action.rag_override: None,
                Action.rag_override_reason: "",
                Action.rag_override_by: None,
                Action.rag_override_at: None,
                Action.updated_at: _now(),
            }
        ).where(Action.id == action_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="action",
            entity_id=action_id,
            summary=f"RAG set by hand removed from action {action['reference']}",
            before={
                "rag_override": action["rag_override"],
                "rag_override_reason": action["rag_override_reason"],
            },
            after={"rag_override": None, "rag_override_reason": ""},
        )
    return True
