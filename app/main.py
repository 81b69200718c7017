"""The application factory: every plugin, route, guard and handler is wired here."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from action_plans.routes import ACTION_PLAN_CONTROLLERS
from app import database
from app.accounts.access import enforce_access, public, signed_in
from app.accounts.controllers import SignInController
from app.accounts.middleware import CurrentUserMiddleware
from app.accounts.sessions import COOKIE_NAME, SessionManager
from app.accounts.throttle import SignInThrottle
from app.admin.controllers import ADMIN_CONTROLLERS
from app.api import API_CONTROLLERS
from app.reports.controllers import REPORT_CONTROLLERS
from app.reports.files import stop_workers
from app.settings import Settings, get_settings
from app.stores import make_store
from app.web.bounds import refuse_what_the_database_cannot_take
from app.web.errors import EXCEPTION_HANDLERS
from app.web.pages import PagesController
from app.web.security import add_security_headers
from app.web.templating import template_config
from courses.assignment_controller import AssignmentController
from courses.authoring_controller import CourseAuthoringController
from courses.calculator_controller import CalculatorController
from courses.certificates_controller import CertificateController, VerifyController
from courses.compliance_controller import ComplianceController
from courses.learning_controller import MyTrainingController
from courses.outbox_controller import OutboxController
from courses.sessions_controller import OfflineCompletionController, TrainingSessionsController

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await database.open_pool()
        # What exists now (modules, routes, the engine: about 250,000 objects) lives as long as the
        # process. Frozen, the garbage collector stops walking it all in each full collection, which
        # stalled whichever requests were in flight for tens of milliseconds.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(stop_workers)  # the board reports' worker processes, if started
            await database.close_pool()

    state = State(
        {
            "settings": settings,
            "sessions": SessionManager(make_store(settings, "session"), settings),
            "throttle": SignInThrottle(make_store(settings, "throttle"), settings),
        }
    )
    # The pages people use stay out of the OpenAPI schema, which is for the JSON API's integrations.
    pages = Router(
        path="/",
        include_in_schema=False,
        route_handlers=[
            SignInController,
            PagesController,
            CalculatorController,
            ComplianceController,
            OutboxController,
            CourseAuthoringController,
            CertificateController,
            VerifyController,
            TrainingSessionsController,
            OfflineCompletionController,
            MyTrainingController,
            AssignmentController,
            *ADMIN_CONTROLLERS,
            *ACTION_PLAN_CONTROLLERS,
            *REPORT_CONTROLLERS,
        ],
    )
    return Litestar(
        route_handlers=[
            pages,
            *API_CONTROLLERS,
            create_static_files_router(path="/static", directories=[STATIC], opt=public(), name="static"),
        ],
        lifespan=[lifespan],
        state=state,
        guards=[enforce_access, refuse_what_the_database_cannot_take],
        middleware=[CurrentUserMiddleware()],
        before_send=[add_security_headers],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="assure_csrf",
            cookie_httponly=True,
            header_name="x-csrf-token",
        ),
        template_config=template_config(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Assure API",
            version="1",
            description="Read access to Assure's people and organisations for BI and HR integrations.",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={
                    "session": SecurityScheme(
                        type="apiKey",
                        name=COOKIE_NAME,
                        security_scheme_in="cookie",
                        description="The session cookie set by signing in at /sign-in",
                    )
                }
            ),
            openapi_router=Router(
                path="/schema", route_handlers=[], opt=signed_in(), include_in_schema=False
            ),
        ),
        logging_config=LoggingConfig(
            root={"level": logging.getLevelName(logging.INFO), "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        debug=False,
    )
