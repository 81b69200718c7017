"""The board paper as one HTML document and, from the very same template, an A4 PDF (WeasyPrint).

`report_html` and `report_pdf` are sync CPU work: callers run them in a worker thread. The document is
self-contained: styles inline (app/assets/report.css) and charts as `data:` URIs, so a saved HTML file
shows the same as the PDF and WeasyPrint needs to fetch nothing. `report_pdf_while_drawing` makes the
same PDF while the charts are still being drawn (app.reports.files): only then does it fetch, each
chart from its drawing, when the layout reaches it.

The council's name is a setting. Each function takes it, or reads the settings when it is not given: the
worker process that lays out the PDF (app.reports.files) is given it and reads no settings of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment
from weasyprint import HTML
from weasyprint.text.ffi import harfbuzz_subset
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from app.reports.charts import Chart, ChartPlan
from app.reports.model import ReportData
from app.settings import get_settings
from app.web.templating import make_environment

__all__ = ["REPORT_CSS", "TEMPLATE", "report_html", "report_pdf", "report_pdf_while_drawing"]

TEMPLATE = "reports/board_report.html"
REPORT_CSS = Path(__file__).resolve().parent.parent / "assets" / "report.css"
# The address a chart's image has in the PDF's HTML while the chart is still being drawn.
CHART_SCHEME = "assure-chart"
# Fonts are subset with HarfBuzz's subsetter (libharfbuzz-subset0): the same report gives the same bytes,
# a tenth of the size of whole fonts (about 0.1 MB against 1 MB at demo size) and faster to write.
# Without it WeasyPrint subsets with fontTools, which stamps each subset with the time, so the same
# report would never give the same bytes (or SHA-256 fingerprint): whole fonts are embedded instead.
FULL_FONTS = harfbuzz_subset is None


@lru_cache(maxsize=4)
def _environment(council_name: str) -> Environment:
    # The app's own environment: the same filters and globals as the web pages that show the sections.
    return make_environment(council_name)


@lru_cache(maxsize=1)
def _css() -> str:
    return REPORT_CSS.read_text(encoding="utf-8")


def _render(data: ReportData, charts: list[Chart], *, for_pdf: bool, council_name: str | None) -> str:
    if council_name is None:
        council_name = get_settings().council_name
    template = _environment(council_name).get_template(TEMPLATE)
    return template.render(data=data, charts=charts, css=_css(), for_pdf=for_pdf)


def report_html(data: ReportData, charts: list[Chart], *, council_name: str | None = None) -> str:
    """The board paper as a standalone HTML document."""
    return _render(data, charts, for_pdf=False, council_name=council_name)


def report_pdf(data: ReportData, charts: list[Chart], *, council_name: str | None = None) -> bytes:
    """The board paper as an A4 PDF: cover, contents with page numbers, running header and footer with
    the protective marking on every page; tagged (PDF/UA-1) so assistive technology can read it."""
    # Only the charts' data: URIs are loaded: text typed by people can never make the server fetch a
    # file or a web address.
    html = _render(data, charts, for_pdf=True, council_name=council_name)
    return _pdf(html, URLFetcher(allowed_protocols=("data",)))


def report_pdf_while_drawing(
    data: ReportData,
    plans: list[ChartPlan],
    drawing: Callable[[str], bytes],
    *,
    council_name: str | None = None,
) -> bytes:
    """The same PDF as `report_pdf(data, <the charts drawn>)`, started while the charts are still being
    drawn elsewhere (app.reports.files): their titles and alt text are known from the data, and WeasyPrint
    fetches each image only when it builds the chart's box, after parsing and styling the whole document
    (about a fifth of the PDF's time). `drawing(key)` gives a chart's SVG, waiting for it to be drawn; an
    error it raises stops the PDF with that error."""
    pending = [
        Chart(
            key=plan.key,
            title=plan.title,
            alt_text=plan.alt_text,
            mime="image/svg+xml",
            content=b"",
            url=f"{CHART_SCHEME}:{plan.key}",
        )
        for plan in plans
    ]
    try:
        html = _render(data, pending, for_pdf=True, council_name=council_name)
        return _pdf(html, _DrawnCharts(drawing))
    except FatalURLFetchingError as fatal:
        # WeasyPrint stops on this BaseException; callers see the chart's own error, an Exception.
        raise fatal.__cause__ or RuntimeError(str(fatal)) from None


class _DrawnCharts(URLFetcher):
    """Fetches `assure-chart:<key>` from the charts being drawn (waiting for them), and data: URIs."""

    def __init__(self, drawing: Callable[[str], bytes]) -> None:
        super().__init__(allowed_protocols=("data",))
        self._drawing = drawing

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme, _, key = url.partition(":")
        if scheme != CHART_SCHEME:
            return super().fetch(url, headers)
        # WeasyPrint leaves out an image it cannot fetch and carries on: a missing chart stops it instead.
        try:
            content = self._drawing(key)
        except Exception as exc:
            raise FatalURLFetchingError(f"Chart {key!r} was not drawn") from exc
        return URLFetcherResponse(url, content, headers={"Content-Type": "image/svg+xml"})


def _pdf(html: str, url_fetcher: URLFetcher) -> bytes:
    document = HTML(string=html, url_fetcher=url_fetcher, media_type="print")
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, full_fonts=FULL_FONTS)
