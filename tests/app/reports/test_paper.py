"""The board paper summarises long lists: the most important lines, the count, and where the rest are
(the workbook); a short list is shown whole with no pointer. The workbook keeps every row."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import timedelta

import msgspec
from openpyxl import load_workbook

from app.reports.charts import report_charts
from app.reports.model import KpiSeries, ReportData
from app.reports.paper import LIMITS, board_paper
from app.reports.render import report_html
from app.reports.workbook import report_xlsx
from app.settings import get_settings
from app.web.templating import make_environment
from tests.app.reports.sample import sample_report

MORE = 7  # how far past each limit the long report goes


def long_report() -> ReportData:
    """The sample report with every list longer than the board paper shows, each line told apart."""
    data = sample_report()
    slip, exception, team = data.slippage[0], data.exceptions[0], data.overdue_by_team[0]
    milestone, role, change = data.milestones_due[0], data.compliance[0], data.changes[0]
    slippage = [
        msgspec.structs.replace(slip, reference=f"8.{n}", reason=f"Slipped reason {n}", days=n + 1)
        for n in range(LIMITS["slippage"] + MORE)
    ]
    exceptions = [
        msgspec.structs.replace(
            exception,
            action_id=1000 + n,
            reference=f"7.{n}",
            title=f"Exception action {n}",
            rag="red" if n % 2 else "amber",
            slippage_days=n,
        )
        for n in range(LIMITS["exception_pages"] + LIMITS["exception_rows"] + MORE)
    ]
    due = [
        msgspec.structs.replace(
            milestone, milestone_id=5000 + n, title=f"Due milestone {n}", rag="red" if n % 3 == 0 else "green"
        )
        for n in range(LIMITS["milestones_due"] + MORE)
    ]
    upcoming = [
        msgspec.structs.replace(
            milestone, milestone_id=6000 + n, title=f"Next milestone {n}", actual_date=None
        )
        for n in range(LIMITS["milestones_next"] + MORE)
    ]
    teams = [
        msgspec.structs.replace(team, team=f"Team {n}", overdue=n + 1)
        for n in range(LIMITS["overdue_teams"] + MORE)
    ]
    roles = [
        msgspec.structs.replace(role, job_role=f"Job role {n}", overdue=n % 5)
        for n in range(LIMITS["compliance_roles"] + MORE)
    ]
    changes = [
        msgspec.structs.replace(change, item=f"Changed item {n}") for n in range(LIMITS["changes"] + MORE)
    ]
    return msgspec.structs.replace(
        data,
        slippage=slippage,
        exceptions=exceptions,
        milestones_due=due,
        milestones_met=[m.milestone_id for m in due if m.rag == "green"],
        milestones_next=upcoming,
        overdue_by_team=teams,
        compliance=roles,
        changes=changes,
    )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_short_list_is_shown_whole_without_a_pointer_to_the_workbook() -> None:
    data = sample_report()
    paper = board_paper(data)
    assert not any(
        excerpt.cut
        for excerpt in (
            paper.exception_pages,
            paper.exception_rows,
            paper.milestones_due,
            paper.milestones_next,
            paper.slippage,
            paper.compliance_roles,
            paper.overdue_teams,
            paper.changes,
        )
    )
    html = report_html(data, report_charts(data))
    assert "workbook's" not in html
    assert "Showing" not in _text(html)
    for line in data.slippage:
        assert line.reason in html
    for team in data.overdue_by_team:
        assert team.team in html
    for exception in data.exceptions:
        assert f'id="exception-{exception.action_id}"' in html
    assert 'id="report-exceptions-more"' not in html


def test_a_long_list_shows_its_most_important_lines_the_count_and_the_workbook() -> None:
    data = long_report()
    html = report_html(data, report_charts(data))
    text = _text(html)

    total = len(data.slippage)
    assert (
        f"Showing the {LIMITS['slippage']} longest slippages of {total}. "
        "Every slipped item is in the workbook's Slippage sheet (XLSX)."
    ) in text
    shown = [n for n in range(total) if f"Slipped reason {n}<" in html]
    assert shown == list(range(total - LIMITS["slippage"], total))  # the longest

    teams = len(data.overdue_by_team)
    assert f"Showing the {LIMITS['overdue_teams']} teams with the most staff overdue, of {teams}." in text
    assert f"{teams} teams have staff with overdue training" in text
    shown = [n for n in range(teams) if f">Team {n}<" in html]
    assert shown == list(range(teams - LIMITS["overdue_teams"], teams))

    due = len(data.milestones_due)
    assert f"Showing {LIMITS['milestones_due']} of the {due} milestones due" in text
    assert "Every milestone due is in the workbook's Milestones due sheet (XLSX)." in text
    missed = [m for m in data.milestones_due if m.milestone_id not in data.milestones_met]
    assert all(f">{m.title}<" in html for m in missed)  # the missed ones come first
    assert (
        f"Showing {LIMITS['milestones_next']} of the {len(data.milestones_next)} milestones due next" in text
    )

    assert f"Showing the first {LIMITS['changes']} of {len(data.changes)} changes." in text
    assert f"of {len(data.compliance)} job roles across the organisations" in text


def test_the_most_serious_exceptions_have_a_page_and_the_next_a_line() -> None:
    data = long_report()
    paper = board_paper(data)
    pages = paper.exception_pages.lines
    assert len(pages) == LIMITS["exception_pages"]
    assert all(e.rag == "red" for e in pages)
    assert [e.slippage_days for e in pages] == sorted((e.slippage_days or 0 for e in pages), reverse=True)
    assert paper.exception_rows.total == len(data.exceptions) - LIMITS["exception_pages"]
    assert len(paper.exception_rows.lines) == LIMITS["exception_rows"]

    html = report_html(data, report_charts(data))
    text = _text(html)
    assert html.count('class="report-exception"') == LIMITS["exception_pages"]
    assert f"{len(data.exceptions)} actions are red or newly slipped." in text
    assert "Every exception report, with its cause, impact, recovery action and decision requested," in text
    assert "in the workbook's Exceptions sheet (XLSX)" in text
    # The contents lists the exceptions with a page, and only those.
    contents = html.split('id="report-contents"')[1].split("</nav>")[0]
    assert contents.count('href="#exception-') == LIMITS["exception_pages"]
    left_out = data.exceptions[0]  # amber and the least slipped: neither a page nor a line
    assert f">{left_out.plan_reference} {left_out.reference} {left_out.title}<" not in html


def test_every_sheet_the_paper_points_to_holds_every_line() -> None:
    data = long_report()
    text = _text(report_html(data, report_charts(data)))
    sheets = set(re.findall(r"the workbook's ([A-Za-z ]+?) sheet", text))
    assert sheets == {
        "Slippage",
        "Exceptions",
        "Milestones due",
        "Next period",
        "Training compliance",
        "Overdue by team",
        "Changes",
    }
    workbook = load_workbook(io.BytesIO(report_xlsx(data)), read_only=True)
    lengths = {
        "Slippage": len(data.slippage),
        "Exceptions": len(data.exceptions),
        "Milestones due": len(data.milestones_due),
        "Next period": len(data.milestones_next),
        "Training compliance": len(data.compliance),
        "Overdue by team": len(data.overdue_by_team),
        "Changes": len(data.changes),
    }
    for sheet in sheets:
        rows = list(workbook[sheet].iter_rows(min_row=3, values_only=True))  # title, then header
        assert len([row for row in rows if any(cell is not None for cell in row)]) == lengths[sheet], sheet


def test_the_dashboard_says_how_to_narrow_a_long_list() -> None:
    data = long_report()
    env = make_environment(get_settings().council_name)
    template = env.from_string(
        '{% from "reports/_report_sections.html" import report_sections %}'
        "{{ report_sections(data, charts, in_workbook=false) }}"
    )
    text = _text(template.render(data=data, charts=[]))
    assert f"Showing the {LIMITS['slippage']} longest slippages of {len(data.slippage)}." in text
    assert "Choose a plan, priority area or organisation above to see fewer at a time." in text
    assert "workbook" not in text


def test_kpis_are_grouped_by_plan_with_every_period() -> None:
    data = sample_report()
    later = data.kpis[0].points[-1].period_end + timedelta(days=92)
    first = data.kpis[0]
    point = msgspec.structs.replace(first.points[-1], period_end=later, value=50.0)
    extra = msgspec.structs.replace(
        first, kpi_id=99, plan_reference="APP-2026", points=[*first.points, point]
    )
    groups = board_paper(msgspec.structs.replace(data, kpis=[*data.kpis, extra])).kpi_groups
    assert [g.plan_reference for g in groups] == ["WSOA-2026", "APP-2026"]
    assert len(groups[0].kpis) == len(data.kpis)
    assert groups[1].period_ends[-1] == later
    assert groups[1].value_on(extra, later) == 50.0
    assert groups[0].value_on(first, later) is None


def _kpis_of_three_plans(data: ReportData) -> list[KpiSeries]:
    """The sample's seven KPIs in each of three plans: more than the summary lists."""
    return [
        msgspec.structs.replace(k, kpi_id=100 * plan + k.kpi_id, plan_reference=f"PLAN-{plan}")
        for plan in range(3)
        for k in data.kpis
    ]


def test_many_kpis_make_one_scorecard_and_charts_of_those_missing_their_mark() -> None:
    data = sample_report()
    kpis = _kpis_of_three_plans(data)
    assert len(kpis) > LIMITS["summary_kpis"]
    many = msgspec.structs.replace(data, kpis=kpis)
    html = report_html(many, report_charts(many))
    text = _text(html)
    summary = text.split("Headline figures")[1].split("RAG summary by priority area")[0]
    assert f"{len(kpis)} indicators across 3 plans." in summary
    for status, count in Counter(k.status for k in kpis).items():
        assert f"{status} {count}" in summary

    section = _text(html.split('id="report-kpis"')[1].split('id="report-training"')[0])
    on_target = sum(1 for k in kpis if k.status.startswith("Meets"))
    missing = sum(1 for k in kpis if k.status.startswith(("Below", "Above")))
    assert (
        f"{on_target} of the {len(kpis)} indicators across 3 plans meet their target or statutory "
        f"threshold; {missing} miss it."
    ) in section
    assert f"The {LIMITS['kpi_panels']} furthest from their mark are charted after it" in section
    assert (
        "Every indicator, with its figure for each period, is in the workbook's KPIs sheet (XLSX)." in section
    )
    # One scorecard: each KPI once, with its plan, latest value and period, target, status and trend;
    # no table a plan.
    assert html.count('class="govuk-table report-table report-table--scorecard"') == 1
    assert 'class="govuk-table report-table report-table--kpis"' not in html
    first = data.kpis[0]
    for k in data.kpis:
        assert section.count(f"{k.name} (higher is better)") == 3
    assert (
        f"PLAN-2 {first.name} (higher is better) 78.4% (30 Sep 2026) 90.0% by Mar 2027 100.0% "
        "Below target Up: better (was 71.2%)"
    ) in section
    assert html.count('class="app-chart report-chart"', html.index('id="report-kpis"')) >= 2
    all_missing = [msgspec.structs.replace(k, status="Below target") for k in kpis]
    text = _text(report_html(msgspec.structs.replace(data, kpis=all_missing), []))
    assert f"None of the {len(kpis)} indicators across 3 plans meet" in text
    # A short list is still listed whole in the summary, and in a table a plan.
    short = report_html(data, report_charts(data))
    assert "indicators across" not in _text(short)
    assert 'class="govuk-table report-table report-table--scorecard"' not in short
    assert 'class="govuk-table report-table report-table--kpis"' in short


def test_the_kpis_that_miss_their_mark_come_worst_first() -> None:
    data = sample_report()
    kpis = _kpis_of_three_plans(data)
    kpis[-1] = msgspec.structs.replace(kpis[-1], status="Below statutory threshold")
    paper = board_paper(msgspec.structs.replace(data, kpis=kpis))
    assert paper.kpis_as_scorecard
    assert [line.kpi for line in paper.kpi_scorecard] == kpis
    misses = paper.kpi_misses
    assert misses.total == sum(1 for k in kpis if k.status.startswith("Below"))
    assert len(misses) == LIMITS["kpi_panels"] and misses.cut
    assert misses.lines[0].kpi is kpis[-1]  # the breach of the statutory threshold first
    gaps = [(line.kpi.target - line.kpi.latest) / line.kpi.target for line in misses.lines[1:]]
    assert gaps == sorted(gaps, reverse=True)
    assert all(line.kpi.status != "Meets target" for line in misses)
    assert [len(panels) for panels in paper.kpi_chart_panels()] == [
        LIMITS["kpi_panels_per_chart"],
        LIMITS["kpi_panels"] - LIMITS["kpi_panels_per_chart"],
    ]
    assert not board_paper(data).kpis_as_scorecard


def _many_areas(data: ReportData) -> ReportData:
    """Three plans of eight priority areas each (more than the paper lists one by one), told apart by
    their red and amber counts; PLAN-2 is new since the previous report."""
    template = data.area_rags[0]
    areas = [
        msgspec.structs.replace(
            template,
            plan_reference=f"PLAN-{plan}",
            area_number=n + 1,
            area_title=f"Area {plan}.{n + 1}",
            rag_counts={
                "blue": 1,
                "green": 2,
                "amber": (n * 5 + plan) % 4,
                "red": (n * 3 + plan) % 5,
                "grey": 0,
            },
            previous_rag_counts=None
            if plan == 2
            else {"blue": 1, "green": 1, "amber": 1, "red": 1, "grey": 0},
        )
        for plan in range(3)
        for n in range(8)
    ]
    return msgspec.structs.replace(data, area_rags=areas)


def test_many_priority_areas_show_rag_by_plan_and_the_areas_most_at_risk() -> None:
    data = _many_areas(sample_report())
    assert len(data.area_rags) > LIMITS["rag_areas"]
    paper = board_paper(data)
    assert paper.rag_areas_by_plan
    plans = {p.plan_reference: p for p in paper.rag_by_plan}
    assert list(plans) == ["PLAN-0", "PLAN-1", "PLAN-2"]
    for reference, plan in plans.items():
        mine = [a for a in data.area_rags if a.plan_reference == reference]
        assert plan.areas == len(mine)
        for rag in ("blue", "green", "amber", "red", "grey"):
            assert plan.rag_counts.get(rag, 0) == sum(a.rag_counts[rag] for a in mine)
    assert plans["PLAN-0"].previous_rag_counts == {"blue": 8, "green": 8, "amber": 8, "red": 8, "grey": 0}
    assert plans["PLAN-2"].previous_rag_counts is None

    at_risk = paper.areas_at_risk
    assert at_risk.total == len(data.area_rags) and len(at_risk) == LIMITS["areas_at_risk"] and at_risk.cut
    keys = [(-a.rag_counts["red"], -a.rag_counts["amber"]) for a in at_risk]
    assert keys == sorted(keys)
    worst = sorted(data.area_rags, key=lambda a: (-a.rag_counts["red"], -a.rag_counts["amber"]))
    assert keys[-1] <= (
        -worst[LIMITS["areas_at_risk"]].rag_counts["red"],
        -worst[LIMITS["areas_at_risk"]].rag_counts["amber"],
    )

    html = report_html(data, report_charts(data))
    section = html.split('id="report-rag"')[1].split('id="report-milestones"')[0]
    text = _text(section)
    p0 = plans["PLAN-0"].rag_counts
    moves = [
        f"{word} +{p0[rag] - 8}" for rag, word in (("green", "Green"), ("amber", "Amber"), ("red", "Red"))
    ]
    assert (
        f"PLAN-0 {p0['blue']} {p0['green']} {p0['amber']} {p0['red']} 0 {sum(p0.values())} "
        + ", ".join(m.replace("+-", "\u2212") for m in moves if not m.endswith("+0"))
    ) in text
    assert f"PLAN-2 {plans['PLAN-2'].rag_counts['blue']} " in text
    assert (
        text.split("PLAN-2 ")[1].split(" Priority areas most at risk")[0].endswith("Not in the last report")
    )
    assert (
        f"Showing the {LIMITS['areas_at_risk']} priority areas with the most red actions, then the most "
        f"amber, of {len(data.area_rags)}. Every priority area is in the workbook's RAG by area sheet (XLSX)."
    ) in text
    shown = [a for a in data.area_rags if f">{a.plan_reference} {a.area_number}. {a.area_title}<" in section]
    assert sorted(shown, key=lambda a: (a.plan_reference, a.area_number)) == sorted(
        at_risk.lines, key=lambda a: (a.plan_reference, a.area_number)
    )
    workbook = load_workbook(io.BytesIO(report_xlsx(data)), read_only=True)
    rows = list(workbook["RAG by area"].iter_rows(min_row=3, values_only=True))
    assert len([row for row in rows if any(cell is not None for cell in row)]) == len(data.area_rags)

    env = make_environment(get_settings().council_name)
    template = env.from_string(
        '{% from "reports/_report_sections.html" import report_sections %}'
        "{{ report_sections(data, charts, in_workbook=false) }}"
    )
    dashboard = _text(template.render(data=data, charts=[]).split('id="report-rag"')[1])
    assert "Choose a plan, priority area or organisation above to see fewer at a time." in dashboard
    assert f"PLAN-0 {p0['blue']} {p0['green']}" in dashboard


def test_many_priority_areas_none_at_risk_says_so() -> None:
    data = _many_areas(sample_report())
    calm = [
        msgspec.structs.replace(a, rag_counts={**a.rag_counts, "amber": 0, "red": 0}) for a in data.area_rags
    ]
    text = _text(report_html(msgspec.structs.replace(data, area_rags=calm), []))
    assert f"None of the {len(calm)} priority areas has a red or amber action." in text


def test_a_few_priority_areas_are_listed_one_by_one() -> None:
    data = sample_report()
    assert len(data.area_rags) <= LIMITS["rag_areas"]
    paper = board_paper(data)
    assert not paper.rag_areas_by_plan and paper.rag_by_plan == []
    section = report_html(data, []).split('id="report-rag"')[1].split('id="report-milestones"')[0]
    for a in data.area_rags:
        assert f">{a.plan_reference} {a.area_number}. {a.area_title}<" in section
    assert "most at risk" not in section and "workbook" not in section
