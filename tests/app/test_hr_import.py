"""Staff import from HR exports: an admin uploads the council's messy CSV or XLSX, maps its columns,
previews the changes with row-level errors, and imports the valid rows in one transaction."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import anyio.to_thread
import pytest
from openpyxl import Workbook

from app.audit import Actor
from app.enums import OrganisationKind, Role
from app.people import hr_import
from app.people import services as people
from app.people.hr_import import HrTable, ImportFileError
from app.people.services import StaffDetails
from app.tables import AuditEntry, JobRole, Staff, Team
from courses import assignments
from courses.assignments import DueRule
from courses.enums import DueKind, TargetKind
from courses.tables import Assignment
from tests.conftest import csrf_token
from tests.courses.conftest import publish_course

ADMIN = Actor(staff_id=None, label="admin@testshire.example", client_ip="127.0.0.1")
TODAY = date(2025, 3, 1)

MESSY_CSV = (
    "\ufeff Employee No , Forename ,Surname, Work Email ,Organisation,Team,Job Title,"
    "Line Manager Email,Start Date,Leaving Date\r\n"
    "E001, Amara , Okafor , Amara.Okafor@Testshire.example ,Testshire SEND Service, Annual  Reviews ,"
    "SEND caseworker,,31/01/2024,\r\n"
    "E002,Ben,Hughes,ben.hughes@testshire.example,testshire send service,Assessments,"
    "Educational psychologist,amara.okafor@testshire.example,01-09-2023,\r\n"
    ",,,,,,,,,\r\n"
    "\r\n"
    "E003,Chloe,Patel,chloe.patel@testshire.example,Northbrook NHS Trust,Community Paediatrics,"
    "Health visitor,nobody@testshire.example,2022-04-05,\r\n"
    "E004,Dan,Reed,BEN.HUGHES@testshire.example,Testshire SEND Service,Annual Reviews,,,,\r\n"
    "E005,Eve,Shaw,eve.shaw@testshire.example,Mars County Council,Annual Reviews,,,,\r\n"
    "E006,Finn,Taylor,finn.taylor@testshire.example,Testshire SEND Service,Annual Reviews,,,31/02/2024,\r\n"
    "E007,Gita,Rao,gita.rao at testshire,Testshire SEND Service,Annual Reviews,,,,\r\n"
    "E008,Iris,Wong,iris.wong@testshire.example,Testshire SEND Service,Annual Reviews,,,,28/02/2025\r\n"
).encode()


@pytest.fixture
async def council() -> dict[str, int]:
    """The council's SEND service with one team and job role, a health partner, and one person in post."""
    send = await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=ADMIN
    )
    health = await people.create_organisation(
        name="Northbrook NHS Trust", kind=OrganisationKind.HEALTH, actor=ADMIN
    )
    team = await people.create_team(name="Annual Reviews", organisation_id=send, actor=ADMIN)
    role = await people.create_job_role(name="SEND caseworker", description="", actor=ADMIN)
    iris = await people.create_staff(
        details=StaffDetails(
            email="iris.wong@testshire.example",
            full_name="Iris Wong",
            organisation_id=send,
            team_id=team,
            employee_number="E008",
        ),
        actor=ADMIN,
    )
    return {"send": send, "health": health, "team": team, "role": role, "iris": iris}


def table_of(data: bytes, filename: str = "hr.csv") -> HrTable:
    return hr_import.read_upload(data, filename)


async def import_file(data: bytes, filename: str = "hr.csv", **kwargs: object) -> hr_import.ImportPlan:
    table = table_of(data, filename)
    return await hr_import.run_import(
        table=table,
        mapping=hr_import.guess_mapping(table.headers),
        actor=ADMIN,
        filename=filename,
        today=TODAY,
        **kwargs,  # type: ignore[arg-type]
    )


def errors_by_row(plan: hr_import.ImportPlan) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for issue in plan.issues:
        if issue.is_error:
            found.setdefault(issue.row, []).append(f"{issue.column}: {issue.message}")
    return found


async def person(email: str) -> dict[str, object]:
    row = (
        await Staff.select(
            *Staff.all_columns(),
            Staff.team.name.as_alias("team_name"),
            Staff.job_role.name.as_alias("job_role_name"),
            Staff.line_manager.email.as_alias("manager_email"),
        )
        .where(Staff.email == email)
        .first()
    )
    assert row is not None, f"{email} was not imported"
    return row


# --- the service ------------------------------------------------------------------------------


async def test_messy_hr_file_reports_bad_rows_imports_the_rest_and_a_second_import_changes_nothing(council):
    plan = await import_file(MESSY_CSV)

    errors = errors_by_row(plan)
    # Row numbers are as the spreadsheet shows them: the header is row 1 and blank rows still count.
    assert sorted(errors) == [7, 8, 9, 10]
    assert errors[7] == [
        "Work Email: ben.hughes@testshire.example is also on row 3: each person must appear once"
    ]
    assert "Mars County Council" in errors[8][0] and errors[8][0].startswith("Organisation:")
    assert errors[9][0].startswith("Start Date:") and "31/02/2024" in errors[9][0]
    assert errors[10][0].startswith("Work Email:") and "correct format" in errors[10][0]
    warnings = [i for i in plan.issues if not i.is_error]
    assert [(w.row, w.column) for w in warnings] == [(6, "Line Manager Email")]
    assert "imported without a line manager" in warnings[0].message
    assert (plan.rows, plan.new, plan.changed, plan.leavers, plan.unchanged, plan.error_rows) == (
        8,
        3,
        0,
        1,
        0,
        4,
    )

    amara = await person("amara.okafor@testshire.example")
    assert amara["full_name"] == "Amara Okafor"  # stray spaces gone
    assert amara["employee_number"] == "E001"
    assert amara["team"] == council["team"]  # "Annual  Reviews" matched the existing team
    assert amara["job_role"] == council["role"]  # matched case-insensitively
    assert amara["start_date"] == date(2024, 1, 31)
    ben = await person("ben.hughes@testshire.example")
    assert ben["manager_email"] == "amara.okafor@testshire.example"  # a manager from the same file
    assert ben["team_name"] == "Assessments"  # a team HR named that Assure did not have yet
    assert ben["job_role_name"] == "Educational psychologist"
    assert ben["start_date"] == date(2023, 9, 1)
    chloe = await person("chloe.patel@testshire.example")
    assert chloe["organisation"] == council["health"] and chloe["line_manager"] is None
    iris = await person("iris.wong@testshire.example")
    assert iris["left_on"] == date(2025, 2, 28)
    for refused in ("eve.shaw@testshire.example", "finn.taylor@testshire.example"):
        assert not await Staff.exists().where(Staff.email == refused)

    imports = await AuditEntry.select().where(AuditEntry.entity == "staff_import").output(load_json=True)
    assert len(imports) == 1
    assert imports[0]["after"]["filename"] == "hr.csv" and imports[0]["after"]["new"] == 3
    assert await AuditEntry.count().where(AuditEntry.summary.like("%by staff import")) == 3 + 1 + 2 + 2
    staff_before = await Staff.select().order_by(Staff.id)
    audit_before = await AuditEntry.count()

    again = await import_file(MESSY_CSV)

    assert (again.new, again.changed, again.leavers, again.unchanged, again.error_rows) == (0, 0, 0, 4, 4)
    assert await Staff.select().order_by(Staff.id) == staff_before
    assert await AuditEntry.count() == audit_before + 1  # only the record that the import ran


async def test_xlsx_export_with_excel_date_cells_imports(council):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Staff Number", "Full Name", "Email Address", "Organisation", "Team", "Start Date"])
    sheet.append(
        [
            10234,
            "Jo Bloggs",
            "jo.bloggs@testshire.example",
            "Testshire SEND Service",
            "Annual Reviews",
            datetime(2024, 1, 31),
        ]
    )
    sheet.append([None, None, None, None, None, None])
    sheet.append(
        ["10235", "Kim Lee", "kim.lee@testshire.example", "Northbrook NHS Trust", None, "15/04/2023"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    plan = await import_file(buffer.getvalue(), "export.xlsx")

    assert (plan.new, plan.error_rows) == (2, 0)
    jo = await person("jo.bloggs@testshire.example")
    assert jo["employee_number"] == "10234" and jo["start_date"] == date(2024, 1, 31)
    assert (await person("kim.lee@testshire.example"))["start_date"] == date(2023, 4, 15)


async def test_leavers_are_marked_as_left_and_never_deleted(council):
    csv = (
        b"Employee Number,Name,Email,Organisation,Status,Leaving Date\n"
        b"E008,Iris Wong,iris.wong@testshire.example,Testshire SEND Service,Left,\n"
        b"E010,Lou Patel,lou.patel@testshire.example,Testshire SEND Service,Active,30/06/2099\n"
    )

    plan = await import_file(csv)

    assert (plan.new, plan.leavers) == (1, 1)
    iris = await person("iris.wong@testshire.example")
    assert iris["left_on"] == TODAY  # status "Left" without a date: left as of the import
    assert iris["id"] == council["iris"]
    lou = await person("lou.patel@testshire.example")
    assert lou["left_on"] is None  # a future leaving date is reported, not applied yet
    assert any("in the future" in i.message for i in plan.issues if not i.is_error)
    again = await import_file(csv)
    assert (again.new, again.changed, again.leavers) == (0, 0, 0)


async def test_new_starter_in_a_team_covered_by_a_rule_gets_the_course_due_after_their_start(council):
    course_id = await publish_course("EHCP-101")
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=council["team"],
        due=DueRule(kind=DueKind.AFTER_START, days=30),
        actor=ADMIN,
        today=TODAY,
    )
    csv = (
        b"Email,Name,Organisation,Team,Start Date\n"
        b"new.starter@testshire.example,New Starter,Testshire SEND Service,Annual Reviews,01/04/2025\n"
        b"elsewhere@testshire.example,Someone Else,Northbrook NHS Trust,,01/04/2025\n"
    )

    await import_file(csv)

    starter = await person("new.starter@testshire.example")
    given = await Assignment.select().where(Assignment.staff == starter["id"])
    assert [(a["course"], a["due_on"]) for a in given] == [(course_id, date(2025, 5, 1))]
    other = await person("elsewhere@testshire.example")
    assert not await Assignment.exists().where(Assignment.staff == other["id"])


async def test_a_mover_into_a_covered_team_gets_the_course(council):
    course_id = await publish_course("EHCP-102")
    elsewhere = await people.create_team(name="Assessments", organisation_id=council["send"], actor=ADMIN)
    await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.TEAM,
        target_id=elsewhere,
        due=DueRule(kind=DueKind.AFTER_ASSIGNMENT, days=14),
        actor=ADMIN,
        today=TODAY,
    )
    csv = (
        b"Employee No,Email,Name,Organisation,Team\n"
        b"E008,iris.wong@testshire.example,Iris Wong,Testshire SEND Service,Assessments\n"
    )

    plan = await import_file(csv)

    assert plan.changed == 1
    given = await Assignment.select().where(Assignment.staff == council["iris"])
    assert [(a["course"], a["due_on"]) for a in given] == [(course_id, date(2025, 3, 15))]


async def test_import_is_all_or_nothing_when_the_database_refuses_a_row(council):
    staff_before = await Staff.count()
    teams_before = await Team.count()
    roles_before = await JobRole.count()
    audit_before = await AuditEntry.count()

    async def someone_else_takes_an_email() -> None:
        # The database itself refuses this: the email is unique and the import has just used it.
        await Staff.insert(
            Staff(email="ben.hughes@testshire.example", full_name="Clash", organisation=council["send"])
        )

    with pytest.raises(Exception, match=r"(?i)unique"):
        await import_file(MESSY_CSV, before_commit=someone_else_takes_an_email)

    assert await Staff.count() == staff_before
    assert await Team.count() == teams_before  # the "Assessments" team made on the way was rolled back
    assert await JobRole.count() == roles_before
    assert await AuditEntry.count() == audit_before
    assert (await person("iris.wong@testshire.example"))["left_on"] is None


async def test_people_are_matched_by_employee_number_then_by_email(council):
    csv = (
        b"Employee No,Email,Name,Organisation\n"
        b"E008,iris.w@testshire.example,Iris Wong-Smith,Testshire SEND Service\n"
    )

    plan = await import_file(csv)

    assert (plan.new, plan.changed) == (0, 1)
    iris = await person("iris.w@testshire.example")
    assert iris["id"] == council["iris"] and iris["full_name"] == "Iris Wong-Smith"
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.entity == "staff", AuditEntry.entity_id == str(council["iris"]))
        .order_by(AuditEntry.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert entry["before"] == {"email": "iris.wong@testshire.example", "full_name": "Iris Wong"}
    clash = (
        b"Employee No,Email,Name,Organisation\nE999,iris.w@testshire.example,Iris,Testshire SEND Service\n"
    )
    refused = await import_file(clash)
    assert "belongs to employee number E008" in errors_by_row(refused)[2][0]


async def test_an_employee_number_in_lower_case_matches_the_same_person(council):
    csv = (
        b"Employee No,Email,Name,Organisation\n"
        b"e008,iris.w@testshire.example,Iris Wong,Testshire SEND Service\n"
    )

    plan = await import_file(csv)

    assert (plan.new, plan.changed) == (0, 1)
    assert (await person("iris.w@testshire.example"))["id"] == council["iris"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/01/2024", date(2024, 1, 31)),
        ("31-01-2024", date(2024, 1, 31)),
        ("1/2/2024", date(2024, 2, 1)),
        ("2024-01-31", date(2024, 1, 31)),
        ("2024-01-31 00:00:00", date(2024, 1, 31)),
        ("31 Jan 2024", date(2024, 1, 31)),
        ("3rd September 2023", date(2023, 9, 3)),
        ("31/02/2024", None),
        ("01/31/2024", None),  # American order is not a real UK date
        ("31/01/24", None),  # two-digit years are ambiguous
        ("soon", None),
    ],
)
def test_uk_dates_are_read_as_uk_hr_systems_write_them(text, expected):
    assert hr_import.parse_uk_date(text) == expected


def test_column_guesses_from_typical_hr_headers():
    headers = [
        "Employee No",
        "Forename",
        "Surname",
        "Work Email",
        "Organisation",
        "Team",
        "Job Title",
        "Line Manager Email",
        "Start Date",
        "Leaving Date",
    ]
    assert hr_import.guess_mapping(headers) == {
        "employee_number": 0,
        "first_name": 1,
        "last_name": 2,
        "email": 3,
        "organisation": 4,
        "team": 5,
        "job_role": 6,
        "line_manager_email": 7,
        "start_date": 8,
        "leaving_date": 9,
    }


def test_files_that_are_not_csv_or_xlsx_are_refused_by_their_content():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(ImportFileError, match="must be a CSV or an Excel"):
        hr_import.read_upload(png, "staff.csv")  # the name says CSV, the content does not
    with pytest.raises(ImportFileError, match="XLSX"):
        hr_import.read_upload(b"PK\x03\x04" + bytes(64), "staff.xlsx")


def test_windows_1252_csv_is_read():
    table = hr_import.read_upload("Name,Email\nZoë Brontë,zoe@testshire.example\n".encode("cp1252"), "a.csv")
    assert table.rows == [(2, ["Zoë Brontë", "zoe@testshire.example"])]


# --- the admin pages --------------------------------------------------------------------------


async def upload(client, data: bytes, filename: str = "hr-export.csv"):
    token = await csrf_token(client, "/admin/staff/import")
    return await client.post(
        "/admin/staff/import",
        data={"_csrf_token": token},
        files={"file": (filename, data, "application/octet-stream")},
        follow_redirects=False,
    )


async def test_admin_uploads_maps_previews_and_confirms_an_hr_export(client, signed_in_as, council):
    await signed_in_as(Role.ADMIN)
    people_page = await client.get("/admin/staff")
    assert 'href="/admin/staff/import"' in people_page.text

    uploaded = await upload(client, MESSY_CSV)
    assert uploaded.status_code == 303
    mapping_url = uploaded.headers["location"]
    assert re.fullmatch(r"/admin/staff/import/[A-Za-z0-9_-]{32}/mapping", mapping_url)

    mapping_page = await client.get(mapping_url)
    assert mapping_page.status_code == 200
    assert "8 rows of people" in mapping_page.text
    # The guess is pre-selected: "Work Email" is column 3 of the file.
    assert re.search(r'<select[^>]*id="email"[^>]*>.*?<option value="3" selected', mapping_page.text, re.S)

    token = await csrf_token(client, mapping_url)
    wrong = await client.post(mapping_url, data={"_csrf_token": token, "email": "", "first_name": "1"})
    assert wrong.status_code == 400
    assert "Choose the column that holds each person&#39;s email address" in wrong.text
    assert "There is a problem" in wrong.text

    guess = {
        "employee_number": "0",
        "first_name": "1",
        "last_name": "2",
        "email": "3",
        "organisation": "4",
        "team": "5",
        "job_role": "6",
        "line_manager_email": "7",
        "start_date": "8",
        "leaving_date": "9",
    }
    saved = await client.post(mapping_url, data={"_csrf_token": token, **guess}, follow_redirects=False)
    assert saved.status_code == 303
    preview_url = saved.headers["location"]

    preview = await client.get(preview_url)
    assert preview.status_code == 200
    assert await Staff.count() == 2  # nothing saved by previewing
    text = re.sub(r"\s+", " ", preview.text)
    assert 'New people </dt> <dd class="govuk-summary-list__value"> 3' in text
    assert 'Rows with errors (not imported) </dt> <dd class="govuk-summary-list__value"> 4' in text
    assert "Mars County Council" in text and "Team: Community Paediatrics" in text
    assert "> Error </strong>" in text and "> Warning </strong>" in text  # words, not colour alone

    confirm_url = preview_url.replace("/preview", "/confirm")
    token = await csrf_token(client, preview_url)
    confirmed = await client.post(confirm_url, data={"_csrf_token": token}, follow_redirects=False)
    assert confirmed.status_code == 303
    done = await client.get(confirmed.headers["location"])
    assert done.status_code == 200
    assert "Import finished: 3 new, 0 changed, 1 marked as left" in done.text
    assert await Staff.exists().where(Staff.email == "amara.okafor@testshire.example")
    entry = await AuditEntry.select().where(AuditEntry.entity == "staff_import").first()
    assert entry["actor_label"] == "admin@testshire.example"

    # The rows were personal data: once imported they are gone, so the confirm cannot be replayed.
    again = await client.post(confirm_url, data={"_csrf_token": token}, follow_redirects=False)
    assert again.status_code == 404


async def test_a_professional_cannot_import_staff(client, signed_in_as, council):
    await signed_in_as(Role.PROFESSIONAL)
    assert (await client.get("/admin/staff/import")).status_code == 403
    token = await csrf_token(client, "/")
    refused = await client.post(
        "/admin/staff/import", data={"_csrf_token": token}, files={"file": ("hr.csv", MESSY_CSV, "text/csv")}
    )
    assert refused.status_code == 403
    assert await Staff.count() == 2  # the professional and the person already in post


async def test_another_admin_cannot_use_someone_elses_upload(client, signed_in_as, council):
    await signed_in_as(Role.ADMIN, email="first.admin@testshire.example")
    mapping_url = (await upload(client, MESSY_CSV)).headers["location"]
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    await signed_in_as(Role.ADMIN, email="second.admin@testshire.example")

    assert (await client.get(mapping_url)).status_code == 404
    token = await csrf_token(client, "/admin/staff/import")
    confirm = await client.post(mapping_url.replace("/mapping", "/confirm"), data={"_csrf_token": token})
    assert confirm.status_code == 404
    assert await Staff.count() == 3  # the two admins and the person already in post


async def test_a_file_that_is_not_csv_or_xlsx_is_refused_with_a_clear_error(client, signed_in_as, council):
    await signed_in_as(Role.ADMIN)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)

    refused = await upload(client, png, "staff.csv")

    assert refused.status_code == 400
    assert "The selected file must be a CSV or an Excel (XLSX) file" in refused.text
    assert 'href="#file"' in refused.text  # the error summary links to the file field


async def test_a_file_over_the_size_limit_is_refused(client, signed_in_as, council):
    await signed_in_as(Role.ADMIN)
    too_big = b"Email,Name,Organisation\n" + b"x" * hr_import.MAX_UPLOAD_BYTES

    refused = await upload(client, too_big)

    assert refused.status_code == 400
    assert "The selected file must be smaller than 20 MB" in refused.text
    assert await Staff.count() == 2


async def test_uploading_without_choosing_a_file_asks_for_one(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    token = await csrf_token(client, "/admin/staff/import")
    refused = await client.post(
        "/admin/staff/import",
        data={"_csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert refused.status_code == 400
    assert "Select a CSV or Excel (XLSX) file" in refused.text


# --- the command line -------------------------------------------------------------------------


def assure(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `assure` as the council's scheduler would, against the test database."""
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )


async def test_command_line_import_reports_row_errors_and_dry_run_saves_nothing(council, tmp_path: Path):
    export = tmp_path / "hr-export.csv"
    export.write_bytes(MESSY_CSV)

    dry = await anyio.to_thread.run_sync(assure, "staff", "import", str(export), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would import hr-export.csv: 3 new, 0 changed, 1 marked as left" in dry.stdout
    assert "Row 8, Organisation: error:" in dry.stdout
    assert await Staff.count() == 1

    real = await anyio.to_thread.run_sync(assure, "staff", "import", str(export), "--mapping", "team=")
    assert real.returncode == 0, real.stderr
    assert "Imported hr-export.csv: 3 new" in real.stdout
    assert (await person("ben.hughes@testshire.example"))["team"] is None  # the team column was left out


async def test_command_line_exits_non_zero_when_nothing_can_be_imported(council, tmp_path: Path):
    export = tmp_path / "bad.csv"
    export.write_bytes(b"Email,Name,Organisation\nnobody,No One,Nowhere Council\n")

    result = await anyio.to_thread.run_sync(assure, "staff", "import", str(export))

    assert result.returncode == 1
    assert "Nothing could be imported" in result.stderr
    unknown_column = await anyio.to_thread.run_sync(
        assure, "staff", "import", str(export), "--mapping", "email=Nope"
    )
    assert unknown_column.returncode == 2
    assert "the file has no column 'nope'" in unknown_column.stderr
