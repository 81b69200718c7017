"""Governance boards: who sits on them, how often they meet, and the plans that report to them.

Leaders and administrators manage boards. A board's members are leaders (people who may read its
reports); a plan reports to at most one board (action_plans.tables.Plan.board).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.string import Lower

from action_plans.tables import Plan
from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction, Cadence, ReportStatus, Role
from app.tables import Board, BoardMember, ReportSnapshot, RoleGrant, Staff

MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")


class BoardError(ValueError):
    """A change to a board that breaks a rule, with the field at fault and a message for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class BoardDetails:
    name: str
    description: str = ""
    cadence: str = Cadence.QUARTERLY
    protective_marking: str = "OFFICIAL"
    training_target: int | None = None
    active: bool = True
    member_ids: list[int] = field(default_factory=list)
    plan_ids: list[int] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _tidy(value: str) -> str:
    return " ".join(value.split())


# --- reading ---------------------------------------------------------------------------------


async def list_boards(*, include_inactive: bool = True) -> list[dict[str, Any]]:
    """Boards by name, each with its number of members and plans and its latest ready report."""
    query = Board.select().order_by(Board.name)
    if not include_inactive:
        query = query.where(Board.active == True)  # noqa: E712
    rows = await query
    members = {
        r["board"]: r["count"]
        for r in await BoardMember.select(BoardMember.board, Count(alias="count")).group_by(BoardMember.board)
    }
    plans = {
        r["board"]: r["count"]
        for r in await Plan.select(Plan.board, Count(alias="count"))
        .where(Plan.board.is_not_null())
        .group_by(Plan.board)
    }
    latest: dict[int, dict[str, Any]] = {}
    for r in (
        await ReportSnapshot.select(
            ReportSnapshot.board, ReportSnapshot.id, ReportSnapshot.period_end, ReportSnapshot.completed_at
        )
        .where(ReportSnapshot.status == ReportStatus.READY)
        .order_by(ReportSnapshot.id)
    ):
        latest[r["board"]] = r
    for row in rows:
        row["cadence_label"] = Cadence(row["cadence"]).label
        row["member_count"] = members.get(row["id"], 0)
        row["plan_count"] = plans.get(row["id"], 0)
        row["latest_report"] = latest.get(row["id"])
    return rows


async def get_board(board_id: int) -> dict[str, Any] | None:
    """A board with its members (id, name, email) and plans (id, reference, title, status)."""
    board = await Board.select().where(Board.id == board_id).first()
    if board is None:
        return None
    board["cadence_label"] = Cadence(board["cadence"]).label
    board["members"] = await (
        BoardMember.select(
            BoardMember.staff.id.as_alias("id"),
            BoardMember.staff.full_name.as_alias("full_name"),
            BoardMember.staff.email.as_alias("email"),
        )
        .where(BoardMember.board == board_id)
        .order_by(BoardMember.staff.full_name)
    )
    board["plans"] = await (
        Plan.select(Plan.id, Plan.reference, Plan.title, Plan.status)
        .where(Plan.board == board_id)
        .order_by(Plan.reference)
    )
    board["member_ids"] = [m["id"] for m in board["members"]]
    board["plan_ids"] = [p["id"] for p in board["plans"]]
    return board


async def board_by_name(name: str) -> dict[str, Any] | None:
    return await Board.select(Board.id, Board.name).where(Lower(Board.name) == _tidy(name).lower()).first()


async def board_choices(*, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Boards as (id, name, cadence) for a select, by name."""
    query = Board.select(Board.id, Board.name, Board.cadence).order_by(Board.name)
    if not include_inactive:
        query = query.where(Board.active == True)  # noqa: E712
    return await query


async def leader_choices() -> list[dict[str, Any]]:
    """People who hold the leader role and have not left, by name: who may sit on a board."""
    return await (
        Staff.select(Staff.id, Staff.full_name, Staff.email)
        .where(
            Staff.left_on.is_null(),
            Staff.id.is_in(RoleGrant.select(RoleGrant.staff).where(RoleGrant.role == Role.LEADER)),
        )
        .order_by(Staff.full_name)
    )


async def plan_choices() -> list[dict[str, Any]]:
    """Every plan as (id, reference, title, board) for the board form, by reference."""
    return await Plan.select(Plan.id, Plan.reference, Plan.title, Plan.board).order_by(Plan.reference)


async def is_member(*, board_id: int, staff_id: int) -> bool:
    return await BoardMember.exists().where(BoardMember.board == board_id, BoardMember.staff == staff_id)


# --- changing --------------------------------------------------------------------------------


async def _checked(details: BoardDetails, *, exclude_id: int | None = None) -> dict[str, Any]:
    name = _tidy(details.name)
    if not name:
        raise BoardError("name", "Enter the board's name")
    if len(name) > 200:
        raise BoardError("name", "The board's name must be 200 characters or fewer")
    clash = Board.exists().where(Lower(Board.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(Board.id != exclude_id)
    if await clash:
        raise BoardError("name", "A board with this name already exists")
    if details.cadence not in {c.value for c in Cadence}:
        raise BoardError("cadence", "Select how often the board receives a report")
    marking = _tidy(details.protective_marking).upper() or "OFFICIAL"
    if marking not in MARKINGS:
        raise BoardError("protective_marking", "Select the protective marking for the board's reports")
    if details.training_target is not None and not 0 < details.training_target <= 1_000_000:
        raise BoardError("training_target", "The training target must be a whole number of people, 1 or more")
    member_ids = sorted(set(details.member_ids))
    if member_ids:
        leaders = {r["id"] for r in await leader_choices()}
        if not set(member_ids) <= leaders:
            raise BoardError("members", "Board members must be leaders who have not left")
    plan_ids = sorted(set(details.plan_ids))
    if plan_ids:
        found = await Plan.count().where(Plan.id.is_in(plan_ids))
        if found != len(plan_ids):
            raise BoardError("plans", "Select plans from the list")
    return {
        "name": name,
        "description": details.description.strip(),
        "cadence": details.cadence,
        "protective_marking": marking,
        "training_target": details.training_target,
        "active": details.active,
        "member_ids": member_ids,
        "plan_ids": plan_ids,
    }


async def _link(board_id: int, member_ids: list[int], plan_ids: list[int]) -> None:
    await BoardMember.delete().where(BoardMember.board == board_id)
    if member_ids:
        await BoardMember.insert(*[BoardMember(board=board_id, staff=s) for s in member_ids])
    unlink = Plan.update({Plan.board: None}).where(Plan.board == board_id)
    if plan_ids:
        unlink = unlink.where(Plan.id.not_in(plan_ids))
        await unlink
        await Plan.update({Plan.board: board_id}).where(Plan.id.is_in(plan_ids))
    else:
        await unlink


async def create_board(*, details: BoardDetails, actor: Actor) -> int:
    values = await _checked(details)
    now = _now()
    async with write_transaction():
        columns: dict[Any, Any] = {k: v for k, v in values.items() if k not in ("member_ids", "plan_ids")}
        board_id = int(
            (await Board.insert(Board(**columns, created_at=now, updated_at=now)).returning(Board.id))[0][
                "id"
            ]
        )
        await _link(board_id, values["member_ids"], values["plan_ids"])
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="board",
            entity_id=board_id,
            summary=f"Board {values['name']} created",
            after=values,
        )
    return board_id


async def update_board(*, board_id: int, details: BoardDetails, actor: Actor) -> None:
    values = await _checked(details, exclude_id=board_id)
    async with write_transaction():
        current = await get_board(board_id)
        if current is None:
            raise BoardError("name", "That board no longer exists")
        before, after = audit.changed_fields({k: current[k] for k in values}, values)
        if not after:
            return
        columns: dict[Any, Any] = {k: v for k, v in values.items() if k not in ("member_ids", "plan_ids")}
        await Board.update({**columns, "updated_at": _now()}).where(Board.id == board_id)
        await _link(board_id, values["member_ids"], values["plan_ids"])
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="board",
            entity_id=board_id,
            summary=f"Board {values['name']} changed",
            before=before,
            after=after,
        )
