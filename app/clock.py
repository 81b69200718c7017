"""The council's calendar: "today" is the date in England (Europe/London), whatever the server's
time zone, so a date typed at 00:30 in summer is not yesterday's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["LOCAL", "local_today"]

LOCAL = ZoneInfo("Europe/London")


def local_today() -> date:
    return datetime.now(LOCAL).date()
