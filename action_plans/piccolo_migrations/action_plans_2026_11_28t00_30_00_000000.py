from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Evidence.update becomes progress_update, so the column no longer hides Table.update()"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="action_plans", description=DESCRIPTION)
    manager.rename_column(
        table_class_name="Evidence",
        tablename="evidence",
        old_column_name="update",
        new_column_name="progress_update",
        old_db_column_name="update",
        new_db_column_name="progress_update",
        schema=None,
    )
    return manager
