"""`assure demo`'s governance boards: the SEND Improvement Board, to which the Ombudsman remedy plan
reports, and the SEND Partnership Board, to which the Written Statement of Action reports, with their
members, and the improvement board's reports for the last two complete quarters, generated as they
would have been a week or so after each quarter ended, so the next report shows what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from action_plans.demo import OMBUDSMAN_REFERENCE, WSOA_REFERENCE
from action_plans.tables import Plan
from app.audit import Actor
from app.enums import Cadence, ReportStatus, Role
from app.reports import boards, snapshots
from app.reports.boards import BoardDetails
from app.reports.data import last_complete_quarter
from app.tables import ReportSnapshot, RoleGrant, Staff

IMPROVEMENT_BOARD = "SEND Improvement Board"
PARTNERSHIP_BOARD = "SEND Partnership Board"
# (name, description, cadence, training target, references of the demo plans that report to it)
BOARDS = [
    (
        IMPROVEMENT_BOARD,
        "Chaired by the Director of Children's Services; oversees the remedy of the Ombudsman's findings "
        "and the service's improvement programme.",
        Cadence.QUARTERLY,
        120,
        [OMBUDSMAN_REFERENCE],
    ),
    (
        PARTNERSHIP_BOARD,
        "The local area partnership of the council, the integrated care board and schools; holds the "
        "Written Statement of Action to account for Ofsted and the CQC.",
        Cadence.QUARTERLY,
        None,
        [WSOA_REFERENCE],
    ),
]
ACTOR = Actor(staff_id=None, label="assure demo")


@dataclass
class ReportsDemoSummary:
    boards: list[str] = field(default_factory=list)
    snapshots: int = 0

    def describe(self) -> str:
        if not self.boards and not self.snapshots:
            return "Boards already there."
        return f"Boards added: {', '.join(self.boards) or 'none'}; {self.snapshots} past reports generated."


def past_quarters(today: date) -> list[date]:
    """The ends of the last two complete quarters before the current one, earlier first."""
    latest = last_complete_quarter(today)
    return [last_complete_quarter(latest), latest]


async def load_reports_demo(*, leader_id: int, today: date | None = None) -> ReportsDemoSummary:
    """Add the demo boards (once) and the improvement board's two past reports (once)."""
    today = today or date.today()
    summary = ReportsDemoSummary()
    leaders = {
        r["staff"] for r in await RoleGrant.select(RoleGrant.staff).where(RoleGrant.role == Role.LEADER)
    }
    plans = await Plan.select(Plan.id, Plan.reference, Plan.owner, Plan.board)
    board_ids: dict[str, int] = {}
    for name, description, cadence, target, references in BOARDS:
        existing = await boards.board_by_name(name)
        if existing is not None:
            board_ids[name] = int(existing["id"])
            continue
        linked = [p for p in plans if p["reference"] in references and p["board"] is None]
        members = sorted({leader_id} | {p["owner"] for p in linked if p["owner"] in leaders})
        board_ids[name] = await boards.create_board(
            details=BoardDetails(
                name=name,
                description=description,
                cadence=cadence,
                training_target=target,
                member_ids=members,
                plan_ids=[p["id"] for p in linked],
            ),
            actor=ACTOR,
        )
        summary.boards.append(name)

    board_id = board_ids[IMPROVEMENT_BOARD]
    if await ReportSnapshot.exists().where(ReportSnapshot.board == board_id):
        return summary
    leader = await Staff.select(Staff.full_name).where(Staff.id == leader_id).first()
    generated_by = Actor(staff_id=leader_id, label=leader["full_name"] if leader else ACTOR.label)
    for period_end in past_quarters(today):
        # Generated on the second Tuesday or so after the quarter ended, in the morning.
        generated = datetime.combine(period_end + timedelta(days=12), time(9, 30), tzinfo=UTC)
        snapshot_id = await snapshots.generate_now(
            board_id=board_id, period_end=period_end, actor=generated_by, now=generated
        )
        status = (
            await ReportSnapshot.select(ReportSnapshot.status, ReportSnapshot.error)
            .where(ReportSnapshot.id == snapshot_id)
            .first()
        )
        if status is None or status["status"] != ReportStatus.READY:
            raise RuntimeError(f"The demo report for {period_end} failed: {status and status['error']}")
        summary.snapshots += 1
    return summary
