"""The email outbox, for admins: reminders and digests queued or sent, newest first."""

from __future__ import annotations

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from app.accounts.access import roles
from app.enums import Role
from app.web.paging import pagination
from courses import reminders
from courses.reminders import MessageKind


def _kind_label(kind: str) -> str:
    try:
        return MessageKind(kind).label
    except ValueError:
        return kind.replace("_", " ").capitalize()


class OutboxController(Controller):
    path = "/admin/outbox"
    opt = roles(Role.ADMIN)

    @get("/")
    async def index(self, page: FromQuery[int] = 1) -> Template:
        result = await reminders.list_outbox(page=max(1, page))
        for row in result.rows:
            row["kind_label"] = _kind_label(row["kind"])
        return Template(
            "admin/outbox.html",
            context={
                "title": "Email outbox",
                "result": result,
                "pagination": pagination(
                    page=result.page, pages=result.pages, path="/admin/outbox", query={}
                ),
            },
        )

    @get("/{message_id:int}")
    async def show(self, message_id: FromPath[int]) -> Template:
        message = await reminders.get_message(message_id)
        if message is None:
            raise NotFoundException(detail="There is no message with that number")
        message["kind_label"] = _kind_label(message["kind"])
        return Template(
            "admin/outbox_message.html",
            context={
                "title": message["subject"],
                "message": message,
                "paragraphs": [p.splitlines() for p in message["body"].split("\n\n")],
            },
        )
