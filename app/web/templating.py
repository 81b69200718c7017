"""The one Jinja environment: our templates, the GOV.UK Frontend macros, and shell globals."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    pass_environment,
    select_autoescape,
)
from litestar.connection import ASGIConnection
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from action_plans.rag import TAG_CLASSES
from app.accounts.access import CurrentUser
from app.enums import Role
from app.reports.paper import board_paper
from app.settings import Settings
from app.web.security import csp_nonce

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SERVICE_NAME = "Assure"


@dataclass(frozen=True, slots=True)
class NavItem:
    text: str
    href: str
    roles: frozenset[Role] | None = None  # None: everyone signed in


NAVIGATION = (
    NavItem("Home", "/"),
    NavItem("My training", "/my-training"),
    NavItem("Timescale calculator", "/calculator"),
    NavItem("My actions", "/my-actions"),
    NavItem("Action plans", "/plans", frozenset({Role.LEADER})),
    NavItem("Dashboard", "/dashboard", frozenset({Role.LEADER})),
    NavItem("Boards", "/boards", frozenset({Role.LEADER, Role.ADMIN})),
    NavItem("Courses", "/courses", frozenset({Role.TRAINER, Role.ADMIN})),
    NavItem("Training sessions", "/training-sessions", frozenset({Role.TRAINER, Role.ADMIN})),
    NavItem("Compliance", "/compliance", frozenset({Role.TRAINER, Role.LEADER, Role.ADMIN})),
    NavItem("People", "/admin/staff", frozenset({Role.ADMIN})),
    NavItem("Organisations", "/admin/organisations", frozenset({Role.ADMIN})),
    NavItem("Job roles", "/admin/job-roles", frozenset({Role.ADMIN})),
    NavItem("Audit log", "/admin/audit", frozenset({Role.ADMIN})),
    NavItem("Email outbox", "/admin/outbox", frozenset({Role.ADMIN})),
)


def navigation(connection: ASGIConnection[Any, Any, Any, Any]) -> list[dict[str, Any]]:
    """Service navigation items for the signed-in person's roles, with the current one marked."""
    user: CurrentUser | None = connection.scope.get("user")
    if user is None:
        return []
    path = connection.url.path
    items = []
    for item in NAVIGATION:
        if item.roles is not None and not user.roles.intersection(item.roles):
            continue
        active = path == "/" if item.href == "/" else path.startswith(item.href)
        items.append({"text": item.text, "href": item.href, "active": active})
    return items


# Every page's header and service navigation come from GOV.UK Frontend's macros, which cost more to run
# than most pages' own content. Their output depends only on the arguments, so each distinct header and
# menu (one per set of roles and current item) is rendered once and kept; the person's own sign-out
# button goes into the kept menu where this marker stands.
_NAVIGATION_END = Markup("<!-- navigation end -->")
_MACROS = "govuk_frontend_jinja/components/{}/macro.html"


@lru_cache(maxsize=256)
def _service_navigation(env: Environment, items: tuple[tuple[str, str, bool], ...], end: Markup) -> Markup:
    template = env.get_template(_MACROS.format("service-navigation"))
    navigation: Markup = template.module.govukServiceNavigation(  # type: ignore[attr-defined]
        {
            "serviceName": SERVICE_NAME,
            "serviceUrl": "/",
            "navigation": [{"text": t, "href": h, "active": a} for t, h, a in items],
            "navigationLabel": "Main menu",
            "slots": {"navigationEnd": end},
        }
    )
    return navigation


@pass_environment
def service_navigation(env: Environment, items: list[dict[str, Any]], sign_out: Markup) -> Markup:
    """govukServiceNavigation with these items and the sign-out form (as `navigation()` gives them)."""
    kept = tuple((i["text"], i["href"], bool(i["active"])) for i in items)
    if not sign_out.strip():
        return _service_navigation(env, kept, sign_out)
    return _service_navigation(env, kept, _NAVIGATION_END).replace(_NAVIGATION_END, sign_out)


@lru_cache(maxsize=8)
@pass_environment
def generic_header(env: Environment, logo_text: str) -> Markup:
    """govukGenericHeader with the council's name, linking to the home page."""
    template = env.get_template(_MACROS.format("generic-header"))
    header: Markup = template.module.govukGenericHeader({"logoText": logo_text, "url": "/"})  # type: ignore[attr-defined]
    return header


_NO_KEY = object()


class _Environment(Environment):
    """Jinja's environment, reading a dict's key before its attributes: the ORM gives rows as dicts, and
    Jinja's own order (attribute first) costs a raised and caught AttributeError for each `row.title`
    in a template, several a row. A dict's methods (`row.items()`) are still found when it has no such
    key."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            value = obj.get(attribute, _NO_KEY)
            if value is not _NO_KEY:
                return value
        else:
            try:  # Jinja's own first step, here so that other objects pay no extra call
                return builtins.getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def make_environment(council_name: str) -> Environment:
    """The app's Jinja environment, for the council named in its pages (a setting: it is passed in, as a
    worker process that lays out the board paper has no settings of its own)."""
    env = _Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code and change only with a restart: no stat() of each template (and
        # of each one it imports) on every render to see whether it changed on disk.
        auto_reload=False,
    )
    env.globals.update(
        service_name=SERVICE_NAME,
        council_name=council_name,
        navigation=navigation,
        service_navigation=service_navigation,
        generic_header=generic_header,
        csp_nonce=lambda request: csp_nonce(request.scope),
        roles=Role,
        rag_classes=TAG_CLASSES,
        board_paper=board_paper,  # what the board report's sections show of each long list
    )
    env.filters["uk_date"] = lambda d: d.strftime("%-d %B %Y") if d else ""
    env.filters["uk_datetime"] = lambda d: d.strftime("%-d %B %Y at %H:%M") if d else ""
    return env


def template_config(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    environment = make_environment(settings.council_name)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))
