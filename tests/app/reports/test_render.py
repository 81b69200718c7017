"""The board paper: HTML and PDF from the same template, read back as a person would (pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest

from app.reports.charts import Chart, report_charts
from app.reports.model import ReportData
from app.reports.render import FULL_FONTS, report_html, report_pdf
from app.settings import get_settings
from app.web.templating import make_environment
from tests.app.reports.sample import sample_report

PDFTOTEXT = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


@pytest.fixture(scope="module")
def sample() -> tuple[ReportData, list[Chart]]:
    data = sample_report()
    return data, report_charts(data)


@pytest.fixture(scope="module")
def pdf(sample: tuple[ReportData, list[Chart]]) -> bytes:
    started = time.perf_counter()
    content = report_pdf(*sample)
    print(f"PDF of the sample report: {time.perf_counter() - started:.2f} s, {len(content)} bytes")
    return content


def _pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 (fixed tool, our own file)
        [str(PDFTOTEXT), *(args or ("-layout",)), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    # pdftotext separates pages with a form feed.
    return _pdftotext(pdf, tmp_path).split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_html_document_shows_every_chart_with_its_alt_text(sample: tuple[ReportData, list[Chart]]) -> None:
    data, charts = sample
    html = report_html(data, charts)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    parser = _Images()
    parser.feed(html)
    assert len(parser.images) == len(charts) >= 6
    for image, chart in zip(parser.images, charts, strict=True):
        assert image["alt"] == chart.alt_text
        assert (image["src"] or "").startswith("data:image/svg+xml;base64,")
    assert "<script" not in html
    assert 'style="' not in html  # no inline style attributes (CSP)


def test_html_has_every_section_and_rag_words(sample: tuple[ReportData, list[Chart]]) -> None:
    data, charts = sample
    html = report_html(data, charts)
    for section in (
        "Executive summary",
        "RAG summary by priority area",
        "Milestones",
        "Slippage",
        "Exception reports",
        "Key performance indicators",
        "Training compliance",
        "Overdue training by team",
        "Changes since the last report",
    ):
        assert f">{section}</h2>" in html
    for exception in data.exceptions:
        assert f'id="exception-{exception.action_id}"' in html
        assert exception.recovery_action in html
    # Every RAG tag carries its word.
    tags = re.findall(r'<strong class="govuk-tag [^"]*report-rag--(\w+)">(\w+)<', html)
    assert tags and all(word == rag.capitalize() for rag, word in tags)
    assert "Blue +1, Green \N{MINUS SIGN}1, Amber +1, Red \N{MINUS SIGN}1" in html


def test_sections_render_inside_web_pages() -> None:
    # The web pages import the macro through the app's own environment.
    data = sample_report(with_previous=False)
    env = make_environment(get_settings().council_name)
    template = env.from_string(
        '{% from "reports/_report_sections.html" import report_sections %}{{ report_sections(data, charts) }}'
    )
    html = template.render(data=data, charts=report_charts(data))
    assert "Executive summary" in html
    assert "This is the board's first report" in html
    assert "Not in the last report" in html
    assert "<h1" not in html  # the page around it owns the h1


@needs_poppler
def test_pdf_has_cover_contents_page_numbers_and_marking(pdf: bytes, tmp_path: Path) -> None:
    pages = _pages(pdf, tmp_path)
    total = len(pages)
    assert total >= 10
    cover = _squash(pages[0])
    assert "SEND Improvement Board" in cover
    assert "July to September 2026" in cover
    assert "6 October 2026 at 14:05" in cover
    assert "WSOA-2026: Written Statement of Action 2026" in cover
    contents = _squash(pages[1])
    assert "Contents" in contents
    # Each contents entry ends with the page its section starts on (target-counter).
    entries = dict(re.findall(r"\d+\. ([A-Z][A-Za-z ]+?) ?\.{3,} ?(\d+)", contents))
    assert set(entries) >= {"Executive summary", "Slippage", "Exception reports", "Overdue training by team"}
    for title, number in entries.items():
        assert title in _squash(pages[int(number) - 1])
    for number, page in enumerate(pages, start=1):
        text = _squash(page)
        assert f"Page {number} of {total}" in text
        assert text.count("OFFICIAL") >= 2  # header and footer
        if number > 1:
            assert "SEND Improvement Board — July to September 2026" in text
            assert "Generated 6 October 2026 at 14:05" in text


@needs_poppler
def test_pdf_marking_comes_from_the_data(sample: tuple[ReportData, list[Chart]], tmp_path: Path) -> None:
    data, charts = sample
    sensitive = msgspec.structs.replace(data, protective_marking="OFFICIAL-SENSITIVE")
    pages = _pages(report_pdf(sensitive, charts), tmp_path)
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)


@needs_poppler
def test_pdf_text_holds_the_figures(pdf: bytes, tmp_path: Path) -> None:
    # Reading order, not layout: a table cell's wrapped lines stay together.
    text = _squash(_pdftotext(pdf, tmp_path, "-raw"))
    data = sample_report()
    for headline in data.headlines:
        assert headline.label in text
        assert headline.value in text
    for expected in (
        "78.4%",  # KPI latest
        "90.0%",  # KPI target
        "298",  # count KPI
        "Approve £48,000 for six months of agency cover.",  # decision requested
        "Two case officer posts vacant since June; agency cover starts in October",  # slippage reason
        "3 of 5 met",
        "90 of 113 staff assigned are compliant (79.6%)",
        "The board's target is 120 staff trained: 75.0% of the target is reached",
        "0-19 Health Visiting East",
        "88.1%",  # 37 of 42 SEND case officers
        "Blue +1, Green \N{MINUS SIGN}1, Amber +1, Red \N{MINUS SIGN}1",  # change since the last report
    ):
        assert expected in text, expected


def test_pdf_is_tagged_and_has_a_chart_for_every_figure(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    alt_texts = 0
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            alt_texts += zlib.decompress(match.group(1)).count(b"/Alt")
        except zlib.error:
            continue
    # Each chart is an image with alternative text in the PDF's structure tree.
    assert alt_texts >= 6
    assert alt_texts == len(report_charts(sample_report()))


def test_pdf_is_reproducible(sample: tuple[ReportData, list[Chart]], pdf: bytes) -> None:
    assert report_pdf(*sample) == pdf


def test_an_empty_report_still_renders() -> None:
    # A new board with no plans yet and no course: every section says so in words.
    data = msgspec.structs.replace(
        sample_report(with_previous=False),
        plans=[],
        headlines=[],
        area_rags=[],
        milestones_due=[],
        milestones_met=[],
        milestones_next=[],
        slippage=[],
        exceptions=[],
        kpis=[],
        training_course="",
        training_target=None,
        compliance=[],
        compliance_trend=[],
        overdue_by_team=[],
    )
    charts = report_charts(data)
    assert charts == []
    html = report_html(data, charts)
    for words in (
        "No plans report to this board.",
        "No milestones were due in this period.",
        "Nothing has slipped",
        "there are no exception reports",
        "No course is linked to these plans",
        "No team has overdue training.",
        "This is the board's first report",
    ):
        assert words in html
    assert report_pdf(data, charts).startswith(b"%PDF-")


def test_fonts_are_subset_where_harfbuzz_can(pdf: bytes) -> None:
    # With HarfBuzz's subsetter (which .ci/run installs) only the glyphs used are embedded: the whole
    # DejaVu Sans alone is over 700 kB.
    assert not FULL_FONTS
    assert len(pdf) < 400_000
