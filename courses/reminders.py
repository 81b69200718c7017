"""Reminders: each learner whose courses are due within 14 days or overdue gets one email a day, and each
line manager one digest of their overdue staff; queued once per day in the outbox, then delivered by
the configured backend (kept in the outbox, SMTP, or GOV.UK Notify)."""

from __future__ import annotations

import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from enum import StrEnum
from functools import partial
from typing import Any

import anyio

from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction
from app.settings import Settings
from app.web.paging import Page
from courses import compliance
from courses.enums import TrainingStatus
from courses.tables import OutboxMessage

DUE_WITHIN_DAYS = 14
BATCH = 200  # messages per INSERT and per delivery round
OVERDUE = (TrainingStatus.OVERDUE, TrainingStatus.EXPIRED)


class MessageKind(StrEnum):
    LEARNER = "learner_reminder"
    MANAGER = "manager_digest"

    @property
    def label(self) -> str:
        return {"learner_reminder": "Reminder to a learner", "manager_digest": "Digest to a line manager"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class QueueResult:
    learners: int  # reminders newly queued
    managers: int  # digests newly queued
    already: int  # messages that were already queued today, so not queued again


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    backend: str
    sent: int
    failed: int


def _now() -> datetime:
    return datetime.now(UTC)


def _day(d: date) -> str:
    return d.strftime("%-d %B %Y")


def _line(row: dict[str, Any], today: date) -> str:
    """One course in words: what it is and the date that matters."""
    name = f"{row['title']} ({row['code']})"
    status = row["status"]
    when = row["date"]
    if status is TrainingStatus.OVERDUE:
        return f"{name}: overdue, it was due on {_day(when)}"
    if status is TrainingStatus.EXPIRED:
        return f"{name}: your completion expired on {_day(when)}, so it must be completed again"
    if status is TrainingStatus.EXPIRING_SOON:
        return f"{name}: your completion expires on {_day(when)}, so renew it before then"
    if when == today:
        return f"{name}: due today"
    return f"{name}: due on {_day(when)}"


def _learner_message(name: str, rows: list[dict[str, Any]], today: date, council: str) -> tuple[str, str]:
    overdue = sum(1 for r in rows if r["status"] in OVERDUE)
    count = f"{len(rows)} course{'s' if len(rows) != 1 else ''}"
    subject = f"Training reminder: {count} {'need' if len(rows) != 1 else 'needs'} your attention"
    if overdue:
        subject += f" ({overdue} overdue)"
    lines = "\n".join(f"- {_line(r, today)}" for r in rows)
    body = (
        f"Dear {name},\n\n"
        f"This training is due soon or overdue:\n\n{lines}\n\n"
        "Sign in to Assure and open My training to carry on where you left off. "
        "If you think this is wrong, talk to your line manager or the SEND workforce development team.\n\n"
        f"{council}"
    )
    return subject, body


def _manager_message(
    name: str, staff: dict[int, list[dict[str, Any]]], today: date, council: str
) -> tuple[str, str]:
    people = len(staff)
    subject = f"Overdue training: {people} {'person' if people == 1 else 'people'} in your team"
    sections = []
    for rows in staff.values():
        courses = "\n".join(
            f"  - {_line(r, today).replace('your completion', 'their completion')}" for r in rows
        )
        sections.append(f"{rows[0]['full_name']} ({rows[0]['email']}):\n{courses}")
    body = (
        f"Dear {name},\n\n"
        f"As at {_day(today)}, these people you manage have training that is overdue:\n\n"
        + "\n\n".join(sections)
        + "\n\nPlease help them find time to complete it.\n\n"
        f"{council}"
    )
    return subject, body


async def queue_reminders(*, today: date, actor: Actor, council_name: str) -> QueueResult:
    """Queue today's learner reminders and manager digests; a second run on the same day adds nothing."""
    rows = await compliance.due_lines(today=today, within_days=DUE_WITHIN_DAYS)
    by_learner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_manager: dict[int, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    managers: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_learner[row["staff"]].append(row)
        if row["status"] in OVERDUE and row["manager_id"] is not None:
            by_manager[row["manager_id"]][row["staff"]].append(row)
            managers[row["manager_id"]] = {"name": row["manager_name"], "email": row["manager_email"]}
    now = _now()
    messages: list[OutboxMessage] = []
    for staff_id, lines in by_learner.items():
        subject, body = _learner_message(lines[0]["full_name"], lines, today, council_name)
        messages.append(
            OutboxMessage(
                dedupe_key=f"learner:{staff_id}:{today.isoformat()}",
                to_email=lines[0]["email"],
                subject=subject,
                body=body,
                kind=MessageKind.LEARNER,
                created_at=now,
            )
        )
    for manager_id, staff in by_manager.items():
        subject, body = _manager_message(managers[manager_id]["name"], staff, today, council_name)
        messages.append(
            OutboxMessage(
                dedupe_key=f"manager:{manager_id}:{today.isoformat()}",
                to_email=managers[manager_id]["email"],
                subject=subject,
                body=body,
                kind=MessageKind.MANAGER,
                created_at=now,
            )
        )
    queued: list[dict[str, Any]] = []
    async with write_transaction():
        for start in range(0, len(messages), BATCH):
            queued += (
                await OutboxMessage.insert(*messages[start : start + BATCH])
                .on_conflict(target=OutboxMessage.dedupe_key, action="DO NOTHING")
                .returning(OutboxMessage.kind)
            )
        learners = sum(1 for m in queued if m["kind"] == MessageKind.LEARNER)
        result = QueueResult(
            learners=learners, managers=len(queued) - learners, already=len(messages) - len(queued)
        )
        if queued:
            await audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                entity="outbox",
                summary=f"Reminders for {today.isoformat()} queued: {result.learners} to learners, "
                f"{result.managers} digests to line managers",
                after={"learners": result.learners, "managers": result.managers, "day": today},
            )
    return result


# --- delivery ----------------------------------------------------------------------------------


def _send_smtp(settings: Settings, messages: list[dict[str, Any]]) -> dict[int, str]:
    """Send over one SMTP connection (runs in a worker thread); returns each message's error, or ''."""
    results: dict[int, str] = {}
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            for message in messages:
                email = EmailMessage()
                email["From"] = settings.mail_from
                email["To"] = message["to_email"]
                email["Subject"] = message["subject"]
                email.set_content(message["body"])
                try:
                    smtp.send_message(email)
                    results[message["id"]] = ""
                except smtplib.SMTPException as exc:
                    results[message["id"]] = f"The mail server refused it: {exc}"
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            results.setdefault(message["id"], f"Could not send through the mail server: {exc}")
    return results


def _send_notify(settings: Settings, messages: list[dict[str, Any]], base_url: str) -> dict[int, str]:
    """Send through GOV.UK Notify (runs in a worker thread). The template shows ((subject)) and ((body))."""
    from notifications_python_client.notifications import NotificationsAPIClient

    results: dict[int, str] = {}
    try:
        client = NotificationsAPIClient(settings.notify_api_key, base_url=base_url)
    except (AssertionError, ValueError, IndexError) as exc:  # the client checks the key's shape
        return dict.fromkeys((m["id"] for m in messages), f"The GOV.UK Notify API key is not valid: {exc}")
    for message in messages:
        try:
            client.send_email_notification(
                email_address=message["to_email"],
                template_id=settings.notify_template_id,
                personalisation={"subject": message["subject"], "body": message["body"]},
                reference=message["dedupe_key"],
            )
            results[message["id"]] = ""
        except Exception as exc:  # any failure is recorded on the message, never lost
            results[message["id"]] = f"GOV.UK Notify did not accept it: {exc}"
    return results


NOTIFY_URL = "https://api.notifications.service.gov.uk"


async def deliver_pending(
    *, settings: Settings, actor: Actor, notify_base_url: str = NOTIFY_URL
) -> DeliveryResult:
    """Send every queued message not yet sent, unless the backend is the outbox itself.

    Each message is claimed (sent_at set) before it is sent, so two runs at once never send it twice;
    a failure clears the claim and records the error, so the next run tries again.
    """
    backend = settings.mail_backend
    if backend == "outbox":
        return DeliveryResult(backend=backend, sent=0, failed=0)
    if backend == "notify" and not (settings.notify_api_key and settings.notify_template_id):
        raise RuntimeError("Set ASSURE_NOTIFY_API_KEY and ASSURE_NOTIFY_TEMPLATE_ID to send through Notify")
    sent = failed = 0
    while True:
        async with write_transaction():
            ids = [
                r["id"]
                for r in await OutboxMessage.select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_null())
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            ]
            if not ids:
                break
            claimed = (
                await OutboxMessage.update({OutboxMessage.sent_at: _now()})
                .where(OutboxMessage.id.is_in(ids) & OutboxMessage.sent_at.is_null())
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.dedupe_key,
                    OutboxMessage.to_email,
                    OutboxMessage.subject,
                    OutboxMessage.body,
                )
            )
        if backend == "smtp":
            results = await anyio.to_thread.run_sync(partial(_send_smtp, settings, claimed))
        else:
            results = await anyio.to_thread.run_sync(
                partial(_send_notify, settings, claimed, notify_base_url)
            )
        errors: dict[str, list[int]] = defaultdict(list)
        for message_id, error in results.items():
            if error:
                errors[error[:2000]].append(message_id)
        delivered = [i for i, e in results.items() if not e]
        async with write_transaction():
            if delivered:
                await OutboxMessage.update({OutboxMessage.sent_at: _now(), OutboxMessage.error: ""}).where(
                    OutboxMessage.id.is_in(delivered)
                )
            for error, message_ids in errors.items():
                await OutboxMessage.update({OutboxMessage.sent_at: None, OutboxMessage.error: error}).where(
                    OutboxMessage.id.is_in(message_ids)
                )
            await audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                entity="outbox",
                summary=f"Email delivery by {backend}: {len(delivered)} sent, "
                f"{len(results) - len(delivered)} failed",
                after={"sent": delivered, "failed": [i for ids in errors.values() for i in ids]},
            )
        sent += len(delivered)
        failed += len(results) - len(delivered)
        if errors:
            # Stop at the first failing round: the server is likely down, and the rest would fail too.
            break
    return DeliveryResult(backend=backend, sent=sent, failed=failed)


# --- the admin's view of the outbox --------------------------------------------------------------


async def list_outbox(*, page: int, per_page: int = 50) -> Page:
    """Queued and sent messages, newest first (two statements)."""
    page = max(1, page)
    rows = (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.to_email,
            OutboxMessage.subject,
            OutboxMessage.kind,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
            OutboxMessage.error,
        )
        .order_by(OutboxMessage.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(rows=rows, total=await OutboxMessage.count(), page=page, per_page=per_page)


async def get_message(message_id: int) -> dict[str, Any] | None:
    return await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
