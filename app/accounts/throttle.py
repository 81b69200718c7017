"""Sign-in throttling: failed attempts counted per account and per client in the shared store."""

from __future__ import annotations

import hashlib

from litestar.stores.base import Store

from app.settings import Settings


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()}"


class SignInThrottle:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.window_seconds = settings.throttle_window_minutes * 60
        self.limits = {
            "account": settings.throttle_account_failures,
            "client": settings.throttle_client_failures,
        }

    async def _count(self, key: str) -> int:
        raw = await self.store.get(key)
        return int(raw) if raw else 0

    async def is_blocked(self, *, email: str, client: str) -> bool:
        """True when the account or the client has failed too often within the window."""
        return (
            await self._count(_key("account", email)) >= self.limits["account"]
            or await self._count(_key("client", client)) >= self.limits["client"]
        )

    async def record_failure(self, *, email: str, client: str) -> None:
        for kind, value in (("account", email), ("client", client)):
            key = _key(kind, value)
            # The window restarts at each failure, so a steady guesser stays locked out.
            await self.store.set(key, str(await self._count(key) + 1), expires_in=self.window_seconds)

    async def clear(self, *, email: str) -> None:
        await self.store.delete(_key("account", email))
