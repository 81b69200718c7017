"""Configuration read once from ASSURE_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/assure.sqlite"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise RuntimeError(f"{name} must be true or false, not {raw!r}")


MAIL_BACKENDS = ("outbox", "smtp", "notify")


def _mail_backend() -> str:
    backend = os.environ.get("ASSURE_MAIL_BACKEND", "outbox").strip().lower() or "outbox"
    if backend not in MAIL_BACKENDS:
        raise RuntimeError(f"ASSURE_MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}, not {backend!r}")
    return backend


def _secret_key(var_dir: Path) -> str:
    """The signing key: ASSURE_SECRET_KEY, or one generated once into var/ for a demo."""
    if key := os.environ.get("ASSURE_SECRET_KEY"):
        return key
    path = var_dir / "secret-key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: str
    council_name: str
    redis_url: str | None
    session_idle_minutes: int
    session_absolute_hours: int
    throttle_account_failures: int
    throttle_client_failures: int
    throttle_window_minutes: int
    renewal_window_days: int
    var_dir: Path
    # Email: kept in the outbox table (default), sent by SMTP, or sent through GOV.UK Notify.
    mail_backend: str = "outbox"
    mail_from: str = "assure@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    notify_api_key: str = field(default="", repr=False)
    notify_template_id: str = ""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = Path(os.environ.get("ASSURE_VAR_DIR", "var"))
        return cls(
            database_url=os.environ.get("ASSURE_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=_secret_key(var_dir),
            council_name=os.environ.get("ASSURE_COUNCIL_NAME", "Northbrook Borough Council"),
            redis_url=os.environ.get("ASSURE_REDIS_URL") or None,
            session_idle_minutes=_int("ASSURE_SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=_int("ASSURE_SESSION_ABSOLUTE_HOURS", 12),
            throttle_account_failures=_int("ASSURE_THROTTLE_ACCOUNT_FAILURES", 5),
            throttle_client_failures=_int("ASSURE_THROTTLE_CLIENT_FAILURES", 20),
            throttle_window_minutes=_int("ASSURE_THROTTLE_WINDOW_MINUTES", 15),
            renewal_window_days=_int("ASSURE_RENEWAL_WINDOW_DAYS", 60),
            var_dir=var_dir,
            mail_backend=_mail_backend(),
            mail_from=os.environ.get("ASSURE_MAIL_FROM", "assure@localhost"),
            smtp_host=os.environ.get("ASSURE_SMTP_HOST", "localhost"),
            smtp_port=_int("ASSURE_SMTP_PORT", 587),
            smtp_username=os.environ.get("ASSURE_SMTP_USERNAME", ""),
            smtp_password=os.environ.get("ASSURE_SMTP_PASSWORD", ""),
            smtp_starttls=_bool("ASSURE_SMTP_STARTTLS", True),
            notify_api_key=os.environ.get("ASSURE_NOTIFY_API_KEY", ""),
            notify_template_id=os.environ.get("ASSURE_NOTIFY_TEMPLATE_ID", ""),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
