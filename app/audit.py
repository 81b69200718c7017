"""The audit trail: who did what, when, with the values before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.database import icontains
from app.enums import AuditAction
from app.tables import AuditEntry


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever made a change: a signed-in person, or a command run on the server."""

    staff_id: int | None
    label: str
    client_ip: str = ""


CLI_ACTOR = Actor(staff_id=None, label="assure command line")


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None

    def default(value: Any) -> str:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    return json.loads(json.dumps(values, default=default))


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


async def record(
    *,
    actor: Actor,
    action: AuditAction,
    entity: str,
    entity_id: Any = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry; call inside the transaction that makes the change."""
    await AuditEntry.insert(
        AuditEntry(
            occurred_at=datetime.now(UTC),
            actor=actor.staff_id,
            # Column lengths, so a long value typed into a form (say, a sign-in email) cannot fail the insert.
            actor_label=actor.label[:254],
            action=action,
            entity=entity,
            entity_id=str(entity_id)[:50],
            summary=summary[:500],
            before=_plain(before),
            after=_plain(after),
            client_ip=actor.client_ip[:64],
        )
    )


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[dict[str, Any]]
    total: int


async def list_entries(
    *,
    page: int,
    per_page: int = 50,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    actor_text: str | None = None,
) -> AuditPage:
    """Audit entries, newest first, with optional filters."""
    conditions = []
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if entity_id:
        conditions.append(AuditEntry.entity_id == entity_id)
    if action:
        conditions.append(AuditEntry.action == action)
    if actor_text:
        conditions.append(icontains(AuditEntry.actor_label, actor_text))
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    if conditions:
        query = query.where(*conditions)
        count = count.where(*conditions)
    entries = await query.limit(per_page).offset((page - 1) * per_page)
    return AuditPage(entries=entries, total=await count)


async def get_entry(entry_id: int) -> dict[str, Any] | None:
    return await AuditEntry.select().where(AuditEntry.id == entry_id).output(load_json=True).first()


async def entity_names() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)
    return [r["entity"] for r in rows]
