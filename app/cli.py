"""The `assure` command: serve, migrate, create users and load demo data."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from app.enums import Role


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


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


if __name__ == "__main__":
    main()
