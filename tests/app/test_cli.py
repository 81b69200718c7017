"""The `assure` command, as someone installing or running the service uses it.

Each test runs the real console script in a subprocess against its own fresh SQLite file, so the
commands never touch the database the other tests use.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.accounts.passwords import verify_password
from app.demo import DEMO_PASSWORD
from tests.conftest import own_sqlite_files

pytestmark = [pytest.mark.slow, own_sqlite_files]

ASSURE = Path(sys.executable).with_name("assure")
PASSWORD = "Correct horse battery staple 42"

Run = Callable[..., subprocess.CompletedProcess[str]]


def assure_env(database: Path, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSURE_", "PICCOLO_"))}
    env.update(
        ASSURE_DATABASE_URL=f"sqlite:///{database}",
        ASSURE_VAR_DIR=str(var_dir),
        ASSURE_COUNCIL_NAME="Testshire County Council",
    )
    return env


def runner(database: Path, var_dir: Path, cwd: Path) -> Run:
    def run(*args: str, stdin: str = "", timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
            [str(ASSURE), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=assure_env(database, var_dir),
            cwd=cwd,
            timeout=timeout,
            check=False,
        )

    return run


def rows(database: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def count(database: Path, table: str) -> int:
    return int(rows(database, f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608 (our own table names)


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once by `assure migrate`, copied afresh for each test that needs one."""
    directory = tmp_path_factory.mktemp("assure-cli-template")
    database = directory / "assure.sqlite"
    result = runner(database, directory / "var", directory)("migrate")
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, Run]:
    """An empty database file and a way to run `assure` against it."""
    database = tmp_path / "assure.sqlite"
    return database, runner(database, tmp_path / "var", tmp_path)


@pytest.fixture
def migrated(tmp_path: Path, migrated_template: Path) -> tuple[Path, Run]:
    """A migrated, empty database file of this test's own, and a way to run `assure` against it."""
    database = tmp_path / "assure.sqlite"
    shutil.copyfile(migrated_template, database)
    return database, runner(database, tmp_path / "var", tmp_path)


def test_help_lists_every_command(fresh):
    _, assure = fresh

    result = assure("--help")

    assert result.returncode == 0, result.stderr
    commands = re.findall(r"^  (\w+)  ", result.stdout, flags=re.MULTILINE)
    assert {"serve", "migrate", "createuser", "demo"} <= set(commands)


def test_serve_refuses_an_unmigrated_database_and_says_to_migrate(fresh):
    _, assure = fresh

    result = assure("serve", "--port", "0", timeout=60)

    assert result.returncode != 0
    assert "Run `assure migrate` first" in result.stderr
    assert "not yet applied" in result.stderr
    assert "Uvicorn running" not in result.stderr


def test_migrate_applies_every_migration_then_reports_up_to_date(fresh):
    database, assure = fresh

    first = assure("migrate")
    second = assure("migrate")

    assert first.returncode == 0, first.stderr
    applied = re.search(r"Applied (\d+) migration\(s\)\.", first.stdout)
    assert applied, first.stdout
    assert int(applied.group(1)) == count(database, "migration") >= 3
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "The database is up to date."
    assert count(database, "staff") == 0


def test_createuser_adds_a_person_who_can_sign_in_with_their_roles(migrated):
    database, assure = migrated

    result = assure(
        "createuser",
        "--email",
        "Ann.Admin@Testshire.example",
        "--name",
        "Ann Admin",
        "--role",
        "admin",
        "--role",
        "trainer",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert result.returncode == 0, result.stderr
    assert "with roles: admin, trainer." in result.stdout
    [(staff_id, email, name, organisation)] = rows(
        database,
        "SELECT staff.id, staff.email, staff.full_name, organisation.name"
        " FROM staff JOIN organisation ON organisation.id = staff.organisation",
    )
    assert (email, name, organisation) == (
        "ann.admin@testshire.example",
        "Ann Admin",
        "Local authority SEND service",
    )
    assert sorted(r[0] for r in rows(database, f"SELECT role FROM role_grant WHERE staff = {staff_id}")) == [  # noqa: S608
        "admin",
        "trainer",
    ]
    [(password_hash,)] = rows(database, f"SELECT password_hash FROM account WHERE staff = {staff_id}")  # noqa: S608
    assert verify_password(password_hash, PASSWORD)
    assert PASSWORD not in result.stdout + result.stderr


def test_createuser_places_a_person_in_the_organisation_named(migrated):
    database, assure = migrated
    assure("createuser", "--email", "first@testshire.example", "--name", "First Person", "--role", "admin",
           "--password-stdin", stdin=PASSWORD)  # fmt: skip

    result = assure(
        "createuser",
        "--email",
        "second@testshire.example",
        "--name",
        "Second Person",
        "--role",
        "leader",
        "--organisation",
        "LOCAL AUTHORITY SEND SERVICE",
        "--password-stdin",
        stdin=PASSWORD,
    )

    assert result.returncode == 0, result.stderr
    assert count(database, "organisation") == 1
    assert rows(database, "SELECT COUNT(DISTINCT organisation) FROM staff") == [(1,)]


def test_createuser_refuses_an_email_already_in_use_whatever_the_case(migrated):
    database, assure = migrated
    args = ["--name", "Ann Admin", "--role", "admin", "--password-stdin"]
    first = assure("createuser", "--email", "ann@testshire.example", *args, stdin=PASSWORD)

    again = assure("createuser", "--email", "ANN@testshire.example", *args, stdin=PASSWORD)

    assert first.returncode == 0, first.stderr
    assert again.returncode != 0
    assert "Someone with the email address ann@testshire.example already exists" in again.stderr
    assert "Traceback" not in again.stderr
    assert count(database, "staff") == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Password must be 12 characters or more"),
        ("password1234", "Choose a password that is harder to guess"),
    ],
)
def test_createuser_refuses_a_weak_password_and_creates_nothing(migrated, password, message):
    database, assure = migrated

    result = assure(
        "createuser", "--email", "ann@testshire.example", "--name", "Ann Admin", "--role", "admin",
        "--password-stdin", stdin=password + "\n",
    )  # fmt: skip

    assert result.returncode != 0
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    for table in ("staff", "organisation", "account", "role_grant", "audit_entry"):
        assert count(database, table) == 0, table


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--email", "not-an-email"], "Enter an email address in the correct format"),
        (
            ["--email", "ann@testshire.example", "--organisation", "Nowhere Trust"],
            "No organisation called 'Nowhere Trust'",
        ),
    ],
)
def test_createuser_with_a_wrong_detail_explains_and_creates_nothing(migrated, extra, message):
    database, assure = migrated

    result = assure(
        "createuser", "--name", "Ann Admin", "--role", "admin", *extra, "--password-stdin", stdin=PASSWORD
    )

    assert result.returncode != 0
    assert message in result.stderr
    # Not even the council's own organisation, which a first user would otherwise bring with them.
    for table in ("staff", "organisation", "account", "audit_entry"):
        assert count(database, table) == 0, table


def test_createuser_needs_a_known_role(migrated):
    database, assure = migrated

    result = assure(
        "createuser", "--email", "ann@testshire.example", "--name", "Ann Admin", "--role", "superuser",
        "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip

    assert result.returncode != 0
    assert "'superuser' is not one of 'admin', 'trainer', 'professional', 'leader'" in result.stderr
    assert count(database, "staff") == 0


def test_demo_loads_a_realistic_service_once_and_prints_a_sign_in_per_role(migrated):
    database, assure = migrated

    first = assure("demo")
    counts = {
        t: count(database, t) for t in ("organisation", "team", "job_role", "staff", "account", "role_grant")
    }
    second = assure("demo")

    assert first.returncode == 0, first.stderr
    assert (
        "Demo data ready: 5 organisations, 39 teams, 265 active staff (265 added this time)." in first.stdout
    )
    sign_ins = re.findall(r"^  (\w+) +(\S+@\S+)$", first.stdout, flags=re.MULTILINE)
    assert sign_ins == [
        ("Admin", "admin@northbrook.example"),
        ("Trainer", "trainer@northbrook.example"),
        ("Professional", "professional@northbrook.example"),
        ("Leader", "leader@northbrook.example"),
    ]
    assert f"password for all: {DEMO_PASSWORD}" in first.stdout
    assert counts == {
        "organisation": 5,
        "team": 39,
        "job_role": 10,
        "staff": 265,
        "account": 4,
        # The sign-ins' seven, and leader and professional for the owner of the demo's second plan.
        "role_grant": 9,
    }
    hashes = dict(
        rows(
            database,
            "SELECT staff.email, account.password_hash FROM account JOIN staff ON staff.id = account.staff",
        )
    )
    assert sorted(hashes) == sorted(email for _, email in sign_ins)
    assert all(verify_password(h, DEMO_PASSWORD) for h in hashes.values())
    assert rows(
        database,
        "SELECT role FROM role_grant JOIN staff ON staff.id = role_grant.staff"
        " WHERE staff.email = 'admin@northbrook.example' ORDER BY role",
    ) == [("admin",), ("professional",)]

    assert second.returncode == 0, second.stderr
    assert "(0 added this time)" in second.stdout
    assert {t: count(database, t) for t in counts} == counts
