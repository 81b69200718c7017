"""Certificates: a PDF for the person who completed a course (and trainers); a public page checks codes."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from app.audit import CLI_ACTOR
from app.enums import Role
from app.people import services as people
from app.people.services import StaffDetails
from courses import catalogue, certificates, learning
from courses.catalogue import ModuleContent, VersionContent
from courses.certificates import CertificateNotFound
from courses.certificates_controller import normalise_code
from courses.enums import CompletionSource, ModuleKind
from courses.tables import Completion
from tests.conftest import make_person, sign_in
from tests.courses.conftest import add_staff, publish_course

TODAY = date.today()


def pdf_text(pdf: bytes) -> str:
    """The words a reader sees in a PDF, as poppler's pdftotext extracts them."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "install poppler-utils for pdftotext"
    result = subprocess.run(  # noqa: S603 (a fixed program, fed our own PDF on stdin)
        [pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return " ".join(result.stdout.decode().split())


async def complete(staff_id: int, course_id: int, *, on: date = TODAY) -> dict:
    completion_id = await learning.record_completion(
        staff_id=staff_id,
        course_id=course_id,
        completed_on=on,
        source=CompletionSource.ONLINE,
        actor=CLI_ACTOR,
        backdate_reason="" if on == TODAY else "Recorded late",
    )
    return await Completion.select().where(Completion.id == completion_id).first()


async def test_professional_downloads_their_own_certificate_as_a_pdf(client, signed_in_as, course_id):
    me = await signed_in_as(Role.PROFESSIONAL, email="amira.khan@testshire.example")
    completion = await complete(me, course_id)
    response = await client.get(f"/certificates/{completion['id']}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"certificate-EHCP-TEST-{completion['certificate_code']}.pdf" in disposition
    assert "no-store" in response.headers["cache-control"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    expires = TODAY + relativedelta(months=24)
    for expected in (
        "Testshire County Council",
        "Certificate of completion",
        "Amira Khan",
        "Course EHCP-TEST",
        "version 1",
        TODAY.strftime("%-d %B %Y"),
        expires.strftime("%-d %B %Y"),
        completion["certificate_code"],
        f"/verify/{completion['certificate_code']}",
    ):
        assert expected in text, f"{expected!r} is missing from the certificate"


async def test_certificate_of_a_course_without_recertification_says_it_does_not_expire(course_id):
    forever = await publish_course("FOREVER", recertify_months=None)
    person = await make_person("forever@testshire.example", Role.PROFESSIONAL)
    completion = await complete(person, forever)
    text = pdf_text(await certificates.certificate_pdf(completion_id=completion["id"]))
    assert "Does not expire" in text


def pdf_pages(pdf: bytes) -> int:
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "install poppler-utils for pdfinfo"
    result = subprocess.run(  # noqa: S603 (a fixed program, fed our own PDF on stdin)
        [pdfinfo, "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return int(
        next(line for line in result.stdout.decode().splitlines() if line.startswith("Pages:")).split()[1]
    )


async def test_the_longest_name_and_course_title_still_fit_on_one_page(organisation):
    course_id = await catalogue.create_course(
        code="LONG-TITLE",
        title=("Annual reviews, phase transfers and the statutory duties that follow " * 3)[:200],
        summary="",
        mandatory=False,
        recertify_months=None,
        actor=CLI_ACTOR,
    )
    await catalogue.replace_draft_content(
        course_id=course_id,
        content=VersionContent(
            estimated_minutes=10,
            pass_mark=None,
            modules=[ModuleContent(kind=ModuleKind.READING, title="Read", body="Read this.")],
        ),
        actor=CLI_ACTOR,
    )
    await catalogue.publish(course_id=course_id, requires_recompletion=False, reason="", actor=CLI_ACTOR)
    person = await people.create_staff(
        details=StaffDetails(
            email="long.name@testshire.example",
            full_name=("Wolfeschlegelsteinhausenbergerdorff " * 6)[:200],
            organisation_id=organisation["organisation_id"],
        ),
        actor=CLI_ACTOR,
    )
    completion = await complete(person, course_id)
    assert pdf_pages(await certificates.certificate_pdf(completion_id=completion["id"])) == 1


async def test_colleague_cannot_download_someone_elses_certificate(client, course_id):
    owner = await make_person("owner@testshire.example", Role.PROFESSIONAL)
    completion = await complete(owner, course_id)
    await make_person("colleague@testshire.example", Role.PROFESSIONAL)
    await sign_in(client, "colleague@testshire.example")
    response = await client.get(f"/certificates/{completion['id']}.pdf")
    assert response.status_code == 403
    assert not response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ADMIN])
async def test_trainers_and_admins_can_download_anyones_certificate(client, signed_in_as, course_id, role):
    owner = await make_person("learner@testshire.example", Role.PROFESSIONAL)
    completion = await complete(owner, course_id)
    await signed_in_as(role)
    response = await client.get(f"/certificates/{completion['id']}.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


async def test_a_leader_is_not_a_trainer_for_certificates(client, signed_in_as, course_id):
    owner = await make_person("learner@testshire.example", Role.PROFESSIONAL)
    completion = await complete(owner, course_id)
    await signed_in_as(Role.LEADER)
    assert (await client.get(f"/certificates/{completion['id']}.pdf")).status_code == 403


async def test_certificate_needs_sign_in(client, course_id):
    owner = await make_person("learner@testshire.example", Role.PROFESSIONAL)
    completion = await complete(owner, course_id)
    response = await client.get(f"/certificates/{completion['id']}.pdf", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("name", ["999999.pdf", "1.txt", "one.pdf", "1.pdf.pdf"])
async def test_unknown_or_odd_certificate_addresses_are_not_found(client, signed_in_as, name):
    await signed_in_as(Role.TRAINER)
    assert (await client.get(f"/certificates/{name}")).status_code == 404


async def test_certificate_pdf_refuses_an_unknown_completion():
    with pytest.raises(CertificateNotFound):
        await certificates.certificate_pdf(completion_id=424242)


async def test_certificate_template_is_not_a_web_page(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    for path in ("/courses/certificate.html", "/certificate", "/templates/courses/certificate.html"):
        assert (await client.get(path)).status_code == 404


async def test_anyone_can_verify_a_code_and_sees_only_name_course_and_dates(client, course_id, organisation):
    person = await add_staff(organisation, "verified.person@testshire.example")
    completion = await complete(person, course_id, on=TODAY - timedelta(days=10))
    code = completion["certificate_code"]
    page = await client.get(f"/verify/{code}")
    assert page.status_code == 200
    assert "This certificate is genuine" in page.text
    for expected in (
        "Verified.Person",
        "Course EHCP-TEST",
        completion["completed_on"].strftime("%-d %B %Y"),
        completion["expires_on"].strftime("%-d %B %Y"),
    ):
        assert expected in page.text
    # Nothing else about the person: no email, organisation, team, notes, or link to their records.
    for private in (
        "verified.person@testshire.example",
        "Testshire SEND Service",
        "Annual Reviews",
        "Recorded late",
        f"/certificates/{completion['id']}",
    ):
        assert private not in page.text


async def test_a_code_typed_in_lower_case_without_dashes_still_verifies(client, course_id):
    person = await make_person("typist@testshire.example", Role.PROFESSIONAL)
    code = (await complete(person, course_id))["certificate_code"]
    page = await client.get(f"/verify/{code.replace('-', '').lower()}")
    assert page.status_code == 200 and "This certificate is genuine" in page.text


async def test_verify_form_takes_a_code_to_its_page(client):
    form = await client.get("/verify")
    assert form.status_code == 200 and "Certificate code" in form.text
    response = await client.get("/verify", params={"code": " abcd efgh jk23 "}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/verify/ABCD-EFGH-JK23"
    empty = await client.get("/verify", params={"code": ""})
    assert empty.status_code == 400 and "Enter the certificate code" in empty.text


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM", "not-a-code", "x" * 200])
async def test_unknown_code_says_not_found_with_one_status_whatever_the_reason(client, course_id, code):
    page = await client.get(f"/verify/{code}")
    assert page.status_code == 404
    assert "Certificate not found" in page.text
    assert "No certificate has the code you entered" in page.text


def test_codes_are_normalised_to_the_printed_form():
    assert normalise_code("abcd efgh jk23") == "ABCD-EFGH-JK23"
    assert normalise_code("ABCD-EFGH-JK23") == "ABCD-EFGH-JK23"
    assert normalise_code("short") == "SHORT"
