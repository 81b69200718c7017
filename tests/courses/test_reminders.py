"""Reminders and escalation: one email a day per learner, one digest per line manager, never twice."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from aiosmtpd.controller import Controller
from dateutil.relativedelta import relativedelta

from app.audit import CLI_ACTOR
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.settings import get_settings
from app.tables import AuditEntry
from courses import assignments, learning, reminders
from courses.assignments import DueRule
from courses.enums import CompletionSource, DueKind
from courses.reminders import MessageKind
from courses.tables import OutboxMessage
from tests.courses.conftest import publish_course

TODAY = date.today()
COUNCIL = "Testshire County Council"


@dataclass
class Team:
    manager: int
    busy: int  # one course due in 10 days and one overdue
    late: int  # one course overdue
    relaxed: int  # due in 30 days: nothing to say yet
    done: int  # completed: nothing to say
    renewing: int  # completion expires in 10 days
    leaver: int  # overdue, but has left
    other_manager: int  # manages only `relaxed`


async def _person(organisation_id: int, name: str, manager: int | None = None) -> int:
    return await people.create_staff(
        details=StaffDetails(
            email=f"{name.lower()}@testshire.example",
            full_name=name,
            organisation_id=organisation_id,
            line_manager_id=manager,
        ),
        actor=CLI_ACTOR,
    )


async def _assign(course_id: int, staff_id: int, due_in: int) -> None:
    await assignments.assign_people(
        course_id=course_id,
        staff_ids=[staff_id],
        due=DueRule(DueKind.FIXED, on=TODAY + timedelta(days=due_in)),
        actor=CLI_ACTOR,
        today=TODAY - timedelta(days=60),
    )


@pytest.fixture
async def team() -> Team:
    organisation_id = await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    ehcp = await publish_course("EHCP-1")
    reviews = await publish_course("REVIEWS-1")
    manager = await _person(organisation_id, "Morgan")
    other_manager = await _person(organisation_id, "Olive")
    t = Team(
        manager=manager,
        busy=await _person(organisation_id, "Bea", manager),
        late=await _person(organisation_id, "Lee", manager),
        relaxed=await _person(organisation_id, "Rae", other_manager),
        done=await _person(organisation_id, "Dom", manager),
        renewing=await _person(organisation_id, "Ren", manager),
        leaver=await _person(organisation_id, "Lev", manager),
        other_manager=other_manager,
    )
    await _assign(ehcp, t.busy, 10)
    await _assign(reviews, t.busy, -3)
    await _assign(ehcp, t.late, -20)
    await _assign(ehcp, t.relaxed, 30)
    await _assign(ehcp, t.done, -5)
    await _assign(ehcp, t.renewing, 200)
    await _assign(ehcp, t.leaver, -5)
    for staff_id, on in (
        (t.done, TODAY - timedelta(days=10)),
        (t.renewing, TODAY - relativedelta(months=24) + timedelta(days=10)),
    ):
        await learning.record_completion(
            staff_id=staff_id,
            course_id=ehcp,
            completed_on=on,
            source=CompletionSource.OFFLINE,
            actor=CLI_ACTOR,
            backdate_reason="Paper register",
        )
    await people.mark_left(staff_id=t.leaver, left_on=TODAY - timedelta(days=2), actor=CLI_ACTOR)
    return t


async def _queue(today: date = TODAY) -> reminders.QueueResult:
    return await reminders.queue_reminders(today=today, actor=CLI_ACTOR, council_name=COUNCIL)


async def _messages() -> dict[str, dict]:
    return {m["to_email"]: m for m in await OutboxMessage.select().order_by(OutboxMessage.id)}


async def test_each_learner_gets_one_reminder_listing_courses_due_soon_or_overdue(team):
    result = await _queue()
    messages = await _messages()
    learners = {e for e, m in messages.items() if m["kind"] == MessageKind.LEARNER}
    assert learners == {"bea@testshire.example", "lee@testshire.example", "ren@testshire.example"}
    assert result.learners == 3

    bea = messages["bea@testshire.example"]
    assert "2 courses" in bea["subject"] and "(1 overdue)" in bea["subject"]
    assert "Course EHCP-1 (EHCP-1): due on" in bea["body"]
    assert "Course REVIEWS-1 (REVIEWS-1): overdue, it was due on" in bea["body"]
    assert bea["body"].startswith("Dear Bea,") and bea["body"].rstrip().endswith(COUNCIL)
    assert "expires on" in messages["ren@testshire.example"]["body"]
    assert bea["dedupe_key"] == f"learner:{team.busy}:{TODAY.isoformat()}"


async def test_each_line_manager_gets_one_digest_of_their_overdue_staff(team):
    result = await _queue()
    digests = [m for m in (await _messages()).values() if m["kind"] == MessageKind.MANAGER]
    assert result.managers == 1 and len(digests) == 1
    (digest,) = digests
    assert digest["to_email"] == "morgan@testshire.example"
    assert "2 people" in digest["subject"]
    # Bea's and Lee's overdue courses; not Bea's course that is merely due soon, nor the leaver's.
    assert "Bea (bea@testshire.example)" in digest["body"] and "Lee (lee@testshire.example)" in digest["body"]
    assert "REVIEWS-1" in digest["body"] and "EHCP-1): due on" not in digest["body"]
    assert "Lev" not in digest["body"] and "Ren" not in digest["body"]


async def test_running_twice_on_one_day_queues_nothing_twice(team):
    first = await _queue()
    second = await _queue()
    assert (second.learners, second.managers) == (0, 0)
    assert second.already == first.learners + first.managers
    assert await OutboxMessage.count() == first.learners + first.managers
    # The next day is a new day.
    tomorrow = await _queue(TODAY + timedelta(days=1))
    assert tomorrow.learners == 3
    # Each run that queued something is in the audit trail.
    assert await AuditEntry.count().where(AuditEntry.entity == "outbox") == 2


# --- delivery ------------------------------------------------------------------------------------


class Inbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def smtp_settings(port: int):
    return replace(
        get_settings(),
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        mail_from="training@testshire.example",
    )


async def test_smtp_delivers_each_message_once_to_a_real_server(team, smtp_server):
    inbox, port = smtp_server
    queued = await _queue()
    delivery = await reminders.deliver_pending(settings=smtp_settings(port), actor=CLI_ACTOR)
    assert delivery.sent == queued.learners + queued.managers and delivery.failed == 0
    recipients = sorted(r for _, tos, _ in inbox.received for r in tos)
    assert recipients == sorted((await _messages()).keys())
    sender, _, content = next(m for m in inbox.received if m[1] == ["lee@testshire.example"])
    assert sender == "training@testshire.example"
    assert "Subject: Training reminder: 1 course needs your attention (1 overdue)" in content
    assert all(m["sent_at"] is not None and m["error"] == "" for m in (await _messages()).values())

    # Running again the same day sends nothing twice.
    await _queue()
    again = await reminders.deliver_pending(settings=smtp_settings(port), actor=CLI_ACTOR)
    assert again.sent == 0 and len(inbox.received) == delivery.sent


async def test_a_failed_delivery_is_recorded_and_tried_again_next_run(team, smtp_server):
    inbox, port = smtp_server
    await _queue()
    nobody_listening = free_port()
    failed = await reminders.deliver_pending(settings=smtp_settings(nobody_listening), actor=CLI_ACTOR)
    assert failed.sent == 0 and failed.failed == 4
    for message in (await _messages()).values():
        assert message["sent_at"] is None and "Could not send through the mail server" in message["error"]

    retried = await reminders.deliver_pending(settings=smtp_settings(port), actor=CLI_ACTOR)
    assert retried.sent == 4 and len(inbox.received) == 4
    assert all(m["error"] == "" for m in (await _messages()).values())


async def test_outbox_backend_keeps_messages_for_the_admin(team):
    await _queue()
    delivery = await reminders.deliver_pending(
        settings=replace(get_settings(), mail_backend="outbox"), actor=CLI_ACTOR
    )
    assert delivery.sent == 0
    assert all(m["sent_at"] is None for m in (await _messages()).values())


class FakeNotify(BaseHTTPRequestHandler):
    """A local HTTP server speaking the one GOV.UK Notify call we make (the real API is not reachable)."""

    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeNotify.received.append({"path": self.path, "auth": self.headers["Authorization"], **body})
        reply = json.dumps({"id": str(uuid.uuid4())}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


async def test_notify_sends_subject_and_body_as_personalisation(team):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNotify.received = []
    try:
        await _queue()
        template = str(uuid.uuid4())
        settings = replace(
            get_settings(),
            mail_backend="notify",
            notify_api_key=f"assure_test-{uuid.uuid4()}-{uuid.uuid4()}",
            notify_template_id=template,
        )
        delivery = await reminders.deliver_pending(
            settings=settings, actor=CLI_ACTOR, notify_base_url=f"http://127.0.0.1:{server.server_port}"
        )
    finally:
        server.shutdown()
    assert delivery.sent == 4 and delivery.failed == 0
    lee = next(r for r in FakeNotify.received if r["email_address"] == "lee@testshire.example")
    assert lee["path"] == "/v2/notifications/email" and lee["template_id"] == template
    assert lee["auth"].startswith("Bearer ")
    assert lee["personalisation"]["subject"].startswith("Training reminder")
    assert lee["personalisation"]["body"].startswith("Dear Lee,")
    assert lee["reference"] == f"learner:{team.late}:{TODAY.isoformat()}"


async def test_notify_without_a_key_is_refused_with_a_clear_message(team):
    await _queue()
    with pytest.raises(RuntimeError, match="ASSURE_NOTIFY_API_KEY"):
        await reminders.deliver_pending(
            settings=replace(get_settings(), mail_backend="notify"), actor=CLI_ACTOR
        )


def test_an_unknown_mail_backend_stops_the_app_with_a_clear_message(monkeypatch):
    from app.settings import Settings

    monkeypatch.setenv("ASSURE_MAIL_BACKEND", "pigeon")
    with pytest.raises(RuntimeError, match="ASSURE_MAIL_BACKEND must be one of outbox, smtp, notify"):
        Settings.from_env()


async def test_the_command_queues_once_a_day(team):
    assure = Path(sys.executable).parent / "assure"

    async def run(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            str(assure),
            "reminders",
            "send",
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "ASSURE_MAIL_BACKEND": "outbox"},
        )
        out, _ = await process.communicate()
        return process.returncode, out.decode()

    code, out = await run("--today", TODAY.isoformat())
    assert code == 0, out
    assert "queued 3 reminder(s) to learners and 1 digest(s) to line managers" in out
    code, out = await run("--today", TODAY.isoformat())
    assert "queued 0 reminder(s)" in out and "4 were already queued today" in out
    code, out = await run("--today", "31/12/2026")
    assert code != 0 and "does not match the format '%Y-%m-%d'" in out


# --- the admin's outbox ----------------------------------------------------------------------------


async def test_admin_reads_the_outbox_newest_first_and_opens_a_message(client, signed_in_as, team):
    await _queue(TODAY - timedelta(days=1))
    await _queue()
    await signed_in_as(Role.ADMIN)
    page = await client.get("/admin/outbox")
    assert page.status_code == 200
    assert "8 messages" in page.text and "Queued" in page.text
    newest = (
        await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id, ascending=False).first()
    )["id"]
    assert page.text.index(f"/admin/outbox/{newest}") < page.text.index(f"/admin/outbox/{newest - 4}")

    lee = (
        await OutboxMessage.select()
        .where(
            (OutboxMessage.to_email == "lee@testshire.example")
            & (OutboxMessage.dedupe_key.like(f"%{TODAY.isoformat()}"))
        )
        .first()
    )
    message = await client.get(f"/admin/outbox/{lee['id']}")
    assert message.status_code == 200
    assert "Dear Lee," in message.text and "Queued, not sent" in message.text
    assert (await client.get("/admin/outbox/999999")).status_code == 404


async def test_outbox_is_empty_until_reminders_run(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    page = await client.get("/admin/outbox")
    assert "No messages yet" in page.text


async def test_trainer_cannot_read_the_outbox(client, signed_in_as):
    await signed_in_as(Role.TRAINER)
    assert (await client.get("/admin/outbox")).status_code == 403
