"""Refuse, before any handler runs, what the database could not take and would answer with an error.

PostgreSQL's id columns are 32-bit (SERIAL): an id in an address beyond that range made the query fail, a 500,
where the answer is simply that there is no such page; so did a page number past what SQLite's OFFSET
takes. PostgreSQL text cannot hold a NUL character: a search containing one failed the same way. The JSON
API declares these bounds in its schema and refuses them with 400s naming the parameter (`app/api.py`);
this guard covers the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_400_BAD_REQUEST

MIN_ID = -(2**31)
MAX_ID = 2**31 - 1


def beyond_the_id_range(text: str) -> bool:
    """Whether `text` is a whole number (digits, perhaps signed) that the database's id columns cannot
    hold, however many digits it has (Python refuses to read a number of thousands of digits)."""
    digits = text.strip()
    digits = digits[1:] if digits.startswith(("+", "-")) else digits
    if not digits.isdecimal():
        return False  # not a whole number: the handler's own checks answer it
    return len(digits.lstrip("0")) > len(str(MAX_ID)) or not MIN_ID <= int(text) <= MAX_ID


async def refuse_what_the_database_cannot_take(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    if connection.url.path.startswith("/api/"):
        return
    for value in connection.path_params.values():
        if isinstance(value, int) and not MIN_ID <= value <= MAX_ID:
            raise NotFoundException("No such record")
    # A whole number in the query (a page number, say) beyond what the database takes: no such page.
    for name in _whole_number_parameters(handler):
        raw = connection.query_params.get(name)
        if raw is not None and beyond_the_id_range(raw):
            raise NotFoundException("No such page")
    if any("\x00" in value for _, value in connection.query_params.multi_items()):
        raise HTTPException(
            status_code=HTTP_400_BAD_REQUEST, detail="The address contains a character that is not allowed"
        )


# By the handler's function: Litestar hands each guard a copy of the handler, a new object on every
# request, so a cache keyed by the handler itself would miss every time and keep every copy.
_whole_numbers: dict[Callable[..., Any], tuple[str, ...]] = {}


def _whole_number_parameters(handler: BaseRouteHandler) -> tuple[str, ...]:
    """The handler's parameters typed as whole numbers: read from its signature once, not per request."""
    names = _whole_numbers.get(handler.fn)
    if names is None:
        names = _whole_numbers[handler.fn] = tuple(
            name
            for name, field in handler.parsed_fn_signature.parameters.items()
            if field.is_subclass_of(int) or field.has_inner_subclass_of(int)
        )
    return names
