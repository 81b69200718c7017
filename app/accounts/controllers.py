"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from app import audit
from app.accounts import services
from app.accounts.access import CurrentUser, public, signed_in
from app.accounts.sessions import COOKIE_NAME, SessionManager
from app.accounts.throttle import SignInThrottle
from app.audit import Actor
from app.enums import AuditAction
from app.web.forms import error_context, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def safe_next(target: str) -> str:
    """Only follow same-site paths after sign-in, never another host."""
    # Read it as a browser would, where a backslash is a slash: "/\\evil.example" is another host.
    as_browser = target.replace("\\", "/")
    parts = urlsplit(as_browser)
    if not as_browser.startswith("/") or as_browser.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return target


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class SignInController(Controller):
    path = "/"

    @get("/sign-in", opt=public(), name="sign_in")
    async def sign_in_form(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template:
        return Template(
            "accounts/sign_in.html",
            context={"title": "Sign in", "next": safe_next(next), "email": "", **error_context({})},
        )

    @post("/sign-in", opt=public(), status_code=303)
    async def sign_in(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        sessions: SessionManager = request.app.state.sessions
        throttle: SignInThrottle = request.app.state.throttle
        email = services.normalise_email(text(data, "email"))
        password = str(data.get("password", ""))
        next_path = safe_next(text(data, "next") or "/")
        ip = client_ip(request)

        errors: dict[str, str] = {}
        if not email:
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"  # noqa: S105 (an error message)
        staff_id = None
        if not errors:
            if await throttle.is_blocked(email=email, client=ip):
                wait = throttle.window_seconds // 60
                wait_for = f"{wait} minute" if wait == 1 else f"{wait} minutes"
                errors["email"] = f"Too many failed attempts to sign in. Wait {wait_for}, then try again"
            else:
                staff_id = await services.authenticate(email, password)
                if staff_id is None:
                    await throttle.record_failure(email=email, client=ip)
                    errors["email"] = "Enter a correct email address and password"
        if staff_id is None:
            await audit.record(
                actor=Actor(None, email or "(no email given)", ip),
                action=AuditAction.SIGN_IN_FAILED,
                entity="session",
                summary=next(iter(errors.values())),
            )
            return Template(
                "accounts/sign_in.html",
                context={
                    "title": "Sign in",
                    "next": next_path,
                    "email": email,
                    **error_context(errors),
                },
                status_code=400,
            )

        await throttle.clear(email=email)
        # A new session id at every sign-in: a token planted before sign-in is never promoted.
        if old := request.cookies.get(COOKIE_NAME):
            await sessions.end(old)
        token = await sessions.start(staff_id)
        await audit.record(
            actor=Actor(staff_id, email, ip),
            action=AuditAction.SIGN_IN,
            entity="session",
            summary="Signed in",
        )
        response = Redirect(path=next_path, status_code=303)
        response.set_cookie(
            COOKIE_NAME,
            token,
            httponly=True,
            samesite="lax",
            path="/",
        )
        return response

    @post("/sign-out", opt=signed_in(), status_code=303)
    async def sign_out(self, request: Request[CurrentUser, Any, Any]) -> Redirect:
        user = request.user
        await request.app.state.sessions.end(user.session_token)
        await audit.record(
            actor=Actor(user.staff_id, user.email, client_ip(request)),
            action=AuditAction.SIGN_OUT,
            entity="session",
            summary="Signed out",
        )
        response = Redirect(path="/sign-in", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response
