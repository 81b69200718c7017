"""The RAG rule of DESIGN.md section 4, as one pure function every page, report and test shares.

Blue: complete (an actual date, and evidence where the plan requires it).
Grey: not started (start date in the future and nothing recorded).
Red: overdue, or the forecast slipped beyond the tolerance.
Amber: the forecast slipped within the tolerance, or progress is behind the straight line from
start to forecast by more than the tolerance in points.
Green: otherwise.
A manual override (with a reason) wins until the next progress update clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from action_plans.enums import Rag

__all__ = ["Assessment", "Thresholds", "assess", "expected_percent", "legend", "slippage_days"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    slip_tolerance_days: int = 14
    progress_tolerance_points: int = 10


@dataclass(frozen=True, slots=True)
class Assessment:
    rag: Rag
    reason: str
    overridden: bool = False

    @property
    def label(self) -> str:
        return self.rag.label

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.rag]


# GOV.UK tag colours; the word is always shown beside the colour.
TAG_CLASSES = {
    Rag.BLUE: "govuk-tag--blue",
    Rag.GREEN: "govuk-tag--green",
    Rag.AMBER: "govuk-tag--orange",
    Rag.RED: "govuk-tag--red",
    Rag.GREY: "govuk-tag--grey",
}


def legend(thresholds: Thresholds = Thresholds()) -> list[tuple[Rag, str]]:
    """What each status means with this plan's thresholds, for the legend every RAG page shows."""
    days = _days(thresholds.slip_tolerance_days)
    points = thresholds.progress_tolerance_points
    return [
        (Rag.BLUE, "Complete: done, with an actual date (and evidence where the plan requires it)."),
        (
            Rag.GREEN,
            "On track: forecast no later than baseline, and progress keeping pace with time elapsed.",
        ),
        (
            Rag.AMBER,
            f"At risk: forecast up to {days} after baseline, or progress more than {points} points "
            "behind the straight line from start to forecast.",
        ),
        (Rag.RED, f"Off track: overdue, or forecast more than {days} after baseline."),
        (Rag.GREY, "Not started: start date in the future and nothing recorded yet."),
    ]


def slippage_days(baseline: date | None, forecast: date | None) -> int | None:
    """Days the forecast lies after the baseline (negative when ahead); None before a baseline."""
    if baseline is None or forecast is None:
        return None
    return (forecast - baseline).days


def expected_percent(*, start: date | None, due: date | None, today: date) -> int | None:
    """Where progress should be on the straight line from start to due date, in whole percent."""
    if start is None or due is None or due <= start:
        return None
    fraction = (today - start).days / (due - start).days
    return round(100 * min(1.0, max(0.0, fraction)))


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def assess(
    *,
    today: date,
    start: date | None,
    baseline: date | None,
    forecast: date | None,
    actual: date | None,
    percent_complete: int | None = None,
    recorded: bool = False,
    evidence_missing: bool = False,
    thresholds: Thresholds = Thresholds(),
    override: Rag | None = None,
    override_reason: str = "",
) -> Assessment:
    """RAG for an action (with percent_complete) or a milestone (without), with the reason in words.

    `recorded` says whether anything has been reported yet (an update, progress, a status).
    `evidence_missing` is true when the plan requires evidence and the item has none.
    """
    if override is not None:
        return Assessment(override, f"Set by hand: {override_reason}".strip(), overridden=True)
    if actual is not None:
        if evidence_missing:
            return Assessment(
                Rag.AMBER, f"Completed on {actual:%-d %B %Y} but the evidence the plan requires is missing"
            )
        return Assessment(Rag.BLUE, f"Completed on {actual:%-d %B %Y}")
    nothing_recorded = not recorded and not percent_complete
    if start is not None and start > today and nothing_recorded:
        return Assessment(Rag.GREY, f"Starts on {start:%-d %B %Y}")
    due = forecast or baseline
    if due is None:
        return Assessment(Rag.GREY, "No target date set yet")
    if due < today:
        return Assessment(Rag.RED, f"Overdue by {_days((today - due).days)}")
    slip = slippage_days(baseline, forecast)
    tolerance = thresholds.slip_tolerance_days
    if slip is not None and slip > tolerance:
        return Assessment(Rag.RED, f"Forecast {_days(slip)} after baseline (tolerance {_days(tolerance)})")
    if slip is not None and slip > 0:
        return Assessment(
            Rag.AMBER, f"Forecast {_days(slip)} after baseline (within tolerance of {_days(tolerance)})"
        )
    if percent_complete is not None:
        expected = expected_percent(start=start, due=due, today=today)
        if expected is not None and percent_complete < expected - thresholds.progress_tolerance_points:
            return Assessment(Rag.AMBER, f"{percent_complete}% complete; {expected}% expected by now")
    return Assessment(Rag.GREEN, "On track")
