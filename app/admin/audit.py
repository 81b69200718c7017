"""The audit log, for admins to browse."""

from __future__ import annotations

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from app import audit
from app.accounts.access import roles
from app.enums import AuditAction, Role
from app.web.paging import pagination

PER_PAGE = 50


class AuditController(Controller):
    path = "/admin/audit"
    opt = roles(Role.ADMIN)

    @get("/")
    async def index(
        self,
        entity: FromQuery[str] = "",
        entity_id: FromQuery[str] = "",
        action: FromQuery[str] = "",
        actor: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        page = max(1, page)
        action = action if action in {a.value for a in AuditAction} else ""
        result = await audit.list_entries(
            page=page,
            per_page=PER_PAGE,
            entity=entity or None,
            entity_id=entity_id or None,
            action=action or None,
            actor_text=actor.strip() or None,
        )
        pages = max(1, -(-result.total // PER_PAGE))
        query = {"entity": entity, "entity_id": entity_id, "action": action, "actor": actor}
        return Template(
            "admin/audit.html",
            context={
                "title": "Audit log",
                "entries": result.entries,
                "total": result.total,
                "filters": query,
                "entities": await audit.entity_names(),
                "actions": list(AuditAction),
                "pagination": pagination(page=page, pages=pages, path="/admin/audit", query=query),
            },
        )

    @get("/{entry_id:int}")
    async def show(self, entry_id: FromPath[int]) -> Template:
        entry = await audit.get_entry(entry_id)
        if entry is None:
            raise NotFoundException()
        fields = sorted(set((entry["before"] or {}).keys()) | set((entry["after"] or {}).keys()))
        return Template(
            "admin/audit_entry.html",
            context={"title": f"Audit entry {entry_id}", "entry": entry, "fields": fields},
        )
