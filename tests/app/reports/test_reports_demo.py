"""`assure demo` adds the boards the demo plans report to and the improvement board's two past
reports, so the next report shows what changed (issue 5 point 10)."""

from __future__ import annotations

import html
import re
import shutil
import zlib
from datetime import date, timedelta

import anyio
import pytest

from action_plans.demo import OMBUDSMAN_REFERENCE, WSOA_REFERENCE
from action_plans.tables import Plan
from app.audit import CLI_ACTOR
from app.demo import load_demo
from app.enums import ReportStatus, Role
from app.reports import snapshots
from app.reports.data import last_complete_quarter
from app.reports.demo import IMPROVEMENT_BOARD, PARTNERSHIP_BOARD, past_quarters
from app.reports.model import decode
from app.tables import Board, BoardMember, ReportSnapshot, Staff

PDFTOTEXT = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")


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


@needs_poppler
async def test_the_demo_board_paper_says_what_the_dashboard_says(client, signed_in_as, tmp_path):
    """Issue 5's acceptance: on the demo, the PDF that `assure report generate` writes (the snapshot's
    PDF, tests/app/reports/test_report_cli.py) has a cover, contents, page numbers and at least six
    charts, and the figures in its text are those on the leader dashboard for the same period."""
    await load_demo()
    await signed_in_as(Role.LEADER)
    board = await Board.select(Board.id).where(Board.name == IMPROVEMENT_BOARD).first()
    quarter_end = last_complete_quarter(date.today())
    snapshot_id = await snapshots.generate_now(board_id=board["id"], period_end=quarter_end, actor=CLI_ACTOR)
    stored = await ReportSnapshot.select().where(ReportSnapshot.id == snapshot_id).first()
    data = decode(stored["data"])
    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(stored["pdf"])
    text = (
        await anyio.run_process([str(PDFTOTEXT), str(pdf), "-"], check=True)  # a fixed tool, our own file
    ).stdout.decode()
    pages = text.split("\f")[:-1]
    assert IMPROVEMENT_BOARD in pages[0] and data.period.label in pages[0]  # the cover
    assert "Contents" in pages[1]
    assert re.search(rf"Page 2 of {len(pages)}", pages[1])
    # Each chart is an image with alternative text in the tagged PDF's structure tree.
    alt_texts = 0
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", stored["pdf"], re.S):
        try:
            alt_texts += zlib.decompress(match.group(1)).count(b"/Alt")
        except zlib.error:
            continue
    assert alt_texts >= 6

    response = await client.get(f"/dashboard?board={board['id']}&period_end={quarter_end.isoformat()}")
    assert response.status_code == 200
    dashboard = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())
    paper = " ".join(text.split())
    figures = [h.value for h in data.headlines]
    # Each KPI's latest value as a board paper prints it: percentages to one place, counts whole.
    figures += [
        f"{k.latest:.1f}%" if k.unit == "percent" else f"{k.latest:,.0f}"
        for k in data.kpis
        if k.latest is not None
    ]
    assert figures
    for figure in figures:
        assert figure in paper, f"{figure!r} is not in the PDF's text"
        assert figure in dashboard, f"{figure!r} is not on the dashboard"
