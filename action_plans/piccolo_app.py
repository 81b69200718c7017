import os

from piccolo.conf.apps import AppConfig

from action_plans.tables import Plan

APP_CONFIG = AppConfig(
    app_name="action_plans",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Plan],
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)
