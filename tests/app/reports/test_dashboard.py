"""The leaders' dashboard (issue 5 point 7): today's report, live, with the same figures as the report
built for the same day, filterable by board, plan, priority area and organisation."""

from __future__ import annotations

import html
from datetime import date, timedelta

from action_plans import plans
from app.audit import CLI_ACTOR
from app.enums import Cadence, Role
from app.reports import boards, snapshots
from app.reports.boards import BoardDetails
from app.reports.data import build_report, current_period_end, last_complete_quarter
from app.reports.model import decode
from app.tables import ReportSnapshot
from tests.action_plans.builders import insert_area, insert_plan
from tests.action_plans.plan_structure import build_plan

PERIOD_END = current_period_end(cadence=Cadence.QUARTERLY, today=date.today())


async def test_the_dashboard_shows_the_live_report_with_the_reports_figures(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await boards.create_board(
        details=BoardDetails(name="SEND Improvement Board", plan_ids=[structure.plan_id]), actor=CLI_ACTOR
    )
    page = await client.get("/dashboard")
    assert page.status_code == 200
    text = html.unescape(page.text)
    report = await build_report(board_id=board_id, period_end=PERIOD_END, generated_by="test")
    assert report.headlines
    for headline in report.headlines:
        assert headline.label in text and headline.value in text
    assert "WSOA-2026" in text
    assert await ReportSnapshot.count() == 0  # nothing stored


async def test_the_dashboard_narrows_to_a_plan(client, signed_in_as):
    me = await signed_in_as(Role.LEADER)
    structure = await build_plan()
    other = await insert_plan(owner_id=me, reference="LGSCO-7", title="Ombudsman remedy plan")
    area = await insert_area(plan_id=other, title="Communication")
    board_id = await boards.create_board(
        details=BoardDetails(name="Scrutiny", plan_ids=[structure.plan_id, other]), actor=CLI_ACTOR
    )
    both = await client.get("/dashboard")
    assert "WSOA-2026" in both.text and "LGSCO-7" in both.text
    narrowed = await client.get(f"/dashboard?plan={other}&area={area}&organisation=&board=")
    assert narrowed.status_code == 200
    assert "LGSCO-7: Ombudsman remedy plan" in narrowed.text
    assert f'value="{other}" selected' in narrowed.text
    text = html.unescape(narrowed.text)
    report = await build_report(
        board_id=board_id, period_end=PERIOD_END, generated_by="test", plan_ids=[other], area_ids=[area]
    )
    assert [p.reference for p in report.plans] == ["LGSCO-7"]
    for headline in report.headlines:
        assert f"{headline.label}" in text and headline.value in text
    # Values that name nothing are ignored rather than refused.
    assert (await client.get("/dashboard?plan=999&area=abc&board=77")).status_code == 200


async def test_without_boards_the_dashboard_says_what_to_do(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert "There are no boards yet" in page.text


async def test_the_whole_boards_dashboard_lists_changes_since_its_last_report(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await boards.create_board(
        details=BoardDetails(name="SEND Improvement Board", plan_ids=[structure.plan_id]), actor=CLI_ACTOR
    )
    await snapshots.generate_now(board_id=board_id, period_end=PERIOD_END, actor=CLI_ACTOR)
    moved_to = date.today() + timedelta(days=45)
    await plans.change_dates(
        item="milestone",
        item_id=structure.milestone_id,
        forecast_date=moved_to,
        actual_date=None,
        reason="Waiting for the new system",
        as_owner=True,
        actor=structure.owner,
    )
    page = html.unescape((await client.get("/dashboard")).text)
    assert "Compared with the last report" in page
    assert f"{moved_to.day} {moved_to:%B %Y}" in page
    narrowed = html.unescape((await client.get(f"/dashboard?plan={structure.plan_id}")).text)
    assert "Compared with the last report" not in narrowed


async def test_an_earlier_period_shows_the_figures_of_its_board_paper(client, signed_in_as):
    """The dashboard for a period has the same figures as the report generated for that period."""
    await signed_in_as(Role.LEADER)
    structure = await build_plan()
    board_id = await boards.create_board(
        details=BoardDetails(name="SEND Improvement Board", plan_ids=[structure.plan_id]), actor=CLI_ACTOR
    )
    quarter_end = last_complete_quarter(date.today())
    snapshot_id = await snapshots.generate_now(board_id=board_id, period_end=quarter_end, actor=CLI_ACTOR)
    paper = decode((await ReportSnapshot.select().where(ReportSnapshot.id == snapshot_id).first())["data"])
    page = await client.get(f"/dashboard?board={board_id}&period_end={quarter_end.isoformat()}")
    assert f'value="{quarter_end.isoformat()}" selected' in page.text
    text = html.unescape(page.text)
    assert paper.period.label in text
    for headline in paper.headlines:
        assert f"{headline.label}" in text and headline.value in text
    # A period that is not offered falls back to the current one.
    assert (await client.get("/dashboard?period_end=1999-03-31")).status_code == 200
