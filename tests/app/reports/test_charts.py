"""Charts of the board report: drawn without pyplot, one per plan's KPIs, deterministic, with alt text in
words."""

from __future__ import annotations

import subprocess
import sys
from xml.etree import ElementTree

import msgspec

from app.reports.charts import MAX_AREA_BARS, Chart, format_value, report_charts
from app.reports.model import KpiSeries, ReportData
from app.reports.paper import LIMITS
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


def test_every_section_has_its_chart_and_one_per_plan_with_kpis() -> None:
    data = sample_report()
    charts = report_charts(data)
    keys = [chart.key for chart in charts]
    assert keys == [
        "rag_by_area",
        "milestones",
        "slippage",
        "kpis_WSOA-2026",  # the plan's seven KPIs as small multiples
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
    kpi = charts["kpis_WSOA-2026"].alt_text
    assert "7 line charts" in kpi
    for series in data.kpis:  # every KPI's name, values and status are in the words
        assert series.name in kpi
        assert f"{series.status}." in kpi
    assert "78.4% at 30 September 2026" in kpi
    assert "Target 90.0% by 31 March 2027 (dashed line)" in kpi
    assert "statutory threshold 100.0% (dotted line)" in kpi
    assert "Northshire Council 86.2% (56 of 65)" in charts["training_by_organisation"].alt_text
    trend = charts["training_trend"].alt_text
    assert "90 of 113 assigned at 30 September 2026" in trend
    assert "Target 120 staff trained (dashed line)" in trend
    assert all(len(chart.alt_text) > 40 for chart in charts.values())


def _kpis_of_plans(plans: int) -> list[KpiSeries]:
    data = sample_report()
    return [
        msgspec.structs.replace(k, kpi_id=100 * plan + k.kpi_id, plan_reference=f"PLAN-{plan}")
        for plan in range(plans)
        for k in data.kpis
    ]


def test_up_to_the_summary_limit_kpis_make_one_chart_a_plan() -> None:
    kpis = _kpis_of_plans(2)
    assert len(kpis) <= LIMITS["summary_kpis"]
    charts = report_charts(msgspec.structs.replace(sample_report(), kpis=kpis))
    kpi_charts = [c for c in charts if c.key.startswith("kpis_")]
    assert [c.key for c in kpi_charts] == ["kpis_PLAN-0", "kpis_PLAN-1"]
    assert all(c.alt_text.count("(dashed line)") == 7 for c in kpi_charts)  # each KPI's target


def test_many_kpis_chart_only_those_missing_their_mark_worst_first() -> None:
    kpis = _kpis_of_plans(10)
    # One breach of the statutory threshold, in the last plan: it comes first however small its gap.
    breach = next(
        i for i, k in enumerate(kpis) if k.plan_reference == "PLAN-9" and k.status == "Below target"
    )
    kpis[breach] = msgspec.structs.replace(kpis[breach], status="Below statutory threshold")
    data = msgspec.structs.replace(sample_report(), kpis=kpis)
    charts = report_charts(data)
    kpi_charts = [c for c in charts if c.key.startswith("kpis_")]
    assert [c.key for c in kpi_charts] == ["kpis_missing_1", "kpis_missing_2"]
    assert kpi_charts[0].title.endswith("(1 of 2)")
    per_chart = LIMITS["kpi_panels_per_chart"]
    assert [c.alt_text.count("(dashed line)") for c in kpi_charts] == [
        per_chart,
        LIMITS["kpi_panels"] - per_chart,
    ]
    missing = [k for k in kpis if k.status.startswith(("Below", "Above"))]
    assert len(missing) > LIMITS["kpi_panels"]
    first = kpi_charts[0].alt_text.split("one an indicator by period. ")[1]
    assert first.startswith(f"PLAN-9: {kpis[breach].name} (higher is better)")
    # Then the furthest below target: 52.3% against 80% is the sample's widest gap.
    assert first.split("Below statutory threshold. ")[1].startswith(
        "PLAN-0: Amended plans finalised within 12 weeks of the review meeting"
    )
    text = " ".join(c.alt_text for c in kpi_charts)
    assert "Meets target." not in text  # a KPI on target is in the scorecard, not charted


def test_a_long_slippage_list_charts_its_longest() -> None:
    data = sample_report()
    many = [
        msgspec.structs.replace(data.slippage[0], reference=f"9.{n}", days=n + 1)
        for n in range(LIMITS["slippage"] + 5)
    ]
    slippage = {c.key: c for c in report_charts(msgspec.structs.replace(data, slippage=many))}["slippage"]
    assert f"the {LIMITS['slippage']} longest of {len(many)}" in slippage.alt_text
    assert f"9.{len(many) - 1} action, {len(many)} days" in slippage.alt_text  # the longest
    assert "9.0 action," not in slippage.alt_text  # the shortest is left out


def test_many_priority_areas_are_charted_by_plan() -> None:
    data = sample_report()
    areas = [
        msgspec.structs.replace(area, area_number=10 * n + area.area_number)
        for n in range(5)
        for area in data.area_rags
    ]
    assert len(areas) > MAX_AREA_BARS
    chart = report_charts(msgspec.structs.replace(data, area_rags=areas))[0]
    assert chart.title == "Actions by RAG status in each plan"
    for plan in {a.plan_reference for a in areas}:
        assert f"{plan}: " in chart.alt_text


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
