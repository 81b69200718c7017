from enum import StrEnum


class PlanOrigin(StrEnum):
    OMBUDSMAN_REMEDY = "ombudsman_remedy"
    WRITTEN_STATEMENT_OF_ACTION = "wsoa"
    ACCELERATED_PROGRESS_PLAN = "app"
    PRIORITY_ACTION_PLAN = "pap"
    INTERNAL = "internal"

    @property
    def label(self) -> str:
        return {
            "ombudsman_remedy": "Ombudsman remedy",
            "wsoa": "Written Statement of Action",
            "app": "Accelerated Progress Plan",
            "pap": "Priority Action Plan",
            "internal": "Internal improvement plan",
        }[self.value]


class PlanStatus(StrEnum):
    DRAFT = "draft"  # being written: dates move freely, no baseline yet
    APPROVED = "approved"  # baseline fixed by the plan owner; date moves need a reason
    CLOSED = "closed"  # finished or superseded; read-only

    @property
    def label(self) -> str:
        return self.value.capitalize()


class WorkStatus(StrEnum):
    """Status of an action or milestone as its lead reports it (RAG is computed, not stored)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Rag(StrEnum):
    BLUE = "blue"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"

    @property
    def label(self) -> str:
        return {
            "blue": "Complete",
            "green": "On track",
            "amber": "At risk",
            "red": "Off track",
            "grey": "Not started",
        }[self.value]

    @property
    def word(self) -> str:
        return self.value.capitalize()


class DateField(StrEnum):
    """Which of an item's three dates a revision changed."""

    BASELINE = "baseline"
    FORECAST = "forecast"
    ACTUAL = "actual"


class RevisionStatus(StrEnum):
    APPLIED = "applied"  # the date changed
    PENDING = "pending"  # waiting for the plan owner's approval; the date has not changed yet
    REJECTED = "rejected"  # the plan owner refused it; the date did not change


class EvidenceKind(StrEnum):
    LINK = "link"
    FILE = "file"


class KpiUnit(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    DAYS = "days"

    @property
    def label(self) -> str:
        return {"percent": "%", "count": "count", "days": "days"}[self.value]


class KpiDirection(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better
