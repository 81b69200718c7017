"""The statutory timescales of the EHCP process in England, as a calculator.

Sources: Children and Families Act 2014 (CFA), SEND Regulations 2014 (SI 2014/1530, "reg"), SEND Code
of Practice 0-25 (2015, "CoP"). Weeks are calendar weeks; "days" in regs 13 and 22 are calendar days.
The built-in course's scenario questions take their answers from here, so the course and the law
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class Event(StrEnum):
    """Something that happened on a known date and starts statutory clocks."""

    REQUEST_RECEIVED = "request_received"
    ADVICE_REQUESTED = "advice_requested"
    DRAFT_PLAN_SERVED = "draft_plan_served"
    PLAN_ISSUED = "plan_issued"
    REVIEW_MEETING = "review_meeting"
    AMENDMENTS_PROPOSED = "amendments_proposed"
    DECISION_NOTIFIED = "decision_notified"
    MEDIATION_CERTIFICATE = "mediation_certificate"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS = {
    Event.REQUEST_RECEIVED: "A request for an EHC needs assessment was received",
    Event.ADVICE_REQUESTED: "Advice was requested for an EHC needs assessment",
    Event.DRAFT_PLAN_SERVED: "A draft EHC plan was sent to the family",
    Event.PLAN_ISSUED: "An EHC plan was issued, or last reviewed",
    Event.REVIEW_MEETING: "An annual review meeting was held",
    Event.AMENDMENTS_PROPOSED: "Proposed amendments were sent after a review",
    Event.DECISION_NOTIFIED: "A decision the family can appeal was notified",
    Event.MEDIATION_CERTIFICATE: "A mediation certificate was issued",
}


class Transfer(StrEnum):
    """Phase transfers whose reviews must be finished by a fixed date (reg 18)."""

    TO_SECONDARY = "to_secondary"  # and every other transfer between phases before 16
    TO_POST_16 = "to_post_16"


@dataclass(frozen=True, slots=True)
class Deadline:
    step: str
    due_on: date
    source: str
    # "by": must happen on or before; "from": the earliest it may happen.
    kind: str = "by"
    note: str = ""


def _weeks(start: date, weeks: int) -> date:
    return start + timedelta(weeks=weeks)


def _months(start: date, months: int) -> date:
    # A month from 31 January is 28 (or 29) February: the end of the shorter month.
    return start + relativedelta(months=months)


def decide_whether_to_assess(request_received: date) -> date:
    """The LA must decide whether to carry out an EHC needs assessment within 6 weeks (reg 5(1))."""
    return _weeks(request_received, 6)


def advice_due(advice_requested: date) -> date:
    """Advice asked for an assessment must be given within 6 weeks of the request for it (reg 8)."""
    return _weeks(advice_requested, 6)


def notify_no_plan(request_received: date) -> date:
    """Telling the family no plan will be issued: within 16 weeks of the request (reg 10)."""
    return _weeks(request_received, 16)


def final_plan_due(request_received: date) -> date:
    """The final EHC plan must be issued within 20 weeks of the request (reg 13(2))."""
    return _weeks(request_received, 20)


def comments_close(draft_served: date) -> date:
    """The earliest day a plan can be finalised: the family has 15 days *beginning with* the day the
    draft (or proposed amendments) is served to comment and ask for a setting (reg 13(1), reg 22(2));
    their last day is the 14th after service, so the plan may be finalised from the 15th."""
    return draft_served + timedelta(days=15)


def annual_review_due(plan_or_last_review: date) -> date:
    """The last day for the next review: CFA s.44(1) requires one "in the period of 12 months starting
    with" the date the plan was made or last reviewed, so the period ends the day before the
    anniversary (CoP 9.166)."""
    return _months(plan_or_last_review, 12) - timedelta(days=1)


def early_years_review_window(plan_or_last_review: date) -> tuple[date, date]:
    """For children under 5, reviews should be considered every 3 to 6 months (CoP 9.178)."""
    return _months(plan_or_last_review, 3), _months(plan_or_last_review, 6)


def review_invitations_by(meeting: date) -> date:
    """At least 2 weeks' notice of a review meeting; advice circulated 2 weeks before (reg 20; CoP 9.176)."""
    return _weeks(meeting, -2)


def review_report_due(meeting: date) -> date:
    """The review report must reach the LA within 2 weeks of the meeting (reg 20)."""
    return _weeks(meeting, 2)


def review_decision_due(meeting: date) -> date:
    """The LA must notify its decision to maintain, amend or cease within 4 weeks of the meeting (reg 20)."""
    return _weeks(meeting, 4)


def amended_plan_due(amendments_sent: date) -> date:
    """An amended plan is finalised within 8 weeks of sending the proposed amendments (reg 22)."""
    return _weeks(amendments_sent, 8)


def latest_amended_plan_after_meeting(meeting: date) -> date:
    """Decision within 4 weeks, then finalised within 8: at most 12 weeks after the meeting (regs 20, 22)."""
    return _weeks(meeting, 12)


def phase_transfer_due(transfer_year: int, transfer: Transfer) -> date:
    """The last day to review and amend a transferring child's plan: reg 18(1) says *before*
    15 February of the transfer year (before 31 March for secondary school to post-16)."""
    deadline = date(transfer_year, 3, 31) if transfer is Transfer.TO_POST_16 else date(transfer_year, 2, 15)
    return deadline - timedelta(days=1)


def mediation_contact_due(decision_notified: date) -> date:
    """A parent or young person must contact a mediation adviser within 2 months of the decision
    before appealing (CFA ss.51 and 55; Mediation regs)."""
    return _months(decision_notified, 2)


def appeal_due(decision_notified: date, mediation_certificate: date | None = None) -> date:
    """Appeal within 2 months of the decision, or 1 month of the mediation certificate, whichever is
    later (CFA s.51; SEND Regs reg 33 and the Tribunal Procedure Rules)."""
    by_decision = _months(decision_notified, 2)
    if mediation_certificate is None:
        return by_decision
    return max(by_decision, _months(mediation_certificate, 1))


EXCEPTIONS_NOTE = (
    "The 6-, 16- and 20-week limits do not apply where the setting is closed for at least 4 weeks, "
    "there are exceptional personal circumstances, or the family is away for at least 4 weeks "
    "(reg 10(4), 13(3))."
)


def deadlines_after(event: Event, on: date, *, under_five: bool = False) -> list[Deadline]:
    """Every statutory deadline that follows from `event` happening on `on`, in date order."""
    deadlines: list[Deadline]
    if event is Event.REQUEST_RECEIVED:
        deadlines = [
            Deadline(
                "Decide whether to carry out an EHC needs assessment",
                decide_whether_to_assess(on),
                "SEND Regs 2014 reg 5(1)",
                note=EXCEPTIONS_NOTE,
            ),
            Deadline(
                "Tell the family if the council will not issue a plan",
                notify_no_plan(on),
                "SEND Regs 2014 reg 10",
                note=EXCEPTIONS_NOTE,
            ),
            Deadline(
                "Issue the final EHC plan",
                final_plan_due(on),
                "SEND Regs 2014 reg 13(2)",
                note=EXCEPTIONS_NOTE,
            ),
        ]
    elif event is Event.ADVICE_REQUESTED:
        deadlines = [Deadline("Advice given by those asked", advice_due(on), "SEND Regs 2014 reg 8")]
    elif event is Event.DRAFT_PLAN_SERVED:
        deadlines = [
            Deadline(
                "Earliest day to finalise the plan, after the family's 15 days to comment",
                comments_close(on),
                "SEND Regs 2014 reg 13(1)",
                kind="from",
                note="The 15 days begin with the day the draft is served.",
            ),
        ]
    elif event is Event.PLAN_ISSUED:
        deadlines = [
            Deadline("Hold the next annual review", annual_review_due(on), "CFA 2014 s.44; CoP 9.166")
        ]
        if under_five:
            start, end = early_years_review_window(on)
            deadlines += [
                Deadline("Consider an early review (child under 5)", start, "CoP 9.178", kind="from"),
                Deadline("Review should have been considered (child under 5)", end, "CoP 9.178"),
            ]
    elif event is Event.REVIEW_MEETING:
        deadlines = [
            Deadline(
                "Invitations sent and advice circulated (at least 2 weeks' notice)",
                review_invitations_by(on),
                "SEND Regs 2014 reg 20; CoP 9.176",
            ),
            Deadline("Review report sent to the council", review_report_due(on), "SEND Regs 2014 reg 20"),
            Deadline(
                "Council notifies its decision to maintain, amend or cease",
                review_decision_due(on),
                "SEND Regs 2014 reg 20",
            ),
            Deadline(
                "Amended plan finalised (at the latest)",
                latest_amended_plan_after_meeting(on),
                "SEND Regs 2014 regs 20 and 22",
            ),
            Deadline("Next annual review", annual_review_due(on), "CFA 2014 s.44; CoP 9.166"),
        ]
    elif event is Event.AMENDMENTS_PROPOSED:
        deadlines = [
            Deadline(
                "Earliest day to finalise, after the family's 15 days to comment on the amendments",
                comments_close(on),
                "SEND Regs 2014 reg 22",
                kind="from",
            ),
            Deadline("Amended plan finalised", amended_plan_due(on), "SEND Regs 2014 reg 22"),
        ]
    elif event is Event.DECISION_NOTIFIED:
        deadlines = [
            Deadline(
                "Contact a mediation adviser (needed before most appeals)",
                mediation_contact_due(on),
                "CFA 2014 ss.51 and 55; Mediation regs",
            ),
            Deadline("Appeal to the Tribunal (without mediation)", appeal_due(on), "CFA 2014 s.51"),
        ]
    else:
        deadlines = [
            Deadline(
                "Appeal to the Tribunal after mediation (if later than 2 months from the decision)",
                _months(on, 1),
                "CFA 2014 s.51; Mediation regs",
            ),
        ]
    return sorted(deadlines, key=lambda d: d.due_on)


# Calculations a scenario question in course content may name; each takes the event date.
SCENARIOS = {
    "decide_whether_to_assess": decide_whether_to_assess,
    "advice_due": advice_due,
    "notify_no_plan": notify_no_plan,
    "final_plan_due": final_plan_due,
    "comments_close": comments_close,
    "annual_review_due": annual_review_due,
    "review_invitations_by": review_invitations_by,
    "review_report_due": review_report_due,
    "review_decision_due": review_decision_due,
    "amended_plan_due": amended_plan_due,
    "latest_amended_plan_after_meeting": latest_amended_plan_after_meeting,
    "mediation_contact_due": mediation_contact_due,
    "appeal_due": appeal_due,
}
