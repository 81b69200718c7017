"""PDF certificates of completion, rendered from a Jinja template by WeasyPrint in a worker thread."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import anyio.to_thread
from jinja2 import Environment
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from app.settings import get_settings
from app.web.templating import make_environment
from courses import learning

TEMPLATE = "courses/certificate.html"


class CertificateNotFound(LookupError):
    """No completion has this id."""


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # The app's own environment, so the certificate shares its filters and council name.
    return make_environment(get_settings().council_name)


def certificate_filename(completion: dict[str, Any]) -> str:
    """A download name that says what the file is, in characters every operating system accepts."""
    code = "".join(c for c in str(completion["course_code"]) if c.isalnum() or c == "-")
    return f"certificate-{code}-{completion['certificate_code']}.pdf"


def certificate_html(completion: dict[str, Any]) -> str:
    return _environment().get_template(TEMPLATE).render(completion=completion)


def _render_pdf(html: str) -> bytes:
    # The template needs nothing from outside; refusing every URL keeps names typed by people from
    # ever making the server fetch a file or a web address.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


async def certificate_pdf(*, completion_id: int) -> bytes:
    """The certificate for one completion as PDF bytes; raises CertificateNotFound for an unknown id."""
    completion = await learning.completion_for_certificate(completion_id)
    if completion is None:
        raise CertificateNotFound(completion_id)
    return await render_certificate(completion)


async def render_certificate(completion: dict[str, Any]) -> bytes:
    """PDF bytes for a completion row as `learning.completion_for_certificate` returns it."""
    html = certificate_html(completion)
    # Layout and PDF writing take a good fraction of a second: never on the event loop.
    return await anyio.to_thread.run_sync(_render_pdf, html)
