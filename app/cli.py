"""The `assure` command: serve, migrate, create users and load demo data."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import click

from app.audit import CLI_ACTOR
from app.enums import Role


def _run(coro: Any) -> Any:
    """Run a command's work on a fresh event loop, with a PostgreSQL connection pool for its queries
    (without one, Piccolo opens a new connection for every statement: minutes for `assure demo`)."""
    from app.database import close_pool, open_pool

    async def with_pool() -> Any:
        await open_pool()
        try:
            return await coro
        finally:
            await close_pool()

    return asyncio.run(with_pool())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Assure: staff training and improvement action plans for a council's SEND service.

    Configuration comes from ASSURE_* environment variables (see the README).
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.option(
    "--proxy-headers/--no-proxy-headers",
    default=False,
    show_default=True,
    help="Trust X-Forwarded-* from the load balancer (for HTTPS detection and client addresses).",
)
def serve(host: str, port: int, workers: int, proxy_headers: bool) -> None:
    """Run the web application."""
    import uvicorn

    from app.database import pending_migrations

    pending = _run(pending_migrations())
    if pending:
        click.echo(
            f"The database has {len(pending)} migration(s) not yet applied. Run `assure migrate` first.",
            err=True,
        )
        sys.exit(1)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        server_header=False,
    )


@main.command()
def migrate() -> None:
    """Apply every pending database migration."""
    from app.database import apply_migrations, pending_migrations

    pending = _run(pending_migrations())
    if not pending:
        click.echo("The database is up to date.")
        return
    _run(apply_migrations())
    click.echo(f"Applied {len(pending)} migration(s).")


@main.command()
@click.option("--email", required=True, help="Their email address (also their sign-in).")
@click.option("--name", "full_name", required=True, help="Their full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A role; repeat for several.",
)
@click.option(
    "--organisation",
    default=None,
    help="Their organisation's name (default: the first local authority SEND service).",
)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
def createuser(
    email: str,
    full_name: str,
    roles: tuple[str, ...],
    organisation: str | None,
    password_stdin: bool,
) -> None:
    """Add a person who can sign in, with one or more roles."""
    from app.accounts.provisioning import ProvisioningError, create_user

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        staff_id = _run(
            create_user(
                email=email,
                full_name=full_name,
                roles={Role(r) for r in roles},
                password=password,
                organisation_name=organisation,
            )
        )
    except ProvisioningError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Created {email} (person {staff_id}) with roles: {', '.join(sorted(roles))}.")


@main.group()
def courses() -> None:
    """Manage training courses."""


@courses.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--require-recompletion",
    is_flag=True,
    help="Everyone who completed an earlier version must complete this one again.",
)
@click.option("--reason", default="", help="What changed (required with --require-recompletion).")
def import_course_command(path: Path, require_recompletion: bool, reason: str) -> None:
    """Create or update a course from a content folder (course.toml and Markdown files) and publish it."""
    from courses.catalogue import CatalogueError
    from courses.content import ContentError, import_course

    try:
        result = _run(
            import_course(path, actor=CLI_ACTOR, requires_recompletion=require_recompletion, reason=reason)
        )
    except (ContentError, CatalogueError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(result.describe())


@main.command()
def demo() -> None:
    """Load realistic demo data (safe to run again) and print the demo sign-ins."""
    from app.demo import DEMO_PASSWORD, load_demo

    summary = _run(load_demo())
    click.echo(summary.describe())
    click.echo("")
    click.echo(f"Sign in at http://127.0.0.1:8000 with any of these (password for all: {DEMO_PASSWORD}):")
    for role, email in summary.sign_ins:
        click.echo(f"  {role:<13} {email}")


@main.group()
def reminders() -> None:
    """Training reminders to learners and digests to line managers."""


@reminders.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Send as if today were this date (YYYY-MM-DD); default: today.",
)
def send_reminders(today: Any) -> None:
    """Queue today's reminders (once a day, however often it runs) and deliver by ASSURE_MAIL_BACKEND."""
    from datetime import date

    from app.audit import CLI_ACTOR as command_line
    from app.settings import get_settings
    from courses.reminders import deliver_pending, queue_reminders

    settings = get_settings()
    day = today.date() if today else date.today()
    queued = _run(queue_reminders(today=day, actor=command_line, council_name=settings.council_name))
    click.echo(
        f"{day.isoformat()}: queued {queued.learners} reminder(s) to learners and {queued.managers} "
        f"digest(s) to line managers; {queued.already} were already queued today."
    )
    try:
        delivery = _run(deliver_pending(settings=settings, actor=command_line))
    except RuntimeError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if delivery.backend == "outbox":
        click.echo("Messages are kept in the outbox (ASSURE_MAIL_BACKEND=outbox): see /admin/outbox.")
        return
    click.echo(f"Delivered by {delivery.backend}: {delivery.sent} sent, {delivery.failed} failed.")
    if delivery.failed:
        sys.exit(1)


@main.group()
def staff() -> None:
    """People: import staff from HR exports."""


@staff.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Which column holds a field, e.g. --mapping 'email=Work Email'; repeat for several. "
    "Fields: employee_number, email, full_name, first_name, last_name, organisation, team, job_role, "
    "line_manager_email, line_manager_employee_number, start_date, leaving_date, status. "
    "Unmentioned fields are guessed from the headers; 'FIELD=' leaves a field out.",
)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; save nothing.")
def import_staff_command(file: str, mappings: tuple[str, ...], dry_run: bool) -> None:
    """Import or update staff from an HR export (CSV or XLSX), all valid rows in one transaction.

    Exits 0 when the valid rows were imported (or would be, with --dry-run), 1 when no row could be
    imported, and 2 when the file or the column mapping cannot be used at all.
    """
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.audit import CLI_ACTOR as command_line
    from app.people import hr_import

    console = Console(stderr=True)
    path = Path(file)
    if path.stat().st_size > hr_import.MAX_UPLOAD_BYTES:
        click.echo("Error: the file must be smaller than 20 MB", err=True)
        sys.exit(2)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        reading = progress.add_task(f"Reading {path.name}", total=None)
        try:
            table = hr_import.read_upload(path.read_bytes(), path.name)
        except hr_import.ImportFileError as exc:
            progress.stop()
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(2)
        progress.update(reading, total=len(table.rows), completed=len(table.rows))
        mapping = hr_import.guess_mapping(table.headers)
        headers = {" ".join(h.split()).lower(): i for i, h in enumerate(table.headers)}
        try:
            for item in mappings:
                name, _, column = item.partition("=")
                name, column = name.strip(), " ".join(column.split()).lower()
                if name not in hr_import.FIELD_LABELS:
                    raise hr_import.ImportFileError(name, f"--mapping: there is no field called {name!r}")
                if not column:
                    mapping.pop(name, None)
                elif column in headers:
                    mapping[name] = headers[column]
                else:
                    raise hr_import.ImportFileError(name, f"--mapping: the file has no column {column!r}")
            hr_import.check_mapping(mapping, table.headers)
        except hr_import.ImportFileError as exc:
            progress.stop()
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(2)
        writing = progress.add_task("Checking rows", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(writing, description=stage, completed=done, total=total)

        if dry_run:
            plan = _run(hr_import.preview_import(table=table, mapping=mapping))
        else:
            plan = _run(
                hr_import.run_import(
                    table=table, mapping=mapping, actor=command_line, filename=path.name, progress=report
                )
            )
    used = ", ".join(f"{hr_import.FIELD_LABELS[k]} = {table.headers[i]!r}" for k, i in mapping.items())
    click.echo(f"Columns: {used}")
    for issue in plan.issues:
        kind = "error" if issue.is_error else "warning"
        click.echo(f"Row {issue.row}, {issue.column}: {kind}: {issue.message}")
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {path.name}: {plan.new} new, {plan.changed} changed, {plan.leavers} marked as left, "
        f"{plan.unchanged} unchanged; {plan.error_rows} row(s) with errors left out, "
        f"{plan.warning_rows} with warnings; {len(plan.new_teams)} team(s) and "
        f"{len(plan.new_job_roles)} job role(s) {'to create' if dry_run else 'created'}."
    )
    if plan.importable == 0:
        click.echo("Nothing could be imported: fix the errors above and try again.", err=True)
        sys.exit(1)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Copy the whole SQLite database into FILE (a new file) while the app runs.

    Uses SQLite's online backup API: one consistent snapshot, and writers carry on meanwhile.
    On PostgreSQL use pg_dump instead (see the README).
    """
    from app.backup import BackupError, backup
    from app.settings import get_settings

    try:
        result = backup(database_url=get_settings().database_url, target=file)
    except BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(
        f"Backed up the database to {result.path} ({result.size_bytes:,} bytes, "
        f"{result.migrations} migrations applied)."
    )


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole SQLite database with the backup in FILE, while the app runs.

    FILE must be an Assure database made by this version (no migration missing or unknown). The
    database as it was is kept beside it first, as <name>.before-restore-<time>.
    On PostgreSQL use pg_restore instead (see the README).
    """
    from app.backup import BackupError, live_database, restore
    from app.settings import get_settings

    database_url = get_settings().database_url
    try:
        live = live_database(database_url)
    except BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if not yes and not click.confirm(f"Replace everything in {live} with {file}?", default=False):
        click.echo("Nothing restored.")
        sys.exit(1)
    try:
        result = restore(database_url=database_url, source=file)
    except BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(
        f"Restored {live} from {result.restored_from}. The database as it was before is in "
        f"{result.previous_copy}."
    )


@main.group()
def report() -> None:
    """Governance board reports."""


REPORT_FORMATS = ("pdf", "xlsx", "html")


@report.command("generate")
@click.option(
    "--board",
    "board_name",
    default=None,
    metavar="NAME",
    help="The board's name (default: the first active board by name).",
)
@click.option(
    "--period-end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Last day of the reporting period (YYYY-MM-DD); default: the end of the last complete quarter.",
)
@click.option(
    "--format", "file_format", type=click.Choice(REPORT_FORMATS), required=True, help="File to write."
)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to write."
)
def generate_report(board_name: str | None, period_end: Any, file_format: str, out: Path) -> None:
    """Generate a board report, keep it as a snapshot, and write it as PDF, XLSX or HTML to --out."""
    from app.reports.data import last_complete_quarter

    if not out.parent.is_dir():
        click.echo(f"Error: there is no folder {out.parent} to write {out.name} in.", err=True)
        sys.exit(2)
    end = period_end.date() if period_end else last_complete_quarter(date.today())
    try:
        generated = _run(_generate_report(board_name=board_name, period_end=end, file_format=file_format))
    except click.ClickException as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    out.write_bytes(generated.content)
    click.echo(
        f"Wrote {out} ({len(generated.content):,} bytes): {generated.board_name}, period ending "
        f"{end.isoformat()} (report snapshot {generated.snapshot_id})."
    )


class _GeneratedReport(NamedTuple):
    board_name: str
    snapshot_id: int
    content: bytes


async def _generate_report(*, board_name: str | None, period_end: date, file_format: str) -> _GeneratedReport:
    """Find the board, store a snapshot of its report for the period, and return the requested file.

    A board that cannot be found is a usage error (exit 2); a report that fails to generate exits 1.
    """
    from app.reports.snapshots import generate_now
    from app.tables import Board, ReportSnapshot

    boards = await Board.select(Board.id, Board.name, Board.active).order_by(Board.name)
    if not boards:
        raise click.UsageError("there are no boards yet: add one under Boards in Assure first.")
    if board_name is None:
        active = [b for b in boards if b["active"]]
        if not active:
            raise click.UsageError("no board is active: name one with --board.")
        board = active[0]
    else:
        wanted = " ".join(board_name.split()).casefold()
        matches = [b for b in boards if " ".join(b["name"].split()).casefold() == wanted]
        if not matches:
            names = "; ".join(b["name"] for b in boards)
            raise click.UsageError(f"there is no board called {board_name!r}. The boards are: {names}.")
        board = matches[0]
    try:
        snapshot_id = await generate_now(board_id=board["id"], period_end=period_end, actor=CLI_ACTOR)
    except (ValueError, LookupError) as exc:  # the services' domain errors (a period it cannot report on, …)
        raise click.UsageError(str(getattr(exc, "message", exc))) from exc
    column = {"pdf": ReportSnapshot.pdf, "xlsx": ReportSnapshot.xlsx, "html": ReportSnapshot.html}[
        file_format
    ]
    row = (
        await ReportSnapshot.select(column, ReportSnapshot.status, ReportSnapshot.error)
        .where(ReportSnapshot.id == snapshot_id)
        .first()
    )
    content = row[file_format] if row else None
    if not content:
        detail = f": {row['error']}" if row and row["error"] else ""
        raise click.ClickException(f"report snapshot {snapshot_id} has no {file_format.upper()} file{detail}")
    data = content.encode() if isinstance(content, str) else bytes(content)
    return _GeneratedReport(board_name=board["name"], snapshot_id=snapshot_id, content=data)


if __name__ == "__main__":
    main()
