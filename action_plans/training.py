"""Training-linked actions: progress that comes live from course completions, asked of
`courses.public` (the only part of courses/ action_plans may use)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from action_plans.tables import Action, TrainingLink
from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction
from app.tables import JobRole, Organisation
from courses import public as training

__all__ = [
    "LinkedTraining",
    "TrainingError",
    "TrainingEvidence",
    "TrainingProgress",
    "get_link",
    "link_training",
    "live_progress",
    "training_evidence",
    "unlink_training",
]


class TrainingError(ValueError):
    """A training link that breaks rules: a message for the person by field at fault (every problem
    at once, so the form can show them all)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


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


@dataclass(frozen=True, slots=True)
class LinkedTraining:
    """An action's link: the course, the audience (empty lists: everyone assigned it) and the target."""

    id: int
    action_id: int
    course_id: int
    organisation_ids: list[int]
    job_role_ids: list[int]
    target_count: int

    @property
    def audience(self) -> training.Audience:
        return training.Audience(
            course_id=self.course_id,
            organisation_ids=tuple(sorted(self.organisation_ids)),
            job_role_ids=tuple(sorted(self.job_role_ids)),
        )


def _ids(value: Any) -> list[int]:
    return [int(v) for v in value or []]


def _linked(row: dict[str, Any]) -> LinkedTraining:
    return LinkedTraining(
        id=row["id"],
        action_id=row["action"],
        course_id=row["course_id"],
        organisation_ids=_ids(row["organisation_ids"]),
        job_role_ids=_ids(row["job_role_ids"]),
        target_count=row["target_count"],
    )


async def _links(action_ids: Collection[int]) -> list[LinkedTraining]:
    rows = (
        await TrainingLink.select().where(TrainingLink.action.is_in(list(action_ids))).output(load_json=True)
    )
    return [_linked(row) for row in rows]


async def get_link(*, action_id: int) -> LinkedTraining | None:
    """The action's training link, if it has one (one statement)."""
    links = await _links([action_id])
    return links[0] if links else None


async def live_progress(*, action_ids: Collection[int], today: date) -> dict[int, TrainingProgress]:
    """Training progress of each linked action among `action_ids` (unlinked actions are absent).

    Two statements however many actions and links: the links, then every audience's stored counts at
    once (four when some counts must be worked out and stored; see courses.public).
    """
    if not action_ids:
        return {}
    links = await _links(action_ids)
    counts = await training.audience_completion_counts(
        audiences=[link.audience for link in links], as_of=today
    )
    return {
        link.action_id: TrainingProgress(
            course_id=link.course_id,
            completed=counts[link.audience].completed,
            assigned=counts[link.audience].assigned,
            target=link.target_count,
        )
        for link in links
    }


# --- linking and unlinking ---------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


async def _action(action_id: int) -> dict[str, Any]:
    action = (
        await Action.select(Action.id, Action.plan, Action.reference).where(Action.id == action_id).first()
    )
    if action is None:
        raise TrainingError({"course_id": "That action no longer exists"})
    return action


async def _check(
    *,
    course_id: int | None,
    current_course_id: int | None,
    organisation_ids: Sequence[int],
    job_role_ids: Sequence[int],
    target_count: int | None,
) -> dict[str, str]:
    """Every problem with the link as asked for, by field (empty when it is fine)."""
    errors: dict[str, str] = {}
    course = (await training.courses_by_id(course_ids=[course_id])).get(course_id) if course_id else None
    if course is None:
        errors["course_id"] = "Choose the course"
    elif not course.published and course.id != current_course_id:
        errors["course_id"] = "Choose a published course"
    if organisation_ids:
        found = await Organisation.count().where(Organisation.id.is_in(list(organisation_ids)))
        if found != len(set(organisation_ids)):
            errors["organisation_ids"] = "Choose organisations from the list"
    if job_role_ids:
        found = await JobRole.count().where(JobRole.id.is_in(list(job_role_ids)))
        if found != len(set(job_role_ids)):
            errors["job_role_ids"] = "Choose job roles from the list"
    if target_count is None:
        errors["target_count"] = "Enter the number of people to train, as a whole number"
    elif target_count <= 0:
        errors["target_count"] = "The number of people to train must be 1 or more"
    elif target_count > 1_000_000:
        errors["target_count"] = "The number of people to train must be 1,000,000 or fewer"
    return errors


async def link_training(
    *,
    action_id: int,
    course_id: int | None,
    organisation_ids: Sequence[int],
    job_role_ids: Sequence[int],
    target_count: int | None,
    actor: Actor,
) -> int:
    """Link an action to a course, an audience and a target, or change its link; returns the link id.

    Raises TrainingError (every problem by field) when the link is not valid; nothing changes then.
    """
    action = await _action(action_id)
    organisations = sorted(set(organisation_ids))
    job_roles = sorted(set(job_role_ids))
    async with write_transaction():
        current = await get_link(action_id=action_id)
        errors = await _check(
            course_id=course_id,
            current_course_id=current.course_id if current else None,
            organisation_ids=organisations,
            job_role_ids=job_roles,
            target_count=target_count,
        )
        if errors:
            raise TrainingError(errors)
        assert course_id is not None and target_count is not None
        values: dict[str, Any] = {
            "course_id": course_id,
            "organisation_ids": organisations,
            "job_role_ids": job_roles,
            "target_count": target_count,
        }
        summary = (
            f"Action {action['reference']} linked to training (course {course_id}, target {target_count})"
        )
        if current is None:
            link_id = (
                await TrainingLink.insert(
                    TrainingLink(action=action_id, created_at=_now(), updated_at=_now(), **values)
                ).returning(TrainingLink.id)
            )[0]["id"]
            await audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                entity="training_link",
                entity_id=link_id,
                summary=summary,
                after={"action": action_id, **values},
            )
            return int(link_id)
        before, after = audit.changed_fields(
            {
                "course_id": current.course_id,
                "organisation_ids": sorted(current.organisation_ids),
                "job_role_ids": sorted(current.job_role_ids),
                "target_count": current.target_count,
            },
            values,
        )
        if after:
            stamped: dict[Any, Any] = {**values, "updated_at": _now()}
            await TrainingLink.update(stamped).where(TrainingLink.id == current.id)
            await audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                entity="training_link",
                entity_id=current.id,
                summary=f"Training link of action {action['reference']} changed",
                before=before,
                after=after,
            )
        return current.id


async def unlink_training(*, action_id: int, actor: Actor) -> bool:
    """Remove the action's training link (its percent goes back to what its lead reports).
    False when it had none."""
    action = await _action(action_id)
    async with write_transaction():
        current = await get_link(action_id=action_id)
        if current is None:
            return False
        await TrainingLink.delete().where(TrainingLink.id == current.id)
        await audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            entity="training_link",
            entity_id=current.id,
            summary=f"Training link of action {action['reference']} removed",
            before={
                "action": action_id,
                "course_id": current.course_id,
                "organisation_ids": current.organisation_ids,
                "job_role_ids": current.job_role_ids,
                "target_count": current.target_count,
            },
        )
    return True


# --- evidence ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingEvidence:
    """What a linked action's progress is made of: the course, the audience and the people counted."""

    link: LinkedTraining
    course: training.CourseChoice | None
    organisations: list[str]
    job_roles: list[str]
    people: list[training.CompletedPerson]


async def training_evidence(*, action_id: int, today: date) -> TrainingEvidence | None:
    """The people counted as completed for a linked action, newest first; None when it is not linked.
    Five statements whatever the numbers."""
    link = await get_link(action_id=action_id)
    if link is None:
        return None
    course = (await training.courses_by_id(course_ids=[link.course_id])).get(link.course_id)
    organisations = await _names(Organisation, link.organisation_ids)
    job_roles = await _names(JobRole, link.job_role_ids)
    people = await training.completed_people(audience=link.audience, as_of=today)
    return TrainingEvidence(
        link=link, course=course, organisations=organisations, job_roles=job_roles, people=people
    )


async def _names(table: type[Organisation] | type[JobRole], ids: list[int]) -> list[str]:
    if not ids:
        return []
    rows = await table.select(table.name).where(table.id.is_in(ids)).order_by(table.name)
    return [row["name"] for row in rows]
