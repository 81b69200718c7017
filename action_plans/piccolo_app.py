import os

from piccolo.conf.apps import AppConfig

from action_plans import tables

APP_CONFIG = AppConfig(
    app_name="action_plans",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        tables.Plan,
        tables.PriorityArea,
        tables.Action,
        tables.ActionPartner,
        tables.Milestone,
        tables.DateRevision,
        tables.ProgressUpdate,
        tables.Evidence,
        tables.Kpi,
        tables.KpiDataPoint,
        tables.TrainingLink,
        tables.CalendarFeed,
    ],
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)
