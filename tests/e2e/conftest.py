"""Browser tests: the real app under uvicorn on loopback, driven by Debian's Chromium through Playwright.

The server gets a database of its own, loaded with `assure migrate` and `assure demo` as a person
setting up the demo would. It never shares the database of the other tests: tests/conftest.py drops
and re-migrates that one once per run and empties its tables before every test, which would pull the
demo data out from under the running server. So the server uses a fresh SQLite file in a temporary
folder, or, when ASSURE_TEST_DATABASE_URL names PostgreSQL, a sibling database `<name>_e2e` on the
same server, created empty here and dropped afterwards (so the PostgreSQL run of the suite serves the
pages from PostgreSQL too).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
# As root, without a sandbox, and with Chromium's calls home switched off: this machine's network is
# closed, and Chromium would otherwise keep trying (and failing) to reach Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "Northbrook SEND demo"
DEMO_EMAILS = {
    "admin": "admin@northbrook.example",
    "trainer": "trainer@northbrook.example",
    "professional": "professional@northbrook.example",
    "leader": "leader@northbrook.example",
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SERVER_START_SECONDS = 60
SETUP_COMMAND_SECONDS = 300

# Every page axe looked at in this run, for the line at the end of the run.
AXE_CHECKED: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if AXE_CHECKED:
        terminalreporter.write_line(
            f"axe-core ({', '.join(WCAG_TAGS)}) checked {len(AXE_CHECKED)} page views in Chromium"
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the test, so the page fixture knows whether to take a screenshot.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def require_chromium() -> None:
    """Skip on a developer's machine without Chromium, but never in CI, where a skip would hide failures."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}. CI must run the browser tests.", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assure_command() -> list[str]:
    script = Path(sys.executable).with_name("assure")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def _run_setup(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ assure {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(  # noqa: S603 (our own command, no shell)
            [*_assure_command(), *args],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=SETUP_COMMAND_SECONDS,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"`assure {' '.join(args)}` failed:\n{log.read_text()}", pytrace=False)


def _postgres_sibling(url: str) -> str:
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "assure") + "_e2e"
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise RuntimeError(f"cannot derive a database name from {url!r}")
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _recreate_postgres_database(admin_url: str, name: str, *, create: bool) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
            # Durability is not under test in a throwaway database: `assure demo`'s many small
            # transactions need not each wait for the disk.
            await connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def e2e_database_url() -> AsyncIterator[str]:
    """A fresh, empty database for the server alone (see the module docstring)."""
    require_chromium()
    test_url = os.environ.get("ASSURE_TEST_DATABASE_URL", "")
    if test_url.startswith(("postgresql:", "postgres:")):
        url = _postgres_sibling(test_url)
        name = urlsplit(url).path.lstrip("/")
        await _recreate_postgres_database(test_url, name, create=True)
        yield url
        await _recreate_postgres_database(test_url, name, create=False)
    else:
        folder = Path(tempfile.mkdtemp(prefix="assure-e2e-db-"))
        yield f"sqlite:///{folder / 'assure-e2e.sqlite'}"
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(e2e_database_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The demo, migrated and loaded, served by `assure serve` on a free loopback port."""
    work = Path(tempfile.mkdtemp(prefix="assure-e2e-"))
    log = work / "server.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ASSURE_") and key != "PICCOLO_CONF"
    }
    env.update(
        ASSURE_DATABASE_URL=e2e_database_url,
        ASSURE_VAR_DIR=str(work / "var"),
        ASSURE_SECRET_KEY=secrets.token_urlsafe(48),
        PICCOLO_CONF="app.piccolo_conf",
        # This checkout's code, whichever checkout the virtualenv's editable install points at.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    _run_setup(["migrate"], env, log)
    _run_setup(["demo"], env, log)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        server = subprocess.Popen(  # noqa: S603 (our own command, no shell)
            [*_assure_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if request.session.testsfailed:
            # The server's own account of the run (tracebacks of 500s, say) outlives its folder.
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(log, ARTIFACTS / "e2e-server.log")
        shutil.rmtree(work, ignore_errors=True)


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`assure serve` exited with {server.returncode}:\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"`assure serve` did not answer within {SERVER_START_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(base_url: str, browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A new browser context (no cookies) per test; a screenshot is saved when the test fails."""
    context = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    new_page = await context.new_page()
    yield new_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        shot = ARTIFACTS / f"{name}.png"
        await new_page.screenshot(path=str(shot), full_page=True)
        print(f"\nScreenshot of the page at failure ({new_page.url}): {shot}")
    await context.close()


@dataclass
class AccessibilityChecker:
    """Runs axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on the page as it is now."""

    axe: Axe

    async def __call__(self, page: Page, what: str) -> None:
        results = await self.axe.run(
            page,
            options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
        )
        AXE_CHECKED.append(f"{what} ({page.url})")
        violations = results.response["violations"]
        if violations:
            # Raised rather than asserted, so pytest prints the readable list and not the raw results.
            raise AssertionError(f"axe found problems on {what} ({page.url}):\n{describe(violations)}")


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(str(t) for t in node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            for summary_line in str(node.get("failureSummary", "")).splitlines():
                lines.append(f"       {summary_line}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def check_accessibility() -> AccessibilityChecker:
    return AccessibilityChecker(axe=Axe())


async def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    await page.goto("/sign-in")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    await page.wait_for_url("**/sign-in")
