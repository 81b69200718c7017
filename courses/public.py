"""What other parts of Assure may ask of training. This is the ONLY module action_plans may import
from courses: everything else in courses/ may change without notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from courses import compliance
from courses.enums import TrainingStatus

__all__ = ["CompletionCounts", "completion_counts"]


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
    completed, past the due date, and not merely expired. One SQL statement.
    """
    figures = await compliance.status_counts(
        course_id=course_id,
        scope=compliance.Scope(organisation_ids=organisation_ids, job_role_ids=job_role_ids),
        as_of=as_of or date.today(),
    )
    return CompletionCounts(
        assigned=figures.assigned,
        completed=figures.compliant,
        overdue=figures.counts[TrainingStatus.OVERDUE],
    )
