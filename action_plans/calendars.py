"""iCalendar feeds of milestones, per person and per plan, at URLs whose secret token is the credential.

Calendar apps cannot sign in, so each person has one random token (CalendarFeed). Replacing it makes
every URL built on the old one stop working at once. An unknown token, a person who has left, or a
plan the token's owner may not see all answer the same "not found": a feed URL reveals nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio.to_thread
from icalendar import Calendar, Event

from action_plans import status
from action_plans.enums import WorkStatus
from action_plans.permissions import plan_access
from action_plans.rag import slippage_days
from action_plans.tables import Action, CalendarFeed, Milestone, Plan
from app import audit
from app.accounts.access import CurrentUser
from app.accounts.services import load_identity
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction

__all__ = ["feed_owner", "feed_token", "my_calendar", "plan_calendar", "reset_feed_token"]

TOKEN_BYTES = 32  # 43 characters of URL-safe base64
MEDIA_TYPE = "text/calendar; charset=utf-8"
PLAN_COLUMNS = (
    Plan.id,
    Plan.reference,
    Plan.title,
    Plan.require_evidence,
    Plan.slip_tolerance_days,
    Plan.progress_tolerance_points,
)


async def feed_token(*, staff_id: int, actor: Actor) -> str:
    """The person's calendar token, made (and audited) the first time they ask for it."""
    row = await CalendarFeed.select(CalendarFeed.token).where(CalendarFeed.staff == staff_id).first()
    if row is not None:
        return str(row["token"])
    return await _replace(staff_id=staff_id, actor=actor, summary="Calendar feed address created")


async def reset_feed_token(*, staff_id: int, actor: Actor) -> str:
    """A new token for the person; the old feed addresses stop working."""
    return await _replace(staff_id=staff_id, actor=actor, summary="Calendar feed address replaced")


async def _replace(*, staff_id: int, actor: Actor, summary: str) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with write_transaction():
        existing = await CalendarFeed.select(CalendarFeed.id).where(CalendarFeed.staff == staff_id).first()
        if existing is None:
            await CalendarFeed.insert(CalendarFeed(staff=staff_id, token=token, created_at=datetime.now(UTC)))
        else:
            await CalendarFeed.update(
                {CalendarFeed.token: token, CalendarFeed.created_at: datetime.now(UTC)}
            ).where(CalendarFeed.id == existing["id"])
        # The token itself is a credential: it is never written to the audit trail.
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE if existing else AuditAction.CREATE,
            entity="calendar_feed",
            entity_id=staff_id,
            summary=summary,
        )
    return token


async def feed_owner(token: str) -> CurrentUser | None:
    """The person a feed token belongs to, if they are still here and can still sign in."""
    if not token or len(token) > 64:
        return None
    row = await CalendarFeed.select(CalendarFeed.staff).where(CalendarFeed.token == token).first()
    if row is None:
        return None
    identity = await load_identity(row["staff"])
    if identity is None:
        return None
    return CurrentUser(
        staff_id=identity.staff_id,
        email=identity.email,
        full_name=identity.full_name,
        roles=identity.roles,
        session_token="",
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """One all-day event: a milestone, or an action's target date."""

    uid: str
    on: date
    summary: str
    description: str
    url: str


def _describe(*, kind: str, item: dict[str, Any], assessment: Any, action: dict[str, Any]) -> str:
    slip = slippage_days(item["baseline_date"], item["forecast_date"])
    if slip is None:
        slippage = "no baseline yet"
    elif slip > 0:
        slippage = f"{slip} days after baseline"
    elif slip < 0:
        slippage = f"{-slip} days ahead of baseline"
    else:
        slippage = "on baseline"
    lines = [
        f"RAG: {assessment.rag.word} ({assessment.rag.label}). {assessment.reason}",
        f"Slippage: {slippage}",
        f"Status: {WorkStatus(item['status']).label}",
    ]
    if kind == "milestone":
        lines.append(f"Action {action['reference']}: {action['description']}")
    return "\n".join(lines)


def _milestone_entries(
    milestones: list[dict[str, Any]],
    actions: dict[int, dict[str, Any]],
    plans: dict[int, dict[str, Any]],
    *,
    base_url: str,
    today: date,
) -> list[Entry]:
    entries = []
    for milestone in milestones:
        on = milestone["actual_date"] or milestone["forecast_date"] or milestone["baseline_date"]
        if on is None:
            continue
        action = actions[milestone["action"]]
        plan = plans[milestone["plan"]]
        assessment = status.milestone_assessment(
            milestone=milestone, action_start=action["start_date"], plan=plan, today=today
        )
        entries.append(
            Entry(
                uid=f"milestone-{milestone['id']}@assure",
                on=on,
                summary=f"{plan['reference']} {action['reference']}: {milestone['title']}",
                description=_describe(kind="milestone", item=milestone, assessment=assessment, action=action),
                url=f"{base_url}/milestones/{milestone['id']}",
            )
        )
    return entries


def _ical(name: str, entries: list[Entry], stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Assure//Action plan milestones//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.on)
        event.add("dtend", entry.on + timedelta(days=1))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("url", entry.url)
        event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not make anyone busy
        calendar.add_component(event)
    return bytes(calendar.to_ical())


MILESTONE_COLUMNS = (
    Milestone.id,
    Milestone.plan,
    Milestone.action,
    Milestone.title,
    Milestone.baseline_date,
    Milestone.forecast_date,
    Milestone.actual_date,
    Milestone.status,
)
ACTION_COLUMNS = (
    *(getattr(Action, name) for name in status.ACTION_COLUMNS),
    Action.reference,
    Action.description,
    Action.lead,
)


async def plan_calendar(*, plan_id: int, user: CurrentUser, base_url: str, today: date) -> bytes | None:
    """Every dated milestone of a plan the person may see; None when they may not (or no such plan)."""
    access = await plan_access(user=user, plan_id=plan_id)
    if access is None or not access.can_view:
        return None
    plan = await Plan.select(*PLAN_COLUMNS).where(Plan.id == plan_id).first()
    if plan is None:
        return None
    milestones = await Milestone.select(*MILESTONE_COLUMNS).where(Milestone.plan == plan_id)
    actions = {a["id"]: a for a in await Action.select(*ACTION_COLUMNS).where(Action.plan == plan_id)}
    entries = _milestone_entries(milestones, actions, {plan_id: plan}, base_url=base_url, today=today)
    name = f"{plan['reference']} milestones"
    return await anyio.to_thread.run_sync(_ical, name, entries, datetime.now(UTC))


async def my_calendar(*, user: CurrentUser, base_url: str, today: date) -> bytes:
    """The milestones a person leads (their own, and those of actions they lead) and the target dates
    of the actions they lead, across every plan; cancelled ones left out. Three statements."""
    me = user.staff_id
    milestones = await Milestone.select(*MILESTONE_COLUMNS).where(
        ((Milestone.lead == me) | (Milestone.action.lead == me)) & (Milestone.status != WorkStatus.CANCELLED)
    )
    action_ids = {m["action"] for m in milestones}
    actions = {
        a["id"]: a
        for a in await Action.select(*ACTION_COLUMNS).where(
            (Action.lead == me) | Action.id.is_in(list(action_ids) or [0])
        )
    }
    plan_ids = {a["plan"] for a in actions.values()}
    plans = {p["id"]: p for p in await Plan.select(*PLAN_COLUMNS).where(Plan.id.is_in(list(plan_ids) or [0]))}
    entries = _milestone_entries(milestones, actions, plans, base_url=base_url, today=today)
    led = [a for a in actions.values() if a["lead"] == me and a["status"] != WorkStatus.CANCELLED]
    statuses = await status.action_statuses(actions=led, plans=plans, today=today)
    for action in led:
        on = action["actual_date"] or action["forecast_date"] or action["baseline_date"]
        if on is None:
            continue
        plan = plans[action["plan"]]
        entries.append(
            Entry(
                uid=f"action-{action['id']}@assure",
                on=on,
                summary=f"{plan['reference']} {action['reference']} (action): {action['description'][:120]}",
                description=_describe(
                    kind="action", item=action, assessment=statuses[action["id"]].assessment, action=action
                ),
                url=f"{base_url}/actions/{action['id']}",
            )
        )
    return await anyio.to_thread.run_sync(
        _ical, f"My action plan dates ({user.full_name})", entries, datetime.now(UTC)
    )
