"""Report snapshots (issue 5 points 3 and 9): generated in the background with a status the page
shows, stored with their data and files, never changed once ready, listed and compared by board."""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from action_plans import plans
from app.audit import CLI_ACTOR
from app.enums import ReportStatus, Role
from app.reports import boards, snapshots
from app.reports.boards import BoardDetails
from app.reports.model import decode
from app.reports.snapshots import SnapshotError
from app.tables import AuditEntry, ReportSnapshot
from tests.action_plans.plan_structure import TODAY, build_plan
from tests.conftest import post_form


async def _board(*, plan_id: int, member_ids: list[int] | None = None) -> int:
    return await boards.create_board(
        details=BoardDetails(name="SEND Improvement Board", plan_ids=[plan_id], member_ids=member_ids or []),
        actor=CLI_ACTOR,
    )


async def _row(snapshot_id: int) -> dict:
    row = await ReportSnapshot.select().where(ReportSnapshot.id == snapshot_id).first()
    assert row is not None
    return row


async def test_a_generated_report_keeps_its_data_and_files():
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id, member_ids=[structure.owner.staff_id])
    snapshot_id = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=structure.owner)
    row = await _row(snapshot_id)
    assert row["status"] == ReportStatus.READY, row["error"]
    assert row["progress"] == 100 and row["completed_at"] is not None
    assert row["requested_by"] == structure.owner.staff_id
    data = decode(row["data"])
    assert data.board_id == board_id and data.period.end == TODAY
    assert [p.reference for p in data.plans] == ["WSOA-2026"]
    assert data.previous_snapshot_id is None and data.changes == []
    assert bytes(row["pdf"]).startswith(b"%PDF")
    assert row["sha256"] == hashlib.sha256(bytes(row["pdf"])).hexdigest()
    assert zipfile.ZipFile(io.BytesIO(bytes(row["xlsx"]))).namelist()
    assert "SEND Improvement Board" in row["html"]
    audited = await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.entity == "report_snapshot", AuditEntry.entity_id == str(snapshot_id)
    )
    assert sorted(a["action"] for a in audited) == ["create", "update"]


async def test_changing_a_milestone_leaves_the_snapshot_alone_and_the_next_report_lists_it():
    """Acceptance: a snapshot's data and files are byte-identical after a plan changes; the next
    report for the board lists the change against it."""
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)
    first_id = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=structure.owner)
    before = await _row(first_id)
    assert before["status"] == ReportStatus.READY, before["error"]

    moved_to = TODAY + timedelta(days=40)
    await plans.change_dates(
        item="milestone",
        item_id=structure.milestone_id,
        forecast_date=moved_to,
        actual_date=None,
        reason="Recruitment of the tracker officer took longer",
        as_owner=True,
        actor=structure.owner,
    )
    second_id = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=structure.owner)

    assert await _row(first_id) == before
    after = await _row(second_id)
    assert after["status"] == ReportStatus.READY, after["error"]
    data = decode(after["data"])
    assert data.previous_snapshot_id == first_id
    assert data.previous_generated_at == decode(before["data"]).generated_at
    forecast = [c for c in data.changes if c.section == "Milestone" and "forecast" in c.item]
    assert len(forecast) == 1
    assert "Backlog tracker in place" in forecast[0].item
    assert forecast[0].after == f"{moved_to.day} {moved_to:%B %Y}"


async def test_a_ready_snapshot_refuses_every_write():
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)
    snapshot_id = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=structure.owner)
    before = await _row(snapshot_id)
    with pytest.raises(SnapshotError):
        await snapshots.update_unfinished(snapshot_id, {ReportSnapshot.html: "tampered"})
    assert await _row(snapshot_id) == before


async def test_the_previous_report_is_the_latest_ready_one_before():
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)
    quarter = date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1) - timedelta(days=1)
    older = await snapshots.generate_now(board_id=board_id, period_end=quarter, actor=CLI_ACTOR)
    newer = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=CLI_ACTOR)
    # A report for the earlier quarter asked for later still compares with the earlier quarter's.
    again = await snapshots.generate_now(board_id=board_id, period_end=quarter, actor=CLI_ACTOR)
    assert decode((await _row(newer))["data"]).previous_snapshot_id == older
    assert decode((await _row(again))["data"]).previous_snapshot_id == older
    listed = await snapshots.list_snapshots(board_id=board_id)
    assert [s["id"] for s in listed] == [newer, again, older]
    older_data = decode((await _row(older))["data"])
    assert listed[-1]["period_label"] == older_data.period.label  # "July to September 2026"
    assert older_data.period.label.startswith(f"{older_data.period.start:%B}")


async def test_a_failure_is_recorded_with_its_message_and_nothing_else(monkeypatch):
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)

    def broken(data):
        raise RuntimeError("the PDF library is missing")

    monkeypatch.setattr(snapshots, "report_files", broken)
    snapshot_id = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=CLI_ACTOR)
    row = await _row(snapshot_id)
    assert row["status"] == ReportStatus.FAILED
    assert "the PDF library is missing" in row["error"]
    assert row["data"] == "" and row["pdf"] is None and row["sha256"] == ""


async def test_a_leader_generates_reads_downloads_and_compares_reports(client, signed_in_as):
    me = await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id, member_ids=[me])
    first_id = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=CLI_ACTOR)

    page = await client.get(f"/boards/{board_id}")
    assert "Generate a report" in page.text
    assert (await _row(first_id))["sha256"] in page.text

    response = await post_form(
        client,
        f"/boards/{board_id}/reports",
        {
            "period_end-day": str(TODAY.day),
            "period_end-month": str(TODAY.month),
            "period_end-year": str(TODAY.year),
        },
        form_page=f"/boards/{board_id}",
    )
    assert response.status_code == 303, response.text
    second_id = int(response.headers["location"].rsplit("/", 1)[1])
    waiting = await client.get(f"/reports/{second_id}")
    if (await _row(second_id))["status"] in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        assert 'http-equiv="refresh"' in waiting.text
    await snapshots.wait_for_reports()

    ready = await client.get(f"/reports/{second_id}")
    assert ready.status_code == 200
    assert 'http-equiv="refresh"' not in ready.text
    assert f"/reports/{second_id}/compare/{first_id}" in ready.text
    pdf = await client.get(f"/reports/{second_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == bytes((await _row(second_id))["pdf"])
    xlsx = await client.get(f"/reports/{second_id}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    compared = await client.get(f"/reports/{second_id}/compare/{first_id}")
    assert compared.status_code == 200
    assert "Changes between two reports" in compared.text


async def test_a_period_end_in_the_future_is_refused(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)
    later = TODAY + timedelta(days=3)
    response = await post_form(
        client,
        f"/boards/{board_id}/reports",
        {
            "period_end-day": str(later.day),
            "period_end-month": str(later.month),
            "period_end-year": str(later.year),
        },
        form_page=f"/boards/{board_id}",
    )
    assert response.status_code == 400
    assert "must be today or in the past" in response.text
    assert await ReportSnapshot.count() == 0


async def test_reports_of_different_boards_are_not_compared(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)
    other = await boards.create_board(details=BoardDetails(name="Scrutiny"), actor=CLI_ACTOR)
    first = await snapshots.generate_now(board_id=board_id, period_end=TODAY, actor=CLI_ACTOR)
    second = await snapshots.generate_now(board_id=other, period_end=TODAY, actor=CLI_ACTOR)
    assert (await client.get(f"/reports/{first}/compare/{second}")).status_code == 404


async def test_a_report_that_stopped_says_so_instead_of_waiting(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    snapshot_id = (
        await ReportSnapshot.insert(
            ReportSnapshot(
                board=board_id,
                period_start=TODAY - timedelta(days=90),
                period_end=TODAY,
                status=ReportStatus.RUNNING,
                progress=40,
                progress_note="Drawing the charts and writing the files",
                requested_at=long_ago,
            )
        )
    )[0]["id"]
    page = await client.get(f"/reports/{snapshot_id}")
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in page.text
    assert "stopped before it was finished" in page.text

    # While it is running, the page says how far it has got and looks again in a few seconds.
    await ReportSnapshot.update({ReportSnapshot.requested_at: datetime.now(UTC)}).where(
        ReportSnapshot.id == snapshot_id
    )
    page = await client.get(f"/reports/{snapshot_id}")
    assert '<meta http-equiv="refresh" content="3">' in page.text
    assert "Drawing the charts and writing the files: 40% done" in page.text
    assert "report.pdf" not in page.text


async def test_pages_answer_while_a_report_is_drawn(client, signed_in_as):
    """Generation runs beside the event loop: while the charts and files are being made in a worker
    thread, other pages are served."""
    me = await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await _board(plan_id=structure.plan_id, member_ids=[me])
    snapshot_id = await snapshots.request_report(board_id=board_id, period_end=TODAY, actor=CLI_ACTOR)
    for _ in range(1000):
        row = await _row(snapshot_id)
        if row["progress"] >= 40 or row["status"] not in snapshots.UNFINISHED:
            break
        await asyncio.sleep(0.005)
    assert row["status"] == ReportStatus.RUNNING and row["progress"] == 40
    assert (await client.get("/boards")).status_code == 200
    assert (await client.get(f"/reports/{snapshot_id}")).status_code == 200
    assert (await _row(snapshot_id))["status"] == ReportStatus.RUNNING  # the pages did not wait for it
    await snapshots.wait_for_reports()
    assert (await _row(snapshot_id))["status"] == ReportStatus.READY
