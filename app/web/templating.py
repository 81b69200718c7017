"""The one Jinja environment: our templates, the GOV.UK Frontend macros, and shell globals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from litestar.connection import ASGIConnection
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

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


def make_environment(settings: Settings) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        service_name=SERVICE_NAME,
        council_name=settings.council_name,
        navigation=navigation,
        csp_nonce=lambda request: csp_nonce(request.scope),
        roles=Role,
        rag_classes=TAG_CLASSES,
        board_paper=board_paper,  # what the board report's sections show of each long list
    )
    env.filters["uk_date"] = lambda d: d.strftime("%-d %B %Y") if d else ""
    env.filters["uk_datetime"] = lambda d: d.strftime("%-d %B %Y at %H:%M") if d else ""
    return env


def template_config(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment(settings)))
