"""The board report's charts, drawn with matplotlib's object API (`Figure`, never pyplot: pyplot keeps
global state and a GUI backend, neither of which belongs in a server).

One style for every chart: the Okabe-Ito colour-blind-safe palette, DejaVu Sans, a value written on
every bar segment (its word and count: "Red 3", "Missed 2") and marker shapes and line styles, so that
colour is never the only signal. No hatching: the words already say what a colour does, and WeasyPrint
drew each hatched bar as a pattern (a fifth of the demo PDF's time). Each chart carries alt text that
states its figures in words; the report also prints the same figures in tables.

Output is deterministic (fixed font and hash salt, no date in the file) so the same data gives the same
bytes. Drawing is CPU work: it is done in the worker process of app.reports.files.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import matplotlib
import msgspec
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from app.reports.model import RAGS, ComplianceRow, KpiSeries, ReportData
from app.reports.paper import LIMITS, KpiGroup, board_paper, longest_slippage

__all__ = [
    "RAG_LABELS",
    "RAG_WORDS",
    "Chart",
    "ChartPlan",
    "chart_plans",
    "each_chart",
    "format_percent",
    "format_value",
    "report_charts",
]

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
    # Where the PDF fetches the drawing while it is still being drawn (app.reports.files); "" when the
    # drawing is here, in `content`.
    url: str = ""

    @property
    def data_uri(self) -> str:
        """For `<img src>`: the report is one self-contained file (CSP allows `img-src data:`)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.content).decode('ascii')}"

    @property
    def src(self) -> str:
        return self.url or self.data_uri


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


def _figure(
    height_in: float,
    *,
    left_in: float = 0.75,
    right_in: float = 0.2,
    top_in: float = 0.4,
    bottom_in: float = 0.5,
) -> Figure:
    """A chart at the text width with fixed margins in inches. Matplotlib's constrained layout would
    fit them for us, at the price of laying every figure out twice (it was 40% of drawing time)."""
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=100)
    figure.subplots_adjust(
        left=left_in / WIDTH_IN,
        right=1 - right_in / WIDTH_IN,
        top=1 - top_in / height_in,
        bottom=bottom_in / height_in,
    )
    return figure


def _text_width_in(labels: Sequence[str], size: float = 9) -> float:
    """About how wide the longest line of these labels is in DejaVu Sans (0.6 em a character)."""
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    return longest * size * 0.6 / 72


def _title(title: str, *, left_in: float, right_in: float) -> tuple[str, float]:
    """The title wrapped to the plot's width (it starts at the plot's left edge), and the top margin
    it needs in inches."""
    chars = int((WIDTH_IN - left_in - right_in) / (10 * 0.66 / 72))  # 10 pt bold
    text = _wrap(title, max(chars, 24))
    return text, 0.2 + 0.19 * (text.count("\n") + 1)


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
    """A bar segment's count in words, dark on a white box so it reads on every colour."""
    x, y = bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2
    ax.text(x, y, text, ha="center", va="center", fontsize=8, fontweight="bold", color=TEXT, bbox=LABEL_BOX)


def _stacked_bars(
    ax: Axes, positions: Sequence[int], segments: Sequence[tuple[str, str, list[int], str]], **style: Any
) -> None:
    """Horizontal bars built of segments, left to right: (word, legend label, a count a bar, colour) each;
    every segment that is not empty says its word and count."""
    left = [0] * len(positions)
    for word, label, counts, colour in segments:
        bars = ax.barh(positions, counts, left=left, color=colour, edgecolor="#FFFFFF", label=label, **style)
        for bar, count in zip(bars, counts, strict=True):
            if count:
                _segment_label(ax, bar, f"{word} {count}")
        left = [total + count for total, count in zip(left, counts, strict=True)]


def _value_label(ax: Axes, x: float, y: float, text: str, **kwargs: Any) -> None:
    ax.annotate(
        text, (x, y), textcoords="offset points", fontsize=8, color=TEXT, bbox=LABEL_BOX, zorder=5, **kwargs
    )


# --- one function per chart: (data) -> (title, alt text, a function that draws the figure), or None
# when there is nothing to draw. The words come from the data at once; drawing is the slow part.
Drawing = tuple[str, str, Callable[[], Figure]]

# More priority areas than the paper's limit and the RAG chart shows each plan instead, as the RAG table
# does: one bar an area would make a chart taller than the page.
MAX_AREA_BARS = LIMITS["rag_areas"]


def _rag_rows(data: ReportData) -> tuple[str, list[tuple[str, dict[str, int], dict[str, int] | None]]]:
    """(what a bar is, [(name, counts now, counts at the previous report)]): areas, or plans when many."""
    if len(data.area_rags) <= MAX_AREA_BARS:
        return "priority area", [
            (f"{a.plan_reference} area {a.area_number}, {a.area_title}", a.rag_counts, a.previous_rag_counts)
            for a in data.area_rags
        ]
    plans: dict[str, tuple[dict[str, int], dict[str, int] | None]] = {}
    for area in data.area_rags:
        now, before = plans.setdefault(area.plan_reference, ({}, {}))
        for rag, count in area.rag_counts.items():
            now[rag] = now.get(rag, 0) + count
        if area.previous_rag_counts is None or before is None:
            plans[area.plan_reference] = (now, None)
            continue
        for rag, count in area.previous_rag_counts.items():
            before[rag] = before.get(rag, 0) + count
    return "plan", [(plan, now, before) for plan, (now, before) in plans.items()]


def _rag_words(counts: dict[str, int]) -> str:
    return _join([f"{counts.get(rag, 0)} {RAG_WORDS[rag]}" for rag in RAGS if counts.get(rag, 0)])


def _rag_by_area(data: ReportData) -> Drawing | None:
    if not data.area_rags:
        return None
    kind, rows = _rag_rows(data)
    title = f"Actions by RAG status in each {kind}"

    def draw() -> Figure:
        names = [_wrap(name.replace(" area ", " ", 1).replace(", ", ". ", 1), 34) for name, _, _ in rows]
        left_in = _text_width_in(names) + 0.25
        heading, top_in = _title(title, left_in=left_in, right_in=0.2)
        figure = _figure(1.0 + top_in + 0.5 * len(rows), left_in=left_in, bottom_in=0.95, top_in=top_in)
        ax = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        segments = [
            (
                RAG_WORDS[rag],
                f"{RAG_WORDS[rag]}: {RAG_LABELS[rag]}",
                [now.get(rag, 0) for _, now, _ in rows],
                RAG_COLOURS[rag],
            )
            for rag in RAGS
        ]
        _stacked_bars(ax, positions, segments, linewidth=0.8)
        ax.set_yticks(positions, names)
        ax.set_xlabel("Number of actions")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(heading, y=1.0)
        figure.legend(loc="lower center", ncols=3, fontsize=8)
        return figure

    sentences = []
    for name, now, before in rows:
        sentence = f"{name}: {_rag_words(now) or 'no actions'}"
        if before is not None:
            sentence += f" (previous report: {_rag_words(before) or 'no actions'})"
        sentences.append(sentence + ".")
    alt = f"{title}, stacked bars. " + " ".join(sentences)
    return title, alt, draw


def _milestones(data: ReportData) -> Drawing | None:
    due = data.milestones_due
    if not due:
        return None
    title = f"Milestones due in {data.period.label}: met or missed"
    met_ids = set(data.milestones_met)
    plans = sorted({m.plan_reference for m in due})
    met = [sum(1 for m in due if m.plan_reference == p and m.milestone_id in met_ids) for p in plans]
    missed = [sum(1 for m in due if m.plan_reference == p and m.milestone_id not in met_ids) for p in plans]

    def draw() -> Figure:
        left_in = _text_width_in(plans) + 0.25
        heading, top_in = _title(title, left_in=left_in, right_in=0.2)
        figure = _figure(0.95 + top_in + 0.45 * len(plans), left_in=left_in, top_in=top_in)
        ax = figure.add_subplot()
        positions = list(range(len(plans)))[::-1]
        segments = [
            ("Met", "Met", met, OKABE_ITO["bluish_green"]),
            ("Missed", "Missed", missed, OKABE_ITO["vermillion"]),
        ]
        _stacked_bars(ax, positions, segments)
        ax.set_yticks(positions, plans)
        ax.set_xlabel("Number of milestones due")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(heading, y=1.0)
        ax.legend(loc="lower right", fontsize=8)
        return figure

    parts = [
        f"{p}: {m} met and {x} missed of {m + x} due" for p, m, x in zip(plans, met, missed, strict=True)
    ]
    alt = (
        f"{title}, bar chart. {sum(met)} of {len(due)} milestones due were met and {sum(missed)} missed. "
        + "; ".join(parts)
        + "."
    )
    return title, alt, draw


def _slippage(data: ReportData) -> Drawing | None:
    shown = longest_slippage(data)  # the lines the report's table lists
    lines = sorted(shown.lines, key=lambda s: (-s.days, s.plan_reference, s.reference))
    if not lines:
        return None
    title = "Slippage: days between baseline and forecast"
    if shown.cut:
        title += f", the {len(lines)} longest of {shown.total:,}"

    def draw() -> Figure:
        names = [_wrap(f"{s.plan_reference} {s.reference} ({s.kind})", 40) for s in lines]
        left_in = _text_width_in(names) + 0.25
        heading, top_in = _title(title, left_in=left_in, right_in=0.3)
        figure = _figure(0.85 + top_in + 0.42 * len(lines), left_in=left_in, right_in=0.3, top_in=top_in)
        ax = figure.add_subplot()
        positions = list(range(len(lines)))[::-1]
        kinds = (
            ("action", "Action", OKABE_ITO["vermillion"]),
            ("milestone", "Milestone", OKABE_ITO["orange"]),
        )
        for kind, label, colour in kinds:
            mine = [(y, s) for y, s in zip(positions, lines, strict=True) if s.kind == kind]
            if not mine:
                continue
            bars = ax.barh(
                [y for y, _ in mine],
                [s.days for _, s in mine],
                color=colour,
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
        ax.set_xlim(0, max(s.days for s in lines) * 1.25 + 1)
        ax.set_title(heading, y=1.0)
        return figure

    parts = [f"{s.plan_reference} {s.reference} {s.kind}, {s.days} days" for s in lines]
    counted = f"the {len(lines)} longest of {shown.total:,}" if shown.cut else f"{len(lines)}"
    alt = f"{title}, bar chart of {counted} slipped items, largest first: " + "; ".join(parts) + "."
    return title, alt, draw


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


def _kpi_description(series: KpiSeries, *, with_plan: bool = False) -> str:
    """One KPI's chart in words: every value, the target and threshold, and the latest status."""
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
    return (
        (f"{series.plan_reference}: " if with_plan else "")
        + f"{series.name} ({better} is better): "
        + "; ".join(readings)
        + ". "
        + (f"{_sentence(_join(references))}. " if references else "")
        + f"Latest {format_value(series.latest, series.unit)}: {series.status}."
    )


# Small multiples: each KPI's panel, in inches. A panel is drawn like a sparkline, with few marks: the
# line, the target and threshold lines, and its first and latest values in words (every value is in the
# table above the chart and in the alt text). The panels share one time axis, dated under the lowest
# panel of each column. At 70 KPIs, ticks, tick labels and a marker on every point were most of the time
# both to draw the charts and for WeasyPrint to draw them in the PDF.
KPI_AXES_IN = 0.95
KPI_COLUMN_GAP_IN = 0.4
KPI_TITLE_LINE_IN = 0.15  # a line of a panel's title (8 pt); above a panel go its title and a gap
KPI_BOTTOM_IN = 0.8  # the dates under the lowest panels, and the legend


def _kpi_title(series: KpiSeries, columns: int, *, with_plan: bool = False) -> str:
    target = f" (target {format_value(series.target, series.unit)})" if series.target is not None else ""
    plan = f"{series.plan_reference}: " if with_plan else ""
    return _wrap(f"{plan}{series.name}{target}", 40 if columns > 1 else 85)


def _kpi_panel(ax: Axes, series: KpiSeries, period_ends: Sequence[date], *, title: str, dated: bool) -> None:
    known = [(period_ends.index(p.period_end), p.value) for p in series.points if p.value is not None]
    ends = [0, len(known) - 1] if len(known) > 1 else [0]
    ax.plot(
        [x for x, _ in known],
        [v for _, v in known],
        color=LINE,
        marker="o",
        markevery=ends,
        markersize=4,
        linewidth=1.8,
        label="Actual",
    )
    for index, align in zip(ends, ("left", "right") if len(ends) > 1 else ("center",), strict=True):
        x, value = known[index]
        _value_label(ax, x, value, format_value(value, series.unit), xytext=(0, 6), ha=align)
    _reference_lines(ax, target=series.target, threshold=series.statutory_threshold, describe=lambda v: "")
    values = [v for _, v in known] + [v for v in (series.target, series.statutory_threshold) if v is not None]
    top = max(values)
    ax.set_ylim(0, max(105.0, top * 1.15) if series.unit == "percent" else (top * 1.3 or 1))
    ax.yaxis.set_visible(False)  # a hidden axis makes no ticks at all (making them was a third of the time)
    if dated:
        ax.tick_params(axis="x", labelsize=7, length=3, labelbottom=True)
    else:
        ax.xaxis.set_visible(False)
    ax.set_title(title, fontsize=8, y=1.0)


def _kpi_group(group: KpiGroup) -> Drawing | None:
    """One plan's KPIs as small multiples."""
    return _kpi_multiples(
        f"Key performance indicators: {group.plan_reference}", group.kpis, group.period_ends
    )


def _kpi_misses(kpis: Sequence[KpiSeries], number: int, of: int) -> Drawing | None:
    """Some of the KPIs that miss their mark (of many plans), worst first, as small multiples."""
    ends = sorted({p.period_end for k in kpis for p in k.points})
    title = "Key performance indicators missing their target or statutory threshold"
    if of > 1:
        title += f" ({number} of {of})"
    return _kpi_multiples(title, kpis, ends, with_plan=True)


def _kpi_multiples(
    title: str, series: Sequence[KpiSeries], ends: Sequence[date], *, with_plan: bool = False
) -> Drawing | None:
    """KPIs as small multiples: a panel each, two to a row, one time axis, one legend."""
    kpis = [k for k in series if any(p.value is not None for p in k.points)]
    if not kpis:
        return None

    def draw() -> Figure:
        columns = 2 if len(kpis) > 1 else 1
        rows = -(-len(kpis) // columns)
        titles = [_kpi_title(k, columns, with_plan=with_plan) for k in kpis]
        gap = 0.15 + KPI_TITLE_LINE_IN * max(t.count("\n") + 1 for t in titles)
        height = rows * KPI_AXES_IN + (rows - 1) * gap + gap + KPI_BOTTOM_IN
        figure = _figure(height, left_in=0.2, right_in=0.15, top_in=gap, bottom_in=KPI_BOTTOM_IN)
        width = (WIDTH_IN - 0.35 - KPI_COLUMN_GAP_IN * (columns - 1)) / columns
        figure.subplots_adjust(hspace=gap / KPI_AXES_IN, wspace=KPI_COLUMN_GAP_IN / width)
        axes = figure.subplots(rows, columns, squeeze=False, sharex=True)
        axes[0][0].set_xticks(range(len(ends)), [end.strftime("%b\n%Y") for end in ends])
        axes[0][0].set_xlim(-0.5, len(ends) - 0.5)
        for index, ax in enumerate(axes.flat):
            if index >= len(kpis):
                ax.set_visible(False)
                continue
            # Dates under a panel with no panel below it.
            _kpi_panel(ax, kpis[index], ends, title=titles[index], dated=index + columns >= len(kpis))
        handles = [
            Line2D([], [], color=LINE, marker="o", markersize=4, linewidth=1.8, label="Actual"),
            Line2D([], [], color=TARGET, linestyle="--", linewidth=1.2, label="Target"),
            Line2D([], [], color=THRESHOLD, linestyle=":", linewidth=1.6, label="Statutory threshold"),
        ]
        figure.legend(handles=handles, loc="lower center", ncols=3, fontsize=8)
        return figure

    alt = (
        f"{title}: {len(kpis)} line {'chart' if len(kpis) == 1 else 'charts'}, one an indicator by period. "
        + " ".join(_kpi_description(k, with_plan=with_plan) for k in kpis)
    )
    return title, alt, draw


def _by_organisation(rows: Sequence[ComplianceRow]) -> list[tuple[str, int, int]]:
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.organisation, [0, 0])
        total[0] += row.assigned
        total[1] += row.compliant
    return [(name, assigned, compliant) for name, (assigned, compliant) in sorted(totals.items())]


def _compliance(data: ReportData) -> Drawing | None:
    organisations = [o for o in _by_organisation(data.compliance) if o[1]]
    if not organisations:
        return None
    title = f"Training compliance by organisation: {data.training_course}"
    percents = [round(100 * compliant / assigned, 1) for _, assigned, compliant in organisations]

    def draw() -> Figure:
        labels = [
            f"{format_percent(percent)} ({compliant:,} of {assigned:,})"
            for (_, assigned, compliant), percent in zip(organisations, percents, strict=True)
        ]
        names = [_wrap(name, 30) for name, _, _ in organisations]
        left_in, right_in = _text_width_in(names) + 0.25, _text_width_in(labels, 8) + 0.3
        heading, top_in = _title(title, left_in=left_in, right_in=right_in)
        figure = _figure(
            1.0 + top_in + 0.45 * len(organisations),
            left_in=left_in,
            right_in=right_in,
            bottom_in=0.8,
            top_in=top_in,
        )
        ax = figure.add_subplot()
        positions = list(range(len(organisations)))[::-1]
        ax.barh(positions, [100.0] * len(organisations), color="#E5E6E7", edgecolor="none", label="Assigned")
        bars = ax.barh(positions, percents, color=OKABE_ITO["blue"], edgecolor="#FFFFFF", label="Compliant")
        for bar, label in zip(bars, labels, strict=True):
            _value_label(ax, 100.0, bar.get_y() + bar.get_height() / 2, label, xytext=(4, 0), va="center")
        ax.set_yticks(positions, names)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("Per cent of assigned staff compliant")
        ax.set_title(heading, y=1.0)
        figure.legend(loc="lower center", ncols=2, fontsize=8)
        return figure

    parts = [
        f"{name} {format_percent(p)} ({compliant} of {assigned})"
        for (name, assigned, compliant), p in zip(organisations, percents, strict=True)
    ]
    alt = f"{title}, bar chart of the per cent of assigned staff who are compliant. " + "; ".join(parts) + "."
    return title, alt, draw


def _training_trend(data: ReportData) -> Drawing | None:
    """Staff trained (a number of people) at each date, against the board's target number."""
    trend = data.compliance_trend
    if not trend or not any(p.assigned for p in trend):
        return None
    title = f"Staff trained over time: {data.training_course}"
    target = data.training_target

    def draw() -> Figure:
        rotate = len(trend) > 8
        top = max([*(p.compliant for p in trend), *(p.assigned for p in trend), data.training_target or 0])
        left_in = _text_width_in([f"{top:,}"]) + 0.45
        heading, top_in = _title(title, left_in=left_in, right_in=0.2)
        bottom_in = 1.05 if rotate else 0.75
        figure = _figure(1.6 + top_in + bottom_in, left_in=left_in, bottom_in=bottom_in, top_in=top_in)
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
        _reference_lines(ax, target=target, threshold=None, describe=lambda v: f"{v:,.0f} staff")
        labels = [_short_date(p.on) for p in trend]
        if rotate:
            ax.set_xticks(xs, labels, rotation=45, ha="right")
        else:
            ax.set_xticks(xs, labels)
        ax.set_xlim(-0.4, len(xs) - 0.6)
        ax.set_ylim(0, top * 1.15 or 1)
        ax.set_ylabel("Staff")
        ax.set_title(heading, y=1.0)
        figure.legend(loc="lower center", ncols=3, fontsize=8)
        return figure

    parts = [f"{p.compliant:,} of {p.assigned:,} assigned at {_long_date(p.on)}" for p in trend]
    alt = (
        f"Line chart: {title}. "
        + "; ".join(parts)
        + "."
        + (f" Target {target:,} staff trained (dashed line)." if target is not None else "")
    )
    return title, alt, draw


@dataclass(frozen=True, slots=True)
class ChartPlan:
    """A chart before it is drawn: what the report says about it (known at once, from the data) and how
    to draw it (the CPU work)."""

    key: str
    title: str
    alt_text: str
    draw: Callable[[], Figure]


def chart_plans(data: ReportData) -> list[ChartPlan]:
    """Every chart of the report, in report order, undrawn; a section with no data has no chart.

    Keys: "rag_by_area", "milestones", "slippage", "kpis_<plan reference>" (one per plan with KPI
    values: small multiples; with more KPIs than the paper lists, "kpis_missing_<n>" instead: the KPIs
    that miss their mark, worst first, a few figures of panels), "training_by_organisation",
    "training_trend".
    """
    built: list[tuple[str, Drawing | None]] = [
        ("rag_by_area", _rag_by_area(data)),
        ("milestones", _milestones(data)),
        ("slippage", _slippage(data)),
    ]
    paper = board_paper(data)
    if paper.kpis_as_scorecard:  # many KPIs: those that miss their mark, a few figures of panels
        figures = paper.kpi_chart_panels()
        built += [
            (f"kpis_missing_{n}", _kpi_misses([line.kpi for line in lines], n, len(figures)))
            for n, lines in enumerate(figures, start=1)
        ]
    else:
        built += [(f"kpis_{g.plan_reference}", _kpi_group(g)) for g in paper.kpi_groups]
    built += [
        ("training_by_organisation", _compliance(data)),
        ("training_trend", _training_trend(data)),
    ]
    return [ChartPlan(key, *drawing) for key, drawing in built if drawing is not None]


def report_charts(data: ReportData, *, image_format: str = "svg") -> list[Chart]:
    """Every chart of the report drawn, in report order (chart_plans says which)."""
    return list(each_chart(data, image_format=image_format))


def each_chart(data: ReportData, *, image_format: str = "svg") -> Iterator[Chart]:
    """The report's charts one by one, each as soon as it is drawn, in report order."""
    with _style():
        for plan in chart_plans(data):
            mime, content = _encode(plan.draw(), image_format)
            yield Chart(key=plan.key, title=plan.title, alt_text=plan.alt_text, mime=mime, content=content)
