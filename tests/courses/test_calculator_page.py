from app.enums import Role


async def test_professional_works_out_the_deadlines_after_a_review_meeting(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)
    page = await client.get(
        "/calculator", params={"event": "review_meeting", "on-day": "3", "on-month": "11", "on-year": "2026"}
    )
    assert page.status_code == 200
    assert "Tuesday 1 December 2026" in page.text  # decision within 4 weeks, reg 20
    assert "SEND Regs 2014 reg 20" in page.text


async def test_calculator_explains_what_is_missing(client, signed_in_as):
    await signed_in_as(Role.PROFESSIONAL)
    page = await client.get("/calculator", params={"on-day": "31", "on-month": "2", "on-year": "2026"})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert 'href="#event"' in page.text
    assert "The date must be a real date" in page.text


async def test_empty_calculator_shows_the_form_without_errors(client, signed_in_as):
    await signed_in_as(Role.LEADER)
    page = await client.get("/calculator")
    assert page.status_code == 200
    assert "There is a problem" not in page.text
    assert "What happened?" in page.text
