import os

from piccolo.conf.apps import AppConfig

from app.tables import (
    Account,
    AuditEntry,
    Board,
    BoardMember,
    JobRole,
    Organisation,
    ReportSnapshot,
    RoleGrant,
    Staff,
    StoreEntry,
    Team,
)

APP_CONFIG = AppConfig(
    app_name="app",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Organisation,
        Team,
        JobRole,
        Staff,
        Account,
        RoleGrant,
        AuditEntry,
        StoreEntry,
        Board,
        BoardMember,
        ReportSnapshot,
    ],
    migration_dependencies=[],
    commands=[],
)
