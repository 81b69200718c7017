# The SQL here is joined from this module's own fragments; every value goes through an argument.
# ruff: noqa: S608
"""Training compliance: where every assigned person stands on a course, counted in SQL by group.

One SQL statement works out each person's status on one or more dates (the same rules as
`courses.learning.status_of`); the views, the drill-down, the trend, reminders and the public
counts for action plans all read it, so they can never disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from dateutil.relativedelta import relativedelta
from piccolo.engine.postgres import PostgresEngine

from app.database import get_engine, json_rows
from app.web.paging import Page
from courses.enums import CourseStatus, TrainingStatus, VersionStatus
from courses.learning import RENEWAL_WINDOW_DAYS
from courses.tables import Assignment, Course

PER_PAGE = 50
TREND_MONTHS = 12
COMPLIANT = (TrainingStatus.COMPLETED, TrainingStatus.EXPIRING_SOON)
# Columns of the compliance table, in the order people read them: done first, then what needs action.
STATUS_ORDER = (
    TrainingStatus.COMPLETED,
    TrainingStatus.EXPIRING_SOON,
    TrainingStatus.EXPIRED,
    TrainingStatus.OVERDUE,
    TrainingStatus.IN_PROGRESS,
    TrainingStatus.NOT_STARTED,
)
STATUS_LABELS = {
    TrainingStatus.COMPLETED: "Completed",
    TrainingStatus.EXPIRING_SOON: "Expiring soon",
    TrainingStatus.EXPIRED: "Expired",
    TrainingStatus.OVERDUE: "Overdue",
    TrainingStatus.IN_PROGRESS: "In progress",
    TrainingStatus.NOT_STARTED: "Not started",
}
# A team or job role id of 0 stands for "not recorded" (ids start at 1).
NOT_RECORDED = 0


class Grouping(StrEnum):
    ORGANISATION = "organisation"
    TEAM = "team"
    JOB_ROLE = "job_role"
    ORGANISATION_JOB_ROLE = "organisation_job_role"
    ALL = "all"

    @property
    def label(self) -> str:
        return {
            "organisation": "Organisation",
            "team": "Team",
            "job_role": "Job role",
            "organisation_job_role": "Organisation and job role",
            "all": "Organisation, team and job role",
        }[self.value]

    @property
    def dimensions(self) -> tuple[str, ...]:
        return {
            "organisation": ("organisation",),
            "team": ("organisation", "team"),
            "job_role": ("job_role",),
            "organisation_job_role": ("organisation", "job_role"),
            "all": ("organisation", "team", "job_role"),
        }[self.value]


@dataclass(frozen=True, slots=True)
class Scope:
    """Who is counted: None means everyone; a list narrows to those ids (0: not recorded)."""

    organisation_ids: list[int] | None = None
    team_ids: list[int] | None = None
    job_role_ids: list[int] | None = None

    @classmethod
    def of(cls, *, organisation: int | None, team: int | None, job_role: int | None) -> Scope:
        def one(value: int | None) -> list[int] | None:
            return None if value is None else [value]

        return cls(one(organisation), one(team), one(job_role))


@dataclass(frozen=True, slots=True)
class Point:
    """A date the statuses are worked out on, with the month it closes (for completions per month)."""

    as_of: date
    month_start: date

    @property
    def next_start(self) -> datetime:
        # Timestamps before midnight (UTC) at the end of as_of count as on or before that day.
        return datetime.combine(self.as_of + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def soon(self) -> date:
        return self.as_of + timedelta(days=RENEWAL_WINDOW_DAYS)


# --- the one status query --------------------------------------------------------------------


class _Sql:
    """Builds raw SQL with named argument markers, rendered in text order to Piccolo's {} placeholders
    (so an argument may be used twice, and pieces may be built in any order)."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.postgres = isinstance(get_engine(), PostgresEngine)

    def arg(self, value: Any, cast: str | None = None) -> str:
        self.values.append(value.value if isinstance(value, StrEnum) else value)
        marker = f"__arg{len(self.values) - 1}__"
        # PostgreSQL cannot infer the type of a bare parameter in a SELECT list; SQLite has no DATE type
        # to cast to (and compares ISO dates and timestamps as text correctly).
        return f"CAST({marker} AS {cast})" if cast and self.postgres else marker

    def in_list(self, column: str, ids: list[int]) -> str:
        """`column IN (...)`, where 0 in ids also matches NULL (not recorded)."""
        real = [i for i in ids if i != NOT_RECORDED]
        parts = []
        if real:
            parts.append(f"{column} IN ({', '.join(self.arg(i) for i in real)})")
        if NOT_RECORDED in ids:
            parts.append(f"{column} IS NULL")
        return f"({' OR '.join(parts)})" if parts else "1 = 0"

    async def run(self, text: str) -> list[dict[str, Any]]:
        args: list[Any] = []

        def placeholder(match: re.Match[str]) -> str:
            args.append(self.values[int(match.group(1))])
            return "{}"

        rendered = _MARKER.sub(placeholder, text)
        return await Assignment.raw(rendered, *args)


_MARKER = re.compile(r"__arg(\d+)__")


def _status_ctes(
    sql: _Sql, *, points: list[Point], course_ids: list[int] | None, scope: Scope, progress: bool = True
) -> str:
    """WITH ... person_status(as_of, staff, course, due_on, expires_on, completion_id, status): one row
    per person, course and point, for open assignments of people in scope who had not left by that date.
    Without `progress`, modules finished are not looked at, so 'in progress' shows as 'not started':
    for counts of who is compliant, which do not depend on it and cost much less."""
    point_rows = " UNION ALL ".join(
        f"SELECT {sql.arg(p.as_of, 'DATE')} AS as_of, {sql.arg(p.month_start, 'DATE')} AS month_start, "
        f"{sql.arg(p.next_start, 'TIMESTAMPTZ')} AS next_start, {sql.arg(p.soon, 'DATE')} AS soon"
        for p in points
    )
    # The course's assignments are read once, then matched to each point (leavers by the point's date).
    staff_conditions = []
    if scope.organisation_ids is not None:
        staff_conditions.append(sql.in_list("s.organisation", scope.organisation_ids))
    if scope.team_ids is not None:
        staff_conditions.append(sql.in_list("s.team", scope.team_ids))
    if scope.job_role_ids is not None:
        staff_conditions.append(sql.in_list("s.job_role", scope.job_role_ids))
    if course_ids is None:
        course_condition = (
            f"a.course IN (SELECT id FROM course WHERE status = {sql.arg(CourseStatus.PUBLISHED)})"
        )
    else:
        course_condition = sql.in_list("a.course", course_ids)
    draft = sql.arg(VersionStatus.DRAFT)
    true = sql.arg(True)
    if progress:
        published = sql.arg(VersionStatus.PUBLISHED)
        busy = f"""
    SELECT DISTINCT asg.as_of, asg.staff, asg.course
    FROM asg
    JOIN points p ON p.as_of = asg.as_of
    JOIN module_progress mp ON mp.staff = asg.staff AND mp.completed_at < p.next_start
    JOIN module m ON m.id = mp.module
    JOIN course_version v ON v.id = m.version AND v.course = asg.course AND v.status = {published}
    LEFT JOIN latest l ON l.as_of = asg.as_of AND l.staff = asg.staff AND l.course = asg.course
    WHERE l.staff IS NULL OR mp.completed_at > l.created_at
"""
    else:
        busy = "SELECT as_of, staff, course FROM asg WHERE 1 = 0"
    return f"""
WITH points AS ({point_rows}),
assigned AS MATERIALIZED (
    SELECT a.staff, a.course, a.assigned_on, a.ended_at, a.due_on, s.left_on
    FROM assignment a
    JOIN staff s ON s.id = a.staff
    WHERE {" AND ".join([course_condition, *staff_conditions])}
),
asg AS (
    SELECT p.as_of, a.staff, a.course, MIN(a.due_on) AS due_on
    FROM points p
    JOIN assigned a ON a.assigned_on <= p.as_of AND (a.ended_at IS NULL OR a.ended_at >= p.next_start)
        AND (a.left_on IS NULL OR a.left_on > p.as_of)
    GROUP BY p.as_of, a.staff, a.course
),
req AS (
    SELECT p.as_of, v.course, MAX(v.number) AS number
    FROM points p
    JOIN course_version v ON v.status <> {draft} AND v.requires_recompletion = {true}
        AND v.published_at < p.next_start
    GROUP BY p.as_of, v.course
),
latest AS (
    SELECT asg.as_of, c.staff, c.course, c.id AS completion_id, c.version_number, c.expires_on, c.created_at
    FROM asg
    JOIN completion c ON c.id = (
        SELECT last.id FROM completion last
        WHERE last.staff = asg.staff AND last.course = asg.course AND last.completed_on <= asg.as_of
        ORDER BY last.completed_on DESC, last.id DESC
        LIMIT 1
    )
),
busy AS ({busy}),
person_status AS (
    SELECT asg.as_of, asg.staff, asg.course, asg.due_on, l.expires_on, l.completion_id,
        CASE
            WHEN l.staff IS NOT NULL AND l.version_number >= COALESCE(r.number, 0) THEN
                CASE
                    WHEN l.expires_on IS NULL OR l.expires_on > p.soon THEN 'completed'
                    WHEN l.expires_on > asg.as_of THEN 'expiring_soon'
                    ELSE 'expired'
                END
            WHEN asg.due_on < asg.as_of THEN 'overdue'
            WHEN b.staff IS NOT NULL THEN 'in_progress'
            ELSE 'not_started'
        END AS status
    FROM asg
    JOIN points p ON p.as_of = asg.as_of
    LEFT JOIN req r ON r.as_of = asg.as_of AND r.course = asg.course
    LEFT JOIN latest l ON l.as_of = asg.as_of AND l.staff = asg.staff AND l.course = asg.course
    LEFT JOIN busy b ON b.as_of = asg.as_of AND b.staff = asg.staff AND b.course = asg.course
)"""


def _status_counts(prefix: str = "st.") -> str:
    """SUM(CASE ...) columns: one count per status, and the compliant total."""
    columns = [
        f"SUM(CASE WHEN {prefix}status = '{s.value}' THEN 1 ELSE 0 END) AS {s.value}" for s in STATUS_ORDER
    ]
    compliant = ", ".join(f"'{s.value}'" for s in COMPLIANT)
    columns.append(f"SUM(CASE WHEN {prefix}status IN ({compliant}) THEN 1 ELSE 0 END) AS compliant")
    return ",\n    ".join(columns)


def _as_date(value: Any) -> date | None:
    """Dates from raw SQL: PostgreSQL gives dates, SQLite gives ISO text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts of assigned people by status, for one group or the total."""

    assigned: int = 0
    counts: dict[TrainingStatus, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))

    @property
    def compliant(self) -> int:
        return sum(self.counts[s] for s in COMPLIANT)

    @property
    def percent_compliant(self) -> float | None:
        return _percent(self.compliant, self.assigned)

    def add(self, other: Figures) -> None:
        self.assigned += other.assigned
        for status in STATUS_ORDER:
            self.counts[status] += other.counts[status]


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One row of the compliance table: a group's names, its ids (for drill-down links) and figures."""

    organisation: str | None
    team: str | None
    job_role: str | None
    keys: dict[str, int]
    figures: Figures


@dataclass(frozen=True, slots=True)
class ComplianceTable:
    course: dict[str, Any]
    grouping: Grouping
    as_of: date
    rows: list[GroupRow]
    total: Figures


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(
        assigned=int(row["assigned"] or 0),
        counts={s: int(row[s.value] or 0) for s in STATUS_ORDER},
    )


_DIMENSION_SQL = {
    "organisation": ("o.id", "o.name"),
    "team": ("t.id", "t.name"),
    "job_role": ("j.id", "j.name"),
}


async def compliance_table(
    *, course_id: int, scope: Scope, grouping: Grouping, as_of: date | None = None
) -> ComplianceTable | None:
    """Each group's counts of assigned people by status, and the total (one statement); None when there
    is no such course."""
    as_of = as_of or date.today()
    sql = _Sql()
    ctes = _status_ctes(sql, points=[Point(as_of, as_of)], course_ids=[course_id], scope=scope)
    selected, grouped = [], []
    for dimension in grouping.dimensions:
        id_sql, name_sql = _DIMENSION_SQL[dimension]
        selected += [f"{id_sql} AS {dimension}_id", f"{name_sql} AS {dimension}_name"]
        grouped += [id_sql, name_sql]
    # The course comes with the groups (one row with no group when nobody is assigned; none when there
    # is no such course).
    query = f"""{ctes},
grouped AS (
    SELECT {", ".join(selected)},
        COUNT(*) AS assigned,
        {_status_counts()}
    FROM person_status st
    JOIN staff s ON s.id = st.staff
    JOIN organisation o ON o.id = s.organisation
    LEFT JOIN team t ON t.id = s.team
    LEFT JOIN job_role j ON j.id = s.job_role
    GROUP BY {", ".join(grouped)}
)
SELECT c.id AS course_id, c.code AS course_code, c.title AS course_title, c.mandatory AS course_mandatory,
    c.status AS course_status, g.*
FROM course c
LEFT JOIN grouped g ON 1 = 1
WHERE c.id = {sql.arg(course_id)}"""
    result = await sql.run(query)
    if not result:
        return None
    first = result[0]
    course = {
        "id": first["course_id"],
        "code": first["course_code"],
        "title": first["course_title"],
        "mandatory": bool(first["course_mandatory"]),
        "status": first["course_status"],
    }
    rows = []
    total = Figures()
    for r in result:
        if r["assigned"] is None:  # nobody assigned
            continue
        figures = _figures(r)
        total.add(figures)
        rows.append(
            GroupRow(
                organisation=r.get("organisation_name"),
                team=r.get("team_name"),
                job_role=r.get("job_role_name"),
                keys={d: r[f"{d}_id"] or NOT_RECORDED for d in grouping.dimensions},
                figures=figures,
            )
        )

    def order(row: GroupRow) -> tuple[Any, ...]:
        # Names in order, "not recorded" after every name.
        return tuple((getattr(row, d) is None, (getattr(row, d) or "").lower()) for d in grouping.dimensions)

    rows.sort(key=order)
    return ComplianceTable(course=course, grouping=grouping, as_of=as_of, rows=rows, total=total)


# --- drill-down ------------------------------------------------------------------------------


async def people_in_cell(
    *,
    course_id: int,
    scope: Scope,
    status: TrainingStatus | None,
    page: int = 1,
    per_page: int = PER_PAGE,
    as_of: date | None = None,
) -> Page:
    """The people behind one cell of the table, by name, with each one's status and due date."""
    as_of = as_of or date.today()
    page = max(1, page)

    async def query(select: str, tail: str) -> list[dict[str, Any]]:
        sql = _Sql()
        ctes = _status_ctes(sql, points=[Point(as_of, as_of)], course_ids=[course_id], scope=scope)
        where = f"WHERE st.status = {sql.arg(status)}" if status is not None else ""
        return await sql.run(f"""{ctes}
SELECT {select}
FROM person_status st
JOIN staff s ON s.id = st.staff
JOIN organisation o ON o.id = s.organisation
LEFT JOIN team t ON t.id = s.team
LEFT JOIN job_role j ON j.id = s.job_role
{where}
{tail}""")

    total = int((await query("COUNT(*) AS total", ""))[0]["total"])
    rows = await query(
        "s.id, s.full_name, s.email, o.name AS organisation_name, t.name AS team_name, "
        "j.name AS job_role_name, st.status, st.due_on, st.expires_on",
        f"ORDER BY s.full_name, s.id LIMIT {int(per_page)} OFFSET {int((page - 1) * per_page)}",
    )
    for row in rows:
        row["status"] = TrainingStatus(row["status"])
        row["status_label"] = STATUS_LABELS[row["status"]]
        row["due_on"] = _as_date(row["due_on"])
        row["expires_on"] = _as_date(row["expires_on"])
    return Page(rows=rows, total=total, page=page, per_page=per_page)


# --- trend -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month_start: date
    as_of: date  # the month's last day, or today for the current month
    completions: int
    assigned: int
    compliant: int

    @property
    def percent_compliant(self) -> float | None:
        return _percent(self.compliant, self.assigned)


def trend_points(today: date, months: int = TREND_MONTHS) -> list[Point]:
    """The end of each of the last `months` months, oldest first; the current month ends today."""
    first = today.replace(day=1)
    points = []
    for back in range(months - 1, -1, -1):
        start = first - relativedelta(months=back)
        end = min(start + relativedelta(months=1) - timedelta(days=1), today)
        points.append(Point(as_of=end, month_start=start))
    return points


async def trend(*, course_id: int, scope: Scope, today: date | None = None) -> list[TrendPoint]:
    """Completions in each of the last 12 months and % compliant at each month end (one statement)."""
    points = trend_points(today or date.today())
    sql = _Sql()
    ctes = _status_ctes(sql, points=points, course_ids=[course_id], scope=scope, progress=False)
    conditions = []
    if scope.organisation_ids is not None:
        conditions.append(sql.in_list("s.organisation", scope.organisation_ids))
    if scope.team_ids is not None:
        conditions.append(sql.in_list("s.team", scope.team_ids))
    if scope.job_role_ids is not None:
        conditions.append(sql.in_list("s.job_role", scope.job_role_ids))
    course = sql.arg(course_id)
    compliant = ", ".join(f"'{s.value}'" for s in COMPLIANT)
    query = f"""{ctes},
done AS (
    SELECT p.as_of, COUNT(*) AS completions
    FROM points p
    JOIN completion c ON c.course = {course} AND c.completed_on >= p.month_start AND c.completed_on <= p.as_of
    JOIN staff s ON s.id = c.staff
    {"WHERE " + " AND ".join(conditions) if conditions else ""}
    GROUP BY p.as_of
),
standing AS (
    SELECT st.as_of, COUNT(*) AS assigned,
        SUM(CASE WHEN st.status IN ({compliant}) THEN 1 ELSE 0 END) AS compliant
    FROM person_status st
    GROUP BY st.as_of
)
SELECT p.as_of, COALESCE(d.completions, 0) AS completions,
    COALESCE(x.assigned, 0) AS assigned, COALESCE(x.compliant, 0) AS compliant
FROM points p
LEFT JOIN done d ON d.as_of = p.as_of
LEFT JOIN standing x ON x.as_of = p.as_of
ORDER BY p.as_of"""
    rows = await sql.run(query)
    by_date = {_as_date(r["as_of"]): r for r in rows}
    return [
        TrendPoint(
            month_start=p.month_start,
            as_of=p.as_of,
            completions=int(by_date[p.as_of]["completions"]),
            assigned=int(by_date[p.as_of]["assigned"]),
            compliant=int(by_date[p.as_of]["compliant"]),
        )
        for p in points
    ]


# --- counts for other parts of Assure ----------------------------------------------------------


async def status_counts(*, course_id: int, scope: Scope, as_of: date) -> Figures:
    """The total figures for a course and scope on a date (one statement)."""
    sql = _Sql()
    ctes = _status_ctes(sql, points=[Point(as_of, as_of)], course_ids=[course_id], scope=scope)
    rows = await sql.run(
        f"{ctes}\nSELECT COUNT(*) AS assigned,\n    {_status_counts()}\nFROM person_status st"
    )
    return _figures(rows[0])


@dataclass(frozen=True, slots=True)
class Audience:
    """People assigned a course, narrowed to organisations and job roles (empty: no narrowing)."""

    course_id: int
    organisation_ids: tuple[int, ...] = ()
    job_role_ids: tuple[int, ...] = ()

    @property
    def scope(self) -> Scope:
        return Scope(
            organisation_ids=list(self.organisation_ids) or None,
            job_role_ids=list(self.job_role_ids) or None,
        )


def _union_or_none(groups: list[tuple[int, ...]]) -> list[int] | None:
    """Every id in the groups, or None when one group is empty (that audience takes everyone)."""
    if not groups or any(not g for g in groups):
        return None
    return sorted({i for g in groups for i in g})


async def audience_counts(*, audiences: list[Audience], as_of: date) -> dict[Audience, Figures]:
    """The total figures of each audience on a date, in one statement: statuses are worked out once
    for every course asked about, then counted per audience."""
    wanted = list(dict.fromkeys(audiences))
    if not wanted:
        return {}
    sql = _Sql()
    scope = Scope(
        organisation_ids=_union_or_none([a.organisation_ids for a in wanted]),
        job_role_ids=_union_or_none([a.job_role_ids for a in wanted]),
    )
    course_ids = sorted({a.course_id for a in wanted})
    ctes = _status_ctes(sql, points=[Point(as_of, as_of)], course_ids=course_ids, scope=scope)

    def integer(value: int) -> str:
        return sql.arg(value, "INTEGER")

    audience_rows = " UNION ALL ".join(
        f"SELECT {integer(n)} AS audience, {integer(a.course_id)} AS course, "
        f"{integer(0 if a.organisation_ids else 1)} AS any_organisation, "
        f"{integer(0 if a.job_role_ids else 1)} AS any_job_role"
        for n, a in enumerate(wanted)
    )
    extra = [f"audiences AS ({audience_rows})"]
    conditions = []
    # A job role of 0 stands for "not recorded", as in Scope.
    for name, column, attribute in (
        ("organisation", "s.organisation", "organisation_ids"),
        ("job_role", "COALESCE(s.job_role, 0)", "job_role_ids"),
    ):
        members = [
            f"SELECT {integer(n)} AS audience, {integer(i)} AS member"
            for n, a in enumerate(wanted)
            for i in getattr(a, attribute)
        ]
        if members:
            extra.append(f"audience_{name} AS ({' UNION ALL '.join(members)})")
            conditions.append(
                f"(au.any_{name} = 1 OR EXISTS (SELECT 1 FROM audience_{name} m "
                f"WHERE m.audience = au.audience AND m.member = {column}))"
            )
    extra_ctes = ",\n".join(extra)
    query = f"""{ctes},
{extra_ctes}
SELECT au.audience, COUNT(*) AS assigned,
    {_status_counts()}
FROM audiences au
JOIN person_status st ON st.course = au.course
JOIN staff s ON s.id = st.staff
{"WHERE " + " AND ".join(conditions) if conditions else ""}
GROUP BY au.audience"""
    rows = await sql.run(query)
    found = {int(r["audience"]): _figures(r) for r in rows}
    return {a: found.get(n, Figures()) for n, a in enumerate(wanted)}


async def completed_people(*, audience: Audience, as_of: date) -> list[dict[str, Any]]:
    """The people of an audience who hold a valid completion on a date, most recent first, with the
    completion they are counted for (one statement)."""
    sql = _Sql()
    ctes = _status_ctes(
        sql, points=[Point(as_of, as_of)], course_ids=[audience.course_id], scope=audience.scope
    )
    compliant = ", ".join(f"'{s.value}'" for s in COMPLIANT)
    rows = await sql.run(f"""{ctes}
SELECT s.id AS staff_id, s.full_name, o.name AS organisation_name, j.name AS job_role_name,
    c.completed_on, c.expires_on, c.certificate_code
FROM person_status st
JOIN staff s ON s.id = st.staff
JOIN organisation o ON o.id = s.organisation
LEFT JOIN job_role j ON j.id = s.job_role
JOIN completion c ON c.id = st.completion_id
WHERE st.status IN ({compliant})
ORDER BY c.completed_on DESC, s.full_name, s.id""")
    for row in rows:
        row["completed_on"] = _as_date(row["completed_on"])
        row["expires_on"] = _as_date(row["expires_on"])
    return rows


async def due_lines(*, today: date, within_days: int) -> list[dict[str, Any]]:
    """Open assignments of published courses that are overdue, expired, or due (or expiring) within
    `within_days`, with the person, their line manager and the date that matters (one statement)."""
    sql = _Sql()
    ctes = _status_ctes(sql, points=[Point(today, today)], course_ids=None, scope=Scope())
    horizon = sql.arg(today + timedelta(days=within_days), "DATE")
    query = f"""{ctes}
SELECT st.staff, s.full_name, s.email, st.course, c.code, c.title, st.status, st.due_on, st.expires_on,
    m.id AS manager_id, m.full_name AS manager_name, m.email AS manager_email
FROM person_status st
JOIN staff s ON s.id = st.staff
JOIN course c ON c.id = st.course
LEFT JOIN staff m ON m.id = s.line_manager AND m.left_on IS NULL
WHERE st.status IN ('overdue', 'expired')
    OR (st.status IN ('not_started', 'in_progress') AND st.due_on <= {horizon})
    OR (st.status = 'expiring_soon' AND st.expires_on <= {horizon})
ORDER BY s.id, st.due_on, c.title"""
    rows = await sql.run(query)
    for row in rows:
        row["status"] = TrainingStatus(row["status"])
        row["due_on"] = _as_date(row["due_on"])
        row["expires_on"] = _as_date(row["expires_on"])
        # Renewals are due when the last completion expires, as 'My training' shows them.
        row["date"] = (
            row["expires_on"]
            if row["status"] in (TrainingStatus.EXPIRING_SOON, TrainingStatus.EXPIRED)
            else row["due_on"]
        )
    return rows


async def course_summary(course_id: int) -> dict[str, Any] | None:
    return (
        await Course.select(Course.id, Course.code, Course.title, Course.mandatory, Course.status)
        .where(Course.id == course_id)
        .first()
    )


# --- choices for the page --------------------------------------------------------------------


# Up to this many published courses, the page's filter lists them all in a select; above it, the page
# names the course and links to a search (find_courses): a select of 200 courses helps nobody, and
# every page would render all of them.
COURSES_IN_SELECT = 25
COURSES_PER_PAGE = 25
# The order of published courses in the filter and the course search: an index holds them in it
# (course_published_listing, migration 2026-11-28T20:20), so a page reads the first few, not sorts all.
COURSE_ORDER = "mandatory DESC, LOWER(title), id"


@dataclass(frozen=True)
class PageChoices:
    """What the compliance page's filters offer, and the course asked for (None: no such course). The
    lists come as JSON and are read when first asked for: a page whose filters are already rendered
    (compliance_controller.main_html) needs only their `key`."""

    chosen: dict[str, Any] | None
    first_of_many: dict[str, Any] | None  # the first published course, when there are too many to list
    courses_json: str  # the published courses when there are few enough to list, else []
    organisations_json: str
    teams_json: str
    job_roles_json: str

    @property
    def more_courses(self) -> bool:
        """More than COURSES_IN_SELECT are published: the page names the course and links to a search
        (find_courses)."""
        return self.first_of_many is not None

    @cached_property
    def courses(self) -> list[dict[str, Any]]:
        """Published, mandatory first, then by title; [] when too many to list."""
        fields = ("id", "title", "code", "mandatory", "status")
        return sorted(
            (_course(dict(zip(fields, c, strict=True))) for c in json.loads(self.courses_json)),
            key=_course_order,
        )

    @property
    def default(self) -> dict[str, Any] | None:
        """The first published course in that order: shown when none is asked for."""
        return self.courses[0] if self.courses else self.first_of_many

    @cached_property
    def organisations(self) -> list[dict[str, Any]]:
        return _by_name(("id", "name", "kind"), self.organisations_json)

    @cached_property
    def teams(self) -> list[dict[str, Any]]:
        """The chosen organisation's teams (and the team asked for), by organisation, then by name."""
        teams = _by_name(("id", "name", "organisation", "organisation_name"), self.teams_json)
        return sorted(teams, key=lambda t: t["organisation_name"].lower())

    @cached_property
    def job_roles(self) -> list[dict[str, Any]]:
        return _by_name(("id", "name"), self.job_roles_json)

    def as_context(self) -> dict[str, Any]:
        return {
            "courses": self.courses,
            "more_courses": self.more_courses,
            "organisations": self.organisations,
            "teams": self.teams,
            "job_roles": self.job_roles,
        }

    def key(self) -> tuple[bool | str, ...]:
        """Everything the filters offer, as one hashable value: equal keys, equal choices (the course
        shown is the view's own)."""
        return (
            self.more_courses,
            self.courses_json,
            self.organisations_json,
            self.teams_json,
            self.job_roles_json,
        )


def _by_name(fields: tuple[str, ...], text: str) -> list[dict[str, Any]]:
    """Rows of a JSON list of arrays as dicts of these fields, by name (any case), then id."""
    rows = [dict(zip(fields, row, strict=True)) for row in json.loads(text)]
    return sorted(rows, key=lambda row: (row["name"].lower(), row["id"]))


def _course(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "title": row["title"],
        "mandatory": bool(row["mandatory"]),
        "status": row["status"],
    }


def _course_order(course: dict[str, Any]) -> tuple[bool, str, int]:
    return (not course["mandatory"], course["title"].lower(), course["id"])


async def page_choices(
    *, course_id: int | None, organisation_id: int | None = None, team_id: int | None = None
) -> PageChoices:
    """Published courses (all of them up to COURSES_IN_SELECT; above that only the first, shown when none
    is asked for) and the one asked for, published or not; organisations, the chosen organisation's
    teams (and the team asked for) and job roles, in one statement (light: no staff counts). A large
    council has thousands of teams: listed only once an organisation is chosen. Each list comes as one
    JSON text: a row sent costs far more than the database's work for it."""
    sql = _Sql()
    published = sql.arg(CourseStatus.PUBLISHED)
    asked = sql.arg(course_id if course_id is not None else -1, "INTEGER")
    organisation = sql.arg(organisation_id if organisation_id is not None else -1, "INTEGER")
    team = sql.arg(team_id if team_id is not None else -1, "INTEGER")
    listed_courses = json_rows(
        "id, title, code, mandatory, status",
        f"SELECT * FROM listed WHERE (SELECT COUNT(*) FROM listed) <= {COURSES_IN_SELECT}",
    )
    organisations = json_rows("id, name, kind", "SELECT id, name, kind FROM organisation")
    teams = json_rows(
        "id, name, organisation, organisation_name",
        "SELECT t.id, t.name, t.organisation, o.name AS organisation_name "
        "FROM team t JOIN organisation o ON o.id = t.organisation "
        f"WHERE t.organisation = {organisation} OR t.id = {team}",
    )
    job_roles = json_rows("id, name", "SELECT id, name FROM job_role")
    rows = await sql.run(f"""
WITH listed AS (
    SELECT id, title, code, mandatory, status FROM course WHERE status = {published}
    ORDER BY {COURSE_ORDER} LIMIT {COURSES_IN_SELECT + 1}
)
SELECT 'first_of_many' AS kind, id, title, code, mandatory, status, CAST(NULL AS VARCHAR) AS list
FROM (SELECT * FROM listed ORDER BY {COURSE_ORDER} LIMIT 1) first_listed
WHERE (SELECT COUNT(*) FROM listed) > {COURSES_IN_SELECT}
UNION ALL
SELECT 'asked', id, title, code, mandatory, status, NULL FROM course WHERE id = {asked}
UNION ALL
SELECT 'courses', NULL, NULL, NULL, NULL, NULL, {listed_courses}
UNION ALL SELECT 'organisations', NULL, NULL, NULL, NULL, NULL, {organisations}
UNION ALL SELECT 'teams', NULL, NULL, NULL, NULL, NULL, {teams}
UNION ALL SELECT 'job_roles', NULL, NULL, NULL, NULL, NULL, {job_roles}""")
    found = {row["kind"]: row for row in rows}
    return PageChoices(
        chosen=_course(found["asked"]) if "asked" in found else None,
        first_of_many=_course(found["first_of_many"]) if "first_of_many" in found else None,
        courses_json=found["courses"]["list"],
        organisations_json=found["organisations"]["list"],
        teams_json=found["teams"]["list"],
        job_roles_json=found["job_roles"]["list"],
    )


async def find_courses(*, search: str = "", page: int = 1, per_page: int = COURSES_PER_PAGE) -> Page:
    """Published courses whose code or title holds `search` (any case), mandatory first, then by title:
    one page of them and how many there are in all (one statement)."""
    page = max(1, page)
    sql = _Sql()
    where = f"status = {sql.arg(CourseStatus.PUBLISHED)}"
    # Each word anywhere in the code or the title, taken literally (as app.database.icontains).
    position = "strpos" if sql.postgres else "instr"
    for word in search.lower().split():
        text = sql.arg(word, "VARCHAR")
        where += f" AND ({position}(LOWER(code), {text}) > 0 OR {position}(LOWER(title), {text}) > 0)"
    rows = await sql.run(f"""
SELECT id, title, code, mandatory, status, COUNT(*) OVER () AS total
FROM course WHERE {where}
ORDER BY {COURSE_ORDER}
LIMIT {int(per_page)} OFFSET {int((page - 1) * per_page)}""")
    total = int(rows[0]["total"]) if rows else 0
    if not rows and page > 1:
        # Past the last page (the list changed, or the address was edited): how many there are.
        total = int((await sql.run(f"SELECT COUNT(*) AS total FROM course WHERE {where}"))[0]["total"])
    return Page(rows=[_course(r) for r in rows], total=total, page=page, per_page=per_page)
