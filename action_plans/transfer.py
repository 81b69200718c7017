"""Plans to and from spreadsheets: a plan exported as an XLSX workbook, and a tracker (CSV or XLSX)
imported as a new draft plan.

Import flow: read_tracker → guess_mapping / check_mapping → preview_import → run_import. Reading and
planning are plain functions run in a worker thread; run_import plans again inside its one write
transaction, so what is written is what was checked.

Decisions a plan owner should know (also said on the import pages):
- The import makes a NEW draft plan; it never changes an existing one. Baselines are not imported:
  they are fixed when the plan owner approves the plan.
- One row per action, or one row per milestone with the action's columns repeated (or left blank
  under the first row of that action, as trackers with merged cells do).
- Any row error stops the whole import: half a plan would mislead a board more than none.
- A workbook exported by Assure (its "Actions" and "Milestones" sheets) is read back as it is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import anyio.to_thread
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from piccolo.table import Table

from action_plans import status
from action_plans.enums import PlanOrigin, PlanStatus, WorkStatus
from action_plans.rag import legend, slippage_days
from action_plans.tables import Action, ActionPartner, DateRevision, Milestone, Plan, PriorityArea
from app import audit
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction
from app.people import hr_import
from app.people.hr_import import HrTable, ImportField, ImportFileError, RowIssue, parse_uk_date
from app.tables import Account, Organisation, Staff
from app.web.exports import FORMULA_STARTS, excel_safe

__all__ = [
    "FIELDS",
    "MAX_UPLOAD_BYTES",
    "ImportedPlan",
    "PlanDetails",
    "check_details",
    "check_mapping",
    "export_plan",
    "guess_mapping",
    "preview_import",
    "read_tracker",
    "run_import",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_ISSUES_SHOWN = 500
DATE_FORMAT = "d mmm yyyy"

# --- export -------------------------------------------------------------------------------------

ACTION_HEADERS = (
    "Priority area number",
    "Priority area",
    "Intended outcome",
    "Action reference",
    "Action description",
    "Lead email",
    "Partners",
    "Start date",
    "Baseline date",
    "Forecast date",
    "Actual date",
    "Status",
    "Percent complete",
    "RAG",
    "RAG reason",
    "Slippage (days)",
)
MILESTONE_HEADERS = (
    "Action reference",
    "Milestone title",
    "Milestone lead email",
    "Milestone baseline date",
    "Milestone forecast date",
    "Milestone actual date",
    "Milestone status",
    "Milestone RAG",
    "Milestone slippage (days)",
)
REVISION_HEADERS = (
    "Action reference",
    "Milestone title",
    "Date changed",
    "From",
    "To",
    "Reason",
    "Decision",
    "Requested by",
    "Requested at",
    "Decided by",
    "Decided at",
    "Decision note",
)


@dataclass(frozen=True, slots=True)
class PlanExport:
    """Everything the workbook shows, read in a constant number of statements."""

    plan: dict[str, Any]
    owner_email: str
    areas: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    partners: dict[int, list[str]]
    emails: dict[int, str]
    action_rows: list[list[Any]]
    milestone_rows: list[list[Any]]
    today: date


async def read_export(*, plan_id: int, today: date) -> PlanExport | None:
    """A plan's contents with each action's and milestone's RAG; None when there is no plan."""
    plan = await (
        Plan.select(*Plan.all_columns(), Plan.board.name.as_alias("board_name"))
        .where(Plan.id == plan_id)
        .first()
    )
    if plan is None:
        return None
    areas = await PriorityArea.select().where(PriorityArea.plan == plan_id).order_by(PriorityArea.number)
    actions = await Action.select().where(Action.plan == plan_id)
    milestones = await Milestone.select().where(Milestone.plan == plan_id)
    revisions = (
        await DateRevision.select().where(DateRevision.plan == plan_id).order_by(DateRevision.requested_at)
    )
    partner_rows = await ActionPartner.select(ActionPartner.action, ActionPartner.organisation.name).where(
        ActionPartner.action.plan == plan_id
    )
    people = {plan["owner"]} | {a["lead"] for a in actions} | {m["lead"] for m in milestones}
    people |= {r["requested_by"] for r in revisions} | {r["decided_by"] for r in revisions}
    people.discard(None)
    emails = (
        {
            s["id"]: s["email"]
            for s in await Staff.select(Staff.id, Staff.email).where(Staff.id.is_in(list(people)))
        }
        if people
        else {}
    )
    partners: dict[int, list[str]] = {}
    for row in partner_rows:
        partners.setdefault(row["action"], []).append(row["organisation.name"])
    statuses = await status.action_statuses(actions=actions, plans={plan_id: plan}, today=today)
    area_by_id = {a["id"]: a for a in areas}
    areas_order = {a["id"]: (a["number"], a["id"]) for a in areas}
    actions.sort(key=lambda a: (areas_order.get(a["priority_area"], (0, 0)), a["position"], a["id"]))
    action_rows = []
    for action in actions:
        area = area_by_id[action["priority_area"]]
        state = statuses[action["id"]]
        action_rows.append(
            [
                area["number"],
                area["title"],
                area["intended_outcome"],
                action["reference"],
                action["description"],
                emails.get(action["lead"], ""),
                "; ".join(sorted(partners.get(action["id"], []))),
                action["start_date"],
                action["baseline_date"],
                action["forecast_date"],
                action["actual_date"],
                WorkStatus(action["status"]).label,
                state.percent_complete,
                state.rag.word,
                state.assessment.reason,
                state.slippage_days,
            ]
        )
    action_by_id = {a["id"]: a for a in actions}
    action_position = {a["id"]: n for n, a in enumerate(actions)}
    milestones.sort(key=lambda m: (action_position.get(m["action"], 0), m["position"], m["id"]))
    milestone_rows = []
    for milestone in milestones:
        action = action_by_id[milestone["action"]]
        assessment = status.milestone_assessment(
            milestone=milestone, action_start=action["start_date"], plan=plan, today=today
        )
        milestone_rows.append(
            [
                action["reference"],
                milestone["title"],
                emails.get(milestone["lead"], ""),
                milestone["baseline_date"],
                milestone["forecast_date"],
                milestone["actual_date"],
                WorkStatus(milestone["status"]).label,
                assessment.rag.word,
                slippage_days(milestone["baseline_date"], milestone["forecast_date"]),
            ]
        )
    return PlanExport(
        plan=plan,
        owner_email=emails.get(plan["owner"], ""),
        areas=areas,
        actions=actions,
        milestones=milestones,
        revisions=revisions,
        partners=partners,
        emails=emails,
        action_rows=action_rows,
        milestone_rows=milestone_rows,
        today=today,
    )


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: list[list[Any]]) -> Worksheet:
    """A sheet with a bold, frozen header row; every text cell made safe from running as a formula."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([excel_safe(v) for v in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, len(header) + 2
        )
    return sheet


def build_workbook(data: PlanExport) -> bytes:
    """The plan as an XLSX workbook: Plan, Actions, Milestones and Date revisions sheets."""
    from openpyxl.styles import Font

    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    plan = data.plan
    details: list[list[Any]] = [
        ["Reference", plan["reference"]],
        ["Title", plan["title"]],
        ["Origin", PlanOrigin(plan["origin"]).label],
        ["Status", PlanStatus(plan["status"]).label],
        ["Owner", data.owner_email],
        ["Reports to", plan["board_name"] or ""],
        ["Description", plan["description"]],
        ["Start date", plan["start_date"]],
        ["End date", plan["end_date"]],
        ["Approved at", plan["approved_at"].date() if plan["approved_at"] else None],
        ["Slip tolerance (days)", plan["slip_tolerance_days"]],
        ["Progress tolerance (points)", plan["progress_tolerance_points"]],
        ["Priority areas", len(data.areas)],
        ["Actions", len(data.actions)],
        ["Milestones", len(data.milestones)],
        ["Exported on", data.today],
        [],
        ["RAG", "Meaning"],
    ]
    thresholds = status.thresholds_of(plan)
    details += [[rag.word, meaning] for rag, meaning in legend(thresholds)]
    sheet = _sheet(book, "Plan", ("Plan", "Value"), details)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 80
    sheet.cell(row=len(details) - 4, column=1).font = Font(bold=True)
    _sheet(book, "Actions", ACTION_HEADERS, data.action_rows).column_dimensions["E"].width = 60
    _sheet(book, "Milestones", MILESTONE_HEADERS, data.milestone_rows).column_dimensions["B"].width = 50
    references = {a["id"]: a["reference"] for a in data.actions}
    milestone_titles = {m["id"]: (references.get(m["action"], ""), m["title"]) for m in data.milestones}
    revision_rows = []
    for revision in data.revisions:
        reference, title = milestone_titles.get(
            revision["milestone"], (references.get(revision["action"], ""), "")
        )
        revision_rows.append(
            [
                reference,
                title,
                str(revision["field"]).capitalize(),
                revision["old_date"],
                revision["new_date"],
                revision["reason"],
                str(revision["status"]).capitalize(),
                data.emails.get(revision["requested_by"], ""),
                _naive(revision["requested_at"]),
                data.emails.get(revision["decided_by"], ""),
                _naive(revision["decided_at"]),
                revision["decision_note"],
            ]
        )
    revisions = _sheet(book, "Date revisions", REVISION_HEADERS, revision_rows)
    for row in revisions.iter_rows(min_row=2):
        for cell in (row[8], row[10]):
            if isinstance(cell.value, datetime):
                cell.number_format = "d mmm yyyy hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _naive(value: datetime | None) -> datetime | None:
    """Excel has no time zones: times are written in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value else None


async def export_plan(*, plan_id: int, today: date) -> tuple[str, bytes] | None:
    """(file name, XLSX bytes) of a plan; None when there is no plan. Built in a worker thread."""
    data = await read_export(plan_id=plan_id, today=today)
    if data is None:
        return None
    content = await anyio.to_thread.run_sync(build_workbook, data)
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", data.plan["reference"]).strip("-") or "plan"
    return f"plan-{slug}-{today.isoformat()}.xlsx", content


# --- reading a tracker --------------------------------------------------------------------------


def _unquoted(text: str) -> str:
    """A cell as Assure wrote it before app.web.exports.excel_safe quoted it against running as a formula."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _exported_table(data: bytes) -> HrTable | None:
    """An Assure export read back: one row per milestone (or per action without milestones),
    numbered by the Actions sheet's rows. None when the workbook is not an Assure export."""
    from openpyxl import load_workbook  # defusedxml, when installed, guards it against XML bombs

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError("file", "The Excel file could not be read: it may be damaged") from exc
    try:
        if not {"Actions", "Milestones"} <= set(book.sheetnames):
            return None
        sheets = {
            name: [
                [_unquoted(hr_import._tidy(hr_import._cell_text(v))) for v in row]
                for row in book[name].iter_rows(values_only=True)
            ]
            for name in ("Actions", "Milestones")
        }
    finally:
        book.close()
    actions, milestones = sheets["Actions"], sheets["Milestones"]
    if not actions or tuple(actions[0][: len(ACTION_HEADERS)]) != ACTION_HEADERS:
        return None
    if milestones and tuple(milestones[0][: len(MILESTONE_HEADERS)]) != MILESTONE_HEADERS:
        return None
    width, milestone_width = len(ACTION_HEADERS), len(MILESTONE_HEADERS)
    by_reference: dict[str, list[list[str]]] = {}
    for cells in milestones[1:]:
        if any(cells):
            cells = (cells + [""] * milestone_width)[:milestone_width]
            by_reference.setdefault(cells[0], []).append(cells[1:])
    references = {cells[3] for cells in actions[1:] if len(cells) > 3}
    for number, cells in enumerate(milestones[1:], start=2):
        if any(cells) and cells[0] not in references:
            raise ImportFileError(
                "file",
                f'Row {number} of the Milestones sheet belongs to action "{cells[0]}", which is not on '
                "the Actions sheet",
            )
    rows: list[tuple[int, list[str]]] = []
    blank = [""] * (milestone_width - 1)
    for number, cells in enumerate(actions[1:], start=2):
        if not any(cells):
            continue
        cells = (cells + [""] * width)[:width]
        for milestone in by_reference.pop(cells[3], None) or [blank]:
            rows.append((number, cells + milestone))
    if not rows:
        raise ImportFileError("file", "The workbook has no actions in it")
    return HrTable(headers=list(ACTION_HEADERS) + list(MILESTONE_HEADERS[1:]), rows=rows)


def read_tracker(data: bytes, filename: str) -> tuple[HrTable, bool]:
    """Read a CSV or XLSX tracker into headers and rows; also says whether it is an Assure export."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            "file", f"The selected file must be smaller than {MAX_UPLOAD_BYTES // 2**20} MB"
        )
    if data and hr_import._is_xlsx(data):
        exported = _exported_table(data)
        if exported is not None:
            return exported, True
    try:
        table = hr_import.read_upload(data, filename)
    except ImportFileError as exc:
        if "no people" in exc.message:
            raise ImportFileError("file", "The selected file has a header row but no actions in it") from exc
        raise
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError("file", f"The selected file has more than {MAX_ROWS} rows: split the plan")
    return table, False


# --- mapping columns to plan fields -------------------------------------------------------------

FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "area_number",
        "Priority area number",
        'Optional: 1, 2, 3… Otherwise taken from the area\'s title ("2. Reviews") or the action reference',
        ("priorityareanumber", "priorityareano", "areanumber", "areano", "prioritynumber", "priorityno"),
    ),
    ImportField(
        "area",
        "Priority area",
        "The area's title; a blank cell continues the area of the row above",
        ("priorityarea", "area", "priority", "theme", "workstream", "priorityareatitle", "areatitle"),
    ),
    ImportField(
        "area_outcome",
        "Intended outcome",
        "Of the priority area",
        ("intendedoutcome", "outcome", "outcomes", "intendedoutcomes", "priorityareaoutcome"),
    ),
    ImportField(
        "action_reference",
        "Action reference",
        "Such as 2.3; actions without one are numbered within their area",
        ("actionreference", "actionref", "reference", "ref", "actionno", "actionnumber", "actionid", "no"),
    ),
    ImportField(
        "action_description",
        "Action description",
        "Required for every action",
        ("actiondescription", "action", "description", "actions", "task", "activity", "whatwewilldo"),
    ),
    ImportField(
        "lead",
        "Lead officer",
        "An email address or a full name of someone in Assure",
        ("leademail", "lead", "actionlead", "leadofficer", "leadofficeremail", "responsibleofficer", "owner"),
    ),
    ImportField(
        "partners",
        "Partner organisations",
        "Names of organisations in Assure, separated by semicolons",
        ("partners", "partnerorganisations", "partneragencies", "partner", "agencies", "organisations"),
    ),
    ImportField("start_date", "Start date", "", ("startdate", "start", "datestarted")),
    ImportField(
        "forecast_date",
        "Forecast date",
        "The current target date",
        (
            "forecastdate",
            "forecast",
            "targetdate",
            "duedate",
            "due",
            "deadline",
            "target",
            "revisedtargetdate",
        ),
    ),
    ImportField(
        "actual_date",
        "Actual date",
        "The date the action was done",
        ("actualdate", "actual", "datecompleted", "completeddate", "completiondate", "actualcompletiondate"),
    ),
    ImportField(
        "status",
        "Status",
        "Not started, in progress, complete or cancelled",
        ("status", "actionstatus", "progressstatus"),
    ),
    ImportField(
        "percent",
        "Percent complete",
        "0 to 100",
        ("percentcomplete", "complete", "percent", "percentagecomplete", "progress", "progresspercent"),
    ),
    ImportField(
        "milestone_title",
        "Milestone title",
        "Choose it when the file has one row per milestone",
        ("milestonetitle", "milestone", "milestones", "milestonedescription", "keymilestone"),
    ),
    ImportField(
        "milestone_lead",
        "Milestone lead",
        "Blank: the action's lead",
        ("milestoneleademail", "milestonelead", "milestoneowner"),
    ),
    ImportField(
        "milestone_forecast_date",
        "Milestone forecast date",
        "",
        (
            "milestoneforecastdate",
            "milestoneforecast",
            "milestonetargetdate",
            "milestoneduedate",
            "milestonedate",
        ),
    ),
    ImportField(
        "milestone_actual_date",
        "Milestone actual date",
        "",
        ("milestoneactualdate", "milestoneactual", "milestonecompleteddate", "milestonecompletiondate"),
    ),
    ImportField("milestone_status", "Milestone status", "", ("milestonestatus",)),
)
FIELD_LABELS = {f.key: f.label for f in FIELDS}


LOOSE_GUESSES = (  # (field, any of these in the header, whether the header names a milestone)
    ("milestone_actual_date", ("actual", "complet", "achieved"), True),
    ("milestone_forecast_date", ("due", "target", "forecast", "date", "deadline"), True),
    ("milestone_lead", ("lead", "owner", "responsib"), True),
    ("milestone_status", ("status",), True),
    ("milestone_title", ("milestone",), True),
    ("actual_date", ("actual", "completed", "achieved"), False),
    ("forecast_date", ("due", "target", "forecast", "deadline"), False),
    ("start_date", ("start",), False),
    ("lead", ("lead", "responsib", "accountable"), False),
    ("partners", ("partner",), False),
    ("area_outcome", ("outcome",), False),
)


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Plan field → column index, from header names like "Ref", "Lead officer" or "Target date"."""
    keys = [re.sub(r"[^a-z0-9]", "", h.lower()) for h in headers]
    mapping: dict[str, int] = {}
    for f in FIELDS:
        for synonym in f.synonyms:  # the field's likeliest name first
            index = next((i for i, k in enumerate(keys) if k == synonym and i not in mapping.values()), None)
            if index is not None:
                mapping[f.key] = index
                break
    # Looser guesses for what exact names missed, e.g. "Milestone due" or "Revised target (date)".
    for key, words, milestone in LOOSE_GUESSES:
        if key in mapping:
            continue
        for index, k in enumerate(keys):
            if (
                index not in mapping.values()
                and ("milestone" in k) == milestone
                and any(w in k for w in words)
            ):
                mapping[key] = index
                break
    return mapping


def check_mapping(mapping: Mapping[str, int], headers: list[str]) -> None:
    """Refuse a mapping that cannot make actions; raises ImportFileError naming the field."""
    used: dict[int, str] = {}
    for key, index in mapping.items():
        if key not in FIELD_LABELS or not 0 <= index < len(headers):
            raise ImportFileError(key, "Choose a column from the file")
        if index in used:
            raise ImportFileError(
                key,
                f'The column "{headers[index]}" is chosen for both {FIELD_LABELS[used[index]].lower()} '
                f"and {FIELD_LABELS[key].lower()}",
            )
        used[index] = key
    if "action_description" not in mapping:
        raise ImportFileError("action_description", "Choose the column that describes each action")
    milestone_fields = {
        "milestone_lead",
        "milestone_forecast_date",
        "milestone_actual_date",
        "milestone_status",
    }
    if milestone_fields & mapping.keys() and "milestone_title" not in mapping:
        raise ImportFileError(
            "milestone_title", "Choose the column with the milestone's title, or no milestone columns"
        )


# --- plan details asked for on the upload form --------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanDetails:
    title: str
    reference: str
    origin: PlanOrigin


def check_details(*, title: str, reference: str, origin: str) -> tuple[PlanDetails | None, dict[str, str]]:
    """The new plan's title, reference and origin, or the form's errors by field."""
    errors = {}
    if not title:
        errors["title"] = "Enter the plan's title"
    elif len(title) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    if not reference:
        errors["reference"] = "Enter a reference for the plan, such as WSOA-2025"
    elif len(reference) > 30:
        errors["reference"] = "The reference must be 30 characters or fewer"
    try:
        chosen = PlanOrigin(origin)
    except ValueError:
        errors["origin"] = "Choose where the plan comes from"
    if errors:
        return None, errors
    return PlanDetails(title=title, reference=reference, origin=chosen), {}


# --- planning the new plan ----------------------------------------------------------------------


@dataclass(slots=True)
class NewArea:
    number: int | None
    title: str
    outcome: str
    row: int


@dataclass(slots=True)
class NewAction:
    row: int
    area: NewArea
    reference: str
    description: str
    lead_id: int | None
    partner_ids: list[int]
    start_date: date | None
    forecast_date: date | None
    actual_date: date | None
    status: WorkStatus
    percent: int
    cells: dict[str, str]  # the action's own cells as read, to spot a later row that disagrees


@dataclass(slots=True)
class NewMilestone:
    row: int
    action: NewAction
    title: str
    lead_id: int | None
    forecast_date: date | None
    actual_date: date | None
    status: WorkStatus


@dataclass(slots=True)
class ImportedPlan:
    """What an import would create, and every problem found, by row."""

    rows: int = 0
    error_rows: int = 0
    warning_rows: int = 0
    areas: list[NewArea] = field(default_factory=list)
    actions: list[NewAction] = field(default_factory=list)
    milestones: list[NewMilestone] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return self.error_rows == 0 and bool(self.actions)

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "areas": len(self.areas),
            "actions": len(self.actions),
            "milestones": len(self.milestones),
            "errors": self.error_rows,
            "warnings": self.warning_rows,
        }


@dataclass(frozen=True, slots=True)
class Directory:
    """The people and organisations rows may name, read in two statements."""

    staff: list[dict[str, Any]]
    organisations: list[dict[str, Any]]


async def read_directory() -> Directory:
    """Everyone, marked with whether they can sign in (a lead must, to report progress). Three statements."""
    accounts = {row["staff"] for row in await Account.select(Account.staff)}
    staff = await Staff.select(Staff.id, Staff.email, Staff.full_name, Staff.left_on)
    return Directory(
        staff=[{**s, "can_sign_in": s["id"] in accounts} for s in staff],
        organisations=await Organisation.select(Organisation.id, Organisation.name),
    )


ACTION_FIELDS = (
    "area_number",
    "area",
    "area_outcome",
    "action_reference",
    "action_description",
    "lead",
    "partners",
    "start_date",
    "forecast_date",
    "actual_date",
    "status",
    "percent",
)
STATUS_WORDS = {
    "notstarted": WorkStatus.NOT_STARTED,
    "notyetstarted": WorkStatus.NOT_STARTED,
    "planned": WorkStatus.NOT_STARTED,
    "inprogress": WorkStatus.IN_PROGRESS,
    "started": WorkStatus.IN_PROGRESS,
    "ongoing": WorkStatus.IN_PROGRESS,
    "underway": WorkStatus.IN_PROGRESS,
    "complete": WorkStatus.COMPLETE,
    "completed": WorkStatus.COMPLETE,
    "done": WorkStatus.COMPLETE,
    "closed": WorkStatus.COMPLETE,
    "cancelled": WorkStatus.CANCELLED,
    "canceled": WorkStatus.CANCELLED,
    "withdrawn": WorkStatus.CANCELLED,
}
# "2. Reviews", "2 - Reviews", "Priority 2: Reviews": the area's number and its title.
_NUMBERED_TITLE = re.compile(
    r"^(?:priority(?: area)?\s*)?(\d{1,3})\s*[.):\-\u2013]?\s+(\S.*)$", re.IGNORECASE
)
_REFERENCE_AREA = re.compile(r"^(\d{1,3})\.")


class _Row:
    """One row's cells by field, and the problems found in it."""

    def __init__(self, number: int, cells: list[str], mapping: Mapping[str, int], headers: list[str]) -> None:
        self.number = number
        self.cells = cells
        self.mapping = mapping
        self.headers = headers
        self.issues: list[RowIssue] = []

    def get(self, key: str) -> str:
        index = self.mapping.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def error(self, key: str, message: str, *, is_error: bool = True) -> None:
        index = self.mapping.get(key)
        column = (
            (self.headers[index] or f"Column {index + 1}")
            if index is not None
            else FIELD_LABELS.get(key, key)
        )
        self.issues.append(RowIssue(self.number, column, message, is_error=is_error))

    def date(self, key: str) -> date | None:
        text = self.get(key)
        if not text:
            return None
        parsed = parse_uk_date(text)
        if parsed is None:
            self.error(key, f'"{text}" is not a date: write it as 31/01/2026 or 2026-01-31')
        return parsed

    def status(self, key: str, *, done: bool, percent: int) -> WorkStatus:
        text = self.get(key)
        if not text:
            if done:
                return WorkStatus.COMPLETE
            return WorkStatus.IN_PROGRESS if percent else WorkStatus.NOT_STARTED
        found = STATUS_WORDS.get(re.sub(r"[^a-z]", "", text.lower()))
        if found is None:
            self.error(key, f'"{text}" is not a status: use not started, in progress, complete or cancelled')
            return WorkStatus.NOT_STARTED
        return found

    def percent(self) -> int:
        text = self.get("percent").rstrip("%").strip()
        if not text:
            return 0
        try:
            value = float(text)
        except ValueError:
            self.error("percent", f'"{self.get("percent")}" is not a percentage')
            return 0
        if "." in text and 0 < value <= 1 and not self.get("percent").endswith("%"):
            value *= 100  # an Excel cell formatted as a percentage holds 0.45 for 45%
        if not 0 <= value <= 100:
            self.error("percent", "Percent complete must be between 0 and 100")
            return 0
        return round(value)


class _People:
    """Finds leads by email or by full name, as trackers write them."""

    def __init__(self, staff: list[dict[str, Any]]) -> None:
        self.by_email = {s["email"].lower(): s for s in staff}
        self.by_name: dict[str, list[dict[str, Any]]] = {}
        for s in staff:
            self.by_name.setdefault(" ".join(s["full_name"].lower().split()), []).append(s)

    def find(self, row: _Row, key: str) -> int | None:
        text = row.get(key)
        if not text:
            return None
        person = self.by_email.get(text.lower())
        if person is None and "@" not in text:
            named = self.by_name.get(" ".join(text.lower().split()), [])
            # A name shared with someone who has left still means the one who is here.
            named = [s for s in named if s["left_on"] is None] or named[:1]
            if len(named) > 1:
                row.error(key, f"{len(named)} people in Assure are called {text}: give their email address")
                return None
            person = named[0] if named else None
        if person is None:
            row.error(key, f"{text} is not a person in Assure")
            return None
        if person["left_on"] is not None:
            row.error(key, f"{person['full_name']} has left: choose a lead who is still here")
            return None
        if not person["can_sign_in"]:
            # Trackers name officers long before they use Assure: keep the lead, and say so.
            row.error(
                key,
                f"{person['full_name']} leads it but cannot sign in to Assure yet, so cannot report "
                "progress: ask an admin to give them access",
                is_error=False,
            )
        return int(person["id"])


def compute_import(directory: Directory, table: HrTable, mapping: Mapping[str, int]) -> ImportedPlan:
    """Check every row and work out the areas, actions and milestones to create (no database access)."""
    check_mapping(mapping, table.headers)
    result = ImportedPlan(rows=len(table.rows))
    people = _People(directory.staff)
    organisations = {" ".join(o["name"].lower().split()): o["id"] for o in directory.organisations}
    per_milestone = "milestone_title" in mapping
    areas_by_number: dict[int, NewArea] = {}
    areas_by_title: dict[str, NewArea] = {}
    actions_by_reference: dict[str, NewAction] = {}
    previous: NewAction | None = None

    def area_for(row: _Row, reference: str) -> NewArea:
        number_text, title = row.get("area_number"), row.get("area")
        number: int | None = None
        if number_text:
            try:
                number = int(float(number_text))
            except ValueError:
                row.error("area_number", f'"{number_text}" is not a whole number')
        if title and (m := _NUMBERED_TITLE.match(title)):
            number = number if number is not None else int(m[1])
            title = m[2]
        if number is None and not title:
            if previous is not None:
                return previous.area
            if m := _REFERENCE_AREA.match(reference):
                number = int(m[1])
        found = areas_by_number.get(number) if number is not None else None
        if found is None and title:
            found = areas_by_title.get(title.lower())
        if found is not None:
            if title and found.title.lower() != title.lower():
                if found.title.startswith("Priority area "):
                    found.title = title  # a later row names an area first seen by number only
                else:
                    row.error(
                        "area", f'Priority area {found.number} is called "{found.title}" on row {found.row}'
                    )
            if number is not None and found.number is None:
                found.number = number
            elif number is not None and found.number != number:
                row.error(
                    "area_number", f'"{found.title}" is priority area {found.number} on row {found.row}'
                )
        else:
            found = NewArea(
                number=number,
                title=title or (f"Priority area {number}" if number else "Actions"),
                outcome="",
                row=row.number,
            )
            result.areas.append(found)
        if found.number is not None:
            areas_by_number.setdefault(found.number, found)
        areas_by_title.setdefault(found.title.lower(), found)
        if not found.outcome:
            found.outcome = row.get("area_outcome")
        return found

    for number, cells in table.rows:
        row = _Row(number, cells, mapping, table.headers)
        reference = row.get("action_reference")
        description = row.get("action_description")
        action_cells = {k: row.get(k) for k in ACTION_FIELDS if row.get(k)}
        action: NewAction | None = None
        if reference and reference.lower() in actions_by_reference:
            action = actions_by_reference[reference.lower()]
            if not per_milestone:
                row.error("action_reference", f"Action {reference} is also on row {action.row}")
            for key, value in action_cells.items():
                if key in action.cells and action.cells[key].lower() != value.lower():
                    row.error(
                        key,
                        f"Action {reference} has a different {FIELD_LABELS[key].lower()} on row {action.row}",
                    )
        elif not reference and not description and per_milestone and row.get("milestone_title") and previous:
            action = previous  # a milestone under the action of the row above (merged cells)
        elif not description:
            row.error("action_description", "Every action needs a description")
        else:
            if len(reference) > 20:
                row.error("action_reference", "An action reference must be 20 characters or fewer")
            percent = row.percent()
            actual = row.date("actual_date")
            action = NewAction(
                row=number,
                area=area_for(row, reference),
                reference=reference,
                description=description,
                lead_id=people.find(row, "lead"),
                partner_ids=[],
                start_date=row.date("start_date"),
                forecast_date=row.date("forecast_date"),
                actual_date=actual,
                status=row.status("status", done=actual is not None, percent=percent),
                percent=percent,
                cells=action_cells,
            )
            if action.status is WorkStatus.COMPLETE and not row.get("percent"):
                action.percent = 100
            for name in filter(None, (p.strip() for p in re.split(r"[;\n]", row.get("partners")))):
                organisation = organisations.get(" ".join(name.lower().split()))
                if organisation is None:
                    row.error("partners", f"{name} is not an organisation in Assure")
                else:
                    action.partner_ids.append(organisation)
            result.actions.append(action)
            if reference:
                actions_by_reference[reference.lower()] = action
            if action.start_date and action.forecast_date and action.forecast_date < action.start_date:
                row.error("forecast_date", "The forecast date must be on or after the start date")
        if action is not None:
            previous = action
            title = row.get("milestone_title")
            if per_milestone and title:
                if len(title) > 300:
                    row.error("milestone_title", "A milestone title must be 300 characters or fewer")
                actual = row.date("milestone_actual_date")
                result.milestones.append(
                    NewMilestone(
                        row=number,
                        action=action,
                        title=title,
                        lead_id=people.find(row, "milestone_lead"),
                        forecast_date=row.date("milestone_forecast_date"),
                        actual_date=actual,
                        status=row.status("milestone_status", done=actual is not None, percent=0),
                    )
                )
            elif per_milestone and any(
                row.get(k) for k in ("milestone_lead", "milestone_forecast_date", "milestone_actual_date")
            ):
                row.error("milestone_title", "This row has milestone dates but no milestone title")
        if any(issue.is_error for issue in row.issues):
            result.error_rows += 1
        elif row.issues:
            result.warning_rows += 1
        result.issues.extend(row.issues)

    _number_areas_and_actions(result)
    return result


def _number_areas_and_actions(result: ImportedPlan) -> None:
    """Areas without a number take the next free ones; actions without a reference are numbered 2.1, 2.2…"""
    used = {a.number for a in result.areas if a.number is not None}
    next_number = max(used, default=0) + 1
    for area in result.areas:
        if area.number is None:
            area.number = next_number
            next_number += 1
    taken = {a.reference for a in result.actions if a.reference}
    counters: dict[int, int] = {}
    for action in result.actions:
        if action.reference:
            continue
        number = action.area.number or 0
        while True:
            counters[number] = counters.get(number, 0) + 1
            candidate = f"{number}.{counters[number]}"
            if candidate not in taken:
                break
        action.reference = candidate
        taken.add(candidate)


async def preview_import(*, table: HrTable, mapping: Mapping[str, int]) -> ImportedPlan:
    """What an import would create, without changing anything."""
    directory = await read_directory()
    return await anyio.to_thread.run_sync(compute_import, directory, table, dict(mapping))


# --- writing ------------------------------------------------------------------------------------


# Rows per INSERT: at 15 columns, well inside PostgreSQL's 32,767 bound parameters per statement.
INSERT_BATCH = 1000


async def _insert_all(rows: Sequence[Table]) -> list[dict[str, Any]]:
    """Insert rows of one table in batches; their ids come back in the order given."""
    made: list[dict[str, Any]] = []
    for start in range(0, len(rows), INSERT_BATCH):
        made.extend(await type(rows[start]).insert(*rows[start : start + INSERT_BATCH]))
    return made


async def reference_taken(reference: str) -> bool:
    return bool(await Plan.exists().where(Plan.reference == reference))


async def run_import(
    *,
    table: HrTable,
    mapping: Mapping[str, int],
    details: PlanDetails,
    actor: Actor,
    filename: str,
    before_commit: Callable[[], Awaitable[None]] | None = None,
) -> tuple[int, ImportedPlan]:
    """Create the new draft plan with its areas, actions and milestones in one transaction.

    Raises ImportFileError (nothing written) when the reference is taken or any row has an error.
    `before_commit` runs last inside the transaction (tests use it to prove nothing is half-written).
    """
    now = datetime.now(UTC)
    async with write_transaction():
        if await reference_taken(details.reference):
            raise ImportFileError(
                "reference", f"A plan with the reference {details.reference} already exists"
            )
        directory = await read_directory()
        result = await anyio.to_thread.run_sync(compute_import, directory, table, dict(mapping))
        if not result.importable:
            raise ImportFileError("file", "The file has rows with errors: nothing was imported")
        plan_id = (
            await Plan.insert(
                Plan(
                    reference=details.reference,
                    title=details.title,
                    origin=details.origin,
                    status=PlanStatus.DRAFT,
                    owner=actor.staff_id,
                    created_at=now,
                    updated_at=now,
                )
            )
        )[0]["id"]
        areas = sorted(result.areas, key=lambda a: a.number or 0)
        area_rows = await _insert_all(
            [
                PriorityArea(
                    plan=plan_id,
                    number=a.number,
                    title=a.title[:200],
                    intended_outcome=a.outcome,
                    created_at=now,
                    updated_at=now,
                )
                for a in areas
            ]
        )
        area_ids = {id(a): row["id"] for a, row in zip(areas, area_rows, strict=True)}
        positions: dict[int, int] = {}
        new_actions = []
        for action in result.actions:
            positions[id(action.area)] = positions.get(id(action.area), 0) + 1
            new_actions.append(
                Action(
                    plan=plan_id,
                    priority_area=area_ids[id(action.area)],
                    reference=action.reference,
                    position=positions[id(action.area)],
                    description=action.description,
                    lead=action.lead_id,
                    start_date=action.start_date,
                    forecast_date=action.forecast_date,
                    actual_date=action.actual_date,
                    status=action.status,
                    percent_complete=action.percent,
                    created_at=now,
                    updated_at=now,
                )
            )
        action_rows = await _insert_all(new_actions)
        action_ids = {id(a): row["id"] for a, row in zip(result.actions, action_rows, strict=True)}
        partners = [
            ActionPartner(action=action_ids[id(a)], organisation=organisation)
            for a in result.actions
            for organisation in dict.fromkeys(a.partner_ids)
        ]
        if partners:
            await _insert_all(partners)
        positions.clear()
        milestones = []
        for milestone in result.milestones:
            positions[id(milestone.action)] = positions.get(id(milestone.action), 0) + 1
            milestones.append(
                Milestone(
                    plan=plan_id,
                    action=action_ids[id(milestone.action)],
                    position=positions[id(milestone.action)],
                    title=milestone.title,
                    lead=milestone.lead_id,
                    forecast_date=milestone.forecast_date,
                    actual_date=milestone.actual_date,
                    status=milestone.status,
                    created_at=now,
                    updated_at=now,
                )
            )
        if milestones:
            await _insert_all(milestones)
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="plan",
            entity_id=plan_id,
            summary=f"Plan {details.reference} imported from {filename}",
            after={
                "reference": details.reference,
                "title": details.title,
                "origin": details.origin.value,
                "status": PlanStatus.DRAFT.value,
                "filename": filename,
                **result.summary(),
            },
        )
        if before_commit is not None:
            await before_commit()
    return plan_id, result
