"""The busiest pages are written in ASCII, a typographic character as a character reference (see the
comment in layout.html): one character beyond ASCII makes Python encode the whole page a character at a
time, and one beyond Latin-1 keeps it at two bytes a character."""

from __future__ import annotations

from app.audit import Actor
from app.enums import Role
from courses import learning
from tests.courses.test_my_training_pages import assign_to


async def test_my_training_the_compliance_view_and_its_filters_are_ascii(
    client, signed_in_as, course_id, organisation
):
    staff_id = await signed_in_as(Role.TRAINER, Role.PROFESSIONAL)
    await assign_to(staff_id, course_id)
    plan = await learning.course_plan(staff_id=staff_id, course_id=course_id)
    assert plan is not None
    actor = Actor(staff_id, "trainer-professional@testshire.example")
    await learning.mark_module_done(plan=plan, module_id=plan.modules[0]["id"], actor=actor)

    pages = {
        path: await client.get(path)
        for path in (
            "/my-training",
            "/compliance",
            f"/compliance?organisation={organisation['organisation_id']}",
        )
    }

    for path, page in pages.items():
        assert page.status_code == 200, path
        wide = sorted({c for c in page.text if not c.isascii()})
        assert not wide, f"{path} has {wide}"
    # The characters are there, as references: the title's dashes, the hint's dot, the course and team.
    assert "My training &ndash; " in pages["/my-training"].text
    assert "1 of 2 modules done" in pages["/my-training"].text
    assert "&middot; 1 of 2 modules done" in pages["/my-training"].text
    assert "EHCP-TEST &ndash; Course EHCP-TEST" in pages["/compliance"].text
    by_team = pages[f"/compliance?organisation={organisation['organisation_id']}"].text
    assert "Testshire SEND Service &ndash; Annual Reviews" in by_team
