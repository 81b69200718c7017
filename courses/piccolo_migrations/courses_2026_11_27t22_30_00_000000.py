from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes for each person's training look-ups"

# Piccolo's table definitions only declare single-column indexes; the compliance query and
# "My training" look up a person's completions and progress per course, which these serve
# (measured in tests/benchmarks/RESULTS.md).
INDEXES = {
    "completion_staff_course_completed_on": "completion (staff, course, completed_on)",
    "module_progress_staff_module": "module_progress (staff, module)",
    "assignment_staff_course": "assignment (staff, course)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="courses", description=DESCRIPTION)

    async def create_indexes():
        from courses.tables import Completion

        for name, target in INDEXES.items():
            await Completion.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        from courses.tables import Completion

        for name in INDEXES:
            await Completion.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
