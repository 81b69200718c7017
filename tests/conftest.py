"""Test set-up: a real database (a fresh SQLite file, or PostgreSQL from ASSURE_TEST_DATABASE_URL),
migrated from empty once per run and emptied before every test."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# Configuration must be in place before anything imports app.piccolo_conf.
_WORK = Path(tempfile.mkdtemp(prefix="assure-tests-"))
os.environ["ASSURE_DATABASE_URL"] = os.environ.get(
    "ASSURE_TEST_DATABASE_URL", f"sqlite:///{_WORK / 'assure-test.sqlite'}"
)
os.environ["ASSURE_VAR_DIR"] = str(_WORK / "var")
os.environ["ASSURE_SECRET_KEY"] = "test-secret-key-" + "x" * 32
os.environ["ASSURE_COUNCIL_NAME"] = "Testshire County Council"
os.environ.pop("ASSURE_REDIS_URL", None)
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")

import httpx  # noqa: E402
from argon2 import PasswordHasher, profiles  # noqa: E402
from litestar import Litestar  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402
from piccolo.table import sort_table_classes  # noqa: E402

from app.accounts import passwords as _passwords  # noqa: E402
from app.accounts import services as _account_services  # noqa: E402
from app.accounts.provisioning import create_user  # noqa: E402
from app.database import apply_migrations, close_pool, get_engine, open_pool  # noqa: E402
from app.enums import Role  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings, get_settings  # noqa: E402

PASSWORD = "Correct horse battery staple 42"

# Argon2 at production strength (argon2-cffi's default, RFC 9106's low-memory profile: 64 MiB, 3 passes)
# costs about a tenth of a second per hash or check on CI's two cores, and most tests make a person and
# sign them in. In this process only, passwords are hashed with argon2-cffi's cheapest profile instead:
# the same code paths, a fraction of the time. tests/app/test_passwords.py puts the production hasher
# back to test the real settings; `assure` and the browser tests' server (other processes) always use it.
PRODUCTION_HASHER = _passwords._hasher
_passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Sign-in checks unknown emails against this, so that they take as long as known ones: keep it so.
_account_services.DUMMY_HASH = _passwords._hasher.hash(secrets.token_urlsafe(32))
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


# For tests that make SQLite files of their own (the `assure` command, migrations from empty, backups):
# they test the same thing whatever database the suite runs on, so one run of the suite covers them:
# the SQLite run, unless ASSURE_TEST_OWN_SQLITE_FILES=postgresql gives them to the PostgreSQL run
# (.ci/run does, to even out its two suites, which run side by side).
_SUITE = (
    "postgresql"
    if os.environ.get("ASSURE_TEST_DATABASE_URL", "").startswith(("postgresql:", "postgres:"))
    else "sqlite"
)
_OWN_SQLITE_FILES_SUITE = os.environ.get("ASSURE_TEST_OWN_SQLITE_FILES", "sqlite")
own_sqlite_files = pytest.mark.skipif(
    _SUITE != _OWN_SQLITE_FILES_SUITE,
    reason=f"uses SQLite files of its own: the {_OWN_SQLITE_FILES_SUITE} run of the suite covers it",
)


def all_tables() -> list[type]:
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


async def _drop_everything() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")


@pytest.fixture(scope="session", autouse=True)
async def migrated_database() -> AsyncIterator[None]:
    """Apply every migration to an empty database, as `assure migrate` does."""
    await _drop_everything()
    await apply_migrations()
    # The tests and the app share one event loop, so they share the pool the app's lifespan would open.
    await open_pool()
    yield
    await close_pool()


@pytest.fixture(autouse=True)
async def empty_tables(migrated_database: None) -> AsyncIterator[None]:
    """Each test starts from empty tables (the migration record is kept)."""
    engine = get_engine()
    # Children before parents, so foreign keys never block a delete.
    names = [t._meta.tablename for t in reversed(sort_table_classes(all_tables()))]
    # DELETE, not TRUNCATE: on tables this small it takes milliseconds where PostgreSQL's TRUNCATE
    # takes about 0.4 s a test. Ids keep counting up across tests, so no test may assume an id.
    # One transaction: on SQLite each statement on its own would open a connection and wait for the
    # disk at its commit, about a second a test in all.
    async with engine.transaction():
        for name in names:
            await engine.run_ddl(f"DELETE FROM {name}")  # noqa: S608 (table names from our own models)
    yield


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    """One app for the whole run: building it registers every route (about half a second), and it keeps
    nothing between requests but in the database, which each test empties. A test that needs other
    settings builds its own with `create_app(dataclasses.replace(settings, ...))`."""
    return create_app(settings)


Client = httpx.AsyncClient


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """A browser-like client calling the app in this event loop (the pool is opened once per run)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
        yield test_client


async def csrf_token(client: Client, path: str = "/sign-in") -> str:
    """The CSRF token a form on `path` carries (fetching the page also sets the CSRF cookie)."""
    response = await client.get(path)
    match = CSRF_INPUT.search(response.text)
    if match:
        return match.group(1)
    token = client.cookies.get("assure_csrf")
    assert token, f"no CSRF token on {path}"
    return token


async def post_form(client: Client, path: str, data: dict[str, object], *, form_page: str | None = None):
    """Submit a form as a browser would: fetch its page for the CSRF token, then post."""
    token = await csrf_token(client, form_page or path)
    return await client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


async def sign_in(client: Client, email: str, password: str = PASSWORD):
    return await post_form(client, "/sign-in", {"email": email, "password": password, "next": "/"})


async def make_person(email: str, *roles: Role, name: str | None = None, password: str = PASSWORD) -> int:
    """A person who can sign in, made through the same service `assure createuser` uses."""
    return await create_user(
        email=email,
        full_name=name or email.split("@")[0].replace(".", " ").title(),
        roles=set(roles),
        password=password,
    )


@pytest.fixture
async def signed_in_as(client: Client):
    """Sign the client in as a new person holding the given roles; returns their staff id."""

    async def _sign_in(*roles: Role, email: str | None = None) -> int:
        email = email or f"{'-'.join(r.value for r in roles) or 'norole'}@testshire.example"
        staff_id = await make_person(email, *roles)
        response = await sign_in(client, email)
        assert response.status_code == 303, response.text
        return staff_id

    return _sign_in
