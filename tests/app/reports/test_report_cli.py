"""`assure report generate`: a board's report kept as a snapshot and written as PDF, XLSX or HTML.

Like tests/app/test_cli.py, each test runs the real console script against its own SQLite file.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.reports.data import last_complete_quarter
from app.reports.workbook import SHEETS
from tests.app.test_cli import Run, rows, runner
from tests.conftest import own_sqlite_files

pytestmark = [pytest.mark.slow, own_sqlite_files]

NOW = "2026-11-01T09:00:00+00:00"


def add_board(database: Path, name: str, *, active: bool = True, plans: bool = True) -> int:
    """A board, with every plan reporting to it when `plans`."""
    import sqlite3

    connection = sqlite3.connect(database)
    try:
        with connection:
            cursor = connection.execute(
                "INSERT INTO board (name, description, cadence, protective_marking, training_target, active,"
                " created_at, updated_at) VALUES (?, '', 'quarterly', 'OFFICIAL', NULL, ?, ?, ?)",
                (name, active, NOW, NOW),
            )
            board_id = int(cursor.lastrowid or 0)
            if plans:
                connection.execute("UPDATE plan SET board = ?", (board_id,))
        return board_id
    finally:
        connection.close()


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once by `assure migrate`, copied afresh for each test that needs one."""
    directory = tmp_path_factory.mktemp("assure-report-migrated")
    database = directory / "assure.sqlite"
    result = runner(database, directory / "var", directory)("migrate")
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory, migrated_file: Path) -> Path:
    """The demo data loaded once by `assure demo`, with a board its plans report to."""
    directory = tmp_path_factory.mktemp("assure-report-demo")
    database = directory / "assure.sqlite"
    shutil.copyfile(migrated_file, database)
    result = runner(database, directory / "var", directory)("demo")
    assert result.returncode == 0, result.stderr
    if not rows(database, "SELECT id FROM board"):
        add_board(database, "SEND Improvement Board")
    return database


@pytest.fixture
def demo(tmp_path: Path, demo_template: Path) -> tuple[Path, Run, Path]:
    database = tmp_path / "assure.sqlite"
    shutil.copyfile(demo_template, database)
    return database, runner(database, tmp_path / "var", tmp_path), tmp_path


@pytest.fixture
def empty(tmp_path: Path, migrated_file: Path) -> tuple[Path, Run, Path]:
    database = tmp_path / "assure.sqlite"
    shutil.copyfile(migrated_file, database)
    return database, runner(database, tmp_path / "var", tmp_path), tmp_path


def snapshots(database: Path) -> list[tuple]:
    return rows(
        database,
        "SELECT report_snapshot.id, board.name, period_end, status, sha256 FROM report_snapshot"
        " JOIN board ON board.id = report_snapshot.board ORDER BY report_snapshot.id",
    )


def test_generate_writes_the_pdf_of_a_new_snapshot_for_the_first_board_and_last_quarter(demo):
    database, assure, folder = demo
    before = snapshots(database)
    first_board = rows(database, "SELECT name FROM board WHERE active ORDER BY name")[0][0]

    result = assure("report", "generate", "--format", "pdf", "--out", "board.pdf")

    assert result.returncode == 0, result.stderr
    content = (folder / "board.pdf").read_bytes()
    assert content.startswith(b"%PDF")
    added = snapshots(database)[len(before) :]
    assert len(added) == 1
    snapshot_id, board, period_end, status, sha256 = added[0]
    assert (board, status) == (first_board, "ready")
    assert date.fromisoformat(str(period_end)[:10]) == last_complete_quarter(date.today())
    assert sha256 == hashlib.sha256(content).hexdigest()
    assert f"report snapshot {snapshot_id}" in result.stdout and first_board in result.stdout


def test_generate_writes_xlsx_and_html_from_the_stored_snapshot_for_the_named_board_and_period(demo):
    database, assure, folder = demo
    name = rows(database, "SELECT name FROM board ORDER BY name")[0][0]

    xlsx = assure(
        "report", "generate", "--board", name.upper(), "--period-end", "2026-06-30", "--format", "xlsx",
        "--out", "board.xlsx",
    )  # fmt: skip
    html = assure(
        "report", "generate", "--board", name, "--period-end", "2026-06-30", "--format", "html",
        "--out", "board.html",
    )  # fmt: skip

    assert xlsx.returncode == 0, xlsx.stderr
    assert html.returncode == 0, html.stderr
    book = load_workbook(io.BytesIO((folder / "board.xlsx").read_bytes()))
    assert book.sheetnames == [s.title for s in SHEETS]
    assert name in book["Summary"]["A1"].value
    page = (folder / "board.html").read_text()
    assert "<html" in page.lower() and name in page
    stored = rows(
        database,
        "SELECT xlsx, html, period_end FROM report_snapshot ORDER BY id DESC LIMIT 2",
    )
    assert bytes(stored[1][0]) == (folder / "board.xlsx").read_bytes()
    assert stored[0][1] == page
    assert {str(r[2])[:10] for r in stored} == {"2026-06-30"}


def test_an_unknown_board_lists_the_boards_and_generates_nothing(demo):
    database, assure, folder = demo
    names = [r[0] for r in rows(database, "SELECT name FROM board ORDER BY name")]
    before = snapshots(database)

    result = assure("report", "generate", "--board", "Nowhere Board", "--format", "pdf", "--out", "x.pdf")

    assert result.returncode == 2
    assert "there is no board called 'Nowhere Board'" in result.stderr
    assert all(name in result.stderr for name in names)
    assert snapshots(database) == before
    assert not (folder / "x.pdf").exists()


def test_without_boards_it_says_to_add_one(empty):
    _, assure, folder = empty

    result = assure("report", "generate", "--format", "pdf", "--out", "x.pdf")

    assert result.returncode == 2
    assert "there are no boards yet" in result.stderr
    assert not (folder / "x.pdf").exists()


def test_only_inactive_boards_must_be_named(empty):
    database, assure, _ = empty
    add_board(database, "Old Scrutiny Board", active=False, plans=False)

    result = assure("report", "generate", "--format", "xlsx", "--out", "x.xlsx")

    assert result.returncode == 2
    assert "no board is active: name one with --board" in result.stderr


@pytest.mark.parametrize("period_end", ["2026-13-01", "30/06/2026", "yesterday"])
def test_a_bad_period_end_is_refused_before_anything_is_generated(empty, period_end):
    database, assure, _ = empty
    add_board(database, "SEND Improvement Board", plans=False)

    result = assure("report", "generate", "--period-end", period_end, "--format", "pdf", "--out", "x.pdf")

    assert result.returncode == 2
    assert "Invalid value for '--period-end'" in result.stderr
    assert snapshots(database) == []


def test_a_bad_format_is_refused(empty):
    _, assure, _ = empty

    result = assure("report", "generate", "--format", "docx", "--out", "x.docx")

    assert result.returncode == 2
    assert "'docx' is not one of 'pdf', 'xlsx', 'html'" in result.stderr
