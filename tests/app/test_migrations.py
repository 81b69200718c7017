"""Migrations build the whole schema from empty, on SQLite and on PostgreSQL, and match the tables in code.

Every check runs in a subprocess against a database of its own, never the one the other tests use.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from piccolo.conf.apps import Finder

from tests.conftest import own_sqlite_files

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ASSURE = Path(sys.executable).with_name("assure")
TEST_DATABASE_URL = os.environ.get("ASSURE_TEST_DATABASE_URL", "")

APPLY_MIGRATIONS = """
import asyncio
from app.database import apply_migrations
asyncio.run(apply_migrations())
"""

# What `piccolo migrations new all --auto` works out, without writing a migration file: for each app,
# the statements needed to bring the schema its migrations build up to its Table classes.
DRIFT = """
import asyncio, json, sys
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

async def drift():
    finder = Finder()
    if "--simulate-unmigrated-change" in sys.argv:
        from piccolo.columns import Varchar
        from piccolo.table import Table
        from app.tables import Organisation

        class UnmigratedNote(Table):
            text = Varchar(length=100)

        finder.get_app_config("app").table_classes.append(UnmigratedNote)
        Organisation.name.length = Organisation.name._meta.params["length"] = 300
    found = {}
    for app_config in finder.get_app_configs():
        manager = AutoMigrationManager(auto_input="n")
        alter_statements = await manager.get_alter_statements(app_config=app_config)
        found[app_config.app_name] = [s for a in alter_statements for s in a.statements]
    with open(sys.argv[1], "w") as out:
        json.dump(found, out)

asyncio.run(drift())
"""


def env_for(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSURE_", "PICCOLO_"))}
    env.update(ASSURE_DATABASE_URL=database_url, ASSURE_VAR_DIR=str(var_dir), PICCOLO_CONF="app.piccolo_conf")
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and scripts)
        args,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def expected_schema() -> dict[str, set[str]]:
    """Every table of every Piccolo app, with its columns, as the code defines them."""
    schema = {
        table._meta.tablename: {column._meta.db_column_name for column in table._meta.columns}
        for table in Finder().get_table_classes()
    }
    assert {"organisation", "team", "job_role", "staff", "account", "role_grant", "audit_entry"} <= set(
        schema
    )
    return schema


def migration_files() -> set[Path]:
    return {
        path
        for app_config in Finder().get_app_configs()
        for path in Path(app_config.resolved_migrations_folder_path).glob("*.py")
        if path.name != "__init__.py"
    }


@own_sqlite_files
def test_migrations_build_every_table_from_empty_on_sqlite(tmp_path):
    database = tmp_path / "fresh.sqlite"

    result = run([sys.executable, "-c", APPLY_MIGRATIONS], env_for(f"sqlite:///{database}", tmp_path / "var"))

    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(database)
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        built = {name: {c[1] for c in connection.execute(f"PRAGMA table_info({name})")} for name in tables}
        applied = connection.execute("SELECT COUNT(*) FROM migration").fetchone()[0]
    finally:
        connection.close()
    for table, columns in expected_schema().items():
        assert table in built, f"no table {table}"
        assert built[table] == columns, table
    assert applied == len(migration_files())


def _server_config(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    config: dict[str, object] = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": unquote(parts.username) if parts.username else "postgres",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def _with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith(("postgresql:", "postgres:")),
    reason="PostgreSQL is tested when ASSURE_TEST_DATABASE_URL names a PostgreSQL server",
)
async def test_assure_migrate_builds_every_table_from_empty_on_postgresql(tmp_path):
    import asyncpg

    server = _server_config(TEST_DATABASE_URL)
    name = f"assure_migrations_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database="postgres", **server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = env_for(_with_database(TEST_DATABASE_URL, name), tmp_path / "var")
        first = run([str(ASSURE), "migrate"], env)
        second = run([str(ASSURE), "migrate"], env)

        assert first.returncode == 0, first.stderr
        assert "Applied" in first.stdout
        assert second.stdout.strip() == "The database is up to date."
        fresh = await asyncpg.connect(database=name, **server)
        try:
            columns = await fresh.fetch(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            )
            applied = await fresh.fetchval("SELECT COUNT(*) FROM migration")
        finally:
            await fresh.close()
        built: dict[str, set[str]] = {}
        for row in columns:
            built.setdefault(row["table_name"], set()).add(row["column_name"])
        for table, expected in expected_schema().items():
            assert table in built, f"no table {table}"
            assert built[table] == expected, table
        assert applied == len(migration_files())
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _drift(tmp_path: Path, *flags: str) -> dict[str, list[str]]:
    database = tmp_path / "migrated.sqlite"
    env = env_for(f"sqlite:///{database}", tmp_path / "var")
    migrated = run([sys.executable, "-c", APPLY_MIGRATIONS], env)
    assert migrated.returncode == 0, migrated.stderr
    report = tmp_path / "drift.json"
    before = migration_files()

    result = run([sys.executable, "-c", DRIFT, str(report), *flags], env)

    assert result.returncode == 0, result.stderr
    assert migration_files() == before, "the drift check must not write a migration"
    found: dict[str, list[str]] = json.loads(report.read_text())
    assert set(found) == {c.app_name for c in Finder().get_app_configs()}
    return found


@own_sqlite_files
def test_the_tables_in_code_match_what_the_migrations_build(tmp_path):
    drift = _drift(tmp_path)

    assert drift == {app: [] for app in drift}, (
        "Table classes have changed without a migration: run `piccolo migrations new <app> --auto`"
    )


@own_sqlite_files
def test_the_drift_check_notices_a_change_nobody_migrated(tmp_path):
    drift = _drift(tmp_path, "--simulate-unmigrated-change")

    statements = "\n".join(drift["app"])
    assert "add_table(class_name='UnmigratedNote'" in statements
    assert "alter_column(table_class_name='Organisation'" in statements
    assert "params={'length': 300}" in statements
    assert drift["courses"] == []
