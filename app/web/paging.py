"""One page of a long list, and its pagination links in the shape the GOV.UK pagination component
expects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows from a list of `total`, `per_page` a page."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def pagination(*, page: int, pages: int, path: str, query: dict[str, Any]) -> dict[str, Any] | None:
    """Previous/next links and up to seven numbered pages around the current one; None for one page."""
    if pages <= 1:
        return None

    def href(number: int) -> str:
        params = {k: v for k, v in query.items() if v not in (None, "")}
        params["page"] = number
        return f"{path}?{urlencode(params)}"

    numbers = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page})
        previous = number
    params: dict[str, Any] = {"items": items}
    if page > 1:
        params["previous"] = {"href": href(page - 1)}
    if page < pages:
        params["next"] = {"href": href(page + 1)}
    return params
