"""`assure demo` adds the boards the demo plans report to and the improvement board's two past
reports, so the next report shows what changed (issue 5 point 10)."""

from __future__ import annotations

from datetime import date, timedelta

from action_plans.demo import OMBUDSMAN_REFERENCE, WSOA_REFERENCE
from action_plans.tables import Plan
from app.audit import CLI_ACTOR
from app.demo import load_demo
from app.enums import ReportStatus
from app.reports import snapshots
from app.reports.demo import IMPROVEMENT_BOARD, PARTNERSHIP_BOARD, past_quarters
from app.reports.model import decode
from app.tables import Board, BoardMember, ReportSnapshot, Staff


async def test_demo_adds_the_boards_and_two_past_reports_once():
    await load_demo()
    board_ids = {b["name"]: b["id"] for b in await Board.select(Board.id, Board.name)}
    assert set(board_ids) == {IMPROVEMENT_BOARD, PARTNERSHIP_BOARD}
    linked = {p["reference"]: p["board"] for p in await Plan.select(Plan.reference, Plan.board)}
    assert linked == {
        OMBUDSMAN_REFERENCE: board_ids[IMPROVEMENT_BOARD],
        WSOA_REFERENCE: board_ids[PARTNERSHIP_BOARD],
    }
    leader = await Staff.select(Staff.id).where(Staff.email == "leader@northbrook.example").first()
    assert leader is not None
    for board_id in board_ids.values():
        assert await BoardMember.exists().where(
            BoardMember.board == board_id, BoardMember.staff == leader["id"]
        )

    reports = await ReportSnapshot.select().order_by(ReportSnapshot.period_end)
    assert [r["board"] for r in reports] == [board_ids[IMPROVEMENT_BOARD]] * 2
    assert [r["status"] for r in reports] == [ReportStatus.READY] * 2
    quarters = past_quarters(date.today())
    assert [r["period_end"] for r in reports] == quarters
    for report, quarter in zip(reports, quarters, strict=True):
        assert report["completed_at"].date() == quarter + timedelta(days=12)
        assert decode(report["data"]).generated_at.date() == quarter + timedelta(days=12)
        assert report["requested_by"] == leader["id"]
    assert decode(reports[1]["data"]).previous_snapshot_id == reports[0]["id"]

    await load_demo()
    assert await Board.count() == 2 and await ReportSnapshot.count() == 2

    # The next report, for the current period, compares with the latest and lists what changed.
    next_id = await snapshots.generate_now(
        board_id=board_ids[IMPROVEMENT_BOARD], period_end=date.today(), actor=CLI_ACTOR
    )
    data = decode(
        (await ReportSnapshot.select(ReportSnapshot.data).where(ReportSnapshot.id == next_id).first())["data"]
    )
    assert data.previous_snapshot_id == reports[1]["id"]
    assert data.changes
