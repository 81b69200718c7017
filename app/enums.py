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
