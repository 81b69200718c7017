"""The RAG, percent and slippage of actions and milestones as pages, exports and reports show them.

Everything that displays an action's status goes through here, so a page, the XLSX export and the
board report can never disagree. Batched: a constant number of statements for any number of actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from action_plans import training
from action_plans.enums import Rag, WorkStatus
from action_plans.rag import Assessment, Thresholds, assess, slippage_days
from action_plans.tables import Evidence
from action_plans.training import TrainingProgress

__all__ = ["ActionStatus", "action_statuses", "milestone_assessment", "thresholds_of"]

# Columns of Action and Plan the functions below read.
ACTION_COLUMNS = (
    "id",
    "plan",
    "start_date",
    "baseline_date",
    "forecast_date",
    "actual_date",
    "status",
    "percent_complete",
    "rag_override",
    "rag_override_reason",
    "last_update_at",
)


@dataclass(frozen=True, slots=True)
class ActionStatus:
    assessment: Assessment
    percent_complete: int
    slippage_days: int | None
    evidence_count: int
    training: TrainingProgress | None  # set when progress comes live from training

    @property
    def rag(self) -> Rag:
        return self.assessment.rag


def thresholds_of(plan: Mapping[str, Any]) -> Thresholds:
    return Thresholds(
        slip_tolerance_days=plan["slip_tolerance_days"],
        progress_tolerance_points=plan["progress_tolerance_points"],
    )


async def action_statuses(
    *, actions: Sequence[Mapping[str, Any]], plans: Mapping[int, Mapping[str, Any]], today: date
) -> dict[int, ActionStatus]:
    """Status of each action (rows with ACTION_COLUMNS), given its plan's row by id. Two statements."""
    ids = [a["id"] for a in actions]
    if not ids:
        return {}
    evidence_rows = (
        await Evidence.select(Evidence.action, Count(Evidence.id, alias="n"))
        .where(Evidence.action.is_in(ids))
        .group_by(Evidence.action)
    )
    evidence = {row["action"]: row["n"] for row in evidence_rows}
    live = await training.live_progress(action_ids=ids, today=today)
    statuses = {}
    for action in actions:
        plan = plans[action["plan"]]
        linked = live.get(action["id"])
        override = Rag(action["rag_override"]) if action["rag_override"] else None
        percent = linked.percent if linked else action["percent_complete"]
        evidence_count = evidence.get(action["id"], 0) + (linked.completed if linked else 0)
        if linked and linked.reached and override is None and action["actual_date"] is None:
            assessment = Assessment(
                Rag.BLUE, f"Training target reached: {linked.completed} of {linked.target} trained"
            )
        else:
            assessment = assess(
                today=today,
                start=action["start_date"],
                baseline=action["baseline_date"],
                forecast=action["forecast_date"],
                actual=action["actual_date"],
                percent_complete=percent,
                recorded=action["last_update_at"] is not None
                or action["status"] != WorkStatus.NOT_STARTED
                or bool(linked and linked.completed),
                evidence_missing=bool(plan["require_evidence"]) and evidence_count == 0,
                thresholds=thresholds_of(plan),
                override=override,
                override_reason=action["rag_override_reason"],
            )
        statuses[action["id"]] = ActionStatus(
            assessment=assessment,
            percent_complete=percent,
            slippage_days=slippage_days(action["baseline_date"], action["forecast_date"]),
            evidence_count=evidence_count,
            training=linked,
        )
    return statuses


def milestone_assessment(
    *, milestone: Mapping[str, Any], action_start: date | None, plan: Mapping[str, Any], today: date
) -> Assessment:
    """RAG of a milestone: its dates against the plan's thresholds (milestones have no percent)."""
    return assess(
        today=today,
        start=action_start,
        baseline=milestone["baseline_date"],
        forecast=milestone["forecast_date"],
        actual=milestone["actual_date"],
        recorded=milestone["status"] != WorkStatus.NOT_STARTED,
        thresholds=thresholds_of(plan),
    )
