"""A plan's free-text 'reports to' becomes its link to a board: each distinct name (spaces tidied,
case ignored) that no board has yet becomes a board, each plan without a board is linked to the board
of its name, and then the text column goes."""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import create_table_class

ID = "2026-11-28T01:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Plans link to boards by the name in reports_to, which is then dropped"


def _tidy(name: str) -> str:
    return " ".join(name.split())[:200]


async def link_plans_to_boards() -> None:
    plan = create_table_class(class_name="Plan", class_kwargs={"tablename": "plan"})
    board = create_table_class(class_name="Board", class_kwargs={"tablename": "board"})
    plans = [
        (row["id"], _tidy(row["reports_to"] or ""))
        for row in await plan.raw("SELECT id, reports_to FROM plan WHERE board IS NULL")
    ]
    plans = [(plan_id, name) for plan_id, name in plans if name]
    if not plans:
        return
    boards = {row["name"].casefold(): row["id"] for row in await board.raw("SELECT id, name FROM board")}
    now = datetime.now(UTC)
    for _, name in plans:
        if name.casefold() not in boards:
            created = await board.raw(
                "INSERT INTO board (name, description, cadence, protective_marking, training_target, "
                "active, created_at, updated_at) VALUES ({}, '', 'quarterly', 'OFFICIAL', NULL, {}, {}, {}) "
                "RETURNING id",
                name,
                True,
                now,
                now,
            )
            boards[name.casefold()] = created[0]["id"]
    for plan_id, name in plans:
        await plan.raw("UPDATE plan SET board = {} WHERE id = {}", boards[name.casefold()], plan_id)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="action_plans", description=DESCRIPTION)
    # Raw steps run first, so the names are read before the column is dropped.
    manager.add_raw(link_plans_to_boards)
    manager.drop_column(
        table_class_name="Plan",
        tablename="plan",
        column_name="reports_to",
        db_column_name="reports_to",
        schema=None,
    )
    return manager
