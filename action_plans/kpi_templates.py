"""The statutory EHCP success measures boards track (DESIGN.md section 5), as templates a plan owner
adds to a plan in one step.

Sources: Children and Families Act 2014 (CFA), SEND Regulations 2014 (SI 2014/1530, "reg"), SEND Code
of Practice 0-25 (2015, "CoP"). Where the law sets a timescale for every case, the statutory threshold
is 100%: anything less is a breach for some child. Where the law allows exceptions, or sets no number
(staff trained), there is no statutory threshold. National averages are left out: they are published
figures that change each year, not duties.
"""

from __future__ import annotations

from dataclasses import dataclass

from action_plans.enums import KpiDirection, KpiUnit

__all__ = ["TEMPLATES", "KpiTemplate", "template_by_key"]


@dataclass(frozen=True, slots=True)
class KpiTemplate:
    key: str  # stored as Kpi.template_key; never change a published key
    name: str
    description: str  # what is counted, and the duty behind it
    unit: KpiUnit
    direction: KpiDirection
    target_value: float | None  # the default target; the plan owner may change it
    statutory_threshold: float | None  # None where the law sets no number


TEMPLATES: tuple[KpiTemplate, ...] = (
    KpiTemplate(
        key="annual_reviews_within_12_months",
        name="Annual reviews held within 12 months",
        description=(
            "Percentage of EHC plans reviewed within 12 months of the plan being issued or last "
            "reviewed. The council must review every plan at least every 12 months "
            "(CFA 2014 s.44(1); CoP 9.166)."
        ),
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=100.0,
        statutory_threshold=100.0,
    ),
    KpiTemplate(
        key="review_decisions_within_4_weeks",
        name="Review decisions notified within 4 weeks of the meeting",
        description=(
            "Percentage of annual reviews where the council told the family whether it will maintain, "
            "amend or cease the plan within 4 weeks of the review meeting (SEND Regs 2014 reg 20)."
        ),
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=100.0,
        statutory_threshold=100.0,
    ),
    KpiTemplate(
        key="amended_plans_within_12_weeks",
        name="Amended plans finalised within 12 weeks of the review meeting",
        description=(
            "Percentage of plans being amended after a review that were finalised within 12 weeks of "
            "the meeting: the decision within 4 weeks (reg 20), then the final amended plan within "
            "8 weeks of sending the proposed amendments (SEND Regs 2014 reg 22)."
        ),
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=100.0,
        statutory_threshold=100.0,
    ),
    KpiTemplate(
        key="new_plans_within_20_weeks_including_exceptions",
        name="New EHC plans issued within 20 weeks (including exceptions)",
        description=(
            "Percentage of all new EHC plans issued within 20 weeks of the request for assessment, "
            "counting the cases where an exception applied (SEND Regs 2014 reg 13(2)). No statutory "
            "threshold: the law lets these cases take longer (reg 10(4), 13(3))."
        ),
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=100.0,
        statutory_threshold=None,
    ),
    KpiTemplate(
        key="new_plans_within_20_weeks_excluding_exceptions",
        name="New EHC plans issued within 20 weeks (excluding exceptions)",
        description=(
            "Percentage of new EHC plans issued within 20 weeks of the request for assessment, leaving "
            "out the cases where an exception applied: setting closed for 4 weeks or more, exceptional "
            "personal circumstances, or the family away for 4 weeks or more (SEND Regs 2014 reg 13(2), "
            "reg 10(4), 13(3))."
        ),
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=100.0,
        statutory_threshold=100.0,
    ),
    KpiTemplate(
        key="phase_transfers_by_deadline",
        name="Phase transfers finalised by 15 February / 31 March",
        description=(
            "Percentage of children moving between phases whose plan was reviewed and amended by "
            "15 February in the year of transfer, or 31 March for a move from secondary school to "
            "post-16 education (SEND Regs 2014 reg 18)."
        ),
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER,
        target_value=100.0,
        statutory_threshold=100.0,
    ),
    KpiTemplate(
        key="staff_trained_on_ehcp_process",
        name="Staff trained on the EHCP process",
        description=(
            "Number of professionals who have completed training on the EHCP process and its statutory "
            "timescales, against the plan's target. The law sets no number; set the target the plan "
            "commits to (for example 220 by 31 March)."
        ),
        unit=KpiUnit.COUNT,
        direction=KpiDirection.HIGHER,
        target_value=None,
        statutory_threshold=None,
    ),
)

_BY_KEY = {template.key: template for template in TEMPLATES}


def template_by_key(key: str) -> KpiTemplate | None:
    """The statutory template stored under this key, or None (e.g. a key from an older release)."""
    return _BY_KEY.get(key)
