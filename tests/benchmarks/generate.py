"""Benchmark data: a large council and its partners, written in bulk into an already-migrated database.

Run with `.venv/bin/python -m tests.benchmarks.generate --database-url sqlite:///path --staff 50000
--assignments 1000000 [--courses 200] [--seed N]`, or call `generate(...)`.

It adds partner organisations, about one team per 25 people, job roles, the staff (line managed by
the first person in each team, a few who have left), published courses of a few modules each,
assignment rules for the mandatory courses, and assignments spread evenly over everyone (mandatory
courses first, then a random choice of the others; at most one open assignment per person and
course), with completions for about half of them (some with older history, many expired or
expiring), and module progress for those in progress and some who completed online. The demo
sign-ins are created through `create_user` when they are missing (after `assure demo` they are
already there) and get their share of assignments, so "My training" shows a realistic list.
With `--actions N` it also adds a board and the action plans reporting to it (`report_plans`): about
100 actions a plan in five priority areas, `--milestones` (default five an action), slipped dates with
their revisions, a progress update for the last quarter from each started action, seven KPIs a plan
with eight quarters of values, and one action linked to the first mandatory course.

Rows go in through one connection of the database's own driver, in batches inside one transaction
(executemany on SQLite, COPY on PostgreSQL): per-row ORM calls would take hours at this size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

ORGANISATIONS = [
    ("Westshire County Council SEND Service", "la_send", 30),
    ("Westshire Schools and Colleges Partnership", "education", 25),
    ("Westshire Community Health NHS Trust", "health", 15),
    ("Westshire Acute Hospitals NHS Foundation Trust", "health", 8),
    ("Westshire Integrated Care Board", "health", 4),
    ("Westshire Children's Social Care", "social_care", 12),
    ("Westshire Multi-Academy Trust", "education", 5),
    ("Westshire Parent Carer Forum", "other", 1),
]
TEAM_AREAS = ["North", "South", "East", "West", "Central", "Coastal", "Rural", "City"]
TEAM_KINDS = [
    "SEND Casework",
    "Annual Reviews",
    "Assessment",
    "Preparing for Adulthood",
    "Educational Psychology",
    "Primary Schools",
    "Secondary Schools",
    "Special Schools",
    "Early Years",
    "Speech and Language Therapy",
    "Occupational Therapy",
    "Community Paediatrics",
    "Children with Disabilities",
    "Early Help",
    "Short Breaks",
    "Business Support",
]
JOB_ROLES = [
    "SEND caseworker",
    "SEND team manager",
    "SENCO",
    "Educational psychologist",
    "Social worker",
    "Health practitioner",
    "Designated clinical officer",
    "Head of SEND",
    "Workforce development officer",
    "Business support officer",
    "Speech and language therapist",
    "Occupational therapist",
    "Physiotherapist",
    "Community paediatrician",
    "School nurse",
    "Health visitor",
    "Early years practitioner",
    "Teaching assistant",
    "Class teacher",
    "Head teacher",
    "Family support worker",
    "Independent reviewing officer",
    "Preparing for adulthood adviser",
    "Transport coordinator",
    "Commissioning officer",
    "Mediation officer",
    "Tribunal officer",
    "Data analyst",
    "Quality assurance officer",
    "Parent carer participation officer",
]
FIRST_NAMES = ["Aisha", "Amelia", "Amir", "Ben", "Bethan", "Chloe", "Daniel", "Deepa", "Eleanor", "Emeka"]
FIRST_NAMES += ["Fatima", "Grace", "Hannah", "Isla", "Jack", "Kavya", "Leah", "Maya", "Noah", "Olivia"]
SURNAMES = ["Ahmed", "Bailey", "Begum", "Brown", "Clarke", "Davies", "Evans", "Hughes", "Jones", "Kaur"]
SURNAMES += ["Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Singh", "Smith", "Taylor", "Wright"]
COURSE_TOPICS = [
    "Safeguarding children",
    "Data protection and information governance",
    "Equality, diversity and inclusion",
    "The SEND Code of Practice",
    "Mental Capacity Act",
    "Preparing for adulthood",
    "Person-centred planning",
    "Writing SMART outcomes",
    "Annual reviews",
    "Phase transfers",
    "Autism awareness",
    "ADHD awareness",
    "Speech, language and communication needs",
    "Sensory impairment",
    "Social, emotional and mental health",
    "Co-production with families",
    "Mediation and disagreement resolution",
    "First-tier Tribunal (SEND) appeals",
    "Health advice for EHC needs assessments",
    "Social care advice for EHC needs assessments",
    "Educational psychology advice",
    "Personal budgets",
    "Home to school transport",
    "Alternative provision",
    "Early years SEND",
    "Post-16 and further education",
    "Children in care with SEND",
    "Restrictive practice and positive behaviour support",
    "Record keeping and case notes",
    "Complaints and the Ombudsman",
    "Working with interpreters",
    "Trauma-informed practice",
    "Attendance and emotionally based school avoidance",
    "Exclusions and SEND",
    "Medical conditions in school",
    "Assistive technology",
    "Transition to adult health services",
    "Supervision for practitioners",
    "Quality assuring EHC plans",
    "Statutory timescales in practice",
]
COURSE_LEVELS = ["an introduction", "in practice", "for managers", "refresher", "advanced practice"]
# Courses whose number is below this are mandatory for everyone (assigned by organisation-wide rules).
MANDATORY_COURSES = 10
RECERTIFY_MANDATORY = [12, 24, 36]
RECERTIFY_OTHER = [None, None, 24, 36]
DOMAIN = "westshire.example"
# People are written in batches of this many, with their assignments, completions and progress.
BATCH_PEOPLE = 2_000


class GeneratorError(RuntimeError):
    """The database cannot take the data (already generated, or not migrated)."""


@dataclass
class Generated:
    """How many rows of each kind were added."""

    organisations: int = 0
    teams: int = 0
    job_roles: int = 0
    staff: int = 0
    sign_ins_created: int = 0
    courses: int = 0
    modules: int = 0
    rules: int = 0
    assignments: int = 0
    completions: int = 0
    module_progress: int = 0
    boards: int = 0
    plans: int = 0
    priority_areas: int = 0
    actions: int = 0
    milestones: int = 0
    date_revisions: int = 0
    progress_updates: int = 0
    kpis: int = 0
    kpi_data_points: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        parts = [f"{getattr(self, f.name):,} {f.name.replace('_', ' ')}" for f in fields(self)[:-1]]
        return f"Generated in {self.seconds:.1f} s: " + ", ".join(parts)


# --- writing in bulk -------------------------------------------------------------------------


class BulkWriter:
    """One connection and one transaction, with multi-row inserts in the driver's fastest form."""

    postgres = False

    async def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    async def commit(self) -> None:
        raise NotImplementedError

    async def rollback(self) -> None:
        raise NotImplementedError

    async def max_id(self, table: str) -> int:
        return int((await self.fetch(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'))[0][0])  # noqa: S608


class SQLiteWriter(BulkWriter):
    def __init__(self, path: str) -> None:
        # Piccolo's adapters (dates as ISO text, timestamps in UTC as it writes them) are registered on
        # import, so rows written here read back exactly as rows the app wrote.
        import piccolo.engine.sqlite  # noqa: F401

        self.connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.connection.execute("PRAGMA cache_size = -262144")  # 256 MiB, for the index inserts
        self.connection.execute("BEGIN IMMEDIATE")

    async def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(sql).fetchall())

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            self.connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608

    async def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.close()

    async def rollback(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


class PostgresWriter(BulkWriter):
    postgres = True

    def __init__(self, connection: Any, transaction: Any) -> None:
        self.connection = connection
        self.transaction = transaction
        self.explicit_ids: set[str] = set()

    @classmethod
    async def open(cls, url: str) -> PostgresWriter:
        import asyncpg

        connection = await asyncpg.connect(url)
        transaction = connection.transaction()
        await transaction.start()
        return cls(connection, transaction)

    async def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.connection.fetch(sql)]

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            if "id" in columns:
                self.explicit_ids.add(table)
            await self.connection.copy_records_to_table(table, records=rows, columns=list(columns))

    async def commit(self) -> None:
        # Ids were given explicitly, so move each sequence past them for the app's own inserts.
        for table in sorted(self.explicit_ids):
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT MAX(id) FROM "{table}"))'
            )
        await self.transaction.commit()
        # Autovacuum would soon analyse tables this size; do it now so the planner sees real figures.
        await self.connection.execute("ANALYZE")
        await self.connection.close()

    async def rollback(self) -> None:
        await self.transaction.rollback()
        await self.connection.close()


async def open_writer(database_url: str) -> BulkWriter:
    if database_url.startswith("sqlite:"):
        from app.database import sqlite_path

        return SQLiteWriter(str(sqlite_path(database_url)))
    if database_url.startswith(("postgresql:", "postgres:")):
        return await PostgresWriter.open(database_url)
    raise GeneratorError(f"unsupported database URL: {database_url.split(':')[0]}")


# --- the data --------------------------------------------------------------------------------


def certificate_code(number: int) -> str:
    """A code in the app's format (XXXX-XXXX-XXXX), unique per number; 'W' first marks generated data."""
    digits = f"{number:011d}"
    return f"W{digits[:3]}-{digits[3:7]}-{digits[7:11]}"


def add_months(day: date, months: int) -> date:
    """Whole years only (every interval here is a multiple of 12 months); 29 February becomes the 28th."""
    years = months // 12
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def at(day: date, rng: random.Random) -> datetime:
    """A moment during the working day."""
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=UTC)


async def ensure_sign_ins() -> tuple[list[int], int]:
    """The demo sign-ins' staff ids, creating any that are missing through `create_user`."""
    from app.accounts.provisioning import create_user
    from app.demo import DEMO_DOMAIN, DEMO_PASSWORD, SIGN_INS
    from app.enums import Role
    from app.people import services as people

    ids, created = [], 0
    for role, local, name, *_ in SIGN_INS:
        email = f"{local}@{DEMO_DOMAIN}"
        staff_id = await people.staff_id_by_email(email)
        if staff_id is None:
            staff_id = await create_user(
                email=email,
                full_name=name,
                roles={role} if role is Role.PROFESSIONAL else {role, Role.PROFESSIONAL},
                password=DEMO_PASSWORD,
            )
            created += 1
        ids.append(staff_id)
    return ids, created


async def generate(
    *,
    database_url: str,
    staff: int,
    assignments: int,
    courses: int = 200,
    seed: int = 7,
    today: date | None = None,
    report: Callable[[str], None] = lambda message: None,
    actions: int = 0,
    milestones: int | None = None,
) -> Generated:
    """Add the benchmark dataset to a migrated database (the app's engine must point at the same one);
    with `actions`, a board and its action plans too (`milestones` defaults to five an action)."""
    if staff < 1 or courses < 1 or assignments < 0 or actions < 0 or (milestones or 0) < 0:
        raise GeneratorError(
            "--staff and --courses must be at least 1, --assignments, --actions and --milestones at least 0"
        )
    started = time.perf_counter()
    today = today or date.today()
    now = datetime.now(UTC)
    rng = random.Random(seed)  # noqa: S311 (repeatable benchmark data, not secrets)
    counts = Generated()

    sign_in_ids, counts.sign_ins_created = await ensure_sign_ins()
    writer = await open_writer(database_url)
    try:
        existing = await writer.fetch(
            f"SELECT COUNT(*) FROM organisation WHERE name = '{ORGANISATIONS[0][0]}'"  # noqa: S608
        )
        if existing[0][0]:
            raise GeneratorError("this database already holds the generated data")
        staff_ids = await _write(
            writer, counts, rng, today, now, staff, assignments, courses, sign_in_ids, report
        )
        if actions:
            report(f"writing a board and plans with {actions:,} actions")
            await report_plans(
                writer,
                counts,
                rng,
                today=today,
                now=now,
                actions=actions,
                milestones=5 * actions if milestones is None else milestones,
                staff_ids=staff_ids,
            )
    except BaseException:
        await writer.rollback()
        raise
    report("committing")
    await writer.commit()
    counts.seconds = time.perf_counter() - started
    return counts


async def _write(
    writer: BulkWriter,
    counts: Generated,
    rng: random.Random,
    today: date,
    now: datetime,
    staff: int,
    assignments: int,
    courses: int,
    sign_in_ids: list[int],
    report: Callable[[str], None],
) -> list[int]:
    """Write the council, its staff and training; returns the new staff's ids."""
    # Organisations, teams and job roles.
    next_org = await writer.max_id("organisation") + 1
    org_rows = [(next_org + i, name, kind, True, now, now) for i, (name, kind, _) in enumerate(ORGANISATIONS)]
    await writer.insert(
        "organisation", ("id", "name", "kind", "active", "created_at", "updated_at"), org_rows
    )
    counts.organisations = len(org_rows)

    team_total = max(len(ORGANISATIONS), staff // 25)
    weights = [w for *_, w in ORGANISATIONS]
    team_orgs = [next_org + i for i in range(len(ORGANISATIONS))]  # at least one team each
    team_orgs += rng.choices(
        range(next_org, next_org + len(ORGANISATIONS)), weights, k=team_total - len(team_orgs)
    )
    team_orgs.sort()
    next_team = await writer.max_id("team") + 1
    team_rows = [
        (
            next_team + i,
            f"{TEAM_KINDS[i % len(TEAM_KINDS)]} {TEAM_AREAS[i % len(TEAM_AREAS)]} {i + 1}",
            org,
            True,
            now,
            now,
        )
        for i, org in enumerate(team_orgs)
    ]
    await writer.insert(
        "team", ("id", "name", "organisation", "active", "created_at", "updated_at"), team_rows
    )
    counts.teams = len(team_rows)

    known_roles = {name: int(i) for i, name in await writer.fetch("SELECT id, name FROM job_role")}
    next_role = await writer.max_id("job_role") + 1
    role_rows = []
    for name in JOB_ROLES:
        if name not in known_roles:
            known_roles[name] = next_role
            role_rows.append((next_role, name, "", True, now, now))
            next_role += 1
    await writer.insert(
        "job_role", ("id", "name", "description", "active", "created_at", "updated_at"), role_rows
    )
    counts.job_roles = len(role_rows)
    role_ids = [known_roles[name] for name in JOB_ROLES]

    # Staff: people fill teams in turn; the first in each team manages the rest.
    report(f"writing {staff:,} staff")
    next_staff = await writer.max_id("staff") + 1
    staff_ids = list(range(next_staff, next_staff + staff))
    start_dates: dict[int, date] = {}
    left: set[int] = set()
    staff_rows = []
    manager_of_team: dict[int, int] = {}
    for n, staff_id in enumerate(staff_ids):
        team_index = n % team_total
        team_id = next_team + team_index
        manager = manager_of_team.setdefault(team_id, staff_id)
        start = today - timedelta(days=rng.randint(30, 20 * 365))
        left_on = None
        if rng.random() < 0.03:
            left_on = min(today - timedelta(days=1), start + timedelta(days=rng.randint(30, 3 * 365)))
            left.add(staff_id)
        start_dates[staff_id] = start
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        staff_rows.append(
            (
                staff_id,
                f"{first}.{last}.{n}@{DOMAIN}".lower(),
                f"{first} {last}",
                f"W{n:07d}",
                team_orgs[team_index],
                team_id,
                rng.choice(role_ids),
                None if manager == staff_id else manager,
                start,
                left_on,
                now,
                now,
            )
        )
    columns: tuple[str, ...] = (
        "id",
        "email",
        "full_name",
        "employee_number",
        "organisation",
        "team",
        "job_role",
    )
    columns += ("line_manager", "start_date", "left_on", "created_at", "updated_at")
    for i in range(0, len(staff_rows), 10_000):
        await writer.insert("staff", columns, staff_rows[i : i + 10_000])
    counts.staff = len(staff_rows)

    # Courses, each with one published version of three to six modules.
    next_course = await writer.max_id("course") + 1
    next_version = await writer.max_id("course_version") + 1
    next_module = await writer.max_id("module") + 1
    course_rows, version_rows, module_rows = [], [], []
    recertify: dict[int, int | None] = {}
    modules_of: dict[int, list[int]] = {}
    course_ids = []
    for n in range(courses):
        course_id, version_id = next_course + n, next_version + n
        course_ids.append(course_id)
        mandatory = n < MANDATORY_COURSES
        months = rng.choice(RECERTIFY_MANDATORY if mandatory else RECERTIFY_OTHER)
        recertify[course_id] = months
        topic = COURSE_TOPICS[n % len(COURSE_TOPICS)]
        level = COURSE_LEVELS[(n // len(COURSE_TOPICS)) % len(COURSE_LEVELS)]
        title = f"{topic}: {level}" + (
            f" ({n // (len(COURSE_TOPICS) * len(COURSE_LEVELS)) + 1})" if n >= 200 else ""
        )
        course_rows.append(
            (
                course_id,
                f"WS-{n + 1:04d}",
                title,
                f"What every practitioner needs to know about {topic.lower()}.",
                mandatory,
                months,
                "published",
                now,
                now,
            )
        )
        module_count = rng.randint(3, 6)
        version_rows.append(
            (version_id, course_id, 1, "published", module_count * 15, None, now, None, False, "", "", now)
        )
        modules_of[course_id] = []
        for position in range(1, module_count + 1):
            link = position == module_count and rng.random() < 0.3
            module_rows.append(
                (
                    next_module,
                    version_id,
                    position,
                    "link" if link else "reading",
                    f"Part {position}: {topic}",
                    f"## Part {position}\n\nWhat the law and local policy say about {topic.lower()}.",
                    "https://www.gov.uk/government/publications/send-code-of-practice-0-to-25"
                    if link
                    else "",
                    15,
                )
            )
            modules_of[course_id].append(next_module)
            next_module += 1
    await writer.insert(
        "course",
        (
            "id",
            "code",
            "title",
            "summary",
            "mandatory",
            "recertify_months",
            "status",
            "created_at",
            "updated_at",
        ),
        course_rows,
    )
    await writer.insert(
        "course_version",
        (
            "id",
            "course",
            "number",
            "status",
            "estimated_minutes",
            "pass_mark",
            "published_at",
            "published_by",
            "requires_recompletion",
            "change_reason",
            "content_hash",
            "created_at",
        ),
        version_rows,
    )
    await writer.insert(
        "module",
        ("id", "version", "position", "kind", "title", "body", "url", "estimated_minutes"),
        module_rows,
    )
    counts.courses, counts.modules = len(course_rows), len(module_rows)

    # Mandatory courses are standing rules for every organisation, so the assignments name their rule.
    mandatory_ids = course_ids[:MANDATORY_COURSES]
    optional_ids = course_ids[MANDATORY_COURSES:]
    next_rule = await writer.max_id("assignment_rule") + 1
    rule_rows, rule_of = [], {}
    for course_id in mandatory_ids:
        for org in range(next_org, next_org + len(ORGANISATIONS)):
            rule_rows.append(
                (next_rule, course_id, "organisation", org, "after_assignment", None, 60, None, now, None, "")
            )
            rule_of[(course_id, org)] = next_rule
            next_rule += 1
    await writer.insert(
        "assignment_rule",
        (
            "id",
            "course",
            "target_kind",
            "target_id",
            "due_kind",
            "due_on",
            "due_days",
            "created_by",
            "created_at",
            "ended_at",
            "end_reason",
        ),
        rule_rows,
    )
    counts.rules = len(rule_rows)

    # Assignments, evenly spread over everyone, the sign-ins included; then what people did with them.
    people = sign_in_ids + staff_ids
    org_of = {row[0]: row[4] for row in staff_rows}
    share, extra = divmod(assignments, len(people))
    report(f"writing {assignments:,} assignments (about {share} each) with completions and progress")
    certificate = rng.randrange(10**9)
    assignment_columns = ("course", "staff", "from_rule", "assigned_on", "due_on", "ended_at", "end_reason")
    completion_columns = (
        "staff",
        "course",
        "version_number",
        "completed_on",
        "expires_on",
        "source",
        "evidence",
        "backdate_reason",
        "recorded_by",
        "certificate_code",
        "created_at",
    )
    progress_columns = ("staff", "module", "completed_at")
    for batch_start in range(0, len(people), BATCH_PEOPLE):
        assignment_rows: list[tuple[Any, ...]] = []
        completion_rows: list[tuple[Any, ...]] = []
        progress_rows: list[tuple[Any, ...]] = []
        for index in range(batch_start, min(batch_start + BATCH_PEOPLE, len(people))):
            person = people[index]
            wanted = min(share + (1 if index < extra else 0), len(course_ids))
            chosen = mandatory_ids[:wanted]
            if wanted > len(chosen):
                chosen = chosen + rng.sample(optional_ids, wanted - len(chosen))
            start = start_dates.get(person, today - timedelta(days=3 * 365))
            for course_id in chosen:
                assigned_on = max(start, today - timedelta(days=rng.randint(0, 3 * 365)))
                due_on = assigned_on + timedelta(
                    days=60 if course_id in mandatory_ids else rng.randint(30, 180)
                )
                rule = rule_of.get((course_id, org_of.get(person, 0)))
                ended = rng.random() < 0.02
                assignment_rows.append(
                    (
                        course_id,
                        person,
                        rule,
                        assigned_on,
                        due_on,
                        at(today, rng) - timedelta(days=rng.randint(1, 200)) if ended else None,
                        "No longer needed in this role" if ended else "",
                    )
                )
                roll = rng.random()
                modules = modules_of[course_id]
                if roll < 0.55 and assigned_on < today:
                    completed_on = assigned_on + timedelta(
                        days=rng.randint(0, max(0, (today - assigned_on).days - 1))
                    )
                    months = recertify[course_id]
                    if months and rng.random() < 0.1:
                        # An earlier round of the same course, renewed since.
                        earlier = completed_on - timedelta(days=months * 30 + rng.randint(0, 60))
                        certificate += 1
                        completion_rows.append(
                            (
                                person,
                                course_id,
                                1,
                                earlier,
                                add_months(earlier, months),
                                "offline",
                                "Transferred from the previous learning system",
                                "Loaded as history",
                                None,
                                certificate_code(certificate),
                                at(earlier, rng),
                            )
                        )
                    created_at = at(completed_on, rng)
                    online = rng.random() < 0.7
                    certificate += 1
                    completion_rows.append(
                        (
                            person,
                            course_id,
                            1,
                            completed_on,
                            add_months(completed_on, months) if months else None,
                            "online" if online else "session",
                            "",
                            "",
                            None,
                            certificate_code(certificate),
                            created_at,
                        )
                    )
                    if online and rng.random() < 0.3:
                        progress_rows.extend(
                            (person, m, created_at - timedelta(minutes=5 * (len(modules) - k)))
                            for k, m in enumerate(modules)
                        )
                elif roll < 0.72:
                    done = rng.randint(1, len(modules) - 1)
                    begun = at(assigned_on, rng)
                    progress_rows.extend(
                        (person, m, min(now, begun + timedelta(days=k))) for k, m in enumerate(modules[:done])
                    )
        await writer.insert("assignment", assignment_columns, assignment_rows)
        await writer.insert("completion", completion_columns, completion_rows)
        await writer.insert("module_progress", progress_columns, progress_rows)
        counts.assignments += len(assignment_rows)
        counts.completions += len(completion_rows)
        counts.module_progress += len(progress_rows)
        report(f"  {min(batch_start + BATCH_PEOPLE, len(people)):,} of {len(people):,} people")
    return staff_ids


PLAN_TOPICS = [
    "Timeliness of EHC needs assessments",
    "Annual reviews",
    "Preparing for adulthood",
    "Co-production with families",
    "Quality of EHC plans",
    "Joint commissioning",
    "Alternative provision",
    "Inclusion in mainstream schools",
    "Health advice and therapies",
    "Workforce development",
]
AREA_TITLES = [
    "Leadership and governance",
    "Timeliness",
    "Quality of practice",
    "Working with families",
    "Partnership and commissioning",
]
KPI_NAMES = [
    ("EHC needs assessments completed within 20 weeks", "percent", "higher", 60.0, 90.0, 100.0),
    ("Annual reviews held within 12 months", "percent", "higher", 55.0, 90.0, 100.0),
    ("Amended plans issued within 4 weeks of review", "percent", "higher", 40.0, 80.0, 100.0),
    ("EHC plans judged good in audit", "percent", "higher", 50.0, 80.0, None),
    ("Children without a school place", "count", "lower", 60.0, 10.0, None),
    ("Average days from request to decision", "days", "lower", 9.0, 6.0, 6.0),
    ("Families satisfied with the process", "percent", "higher", 45.0, 75.0, None),
]


def quarter_ends_before(today: date, count: int) -> list[date]:
    """The last `count` calendar quarter ends before `today`, oldest first."""
    ends = []
    end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    for _ in range(count):
        ends.append(end)
        end = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1) - timedelta(days=1)
    return ends[::-1]


async def report_plans(
    writer: BulkWriter,
    counts: Generated,
    rng: random.Random,
    *,
    today: date,
    now: datetime,
    actions: int,
    milestones: int,
    staff_ids: list[int],
) -> None:
    """A board and its approved plans, about 100 actions each, with what a board report reads."""
    board_id = await writer.max_id("board") + 1
    await writer.insert(
        "board",
        [
            "id",
            "name",
            "description",
            "cadence",
            "protective_marking",
            "training_target",
            "active",
            "created_at",
            "updated_at",
        ],
        [
            (
                board_id,
                "Westshire SEND Improvement Board",
                "Generated for benchmarks.",
                "quarterly",
                "OFFICIAL",
                len(staff_ids) // 2,
                True,
                now,
                now,
            )
        ],
    )
    counts.boards = 1
    quarters = quarter_ends_before(today, 8)
    plan_count = max(1, round(actions / 100))
    origins = ["wsoa", "app", "pap", "internal", "ombudsman_remedy"]
    next_plan, next_area = await writer.max_id("plan") + 1, await writer.max_id("priority_area") + 1
    next_action, next_milestone = await writer.max_id("action") + 1, await writer.max_id("milestone") + 1
    next_kpi = await writer.max_id("kpi") + 1
    plan_rows, area_rows, kpi_rows, point_rows = [], [], [], []
    areas_of: dict[int, list[tuple[int, int]]] = {}
    for p in range(plan_count):
        plan_id = next_plan + p
        plan_rows.append(
            (
                plan_id,
                f"WS-PLAN-{p + 1:02d}",
                f"{PLAN_TOPICS[p % len(PLAN_TOPICS)]} improvement plan",
                origins[p % len(origins)],
                "",
                "approved",
                rng.choice(staff_ids),
                board_id,
                today - timedelta(days=365),
                today + timedelta(days=365),
                False,
                False,
                14,
                10,
                now - timedelta(days=300),
                None,
                now,
                now,
            )
        )
        areas_of[plan_id] = []
        for number, title in enumerate(AREA_TITLES, start=1):
            area_rows.append((next_area, plan_id, number, title, "", now, now))
            areas_of[plan_id].append((next_area, number))
            next_area += 1
        for position, (name, unit, direction, first, target, threshold) in enumerate(KPI_NAMES):
            kpi_rows.append(
                (
                    next_kpi,
                    plan_id,
                    None,
                    "",
                    name,
                    "",
                    unit,
                    direction,
                    first,
                    target,
                    quarters[-1] + timedelta(days=365),
                    threshold,
                    position,
                    now,
                    now,
                )
            )
            for q, period_end in enumerate(quarters):
                value = round(first + (target - first) * (q + rng.random()) / (len(quarters) + 2), 1)
                point_rows.append((next_kpi, period_end, value, None, None, "", None, now, now))
            next_kpi += 1
    await writer.insert(
        "plan",
        [
            "id",
            "reference",
            "title",
            "origin",
            "description",
            "status",
            "owner",
            "board",
            "start_date",
            "end_date",
            "require_date_approval",
            "require_evidence",
            "slip_tolerance_days",
            "progress_tolerance_points",
            "approved_at",
            "approved_by",
            "created_at",
            "updated_at",
        ],
        plan_rows,
    )
    await writer.insert(
        "priority_area",
        ["id", "plan", "number", "title", "intended_outcome", "created_at", "updated_at"],
        area_rows,
    )
    await writer.insert(
        "kpi",
        [
            "id",
            "plan",
            "action",
            "template_key",
            "name",
            "description",
            "unit",
            "direction",
            "baseline_value",
            "target_value",
            "target_date",
            "statutory_threshold",
            "position",
            "created_at",
            "updated_at",
        ],
        kpi_rows,
    )
    await writer.insert(
        "kpi_data_point",
        [
            "kpi",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "note",
            "recorded_by",
            "created_at",
            "updated_at",
        ],
        point_rows,
    )

    action_rows, milestone_rows, revision_rows, update_rows = [], [], [], []
    numbers: dict[int, int] = {}  # priority area id -> actions in it so far
    plan_ids = [next_plan + p for p in range(plan_count)]
    share, extra = divmod(milestones, actions)
    for n in range(actions):
        action_id = next_action + n
        plan_id = plan_ids[n % plan_count]
        area_id, area_number = areas_of[plan_id][(n // plan_count) % len(AREA_TITLES)]
        numbers[area_id] = numbers.get(area_id, 0) + 1
        lead = rng.choice(staff_ids)
        start = today - timedelta(days=rng.randint(0, 330))
        baseline = start + timedelta(days=rng.randint(60, 400))
        slipped = rng.random() < 0.25
        forecast = baseline + timedelta(days=rng.randint(7, 120)) if slipped else baseline
        roll = rng.random()
        if roll < 0.02:
            status, actual, percent = "cancelled", None, 0
        elif forecast < today and roll < 0.7:
            status, actual, percent = "complete", forecast - timedelta(days=rng.randint(0, 20)), 100
        elif start < today:
            status, actual, percent = "in_progress", None, rng.randint(5, 95)
        else:
            status, actual, percent = "not_started", None, 0
        action_rows.append(
            (
                action_id,
                plan_id,
                area_id,
                f"{area_number}.{numbers[area_id]}",
                numbers[area_id],
                f"Improve {AREA_TITLES[area_number - 1].lower()}: step {n + 1}",
                lead,
                start,
                baseline,
                forecast,
                actual,
                status,
                percent,
                None,
                "",
                None,
                None,
                now,
                now,
                now,
            )
        )
        if slipped:
            revision_rows.append(
                (
                    plan_id,
                    action_id,
                    None,
                    "forecast",
                    baseline,
                    forecast,
                    "Staff vacancies delayed the work",
                    "applied",
                    lead,
                    now - timedelta(days=rng.randint(1, 90)),
                    None,
                    None,
                    "",
                )
            )
        if status == "in_progress":
            late = (forecast - baseline).days
            rag = "red" if late > 60 else "amber" if late else "green"
            exception = (
                ("Delay to the whole priority area", "Agency cover agreed", "Approve funding")
                if (rag == "red")
                else ("", "", "")
            )
            update_rows.append(
                (
                    plan_id,
                    action_id,
                    quarters[-1],
                    "Work continues as planned.",
                    percent,
                    rag,
                    *exception,
                    lead,
                    now - timedelta(days=rng.randint(1, 60)),
                )
            )
        span = max(1, (forecast - start).days)
        wanted = share + (1 if n < extra else 0)
        for k in range(wanted):
            due = start + timedelta(days=span * (k + 1) // wanted)
            done = due < today and rng.random() < 0.8
            milestone_rows.append(
                (
                    next_milestone,
                    plan_id,
                    action_id,
                    k,
                    f"Milestone {k + 1} of action {n + 1}",
                    lead,
                    due,
                    due,
                    due if done else None,
                    "complete" if done else "not_started",
                    now,
                    now,
                )
            )
            next_milestone += 1
    await writer.insert(
        "action",
        [
            "id",
            "plan",
            "priority_area",
            "reference",
            "position",
            "description",
            "lead",
            "start_date",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "status",
            "percent_complete",
            "rag_override",
            "rag_override_reason",
            "rag_override_by",
            "rag_override_at",
            "last_update_at",
            "created_at",
            "updated_at",
        ],
        action_rows,
    )
    for i in range(0, len(milestone_rows), 10_000):
        await writer.insert(
            "milestone",
            [
                "id",
                "plan",
                "action",
                "position",
                "title",
                "lead",
                "baseline_date",
                "forecast_date",
                "actual_date",
                "status",
                "created_at",
                "updated_at",
            ],
            milestone_rows[i : i + 10_000],
        )
    await writer.insert(
        "date_revision",
        [
            "plan",
            "action",
            "milestone",
            "field",
            "old_date",
            "new_date",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ],
        revision_rows,
    )
    await writer.insert(
        "progress_update",
        [
            "plan",
            "action",
            "period_end",
            "narrative",
            "percent_complete",
            "rag",
            "impact",
            "recovery_action",
            "decision_requested",
            "author",
            "created_at",
        ],
        update_rows,
    )
    # The board's training figures: the first mandatory course, which everyone is assigned.
    course = await writer.fetch("SELECT id FROM course WHERE code = 'WS-0001'")
    if course:
        await writer.insert(
            "training_link",
            [
                "action",
                "course_id",
                "organisation_ids",
                "job_role_ids",
                "target_count",
                "created_at",
                "updated_at",
            ],
            [(next_action, course[0][0], "[]", "[]", len(staff_ids) // 2, now, now)],
        )
    counts.plans, counts.priority_areas = len(plan_rows), len(area_rows)
    counts.actions, counts.milestones = len(action_rows), len(milestone_rows)
    counts.date_revisions, counts.progress_updates = len(revision_rows), len(update_rows)
    counts.kpis, counts.kpi_data_points = len(kpi_rows), len(point_rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Add a large benchmark dataset to a migrated Assure database."
    )
    parser.add_argument("--database-url", required=True, help="sqlite:///path or postgresql://...")
    parser.add_argument("--staff", type=int, default=50_000)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--actions", type=int, default=0, help="Also a board and plans with this many actions."
    )
    parser.add_argument(
        "--milestones", type=int, default=None, help="Milestones in all (default: 5 an action)."
    )
    args = parser.parse_args()
    # Configuration must be in place before anything imports app.piccolo_conf.
    os.environ["ASSURE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")

    async def run() -> Generated:
        from app.database import close_pool, open_pool

        await open_pool()
        try:
            return await generate(
                database_url=args.database_url,
                staff=args.staff,
                assignments=args.assignments,
                courses=args.courses,
                seed=args.seed,
                report=lambda message: print(message, flush=True),
                actions=args.actions,
                milestones=args.milestones,
            )
        finally:
            await close_pool()

    print(asyncio.run(run()).describe())


if __name__ == "__main__":
    main()
