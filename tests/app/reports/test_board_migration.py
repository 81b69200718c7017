"""The migration that replaces a plan's free-text 'reports to' with its link to a board: names become
boards (an existing board of the same name, spaces and case aside, is reused), plans are linked, and
the text column goes. Run in a subprocess on a SQLite file of its own."""

from __future__ import annotations

import json
import sys

import pytest

from tests.app.test_migrations import env_for, run
from tests.conftest import own_sqlite_files

pytestmark = pytest.mark.slow

BEFORE = "2026-11-28T00:45:58:256348"  # the last action_plans migration before the link

SCRIPT = """
import asyncio, json, sys
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.table import create_table_class

async def main():
    for app in ("app", "courses"):
        assert (await run_forwards(app_name=app)).success
    assert (await run_forwards(app_name="action_plans", migration_id="__BEFORE__")).success
    plan = create_table_class(class_name="Plan", class_kwargs={"tablename": "plan"})
    await plan.raw(
        "INSERT INTO board (name, description, cadence, protective_marking, active, created_at, "
        "updated_at) VALUES ('SEND Improvement Board', '', 'monthly', 'OFFICIAL', true, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    for reference, reports_to in (
        ("P-1", "send  improvement board"),
        ("P-2", " Scrutiny Committee "),
        ("P-3", "Scrutiny committee"),
        ("P-4", ""),
    ):
        await plan.raw(
            "INSERT INTO plan (reference, title, origin, reports_to) VALUES ({}, {}, 'internal', {})",
            reference, "Plan " + reference, reports_to,
        )
    assert (await run_forwards(app_name="action_plans")).success
    rows = await plan.raw(
        "SELECT plan.reference, board.name, board.cadence FROM plan LEFT JOIN board ON board.id = plan.board "
        "ORDER BY plan.reference"
    )
    columns = [r["name"] for r in await plan.raw("PRAGMA table_info(plan)")]
    with open(sys.argv[1], "w") as out:
        found = [[r["reference"], r["name"], r["cadence"]] for r in rows]
        json.dump({"rows": found, "columns": columns}, out)

asyncio.run(main())
""".replace("__BEFORE__", BEFORE)


@own_sqlite_files
def test_plans_are_linked_to_boards_by_name_and_the_text_goes(tmp_path):
    out = tmp_path / "result.json"
    result = run(
        [sys.executable, "-c", SCRIPT, str(out)],
        env_for(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "var"),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    found = json.loads(out.read_text())
    assert found["rows"] == [
        ["P-1", "SEND Improvement Board", "monthly"],  # the board that was already there
        ["P-2", "Scrutiny Committee", "quarterly"],  # a new board, named as first written
        ["P-3", "Scrutiny Committee", "quarterly"],  # the same board, whatever the case
        ["P-4", None, None],
    ]
    assert "reports_to" not in found["columns"] and "board" in found["columns"]
