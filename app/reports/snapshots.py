"""Report snapshots: a board's report for a period, generated once and kept exactly as the board saw it.

`request_report` stores a QUEUED row and generates it in the background (an asyncio task: the figures
through the async services, then the files by app.reports.files, waited for in a worker thread while
worker processes lay out the PDF and draw the charts and write the XLSX beside it), so nobody's page waits
for it; the row's status, progress and note say how far it has got. `generate_now` does the same and
waits (the command line, the demo, tests). Only a QUEUED or RUNNING row is ever written to: once READY
(or FAILED) every write is refused, so a snapshot's data and files never change after the event.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import msgspec

from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction, Cadence, ReportStatus
from app.reports.compare import changes_between
from app.reports.data import build_report, last_complete_quarter, report_period
from app.reports.files import draw_charts, report_files
from app.reports.model import Change, ReportData, decode, encode
from app.tables import Board, ReportSnapshot, Staff

log = logging.getLogger(__name__)

UNFINISHED = (ReportStatus.QUEUED, ReportStatus.RUNNING)
# A report still unfinished this long after it was asked for has stopped (say, the service restarted
# while it ran): its page says so instead of waiting for ever, and it can be asked for again.
STALLED_AFTER = timedelta(minutes=15)
# Background generations in progress, kept referenced so they are not collected before they finish.
_TASKS: set[asyncio.Task[None]] = set()

LIST_COLUMNS = (
    ReportSnapshot.id,
    ReportSnapshot.board,
    ReportSnapshot.period_start,
    ReportSnapshot.period_end,
    ReportSnapshot.status,
    ReportSnapshot.progress,
    ReportSnapshot.progress_note,
    ReportSnapshot.error,
    ReportSnapshot.requested_at,
    ReportSnapshot.completed_at,
    ReportSnapshot.sha256,
    ReportSnapshot.requested_by.full_name.as_alias("requested_by_name"),
    ReportSnapshot.board.name.as_alias("board_name"),
    ReportSnapshot.board.cadence.as_alias("board_cadence"),
)


class SnapshotError(ValueError):
    """A request about a snapshot that cannot be met, with a message for the person."""

    def __init__(self, message: str, field: str = "snapshot") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def default_period_end(today: date) -> date:
    """The period a report is asked for unless someone says otherwise: the last complete quarter."""
    return last_complete_quarter(today)


def period_label(start: date, end: date, cadence: str) -> str:
    """The period as the report names it ("July to September 2026"), or by its days when the board's
    cadence has changed since."""
    period = report_period(cadence=Cadence(cadence), period_end=end)
    return period.label if period.start == start else f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    row["status_label"] = ReportStatus(row["status"]).label
    row["period_label"] = period_label(row["period_start"], row["period_end"], row["board_cadence"])
    row["stalled"] = row["status"] in UNFINISHED and row["requested_at"] < datetime.now(UTC) - STALLED_AFTER
    return row


# --- reading ---------------------------------------------------------------------------------


async def list_snapshots(*, board_id: int) -> list[dict[str, Any]]:
    """A board's reports, newest period first (without their data and files)."""
    rows = await (
        ReportSnapshot.select(*LIST_COLUMNS)
        .where(ReportSnapshot.board == board_id)
        .order_by(ReportSnapshot.period_end, ascending=False)
        .order_by(ReportSnapshot.id, ascending=False)
    )
    return [_listed(r) for r in rows]


async def get_snapshot(snapshot_id: int) -> dict[str, Any] | None:
    """One snapshot with its data (JSON text) and HTML, without the PDF and XLSX bytes."""
    row = await (
        ReportSnapshot.select(*LIST_COLUMNS, ReportSnapshot.data, ReportSnapshot.html)
        .where(ReportSnapshot.id == snapshot_id)
        .first()
    )
    return _listed(row) if row else None


async def snapshot_file(*, snapshot_id: int, column: str) -> tuple[bytes | None, str]:
    """A ready snapshot's PDF or XLSX and a file name for it; (None, "") when there is none."""
    assert column in ("pdf", "xlsx")
    row = await (
        ReportSnapshot.select(
            getattr(ReportSnapshot, column),
            ReportSnapshot.period_end,
            ReportSnapshot.board.name.as_alias("board_name"),
        )
        .where(ReportSnapshot.id == snapshot_id, ReportSnapshot.status == ReportStatus.READY)
        .first()
    )
    if row is None or row[column] is None:
        return None, ""
    slug = "-".join("".join(c if c.isalnum() else " " for c in row["board_name"]).lower().split())
    return bytes(row[column]), f"{slug}-{row['period_end'].isoformat()}"


def report_data(snapshot: dict[str, Any]) -> ReportData:
    return decode(snapshot["data"])


async def snapshot_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the report page shows of a ready snapshot: its stored data and its charts, drawn again
    from that data (the same data always draws the same charts) in the reports' draw worker, as the
    dashboard's are."""
    data = report_data(snapshot)
    return {"data": data, "charts": await draw_charts(data)}


def compare(
    first: dict[str, Any], second: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[Change]]:
    """Two ready snapshots of one board, earlier first, and the changes from the earlier to the later."""
    if first["status"] != ReportStatus.READY or second["status"] != ReportStatus.READY:
        raise SnapshotError("Only ready reports can be compared")
    if first["board"] != second["board"]:
        raise SnapshotError("Only reports to the same board can be compared")
    earlier, later = sorted((first, second), key=lambda s: (s["period_end"], s["id"]))
    return earlier, later, changes_between(report_data(earlier), report_data(later))


async def previous_snapshot(
    *, board_id: int, period_end: date, before_id: int | None
) -> dict[str, Any] | None:
    """The board's latest ready report before snapshot `before_id`: an earlier period, or the same
    period generated earlier (None: before a report not yet generated, such as the dashboard's)."""
    rows = await (
        ReportSnapshot.select(ReportSnapshot.id, ReportSnapshot.period_end)
        .where(
            ReportSnapshot.board == board_id,
            ReportSnapshot.status == ReportStatus.READY,
            ReportSnapshot.period_end <= period_end,
        )
        .order_by(ReportSnapshot.period_end, ascending=False)
        .order_by(ReportSnapshot.id, ascending=False)
    )
    for row in rows:
        if before_id is None or row["period_end"] < period_end or row["id"] < before_id:
            return await (
                ReportSnapshot.select(ReportSnapshot.id, ReportSnapshot.data)
                .where(ReportSnapshot.id == row["id"])
                .first()
            )
    return None


# --- writing ---------------------------------------------------------------------------------


async def update_unfinished(snapshot_id: int, values: dict[Any, Any]) -> None:
    """Write to a snapshot that is still being generated. A ready or failed one is never changed."""
    changed = await (
        ReportSnapshot.update(values)
        .where(ReportSnapshot.id == snapshot_id, ReportSnapshot.status.is_in(list(UNFINISHED)))
        .returning(ReportSnapshot.id)
    )
    if not changed:
        raise SnapshotError("This report is finished and cannot be changed")


async def _queue(*, board_id: int, period_end: date, actor: Actor, now: datetime) -> tuple[int, str]:
    board = await Board.select(Board.name, Board.cadence).where(Board.id == board_id).first()
    if board is None:
        raise SnapshotError("That board does not exist")
    period = report_period(cadence=Cadence(board["cadence"]), period_end=period_end)
    requester = (
        await Staff.select(Staff.full_name).where(Staff.id == actor.staff_id).first()
        if actor.staff_id
        else None
    )
    async with write_transaction():
        snapshot_id = int(
            (
                await ReportSnapshot.insert(
                    ReportSnapshot(
                        board=board_id,
                        period_start=period.start,
                        period_end=period.end,
                        status=ReportStatus.QUEUED,
                        progress=0,
                        progress_note="Waiting to start",
                        requested_by=actor.staff_id,
                        requested_at=now,
                    )
                ).returning(ReportSnapshot.id)
            )[0]["id"]
        )
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="report_snapshot",
            entity_id=snapshot_id,
            summary=f"Report to {board['name']} for {period.label} requested",
            after={"board": board_id, "period_start": period.start, "period_end": period.end},
        )
    return snapshot_id, requester["full_name"] if requester else actor.label


async def _generate(
    *,
    snapshot_id: int,
    board_id: int,
    period_end: date,
    actor: Actor,
    generated_by: str,
    now: datetime | None,
) -> None:
    try:
        await update_unfinished(
            snapshot_id,
            {
                ReportSnapshot.status: ReportStatus.RUNNING,
                ReportSnapshot.progress: 10,
                ReportSnapshot.progress_note: "Gathering the figures",
            },
        )
        previous_row = await previous_snapshot(
            board_id=board_id, period_end=period_end, before_id=snapshot_id
        )
        previous = decode(previous_row["data"]) if previous_row else None
        data = await build_report(
            board_id=board_id,
            period_end=period_end,
            generated_by=generated_by,
            previous=previous,
            now=now,
        )
        if previous_row is not None:
            data = msgspec.structs.replace(data, previous_snapshot_id=previous_row["id"])
        await update_unfinished(
            snapshot_id,
            {
                ReportSnapshot.progress: 40,
                ReportSnapshot.progress_note: "Drawing the charts and writing the files",
            },
        )
        files = await anyio.to_thread.run_sync(report_files, data)
        async with write_transaction():
            await update_unfinished(
                snapshot_id,
                {
                    ReportSnapshot.data: encode(data),
                    ReportSnapshot.html: files.html,
                    ReportSnapshot.pdf: files.pdf,
                    ReportSnapshot.xlsx: files.xlsx,
                    ReportSnapshot.sha256: files.sha256,
                    ReportSnapshot.progress: 100,
                    ReportSnapshot.progress_note: "Ready",
                    ReportSnapshot.completed_at: now or datetime.now(UTC),
                    ReportSnapshot.status: ReportStatus.READY,
                },
            )
            await audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                entity="report_snapshot",
                entity_id=snapshot_id,
                summary=f"Report to {data.board_name} for {data.period.label} generated",
                after={"status": ReportStatus.READY, "sha256": files.sha256},
            )
    except Exception as exc:  # any failure is shown on the report's page
        log.exception("Report %s failed", snapshot_id)
        message = f"{type(exc).__name__}: {exc}"[:2000]
        try:
            await update_unfinished(
                snapshot_id,
                {
                    ReportSnapshot.status: ReportStatus.FAILED,
                    ReportSnapshot.error: message,
                    ReportSnapshot.progress_note: "Failed",
                    ReportSnapshot.completed_at: datetime.now(UTC),
                },
            )
        except SnapshotError:
            log.warning("Report %s finished before its failure could be recorded", snapshot_id)


async def request_report(*, board_id: int, period_end: date, actor: Actor) -> int:
    """Queue a board's report for the period ending `period_end` and start generating it in the
    background; returns the snapshot's id at once (its page shows how far it has got)."""
    snapshot_id, generated_by = await _queue(
        board_id=board_id, period_end=period_end, actor=actor, now=datetime.now(UTC)
    )
    task = asyncio.create_task(
        _generate(
            snapshot_id=snapshot_id,
            board_id=board_id,
            period_end=period_end,
            actor=actor,
            generated_by=generated_by,
            now=None,
        )
    )
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return snapshot_id


async def generate_now(*, board_id: int, period_end: date, actor: Actor, now: datetime | None = None) -> int:
    """Generate a board's report and wait for it; returns the snapshot's id (READY, or FAILED with its
    error). `now` stands for the time of generation (the demo's past reports)."""
    snapshot_id, generated_by = await _queue(
        board_id=board_id, period_end=period_end, actor=actor, now=now or datetime.now(UTC)
    )
    await _generate(
        snapshot_id=snapshot_id,
        board_id=board_id,
        period_end=period_end,
        actor=actor,
        generated_by=generated_by,
        now=now,
    )
    return snapshot_id


async def wait_for_reports() -> None:
    """Wait for every report being generated in the background (tests; a tidy shutdown)."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)
