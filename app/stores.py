"""A Litestar Store kept in the database, so every worker and machine shares sessions and counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from app.database import write_transaction
from app.settings import Settings
from app.tables import StoreEntry


def _now() -> datetime:
    return datetime.now(UTC)


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return _now() + timedelta(seconds=seconds)


def _live() -> object:
    return StoreEntry.expires_at.is_null() | (StoreEntry.expires_at > _now())


class DatabaseStore(Store):
    """Key-value entries in the store_entry table, each with an optional expiry."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        async with write_transaction():
            await StoreEntry.insert(
                StoreEntry(key=self._key(key), value=data, expires_at=_expiry(expires_in))
            ).on_conflict(
                target=StoreEntry.key,
                action="DO UPDATE",
                values=[StoreEntry.value, StoreEntry.expires_at],
            )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        # Written out: it runs on every signed-in request, and Piccolo's query builder costs about as
        # much as the statement itself (120 us a call).
        rows = await StoreEntry.raw(
            "SELECT value FROM store_entry WHERE key = {} AND (expires_at IS NULL OR expires_at > {})",
            self._key(key),
            _now(),
        )
        if not rows:
            return None
        row = rows[0]
        if renew_for is not None:
            async with write_transaction():
                await StoreEntry.update({StoreEntry.expires_at: _expiry(renew_for)}).where(
                    StoreEntry.key == self._key(key)
                )
        value = row["value"]
        return bytes(value) if value is not None else None

    async def delete(self, key: str) -> None:
        async with write_transaction():
            await StoreEntry.delete().where(StoreEntry.key == self._key(key))

    async def delete_all(self) -> None:
        async with write_transaction():
            await StoreEntry.delete().where(StoreEntry.key.like(f"{self.namespace}:%"))

    async def exists(self, key: str) -> bool:
        return await StoreEntry.exists().where(
            (StoreEntry.key == self._key(key)) & _live()  # type: ignore[operator]
        )

    async def expires_in(self, key: str) -> int | None:
        row = (
            await StoreEntry.select(StoreEntry.expires_at)
            .where((StoreEntry.key == self._key(key)) & _live())  # type: ignore[operator]
            .first()
        )
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - _now()).total_seconds())

    async def purge_expired(self) -> int:
        """Delete every expired entry in this namespace; returns how many went."""
        async with write_transaction():
            gone = (
                await StoreEntry.delete()
                .where(StoreEntry.key.like(f"{self.namespace}:%") & (StoreEntry.expires_at < _now()))
                .returning(StoreEntry.id)
            )
        return len(gone)


def make_store(settings: Settings, namespace: str) -> Store:
    """Redis when ASSURE_REDIS_URL is set, otherwise the database."""
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace=f"assure:{namespace}")
    return DatabaseStore(namespace)


async def purge_expired(store: Store) -> None:
    """Remove expired entries from a database store; Redis expires its keys by itself."""
    if isinstance(store, DatabaseStore):
        await store.purge_expired()
