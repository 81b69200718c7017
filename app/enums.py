"""Enumerations shared by the people, accounts and audit tables."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TRAINER = "trainer"
    PROFESSIONAL = "professional"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OrganisationKind(StrEnum):
    LA_SEND = "la_send"
    EDUCATION = "education"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "la_send": "Local authority SEND service",
            "education": "Education setting",
            "health": "Health",
            "social_care": "Social care",
            "other": "Other",
        }[self.value]


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"


class Cadence(StrEnum):
    """How often a governance board meets and receives a report."""

    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"

    @property
    def label(self) -> str:
        return {"monthly": "Monthly", "bimonthly": "Every two months", "quarterly": "Quarterly"}[self.value]

    @property
    def months(self) -> int:
        return {"monthly": 1, "bimonthly": 2, "quarterly": 3}[self.value]


class ReportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"  # immutable from here on
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to start",
            "running": "Being generated",
            "ready": "Ready",
            "failed": "Failed",
        }[self.value]
