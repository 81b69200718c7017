"""Security headers on every response, with a fresh CSP nonce per request for the inline script."""

from __future__ import annotations

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

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


def csp_nonce(scope: Scope) -> str:
    """This request's CSP nonce, made on first use by the page or by the headers, whichever comes first."""
    state = scope.setdefault("state", {})
    if "csp_nonce" not in state:
        state["csp_nonce"] = secrets.token_urlsafe(16)
    return str(state["csp_nonce"])


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook rather than a middleware: Litestar runs middleware only on matched routes,
    so a middleware would miss 404s, 405s and CSRF refusals."""
    if message["type"] != "http.response.start" or scope["type"] != "http":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce(scope))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains"
        _mark_cookies_secure(headers)
