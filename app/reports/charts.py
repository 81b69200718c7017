"""The board report's charts, drawn with matplotlib's object API (`Figure`, never pyplot: pyplot keeps
global state and a GUI backend, neither of which belongs in a server).

One style for every chart: the Okabe-Ito colour-blind-safe palette, DejaVu Sans, a value written on
every bar and point, and hatching or marker shapes so that colour is never the only signal. Each chart
carries alt text that states its figures in words; the report also prints the same figures in tables.

Output is deterministic (fixed font and hash salt, no date in the file) so the same data gives the same
bytes. Drawing is CPU work: callers run `report_charts` in a worker thread.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

import matplotlib
import msgspec
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from app.reports.model import RAGS, ComplianceRow, KpiSeries, ReportData

__all__ = ["RAG_LABELS", "RAG_WORDS", "Chart", "format_percent", "format_value", "report_charts"]

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
RAG_COLOURS = {
    "blue": OKABE_ITO["blue"],
    "green": OKABE_ITO["bluish_green"],
    "amber": OKABE_ITO["orange"],
    "red": OKABE_ITO["vermillion"],
    "grey": "#BBBBBB",
}
RAG_HATCHES = {"blue": "", "green": "//", "amber": "..", "red": "xx", "grey": "\\\\"}
RAG_WORDS = {rag: rag.capitalize() for rag in RAGS}
# The same meanings as action_plans.enums.Rag.label.
RAG_LABELS = {
    "blue": "Complete",
    "green": "On track",
    "amber": "At risk",
    "red": "Off track",
    "grey": "Not started",
}
TEXT = "#0B0C0C"
MUTED = "#505A5F"
LINE = OKABE_ITO["blue"]
TARGET = OKABE_ITO["black"]
THRESHOLD = OKABE_ITO["vermillion"]

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "text.color": TEXT,
    "hatch.color": "#FFFFFF",
    "hatch.linewidth": 1.0,
    "legend.frameon": False,
    # Text stays text (DejaVu Sans, installed with WeasyPrint's fonts): a tenth of the drawing work of
    # glyph outlines in the PDF, and the labels can be selected and searched.
    "svg.fonttype": "none",
    "svg.hashsalt": "assure-board-report",  # stable element ids
    "svg.image_inline": True,
    "path.simplify": False,
}
LABEL_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "#FFFFFF", "edgecolor": "none", "alpha": 0.9}
WIDTH_IN = 6.7  # A4 text width at 20 mm margins


class Chart(msgspec.Struct, frozen=True):
    key: str  # stable identifier: "rag_by_area", "kpi_3", …
    title: str
    alt_text: str  # the chart's figures in words
    mime: str  # "image/svg+xml" or "image/png"
    content: bytes

    @property
    def data_uri(self) -> str:
        """For `<img src>`: the report is one self-contained file (CSP allows `img-src data:`)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.content).decode('ascii')}"


def format_percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.1f}%"


def format_value(value: float | None, unit: str) -> str:
    """A KPI value as the report writes it everywhere (tables, labels, alt text)."""
    if value is None:
        return "no data"
    if unit == "percent":
        return format_percent(value)
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{number} days" if unit == "days" else number


def _short_date(on: date) -> str:
    return on.strftime("%b %Y")


def _long_date(on: date) -> str:
    return on.strftime("%-d %B %Y")


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def _figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height_in), dpi=100, layout="constrained")


def _encode(figure: Figure, image_format: str) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    if image_format == "svg":
        # No date, no software version: identical data gives identical bytes.
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return "image/svg+xml", buffer.getvalue()
    if image_format == "png":
        figure.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
        return "image/png", buffer.getvalue()
    raise ValueError(f"Unknown chart format: {image_format}")


def _segment_label(ax: Axes, bar: Any, text: str) -> None:
    """A bar segment's count in words, dark on a white box so it reads on every colour and hatch."""
    x, y = bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2
    ax.text(x, y, text, ha="center", va="center", fontsize=8, fontweight="bold", color=TEXT, bbox=LABEL_BOX)


def _value_label(ax: Axes, x: float, y: float, text: str, **kwargs: Any) -> None:
    ax.annotate(
        text, (x, y), textcoords="offset points", fontsize=8, color=TEXT, bbox=LABEL_BOX, zorder=5, **kwargs
    )


# --- one function per chart: (data) -> (title, alt text, figure) or None when there is nothing to draw


def _rag_by_area(data: ReportData) -> tuple[str, str, Figure] | None:
    areas = data.area_rags
    if not areas:
        return None
    title = "Actions by RAG status in each priority area"
    names = [_wrap(f"{a.plan_reference} {a.area_number}. {a.area_title}", 34) for a in areas]
    figure = _figure(0.9 + 0.5 * len(areas))
    ax = figure.add_subplot()
    left = [0] * len(areas)
    positions = list(range(len(areas)))[::-1]
    for rag in RAGS:
        counts = [a.rag_counts.get(rag, 0) for a in areas]
        bars = ax.barh(
            positions,
            counts,
            left=left,
            color=RAG_COLOURS[rag],
            hatch=RAG_HATCHES[rag],
            edgecolor="#FFFFFF",
            linewidth=0.8,
            label=f"{RAG_WORDS[rag]}: {RAG_LABELS[rag]}",
        )
        for bar, count in zip(bars, counts, strict=True):
            if count:
                _segment_label(ax, bar, f"{RAG_WORDS[rag]} {count}")
        left = [total + count for total, count in zip(left, counts, strict=True)]
    ax.set_yticks(positions, names)
    ax.set_xlabel("Number of actions")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    figure.legend(loc="outside lower center", ncols=3, fontsize=8)
    sentences = []
    for area in areas:
        parts = [
            f"{area.rag_counts.get(rag, 0)} {RAG_WORDS[rag]}" for rag in RAGS if area.rag_counts.get(rag, 0)
        ]
        now = _join(parts) or "no actions"
        sentence = f"{area.plan_reference} area {area.area_number}, {area.area_title}: {now}"
        if area.previous_rag_counts is not None:
            before = [
                f"{area.previous_rag_counts.get(rag, 0)} {RAG_WORDS[rag]}"
                for rag in RAGS
                if area.previous_rag_counts.get(rag, 0)
            ]
            sentence += f" (previous report: {_join(before) or 'no actions'})"
        sentences.append(sentence + ".")
    alt = f"{title}, stacked bars. " + " ".join(sentences)
    return title, alt, figure


def _milestones(data: ReportData) -> tuple[str, str, Figure] | None:
    due = data.milestones_due
    if not due:
        return None
    title = f"Milestones due in {data.period.label}: met or missed"
    met_ids = set(data.milestones_met)
    plans = sorted({m.plan_reference for m in due})
    met = [sum(1 for m in due if m.plan_reference == p and m.milestone_id in met_ids) for p in plans]
    missed = [sum(1 for m in due if m.plan_reference == p and m.milestone_id not in met_ids) for p in plans]
    figure = _figure(1.2 + 0.45 * len(plans))
    ax = figure.add_subplot()
    positions = list(range(len(plans)))[::-1]
    series = (
        ("Met", met, OKABE_ITO["bluish_green"], "//"),
        ("Missed", missed, OKABE_ITO["vermillion"], "xx"),
    )
    left = [0] * len(plans)
    for label, counts, colour, hatch in series:
        bars = ax.barh(
            positions, counts, left=left, color=colour, hatch=hatch, edgecolor="#FFFFFF", label=label
        )
        for bar, count in zip(bars, counts, strict=True):
            if count:
                _segment_label(ax, bar, f"{label} {count}")
        left = [total + count for total, count in zip(left, counts, strict=True)]
    ax.set_yticks(positions, plans)
    ax.set_xlabel("Number of milestones due")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    parts = [
        f"{p}: {m} met and {x} missed of {m + x} due" for p, m, x in zip(plans, met, missed, strict=True)
    ]
    alt = (
        f"{title}, bar chart. {sum(met)} of {len(due)} milestones due were met and {sum(missed)} missed. "
        + "; ".join(parts)
        + "."
    )
    return title, alt, figure


def _slippage(data: ReportData) -> tuple[str, str, Figure] | None:
    lines = sorted(data.slippage, key=lambda s: (-s.days, s.plan_reference, s.reference))
    if not lines:
        return None
    title = "Slippage: days between baseline and forecast"
    names = [_wrap(f"{s.plan_reference} {s.reference} ({s.kind})", 40) for s in lines]
    figure = _figure(0.9 + 0.42 * len(lines))
    ax = figure.add_subplot()
    positions = list(range(len(lines)))[::-1]
    kinds = (
        ("action", "Action", OKABE_ITO["vermillion"], "xx"),
        ("milestone", "Milestone", OKABE_ITO["orange"], ".."),
    )
    for kind, label, colour, hatch in kinds:
        mine = [(y, s) for y, s in zip(positions, lines, strict=True) if s.kind == kind]
        if not mine:
            continue
        bars = ax.barh(
            [y for y, _ in mine],
            [s.days for _, s in mine],
            color=colour,
            hatch=hatch,
            edgecolor="#FFFFFF",
            label=label,
        )
        for bar, (_, line) in zip(bars, mine, strict=True):
            _value_label(
                ax,
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                f"{line.days} days",
                xytext=(3, 0),
                va="center",
            )
    ax.legend(loc="lower right", fontsize=8)
    ax.set_yticks(positions, names)
    ax.set_xlabel("Days late against baseline")
    ax.set_xlim(0, max(s.days for s in lines) * 1.18 + 1)
    ax.set_title(title)
    parts = [f"{s.plan_reference} {s.reference} {s.kind}, {s.days} days" for s in lines]
    alt = f"{title}, bar chart of {len(lines)} slipped items, largest first: " + "; ".join(parts) + "."
    return title, alt, figure


def _reference_lines(
    ax: Axes, *, target: float | None, threshold: float | None, describe: Callable[[float], str]
) -> None:
    if target is not None:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.2, label=f"Target {describe(target)}")
    if threshold is not None:
        ax.axhline(
            threshold,
            color=THRESHOLD,
            linestyle=":",
            linewidth=1.6,
            label=f"Statutory threshold {describe(threshold)}",
        )


def _kpi(series: KpiSeries) -> tuple[str, str, Figure] | None:
    points = [p for p in series.points if p.value is not None]
    if not points:
        return None
    title = series.name
    figure = _figure(2.6)
    ax = figure.add_subplot()
    xs = list(range(len(series.points)))
    known = [(x, p.value) for x, p in zip(xs, series.points, strict=True) if p.value is not None]
    ax.plot(
        [x for x, _ in known],
        [v for _, v in known],
        color=LINE,
        marker="o",
        markersize=5,
        linewidth=2,
        label="Actual",
    )
    for x, value in known:
        _value_label(ax, x, value, format_value(value, series.unit), xytext=(0, 7), ha="center")
    _reference_lines(
        ax,
        target=series.target,
        threshold=series.statutory_threshold,
        describe=lambda v: format_value(v, series.unit),
    )
    ax.set_xticks(xs, [_short_date(p.period_end) for p in series.points])
    values = [v for _, v in known] + [v for v in (series.target, series.statutory_threshold) if v is not None]
    top = max(values)
    if series.unit == "percent":
        ax.set_ylim(0, max(105.0, top * 1.08))
        ax.set_ylabel("Per cent")
    else:
        ax.set_ylim(0, top * 1.18 or 1)
        ax.set_ylabel("Days" if series.unit == "days" else "Number")
    ax.set_xlim(-0.4, len(xs) - 0.6)
    ax.set_title(_wrap(f"{series.plan_reference}: {title}", 75))
    ax.legend(loc="lower right", fontsize=8, ncols=3)
    readings = [
        f"{format_value(p.value, series.unit)} at {_long_date(p.period_end)}"
        for p in series.points
        if p.value is not None
    ]
    references = []
    if series.target is not None:
        when = f" by {_long_date(series.target_date)}" if series.target_date else ""
        references.append(f"target {format_value(series.target, series.unit)}{when} (dashed line)")
    if series.statutory_threshold is not None:
        references.append(
            f"statutory threshold {format_value(series.statutory_threshold, series.unit)} (dotted line)"
        )
    better = "higher" if series.direction == "higher" else "lower"
    alt = (
        f"Line chart: {series.plan_reference} {title} ({better} is better). "
        + "; ".join(readings)
        + ". "
        + (f"{_sentence(_join(references))}. " if references else "")
        + f"Latest {format_value(series.latest, series.unit)}: {series.status}."
    )
    return f"KPI: {title}", alt, figure


def _by_organisation(rows: Sequence[ComplianceRow]) -> list[tuple[str, int, int]]:
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.organisation, [0, 0])
        total[0] += row.assigned
        total[1] += row.compliant
    return [(name, assigned, compliant) for name, (assigned, compliant) in sorted(totals.items())]


def _compliance(data: ReportData) -> tuple[str, str, Figure] | None:
    organisations = [o for o in _by_organisation(data.compliance) if o[1]]
    if not organisations:
        return None
    title = f"Training compliance by organisation: {data.training_course}"
    figure = _figure(1.0 + 0.45 * len(organisations))
    ax = figure.add_subplot()
    positions = list(range(len(organisations)))[::-1]
    percents = [round(100 * compliant / assigned, 1) for _, assigned, compliant in organisations]
    ax.barh(positions, [100.0] * len(organisations), color="#E5E6E7", edgecolor="none", label="Assigned")
    bars = ax.barh(
        positions, percents, color=OKABE_ITO["blue"], hatch="//", edgecolor="#FFFFFF", label="Compliant"
    )
    for bar, (_, assigned, compliant), percent in zip(bars, organisations, percents, strict=True):
        _value_label(
            ax,
            100.0,
            bar.get_y() + bar.get_height() / 2,
            f"{format_percent(percent)} ({compliant} of {assigned})",
            xytext=(4, 0),
            va="center",
        )
    ax.set_yticks(positions, [_wrap(name, 30) for name, _, _ in organisations])
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("Per cent of assigned staff compliant")
    ax.set_title(_wrap(title, 60))
    figure.legend(loc="outside lower center", ncols=2, fontsize=8)
    parts = [
        f"{name} {format_percent(p)} ({compliant} of {assigned})"
        for (name, assigned, compliant), p in zip(organisations, percents, strict=True)
    ]
    alt = f"{title}, bar chart of the per cent of assigned staff who are compliant. " + "; ".join(parts) + "."
    return title, alt, figure


def _training_trend(data: ReportData) -> tuple[str, str, Figure] | None:
    """Staff trained (a number of people) at each date, against the board's target number."""
    trend = data.compliance_trend
    if not trend or not any(p.assigned for p in trend):
        return None
    title = f"Staff trained over time: {data.training_course}"
    figure = _figure(2.6)
    ax = figure.add_subplot()
    xs = list(range(len(trend)))
    trained = [p.compliant for p in trend]
    ax.plot(xs, trained, color=LINE, marker="s", markersize=5, linewidth=2, label="Staff trained")
    ax.plot(
        xs,
        [p.assigned for p in trend],
        color=MUTED,
        marker="^",
        markersize=4,
        linewidth=1,
        linestyle="-.",
        label="Staff assigned",
    )
    for x, count in zip(xs, trained, strict=True):
        _value_label(ax, x, count, f"{count:,}", xytext=(0, 7), ha="center")
    target = data.training_target
    _reference_lines(ax, target=target, threshold=None, describe=lambda v: f"{v:,.0f} staff")
    labels = [_short_date(p.on) for p in trend]
    if len(trend) > 8:
        ax.set_xticks(xs, labels, rotation=45, ha="right")
    else:
        ax.set_xticks(xs, labels)
    ax.set_xlim(-0.4, len(xs) - 0.6)
    top = max([*trained, *(p.assigned for p in trend), target or 0])
    ax.set_ylim(0, top * 1.15 or 1)
    ax.set_ylabel("Staff")
    ax.set_title(_wrap(title, 70))
    figure.legend(loc="outside lower center", ncols=3, fontsize=8)
    parts = [f"{p.compliant:,} of {p.assigned:,} assigned at {_long_date(p.on)}" for p in trend]
    alt = (
        f"Line chart: {title}. "
        + "; ".join(parts)
        + "."
        + (f" Target {target:,} staff trained (dashed line)." if target is not None else "")
    )
    return title, alt, figure


def report_charts(data: ReportData, *, image_format: str = "svg") -> list[Chart]:
    """Every chart of the report, in report order; a section with no data has no chart.

    Keys: "rag_by_area", "milestones", "slippage", "kpi_<kpi_id>" (one per KPI with data),
    "training_by_organisation", "training_trend".
    """
    builders: list[tuple[str, Callable[[], tuple[str, str, Figure] | None]]] = [
        ("rag_by_area", lambda: _rag_by_area(data)),
        ("milestones", lambda: _milestones(data)),
        ("slippage", lambda: _slippage(data)),
    ]
    builders += [(f"kpi_{s.kpi_id}", lambda s=s: _kpi(s)) for s in data.kpis]  # type: ignore[misc]
    builders += [
        ("training_by_organisation", lambda: _compliance(data)),
        ("training_trend", lambda: _training_trend(data)),
    ]
    charts = []
    with _style():
        for key, build in builders:
            built = build()
            if built is None:
                continue
            title, alt, figure = built
            mime, content = _encode(figure, image_format)
            charts.append(Chart(key=key, title=title, alt_text=alt, mime=mime, content=content))
    return charts
