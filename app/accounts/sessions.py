"""Server-side sign-in sessions: a random token in an HttpOnly cookie, its data in the shared store."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from litestar.stores.base import Store

from app.settings import Settings
from app.stores import purge_expired

COOKIE_NAME = "assure_session"
# Renewing the idle expiry costs a write, so it happens at most once a minute per session.
RENEW_AFTER_SECONDS = 60


@dataclass(frozen=True, slots=True)
class SessionData:
    staff_id: int
    created_at: float
    last_seen_at: float


def _key(token: str) -> str:
    # Only a hash of the token is stored, so a copy of the store cannot be replayed as cookies.
    return hashlib.sha256(token.encode()).hexdigest()


class SessionManager:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.idle_seconds = settings.session_idle_minutes * 60
        self.absolute_seconds = settings.session_absolute_hours * 3600

    async def start(self, staff_id: int) -> str:
        """Open a new session (always a new id) and return the token for the cookie."""
        # Sign-ins are rare next to page views, so they carry the clean-up of expired sessions.
        await purge_expired(self.store)
        token = secrets.token_urlsafe(32)
        now = time.time()
        await self._save(token, SessionData(staff_id, now, now))
        return token

    async def resume(self, token: str) -> SessionData | None:
        """The session behind a cookie, or None when it is unknown, idle too long or too old."""
        raw = await self.store.get(_key(token))
        if raw is None:
            return None
        data = SessionData(**json.loads(raw))
        now = time.time()
        if now - data.last_seen_at > self.idle_seconds or now - data.created_at > self.absolute_seconds:
            await self.end(token)
            return None
        if now - data.last_seen_at > RENEW_AFTER_SECONDS:
            data = SessionData(data.staff_id, data.created_at, now)
            await self._save(token, data)
        return data

    async def end(self, token: str) -> None:
        await self.store.delete(_key(token))

    async def _save(self, token: str, data: SessionData) -> None:
        remaining_absolute = self.absolute_seconds - (data.last_seen_at - data.created_at)
        expires_in = max(1, int(min(self.idle_seconds, remaining_absolute)))
        payload = json.dumps(
            {
                "staff_id": data.staff_id,
                "created_at": data.created_at,
                "last_seen_at": data.last_seen_at,
            }
        )
        await self.store.set(_key(token), payload, expires_in=expires_in)
