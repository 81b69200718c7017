from enum import StrEnum


class PlanOrigin(StrEnum):
    OMBUDSMAN_REMEDY = "ombudsman_remedy"
    WRITTEN_STATEMENT_OF_ACTION = "wsoa"
    ACCELERATED_PROGRESS_PLAN = "app"
    PRIORITY_ACTION_PLAN = "pap"
    INTERNAL = "internal"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CLOSED = "closed"
