"""Improvement action plans: plan → priority areas → actions → milestones, with dated revisions,
progress updates, evidence, success measures (KPIs) and training links.

Every action and milestone carries three dates: baseline (fixed when the plan owner approves the
plan), forecast (the current target) and actual (done). Every change to one of them after approval
is a DateRevision row, so slippage and its history can always be shown. RAG is computed by
action_plans.rag from these columns; only a manual override is stored.
"""

from typing import TYPE_CHECKING

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    Float,
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

from action_plans.enums import (
    DateField,
    EvidenceKind,
    KpiDirection,
    KpiUnit,
    PlanOrigin,
    PlanStatus,
    Rag,
    RevisionStatus,
    WorkStatus,
)

if TYPE_CHECKING:
    from app.tables import Board, Organisation, Staff

STAFF = LazyTableReference(table_class_name="Staff", app_name="app")
ORGANISATION = LazyTableReference(table_class_name="Organisation", app_name="app")
BOARD = LazyTableReference(table_class_name="Board", app_name="app")


class Plan(Table):
    id = Serial(primary_key=True)
    reference = Varchar(length=30, unique=True)
    title = Varchar(length=200)
    origin = Varchar(length=30, choices=PlanOrigin)
    description = Text(default="")
    status = Varchar(length=20, choices=PlanStatus, default=PlanStatus.DRAFT)
    owner: ForeignKey["Staff"] = ForeignKey(
        references=STAFF, on_delete=OnDelete.restrict, null=True, index=True
    )
    # The governance board the plan reports to (app.tables.Board; its reports include the plan).
    board: ForeignKey["Board"] = ForeignKey(
        references=BOARD, on_delete=OnDelete.set_null, null=True, index=True
    )
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    # After approval, a lead's forecast move waits for the owner's approval when this is set.
    require_date_approval = Boolean(default=False)
    # Blue (complete) needs evidence as well as an actual date when this is set.
    require_evidence = Boolean(default=False)
    # RAG thresholds (DESIGN.md section 4): a forecast slipped by up to this many days is amber,
    # beyond it red; progress more than this many points behind the straight line is amber.
    slip_tolerance_days = Integer(default=14)
    progress_tolerance_points = Integer(default=10)
    approved_at = Timestamptz(null=True, default=None)
    approved_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PriorityArea(Table):
    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    number = Integer()  # 1, 2, 3…: actions in area 2 are referenced 2.1, 2.2…
    title = Varchar(length=200)
    intended_outcome = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Action(Table):
    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    priority_area = ForeignKey(references=PriorityArea, on_delete=OnDelete.cascade, index=True)
    reference = Varchar(length=20)  # "2.3"; unique within the plan
    position = Integer(default=0)
    description = Text()
    lead: ForeignKey["Staff"] = ForeignKey(
        references=STAFF, on_delete=OnDelete.restrict, null=True, index=True
    )
    start_date = Date(null=True, default=None)
    baseline_date = Date(null=True, default=None)
    forecast_date = Date(null=True, default=None)
    actual_date = Date(null=True, default=None)
    status = Varchar(length=20, choices=WorkStatus, default=WorkStatus.NOT_STARTED)
    percent_complete = Integer(default=0)
    # A manual RAG set by a plan owner or lead with a reason; cleared by the next progress update.
    rag_override = Varchar(length=10, choices=Rag, null=True, default=None)
    rag_override_reason = Text(default="")
    rag_override_by: ForeignKey["Staff"] = ForeignKey(
        references=STAFF, on_delete=OnDelete.set_null, null=True
    )
    rag_override_at = Timestamptz(null=True, default=None)
    last_update_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ActionPartner(Table):
    """A partner organisation (health, social care, education…) that shares an action."""

    id = Serial(primary_key=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, index=True)
    organisation: ForeignKey["Organisation"] = ForeignKey(
        references=ORGANISATION, on_delete=OnDelete.restrict, index=True
    )


class Milestone(Table):
    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=0)
    title = Varchar(length=300)
    # Null means the action's lead leads the milestone too.
    lead: ForeignKey["Staff"] = ForeignKey(
        references=STAFF, on_delete=OnDelete.restrict, null=True, index=True
    )
    baseline_date = Date(null=True, default=None)
    forecast_date = Date(null=True, default=None, index=True)
    actual_date = Date(null=True, default=None)
    status = Varchar(length=20, choices=WorkStatus, default=WorkStatus.NOT_STARTED)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DateRevision(Table):
    """One change to an action's or milestone's date, with who, when and why. Never edited."""

    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, null=True, index=True)
    milestone = ForeignKey(references=Milestone, on_delete=OnDelete.cascade, null=True, index=True)
    field = Varchar(length=10, choices=DateField)
    old_date = Date(null=True, default=None)
    new_date = Date(null=True, default=None)
    reason = Text(default="")
    status = Varchar(length=10, choices=RevisionStatus, default=RevisionStatus.APPLIED)
    requested_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    requested_at = Timestamptz()
    decided_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")


class ProgressUpdate(Table):
    """A lead's report on an action for one reporting period. Never edited; a new one supersedes it."""

    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, index=True)
    period_end = Date()  # the last day of the reporting period the update is for
    narrative = Text()
    percent_complete = Integer()
    rag = Varchar(length=10, choices=Rag)  # the RAG at the time, as the board would have seen it
    # The exception report a board sees for a red or slipped action: what it means and what is being done.
    impact = Text(default="")
    recovery_action = Text(default="")
    decision_requested = Text(default="")  # what the lead asks the board to decide, if anything
    author: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(index=True)


class Evidence(Table):
    """A link or an uploaded file that shows an action's progress. Files are kept in the database
    so the app stays stateless beyond it (backups hold everything)."""

    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, index=True)
    # Named so it does not hide Table.update().
    progress_update = ForeignKey(references=ProgressUpdate, on_delete=OnDelete.set_null, null=True)
    kind = Varchar(length=10, choices=EvidenceKind)
    title = Varchar(length=200)
    url = Varchar(length=1000, default="")
    file_name = Varchar(length=255, default="")
    content_type = Varchar(length=100, default="")
    size_bytes = Integer(default=0)
    sha256 = Varchar(length=64, default="")
    content = Bytea(null=True, default=None)
    added_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()


class Kpi(Table):
    """A success measure for a plan, or for one of its actions."""

    id = Serial(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade, index=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.set_null, null=True, index=True)
    # Set when added from one of the statutory templates (action_plans.kpis.TEMPLATES).
    template_key = Varchar(length=50, default="")
    name = Varchar(length=200)
    description = Text(default="")
    unit = Varchar(length=10, choices=KpiUnit)
    direction = Varchar(length=10, choices=KpiDirection, default=KpiDirection.HIGHER)
    baseline_value = Float(null=True, default=None)
    target_value = Float(null=True, default=None)
    target_date = Date(null=True, default=None)
    statutory_threshold = Float(null=True, default=None)
    position = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class KpiDataPoint(Table):
    """A KPI's value for one period: a value, or a numerator over a denominator (for percentages)."""

    id = Serial(primary_key=True)
    kpi = ForeignKey(references=Kpi, on_delete=OnDelete.cascade, index=True)
    period_end = Date()
    value = Float(null=True, default=None)
    numerator = Integer(null=True, default=None)
    denominator = Integer(null=True, default=None)
    note = Text(default="")
    recorded_by: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TrainingLink(Table):
    """An action whose progress comes live from training: a course, an audience and a target."""

    id = Serial(primary_key=True)
    action = ForeignKey(references=Action, on_delete=OnDelete.cascade, unique=True)
    course_id = Integer()  # courses.Course id; read only through courses.public
    # The audience, as organisation and job-role ids (empty: everyone assigned the course).
    organisation_ids = JSON(default=[])
    job_role_ids = JSON(default=[])
    target_count = Integer()  # e.g. 220 professionals trained
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CalendarFeed(Table):
    """The secret that makes a person's iCalendar URL; replaced when they ask for a new one."""

    id = Serial(primary_key=True)
    staff: ForeignKey["Staff"] = ForeignKey(references=STAFF, on_delete=OnDelete.cascade, unique=True)
    token = Varchar(length=64, unique=True)
    created_at = Timestamptz()
