from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.enums import AuditAction, Cadence, OrganisationKind, ReportStatus, Role


class Organisation(Table):
    """An agency whose staff are trained and reported on: the council or a partner."""

    id = Serial(primary_key=True)
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=20, choices=OrganisationKind)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Team(Table):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JobRole(Table):
    id = Serial(primary_key=True)
    name = Varchar(length=200, unique=True)
    description = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Staff(Table):
    """A person: employee or partner staff, who may also sign in."""

    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    full_name = Varchar(length=200, index=True)
    employee_number = Varchar(length=50, null=True, default=None, unique=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    team = ForeignKey(references=Team, on_delete=OnDelete.restrict, null=True, index=True)
    job_role = ForeignKey(references=JobRole, on_delete=OnDelete.restrict, null=True, index=True)
    line_manager: ForeignKey["Staff"] = ForeignKey(references="self", on_delete=OnDelete.set_null, null=True)
    start_date = Date(null=True, default=None)
    # No index of its own: two partial ones instead, of the people in post and of leavers, each by name
    # (the migration of 2026-11-28T16:33 says why).
    left_on = Date(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Account(Table):
    """The sign-in credentials of one person."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade, unique=True)
    password_hash = Varchar(length=255)
    password_changed_at = Timestamptz()
    last_signed_in_at = Timestamptz(null=True, default=None)


class RoleGrant(Table):
    """One role held by one person; a person may hold several."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=20, choices=Role)


class AuditEntry(Table):
    """Who did what, when, with the values before and after. Never updated or deleted."""

    id = Serial(primary_key=True)
    occurred_at = Timestamptz(index=True)
    actor = ForeignKey(references=Staff, on_delete=OnDelete.set_null, null=True, index=True)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=20, choices=AuditAction, index=True)
    entity = Varchar(length=50, index=True)
    entity_id = Varchar(length=50, default="")
    summary = Varchar(length=500, default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    client_ip = Varchar(length=64, default="")


class StoreEntry(Table):
    """Shared key-value store for sessions and sign-in throttling when Redis is not configured."""

    id = Serial(primary_key=True)
    key = Varchar(length=255, unique=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class Board(Table):
    """A governance board (SEND improvement board, scrutiny, partnership board) that receives reports.
    The plans that report to it point at it (action_plans.Plan.board)."""

    id = Serial(primary_key=True)
    name = Varchar(length=200, unique=True)
    description = Text(default="")
    cadence = Varchar(length=20, choices=Cadence, default=Cadence.QUARTERLY)
    # The Government Security Classification printed on every page of its reports.
    protective_marking = Varchar(length=50, default="OFFICIAL")
    # Staff trained on the EHCP process: the target the report's training trend is drawn against.
    training_target = Integer(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BoardMember(Table):
    id = Serial(primary_key=True)
    board = ForeignKey(references=Board, on_delete=OnDelete.cascade, index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade, index=True)


class ReportSnapshot(Table):
    """One generated board report for a period: its data and files, exactly as the board saw them.

    Written while it is generated; once READY it is never changed again (reports.snapshots enforces it).
    """

    id = Serial(primary_key=True)
    board = ForeignKey(references=Board, on_delete=OnDelete.restrict, index=True)
    period_start = Date()
    period_end = Date()
    status = Varchar(length=10, choices=ReportStatus, default=ReportStatus.QUEUED)
    progress = Integer(default=0)  # percent, while generating
    progress_note = Varchar(length=200, default="")
    error = Text(default="")
    requested_by = ForeignKey(references=Staff, on_delete=OnDelete.set_null, null=True)
    requested_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
    # The report's figures as JSON (app.reports.model.ReportData), and the files made from them.
    data = Text(default="")
    html = Text(default="")
    pdf = Bytea(null=True, default=None)
    xlsx = Bytea(null=True, default=None)
    sha256 = Varchar(length=64, default="")  # of the PDF, printed on the board's list for proof
