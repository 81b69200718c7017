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

import hashlib
import json
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
import weakref
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Error, Page, Response, async_playwright

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
# The Nu HTML Checker, from the vnu-jar npm package (package.json), run by Java.
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_SECONDS = 300
# Messages of the checker that are not errors in our markup. Each entry: (regular expression matched
# against the message, why it is allowed). Keep this list short and specific; never a blanket filter.
VNU_ALLOWED: list[tuple[str, str]] = [
    # The board paper's print CSS (app/assets/report.css, inline in its self-contained HTML file) puts the
    # board, period and marking in the PDF's running header with named strings, from CSS Generated Content
    # for Paged Media (https://www.w3.org/TR/css-gcpm-3/#named-strings), which WeasyPrint implements. The
    # checker's CSS validator does not know that module, so it rejects these two valid forms.
    (r"^CSS: “string-set”: Property “string-set” doesn't exist\.$", "CSS GCPM named strings"),
    (r"^CSS: “content”: “string\([a-z-]+\)” is not a “content” value\.$", "CSS GCPM named strings"),
]

# Every page axe looked at in this run, for the line at the end of the run.
AXE_CHECKED: list[str] = []
# What the Nu HTML Checker did at the end of the run (or why it did not run), for the same summary.
VNU_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if AXE_CHECKED:
        terminalreporter.write_line(
            f"axe-core ({', '.join(WCAG_TAGS)}) checked {len(AXE_CHECKED)} page views in Chromium"
        )
    for line in VNU_SUMMARY:
        terminalreporter.write_line(line)


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
    watch_documents(new_page)
    yield new_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        shot = ARTIFACTS / f"{name}.png"
        await new_page.screenshot(path=str(shot), full_page=True)
        print(f"\nScreenshot of the page at failure ({new_page.url}): {shot}")
    await context.close()


# The latest document each watched page received from the server (see watch_documents).
DOCUMENTS: weakref.WeakKeyDictionary[Page, Response] = weakref.WeakKeyDictionary()


def watch_documents(page: Page) -> None:
    """Remember the HTTP response of each page the browser loads, so the HTML checker gets the markup as
    served (the serialised DOM, page.content(), is the browser's reading of it, after its corrections)."""

    def remember(response: Response) -> None:
        if response.request.resource_type == "document" and response.frame == page.main_frame:
            DOCUMENTS[page] = response

    page.on("response", remember)


async def served_html(page: Page) -> tuple[str, bool]:
    """The body of the response that gave the page its document, or the serialised DOM when there is none
    (a page filled by set_content, or one that was not watched); and whether it is the served body."""
    response = DOCUMENTS.get(page)
    if response is not None and response.url == page.url:
        try:
            return (await response.body()).decode("utf-8"), True
        except Error:
            pass  # Chromium no longer holds the body; the DOM is the next best thing.
    return await page.content(), False


@dataclass
class HtmlPages:
    """The HTML of every page the accessibility check saw, for one run of the Nu HTML Checker at the end."""

    folder: Path
    # file name -> the pages (what, url) that served exactly this markup
    seen: dict[str, list[str]]
    # page views whose HTML is the serialised DOM, there being no server response to read
    from_dom: int = 0

    async def keep(self, page: Page, what: str) -> None:
        html, served = await served_html(page)
        self.from_dom += not served
        name = hashlib.sha256(html.encode()).hexdigest()[:16] + ".html"
        if name not in self.seen:
            (self.folder / name).write_text(html, encoding="utf-8")
        self.seen.setdefault(name, []).append(f"{what} ({page.url})")


@dataclass
class AccessibilityChecker:
    """Runs axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on the page as it is now, and keeps its HTML
    for the Nu HTML Checker, which checks every kept page once at the end of the run (check_html)."""

    axe: Axe
    pages: HtmlPages

    async def __call__(self, page: Page, what: str) -> None:
        await self.pages.keep(page, what)
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
def html_pages() -> Iterator[HtmlPages]:
    folder = Path(tempfile.mkdtemp(prefix="assure-e2e-html-"))
    yield HtmlPages(folder=folder, seen={})
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def check_accessibility(html_pages: HtmlPages) -> AccessibilityChecker:
    return AccessibilityChecker(axe=Axe(), pages=html_pages)


@pytest.fixture(scope="session", autouse=True)
def check_html(html_pages: HtmlPages) -> Iterator[None]:
    """After the last browser test, the Nu HTML Checker on every page the journeys reached: zero errors.

    It runs once over all the pages (one Java start). A failure here is reported as an error in the
    teardown of the last browser test, which fails the run."""
    yield
    if not html_pages.seen:
        return
    problem = _vnu_missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}. CI must run the HTML checker.", pytrace=False)
        VNU_SUMMARY.append(f"Nu HTML Checker skipped: {problem}")
        return
    errors = run_vnu(html_pages.folder, sorted(html_pages.seen))
    VNU_SUMMARY.append(
        f"Nu HTML Checker checked {len(html_pages.seen)} distinct pages "
        f"({sum(map(len, html_pages.seen.values()))} page views, {html_pages.from_dom} of them read "
        f"from the DOM, the rest as served): {len(errors)} errors"
    )
    if errors:
        raise AssertionError(describe_html_errors(errors, html_pages))


def _vnu_missing() -> str:
    if shutil.which("java") is None:
        return "java is missing: install a Java runtime (apt-get install default-jre-headless)"
    if not VNU_JAR.exists():
        return f"{VNU_JAR} is missing: run npm ci (package.json lists vnu-jar)"
    return ""


def run_vnu(folder: Path, names: list[str]) -> list[dict[str, Any]]:
    """The checker's error messages (JSON format) for the named files, less the allowed ones."""
    result = subprocess.run(  # noqa: S603 (our own command, no shell)
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *names],  # noqa: S607
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=VNU_SECONDS,
        check=False,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(
            f"the Nu HTML Checker gave no JSON (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        ) from error
    return [
        message
        for message in messages
        if message.get("type") in {"error", "non-document-error"}
        and not any(re.search(pattern, message.get("message", "")) for pattern, _ in VNU_ALLOWED)
    ]


def describe_html_errors(errors: list[dict[str, Any]], pages: HtmlPages) -> str:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        by_file.setdefault(Path(urlsplit(error.get("url", "")).path).name, []).append(error)
    lines = [f"the Nu HTML Checker found {len(errors)} errors in {len(by_file)} pages:"]
    for name, file_errors in by_file.items():
        views = pages.seen.get(name, [name])
        more = f" (and {len(views) - 1} more views with the same markup)" if len(views) > 1 else ""
        lines.append(f"{views[0]}{more}:")
        for error in file_errors:
            lines.append(f"  - line {error.get('lastLine', '?')}: {error.get('message', '')}")
            extract = " ".join(str(error.get("extract", "")).split())
            if extract:
                lines.append(f"      {extract[:200]}")
    return "\n".join(lines)


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
