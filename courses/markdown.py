"""Course reading content as safe HTML in GOV.UK styles: Markdown in, no raw HTML or script links out."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

# Only these link and image targets survive; anything else (javascript:, data:, vbscript:…) is left as
# plain text. Relative addresses and page anchors have no scheme and are allowed.
SAFE_SCHEMES = ("https:", "http:", "mailto:")

# The page around the content has its own h1, so a Markdown "#" becomes an h2 like "##"; deeper levels stay
# as written, so the outline never skips a level that the author did not skip.
HEADING_CLASSES = {"h2": "govuk-heading-l", "h3": "govuk-heading-m", "h4": "govuk-heading-s"}

TAG_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--l govuk-section-break--visible",
    "table_open": "govuk-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
}


def _is_safe_link(url: str) -> bool:
    address = "".join(url.split()).lower()  # browsers ignore spaces and newlines inside a scheme
    if ":" not in address.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True
    return address.startswith(SAFE_SCHEMES)


def _govuk_classes(state: Any) -> None:
    """A core rule: give each block and link the GOV.UK class it needs; no heading competes with the h1."""
    _style(state.tokens)


def _style(tokens: Sequence[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = max(2, int(token.tag[1]))
            token.tag = f"h{level}"
            if token.type == "heading_open":
                token.attrSet("class", HEADING_CLASSES.get(token.tag, "govuk-heading-s"))
        elif token.type in TAG_CLASSES:
            token.attrSet("class", TAG_CLASSES[token.type])
        if token.type == "link_open" and not _is_safe_link(str(token.attrGet("href") or "")):
            token.attrSet("href", "#")
        if token.children:
            _style(token.children)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _is_safe_link  # type: ignore[method-assign]
    md.core.ruler.push("govuk_classes", _govuk_classes)
    return md


def render_markdown(text: str) -> Markup:
    """Markdown as HTML with GOV.UK classes; raw HTML is shown as text and unsafe links are dropped."""
    return Markup(_parser().render(text or ""))  # noqa: S704 (markdown-it escapes all text; raw HTML is off)
