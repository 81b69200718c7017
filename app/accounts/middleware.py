"""Finds the signed-in person for every request, and hands flash banners to the page."""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app import database
from app.accounts import services
from app.accounts.access import CurrentUser
from app.accounts.sessions import COOKIE_NAME, SessionManager
from app.web import flash

SAFE_METHODS = ("GET", "HEAD")


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar.load(value.decode("latin-1"))
    return {key: morsel.value for key, morsel in jar.items()}


class CurrentUserMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    # Static files need no one signed in; skipping them saves the session look-up.
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith("/static/"))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in SAFE_METHODS:
            # A safe request reads one consistent state, through one connection (app.database).
            async with database.read_snapshot():
                await self._handle(scope, receive, send, next_app)
        else:
            await self._handle(scope, receive, send, next_app)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        app_state = scope["litestar_app"].state
        sessions: SessionManager = app_state.sessions
        cookies = _cookies(scope)
        user: CurrentUser | None = None
        token = cookies.get(COOKIE_NAME)
        if token and (session := await sessions.resume(token)):
            identity = await services.load_identity(session.staff_id)
            if identity is None:
                await sessions.end(token)
            else:
                user = CurrentUser(
                    staff_id=identity.staff_id,
                    email=identity.email,
                    full_name=identity.full_name,
                    roles=identity.roles,
                    session_token=token,
                )
        scope["user"] = user

        banner = None
        if raw := cookies.get(flash.COOKIE_NAME):
            banner = flash.decode(app_state.settings.secret_key, raw)
        scope.setdefault("state", {})["flash"] = banner

        async def send_clearing_flash(message: Message) -> None:
            # A banner is shown once: clear it on the page that displays it, not on redirects.
            if raw and message["type"] == "http.response.start" and message["status"] < 300:
                headers = MutableScopeHeaders.from_message(message)
                if not any(
                    value.startswith(f"{flash.COOKIE_NAME}=") for value in headers.getall("set-cookie", [])
                ):
                    headers.add(
                        "set-cookie",
                        Cookie(key=flash.COOKIE_NAME, value="", max_age=0, path="/").to_header(header=""),
                    )
            await send(message)

        await next_app(scope, receive, send_clearing_flash)
