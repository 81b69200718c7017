"""What other parts of Assure may ask of training. This is the ONLY module action_plans may import
from courses: everything else in courses/ may change without notice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from courses import compliance, compliance_cache
from courses.compliance import Audience
from courses.enums import CourseStatus, TrainingStatus
from courses.tables import Course

__all__ = [
    "Audience",
    "CompletedPerson",
    "CompletionCounts",
    "ComplianceBreakdown",
    "ComplianceGroup",
    "ComplianceMonth",
    "CourseChoice",
    "audience_completion_counts",
    "completed_people",
    "completion_counts",
    "compliance_breakdown",
    "course_by_code",
    "course_choices",
    "courses_by_id",
]


@dataclass(frozen=True, slots=True)
class CompletionCounts:
    """People assigned a course, how many hold a valid completion, and how many are overdue."""

    assigned: int
    completed: int
    overdue: int

    @property
    def percent_completed(self) -> float | None:
        return round(100 * self.completed / self.assigned, 1) if self.assigned else None


async def completion_counts(
    *,
    course_id: int,
    organisation_ids: list[int] | None = None,
    job_role_ids: list[int] | None = None,
    as_of: date | None = None,
) -> CompletionCounts:
    """Counts for a course on a date (default today), optionally narrowed to organisations and job roles.

    Assigned: people with an open assignment who had not left. Completed: their latest completion is
    of the version now required and has not expired (so 'expiring soon' counts). Overdue: not validly
    completed, past the due date, and not merely expired. One SQL statement when stored (see
    courses.compliance_cache), two or three when worked out.
    """
    figures = await compliance_cache.status_counts(
        course_id=course_id,
        scope=compliance.Scope(organisation_ids=organisation_ids, job_role_ids=job_role_ids),
        as_of=as_of or date.today(),
    )
    return _counts(figures)


def _counts(figures: compliance.Figures) -> CompletionCounts:
    return CompletionCounts(
        assigned=figures.assigned,
        completed=figures.compliant,
        overdue=figures.counts[TrainingStatus.OVERDUE],
    )


async def audience_completion_counts(
    *, audiences: Sequence[Audience], as_of: date | None = None
) -> dict[Audience, CompletionCounts]:
    """`completion_counts` for several audiences (a course, and optionally organisations and job roles)
    at once, keyed by audience. One SQL statement however many audiences when stored (see
    courses.compliance_cache), three when some are worked out; none when there are none."""
    figures = await compliance_cache.audience_counts(audiences=list(audiences), as_of=as_of or date.today())
    return {audience: _counts(f) for audience, f in figures.items()}


@dataclass(frozen=True, slots=True)
class CompletedPerson:
    """Someone counted as completed: who, where, and the completion that counts."""

    staff_id: int
    full_name: str
    organisation: str
    job_role: str | None
    completed_on: date
    expires_on: date | None
    certificate_code: str


async def completed_people(*, audience: Audience, as_of: date | None = None) -> list[CompletedPerson]:
    """The people `audience_completion_counts` counts as completed, most recent completion first
    (one statement)."""
    rows = await compliance.completed_people(audience=audience, as_of=as_of or date.today())
    return [
        CompletedPerson(
            staff_id=row["staff_id"],
            full_name=row["full_name"],
            organisation=row["organisation_name"],
            job_role=row["job_role_name"],
            completed_on=row["completed_on"],
            expires_on=row["expires_on"],
            certificate_code=row["certificate_code"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class CourseChoice:
    id: int
    code: str
    title: str
    published: bool

    @property
    def label(self) -> str:
        return f"{self.title} ({self.code})"


def _choice(row: dict[str, Any]) -> CourseChoice:
    return CourseChoice(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        published=row["status"] == CourseStatus.PUBLISHED,
    )


async def course_choices() -> list[CourseChoice]:
    """Published courses by title, for choosing one (one statement)."""
    rows = await Course.select(Course.id, Course.code, Course.title, Course.status).where(
        Course.status == CourseStatus.PUBLISHED
    )
    return sorted((_choice(r) for r in rows), key=lambda c: (c.title.lower(), c.id))


async def courses_by_id(*, course_ids: Collection[int]) -> dict[int, CourseChoice]:
    """Courses by id, published or not (a link may outlive a course's publication). One statement."""
    if not course_ids:
        return {}
    rows = await Course.select(Course.id, Course.code, Course.title, Course.status).where(
        Course.id.is_in(list(course_ids))
    )
    return {int(r["id"]): _choice(r) for r in rows}


async def course_by_code(*, code: str) -> CourseChoice | None:
    """The course with this code, published or not; None when there is none. One statement."""
    row = (
        await Course.select(Course.id, Course.code, Course.title, Course.status)
        .where(Course.code == code)
        .first()
    )
    return _choice(row) if row else None


@dataclass(frozen=True, slots=True)
class ComplianceGroup:
    """`CompletionCounts` of one course for the people of one organisation's team or job role
    (`name` None: not recorded)."""

    organisation: str
    name: str | None
    assigned: int
    completed: int
    overdue: int


@dataclass(frozen=True, slots=True)
class ComplianceMonth:
    """People assigned a course and validly completed at the end of a month (or on `today`)."""

    on: date
    assigned: int
    completed: int


@dataclass(frozen=True, slots=True)
class ComplianceBreakdown:
    """A course's figures for a board: by organisation and job role, by organisation and team (each in
    name order, "not recorded" last), and at the end of each of the 12 months to the date (the last
    point is the date itself), oldest first."""

    by_job_role: list[ComplianceGroup]
    by_team: list[ComplianceGroup]
    trend: list[ComplianceMonth]


async def compliance_breakdown(
    *, course_id: int, as_of: date, organisation_ids: list[int] | None = None
) -> ComplianceBreakdown | None:
    """The compliance page's tables by organisation and job role and by team, and its trend, on a date,
    optionally narrowed to organisations; None when there is no such course. One statement when
    stored (see courses.compliance_cache), two more when worked out."""
    figures = await compliance_cache.tables_and_trend(
        course_id=course_id,
        scope=compliance.Scope(organisation_ids=organisation_ids),
        groupings=[compliance.Grouping.ORGANISATION_JOB_ROLE, compliance.Grouping.TEAM],
        today=as_of,
    )
    if figures is None:
        return None
    tables, trend = figures

    def groups(grouping: compliance.Grouping, dimension: str) -> list[ComplianceGroup]:
        return [
            ComplianceGroup(
                organisation=row.organisation or "",
                name=getattr(row, dimension),
                assigned=row.figures.assigned,
                completed=row.figures.compliant,
                overdue=row.figures.counts[TrainingStatus.OVERDUE],
            )
            for row in tables[grouping].rows
        ]

    return ComplianceBreakdown(
        by_job_role=groups(compliance.Grouping.ORGANISATION_JOB_ROLE, "job_role"),
        by_team=groups(compliance.Grouping.TEAM, "team"),
        trend=[ComplianceMonth(on=p.as_of, assigned=p.assigned, completed=p.compliant) for p in trend],
    )
