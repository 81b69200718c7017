"""Charts of the board report: drawn without pyplot, one per KPI, deterministic, with alt text in words."""

from __future__ import annotations

import subprocess
import sys
from xml.etree import ElementTree

import msgspec

from app.reports.charts import Chart, format_value, report_charts
from app.reports.model import ReportData
from tests.app.reports.sample import sample_report


def test_charts_never_import_pyplot() -> None:
    script = (
        "import sys\n"
        "from app.reports.charts import report_charts\n"
        "from tests.app.reports.sample import sample_report\n"
        "report_charts(sample_report())\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)  # noqa: S603 (our own script)


def test_every_section_has_its_chart_and_one_per_kpi() -> None:
    data = sample_report()
    charts = report_charts(data)
    keys = [chart.key for chart in charts]
    assert keys == [
        "rag_by_area",
        "milestones",
        "slippage",
        *[f"kpi_{kpi.kpi_id}" for kpi in data.kpis],
        "training_by_organisation",
        "training_trend",
    ]
    for chart in charts:
        assert chart.mime == "image/svg+xml"
        root = ElementTree.fromstring(chart.content)  # noqa: S314 (our own output)
        assert root.tag.endswith("svg")
        assert chart.data_uri.startswith("data:image/svg+xml;base64,")


def test_alt_text_states_the_figures_in_words() -> None:
    data = sample_report()
    charts = {chart.key: chart for chart in report_charts(data)}
    rag = charts["rag_by_area"].alt_text
    assert "Timeliness of annual reviews: 1 Blue, 1 Green, 1 Amber and 1 Red" in rag
    assert "previous report: 2 Green and 2 Red" in rag
    assert "3 of 5 milestones due were met and 2 missed" in charts["milestones"].alt_text
    assert "WSOA-2026 1.3 action, 90 days" in charts["slippage"].alt_text
    kpi = charts["kpi_1"].alt_text
    assert "78.4% at 30 September 2026" in kpi
    assert "Target 90.0% by 31 March 2027 (dashed line)" in kpi
    assert "statutory threshold 100.0% (dotted line)" in kpi
    assert "Northshire Council 86.2% (56 of 65)" in charts["training_by_organisation"].alt_text
    trend = charts["training_trend"].alt_text
    assert "90 of 113 assigned at 30 September 2026" in trend
    assert "Target 120 staff trained (dashed line)" in trend
    assert all(len(chart.alt_text) > 40 for chart in charts.values())


def test_output_is_deterministic() -> None:
    first = report_charts(sample_report())
    second = report_charts(sample_report())
    assert [c.content for c in first] == [c.content for c in second]
    assert b"<dc:date>" not in first[0].content


def test_png_is_available() -> None:
    charts = report_charts(sample_report(), image_format="png")
    assert charts and all(c.mime == "image/png" and c.content.startswith(b"\x89PNG") for c in charts)


def test_empty_sections_draw_nothing() -> None:
    data = sample_report()
    empty = msgspec.structs.replace(
        data,
        area_rags=[],
        milestones_due=[],
        milestones_met=[],
        slippage=[],
        kpis=[],
        compliance=[],
        compliance_trend=[],
    )
    assert isinstance(empty, ReportData)
    assert report_charts(empty) == []


def test_chart_struct_round_trips() -> None:
    chart = report_charts(sample_report())[0]
    assert msgspec.json.decode(msgspec.json.encode(chart), type=Chart) == chart


def test_format_value() -> None:
    assert format_value(78.4, "percent") == "78.4%"
    assert format_value(298.0, "count") == "298"
    assert format_value(1234.5, "count") == "1,234.5"
    assert format_value(12.0, "days") == "12 days"
    assert format_value(None, "percent") == "no data"
