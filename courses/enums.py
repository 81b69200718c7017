"""Enumerations for training: course and version states, module kinds, assignments and completions."""

from enum import StrEnum


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class ModuleKind(StrEnum):
    READING = "reading"
    LINK = "link"
    QUIZ = "quiz"
    SESSION = "session"

    @property
    def label(self) -> str:
        return {
            "reading": "Reading",
            "link": "Video or external link",
            "quiz": "Quiz",
            "session": "Face-to-face or virtual session",
        }[self.value]


class TargetKind(StrEnum):
    """Who an assignment rule covers."""

    PERSON = "person"
    TEAM = "team"
    ORGANISATION = "organisation"
    JOB_ROLE = "job_role"


class DueKind(StrEnum):
    FIXED = "fixed"
    AFTER_ASSIGNMENT = "after_assignment"
    AFTER_START = "after_start"


class CompletionSource(StrEnum):
    ONLINE = "online"
    SESSION = "session"
    OFFLINE = "offline"


class AttendanceStatus(StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    PARTLY_ATTENDED = "partly_attended"
    ABSENT = "absent"


class TrainingStatus(StrEnum):
    """Where a person stands with one assigned course, as 'My training' shows it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
