"""The statutory-timescale calculator, case by case against DESIGN.md section 5.

Each test names the provision it checks. Dates are worked by hand from the calendar, not from the code.
"""

from __future__ import annotations

from datetime import date

import pytest

from courses import timescales as t
from courses.timescales import Event, Transfer


class TestRegulation5DecisionToAssess:
    def test_reg_5_1_decision_within_6_weeks_of_request(self):
        assert t.decide_whether_to_assess(date(2026, 1, 5)) == date(2026, 2, 16)

    def test_reg_5_1_runs_across_a_year_end(self):
        assert t.decide_whether_to_assess(date(2025, 12, 1)) == date(2026, 1, 12)


class TestRegulation8Advice:
    def test_reg_8_advice_within_6_weeks_of_being_asked(self):
        assert t.advice_due(date(2026, 3, 2)) == date(2026, 4, 13)


class TestRegulation10NoPlan:
    def test_reg_10_notice_of_no_plan_within_16_weeks(self):
        assert t.notify_no_plan(date(2026, 1, 5)) == date(2026, 4, 27)


class TestRegulation13DraftAndFinalPlan:
    def test_reg_13_1_plan_finalised_only_after_the_15_days_beginning_with_service(self):
        # 15 days beginning with 1 June run to 15 June; the plan may be finalised from 16 June.
        assert t.comments_close(date(2026, 6, 1)) == date(2026, 6, 16)

    def test_reg_13_2_final_plan_within_20_weeks(self):
        assert t.final_plan_due(date(2026, 1, 5)) == date(2026, 5, 25)

    def test_reg_13_2_across_a_leap_day(self):
        # 20 weeks = 140 days; 2028 is a leap year.
        assert t.final_plan_due(date(2027, 11, 1)) == date(2028, 3, 20)


class TestSection44AnnualReview:
    def test_cfa_s44_review_within_the_12_months_starting_with_the_plan(self):
        # "12 months starting with" 15 September 2025 ends on 14 September 2026.
        assert t.annual_review_due(date(2025, 9, 15)) == date(2026, 9, 14)

    def test_cfa_s44_then_within_12_months_of_the_last_review(self):
        last_review = date(2026, 9, 10)
        assert t.annual_review_due(last_review) == date(2027, 9, 9)

    def test_cfa_s44_plan_issued_on_29_february(self):
        assert t.annual_review_due(date(2028, 2, 29)) == date(2029, 2, 27)

    def test_cop_9_178_under_fives_reviewed_every_3_to_6_months(self):
        assert t.early_years_review_window(date(2026, 1, 31)) == (date(2026, 4, 30), date(2026, 7, 31))


class TestRegulation20ReviewMeeting:
    def test_reg_20_at_least_2_weeks_notice_of_the_meeting(self):
        assert t.review_invitations_by(date(2026, 11, 3)) == date(2026, 10, 20)

    def test_reg_20_report_to_the_la_within_2_weeks(self):
        assert t.review_report_due(date(2026, 11, 3)) == date(2026, 11, 17)

    def test_reg_20_decision_within_4_weeks_of_the_meeting(self):
        # The scenario in the built-in course: a meeting on 3 November.
        assert t.review_decision_due(date(2026, 11, 3)) == date(2026, 12, 1)


class TestRegulation22AmendedPlan:
    def test_reg_22_finalised_within_8_weeks_of_the_proposed_amendments(self):
        assert t.amended_plan_due(date(2026, 12, 1)) == date(2027, 1, 26)

    def test_regs_20_and_22_no_later_than_12_weeks_after_the_meeting(self):
        assert t.latest_amended_plan_after_meeting(date(2026, 11, 3)) == date(2027, 1, 26)


class TestRegulation18PhaseTransfer:
    def test_reg_18_transfer_between_schools_before_15_february(self):
        assert t.phase_transfer_due(2027, Transfer.TO_SECONDARY) == date(2027, 2, 14)

    def test_reg_18_secondary_to_post_16_before_31_march(self):
        assert t.phase_transfer_due(2027, Transfer.TO_POST_16) == date(2027, 3, 30)


class TestSection51Appeals:
    def test_cfa_s51_appeal_within_2_months_of_the_decision(self):
        assert t.appeal_due(date(2026, 12, 31)) == date(2027, 2, 28)

    def test_mediation_regs_1_month_after_the_certificate_when_that_is_later(self):
        assert t.appeal_due(date(2026, 1, 10), mediation_certificate=date(2026, 3, 1)) == date(2026, 4, 1)

    def test_mediation_regs_2_months_from_decision_when_that_is_later(self):
        assert t.appeal_due(date(2026, 1, 10), mediation_certificate=date(2026, 1, 20)) == date(2026, 3, 10)

    def test_cfa_s55_mediation_adviser_contact_within_2_months(self):
        assert t.mediation_contact_due(date(2026, 5, 31)) == date(2026, 7, 31)


@pytest.mark.parametrize(
    ("event", "step_fragment", "expected", "source_fragment"),
    [
        (Event.REQUEST_RECEIVED, "Decide whether", date(2026, 2, 16), "reg 5(1)"),
        (Event.REQUEST_RECEIVED, "will not issue", date(2026, 4, 27), "reg 10"),
        (Event.REQUEST_RECEIVED, "final EHC plan", date(2026, 5, 25), "reg 13(2)"),
        (Event.REVIEW_MEETING, "decision", date(2026, 2, 2), "reg 20"),
        (Event.REVIEW_MEETING, "Amended plan", date(2026, 3, 30), "reg"),
        (Event.PLAN_ISSUED, "annual review", date(2027, 1, 4), "s.44"),
    ],
)
def test_deadlines_after_an_event_cite_their_source(event, step_fragment, expected, source_fragment):
    deadlines = t.deadlines_after(event, date(2026, 1, 5))
    match = [d for d in deadlines if step_fragment.lower() in d.step.lower()]
    assert len(match) == 1, [d.step for d in deadlines]
    assert match[0].due_on == expected
    assert source_fragment in match[0].source


def test_every_event_gives_deadlines_in_date_order_each_with_a_source():
    for event in Event:
        deadlines = t.deadlines_after(event, date(2026, 6, 1), under_five=True)
        assert deadlines, event
        assert [d.due_on for d in deadlines] == sorted(d.due_on for d in deadlines)
        assert all(d.source for d in deadlines)


def test_under_fives_get_the_early_review_window():
    steps = [d.step for d in t.deadlines_after(Event.PLAN_ISSUED, date(2026, 1, 5), under_five=True)]
    assert any("under 5" in s for s in steps)
    steps = [d.step for d in t.deadlines_after(Event.PLAN_ISSUED, date(2026, 1, 5))]
    assert not any("under 5" in s for s in steps)
