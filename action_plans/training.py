"""Training-linked actions: progress that comes live from course completions, asked of
`courses.public` (the only part of courses/ action_plans may use)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from action_plans.tables import TrainingLink
from courses import public as training

__all__ = ["TrainingProgress", "live_progress"]


@dataclass(frozen=True, slots=True)
class TrainingProgress:
    course_id: int
    completed: int  # people in the audience holding a valid completion
    assigned: int
    target: int

    @property
    def percent(self) -> int:
        """Percent of the target reached, 0 to 100."""
        if self.target <= 0:
            return 100
        return min(100, (100 * self.completed) // self.target)

    @property
    def reached(self) -> bool:
        return self.completed >= self.target


async def live_progress(*, action_ids: Collection[int], today: date) -> dict[int, TrainingProgress]:
    """Training progress of each linked action among `action_ids` (unlinked actions are absent)."""
    if not action_ids:
        return {}
    links = await TrainingLink.select().where(TrainingLink.action.is_in(list(action_ids)))
    progress = {}
    for link in links:
        counts = await training.completion_counts(
            course_id=link["course_id"],
            organisation_ids=link["organisation_ids"] or None,
            job_role_ids=link["job_role_ids"] or None,
            as_of=today,
        )
        progress[link["action"]] = TrainingProgress(
            course_id=link["course_id"],
            completed=counts.completed,
            assigned=counts.assigned,
            target=link["target_count"],
        )
    return progress
