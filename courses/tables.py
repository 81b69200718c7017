from typing import TYPE_CHECKING

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LazyTableReference,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from courses.enums import (
    AttendanceStatus,
    CompletionSource,
    CourseStatus,
    DueKind,
    ModuleKind,
    TargetKind,
    VersionStatus,
)

if TYPE_CHECKING:
    from app.tables import Staff

STAFF = LazyTableReference(table_class_name="Staff", app_name="app")


class Course(Table):
    """A course as trainers and learners know it; its content lives in versions."""

    id = Serial(primary_key=True)
    code = Varchar(length=30, unique=True)
    title = Varchar(length=200)
    summary = Text(default="")
    mandatory = Boolean(default=False)
    # A completion lasts this many months before it must be renewed; null means it never expires.
    recertify_months = Integer(null=True, default=None)
    status = Varchar(length=20, choices=CourseStatus, default=CourseStatus.DRAFT, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CourseVersion(Table):
    """One version of a course's content. Only one is published at a time; drafts are edited."""

    id = Serial(primary_key=True)
    course = ForeignKey(references=Course, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    status = Varchar(length=20, choices=VersionStatus, default=VersionStatus.DRAFT)
    estimated_minutes = Integer(default=30)
    pass_mark = Integer(null=True, default=None)  # percent, for courses with quizzes
    published_at = Timestamptz(null=True, default=None)
    published_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    # Set when publishing changed statutory content: everyone must complete this version again.
    requires_recompletion = Boolean(default=False)
    change_reason = Text(default="")
    # A fingerprint of content imported from files, so importing the same files twice changes nothing.
    content_hash = Varchar(length=64, default="")
    created_at = Timestamptz()


class Module(Table):
    id = Serial(primary_key=True)
    version = ForeignKey(references=CourseVersion, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    kind = Varchar(length=20, choices=ModuleKind)
    title = Varchar(length=200)
    body = Text(default="")  # Markdown for reading modules; an introduction for the others
    url = Varchar(length=500, default="")  # video or external link
    estimated_minutes = Integer(default=10)


class Question(Table):
    id = Serial(primary_key=True)
    module = ForeignKey(references=Module, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    text = Text()
    multiple = Boolean(default=False)  # more than one answer may be right
    feedback = Text(default="")


class AnswerOption(Table):
    id = Serial(primary_key=True)
    question = ForeignKey(references=Question, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    text = Varchar(length=500)
    correct = Boolean(default=False)


class AssignmentRule(Table):
    """A standing decision that a course is for a person or a group, which also catches new starters."""

    id = Serial(primary_key=True)
    course = ForeignKey(references=Course, on_delete=OnDelete.cascade, index=True)
    target_kind = Varchar(length=20, choices=TargetKind)
    target_id = Integer(index=True)
    due_kind = Varchar(length=20, choices=DueKind)
    due_on = Date(null=True, default=None)  # for fixed due dates
    due_days = Integer(null=True, default=None)  # for relative due dates
    created_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None, index=True)
    end_reason = Text(default="")


class Assignment(Table):
    """A course a person must complete, by a date. Ended assignments are kept, never deleted."""

    id = Serial(primary_key=True)
    course = ForeignKey(references=Course, on_delete=OnDelete.cascade, index=True)
    staff: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.cascade, index=True)
    # The standing rule that made this assignment; null for a one-off assignment to a person.
    from_rule = ForeignKey(references=AssignmentRule, on_delete=OnDelete.set_null, null=True, index=True)
    assigned_on = Date()
    due_on = Date(index=True)
    ended_at = Timestamptz(null=True, default=None, index=True)
    end_reason = Text(default="")


class ModuleProgress(Table):
    """A module a person finished, in the course version they were taking."""

    id = Serial(primary_key=True)
    staff: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.cascade, index=True)
    module = ForeignKey(references=Module, on_delete=OnDelete.cascade, index=True)
    completed_at = Timestamptz()


class QuizAttempt(Table):
    id = Serial(primary_key=True)
    staff: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.cascade, index=True)
    module = ForeignKey(references=Module, on_delete=OnDelete.cascade, index=True)
    started_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)
    question_order = JSON(default=[])  # question ids in the order this attempt showed them
    answers = JSON(default={})  # question id -> chosen option ids
    score = Integer(null=True, default=None)  # percent
    passed = Boolean(null=True, default=None)


class Completion(Table):
    """A person completed a course on a date. Never updated: a renewal is a new row."""

    id = Serial(primary_key=True)
    staff: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.cascade, index=True)
    course = ForeignKey(references=Course, on_delete=OnDelete.cascade, index=True)
    version_number = Integer()
    completed_on = Date(index=True)
    expires_on = Date(null=True, default=None, index=True)
    source = Varchar(length=20, choices=CompletionSource)
    evidence = Text(default="")
    backdate_reason = Text(default="")
    recorded_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    certificate_code = Varchar(length=20, unique=True)
    created_at = Timestamptz()


class TrainingSession(Table):
    """A face-to-face or virtual session of a course, with a register."""

    id = Serial(primary_key=True)
    course = ForeignKey(references=Course, on_delete=OnDelete.cascade, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    venue = Varchar(length=300, default="")
    online_url = Varchar(length=500, default="")
    capacity = Integer(default=20)
    trainer: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")


class Attendance(Table):
    id = Serial(primary_key=True)
    session = ForeignKey(references=TrainingSession, on_delete=OnDelete.cascade, index=True)
    staff: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=20, choices=AttendanceStatus, default=AttendanceStatus.BOOKED)
    recorded_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    recorded_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table):
    """An email to send (or, by default, kept here for the admin to read). One per dedupe key."""

    id = Serial(primary_key=True)
    dedupe_key = Varchar(length=200, unique=True)
    to_email = Varchar(length=254, index=True)
    subject = Varchar(length=300)
    body = Text()
    kind = Varchar(length=30, index=True)
    created_at = Timestamptz(index=True)
    sent_at = Timestamptz(null=True, default=None)
    error = Text(default="")


class TrainingChange(Table):
    """How many times the records behind one course's compliance figures have changed. Database
    triggers count every write (see the migration that creates them); course 0 counts changes to
    people and their places (organisation, team, job role, leaving), which touch every course."""

    id = Serial(primary_key=True)
    course = Integer(unique=True)
    counter = Integer(default=0)


class ComplianceFigures(Table):
    """Compliance figures as computed when the course's and people's change counters had these
    values: still true while both are unchanged. `key` names the question (figures, course, scope,
    grouping, date)."""

    id = Serial(primary_key=True)
    key = Varchar(length=64, unique=True)
    course = Integer(index=True)
    course_counter = Integer()
    people_counter = Integer()
    computed_at = Timestamptz()
    payload = JSON()
