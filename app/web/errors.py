"""Error answers: problem details (RFC 9457) for the JSON API, GOV.UK-styled pages for people."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

logger = logging.getLogger("assure")

PAGE_TITLES = {
    400: "There is a problem with your request",
    401: "Sign in to use this",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That could not be done",
    413: "The file is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/schema")


def problem(status: int, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = {"type": "about:blank", "title": PAGE_TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(content=body, status_code=status, media_type="application/problem+json")


def _page(request: Request[Any, Any, Any], status: int, detail: str) -> Response[Any]:
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return Template(
        template_name=template,
        context={"status": status, "title": PAGE_TITLES.get(status, "Error"), "detail": detail},
        status_code=status,
    )


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if wants_json(request):
        extra = {"errors": exc.extra} if isinstance(exc.extra, list | dict) and exc.extra else {}
        return problem(status, exc.detail, **extra)
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=f"/sign-in?next={quote(target, safe='')}", status_code=303)
    detail = exc.detail if status < 500 else ""
    return _page(request, status, detail)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return problem(HTTP_500_INTERNAL_SERVER_ERROR, "")
    return _page(request, HTTP_500_INTERNAL_SERVER_ERROR, "")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
