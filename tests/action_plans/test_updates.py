"""Progress updates, evidence and the RAG set by hand, as an action's lead and its plan's owner use them."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from action_plans import updates
from action_plans.enums import EvidenceKind, PlanOrigin, PlanStatus, Rag, WorkStatus
from action_plans.tables import Action, Evidence, Plan, PriorityArea, ProgressUpdate, TrainingLink
from action_plans.updates import UpdateError, check_file, reporting_periods
from app.enums import Role
from app.tables import AuditEntry
from tests.conftest import csrf_token, make_person, post_form, sign_in
from tests.courses.conftest import publish_course

DAY = timedelta(days=1)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 64
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office_file(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


@pytest.fixture
async def progress_plan():
    """An approved plan owned by a leader, with two actions led by two professionals.

    Action 1.1 started 50 days ago and is due in 50 days with 10% done: behind its straight line (amber).
    """
    owner = await make_person("owner@testshire.example", Role.LEADER)
    lead = await make_person("lead@testshire.example", Role.PROFESSIONAL)
    other_lead = await make_person("other.lead@testshire.example", Role.PROFESSIONAL)
    today = updates.local_today()
    now = datetime.now(UTC)
    plan = (
        await Plan.insert(
            Plan(
                reference="WSOA-1",
                title="Written statement of action",
                origin=PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
                status=PlanStatus.APPROVED,
                owner=owner,
                created_at=now,
                updated_at=now,
            )
        )
    )[0]["id"]
    area = (await PriorityArea.insert(PriorityArea(plan=plan, number=1, title="Timeliness")))[0]["id"]
    dates = {
        "start_date": today - 50 * DAY,
        "baseline_date": today + 50 * DAY,
        "forecast_date": today + 50 * DAY,
    }
    action = (
        await Action.insert(
            Action(
                plan=plan,
                priority_area=area,
                reference="1.1",
                description="Issue every new EHC plan within 20 weeks",
                lead=lead,
                status=WorkStatus.IN_PROGRESS,
                percent_complete=10,
                **dates,
            )
        )
    )[0]["id"]
    other_action = (
        await Action.insert(
            Action(
                plan=plan,
                priority_area=area,
                reference="1.2",
                description="Hold annual reviews on time",
                lead=other_lead,
                **dates,
            )
        )
    )[0]["id"]
    return {
        "plan": plan,
        "action": action,
        "other_action": other_action,
        "owner": owner,
        "lead": lead,
        "today": today,
    }


def update_form(today: date, **values: object) -> dict[str, object]:
    return {
        "period_end": reporting_periods(today)[0].isoformat(),
        "narrative": "Caseworkers recruited; backlog down to 40 cases.",
        "percent_complete": "60",
        "status": "",
    } | values


async def action_row(action_id: int) -> dict:
    return await Action.select().where(Action.id == action_id).first()


async def as_person(client, email: str) -> None:
    assert (await sign_in(client, email)).status_code == 303


async def post_multipart(client, path: str, data: dict[str, object], files: dict | None = None):
    token = await csrf_token(client, path)
    return await client.post(path, data={**data, "_csrf_token": token}, files=files, follow_redirects=False)


async def upload_evidence(client, action_id: int, name: str, content: bytes, *, title: str = ""):
    return await post_multipart(
        client, f"/actions/{action_id}/evidence/new", {"title": title}, files={"file": (name, content)}
    )


# --- progress updates -------------------------------------------------------------------------------


async def test_lead_sees_the_update_form_with_the_rag_and_its_legend(client, progress_plan):
    await as_person(client, "lead@testshire.example")
    response = await client.get(f"/actions/{progress_plan['action']}/updates/new")
    assert response.status_code == 200
    assert "Progress update for action 1.1" in response.text
    assert "What the RAG statuses mean" in response.text
    assert "Amber" in response.text
    month_end = reporting_periods(progress_plan["today"])[0]
    assert f'value="{month_end.isoformat()}" checked' in response.text
    assert 'name="percent_complete"' in response.text


async def test_update_stores_the_rag_it_leaves_the_action_at(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await as_person(client, "lead@testshire.example")

    response = await post_multipart(client, f"/actions/{action_id}/updates/new", update_form(today))

    assert response.status_code == 303
    assert response.headers["location"] == f"/actions/{action_id}"
    update = await ProgressUpdate.select().where(ProgressUpdate.action == action_id).first()
    assert update["rag"] == Rag.GREEN  # 60% done, 50% expected: the RAG after the update, not before
    assert update["percent_complete"] == 60
    assert update["period_end"] == reporting_periods(today)[0]
    assert update["author"] == progress_plan["lead"]
    action = await action_row(action_id)
    assert action["percent_complete"] == 60
    assert action["last_update_at"] is not None
    assert await AuditEntry.exists().where(
        (AuditEntry.entity == "progress_update") & (AuditEntry.entity_id == str(update["id"]))
    )


async def test_update_that_leaves_progress_behind_stores_amber(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await as_person(client, "lead@testshire.example")
    form = update_form(today, percent_complete="39", status=WorkStatus.IN_PROGRESS.value)
    assert (await post_multipart(client, f"/actions/{action_id}/updates/new", form)).status_code == 303
    update = await ProgressUpdate.select().where(ProgressUpdate.action == action_id).first()
    assert update["rag"] == Rag.AMBER


async def test_update_carries_the_exception_report_the_board_sees(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await as_person(client, "lead@testshire.example")
    page = await client.get(f"/actions/{action_id}/updates/new")
    assert "Exception report for the board" in page.text and 'name="recovery_action"' in page.text
    form = update_form(
        today,
        percent_complete="20",
        impact="  40 annual reviews will be late this term  ",
        recovery_action="Agency caseworkers from 3 February",
        decision_requested="Agree the revised date of 31 March",
    )

    assert (await post_multipart(client, f"/actions/{action_id}/updates/new", form)).status_code == 303

    update = await ProgressUpdate.select().where(ProgressUpdate.action == action_id).first()
    assert (update["impact"], update["recovery_action"], update["decision_requested"]) == (
        "40 annual reviews will be late this term",
        "Agency caseworkers from 3 February",
        "Agree the revised date of 31 March",
    )


async def test_an_over_long_exception_report_is_refused_and_nothing_is_stored(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await as_person(client, "lead@testshire.example")
    form = update_form(today, impact="x" * 10_001)

    response = await post_multipart(client, f"/actions/{action_id}/updates/new", form)

    assert response.status_code == 400  # the form again, with its error summary
    assert "This must be 10,000 characters or fewer" in response.text
    assert await ProgressUpdate.count() == 0


async def test_update_clears_the_rag_set_by_hand(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await Action.update(
        {Action.rag_override: Rag.RED, Action.rag_override_reason: "Funding withdrawn"}
    ).where(Action.id == action_id)
    await as_person(client, "lead@testshire.example")
    page = await client.get(f"/actions/{action_id}/updates/new")
    assert "Saving this update removes it" in page.text

    response = await post_multipart(client, f"/actions/{action_id}/updates/new", update_form(today))

    assert response.status_code == 303
    action = await action_row(action_id)
    assert action["rag_override"] is None
    assert action["rag_override_reason"] == ""
    update = await ProgressUpdate.select().where(ProgressUpdate.action == action_id).first()
    assert update["rag"] == Rag.GREEN  # computed by the rule, no longer the red set by hand


async def test_update_can_change_the_status(client, progress_plan):
    action_id, today = progress_plan["other_action"], progress_plan["today"]
    await as_person(client, "other.lead@testshire.example")
    form = update_form(today, status=WorkStatus.IN_PROGRESS.value, percent_complete="55")
    assert (await post_multipart(client, f"/actions/{action_id}/updates/new", form)).status_code == 303
    assert (await action_row(action_id))["status"] == WorkStatus.IN_PROGRESS


async def test_plan_owner_may_report_progress(client, progress_plan):
    await as_person(client, "owner@testshire.example")
    form = update_form(progress_plan["today"])
    response = await post_multipart(client, f"/actions/{progress_plan['action']}/updates/new", form)
    assert response.status_code == 303


UPDATE_FORM_ERRORS = (
    ({"narrative": "   "}, "Enter what has happened since the last update"),
    ({"percent_complete": ""}, "Enter the percentage complete"),
    ({"percent_complete": "sixty"}, "Percentage complete must be a whole number, like 60"),
    ({"percent_complete": "60.5"}, "Percentage complete must be a whole number, like 60"),
    ({"percent_complete": "-5"}, "Percentage complete must be a whole number, like 60"),
    ({"percent_complete": "101"}, "Percentage complete must be between 0 and 100"),
    ({"period_end": "2001-01-31"}, "Select the reporting period this update is for"),
    ({"period_end": ""}, "Select the reporting period this update is for"),
    ({"status": "finished"}, "Select the action&#39;s status"),
    ({"links": "javascript:alert(1)"}, "Enter a link that starts with https://"),
)


async def test_update_form_errors_change_nothing(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    for changes, message in UPDATE_FORM_ERRORS:
        form = update_form(progress_plan["today"], **changes)
        response = await post_multipart(client, f"/actions/{action_id}/updates/new", form)
        assert response.status_code == 400, changes
        assert "There is a problem" in response.text
        assert message in response.text, changes
    assert not await ProgressUpdate.exists().where(ProgressUpdate.action == action_id)
    assert (await action_row(action_id))["percent_complete"] == 10


async def test_percent_at_both_ends_is_accepted(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await as_person(client, "lead@testshire.example")
    for percent in ("0", "100"):
        form = update_form(today, percent_complete=percent)
        assert (await post_multipart(client, f"/actions/{action_id}/updates/new", form)).status_code == 303
    assert (await action_row(action_id))["percent_complete"] == 100


async def test_lead_of_another_action_cannot_update_this_one(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "other.lead@testshire.example")
    assert (await client.get(f"/actions/{action_id}/updates/new")).status_code == 403
    response = await post_multipart(
        client, f"/actions/{action_id}/updates/new", update_form(progress_plan["today"])
    )
    assert response.status_code == 403
    assert (await client.get(f"/actions/{action_id}/rag-override")).status_code == 403
    assert (await client.get(f"/actions/{action_id}/evidence/new")).status_code == 403
    response = await post_multipart(
        client, f"/actions/{action_id}/evidence/new", {"title": "x", "url": "https://example.org"}
    )
    assert response.status_code == 403
    assert not await ProgressUpdate.exists().where(ProgressUpdate.action == action_id)
    assert not await Evidence.exists().where(Evidence.action == action_id)


async def test_no_such_action_is_not_found(client, progress_plan):
    await as_person(client, "lead@testshire.example")
    assert (
        await client.get(f"/actions/{progress_plan['other_action'] + 1000}/updates/new")
    ).status_code == 404


async def test_closed_plan_takes_no_more_updates(client, progress_plan):
    await Plan.update({Plan.status: PlanStatus.CLOSED}).where(Plan.id == progress_plan["plan"])
    await as_person(client, "lead@testshire.example")
    assert (await client.get(f"/actions/{progress_plan['action']}/updates/new")).status_code == 409


async def test_update_with_evidence_links_and_a_file(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    await as_person(client, "lead@testshire.example")
    form = update_form(
        today, links="https://example.org/minutes\n\nhttps://example.org/tracker", file_title="Board paper"
    )
    response = await post_multipart(
        client,
        f"/actions/{action_id}/updates/new",
        form,
        files={"file": ("board paper.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    update = await ProgressUpdate.select(ProgressUpdate.id).where(ProgressUpdate.action == action_id).first()
    evidence = await Evidence.select().where(Evidence.action == action_id).order_by(Evidence.id)
    assert [(e["kind"], e["title"], e["progress_update"]) for e in evidence] == [
        (EvidenceKind.LINK, "https://example.org/minutes", update["id"]),
        (EvidenceKind.LINK, "https://example.org/tracker", update["id"]),
        (EvidenceKind.FILE, "Board paper", update["id"]),
    ]
    assert evidence[2]["file_name"] == "board paper.pdf"


async def test_update_with_a_refused_file_stores_nothing(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await post_multipart(
        client,
        f"/actions/{action_id}/updates/new",
        update_form(progress_plan["today"]),
        files={"file": ("photo.pdf", PNG, "application/pdf")},
    )
    assert response.status_code == 400
    assert "The selected file is not a real PDF: its content is a PNG image" in response.text
    assert not await ProgressUpdate.exists().where(ProgressUpdate.action == action_id)
    assert not await Evidence.exists().where(Evidence.action == action_id)


async def test_training_linked_action_takes_its_percent_from_training(client, progress_plan):
    action_id, today = progress_plan["action"], progress_plan["today"]
    course_id = await publish_course("EHCP-LINK")
    await TrainingLink.insert(TrainingLink(action=action_id, course_id=course_id, target_count=220))
    await as_person(client, "lead@testshire.example")
    page = await client.get(f"/actions/{action_id}/updates/new")
    assert "Percent complete comes from training: 0 of 220 people trained" in page.text
    assert 'name="percent_complete"' not in page.text

    form = update_form(today, percent_complete="")
    response = await post_multipart(client, f"/actions/{action_id}/updates/new", form)

    assert response.status_code == 303
    update = await ProgressUpdate.select().where(ProgressUpdate.action == action_id).first()
    assert update["percent_complete"] == 0


def test_reporting_periods_are_recent_month_ends():
    assert reporting_periods(date(2026, 3, 15)) == [
        date(2026, 3, 31),
        date(2026, 2, 28),
        date(2026, 1, 31),
        date(2025, 12, 31),
    ]
    assert reporting_periods(date(2028, 2, 29))[0] == date(2028, 2, 29)


# --- the RAG set by hand ------------------------------------------------------------------------


async def test_override_needs_a_reason(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await post_form(client, f"/actions/{action_id}/rag-override", {"rag": "red", "reason": "  "})
    assert response.status_code == 400
    assert "Enter why the RAG status is being set by hand" in response.text
    assert (await action_row(action_id))["rag_override"] is None


async def test_override_needs_a_rag(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await post_form(client, f"/actions/{action_id}/rag-override", {"reason": "Because"})
    assert response.status_code == 400
    assert "Select the RAG status to show" in response.text


async def test_lead_sets_and_removes_the_rag_by_hand(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    page = await client.get(f"/actions/{action_id}/rag-override")
    assert page.status_code == 200
    assert "What the RAG statuses mean" in page.text

    response = await post_form(
        client, f"/actions/{action_id}/rag-override", {"rag": "red", "reason": "Key post vacant"}
    )

    assert response.status_code == 303
    action = await action_row(action_id)
    assert (action["rag_override"], action["rag_override_reason"]) == (Rag.RED, "Key post vacant")
    assert action["rag_override_by"] == progress_plan["lead"]
    assert action["rag_override_at"] is not None
    page = await client.get(f"/actions/{action_id}/rag-override")
    assert "Set by hand: Key post vacant" in page.text
    assert "Remove the RAG set by hand" in page.text
    assert await AuditEntry.exists().where(
        (AuditEntry.entity == "action") & (AuditEntry.summary.like("%set by hand to Red%"))
    )

    response = await post_form(client, f"/actions/{action_id}/rag-override", {"remove": "yes"})

    assert response.status_code == 303
    action = await action_row(action_id)
    assert (action["rag_override"], action["rag_override_reason"], action["rag_override_by"]) == (
        None,
        "",
        None,
    )
    assert await AuditEntry.exists().where(AuditEntry.summary.like("%RAG set by hand removed%"))


async def test_a_leader_who_may_view_the_plan_may_not_override(client, progress_plan):
    await make_person("viewer@testshire.example", Role.LEADER)
    await as_person(client, "viewer@testshire.example")
    response = await post_form(
        client, f"/actions/{progress_plan['action']}/rag-override", {"rag": "green", "reason": "Looks fine"}
    )
    assert response.status_code == 403


# --- evidence -------------------------------------------------------------------------------------


async def test_lead_adds_a_link(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    assert (await client.get(f"/actions/{action_id}/evidence/new")).status_code == 200
    response = await post_multipart(
        client,
        f"/actions/{action_id}/evidence/new",
        {"title": "Tracker", "url": "https://example.org/tracker"},
    )
    assert response.status_code == 303
    evidence = await Evidence.select().where(Evidence.action == action_id).first()
    assert (evidence["kind"], evidence["title"], evidence["url"]) == (
        EvidenceKind.LINK,
        "Tracker",
        "https://example.org/tracker",
    )
    assert evidence["added_by"] == progress_plan["lead"]
    download = await client.get(f"/evidence/{evidence['id']}", follow_redirects=False)
    assert download.status_code == 303
    assert download.headers["location"] == "https://example.org/tracker"


LINK_ERRORS = (
    ({"title": "Tracker", "url": "ftp://example.org/tracker"}, "Enter a link that starts with https://"),
    ({"title": "Tracker", "url": "javascript:alert(1)"}, "Enter a link that starts with https://"),
    ({"title": "Tracker", "url": "https://"}, "Enter a link that starts with https://"),
    ({"title": "", "url": "https://example.org"}, "Enter a title for the evidence"),
    ({"title": "Tracker", "url": ""}, "Enter a link or select a file"),
)


async def test_link_evidence_errors(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    for form, message in LINK_ERRORS:
        response = await post_multipart(client, f"/actions/{action_id}/evidence/new", form)
        assert response.status_code == 400, form
        assert message in response.text, form
    assert not await Evidence.exists().where(Evidence.action == action_id)


async def test_lead_uploads_a_file_that_viewers_can_download(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await upload_evidence(client, action_id, '..\\..\\Board "paper" May.PNG', PNG, title="")
    assert response.status_code == 303
    evidence = await Evidence.select().where(Evidence.action == action_id).first()
    assert evidence["kind"] == EvidenceKind.FILE
    assert evidence["file_name"] == "Board _paper_ May.png"
    assert evidence["title"] == "Board _paper_ May.png"
    assert evidence["content_type"] == "image/png"
    assert evidence["size_bytes"] == len(PNG)
    assert len(evidence["sha256"]) == 64
    assert evidence["content"] == PNG

    await make_person("viewer@testshire.example", Role.LEADER)
    await as_person(client, "viewer@testshire.example")
    download = await client.get(f"/evidence/{evidence['id']}")
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"] == 'attachment; filename="Board _paper_ May.png"'
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_someone_who_cannot_view_the_plan_cannot_download_its_evidence(client, progress_plan):
    row = await Evidence.insert(
        Evidence(
            plan=progress_plan["plan"],
            action=progress_plan["action"],
            kind=EvidenceKind.FILE,
            title="Tracker",
            file_name="tracker.pdf",
            content_type="application/pdf",
            content=PDF,
        )
    ).returning(Evidence.id)
    await make_person("outsider@testshire.example", Role.PROFESSIONAL)
    await as_person(client, "outsider@testshire.example")
    response = await client.get(f"/evidence/{row[0]['id']}")
    assert response.status_code == 403
    assert PDF not in response.content
    # The lead of another action in the plan may view it, so may download it.
    await as_person(client, "other.lead@testshire.example")
    assert (await client.get(f"/evidence/{row[0]['id']}")).content == PDF


async def test_a_png_renamed_pdf_is_refused(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await upload_evidence(client, action_id, "minutes.pdf", PNG, title="Minutes")
    assert response.status_code == 400
    assert "The selected file is not a real PDF: its content is a PNG image" in response.text
    assert not await Evidence.exists().where(Evidence.action == action_id)


async def test_a_file_over_the_limit_is_refused(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    too_big = PDF + b"\n" * (updates.MAX_EVIDENCE_BYTES + 1 - len(PDF))
    response = await upload_evidence(client, action_id, "big.pdf", too_big, title="Big")
    assert response.status_code == 400
    assert "The selected file must be smaller than 10 MB" in response.text
    assert not await Evidence.exists().where(Evidence.action == action_id)


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await upload_evidence(client, action_id, "huge.pdf", PDF + b"\n" * (12 * 2**20), title="Huge")
    assert response.status_code == 413
    assert "The file is too large" in response.text
    assert not await Evidence.exists().where(Evidence.action == action_id)


async def test_a_link_and_a_file_together_are_refused(client, progress_plan):
    action_id = progress_plan["action"]
    await as_person(client, "lead@testshire.example")
    response = await post_multipart(
        client,
        f"/actions/{action_id}/evidence/new",
        {"title": "Both", "url": "https://example.org"},
        files={"file": ("a.pdf", PDF)},
    )
    assert response.status_code == 400
    assert "Add either a link or a file, not both" in response.text


# --- what a file's content must be --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
        ("photo.JPEG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
        (
            "minutes.docx",
            office_file("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "tracker.xlsx",
            office_file("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "slides.pptx",
            office_file("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("data.csv", b"name,count\nReviews,40\n", "text/csv; charset=utf-8"),
        ("notes.txt", "Café notes\n".encode("windows-1252"), "text/plain; charset=windows-1252"),
        ("notes.txt", "\ufeffCafé notes\n".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_allowed_files_pass_with_their_type_read_from_the_content(name, content, content_type):
    checked = check_file(file_name=name, content=content)
    assert checked.content_type == content_type
    assert checked.size_bytes == len(content)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("image.png", PDF, "not a real PNG image: its content is a PDF"),
        (
            "minutes.docx",
            office_file("xl/workbook.xml"),
            "not a real Word document (DOCX): its content is an Excel workbook",
        ),
        ("minutes.docx", b"PK\x03\x04not really a zip", "its content is a ZIP archive"),
        ("tracker.xlsx", PDF, "not a real Excel workbook (XLSX): its content is a PDF"),
        ("notes.txt", PNG, "not a real text file: its content is a PNG image"),
        ("data.csv", b"a,b\n\x00\x01\x02", "not a real CSV file"),
        ("page.html", b"<html></html>", "must be a PDF, PNG, JPEG"),
        ("virus.exe", b"MZ\x90\x00", "must be a PDF, PNG, JPEG"),
        ("no-extension", PDF, "must be a PDF, PNG, JPEG"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_files_whose_content_is_not_their_claimed_type_are_refused(name, content, message):
    with pytest.raises(UpdateError) as refused:
        check_file(file_name=name, content=content)
    assert refused.value.field == "file"
    assert message in refused.value.message


async def test_downloads_of_evidence_added_elsewhere_stay_safe(client, progress_plan):
    """An import or the demo may store what the form would refuse: a download still cannot misbehave."""
    common = {"plan": progress_plan["plan"], "action": progress_plan["action"], "title": "Imported"}
    odd_link = await Evidence.insert(
        Evidence(**common, kind=EvidenceKind.LINK, url="javascript:alert(1)")
    ).returning(Evidence.id)
    odd_file = await Evidence.insert(
        Evidence(
            **common,
            kind=EvidenceKind.FILE,
            file_name='a"b\r\nc.txt',
            content_type="text/plain",
            content=b"x",
        )
    ).returning(Evidence.id)
    await as_person(client, "lead@testshire.example")
    assert (await client.get(f"/evidence/{odd_link[0]['id']}", follow_redirects=False)).status_code == 404
    download = await client.get(f"/evidence/{odd_file[0]['id']}")
    assert download.headers["content-disposition"] == 'attachment; filename="a_b_c.txt"'
