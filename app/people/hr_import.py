"""Staff import from HR exports (CSV or XLSX): read, map columns, preview the changes, apply them.

The flow is read_upload → guess_mapping / check_mapping → preview_import → run_import. Reading and
planning are plain functions that run in a worker thread; run_import plans again inside one write
transaction, so what is written always matches the database it was checked against.

Decisions a council admin should know (also said on the preview page):
- People are matched by employee number, else by email (case-insensitive). Nobody is ever deleted, and
  people missing from the file are left alone: an HR export may cover part of the workforce.
- A blank cell in a mapped column leaves what Assure already holds; an unmapped column changes nothing.
- An unknown organisation is a row error. An unknown team (within the named organisation) or job role is
  created, with an audit entry: HR systems name new teams before anyone adds them to Assure, and refusing
  the row would leave new starters untrained.
- An unknown line manager does not stop the row: the person is imported without a manager (or keeps the
  one they have) and the row gets a warning. Training matters more than the escalation route.
- A leaving date on or before today, or a status saying they left, marks the person as left (never
  deleted). A future leaving date is reported and ignored until it passes. The import never reinstates
  anyone: that stays a deliberate action on the person's page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import anyio.to_thread
from piccolo.engine.postgres import PostgresEngine
from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString

from app.audit import Actor
from app.database import get_engine, write_transaction
from app.enums import AuditAction
from app.tables import JobRole, Organisation, Staff, Team

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Rows per INSERT/UPDATE: well inside SQLite's and asyncpg's limits on bound parameters (32,766).
BATCH_ROWS = 2000
MAX_PARAMETERS = 30000
# People per call to the assignment rules (its IN lists are bound parameters too).
RULES_CHUNK = 10000
MAX_ISSUES_SHOWN = 500

ProgressCallback = Callable[[str, int, int], None]


class ImportFileError(ValueError):
    """A file or mapping that cannot be imported at all, with the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ImportField:
    key: str
    label: str
    hint: str
    # Header names (lower case, letters and digits only) that mean this field.
    synonyms: tuple[str, ...]


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "employee_number",
        "Employee number",
        "Used first to match people already in Assure",
        (
            "employeenumber",
            "employeeno",
            "employeeid",
            "empno",
            "empnumber",
            "empid",
            "staffnumber",
            "staffno",
            "staffid",
            "payrollnumber",
            "payrollno",
            "personnumber",
            "personno",
            "employeeref",
            "employeereference",
            "assignmentnumber",
        ),
    ),
    ImportField(
        "email",
        "Email address",
        "Required on every row; matches people who have no employee number",
        ("email", "emailaddress", "workemail", "workemailaddress", "businessemail", "officeemail", "mail"),
    ),
    ImportField(
        "full_name",
        "Full name",
        "Or choose first name and last name below",
        ("fullname", "name", "employeename", "staffname", "displayname", "personname"),
    ),
    ImportField(
        "first_name",
        "First name",
        "",
        ("firstname", "forename", "forenames", "givenname", "givennames", "firstnames"),
    ),
    ImportField("last_name", "Last name", "", ("lastname", "surname", "familyname")),
    ImportField(
        "organisation",
        "Organisation",
        "Must match an organisation in Assure",
        ("organisation", "organization", "organisationname", "org", "agency", "employer", "company"),
    ),
    ImportField(
        "team",
        "Team",
        "A team not yet in the organisation is created",
        ("team", "teamname", "section", "unit", "department", "dept", "service"),
    ),
    ImportField(
        "job_role",
        "Job role",
        "A job role not yet in Assure is created",
        ("jobrole", "jobtitle", "role", "position", "post", "posttitle", "jobrolename"),
    ),
    ImportField(
        "line_manager_email",
        "Line manager's email",
        "",
        (
            "linemanageremail",
            "manageremail",
            "linemanageremailaddress",
            "manageremailaddress",
            "reportstoemail",
            "supervisoremail",
        ),
    ),
    ImportField(
        "line_manager_employee_number",
        "Line manager's employee number",
        "",
        (
            "linemanagernumber",
            "linemanagerno",
            "linemanageremployeenumber",
            "linemanageremployeeno",
            "manageremployeenumber",
            "manageremployeeno",
            "managernumber",
            "managerno",
            "linemanagerid",
            "managerid",
        ),
    ),
    ImportField(
        "start_date",
        "Start date",
        "",
        (
            "startdate",
            "datestarted",
            "start",
            "hiredate",
            "dateofjoining",
            "joiningdate",
            "contractstartdate",
            "servicestartdate",
            "dateofstart",
        ),
    ),
    ImportField(
        "leaving_date",
        "Leaving date",
        "People with a leaving date are marked as left",
        (
            "leavingdate",
            "leavedate",
            "leftdate",
            "dateleft",
            "enddate",
            "terminationdate",
            "contractenddate",
            "dateofleaving",
        ),
    ),
    ImportField(
        "status",
        "Employment status",
        'A status such as "Left" marks the person as left',
        ("status", "employmentstatus", "employeestatus", "staffstatus"),
    ),
)
FIELD_LABELS = {f.key: f.label for f in FIELDS}
LEFT_STATUSES = {"left", "leaver", "leavers", "terminated", "inactive", "former", "ended", "resigned"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STAFF_FIELDS = (
    "email",
    "full_name",
    "employee_number",
    "organisation",
    "team",
    "job_role",
    "line_manager",
    "start_date",
    "left_on",
)


# --- reading the file ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HrTable:
    """A file's headers and its non-blank rows, each with its row number as a spreadsheet shows it."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]

    def to_json(self) -> str:
        return json.dumps({"headers": self.headers, "rows": self.rows})

    @classmethod
    def from_json(cls, text: str) -> HrTable:
        data = json.loads(text)
        return cls(headers=data["headers"], rows=[(int(n), cells) for n, cells in data["rows"]])


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _decode_text(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportFileError("file", "The selected file must be a CSV or an Excel (XLSX) file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "file", 'The CSV file must be saved as UTF-8 or Windows-1252 ("CSV UTF-8" in Excel)'
        ) from exc


def _csv_rows(data: bytes) -> Iterable[list[str]]:
    text = _decode_text(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportFileError("file", f"The CSV file could not be read: {exc}") from exc


def _cell_text(value: Any) -> str:
    """An Excel cell as text: dates as ISO dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterable[list[str]]:
    from openpyxl import load_workbook  # defusedxml, when installed, guards it against XML bombs

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError("file", "The Excel file could not be read: it may be damaged") from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_upload(data: bytes, filename: str) -> HrTable:
    """Read a CSV or XLSX file (type judged by its content) into headers and non-blank rows."""
    if not data:
        raise ImportFileError("file", "The selected file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError("file", "The selected file must be smaller than 20 MB")
    if _is_xlsx(data):
        rows = _xlsx_rows(data)
    elif data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xls", ".xlsx", ".ods")):
        raise ImportFileError("file", "The selected file must be a CSV or an Excel workbook saved as XLSX")
    else:
        rows = _csv_rows(data)
    headers: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows, start=1):
        cells = [_tidy(c) for c in row]
        if not any(cells):
            continue  # blank rows are skipped silently, but still counted for row numbers
        if headers is None:
            headers = cells
            continue
        body.append((number, cells))
    if headers is None:
        raise ImportFileError("file", "The selected file has no header row")
    if not body:
        raise ImportFileError("file", "The selected file has a header row but no people in it")
    return HrTable(headers=headers, rows=body)


# --- mapping columns to Assure fields -------------------------------------------------------


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Assure field → column index, guessed from header names like "Employee No" or "Work Email"."""
    keys = [_header_key(h) for h in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for f in FIELDS:
        for index, key in enumerate(keys):
            if index not in taken and key in f.synonyms:
                mapping[f.key] = index
                taken.add(index)
                break
    # Looser guesses for what exact names missed, e.g. "Manager's e-mail" or "Date of leaving".
    loose = (
        ("line_manager_email", lambda k: "manager" in k and "mail" in k),
        ("line_manager_employee_number", lambda k: "manager" in k and ("no" in k or "number" in k)),
        ("email", lambda k: "mail" in k and "manager" not in k),
        ("employee_number", lambda k: ("employee" in k or "staff" in k) and ("no" in k or "number" in k)),
        ("start_date", lambda k: "start" in k),
        ("leaving_date", lambda k: "leav" in k or "termination" in k),
    )
    for name, matches in loose:
        if name in mapping:
            continue
        for index, key in enumerate(keys):
            if index not in taken and matches(key):
                mapping[name] = index
                taken.add(index)
                break
    if "full_name" in mapping and {"first_name", "last_name"} <= mapping.keys():
        del mapping["full_name"]  # a "Name" column beside forename and surname is often a username
    return mapping


def check_mapping(mapping: dict[str, int], headers: list[str]) -> None:
    """Refuse a mapping that cannot identify and name people; raises ImportFileError naming the field."""
    for key, index in mapping.items():
        if key not in FIELD_LABELS or not 0 <= index < len(headers):
            raise ImportFileError(key, "Choose a column from the file")
    used: dict[int, str] = {}
    for key, index in mapping.items():
        if index in used:
            raise ImportFileError(
                key,
                f'The column "{headers[index]}" is chosen for both {FIELD_LABELS[used[index]].lower()} '
                f"and {FIELD_LABELS[key].lower()}",
            )
        used[index] = key
    if "email" not in mapping:
        raise ImportFileError("email", "Choose the column that holds each person's email address")
    if "full_name" not in mapping and not {"first_name", "last_name"} <= mapping.keys():
        raise ImportFileError(
            "full_name", "Choose the column for full name, or both first name and last name"
        )
    if "full_name" in mapping and ("first_name" in mapping or "last_name" in mapping):
        raise ImportFileError("full_name", "Choose either full name, or first name and last name, not both")
    if "organisation" not in mapping:
        raise ImportFileError("organisation", "Choose the column that holds each person's organisation")


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+),? (\d{4})$")


def parse_uk_date(text: str) -> date | None:
    """A date as UK HR systems write it (31/01/2024, 31-01-2024, 31 Jan 2024, 2024-01-31); None if not."""
    text = text.strip().lower()
    if m := _ISO.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _UK.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif (m := _WORDS.match(text)) and m[2] in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3])
    else:
        return None
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewTeam:
    organisation_id: int
    name: str


@dataclass(frozen=True, slots=True)
class NewJobRole:
    name: str


@dataclass(frozen=True, slots=True)
class NewPerson:
    email: str


@dataclass(frozen=True, slots=True)
class RowIssue:
    row: int
    column: str
    message: str
    is_error: bool = True


@dataclass(slots=True)
class PlannedPerson:
    row: int
    staff_id: int | None  # None for a new person
    values: dict[str, Any]  # every Staff field; team, job role and manager may be New* references
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    is_leaver: bool = False


@dataclass(slots=True)
class ImportPlan:
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    leavers: int = 0
    error_rows: int = 0
    warning_rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    creates: list[PlannedPerson] = field(default_factory=list)
    updates: list[PlannedPerson] = field(default_factory=list)
    new_teams: list[NewTeam] = field(default_factory=list)
    new_job_roles: list[NewJobRole] = field(default_factory=list)
    team_labels: dict[NewTeam, str] = field(default_factory=dict)

    @property
    def importable(self) -> int:
        return self.rows - self.error_rows

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "leavers": self.leavers,
            "errors": self.error_rows,
            "warnings": self.warning_rows,
            "new_teams": len(self.new_teams),
            "new_job_roles": len(self.new_job_roles),
        }


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What Assure holds now, read in four statements whatever the size."""

    organisations: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    job_roles: list[dict[str, Any]]
    staff: list[dict[str, Any]]


async def read_snapshot() -> Snapshot:
    return Snapshot(
        organisations=await Organisation.select(Organisation.id, Organisation.name, Organisation.active),
        teams=await Team.select(Team.id, Team.name, Team.organisation),
        job_roles=await JobRole.select(JobRole.id, JobRole.name),
        staff=await Staff.select(
            Staff.id,
            Staff.email,
            Staff.full_name,
            Staff.employee_number,
            Staff.organisation,
            Staff.team,
            Staff.job_role,
            Staff.line_manager,
            Staff.start_date,
            Staff.left_on,
        ),
    )


def compute_plan(snapshot: Snapshot, table: HrTable, mapping: dict[str, int], today: date) -> ImportPlan:
    """Check every row and work out who is new, changed, unchanged or leaving (no database access)."""
    check_mapping(mapping, table.headers)
    plan = ImportPlan()
    headers = table.headers
    organisations = {_tidy(o["name"]).lower(): o for o in snapshot.organisations}
    teams = {(t["organisation"], _tidy(t["name"]).lower()): t["id"] for t in snapshot.teams}
    job_roles = {_tidy(r["name"]).lower(): r["id"] for r in snapshot.job_roles}
    staff_by_id = {s["id"]: s for s in snapshot.staff}
    by_number = {s["employee_number"]: s for s in snapshot.staff if s["employee_number"]}
    by_email = {s["email"].lower(): s for s in snapshot.staff}
    new_teams: dict[NewTeam, None] = {}
    new_roles: dict[str, NewJobRole] = {}

    def column(key: str) -> str:
        return headers[mapping[key]]

    def cell(cells: list[str], key: str) -> str:
        index = mapping.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index]

    seen_emails: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    matched: dict[int, int] = {}  # staff id → row that matched them
    # Rows that passed their own checks, waiting for line managers to be resolved across the file.
    accepted: list[tuple[PlannedPerson, dict[str, Any] | None, str, str, list[RowIssue]]] = []

    for number, cells in table.rows:
        plan.rows += 1
        errors: list[RowIssue] = []
        warnings: list[RowIssue] = []

        def error(key: str, message: str, number: int = number, errors: list[RowIssue] = errors) -> None:
            errors.append(RowIssue(number, column(key) if key in mapping else FIELD_LABELS[key], message))

        def warn(key: str, message: str, number: int = number, warnings: list[RowIssue] = warnings) -> None:
            label = column(key) if key in mapping else FIELD_LABELS[key]
            warnings.append(RowIssue(number, label, message, is_error=False))

        email = cell(cells, "email").lower()
        employee_number = cell(cells, "employee_number").upper() or None  # as StaffDetails stores it
        if "full_name" in mapping:
            full_name = cell(cells, "full_name")
        else:
            full_name = _tidy(f"{cell(cells, 'first_name')} {cell(cells, 'last_name')}")

        if not email:
            error("email", "Enter an email address: every person needs one")
        elif not EMAIL.match(email) or len(email) > 254:
            error("email", f'"{email}" is not an email address in the correct format, like name@example.org')
        elif email in seen_emails:
            error("email", f"{email} is also on row {seen_emails[email]}: each person must appear once")
        if employee_number:
            if len(employee_number) > 50:
                error("employee_number", "Employee number must be 50 characters or fewer")
            elif employee_number in seen_numbers:
                error(
                    "employee_number",
                    f"Employee number {employee_number} is also on row {seen_numbers[employee_number]}",
                )
        if not full_name:
            error("full_name" if "full_name" in mapping else "first_name", "Enter the person's name")
        elif len(full_name) > 200:
            error(
                "full_name" if "full_name" in mapping else "first_name",
                "Name must be 200 characters or fewer",
            )

        dates: dict[str, date | None] = {}
        for key in ("start_date", "leaving_date"):
            raw = cell(cells, key)
            dates[key] = parse_uk_date(raw) if raw else None
            if raw and dates[key] is None:
                error(key, f'"{raw}" is not a real date: use a date like 31/01/2024')

        # Who this row is: by employee number, else by email.
        existing: dict[str, Any] | None = None
        if employee_number and employee_number in by_number:
            existing = by_number[employee_number]
            holder = by_email.get(email)
            if email and holder is not None and holder["id"] != existing["id"]:
                error("email", f"{email} already belongs to someone else in Assure ({holder['full_name']})")
        elif email in by_email:
            existing = by_email[email]
            if employee_number and existing["employee_number"]:
                error(
                    "employee_number",
                    f"{email} belongs to employee number {existing['employee_number']} in Assure, "
                    f"not {employee_number}",
                )
        if existing is not None and existing["id"] in matched and not errors:
            error("email", f"This is the same person as row {matched[existing['id']]}")

        organisation_name = cell(cells, "organisation")
        organisation = organisations.get(organisation_name.lower()) if organisation_name else None
        if not organisation_name:
            if existing is None:
                error("organisation", "Enter the person's organisation")
        elif organisation is None:
            error("organisation", f'"{organisation_name}" is not an organisation in Assure: add it first')
        elif not organisation["active"] and (
            existing is None or existing["organisation"] != organisation["id"]
        ):
            error("organisation", f"{organisation['name']} is inactive, so it cannot get new staff")

        if email and email not in seen_emails:
            seen_emails[email] = number
        if employee_number and employee_number not in seen_numbers:
            seen_numbers[employee_number] = number
        if errors:
            plan.error_rows += 1
            plan.issues.extend(errors)
            plan.issues.extend(warnings)
            continue

        values: dict[str, Any] = dict(existing) if existing else {f: None for f in STAFF_FIELDS}
        values.pop("id", None)
        values["email"] = email
        values["full_name"] = full_name
        if employee_number:
            values["employee_number"] = employee_number
        if organisation is not None:
            if organisation["id"] != values["organisation"]:
                values["team"] = None  # a team belongs to one organisation
            values["organisation"] = organisation["id"]
        if team_name := cell(cells, "team"):
            if len(team_name) > 200:
                error("team", "Team must be 200 characters or fewer")
            team_key = (values["organisation"], team_name.lower())
            if team_key in teams:
                values["team"] = teams[team_key]
            else:
                new_team = NewTeam(values["organisation"], team_name.lower())
                if new_team not in new_teams:
                    new_teams[new_team] = None
                    plan.team_labels[new_team] = team_name
                values["team"] = new_team
        if role_name := cell(cells, "job_role"):
            if len(role_name) > 200:
                error("job_role", "Job role must be 200 characters or fewer")
            if role_name.lower() in job_roles:
                values["job_role"] = job_roles[role_name.lower()]
            else:
                values["job_role"] = new_roles.setdefault(role_name.lower(), NewJobRole(role_name))
        if dates["start_date"] is not None:
            values["start_date"] = dates["start_date"]
        leaving = dates["leaving_date"]
        status = cell(cells, "status").lower()
        if leaving is not None and leaving > today:
            warn("leaving_date", f"Leaving date {leaving:%d/%m/%Y} is in the future: not marked as left yet")
        elif leaving is not None:
            values["left_on"] = leaving
        elif status in LEFT_STATUSES and values["left_on"] is None:
            values["left_on"] = today
        if existing is not None and existing["left_on"] is not None and values["left_on"] is None:
            values["left_on"] = existing["left_on"]
        if (
            existing is not None
            and existing["left_on"] is not None
            and status
            and status not in LEFT_STATUSES
            and leaving is None
        ):
            warn(
                "status",
                "Marked as left in Assure: not reinstated by an import (use Reinstate on their page)",
            )
        if errors:
            plan.error_rows += 1
            plan.issues.extend(errors)
            plan.issues.extend(warnings)
            continue
        if existing is not None:
            matched[existing["id"]] = number
        person = PlannedPerson(row=number, staff_id=existing["id"] if existing else None, values=values)
        accepted.append(
            (
                person,
                existing,
                cell(cells, "line_manager_email").lower(),
                cell(cells, "line_manager_employee_number").upper(),
                warnings,
            )
        )

    # Line managers may be people already in Assure or people on another row of this file.
    manager_by_email: dict[str, Any] = {e: s["id"] for e, s in by_email.items()}
    manager_by_number: dict[str, Any] = {n: s["id"] for n, s in by_number.items()}
    for person, _, _, _, _ in accepted:
        who = person.staff_id if person.staff_id is not None else NewPerson(person.values["email"])
        manager_by_email[person.values["email"]] = who
        if person.values["employee_number"]:
            manager_by_number[person.values["employee_number"]] = who

    for person, existing, manager_email, manager_number, warnings in accepted:
        manager: Any = None
        if manager_email:
            manager = manager_by_email.get(manager_email)
            if manager is None:
                warnings.append(
                    RowIssue(
                        person.row,
                        column("line_manager_email"),
                        f"Line manager {manager_email} is not in Assure or this file: "
                        + ("line manager left unchanged" if existing else "imported without a line manager"),
                        is_error=False,
                    )
                )
        elif manager_number:
            manager = manager_by_number.get(manager_number)
            if manager is None:
                warnings.append(
                    RowIssue(
                        person.row,
                        column("line_manager_employee_number"),
                        f"Line manager with employee number {manager_number} is not in Assure or this "
                        "file: "
                        + ("line manager left unchanged" if existing else "imported without a line manager"),
                        is_error=False,
                    )
                )
        own = person.staff_id if person.staff_id is not None else NewPerson(person.values["email"])
        if manager is not None and manager == own:
            warnings.append(
                RowIssue(
                    person.row, "Line manager", "A person cannot be their own line manager", is_error=False
                )
            )
            manager = None
        if manager is not None:
            person.values["line_manager"] = manager
        if warnings:
            plan.warning_rows += 1
            plan.issues.extend(warnings)
        if existing is None:
            plan.new += 1
            person.after = {k: v for k, v in person.values.items() if v is not None}
            plan.creates.append(person)
            continue
        current = staff_by_id[existing["id"]]
        person.before = {k: current[k] for k in STAFF_FIELDS if current[k] != person.values[k]}
        person.after = {k: person.values[k] for k in person.before}
        if not person.after:
            plan.unchanged += 1
            continue
        person.is_leaver = current["left_on"] is None and person.values["left_on"] is not None
        if person.is_leaver:
            plan.leavers += 1
        else:
            plan.changed += 1
        plan.updates.append(person)

    plan.issues.sort(key=lambda issue: (issue.row, not issue.is_error))
    # Only teams and roles that some importable row uses are created.
    used = {p.values["team"] for p in plan.creates + plan.updates} | {
        p.values["job_role"] for p in plan.creates + plan.updates
    }
    plan.new_teams = [t for t in new_teams if t in used]
    plan.new_job_roles = [r for r in new_roles.values() if r in used]
    return plan


async def preview_import(*, table: HrTable, mapping: dict[str, int], today: date | None = None) -> ImportPlan:
    """What an import would do, without changing anything."""
    snapshot = await read_snapshot()
    return await anyio.to_thread.run_sync(compute_plan, snapshot, table, mapping, today or date.today())


# --- writing ----------------------------------------------------------------------------------


async def _execute(template: str, args: list[Any]) -> list[dict[str, Any]]:
    """Run SQL with "{}" placeholders and tens of thousands of arguments.

    Piccolo's QueryString inspects every argument one by one (seconds per 50,000 rows), so the
    placeholders are numbered here and handed to the engine as an already-compiled query.
    """
    parts = template.split("{}")
    if get_engine().engine_type == "sqlite":
        sql = "?".join(parts)
    else:
        sql = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]
    querystring = QueryString("")
    querystring._frozen_compiled_strings = (sql, args)
    return await Raw(table=Staff, querystring=querystring).run() or []


def _json(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, NewTeam | NewJobRole):
        return value.name
    if isinstance(value, NewPerson):
        return value.email
    return value


def _batches(items: list[Any], size: int = BATCH_ROWS) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _bulk_update(rows: list[tuple[int, dict[str, Any]]], columns: tuple[str, ...]) -> None:
    """UPDATE many people at once from a VALUES list (one statement per batch, SQLite and PostgreSQL)."""
    postgres = isinstance(get_engine(), PostgresEngine)
    types = {
        "id": "INTEGER",
        "organisation": "INTEGER",
        "team": "INTEGER",
        "job_role": "INTEGER",
        "line_manager": "INTEGER",
        "start_date": "DATE",
        "left_on": "DATE",
        "email": "VARCHAR",
        "full_name": "VARCHAR",
        "employee_number": "VARCHAR",
    }

    def slot(name: str) -> str:
        # PostgreSQL cannot infer the type of a bare parameter in VALUES; SQLite needs no cast.
        return f"CAST({{}} AS {types[name]})" if postgres else "{}"

    row_sql = "(" + ", ".join([slot("id")] + [slot(c) for c in columns]) + ")"
    assignments = ", ".join(f"{c} = v.column{i + 2}" for i, c in enumerate(columns))
    for batch in _batches(rows, max(1, min(BATCH_ROWS, MAX_PARAMETERS // (len(columns) + 1)))):
        values_sql = ", ".join([row_sql] * len(batch))
        args: list[Any] = []
        for staff_id, values in batch:
            args.append(staff_id)
            args.extend(values[c] for c in columns)
        await _execute(
            f"UPDATE staff SET {assignments} FROM (VALUES {values_sql}) AS v "  # noqa: S608 (our column names)
            "WHERE staff.id = v.column1",
            args,
        )


async def _bulk_insert(
    table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]], returning: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Multi-row INSERTs built once per batch: Piccolo's per-object inserts cost seconds at 50,000 rows."""
    made: list[dict[str, Any]] = []
    row_sql = "(" + ", ".join(["{}"] * len(columns)) + ")"
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    for batch in _batches(rows, max(1, min(BATCH_ROWS, MAX_PARAMETERS // len(columns)))):
        values_sql = ", ".join([row_sql] * len(batch))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values_sql}{tail}"  # noqa: S608 (our names)
        made.extend(await _execute(sql, [value for row in batch for value in row]))
    return made


AUDIT_COLUMNS = (
    "occurred_at",
    "actor",
    "actor_label",
    "action",
    "entity",
    "entity_id",
    "summary",
    "before",
    "after",
    "client_ip",
)


async def _write(
    plan: ImportPlan,
    *,
    actor: Actor,
    filename: str,
    today: date,
    progress: ProgressCallback | None,
) -> list[int]:
    now = datetime.now(UTC)
    audit_rows: list[tuple[Any, ...]] = []

    def audit_entry(
        action: AuditAction,
        entity: str,
        entity_id: Any,
        summary: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        audit_rows.append(
            (
                now,
                actor.staff_id,
                actor.label[:254],
                action.value,
                entity,
                str(entity_id)[:50],
                summary[:500],
                _json(before),
                _json(after),
                actor.client_ip[:64],
            )
        )

    role_ids: dict[str, int] = {}
    made = await _bulk_insert(
        "job_role",
        ("name", "description", "active", "created_at", "updated_at"),
        [(r.name, "", True, now, now) for r in plan.new_job_roles],
        returning=("id", "name"),
    )
    for row in made:
        role_ids[row["name"].lower()] = row["id"]
        audit_entry(
            AuditAction.CREATE,
            "job_role",
            row["id"],
            f"Job role {row['name']} created by staff import",
            None,
            {"name": row["name"]},
        )
    team_ids: dict[tuple[int, str], int] = {}
    made = await _bulk_insert(
        "team",
        ("name", "organisation", "active", "created_at", "updated_at"),
        [(plan.team_labels[t], t.organisation_id, True, now, now) for t in plan.new_teams],
        returning=("id", "name", "organisation"),
    )
    for row in made:
        team_ids[(row["organisation"], row["name"].lower())] = row["id"]
        audit_entry(
            AuditAction.CREATE,
            "team",
            row["id"],
            f"Team {row['name']} created by staff import",
            None,
            {"name": row["name"], "organisation": row["organisation"]},
        )

    def resolve(values: dict[str, Any], people: dict[str, int]) -> dict[str, Any]:
        out = dict(values)
        if isinstance(out["team"], NewTeam):
            out["team"] = team_ids[(out["team"].organisation_id, out["team"].name)]
        if isinstance(out["job_role"], NewJobRole):
            out["job_role"] = role_ids[out["job_role"].name.lower()]
        if isinstance(out["line_manager"], NewPerson):
            out["line_manager"] = people.get(out["line_manager"].email)
        return out

    total = len(plan.creates) + len(plan.updates)
    done = 0
    created: dict[str, int] = {}
    # Ids are read back in one statement afterwards: RETURNING on every batch doubles the cost on SQLite.
    before_max = (await Staff.raw("SELECT MAX(id) AS top FROM staff"))[0]["top"] or 0
    await _bulk_insert(
        "staff",
        (*STAFF_FIELDS, "created_at", "updated_at"),
        [
            (*(values[f] for f in STAFF_FIELDS), now, now)
            for values in (resolve(p.values, {}) for p in plan.creates)
        ],
    )
    if plan.creates:
        emails = {p.values["email"] for p in plan.creates}
        for row in await Staff.select(Staff.id, Staff.email).where(Staff.id > before_max):
            if row["email"] in emails:
                created[row["email"]] = row["id"]
    done += len(plan.creates)
    if progress:
        progress("Writing people", done, total)
    # New people whose line manager is also new get their manager now both have ids.
    pending = [
        (created[p.values["email"]], {"line_manager": created[p.values["line_manager"].email]})
        for p in plan.creates
        if isinstance(p.values["line_manager"], NewPerson)
    ]
    if pending:
        await _bulk_update(pending, ("line_manager",))
    updates = [(p, resolve(p.values, created)) for p in plan.updates]
    await _bulk_update(
        [(p.staff_id, values) for p, values in updates if p.staff_id is not None], STAFF_FIELDS
    )
    for batch in _batches([p.staff_id for p in plan.updates], 2000):
        await Staff.update({Staff.updated_at: now}).where(Staff.id.is_in(batch))
    done += len(updates)
    if progress:
        progress("Writing people", done, total)

    for p in plan.creates:
        values = resolve(p.values, created)
        audit_entry(
            AuditAction.CREATE,
            "staff",
            created[p.values["email"]],
            f"{p.values['full_name']} added by staff import",
            None,
            {k: v for k, v in values.items() if v is not None},
        )
    for p, values in updates:
        summary = "marked as left" if p.is_leaver else "updated"
        audit_entry(
            AuditAction.UPDATE,
            "staff",
            p.staff_id,
            f"{p.values['full_name']} {summary} by staff import",
            p.before,
            {k: values[k] for k in p.after},
        )
    audit_entry(
        AuditAction.CREATE,
        "staff_import",
        "",
        f"Staff imported from {filename}"[:500],
        None,
        {"filename": filename, **plan.summary()},
    )
    await _bulk_insert("audit_entry", AUDIT_COLUMNS, audit_rows)
    return list(created.values()) + [p.staff_id for p in plan.updates if p.staff_id is not None]


async def run_import(
    *,
    table: HrTable,
    mapping: dict[str, int],
    actor: Actor,
    filename: str,
    today: date | None = None,
    progress: ProgressCallback | None = None,
    before_commit: Callable[[], Awaitable[None]] | None = None,
) -> ImportPlan:
    """Import the valid rows in one transaction and give new starters and movers their courses.

    Plans again inside the transaction, so a preview made earlier can never be applied stale.
    `before_commit` runs last inside the transaction (tests use it to prove nothing is half-written).
    """
    from courses import assignments  # courses depends on people, not the other way round

    today = today or date.today()
    async with write_transaction():
        snapshot = await read_snapshot()
        plan = await anyio.to_thread.run_sync(compute_plan, snapshot, table, mapping, today)
        touched = await _write(plan, actor=actor, filename=filename, today=today, progress=progress)
        for start in range(0, len(touched), RULES_CHUNK):
            await assignments.apply_rules_to_staff(
                staff_ids=touched[start : start + RULES_CHUNK], today=today
            )
        if before_commit is not None:
            await before_commit()
    return plan
