"""Piccolo's configuration: the engine from ASSURE_DATABASE_URL and the project's apps."""

from piccolo.conf.apps import AppRegistry

from app.database import engine_from_url
from app.settings import get_settings

DB = engine_from_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "app.piccolo_app",
        "courses.piccolo_app",
        "action_plans.piccolo_app",
    ]
)
