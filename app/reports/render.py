"""The board paper as one HTML document and, from the very same template, an A4 PDF (WeasyPrint).

`report_html` and `report_pdf` are sync CPU work: callers run them in a worker thread. The document is
self-contained: styles inline (app/assets/report.css) and charts as `data:` URIs, so a saved HTML file
shows the same as the PDF and WeasyPrint needs to fetch nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment
from weasyprint import HTML
from weasyprint.text.ffi import harfbuzz_subset
from weasyprint.urls import URLFetcher

from app.reports.charts import Chart
from app.reports.model import ReportData
from app.settings import get_settings
from app.web.templating import make_environment

__all__ = ["REPORT_CSS", "TEMPLATE", "report_html", "report_pdf"]

TEMPLATE = "reports/board_report.html"
REPORT_CSS = Path(__file__).resolve().parent.parent / "assets" / "report.css"
# Fonts are subset with HarfBuzz's subsetter (libharfbuzz-subset0): the same report gives the same bytes,
# a tenth of the size of whole fonts (about 0.1 MB against 1 MB at demo size) and faster to write.
# Without it WeasyPrint subsets with fontTools, which stamps each subset with the time, so the same
# report would never give the same bytes (or SHA-256 fingerprint): whole fonts are embedded instead.
FULL_FONTS = harfbuzz_subset is None


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # The app's own environment: the same filters and globals as the web pages that show the sections.
    return make_environment(get_settings())


@lru_cache(maxsize=1)
def _css() -> str:
    return REPORT_CSS.read_text(encoding="utf-8")


def _render(data: ReportData, charts: list[Chart], *, for_pdf: bool) -> str:
    template = _environment().get_template(TEMPLATE)
    return template.render(data=data, charts=charts, css=_css(), for_pdf=for_pdf)


def report_html(data: ReportData, charts: list[Chart]) -> str:
    """The board paper as a standalone HTML document."""
    return _render(data, charts, for_pdf=False)


def report_pdf(data: ReportData, charts: list[Chart]) -> bytes:
    """The board paper as an A4 PDF: cover, contents with page numbers, running header and footer with
    the protective marking on every page; tagged (PDF/UA-1) so assistive technology can read it."""
    html = _render(data, charts, for_pdf=True)
    # Only the charts' data: URIs are loaded: text typed by people can never make the server fetch a
    # file or a web address.
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",)), media_type="print")
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, full_fonts=FULL_FONTS)
