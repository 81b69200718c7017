"""A KPI's values by period as a line chart (SVG for pages, PNG for documents), with its target and
statutory threshold as labelled lines of their own style, so colour is never the only signal.

Matplotlib through `Figure`, never pyplot (no global state in a server). Drawing is slow: callers run
`kpi_chart` in a worker thread.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from action_plans.enums import KpiUnit
from action_plans.kpis import KpiSummary

__all__ = ["kpi_chart"]

# GOV.UK Design System colours.
BLUE = "#1d70b8"
GREEN = "#00703c"
RED = "#d4351c"
TEXT = "#0b0c0c"
GREY = "#b1b4b6"


def kpi_chart(summary: KpiSummary, *, image_format: str = "svg") -> bytes:
    """The chart as SVG (text kept as text, for zoom and search) or PNG bytes."""
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "assure", "font.size": 10}):
        figure = Figure(figsize=(8, 3.6), layout="constrained")
        axes = figure.add_subplot()
        periods = [float(date2num(p.period_end)) for p in summary.points]
        values = [p.value if p.value is not None else float("nan") for p in summary.points]
        axes.plot(periods, values, color=BLUE, linewidth=2.5, marker="o", label=summary.name)
        if summary.target_value is not None:
            axes.axhline(
                summary.target_value,
                color=GREEN,
                linestyle="--",
                linewidth=1.5,
                label=f"Target {summary.shown(summary.target_value)}",
            )
        if summary.statutory_threshold is not None:
            axes.axhline(
                summary.statutory_threshold,
                color=RED,
                linestyle=":",
                linewidth=2,
                label=f"Statutory threshold {summary.shown(summary.statutory_threshold)}",
            )
        if summary.unit == KpiUnit.PERCENT:
            axes.set_ylim(0, 105)
            axes.set_ylabel("%")
        else:
            axes.set_ylim(bottom=0)
            axes.set_ylabel(summary.unit.label)
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.set_xlabel("Period ending")
        axes.grid(axis="y", color=GREY, linewidth=0.5)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(colors=TEXT)
        axes.legend(loc="best", frameon=False)
        buffer = io.BytesIO()
        # No creation date in an SVG: the same values draw the same bytes.
        metadata = {"Date": None} if image_format == "svg" else None
        figure.savefig(buffer, format=image_format, metadata=metadata)
    return buffer.getvalue()
