"""One-time notification banners carried across a redirect in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, TypeVar

from litestar import Response

COOKIE_NAME = "assure_flash"

R = TypeVar("R", bound=Response[Any])


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def encode(secret: str, *, text: str, kind: str = "success") -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"text": text, "kind": kind}).encode())
    return f"{payload.decode()}.{_sign(secret, payload)}"


def decode(secret: str, value: str) -> dict[str, str] | None:
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(_sign(secret, payload.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    return {
        "text": data["text"],
        "kind": "important" if data.get("kind") == "important" else "success",
    }


def flash(response: R, secret: str, text: str, *, kind: str = "success") -> R:
    """Attach a banner for the next page the browser shows."""
    response.set_cookie(
        COOKIE_NAME, encode(secret, text=text, kind=kind), httponly=True, samesite="lax", path="/"
    )
    return response
