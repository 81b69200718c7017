from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T20:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "course: an index holding published courses in the order the compliance filter lists them"

# The compliance page's course filter and its course search list published courses mandatory first,
# then by title in any case (courses.compliance.COURSE_ORDER). Without an index in that order, every
# page view sorted every published course by its lower-cased title to show the first 26: 0.23 ms at 202
# courses, and more as the catalogue grows; with it, 0.06 ms. An expression index, which Piccolo's table
# definitions cannot declare, hence the raw SQL (the same on SQLite and PostgreSQL).
NAME = "course_published_listing"
TARGET = "course (status, mandatory DESC, (lower(title)), id)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="courses", description=DESCRIPTION)

    async def create_index():
        from courses.tables import Course

        await Course.raw(f"CREATE INDEX IF NOT EXISTS {NAME} ON {TARGET}")

    async def drop_index():
        from courses.tables import Course

        await Course.raw(f"DROP INDEX IF EXISTS {NAME}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
