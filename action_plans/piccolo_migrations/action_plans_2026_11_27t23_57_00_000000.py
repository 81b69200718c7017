from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T23:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique action references per plan and one KPI value per period; milestones by plan and date"

# Piccolo's table definitions only declare single-column indexes and constraints.
INDEXES = {
    "action_plan_reference_unique": "UNIQUE INDEX IF NOT EXISTS {name} ON action (plan, reference)",
    "kpi_data_point_kpi_period_unique": "UNIQUE INDEX IF NOT EXISTS {name} ON kpi_data_point (kpi, period_end)",
    "milestone_plan_forecast_date": "INDEX IF NOT EXISTS {name} ON milestone (plan, forecast_date)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="action_plans", description=DESCRIPTION)

    async def create_indexes():
        from action_plans.tables import Action

        for name, target in INDEXES.items():
            await Action.raw("CREATE " + target.format(name=name))

    async def drop_indexes():
        from action_plans.tables import Action

        for name in INDEXES:
            await Action.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
