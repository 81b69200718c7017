"""Who may use a route: every handler declares it in `opt`, and one guard enforces it.

A handler that declares nothing is refused to everyone (deny by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.audit import Actor
from app.enums import Role

PUBLIC = "public"
SIGNED_IN = "signed_in"


@dataclass(frozen=True, slots=True)
class CurrentUser:
    staff_id: int
    email: str
    full_name: str
    roles: frozenset[Role]
    session_token: str

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def public() -> dict[str, Any]:
    """Anyone, signed in or not."""
    return {"access": PUBLIC}


def signed_in() -> dict[str, Any]:
    """Anyone signed in, whatever their roles."""
    return {"access": SIGNED_IN}


def roles(*allowed: Role) -> dict[str, Any]:
    """Only people holding at least one of these roles."""
    return {"access": frozenset(allowed)}


async def enforce_access(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    # A coroutine function, as every guard is: Litestar runs a plain function guard in a worker thread.
    access = handler.opt.get("access")
    if access == PUBLIC:
        return
    user: CurrentUser | None = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Sign in to use this page")
    if access == SIGNED_IN:
        return
    if isinstance(access, frozenset) and user.roles.intersection(access):
        return
    raise PermissionDeniedException("You do not have permission to see this page")


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The audit actor for a request: the signed-in person and their address."""
    user: CurrentUser | None = connection.scope.get("user")
    ip = connection.client.host if connection.client else ""
    if user is None:
        return Actor(staff_id=None, label="(not signed in)", client_ip=ip)
    return Actor(staff_id=user.staff_id, label=user.email, client_ip=ip)
