import os

from piccolo.conf.apps import AppConfig

from courses.tables import Course

APP_CONFIG = AppConfig(
    app_name="courses",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Course],
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)
