"""Security headers on every response, with a fresh CSP nonce per request for the inline script."""

from __future__ import annotations

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HSTS_SECONDS = 31536000


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _mark_cookies_secure(headers: MutableScopeHeaders) -> None:
    """Over HTTPS every cookie we set (session, CSRF, banner) is sent back only over HTTPS."""
    cookies = headers.getall("set-cookie", [])
    if not cookies:
        return
    del headers["set-cookie"]
    for cookie in cookies:
        headers.add("set-cookie", cookie if "; secure" in cookie.lower() else f"{cookie}; Secure")


class SecurityHeadersMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = content_security_policy(nonce)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if https:
                    headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains"
                    _mark_cookies_secure(headers)
            await send(message)

        await next_app(scope, receive, send_with_headers)
