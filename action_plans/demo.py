"""Demo improvement plans: an Ombudsman remedy plan and a Written Statement of Action, approved some
months ago and part-way through, with the statutory success measures and a training-linked action.

Dates are counted from the day the demo is loaded, so the mix of complete, on-track, slipped, overdue
and not-started work stays the same whatever the date. Idempotent: a plan whose reference already
exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from action_plans.enums import (
    DateField,
    EvidenceKind,
    KpiDirection,
    KpiUnit,
    PlanOrigin,
    PlanStatus,
    Rag,
    RevisionStatus,
    WorkStatus,
)
from action_plans.kpi_templates import TEMPLATES
from action_plans.rag import Thresholds, assess
from action_plans.tables import (
    Action,
    ActionPartner,
    DateRevision,
    Evidence,
    Kpi,
    KpiDataPoint,
    Milestone,
    Plan,
    PriorityArea,
    ProgressUpdate,
    TrainingLink,
)
from app import audit
from app.accounts import services as accounts
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction, Role
from app.tables import Organisation, Staff

__all__ = ["ActionPlansDemoSummary", "load_action_plans_demo"]

OMBUDSMAN_REFERENCE = "NBC-LGSCO-01"
WSOA_REFERENCE = "NBC-WSOA-01"
TRAINING_TARGET = 220

# Demo staff who lead work, found by team and job role (the sign-ins are passed in by id).
PEOPLE = {
    "reviews_manager": ("Annual Reviews Team", "SEND team manager"),
    "assessment_manager": ("Assessment Team", "SEND team manager"),
    # Owns the Written Statement of Action, so is given the leader role.
    "improvement_manager": ("SEND Quality and Improvement", "SEND team manager"),
    "psychologist": ("Educational Psychology Service", "Educational psychologist"),
    "caseworker": ("SEND Casework North", "SEND caseworker"),
    "business_support": ("SEND Business Support", "Business support officer"),
    "senco": ("Primary Schools North", "SENCO"),
    "clinical_officer": ("Designated Clinical Officer Team", "Designated clinical officer"),
    "commissioner": ("Children's Commissioning", "Health practitioner"),
    "therapist": ("Speech and Language Therapy", "Health practitioner"),
    "health_visitor": ("Health Visiting", "Health practitioner"),
    "social_worker": ("Children with Disabilities North", "Social worker"),
}

ORGANISATIONS = {
    "schools": "Northbrook Schools and Colleges Partnership",
    "trust": "Northbrook and District NHS Foundation Trust",
    "icb": "Northbrook Integrated Care Board",
    "social_care": "Northbrook Children's Social Care",
}


@dataclass(frozen=True)
class Slip:
    """A forecast moved after approval: to `to` days from today, asked for `on` days from today.

    `{when}` in the reason is replaced by the date `when` days from today."""

    to: int
    reason: str
    on: int
    when: int = 0


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    baseline: int  # days from today, as every offset below
    actual: int | None = None
    lead: str | None = None  # None: the action's lead leads it
    slips: tuple[Slip, ...] = ()
    pending: Slip | None = None  # a move waiting for the plan owner's approval


@dataclass(frozen=True)
class ExceptionReport:
    impact: str
    recovery_action: str
    decision_requested: str


@dataclass(frozen=True)
class ActionSpec:
    description: str
    lead: str
    start: int
    baseline: int
    actual: int | None = None
    percent: int = 0
    slips: tuple[Slip, ...] = ()
    partners: tuple[str, ...] = ()
    milestones: tuple[MilestoneSpec, ...] = ()
    updates: tuple[str, ...] = ()  # monthly narratives, oldest first, the last for last month
    override: tuple[Rag, str] | None = None
    evidence: tuple[tuple[str, str], ...] = ()  # (title, url)
    exception: ExceptionReport | None = None  # on the latest update: what the board reads if it is red
    training_target: int | None = None


@dataclass(frozen=True)
class AreaSpec:
    title: str
    outcome: str
    actions: tuple[ActionSpec, ...]


@dataclass(frozen=True)
class MeasureSpec:
    """A success measure with its data, oldest quarter first: (numerator, denominator) for a
    percentage, a value otherwise."""

    name: str
    description: str
    unit: KpiUnit
    direction: KpiDirection
    target: float | None
    target_date: int
    statutory_threshold: float | None
    series: tuple[tuple[int, int], ...] | tuple[float, ...]
    template_key: str = ""
    notes: dict[date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanSpec:
    reference: str
    title: str
    origin: PlanOrigin
    description: str
    owner: str
    start: int
    approved: int
    end: int
    require_date_approval: bool
    areas: tuple[AreaSpec, ...]
    measures: tuple[MeasureSpec, ...] = ()


@dataclass
class ActionPlansDemoSummary:
    plans_added: list[str] = field(default_factory=list)
    actions: int = 0
    milestones: int = 0
    kpi_points: int = 0

    def describe(self) -> str:
        if not self.plans_added:
            return "Action plans: already loaded."
        return (
            f"Action plans: {', '.join(self.plans_added)} added with {self.actions} actions, "
            f"{self.milestones} milestones and {self.kpi_points} KPI data points."
        )


def _next_31_march(today: date) -> date:
    """The 31 March the training target is set for: at least three months away."""
    target = date(today.year, 3, 31)
    while target < today + timedelta(days=90):
        target = date(target.year + 1, 3, 31)
    return target


def ombudsman_plan(today: date) -> PlanSpec:
    march = (_next_31_march(today) - today).days
    halfway = min((march - 160) // 2, -10)
    return PlanSpec(
        reference=OMBUDSMAN_REFERENCE,
        title="Ombudsman remedy plan: annual reviews of EHC plans",
        origin=PlanOrigin.OMBUDSMAN_REMEDY,
        description=(
            "Our response to the Local Government and Social Care Ombudsman's report, which found fault "
            "causing injustice: annual reviews of EHC plans were not held within 12 months, decisions "
            "after review meetings were late, and families were not told why. We accept the findings. "
            "This plan sets out how we will put things right for the families concerned and make sure "
            "it does not happen again."
        ),
        owner="leader",
        start=-200,
        approved=-170,
        end=330,
        require_date_approval=True,
        measures=statutory_measures(today, plan_end=330),
        areas=(
            AreaSpec(
                title="Annual reviews on time",
                outcome=(
                    "Every child and young person with an EHC plan has an annual review within 12 months, "
                    "and their family hears the council's decision within 4 weeks of the meeting."
                ),
                actions=(
                    ActionSpec(
                        exception=ExceptionReport(
                            impact=(
                                "Families of the 70 children still waiting face a second late review; the "
                                "Ombudsman asked for the backlog to be cleared."
                            ),
                            recovery_action=(
                                "Two agency caseworkers from the start of next month; weekly tracking of the"
                                " oldest 20 cases by the head of SEND."
                            ),
                            decision_requested=(
                                "Agree the revised date and the cost of the agency caseworkers."
                            ),
                        ),
                        description=(
                            "Clear the backlog of 412 overdue annual reviews, oldest first, with a named "
                            "caseworker for every family"
                        ),
                        lead="reviews_manager",
                        start=-190,
                        baseline=-30,
                        percent=70,
                        slips=(
                            Slip(
                                to=45,
                                reason=(
                                    "Recruitment to two caseworker posts delayed; interim agency staff "
                                    "from {when}"
                                ),
                                on=-110,
                                when=-100,
                            ),
                        ),
                        partners=("schools",),
                        milestones=(
                            MilestoneSpec(
                                "Backlog list agreed, with each review's due date and caseworker",
                                baseline=-160,
                                actual=-161,
                            ),
                            MilestoneSpec(
                                "Reviews overdue by more than 6 months held",
                                baseline=-90,
                                actual=-58,
                                slips=(
                                    Slip(
                                        to=-60,
                                        reason="Agency caseworkers needed two weeks' induction before "
                                        "taking on reviews",
                                        on=-95,
                                    ),
                                ),
                            ),
                            MilestoneSpec(
                                "Reviews overdue by 3 to 6 months held",
                                baseline=-30,
                                lead="caseworker",
                                slips=(
                                    Slip(
                                        to=20,
                                        reason="Recruitment to two caseworker posts delayed; interim "
                                        "agency staff from {when}",
                                        on=-110,
                                        when=-100,
                                    ),
                                ),
                            ),
                            MilestoneSpec(
                                "Backlog cleared: no review more than 12 months old",
                                baseline=-30,
                                slips=(
                                    Slip(
                                        to=45,
                                        reason="Recruitment to two caseworker posts delayed; interim "
                                        "agency staff from {when}",
                                        on=-110,
                                        when=-100,
                                    ),
                                ),
                            ),
                        ),
                        updates=(
                            "Backlog list agreed with team managers: 412 reviews overdue, the oldest 19 "
                            "months. Every family has a named caseworker and has been written to.",
                            "61 reviews held. Two caseworker posts still vacant after a second advert; "
                            "agency cover being arranged.",
                            "Agency caseworkers started and are being inducted. 118 reviews held in "
                            "total; forecast moved to reflect the recruitment delay.",
                            "All reviews overdue by more than 6 months now held. 231 held in total.",
                            "296 reviews held. Attendance by health colleagues is the main cause of "
                            "meetings being rearranged.",
                            "342 of 412 held. 70 remain, all overdue by 3 to 6 months; on course for "
                            "the revised date.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Introduce a 12-month review tracker with weekly exception reports to team "
                            "managers"
                        ),
                        lead="business_support",
                        start=-180,
                        baseline=-120,
                        actual=-125,
                        milestones=(
                            MilestoneSpec(
                                "Tracker built in the case management system", baseline=-150, actual=-152
                            ),
                            MilestoneSpec(
                                "First weekly exception report sent to team managers",
                                baseline=-120,
                                actual=-125,
                            ),
                        ),
                        updates=(
                            "Tracker fields agreed with team managers and built in the case management "
                            "system; data checked against the backlog list.",
                            "Weekly exception reports running since the start of the month. Complete.",
                        ),
                        evidence=(
                            (
                                "Weekly annual review exception report (example)",
                                "https://intranet.northbrook.example/send/annual-reviews/exception-report",
                            ),
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Send every family the council's decision within 4 weeks of the review "
                            "meeting, using new decision letter templates"
                        ),
                        lead="professional",
                        start=-150,
                        baseline=60,
                        percent=65,
                        milestones=(
                            MilestoneSpec(
                                "Decision letter templates agreed with the Parent Carer Forum",
                                baseline=-100,
                                actual=-104,
                            ),
                            MilestoneSpec(
                                "Caseworkers shown how to use the templates",
                                baseline=-40,
                                actual=-45,
                                lead="trainer",
                            ),
                            MilestoneSpec(
                                "Decisions sent within 4 weeks for 95% of reviews held this term",
                                baseline=60,
                                pending=Slip(
                                    to=90,
                                    reason="Two caseworkers on long-term sick leave; decisions for "
                                    "reviews held before {when} are being sent first",
                                    on=-3,
                                    when=-30,
                                ),
                            ),
                        ),
                        updates=(
                            "Draft templates shared with the Parent Carer Forum, who asked for plainer "
                            "wording about the right to appeal.",
                            "Templates agreed and in use from this month.",
                            "Caseworkers briefed in team meetings. 71% of decisions this month sent "
                            "within 4 weeks.",
                            "78% within 4 weeks this month. Late decisions are mostly where advice from "
                            "the school arrived after the meeting.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Write to each family named in the Ombudsman's report to apologise, and pay "
                            "the £300 remedy payment the Ombudsman recommended"
                        ),
                        lead="leader",
                        start=-170,
                        baseline=-140,
                        actual=-142,
                        milestones=(
                            MilestoneSpec(
                                "Apology letters sent to all 14 families", baseline=-150, actual=-150
                            ),
                            MilestoneSpec("Remedy payments made", baseline=-140, actual=-142),
                        ),
                        evidence=(
                            (
                                "Confirmation to the Ombudsman that the remedy is complete",
                                "https://intranet.northbrook.example/send/ombudsman/remedy-confirmation",
                            ),
                        ),
                    ),
                ),
            ),
            AreaSpec(
                title="Workforce training",
                outcome=(
                    "Everyone who works on EHC needs assessments, plans and reviews knows the statutory "
                    "timescales and their own part in meeting them."
                ),
                actions=(
                    ActionSpec(
                        description=(
                            f"Train {TRAINING_TARGET} professionals on the EHCP process by 31 March"
                        ),
                        lead="trainer",
                        start=-160,
                        baseline=march,
                        percent=0,  # comes live from training completions
                        partners=("schools", "trust", "icb", "social_care"),
                        training_target=TRAINING_TARGET,
                        milestones=(
                            MilestoneSpec(
                                "EHCP process course published on Assure", baseline=-150, actual=-152
                            ),
                            MilestoneSpec(
                                "Course assigned to every council SEND team and partner organisation",
                                baseline=-120,
                                actual=-118,
                            ),
                            MilestoneSpec(
                                f"{TRAINING_TARGET // 2} professionals trained",
                                # Halfway from the start to 31 March, and the demo's completions
                                # already pass it: done, a little early when halfway is yet to come.
                                baseline=halfway,
                                actual=halfway - 2,
                            ),
                            MilestoneSpec(f"{TRAINING_TARGET} professionals trained", baseline=march),
                        ),
                        updates=(
                            "Course content agreed with the SEND casework teams and published.",
                            "Course assigned to all council SEND teams and to partner organisations.",
                            "Completions picking up in health and social care after reminders to "
                            "line managers.",
                        ),
                    ),
                    ActionSpec(
                        updates=(
                            (
                                "Guidance redrafted for the new national EHC plan template; the SENCO "
                                "network asked for two more weeks to comment, so the briefings move to "
                                "next term."
                            ),
                        ),
                        exception=ExceptionReport(
                            impact=(
                                "SENCOs are briefed a term later, so some schools may still send review "
                                "paperwork in the old form."
                            ),
                            recovery_action=(
                                "Interim note to SENCOs on the new template; full briefings booked for the "
                                "first week of next term."
                            ),
                            decision_requested="",
                        ),
                        description=(
                            "Refresh the annual review guidance for SENCOs and brief every school's SENCO "
                            "each term"
                        ),
                        lead="psychologist",
                        start=-140,
                        baseline=20,
                        percent=75,
                        partners=("schools",),
                        slips=(
                            Slip(
                                to=30,
                                reason=(
                                    "Guidance held back to reflect the new national EHC plan template; "
                                    "the SENCO network asked for two more weeks to comment"
                                ),
                                on=-20,
                            ),
                        ),
                        milestones=(
                            MilestoneSpec(
                                "Draft guidance shared with the SENCO network",
                                baseline=-60,
                                actual=-55,
                                lead="senco",
                            ),
                            MilestoneSpec("Termly SENCO briefing held", baseline=-20, actual=-22),
                            MilestoneSpec(
                                "Final guidance published on the Local Offer",
                                baseline=20,
                                slips=(
                                    Slip(
                                        to=30,
                                        reason="Guidance held back to reflect the new national EHC plan "
                                        "template",
                                        on=-20,
                                    ),
                                ),
                            ),
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Include the statutory timescales and the annual review process in the "
                            "induction of every new caseworker"
                        ),
                        lead="assessment_manager",
                        start=30,
                        baseline=120,
                        milestones=(
                            MilestoneSpec("Induction module drafted", baseline=60),
                            MilestoneSpec("First new caseworkers complete the module", baseline=120),
                        ),
                    ),
                ),
            ),
            AreaSpec(
                title="Governance and reporting",
                outcome=(
                    "Leaders, councillors and the Ombudsman can see each month whether reviews are on "
                    "time, and act when they are not."
                ),
                actions=(
                    ActionSpec(
                        description=(
                            "Report annual review performance to the SEND Improvement Board every month, "
                            "with exceptions by team"
                        ),
                        lead="improvement_manager",
                        start=-170,
                        baseline=180,
                        percent=50,
                        milestones=(
                            MilestoneSpec(
                                "Performance dashboard agreed by the board", baseline=-140, actual=-140
                            ),
                            MilestoneSpec(
                                "First quarterly report to the Ombudsman", baseline=-80, actual=-78
                            ),
                            MilestoneSpec("Six-monthly review of the dashboard measures", baseline=10),
                        ),
                        updates=(
                            "Dashboard measures agreed: the five statutory timescales, by team.",
                            "First monthly report to the board; exceptions discussed for the South team.",
                            "Quarterly report sent to the Ombudsman with the remedy evidence.",
                            "Board asked for the 20-week measure with and without exceptions; added.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Audit 30 annual review files each quarter against the Code of Practice, with "
                            "findings to team managers"
                        ),
                        lead="improvement_manager",
                        start=-150,
                        baseline=150,
                        percent=50,
                        override=(
                            Rag.AMBER,
                            "The audit lead's secondment ends next month and cover is not yet agreed",
                        ),
                        milestones=(
                            MilestoneSpec(
                                "Audit tool agreed with the Parent Carer Forum", baseline=-120, actual=-121
                            ),
                            MilestoneSpec("First quarterly audit reported", baseline=-60, actual=-60),
                            MilestoneSpec("Second quarterly audit reported", baseline=30),
                        ),
                        updates=(
                            "Audit tool agreed; it asks families whether the review changed anything for "
                            "their child.",
                            "First 30 files audited: 19 good or better; outcomes too vague in 8.",
                            "Findings shared with team managers; outcome-writing workshop booked.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Report progress against the Ombudsman's recommendations to the Audit and "
                            "Governance Committee"
                        ),
                        lead="leader",
                        start=-100,
                        baseline=-14,
                        percent=80,
                        milestones=(
                            MilestoneSpec("Committee report drafted", baseline=-30, actual=-28),
                            MilestoneSpec("Report considered by the committee", baseline=-14),
                        ),
                    ),
                ),
            ),
        ),
    )


def written_statement_plan(today: date) -> PlanSpec:
    return PlanSpec(
        reference=WSOA_REFERENCE,
        title="Written Statement of Action: Northbrook local area SEND inspection",
        origin=PlanOrigin.WRITTEN_STATEMENT_OF_ACTION,
        description=(
            "The local area's written statement of action in response to the joint Ofsted and Care "
            "Quality Commission inspection of special educational needs and disabilities. It is owned "
            "jointly by Northbrook Borough Council and Northbrook Integrated Care Board, and was "
            "co-produced with the Northbrook Parent Carer Forum."
        ),
        owner="improvement_manager",
        start=-300,
        approved=-280,
        end=250,
        require_date_approval=False,
        measures=(LISTENED_TO,),
        areas=(
            AreaSpec(
                title="Identification of needs",
                outcome=(
                    "Children's special educational needs are identified early and accurately in early "
                    "years settings, schools and health services, and families get help without "
                    "waiting for an EHC needs assessment."
                ),
                actions=(
                    ActionSpec(
                        description=(
                            "Publish a graduated approach toolkit and an ordinarily available provision "
                            "guide for every early years setting and school"
                        ),
                        lead="psychologist",
                        start=-280,
                        baseline=-150,
                        actual=-160,
                        partners=("schools",),
                        milestones=(
                            MilestoneSpec(
                                "Toolkit co-produced with SENCOs and parents",
                                baseline=-200,
                                actual=-205,
                                lead="senco",
                            ),
                            MilestoneSpec(
                                "Toolkit launched at the SENCO conference", baseline=-150, actual=-160
                            ),
                        ),
                        evidence=(
                            (
                                "Ordinarily available provision guide on the Local Offer",
                                "https://localoffer.northbrook.example/ordinarily-available-provision",
                            ),
                        ),
                    ),
                    ActionSpec(
                        exception=ExceptionReport(
                            impact=(
                                "Emerging needs in the localities not yet covered may be identified later "
                                "than at age 2."
                            ),
                            recovery_action=(
                                "Two localities first; the rest as the six vacant health visitor posts are "
                                "filled (recruitment under way)."
                            ),
                            decision_requested=(
                                "Note the phased roll-out and ask the ICB for a date to fill the vacant "
                                "posts."
                            ),
                        ),
                        description=(
                            "Health visitors use the integrated review at age 2 to identify emerging "
                            "needs and refer to the early years inclusion team"
                        ),
                        lead="health_visitor",
                        start=-250,
                        baseline=-60,
                        percent=55,
                        partners=("trust",),
                        slips=(
                            Slip(
                                to=40,
                                reason=(
                                    "Six health visitor posts vacant: the integrated review runs in two "
                                    "localities first and reaches the rest of the borough as posts are "
                                    "filled"
                                ),
                                on=-75,
                            ),
                        ),
                        milestones=(
                            MilestoneSpec(
                                "Pilot in two children's centre localities", baseline=-150, actual=-140
                            ),
                            MilestoneSpec(
                                "Referral pathway agreed with the early years inclusion team",
                                baseline=-90,
                                actual=-48,
                                slips=(
                                    Slip(
                                        to=-50,
                                        reason="The pathway needed sign-off by the trust's clinical "
                                        "governance group, which next met on {when}",
                                        on=-95,
                                        when=-52,
                                    ),
                                ),
                            ),
                            MilestoneSpec(
                                "Integrated reviews offered in every locality",
                                baseline=-60,
                                slips=(
                                    Slip(
                                        to=40,
                                        reason="Six health visitor posts vacant; roll-out follows "
                                        "recruitment",
                                        on=-75,
                                    ),
                                ),
                            ),
                        ),
                        updates=(
                            "Pilot running in Eastfield and Marsh Lane children's centres.",
                            "Referral pathway still awaiting clinical governance sign-off.",
                            "Pathway agreed. Recruitment to six vacant posts under way; roll-out "
                            "re-planned locality by locality.",
                            "Three posts filled; two more localities start next month.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Train early years practitioners and SENCOs to identify speech, language and "
                            "communication needs"
                        ),
                        lead="therapist",
                        start=-200,
                        baseline=60,
                        percent=72,
                        partners=("trust", "schools"),
                        milestones=(
                            MilestoneSpec(
                                "Training programme agreed with the speech and language therapy service",
                                baseline=-170,
                                actual=-170,
                            ),
                            MilestoneSpec(
                                "Spring term sessions delivered to 120 practitioners",
                                baseline=-40,
                                actual=-35,
                            ),
                            MilestoneSpec("Summer term sessions delivered", baseline=60),
                        ),
                    ),
                ),
            ),
            AreaSpec(
                title="EHC plan quality and timeliness",
                outcome=(
                    "Families receive good-quality EHC plans within 20 weeks, with clear outcomes and "
                    "advice from education, health and care."
                ),
                actions=(
                    ActionSpec(
                        description=(
                            "Introduce a multi-agency quality assurance framework for EHC plans, auditing "
                            "10% of new plans each month"
                        ),
                        lead="assessment_manager",
                        start=-260,
                        baseline=100,
                        percent=75,
                        partners=("icb", "social_care"),
                        milestones=(
                            MilestoneSpec(
                                "Quality standards agreed by education, health and care",
                                baseline=-200,
                                actual=-198,
                            ),
                            MilestoneSpec(
                                "Monthly multi-agency audit panel established", baseline=-150, actual=-150
                            ),
                            MilestoneSpec(
                                "Audit findings fed back to caseworkers in team case reviews",
                                baseline=30,
                                lead="professional",
                            ),
                            MilestoneSpec(
                                "Audit findings reported to the SEND Partnership Board each quarter",
                                baseline=100,
                            ),
                        ),
                        updates=(
                            "Quality standards signed off by the council, the ICB and social care.",
                            "Audit panel met twice; 22 plans audited, health sections the weakest.",
                            "Health advice template revised with the designated clinical officer.",
                            "Second-round audits show better health sections in 7 of 10 plans.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Return health and social care advice within 6 weeks of the request for every "
                            "EHC needs assessment"
                        ),
                        lead="clinical_officer",
                        start=-240,
                        baseline=-10,
                        percent=85,
                        partners=("trust", "icb", "social_care"),
                        milestones=(
                            MilestoneSpec(
                                "Advice request tracker shared with health and social care",
                                baseline=-200,
                                actual=-195,
                            ),
                            MilestoneSpec(
                                "Social care advice template introduced",
                                baseline=-120,
                                actual=-120,
                                lead="social_worker",
                            ),
                            MilestoneSpec(
                                "95% of advice returned within 6 weeks for a full quarter", baseline=-10
                            ),
                        ),
                        updates=(
                            "Tracker shared; weekly list of requests near 6 weeks sent to each service.",
                            "Social care advice within 6 weeks: 88%. Community paediatrics: 61%.",
                            "Paediatric advice improving after locum clinics: 79% within 6 weeks.",
                        ),
                    ),
                    ActionSpec(
                        updates=(
                            (
                                "Weekly case tracking in place. Two educational psychologist posts still "
                                "vacant; locums start next month, so plans issued within 20 weeks stay "
                                "below target this quarter."
                            ),
                        ),
                        exception=ExceptionReport(
                            impact=(
                                "New EHC plans take longer than 20 weeks while two psychologist posts are "
                                "vacant; the 20-week measure stays below target."
                            ),
                            recovery_action=(
                                "Locum psychologists commissioned for six months; assessments triaged weekly"
                                " so the oldest requests go first."
                            ),
                            decision_requested="Approve six months' locum psychologist funding.",
                        ),
                        description=(
                            "Issue new EHC plans within 20 weeks: more assessment capacity and weekly "
                            "case tracking"
                        ),
                        lead="assessment_manager",
                        start=-270,
                        baseline=60,
                        percent=60,
                        slips=(
                            Slip(
                                to=70,
                                reason=(
                                    "Two educational psychologist posts vacant since {when}; locum "
                                    "psychologists commissioned"
                                ),
                                on=-40,
                                when=-120,
                            ),
                        ),
                        milestones=(
                            MilestoneSpec(
                                "Weekly 20-week tracking meeting started", baseline=-240, actual=-241
                            ),
                            MilestoneSpec(
                                "Locum educational psychologists in post",
                                baseline=-60,
                                actual=-27,
                                lead="psychologist",
                                slips=(
                                    Slip(
                                        to=-25,
                                        reason="Procurement through the locum framework took longer than "
                                        "planned",
                                        on=-62,
                                    ),
                                ),
                            ),
                            MilestoneSpec(
                                "60% of new plans issued within 20 weeks for a full term",
                                baseline=60,
                                slips=(
                                    Slip(
                                        to=70,
                                        reason="Two educational psychologist posts vacant; locums "
                                        "commissioned",
                                        on=-40,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            AreaSpec(
                title="Co-production with families",
                outcome=(
                    "Parents, carers and young people shape SEND services, and say they are listened to."
                ),
                actions=(
                    ActionSpec(
                        description=(
                            "Agree a co-production charter with the Northbrook Parent Carer Forum and the "
                            "young people's SEND council"
                        ),
                        lead="improvement_manager",
                        start=-270,
                        baseline=-180,
                        actual=-185,
                        milestones=(
                            MilestoneSpec(
                                "Charter drafted in three workshops with families", baseline=-210, actual=-212
                            ),
                            MilestoneSpec(
                                "Charter signed by the council, the ICB and the Parent Carer Forum",
                                baseline=-180,
                                actual=-185,
                            ),
                        ),
                        evidence=(
                            (
                                "Co-production charter, signed",
                                "https://localoffer.northbrook.example/co-production-charter",
                            ),
                        ),
                    ),
                    ActionSpec(
                        description="Relaunch the Local Offer website, designed and tested with families",
                        lead="business_support",
                        start=20,
                        baseline=150,
                        milestones=(
                            MilestoneSpec("User testing sessions with families", baseline=60),
                            MilestoneSpec("New Local Offer website live", baseline=150),
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Survey families after every EHC needs assessment and annual review, and "
                            "publish 'You said, we did' each term"
                        ),
                        lead="reviews_manager",
                        start=-200,
                        baseline=100,
                        percent=35,
                        milestones=(
                            MilestoneSpec(
                                "Survey questions agreed with the Parent Carer Forum",
                                baseline=-150,
                                actual=-140,
                            ),
                            MilestoneSpec("First 'You said, we did' published", baseline=-60),
                        ),
                        updates=(
                            "Survey questions agreed; online and paper versions ready.",
                            "Response rate 14%: too low to publish. Forum suggests text messages.",
                            "Text message survey started; 96 responses this month.",
                        ),
                    ),
                ),
            ),
            AreaSpec(
                title="Joint commissioning",
                outcome=(
                    "The council and the ICB plan and buy services together from a shared picture of "
                    "children's needs, so that provision matches what families need."
                ),
                actions=(
                    ActionSpec(
                        exception=ExceptionReport(
                            impact=(
                                "Joint commissioning decisions wait, so gaps in speech and language therapy "
                                "are not yet addressed."
                            ),
                            recovery_action=(
                                "Data sharing agreement signed off by both legal teams; the needs analysis "
                                "restarts as soon as it is in place."
                            ),
                            decision_requested=(
                                "Ask the Integrated Care Board to sign the data sharing agreement by the "
                                "next meeting."
                            ),
                        ),
                        description=(
                            "Agree a joint commissioning strategy for SEND between the council and "
                            "Northbrook Integrated Care Board"
                        ),
                        lead="commissioner",
                        start=-260,
                        baseline=-90,
                        percent=80,
                        partners=("icb",),
                        slips=(
                            Slip(
                                to=-30,
                                reason=(
                                    "The joint needs analysis waited for a data sharing agreement "
                                    "between the council and the ICB"
                                ),
                                on=-120,
                            ),
                            Slip(
                                to=30,
                                reason=(
                                    "ICB board meeting moved; the strategy goes to the joint "
                                    "commissioning board on {when}"
                                ),
                                on=-35,
                                when=28,
                            ),
                        ),
                        milestones=(
                            MilestoneSpec(
                                "Joint needs analysis completed",
                                baseline=-180,
                                actual=-148,
                                slips=(
                                    Slip(
                                        to=-150,
                                        reason="Waiting for the data sharing agreement between the "
                                        "council and the ICB",
                                        on=-185,
                                    ),
                                ),
                            ),
                            MilestoneSpec(
                                "Draft strategy consulted on with families and schools",
                                baseline=-120,
                                actual=-62,
                                slips=(
                                    Slip(
                                        to=-60,
                                        reason="Follows the delayed needs analysis",
                                        on=-150,
                                    ),
                                ),
                            ),
                            MilestoneSpec(
                                "Strategy signed by the council and the ICB",
                                baseline=-90,
                                slips=(
                                    Slip(
                                        to=-30,
                                        reason="Follows the delayed needs analysis",
                                        on=-120,
                                    ),
                                    Slip(
                                        to=30,
                                        reason="ICB board meeting moved",
                                        on=-35,
                                    ),
                                ),
                            ),
                        ),
                        updates=(
                            "Needs analysis complete: speech and language and social, emotional and "
                            "mental health needs growing fastest.",
                            "Draft strategy consulted on: 212 responses from families and schools.",
                            "Strategy revised after consultation; ICB board date moved.",
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Jointly commission speech and language therapy for children with EHC plans, "
                            "reducing waits to 18 weeks"
                        ),
                        lead="commissioner",
                        start=-150,
                        baseline=200,
                        percent=45,
                        partners=("trust", "icb"),
                        milestones=(
                            MilestoneSpec("Service specification agreed", baseline=-60, actual=-65),
                            MilestoneSpec("Contract variation signed with the trust", baseline=40),
                            MilestoneSpec("Waits at 18 weeks or under", baseline=200),
                        ),
                    ),
                    ActionSpec(
                        description=(
                            "Set up a joint education, health and care panel for complex placements, "
                            "with agreed funding shares"
                        ),
                        lead="clinical_officer",
                        start=-220,
                        baseline=-100,
                        actual=-96,
                        partners=("icb", "social_care"),
                        milestones=(
                            MilestoneSpec(
                                "Terms of reference and funding protocol agreed", baseline=-130, actual=-130
                            ),
                            MilestoneSpec("First joint panel held", baseline=-100, actual=-96),
                        ),
                    ),
                ),
            ),
        ),
    )


# Eight quarters of each statutory measure, oldest first: percentages as (numerator, denominator),
# counts as values. Improving, but not every quarter.
KPI_SERIES: dict[str, tuple[tuple[int, int], ...] | tuple[float, ...]] = {
    "annual_reviews_within_12_months": (
        (238, 581),
        (262, 596),
        (241, 618),
        (316, 607),
        (357, 615),
        (343, 624),
        (421, 629),
        (468, 633),
    ),
    "review_decisions_within_4_weeks": (
        (84, 240),
        (99, 261),
        (110, 239),
        (139, 316),
        (203, 356),
        (216, 343),
        (257, 421),
        (337, 468),
    ),
    "amended_plans_within_12_weeks": (
        (51, 182),
        (60, 194),
        (57, 190),
        (77, 208),
        (88, 210),
        (103, 215),
        (101, 219),
        (124, 226),
    ),
    "new_plans_within_20_weeks_including_exceptions": (
        (37, 97),
        (46, 110),
        (41, 117),
        (58, 118),
        (64, 121),
        (63, 124),
        (76, 127),
        (83, 130),
    ),
    "new_plans_within_20_weeks_excluding_exceptions": (
        (37, 90),
        (46, 102),
        (41, 108),
        (58, 111),
        (64, 112),
        (63, 115),
        (76, 121),
        (83, 122),
    ),
    "phase_transfers_by_deadline": (
        (118, 302),
        (169, 302),
        (205, 302),
        (214, 302),
        (131, 311),
        (190, 311),
        (236, 311),
        (262, 311),
    ),
    "staff_trained_on_ehcp_process": (0.0, 0.0, 14.0, 32.0, 51.0, 70.0, 94.0, 117.0),
}
# Notes on some quarters (counted from the oldest, 0 to 7).
KPI_NOTES = {
    ("annual_reviews_within_12_months", 2): "Dip while the backlog of the oldest reviews was held first.",
    ("review_decisions_within_4_weeks", 6): "Two caseworkers on long-term sick leave.",
    ("phase_transfers_by_deadline", 4): "New transfer cohort counted from this quarter.",
}


def statutory_measures(today: date, *, plan_end: int) -> tuple[MeasureSpec, ...]:
    """Every statutory template with eight quarters of data; the training measure aims at the
    training-linked action's target and date."""
    ends = quarter_ends(today, 8)
    march = (_next_31_march(today) - today).days
    measures = []
    for template in TEMPLATES:
        training = template.unit is KpiUnit.COUNT
        measures.append(
            MeasureSpec(
                name=template.name,
                description=template.description,
                unit=template.unit,
                direction=template.direction,
                target=float(TRAINING_TARGET) if training else template.target_value,
                target_date=march if training else plan_end,
                statutory_threshold=template.statutory_threshold,
                series=KPI_SERIES[template.key],
                template_key=template.key,
                notes={ends[n]: note for (key, n), note in KPI_NOTES.items() if key == template.key},
            )
        )
    return tuple(measures)


# A measure of the local area's own, on the Written Statement of Action: four quarters of the
# survey families answer after an assessment or review (action 3.3).
LISTENED_TO = MeasureSpec(
    name="Families who say they were listened to during the EHC process",
    description=(
        "Percentage of parents and carers answering the post-assessment and post-review survey who "
        "agree or strongly agree that they were listened to."
    ),
    unit=KpiUnit.PERCENT,
    direction=KpiDirection.HIGHER,
    target=70.0,
    target_date=250,
    statutory_threshold=None,
    series=((21, 58), (30, 71), (41, 96), (52, 104)),
)


def quarter_ends(today: date, count: int) -> list[date]:
    """The last `count` quarter ends before today, oldest first."""
    ends: list[date] = []
    year, month = today.year, (today.month - 1) // 3 * 3  # the quarter end before this quarter
    while len(ends) < count:
        if month == 0:
            year, month = year - 1, 12
        end = date(year, month, 31 if month in (3, 12) else 30)
        ends.append(end)
        month -= 3
    return ends[::-1]


def month_ends(today: date, count: int) -> list[date]:
    """The last `count` month ends before today, oldest first."""
    ends: list[date] = []
    end = today.replace(day=1) - timedelta(days=1)
    while len(ends) < count:
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return ends[::-1]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _milestone_status(spec: MilestoneSpec, *, action_started: bool, first_open: bool) -> WorkStatus:
    if spec.actual is not None:
        return WorkStatus.COMPLETE
    if action_started and (first_open or spec.baseline <= 0):
        return WorkStatus.IN_PROGRESS
    return WorkStatus.NOT_STARTED


class _Loader:
    """Writes one plan's rows; everything happens inside the caller's transaction."""

    def __init__(self, *, today: date, people: dict[str, int], organisations: dict[str, int]) -> None:
        self.today = today
        self.now = datetime.now(UTC)
        self.people = people
        self.organisations = organisations

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def reason(self, slip: Slip) -> str:
        return slip.reason.format(when=f"{self.day(slip.when):%-d %B %Y}")

    def recorded_at(self, day: date) -> datetime:
        """A weekday morning a few days after `day`, never in the future."""
        return min(_at(day + timedelta(days=3)), self.now - timedelta(hours=2))

    async def plan(self, spec: PlanSpec, *, course_id: int | None, summary: ActionPlansDemoSummary) -> int:
        owner = self.people[spec.owner]
        approved_at = _at(self.day(spec.approved), 16)
        created_at = _at(self.day(spec.start - 30))
        plan_id = (
            await Plan.insert(
                Plan(
                    reference=spec.reference,
                    title=spec.title,
                    origin=spec.origin,
                    description=spec.description,
                    status=PlanStatus.APPROVED,
                    owner=owner,
                    start_date=self.day(spec.start),
                    end_date=self.day(spec.end),
                    require_date_approval=spec.require_date_approval,
                    approved_at=approved_at,
                    approved_by=owner,
                    created_at=created_at,
                    updated_at=approved_at,
                )
            )
        )[0]["id"]
        plan_row = {
            "id": plan_id,
            "owner": owner,
            "created_at": created_at,
            "approved_at": approved_at,
            "require_date_approval": spec.require_date_approval,
        }
        thresholds = Thresholds()
        for number, area in enumerate(spec.areas, start=1):
            area_id = (
                await PriorityArea.insert(
                    PriorityArea(
                        plan=plan_id,
                        number=number,
                        title=area.title,
                        intended_outcome=area.outcome,
                        created_at=created_at,
                        updated_at=created_at,
                    )
                )
            )[0]["id"]
            for position, action in enumerate(area.actions, start=1):
                await self.action(
                    action,
                    plan=plan_row,
                    area_id=area_id,
                    reference=f"{number}.{position}",
                    position=position,
                    thresholds=thresholds,
                    course_id=course_id,
                )
                summary.actions += 1
                summary.milestones += len(action.milestones)
        summary.kpi_points += await self.measures(spec, plan_id=plan_id)
        await audit.record(
            actor=Actor(staff_id=None, label="assure demo"),
            action=AuditAction.CREATE,
            entity="plan",
            entity_id=plan_id,
            summary=f"Demo plan {spec.reference} loaded",
            after={"reference": spec.reference, "title": spec.title, "status": PlanStatus.APPROVED.value},
        )
        summary.plans_added.append(spec.reference)
        return plan_id

    async def revisions(
        self,
        slips: tuple[Slip, ...],
        *,
        plan: dict[str, Any],
        baseline: int,
        requested_by: int,
        action_id: int | None = None,
        milestone_id: int | None = None,
    ) -> None:
        old = baseline
        decided = plan["require_date_approval"] and requested_by != plan["owner"]
        for slip in slips:
            requested_at = _at(self.day(slip.on), 11)
            await DateRevision.insert(
                DateRevision(
                    plan=plan["id"],
                    action=action_id,
                    milestone=milestone_id,
                    field=DateField.FORECAST,
                    old_date=self.day(old),
                    new_date=self.day(slip.to),
                    reason=self.reason(slip),
                    status=RevisionStatus.APPLIED,
                    requested_by=requested_by,
                    requested_at=requested_at,
                    # A lead's move waited for the owner's decision where the plan requires it.
                    decided_by=plan["owner"] if decided else None,
                    decided_at=requested_at + timedelta(days=2) if decided else None,
                    decision_note="Agreed" if decided else "",
                )
            )
            old = slip.to

    async def completion(
        self,
        actual: int,
        *,
        plan: dict[str, Any],
        by: int,
        action_id: int | None = None,
        milestone_id: int | None = None,
    ) -> None:
        """The actual date, recorded as a revision like any date set after approval."""
        await DateRevision.insert(
            DateRevision(
                plan=plan["id"],
                action=action_id,
                milestone=milestone_id,
                field=DateField.ACTUAL,
                old_date=None,
                new_date=self.day(actual),
                reason="Completed",
                status=RevisionStatus.APPLIED,
                requested_by=by,
                requested_at=_at(self.day(actual), 15),
            )
        )

    async def action(
        self,
        spec: ActionSpec,
        *,
        plan: dict[str, Any],
        area_id: int,
        reference: str,
        position: int,
        thresholds: Thresholds,
        course_id: int | None,
    ) -> None:
        lead = self.people[spec.lead]
        forecast = spec.slips[-1].to if spec.slips else spec.baseline
        started = spec.start <= 0
        if spec.actual is not None:
            status, percent = WorkStatus.COMPLETE, 100
        elif started:
            status, percent = WorkStatus.IN_PROGRESS, spec.percent
        else:
            status, percent = WorkStatus.NOT_STARTED, 0
        period_ends = month_ends(self.today, len(spec.updates))
        last_update_at = self.recorded_at(period_ends[-1]) if period_ends else None
        override_at = self.now - timedelta(hours=1) if spec.override else None
        action_id = (
            await Action.insert(
                Action(
                    plan=plan["id"],
                    priority_area=area_id,
                    reference=reference,
                    position=position,
                    description=spec.description,
                    lead=lead,
                    start_date=self.day(spec.start),
                    baseline_date=self.day(spec.baseline),
                    forecast_date=self.day(forecast),
                    actual_date=self.day(spec.actual) if spec.actual is not None else None,
                    status=status,
                    percent_complete=percent,
                    rag_override=spec.override[0] if spec.override else None,
                    rag_override_reason=spec.override[1] if spec.override else "",
                    rag_override_by=plan["owner"] if spec.override else None,
                    rag_override_at=override_at,
                    last_update_at=last_update_at,
                    created_at=plan["created_at"],
                    updated_at=override_at or last_update_at or plan["approved_at"],
                )
            )
        )[0]["id"]
        partners = [self.organisations[p] for p in spec.partners if p in self.organisations]
        if partners:
            await ActionPartner.insert(*[ActionPartner(action=action_id, organisation=o) for o in partners])
        await self.revisions(
            spec.slips, plan=plan, baseline=spec.baseline, requested_by=lead, action_id=action_id
        )
        if spec.actual is not None:
            await self.completion(spec.actual, plan=plan, by=lead, action_id=action_id)
        if spec.training_target is not None and course_id is not None:
            await TrainingLink.insert(
                TrainingLink(
                    action=action_id,
                    course_id=course_id,
                    organisation_ids=[],  # everyone the course is assigned to, in every organisation
                    job_role_ids=[],
                    target_count=spec.training_target,
                    created_at=plan["approved_at"],
                    updated_at=plan["approved_at"],
                )
            )
        first_open = True
        for m_position, milestone in enumerate(spec.milestones, start=1):
            m_status = _milestone_status(milestone, action_started=started, first_open=first_open)
            if milestone.actual is None:
                first_open = False
            m_forecast = milestone.slips[-1].to if milestone.slips else milestone.baseline
            m_lead = self.people[milestone.lead] if milestone.lead else None
            milestone_id = (
                await Milestone.insert(
                    Milestone(
                        plan=plan["id"],
                        action=action_id,
                        position=m_position,
                        title=milestone.title,
                        lead=m_lead,
                        baseline_date=self.day(milestone.baseline),
                        forecast_date=self.day(m_forecast),
                        actual_date=self.day(milestone.actual) if milestone.actual is not None else None,
                        status=m_status,
                        created_at=plan["created_at"],
                        updated_at=plan["approved_at"],
                    )
                )
            )[0]["id"]
            requester = m_lead or lead
            await self.revisions(
                milestone.slips,
                plan=plan,
                baseline=milestone.baseline,
                requested_by=requester,
                milestone_id=milestone_id,
            )
            if milestone.actual is not None:
                await self.completion(milestone.actual, plan=plan, by=requester, milestone_id=milestone_id)
            if milestone.pending is not None:
                await DateRevision.insert(
                    DateRevision(
                        plan=plan["id"],
                        milestone=milestone_id,
                        field=DateField.FORECAST,
                        old_date=self.day(m_forecast),
                        new_date=self.day(milestone.pending.to),
                        reason=self.reason(milestone.pending),
                        status=RevisionStatus.PENDING,
                        requested_by=requester,
                        requested_at=min(_at(self.day(milestone.pending.on), 9), self.now),
                    )
                )
        await self.updates(
            spec, plan=plan, action_id=action_id, lead=lead, period_ends=period_ends, thresholds=thresholds
        )
        for title, url in spec.evidence:
            await Evidence.insert(
                Evidence(
                    plan=plan["id"],
                    action=action_id,
                    kind=EvidenceKind.LINK,
                    title=title,
                    url=url,
                    added_by=lead,
                    created_at=_at(self.day(spec.actual if spec.actual is not None else -7), 14),
                )
            )

    async def updates(
        self,
        spec: ActionSpec,
        *,
        plan: dict[str, Any],
        action_id: int,
        lead: int,
        period_ends: list[date],
        thresholds: Thresholds,
    ) -> None:
        """Monthly progress updates, each with the percent and the RAG the board saw at the time."""
        final = 100 if spec.actual is not None else spec.percent
        blank = ExceptionReport(impact="", recovery_action="", decision_requested="")
        rows = []
        for n, (narrative, period_end) in enumerate(zip(spec.updates, period_ends, strict=True), start=1):
            percent = round(final * n / len(period_ends)) if not spec.training_target else 0
            then = (period_end - self.today).days
            forecast = spec.baseline
            for slip in spec.slips:
                if slip.on <= then:
                    forecast = slip.to
            actual = self.day(spec.actual) if spec.actual is not None and spec.actual <= then else None
            # The exception report goes with the latest update, the one the next board paper quotes.
            report = spec.exception if spec.exception and n == len(spec.updates) else blank
            rag = assess(
                today=period_end,
                start=self.day(spec.start),
                baseline=self.day(spec.baseline),
                forecast=self.day(forecast),
                actual=actual,
                percent_complete=percent if not spec.training_target else None,
                recorded=True,
                thresholds=thresholds,
            ).rag
            rows.append(
                ProgressUpdate(
                    plan=plan["id"],
                    action=action_id,
                    period_end=period_end,
                    narrative=narrative,
                    percent_complete=percent,
                    rag=rag,
                    author=lead,
                    created_at=self.recorded_at(period_end),
                    impact=report.impact,
                    recovery_action=report.recovery_action,
                    decision_requested=report.decision_requested,
                )
            )
        if rows:
            await ProgressUpdate.insert(*rows)

    async def measures(self, spec: PlanSpec, *, plan_id: int) -> int:
        """The plan's success measures with a data point for each quarter of their series."""
        recorder = self.people["improvement_manager"]
        created = _at(self.day(spec.approved))
        points = 0
        for position, measure in enumerate(spec.measures, start=1):
            ends = quarter_ends(self.today, len(measure.series))
            values = [100 * item[0] / item[1] if isinstance(item, tuple) else item for item in measure.series]
            kpi_id = (
                await Kpi.insert(
                    Kpi(
                        plan=plan_id,
                        template_key=measure.template_key,
                        name=measure.name,
                        description=measure.description,
                        unit=measure.unit,
                        direction=measure.direction,
                        baseline_value=values[0],
                        target_value=measure.target,
                        target_date=self.day(measure.target_date),
                        statutory_threshold=measure.statutory_threshold,
                        position=position,
                        created_at=created,
                        updated_at=created,
                    )
                )
            )[0]["id"]
            rows = []
            for item, value, period_end in zip(measure.series, values, ends, strict=True):
                recorded = self.recorded_at(period_end + timedelta(days=18))
                rows.append(
                    KpiDataPoint(
                        kpi=kpi_id,
                        period_end=period_end,
                        value=value,
                        numerator=item[0] if isinstance(item, tuple) else None,
                        denominator=item[1] if isinstance(item, tuple) else None,
                        note=measure.notes.get(period_end, ""),
                        recorded_by=recorder,
                        created_at=recorded,
                        updated_at=recorded,
                    )
                )
            await KpiDataPoint.insert(*rows)
            points += len(rows)
        return points


async def _demo_people(*, sign_ins: dict[str, int]) -> dict[str, int]:
    rows = (
        await Staff.select(Staff.id, Staff.team.name, Staff.job_role.name)
        .where(Staff.left_on.is_null() & Staff.id.not_in(list(sign_ins.values()) or [0]))
        .order_by(Staff.id)
    )
    people = dict(sign_ins)
    for key, (team, job_role) in PEOPLE.items():
        match = next(
            (r["id"] for r in rows if r["team.name"] == team and r["job_role.name"] == job_role),
            None,
        )
        # A trimmed-down demo without that team: the leader stands in.
        people[key] = match if match is not None else sign_ins["leader"]
    return people


async def load_action_plans_demo(
    *,
    leader_id: int,
    professional_id: int,
    trainer_id: int,
    course_id: int | None,
    today: date | None = None,
) -> ActionPlansDemoSummary:
    """Add the Ombudsman remedy plan and the Written Statement of Action, unless already there.

    `course_id` is the built-in EHCP course that the training-linked action counts completions of."""
    today = today or date.today()
    summary = ActionPlansDemoSummary()
    specs = [ombudsman_plan(today), written_statement_plan(today)]
    existing = {
        r["reference"]
        for r in await Plan.select(Plan.reference).where(Plan.reference.is_in([s.reference for s in specs]))
    }
    specs = [s for s in specs if s.reference not in existing]
    if not specs:
        return summary
    people = await _demo_people(
        sign_ins={"leader": leader_id, "professional": professional_id, "trainer": trainer_id}
    )
    organisations = {
        key: r["id"]
        for key, name in ORGANISATIONS.items()
        for r in await Organisation.select(Organisation.id).where(Organisation.name == name)
    }
    loader = _Loader(today=today, people=people, organisations=organisations)
    actor = Actor(staff_id=None, label="assure demo")
    async with write_transaction():
        owner = people["improvement_manager"]
        if owner != leader_id:
            current = await accounts.roles_of(owner)
            await accounts.set_roles(
                staff_id=owner, roles=current | {Role.LEADER, Role.PROFESSIONAL}, actor=actor
            )
        for spec in specs:
            await loader.plan(spec, course_id=course_id, summary=summary)
    return summary
