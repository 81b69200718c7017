"""Import a plan from a spreadsheet tracker, export a plan to XLSX, and read the export back as a new plan."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from action_plans import transfer
from action_plans.enums import PlanOrigin, PlanStatus
from action_plans.tables import Action, ActionPartner, Milestone, Plan, PriorityArea
from action_plans.transfer import PlanDetails
from app.audit import CLI_ACTOR, Actor
from app.enums import AuditAction, Role
from app.people.hr_import import HrTable, ImportFileError
from app.tables import AuditEntry
from tests.action_plans.transfer_plans import build_tracked_plan, transfer_people_fixture  # noqa: F401
from tests.conftest import csrf_token, make_person

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def upload(
    client, *, content: bytes, filename: str, reference: str = "WSOA-2026", title: str = "Imported"
):
    token = await csrf_token(client, "/plans/import")
    return await client.post(
        "/plans/import",
        data={"_csrf_token": token, "title": title, "reference": reference, "origin": "wsoa"},
        files={"file": (filename, content, "application/octet-stream")},
        follow_redirects=False,
    )


async def confirm(client, location: str):
    token_path = location.rsplit("/", 1)[0]
    csrf = await csrf_token(client, f"{token_path}/preview")
    return await client.post(f"{token_path}/confirm", data={"_csrf_token": csrf}, follow_redirects=False)


def plan_contents(areas, actions, milestones, partners, emails):
    """A plan as comparable values: no ids, leads by email."""
    area_of = {a["id"]: (a["number"], a["title"], a["intended_outcome"]) for a in areas}
    reference_of = {a["id"]: a["reference"] for a in actions}
    partners_of: dict[int, set[int]] = {}
    for p in partners:
        partners_of.setdefault(p["action"], set()).add(p["organisation"])
    return (
        sorted(area_of.values()),
        sorted(
            (
                area_of[a["priority_area"]][0],
                a["reference"],
                a["description"],
                emails.get(a["lead"]),
                a["start_date"],
                a["forecast_date"],
                a["actual_date"],
                a["status"],
                a["percent_complete"],
                frozenset(partners_of.get(a["id"], set())),
            )
            for a in actions
        ),
        sorted(
            (
                reference_of[m["action"]],
                m["position"],
                m["title"],
                emails.get(m["lead"]),
                m["forecast_date"],
                m["actual_date"],
                m["status"],
            )
            for m in milestones
        ),
    )


async def read_plan(plan_id: int):
    from app.tables import Staff

    emails = {s["id"]: s["email"] for s in await Staff.select(Staff.id, Staff.email)}
    return plan_contents(
        await PriorityArea.select().where(PriorityArea.plan == plan_id),
        await Action.select().where(Action.plan == plan_id),
        await Milestone.select().where(Milestone.plan == plan_id),
        await ActionPartner.select().where(ActionPartner.action.plan == plan_id),
        emails,
    )


async def test_export_is_a_typed_workbook_nothing_in_it_runs_as_a_formula(client, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    response = await client.get(f"/plans/{plan_id}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_TYPE
    assert "WSOA-2025" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Plan", "Actions", "Milestones", "Date revisions"]
    actions = book["Actions"]
    assert actions.freeze_panes == "A2"
    headers = [c.value for c in actions[1]]
    rows = {r[3].value: r for r in actions.iter_rows(min_row=2)}
    assert set(rows) == {"1.1", "1.2", "2.1"}
    description = rows["1.2"][headers.index("Action description")]
    assert description.data_type == "s" and description.value == "'=1+1"
    forecast = rows["1.1"][headers.index("Forecast date")]
    assert forecast.is_date and forecast.value.date() == date(2025, 4, 30)
    assert rows["1.1"][headers.index("Percent complete")].value == 100
    assert rows["1.1"][headers.index("RAG")].value == "Blue"
    assert rows["1.2"][headers.index("Partners")].value == "Testshire Community Health"
    assert rows["1.1"][headers.index("Slippage (days)")].value == 30
    milestones = book["Milestones"]
    titles = [r[1].value for r in milestones.iter_rows(min_row=2)]
    assert "'@SUM(A1) review of caseloads" in titles and len(titles) == 4
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    revisions = book["Date revisions"]
    assert [c.value for c in revisions[2]][:6] == [
        "1.1",
        "Coordinators in post",
        "Forecast",
        datetime(2025, 3, 31),
        datetime(2025, 4, 30),
        "Second round of recruitment",
    ]


async def test_export_refused_to_someone_who_may_not_see_the_plan(client, app, transfer_people):
    plan_id = await build_tracked_plan(**transfer_people)
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    from tests.conftest import sign_in

    await make_person("outsider@testshire.example", Role.PROFESSIONAL)
    assert (await sign_in(client, "outsider@testshire.example")).status_code == 303
    assert (await client.get(f"/plans/{plan_id}/export.xlsx")).status_code == 403
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    assert (await sign_in(client, "ana.lead@testshire.example")).status_code == 303
    assert (await client.get(f"/plans/{plan_id}/export.xlsx")).status_code == 200


async def test_exported_plan_imports_back_as_a_new_draft_with_the_same_actions_milestones_and_dates(
    client, transfer_people
):
    plan_id = await build_tracked_plan(**transfer_people)
    exported = (await client.get(f"/plans/{plan_id}/export.xlsx")).content

    response = await upload(client, content=exported, filename="wsoa.xlsx", reference="WSOA-COPY")
    assert response.status_code == 303, response.text
    mapping = await client.get(response.headers["location"])
    assert "exported from Assure" in mapping.text
    preview = await client.get(response.headers["location"].replace("/mapping", "/preview"))
    assert preview.status_code == 200
    assert "Problems by row" not in preview.text
    done = await confirm(client, response.headers["location"])
    assert done.status_code == 303 and done.headers["location"].endswith("/done")
    assert "imported as the draft plan WSOA-COPY" in (await client.get(done.headers["location"])).text

    copy = await Plan.select().where(Plan.reference == "WSOA-COPY").first()
    assert copy["status"] == PlanStatus.DRAFT and copy["owner"] == transfer_people["owner_id"]
    assert copy["origin"] == PlanOrigin.WRITTEN_STATEMENT_OF_ACTION and copy["title"] == "Imported"
    assert await read_plan(copy["id"]) == await read_plan(plan_id)
    # Baselines are the new owner's to fix on approval.
    assert not await Action.exists().where((Action.plan == copy["id"]) & Action.baseline_date.is_not_null())
    entry = await AuditEntry.select().where(AuditEntry.entity == "plan").output(load_json=True).first()
    assert entry["action"] == AuditAction.CREATE and entry["entity_id"] == str(copy["id"])
    assert entry["after"]["actions"] == 3 and entry["after"]["milestones"] == 4


TRACKER_CSV = "\n".join(
    [
        "Priority,Ref,Action,Lead officer,Start,Target date,Completed,Status,% complete,"
        "Milestone,Milestone due",
        "1. Timely plans,1.1,Recruit coordinators,Ana Lead,06/01/2025,31/03/2025,,In progress,50%,"
        "Posts advertised,01/02/2025",
        ",,,,,,,,,Coordinators in post,31 Mar 2025",  # a milestone under the action above (merged cells)
        "2 - Annual reviews,,Build a review tracker,ana.lead@testshire.example,2025-04-01,2026-03-31,,,,,",
    ]
)


async def test_csv_tracker_with_one_row_per_milestone_and_merged_cells(client, transfer_people):
    response = await upload(client, content=TRACKER_CSV.encode(), filename="tracker.csv")
    assert response.status_code == 303, response.text
    preview = await client.get(response.headers["location"].replace("/mapping", "/preview"))
    assert "Problems by row" not in preview.text, preview.text
    assert (await confirm(client, response.headers["location"])).status_code == 303
    plan = await Plan.select().where(Plan.reference == "WSOA-2026").first()
    areas, actions, milestones = await read_plan(plan["id"])
    assert areas == [(1, "Timely plans", ""), (2, "Annual reviews", "")]
    lead = "ana.lead@testshire.example"
    assert actions == [
        (
            1,
            "1.1",
            "Recruit coordinators",
            lead,
            date(2025, 1, 6),
            date(2025, 3, 31),
            None,
            "in_progress",
            50,
            frozenset(),
        ),
        (
            2,
            "2.1",
            "Build a review tracker",
            lead,
            date(2025, 4, 1),
            date(2026, 3, 31),
            None,
            "not_started",
            0,
            frozenset(),
        ),
    ]
    assert [(m[0], m[2], m[4]) for m in milestones] == [
        ("1.1", "Posts advertised", date(2025, 2, 1)),
        ("1.1", "Coordinators in post", date(2025, 3, 31)),
    ]


BAD_CSV = """Ref,Action,Lead,Target date,Status,Percent
1.1,Recruit coordinators,nobody@testshire.example,31/02/2025,Going well,150
1.2,Tracker,Ana Lead,30/06/2025,In progress,10
1.2,Tracker again,Ana Lead,30/06/2025,,
,,Ana Lead,30/06/2025,,
"""


async def test_csv_with_row_errors_names_each_problem_and_imports_nothing(client, transfer_people):
    response = await upload(client, content=BAD_CSV.encode(), filename="bad.csv")
    assert response.status_code == 303, response.text
    preview = await client.get(response.headers["location"].replace("/mapping", "/preview"))
    text = re.sub(r"\s+", " ", preview.text)
    assert "nobody@testshire.example is not a person in Assure" in text
    assert (
        "&#34;31/02/2025&#34; is not a date" in text
        or "31/02/2025&quot; is not a date" in text
        or ('"31/02/2025" is not a date' in text)
    )
    assert "is not a status" in text
    assert "Percent complete must be between 0 and 100" in text
    assert "Action 1.2 is also on row 3" in text
    assert "Every action needs a description" in text
    assert "Create the draft plan" not in text
    result = await confirm(client, response.headers["location"])
    assert result.status_code == 303 and result.headers["location"].endswith("/preview")
    assert await Plan.count() == 0
    assert await Action.count() == 0


async def test_interrupted_import_leaves_no_partial_plan(transfer_people):
    table = HrTable(
        headers=["Ref", "Action", "Milestone"],
        rows=[(2, ["1.1", "Recruit coordinators", "Posts advertised"]), (3, ["1.2", "Tracker", "Built"])],
    )
    mapping = transfer.guess_mapping(table.headers)
    assert mapping == {"action_reference": 0, "action_description": 1, "milestone_title": 2}

    async def fail() -> None:
        assert await Milestone.count() == 2  # everything was written inside the transaction…
        raise RuntimeError("the server stopped")

    with pytest.raises(RuntimeError):
        await transfer.run_import(
            table=table,
            mapping=mapping,
            details=PlanDetails(title="Half", reference="HALF-1", origin=PlanOrigin.INTERNAL),
            actor=Actor(staff_id=transfer_people["owner_id"], label="plan.owner@testshire.example"),
            filename="tracker.csv",
            before_commit=fail,
        )
    # …and none of it survived.
    for table_class in (Plan, PriorityArea, Action, Milestone):
        assert await table_class.count() == 0
    assert not await AuditEntry.exists().where(AuditEntry.entity == "plan")


async def test_a_taken_reference_is_refused_at_upload_and_at_confirm(client, transfer_people):
    await build_tracked_plan(**transfer_people)
    response = await upload(client, content=TRACKER_CSV.encode(), filename="t.csv", reference="WSOA-2025")
    assert response.status_code == 400
    assert "A plan with the reference WSOA-2025 already exists" in response.text
    with pytest.raises(ImportFileError, match="already exists"):
        await transfer.run_import(
            table=transfer.read_tracker(TRACKER_CSV.encode(), "t.csv")[0],
            mapping=transfer.guess_mapping(TRACKER_CSV.splitlines()[0].split(",")),
            details=PlanDetails(title="Copy", reference="WSOA-2025", origin=PlanOrigin.INTERNAL),
            actor=CLI_ACTOR,
            filename="t.csv",
        )
    assert await Plan.count() == 1


async def test_upload_form_asks_for_title_reference_origin_and_a_file(client, transfer_people):
    token = await csrf_token(client, "/plans/import")
    response = await client.post("/plans/import", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 400
    for message in (
        "Enter the plan",
        "Enter a reference",
        "Choose where the plan comes from",
        "Select a CSV",
    ):
        assert message in response.text
    bad = await upload(client, content=b"\x00\x01binary", filename="x.csv")
    assert bad.status_code == 400 and "must be a CSV or an Excel" in bad.text


async def test_mapping_needs_an_action_description_column(client, transfer_people):
    response = await upload(client, content=TRACKER_CSV.encode(), filename="tracker.csv")
    location = response.headers["location"]
    token = await csrf_token(client, location)
    refused = await client.post(location, data={"_csrf_token": token, "action_reference": "1"})
    assert refused.status_code == 400 and "Choose the column that describes each action" in refused.text
    accepted = await client.post(
        location, data={"_csrf_token": token, "action_description": "2"}, follow_redirects=False
    )
    assert accepted.status_code == 303 and accepted.headers["location"].endswith("/preview")


async def test_another_leader_cannot_use_my_upload(client, transfer_people):
    response = await upload(client, content=TRACKER_CSV.encode(), filename="tracker.csv")
    location = response.headers["location"]
    await client.post("/sign-out", data={"_csrf_token": await csrf_token(client, "/")})
    from tests.conftest import sign_in

    await make_person("other.leader@testshire.example", Role.LEADER)
    assert (await sign_in(client, "other.leader@testshire.example")).status_code == 303
    assert (await client.get(location)).status_code == 404


def tracker(headers: list[str], *rows: list[str]) -> HrTable:
    return HrTable(headers=headers, rows=[(n, cells) for n, cells in enumerate(rows, start=2)])


DIRECTORY = transfer.Directory(
    staff=[
        {
            "id": 1,
            "email": "ana.lead@testshire.example",
            "full_name": "Ana Lead",
            "left_on": None,
            "can_sign_in": True,
        },
        {
            "id": 2,
            "email": "sam.smith@testshire.example",
            "full_name": "Sam Smith",
            "left_on": None,
            "can_sign_in": True,
        },
        {
            "id": 3,
            "email": "sam.smith2@testshire.example",
            "full_name": "Sam Smith",
            "left_on": None,
            "can_sign_in": True,
        },
        {
            "id": 5,
            "email": "no.account@testshire.example",
            "full_name": "No Account",
            "left_on": None,
            "can_sign_in": False,
        },
        {
            "id": 4,
            "email": "gone@testshire.example",
            "full_name": "Gone Person",
            "left_on": date(2024, 1, 1),
            "can_sign_in": True,
        },
    ],
    organisations=[{"id": 7, "name": "Testshire Community Health"}],
)


def test_leads_are_found_by_email_or_unique_name_and_never_a_leaver():
    table = tracker(
        ["Action", "Lead"],
        ["One", "ANA.LEAD@testshire.example"],
        ["Two", "ana lead"],
        ["Three", "Sam Smith"],
        ["Four", "Gone Person"],
        ["Five", ""],
        ["Six", "no.account@testshire.example"],
    )
    result = transfer.compute_import(DIRECTORY, table, transfer.guess_mapping(table.headers))
    assert [a.lead_id for a in result.actions] == [1, 1, None, None, None, 5]
    assert [(i.row, i.message) for i in result.issues] == [
        (4, "2 people in Assure are called Sam Smith: give their email address"),
        (5, "Gone Person has left: choose a lead who is still here"),
        (
            7,
            "No Account leads it but cannot sign in to Assure yet, so cannot report progress: "
            "ask an admin to give them access",
        ),
    ]
    assert [i.is_error for i in result.issues] == [True, True, False]
    assert (result.error_rows, result.warning_rows) == (2, 1)


def test_areas_come_from_titles_numbers_or_references_and_actions_are_numbered_within_them():
    table = tracker(
        ["Ref", "Action", "Theme", "Outcome"],
        ["3.1", "From the reference", "", ""],
        ["", "Numbered by the import", "Priority 1: Early help", "Needs met early"],
        ["", "Also in area 1", "Early help", ""],
        ["", "A new area", "Co-production", ""],
    )
    result = transfer.compute_import(DIRECTORY, table, transfer.guess_mapping(table.headers))
    assert result.issues == []
    assert [(a.number, a.title, a.outcome) for a in result.areas] == [
        (3, "Priority area 3", ""),
        (1, "Early help", "Needs met early"),
        (4, "Co-production", ""),
    ]
    assert [a.reference for a in result.actions] == ["3.1", "1.1", "1.2", "4.1"]


def test_percent_status_and_partners_as_trackers_write_them():
    table = tracker(
        ["Action", "% complete", "Status", "Actual date", "Partners"],
        ["Excel percentage cell", "0.45", "", "", "Testshire Community Health"],
        ["Done without a status", "", "", "3 March 2025", ""],
        ["Status words", "10", "Ongoing", "", "Unknown Trust; testshire community health"],
    )
    result = transfer.compute_import(DIRECTORY, table, transfer.guess_mapping(table.headers))
    assert [(a.percent, a.status, a.actual_date, a.partner_ids) for a in result.actions] == [
        (45, "in_progress", None, [7]),
        (100, "complete", date(2025, 3, 3), []),
        (10, "in_progress", None, [7]),
    ]
    assert [(i.row, i.message) for i in result.issues] == [
        (4, "Unknown Trust is not an organisation in Assure")
    ]


def test_a_milestone_sheet_row_whose_action_is_missing_is_refused_at_upload():
    from openpyxl import Workbook

    book = Workbook()
    actions = book.active
    actions.title = "Actions"
    actions.append(list(transfer.ACTION_HEADERS))
    actions.append([1, "Area", "", "1.1", "Do it"])
    milestones = book.create_sheet("Milestones")
    milestones.append(list(transfer.MILESTONE_HEADERS))
    milestones.append(["9.9", "Lost milestone"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(
        ImportFileError, match=re.escape('Row 2 of the Milestones sheet belongs to action "9.9"')
    ):
        transfer.read_tracker(out.getvalue(), "plan.xlsx")


def test_references_are_unique_whatever_their_case_and_forecasts_follow_starts():
    table = tracker(
        ["Ref", "Action", "Start date", "Forecast date"],
        ["A.1", "First", "01/04/2025", "31/03/2025"],
        ["a.1", "Second", "", ""],
    )
    result = transfer.compute_import(DIRECTORY, table, transfer.guess_mapping(table.headers))
    assert [(i.row, i.message) for i in result.issues] == [
        (2, "The forecast date must be on or after the start date"),
        (3, "Action a.1 is also on row 2"),
        (3, "Action a.1 has a different action description on row 2"),
    ]
    assert not result.importable


async def test_a_large_tracker_is_written_in_batches(transfer_people):
    rows = [
        [f"{n // 100 + 1}.{n % 100 + 1}", f"Action {n}", f"Milestone {n}", "31/03/2026"] for n in range(1500)
    ]
    table = tracker(["Ref", "Action", "Milestone", "Milestone due"], *rows)
    plan_id, result = await transfer.run_import(
        table=table,
        mapping=transfer.guess_mapping(table.headers),
        details=PlanDetails(title="Large", reference="LARGE-1", origin=PlanOrigin.INTERNAL),
        actor=Actor(staff_id=transfer_people["owner_id"], label="plan.owner@testshire.example"),
        filename="large.csv",
    )
    assert result.summary()["actions"] == 1500
    assert await Action.count().where(Action.plan == plan_id) == 1500
    assert await Milestone.count().where(Milestone.forecast_date == date(2026, 3, 31)) == 1500
    first = await Milestone.select(Milestone.title, Milestone.action.reference).where(
        Milestone.title == "Milestone 1234"
    )
    assert first == [{"title": "Milestone 1234", "action.reference": "13.35"}]
