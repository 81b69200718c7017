# The trigger SQL is built from this file's own table and column names, no outside values.
# ruff: noqa: S608
from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers that count every change to the records behind the compliance figures"

# The stored compliance figures (compliance_figures) stay true while the counters in training_change
# are unchanged. Triggers keep the counters, so no write can be missed (the ORM, the HR import, bulk
# loads, raw SQL), and a counter moves in the writer's own transaction, atomically with the data. The
# same triggers clear out the stored figures the write made useless (the course's; everyone's for
# course 0), and any computed more than KEEP_DAYS ago (for dates nobody asks about any more), so readers
# never have to.
#
# Tables whose rows belong to one course: the SQL expression giving the course of a row `r`. A module's
# progress whose module is already gone (deleted with its version or course) counts as a change to
# everyone's figures (course 0): rare, and never wrong.
COURSE_ROWS = {
    "assignment": "r.course",
    "completion": "r.course",
    "course_version": "r.course",
    "course": "r.id",
    "module_progress": (
        "COALESCE((SELECT v.course FROM module m JOIN course_version v ON v.id = m.version "
        "WHERE m.id = r.module), 0)"
    ),
}
# Tables about people and their places: the columns the figures read. A change to any of them, or a
# deleted row, changes every course's figures (course 0).
PEOPLE_ROWS = {
    "staff": ("organisation", "team", "job_role", "left_on"),
    "organisation": ("name",),
    "team": ("name",),
    "job_role": ("name",),
}
EVENTS = ("insert", "update", "delete")
KEEP_DAYS = 2


def sqlite_statements() -> list[str]:
    """Row triggers: SQLite has no statement triggers, and an upsert on one small row is cheap."""

    def count(course: str) -> str:
        return (
            f"INSERT INTO training_change (course, counter) VALUES ({course}, 1) "
            "ON CONFLICT (course) DO UPDATE SET counter = counter + 1; "
            f"DELETE FROM compliance_figures WHERE course = {course} OR {course} = 0 "
            f"OR computed_at < datetime('now', '-{KEEP_DAYS} days');"
        )

    statements = []
    for table, course in COURSE_ROWS.items():
        for event in EVENTS:
            rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}[event]
            body = " ".join(count(course.replace("r.", f"{row}.")) for row in rows)
            statements.append(
                f"CREATE TRIGGER training_change_{table}_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN {body} END"
            )
    for table, columns in PEOPLE_ROWS.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        statements.append(
            f"CREATE TRIGGER training_change_{table}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN {changed} BEGIN {count('0')} END"
        )
        statements.append(
            f"CREATE TRIGGER training_change_{table}_delete AFTER DELETE ON {table} BEGIN {count('0')} END"
        )
    return statements


def postgres_statements() -> list[str]:
    """Statement triggers with transition tables: one count per course per statement, so a bulk load
    or a rule applied to thousands of people does not update one counter row thousands of times."""
    statements = [
        f"""CREATE FUNCTION training_change_count(courses integer[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO training_change (course, counter)
    SELECT DISTINCT c, 1 FROM unnest(courses) AS c WHERE c IS NOT NULL ORDER BY 1
    ON CONFLICT (course) DO UPDATE SET counter = training_change.counter + 1;
    DELETE FROM compliance_figures
    WHERE course = ANY(courses) OR 0 = ANY(courses) OR computed_at < now() - interval '{KEEP_DAYS} days';
$$"""
    ]
    for table, course in COURSE_ROWS.items():
        function = f"CREATE FUNCTION training_change_on_{table}() RETURNS trigger LANGUAGE plpgsql"
        statements.append(f"""{function} AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM training_change_count(ARRAY(SELECT DISTINCT {course} FROM new_rows r));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM training_change_count(ARRAY(SELECT DISTINCT {course} FROM old_rows r));
    ELSE
        PERFORM training_change_count(
            ARRAY(SELECT {course} FROM new_rows r UNION SELECT {course} FROM old_rows r)
        );
    END IF;
    RETURN NULL;
END
$$""")
        for event in EVENTS:
            transition = {
                "insert": "NEW TABLE AS new_rows",
                "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "delete": "OLD TABLE AS old_rows",
            }[event]
            statements.append(
                f"CREATE TRIGGER training_change_{table}_{event} AFTER {event.upper()} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION training_change_on_{table}()"
            )
    for table, columns in PEOPLE_ROWS.items():
        changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
        function = f"CREATE FUNCTION training_change_on_{table}() RETURNS trigger LANGUAGE plpgsql"
        statements.append(f"""{function} AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM old_rows) THEN
            PERFORM training_change_count(ARRAY[0]);
        END IF;
    ELSIF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed}) THEN
        PERFORM training_change_count(ARRAY[0]);
    END IF;
    RETURN NULL;
END
$$""")
        statements.append(
            f"CREATE TRIGGER training_change_{table}_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION training_change_on_{table}()"
        )
        statements.append(
            f"CREATE TRIGGER training_change_{table}_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION training_change_on_{table}()"
        )
    return statements


def trigger_names() -> list[tuple[str, str]]:
    names = [(f"training_change_{t}_{e}", t) for t in COURSE_ROWS for e in EVENTS]
    return names + [(f"training_change_{t}_{e}", t) for t in PEOPLE_ROWS for e in ("update", "delete")]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="courses", description=DESCRIPTION)

    async def create_triggers():
        from piccolo.engine.postgres import PostgresEngine

        from courses.tables import TrainingChange

        postgres = isinstance(TrainingChange._meta.db, PostgresEngine)
        for statement in postgres_statements() if postgres else sqlite_statements():
            await TrainingChange.raw(statement)

    async def drop_triggers():
        from piccolo.engine.postgres import PostgresEngine

        from courses.tables import TrainingChange

        postgres = isinstance(TrainingChange._meta.db, PostgresEngine)
        for name, table in trigger_names():
            await TrainingChange.raw(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            for table in [*COURSE_ROWS, *PEOPLE_ROWS]:
                await TrainingChange.raw(f"DROP FUNCTION IF EXISTS training_change_on_{table}()")
            await TrainingChange.raw("DROP FUNCTION IF EXISTS training_change_count(integer[])")

    manager.add_raw(create_triggers)
    manager.add_raw_backwards(drop_triggers)
    return manager
