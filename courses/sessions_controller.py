"""Trainers' pages: schedule sessions, book people, take registers, and record training done elsewhere."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.accounts.access import actor_of, roles
from app.enums import Role
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, parse_date_parts, text
from courses import learning, sessions
from courses.enums import AttendanceStatus
from courses.sessions import SessionDetails, SessionError

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
DATE_PARTS = ("day", "month", "year")
REGISTER_ITEMS = [
    (AttendanceStatus.ATTENDED, "Attended"),
    (AttendanceStatus.PARTLY_ATTENDED, "Partly attended"),
    (AttendanceStatus.ABSENT, "Absent"),
]


def parse_time(value: str) -> time | None:
    """A 24-hour time typed as 09:30, 9:30 or 9.30; None when it is not one."""
    match = TIME.fullmatch(value.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def _redirect(request: Request[Any, Any, Any], path: str, message: str, *, kind: str = "success") -> Redirect:
    return flash(Redirect(path, status_code=303), request.app.state.settings.secret_key, message, kind=kind)


def _session_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "course": optional_int(text(data, "course")),
        "on_parts": {p: text(data, f"on-{p}") for p in DATE_PARTS},
        "starts": text(data, "starts"),
        "ends": text(data, "ends"),
        "venue": text(data, "venue"),
        "online_url": text(data, "online_url"),
        "capacity": text(data, "capacity"),
        "trainer": optional_int(text(data, "trainer")),
    }


def _session_details(values: dict[str, Any], data: dict[str, Any]) -> SessionDetails:
    """Form values as service input; raises SessionError for what the form alone can tell."""
    on, problem = parse_date_parts(data, "on")
    if problem:
        raise SessionError("on-day", f"The date of the session {problem}")
    starts = parse_time(values["starts"]) if values["starts"] else None
    if values["starts"] and starts is None:
        raise SessionError("starts", "Enter the start time as a 24-hour time, for example 09:30")
    ends = parse_time(values["ends"]) if values["ends"] else None
    if values["ends"] and ends is None:
        raise SessionError("ends", "Enter the end time as a 24-hour time, for example 14:30")
    capacity = optional_int(values["capacity"])
    if values["capacity"] and capacity is None:
        raise SessionError("capacity", "Enter the number of places as a whole number, like 20")
    return SessionDetails(
        course_id=values["course"],
        on=on,
        starts=starts,
        ends=ends,
        venue=values["venue"],
        online_url=values["online_url"],
        capacity=capacity,
        trainer_id=values["trainer"],
    )


async def _session_form(
    *, title: str, action: str, back: str, values: dict[str, Any], errors: dict[str, str]
) -> Template:
    return Template(
        "courses/sessions/form.html",
        context={
            "title": title,
            "action": action,
            "back": back,
            "values": values,
            "courses": await sessions.published_courses(),
            "trainers": await sessions.list_trainers(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


async def _existing(session_id: int) -> dict[str, Any]:
    session = await sessions.get_session(session_id)
    if session is None:
        raise NotFoundException()
    return session


class TrainingSessionsController(Controller):
    path = "/training-sessions"
    opt = roles(Role.TRAINER, Role.ADMIN)

    @get("/")
    async def index(self) -> Template:
        lists = await sessions.list_sessions()
        return Template(
            "courses/sessions/index.html",
            context={"title": "Training sessions", "upcoming": lists.upcoming, "past": lists.past},
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        user = request.scope["user"]
        values = {"capacity": "20", "trainer": user.staff_id if user.has(Role.TRAINER) else None}
        return await _session_form(
            title="Schedule a session",
            action="/training-sessions/new",
            back="/training-sessions",
            values=values,
            errors={},
        )

    @post("/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        values = _session_values(data)
        try:
            session_id = await sessions.schedule_session(
                details=_session_details(values, data), actor=actor_of(request)
            )
        except SessionError as exc:
            return await _session_form(
                title="Schedule a session",
                action="/training-sessions/new",
                back="/training-sessions",
                values=values,
                errors={exc.field: exc.message},
            )
        return _redirect(request, f"/training-sessions/{session_id}", "Session scheduled")

    @get("/{session_id:int}")
    async def show(self, session_id: FromPath[int], q: FromQuery[str] = "") -> Template:
        session = await _existing(session_id)
        search = " ".join(q.split())
        return Template(
            "courses/sessions/show.html",
            context={
                "title": f"{session['course_title']}: {session['starts_local']:%-d %B %Y}",
                "session": session,
                "bookings": await sessions.session_bookings(session_id),
                "search": search,
                "found": await sessions.find_people_to_book(session_id=session_id, search=search),
                "today": sessions.local_today(),
                **error_context({}),
            },
        )

    @get("/{session_id:int}/edit")
    async def edit(self, session_id: FromPath[int]) -> Template:
        session = await _existing(session_id)
        starts, ends = session["starts_local"], session["ends_local"]
        values = {
            "course": session["course"],
            "on_parts": {"day": starts.day, "month": starts.month, "year": starts.year},
            "starts": f"{starts:%H:%M}",
            "ends": f"{ends:%H:%M}",
            "venue": session["venue"],
            "online_url": session["online_url"],
            "capacity": str(session["capacity"]),
            "trainer": session["trainer"],
        }
        return await _session_form(
            title="Change the session",
            action=f"/training-sessions/{session_id}/edit",
            back=f"/training-sessions/{session_id}",
            values=values,
            errors={},
        )

    @post("/{session_id:int}/edit", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], session_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        await _existing(session_id)
        values = _session_values(data)
        try:
            await sessions.update_session(
                session_id=session_id, details=_session_details(values, data), actor=actor_of(request)
            )
        except SessionError as exc:
            return await _session_form(
                title="Change the session",
                action=f"/training-sessions/{session_id}/edit",
                back=f"/training-sessions/{session_id}",
                values=values,
                errors={exc.field: exc.message},
            )
        return _redirect(request, f"/training-sessions/{session_id}", "Session details saved")

    @post("/{session_id:int}/bookings", status_code=303)
    async def book(
        self, request: Request[Any, Any, Any], session_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        session = await _existing(session_id)
        staff_ids = [i for i in (optional_int(v) for v in many(data, "staff")) if i is not None]
        search = text(data, "q")
        try:
            booked = await sessions.book_people(
                session_id=session_id, staff_ids=staff_ids, actor=actor_of(request)
            )
        except SessionError as exc:
            return Template(
                "courses/sessions/show.html",
                context={
                    "title": f"{session['course_title']}: {session['starts_local']:%-d %B %Y}",
                    "session": session,
                    "bookings": await sessions.session_bookings(session_id),
                    "search": search,
                    "found": await sessions.find_people_to_book(session_id=session_id, search=search),
                    "chosen": set(staff_ids),
                    "today": sessions.local_today(),
                    **error_context({"staff": exc.message}),
                },
                status_code=400,
            )
        return _redirect(
            request,
            f"/training-sessions/{session_id}",
            f"{booked} {'person' if booked == 1 else 'people'} booked",
        )

    @post("/{session_id:int}/bookings/{attendance_id:int}/remove", status_code=303)
    async def remove_booking(
        self, request: Request[Any, Any, Any], session_id: FromPath[int], attendance_id: FromPath[int]
    ) -> Redirect:
        await _existing(session_id)
        try:
            name = await sessions.remove_booking(
                session_id=session_id, attendance_id=attendance_id, actor=actor_of(request)
            )
        except SessionError as exc:
            return _redirect(request, f"/training-sessions/{session_id}", exc.message, kind="important")
        return _redirect(request, f"/training-sessions/{session_id}", f"{name} is no longer booked")

    @get("/{session_id:int}/register")
    async def register_form(self, session_id: FromPath[int]) -> Template:
        session = await _existing(session_id)
        bookings = await sessions.session_bookings(session_id)
        marks = {b["id"]: b["status"] for b in bookings}
        return _register_page(session, bookings, marks, {})

    @post("/{session_id:int}/register", status_code=303)
    async def register(
        self, request: Request[Any, Any, Any], session_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        session = await _existing(session_id)
        bookings = await sessions.session_bookings(session_id)
        allowed = {s.value for s, _ in REGISTER_ITEMS}
        marks = {
            b["id"]: AttendanceStatus(text(data, f"attendance-{b['id']}"))
            for b in bookings
            if text(data, f"attendance-{b['id']}") in allowed
        }
        try:
            result = await sessions.take_register(session_id=session_id, marks=marks, actor=actor_of(request))
        except SessionError as exc:
            return _register_page(
                session, bookings, {b["id"]: marks.get(b["id"]) for b in bookings}, {exc.field: exc.message}
            )
        message = f"Register saved for {result.marked} {'person' if result.marked == 1 else 'people'}"
        if result.completions:
            message += f". {result.completions} completed the course and can download a certificate"
        return _redirect(request, f"/training-sessions/{session_id}", message)

    @get("/{session_id:int}/cancel")
    async def cancel_form(self, session_id: FromPath[int]) -> Template:
        session = await _existing(session_id)
        return _cancel_page(session, "", {})

    @post("/{session_id:int}/cancel", status_code=303)
    async def cancel(
        self, request: Request[Any, Any, Any], session_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        session = await _existing(session_id)
        reason = str(data.get("reason", "")).strip()
        try:
            await sessions.cancel_session(session_id=session_id, reason=reason, actor=actor_of(request))
        except SessionError as exc:
            return _cancel_page(session, reason, {exc.field: exc.message})
        return _redirect(request, f"/training-sessions/{session_id}", "Session cancelled")


def _register_page(
    session: dict[str, Any],
    bookings: list[dict[str, Any]],
    marks: dict[int, Any],
    errors: dict[str, str],
) -> Template:
    return Template(
        "courses/sessions/register.html",
        context={
            "title": f"Register: {session['course_title']}, {session['starts_local']:%-d %B %Y}",
            "session": session,
            "bookings": bookings,
            "marks": marks,
            "items": REGISTER_ITEMS,
            "today": sessions.local_today(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _cancel_page(session: dict[str, Any], reason: str, errors: dict[str, str]) -> Template:
    return Template(
        "courses/sessions/cancel.html",
        context={
            "title": f"Cancel the session on {session['starts_local']:%-d %B %Y}",
            "session": session,
            "reason": reason,
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


class OfflineCompletionController(Controller):
    path = "/completions"
    opt = roles(Role.TRAINER, Role.ADMIN)

    @get("/new")
    async def new(self) -> Template:
        today = sessions.local_today()
        values = {"completed_on_parts": {"day": today.day, "month": today.month, "year": today.year}}
        return await _completion_form(values, {})

    @post("/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        values: dict[str, Any] = {
            "email": text(data, "email"),
            "course": optional_int(text(data, "course")),
            "completed_on_parts": {p: text(data, f"completed_on-{p}") for p in DATE_PARTS},
            "evidence": str(data.get("evidence", "")).strip(),
            "backdate_reason": str(data.get("backdate_reason", "")).strip(),
        }
        completed_on, problem = parse_date_parts(data, "completed_on")
        try:
            if problem:
                raise SessionError("completed_on-day", f"The completion date {problem}")
            completion_id = await sessions.record_offline_completion(
                email=values["email"],
                course_id=values["course"],
                completed_on=completed_on,
                evidence=values["evidence"],
                backdate_reason=values["backdate_reason"],
                actor=actor_of(request),
            )
        except SessionError as exc:
            return await _completion_form(values, {exc.field: exc.message})
        completion = await learning.completion_for_certificate(completion_id)
        assert completion is not None  # just recorded
        return _redirect(
            request,
            "/completions/new",
            f"{completion['course_title']} recorded as completed by {completion['full_name']}. "
            f"Certificate code {completion['certificate_code']}",
        )


async def _completion_form(values: dict[str, Any], errors: dict[str, str]) -> Template:
    return Template(
        "courses/sessions/completion_form.html",
        context={
            "title": "Record training completed outside Assure",
            "values": values,
            "courses": await sessions.published_courses(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )
