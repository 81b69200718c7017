"""What the action-plan pages read: plans, actions and milestones with their RAG, dates and history.

Every query is batched, so a page issues the same number of statements for ten actions or a thousand.
RAG comes only from action_plans.status (which applies action_plans.rag).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from piccolo.columns import Column

from action_plans.enums import DateField, PlanStatus, Rag, WorkStatus
from action_plans.rag import Assessment, Thresholds, slippage_days
from action_plans.status import (
    ACTION_COLUMNS,
    ActionStatus,
    action_statuses,
    milestone_assessment,
    thresholds_of,
)
from action_plans.tables import (
    Action,
    ActionPartner,
    CalendarFeed,
    DateRevision,
    Evidence,
    Kpi,
    KpiDataPoint,
    Milestone,
    Plan,
    PriorityArea,
    ProgressUpdate,
)
from app.tables import AuditEntry, Organisation

__all__ = [
    "ActionPage",
    "ActionView",
    "Change",
    "MilestonePage",
    "MilestoneView",
    "PlanFilters",
    "PlanPage",
    "PlanSummary",
    "TimelineEntry",
    "WorkItem",
    "action_page",
    "calendar_token",
    "due_items",
    "milestone_page",
    "my_work",
    "plan_changes",
    "plan_id_of_action",
    "plan_id_of_milestone",
    "plan_page",
    "plan_row",
    "slippage_text",
    "visible_plans",
]

# The entity names services give audit entries for a plan's own records.
AUDITED_ENTITIES = ("plan", "priority_area", "action", "milestone", "kpi")
AUDIT_VERBS = {"create": "created", "update": "updated", "delete": "deleted"}


def slippage_text(days: int | None) -> str:
    """Slippage against baseline as boards read it: "+12 days", "on baseline", "3 days early"."""
    if days is None:
        return "No baseline yet"
    if days == 0:
        return "On baseline"
    unit = "day" if abs(days) == 1 else "days"
    return f"+{days} {unit}" if days > 0 else f"{-days} {unit} early"


def _plan_columns() -> list[Column]:
    return [
        Plan.id,
        Plan.reference,
        Plan.title,
        Plan.origin,
        Plan.description,
        Plan.status,
        Plan.owner,
        Plan.owner.full_name.as_alias("owner_name"),
        Plan.board,
        Plan.board.name.as_alias("board_name"),
        Plan.start_date,
        Plan.end_date,
        Plan.require_date_approval,
        Plan.require_evidence,
        Plan.slip_tolerance_days,
        Plan.progress_tolerance_points,
        Plan.approved_at,
    ]


def _action_columns() -> list[Column]:
    return [
        *(getattr(Action, name) for name in ACTION_COLUMNS),
        Action.priority_area,
        Action.reference,
        Action.position,
        Action.description,
        Action.lead,
        Action.lead.full_name.as_alias("lead_name"),
        Action.lead.organisation.as_alias("lead_organisation"),
    ]


def _milestone_columns() -> list[Column]:
    return [
        Milestone.id,
        Milestone.plan,
        Milestone.action,
        Milestone.position,
        Milestone.title,
        Milestone.lead,
        Milestone.lead.full_name.as_alias("lead_name"),
        Milestone.lead.organisation.as_alias("lead_organisation"),
        Milestone.baseline_date,
        Milestone.forecast_date,
        Milestone.actual_date,
        Milestone.status,
    ]


# The same rows for other read-only modules (action_plans.reporting, the board report).
action_columns = _action_columns
milestone_columns = _milestone_columns


def _due(row: Mapping[str, Any]) -> date | None:
    return row["forecast_date"] or row["baseline_date"]


def _is_overdue(row: Mapping[str, Any], today: date) -> bool:
    due = _due(row)
    return (
        row["actual_date"] is None
        and row["status"] != WorkStatus.CANCELLED
        and due is not None
        and due < today
    )


@dataclass(frozen=True, slots=True)
class MilestoneView:
    row: dict[str, Any]
    assessment: Assessment
    lead_id: int | None  # the milestone's lead, or the action's when it has none
    lead_name: str
    lead_organisation: int | None

    @property
    def slippage_days(self) -> int | None:
        return slippage_days(self.row["baseline_date"], self.row["forecast_date"])

    @property
    def rag(self) -> Rag:
        return self.assessment.rag


def _milestone_view(
    milestone: dict[str, Any], action: Mapping[str, Any], plan: Mapping[str, Any], today: date
) -> MilestoneView:
    own_lead = milestone["lead"] is not None
    return MilestoneView(
        row=milestone,
        assessment=milestone_assessment(
            milestone=milestone, action_start=action["start_date"], plan=plan, today=today
        ),
        lead_id=milestone["lead"] if own_lead else action["lead"],
        lead_name=(milestone["lead_name"] if own_lead else action["lead_name"]) or "",
        lead_organisation=milestone["lead_organisation"] if own_lead else action["lead_organisation"],
    )


@dataclass(slots=True)
class ActionView:
    row: dict[str, Any]
    status: ActionStatus
    partners: list[dict[str, Any]]
    milestones: list[MilestoneView]

    @property
    def partner_ids(self) -> set[int]:
        return {p["organisation"] for p in self.partners}


@dataclass(slots=True)
class AreaView:
    row: dict[str, Any]
    actions: list[ActionView]


@dataclass(frozen=True, slots=True)
class PlanFilters:
    rag: Rag | None = None
    lead: int | None = None
    organisation: int | None = None

    @property
    def active(self) -> bool:
        return self.rag is not None or self.lead is not None or self.organisation is not None

    def _matches(self, rag: Rag, lead: int | None, organisations: set[int | None]) -> bool:
        return (
            (self.rag is None or rag == self.rag)
            and (self.lead is None or lead == self.lead)
            and (self.organisation is None or self.organisation in organisations)
        )

    def keep(self, action: ActionView) -> ActionView | None:
        """The action with the milestones the filters keep; None when neither it nor a milestone matches."""
        if not self.active:
            return action
        partners = action.partner_ids
        own = {action.row["lead_organisation"], *partners}
        if self._matches(action.status.rag, action.row["lead"], own):
            return action
        kept = [
            m for m in action.milestones if self._matches(m.rag, m.lead_id, {m.lead_organisation, *partners})
        ]
        if not kept:
            return None
        return ActionView(row=action.row, status=action.status, partners=action.partners, milestones=kept)


def _rag_counts(rags: Iterable[Rag]) -> dict[Rag, int]:
    counts = dict.fromkeys(Rag, 0)
    for rag in rags:
        counts[rag] += 1
    return counts


@dataclass(slots=True)
class PlanPage:
    plan: dict[str, Any]
    thresholds: Thresholds
    areas: list[AreaView]  # as filtered
    rag_counts: dict[Rag, int]  # of every action in the plan, whatever the filters
    action_count: int
    shown_action_count: int
    leads: list[tuple[int, str]]  # everyone who leads an action or milestone, for the filter
    organisations: list[tuple[int, str]]
    filters: PlanFilters


async def plan_row(plan_id: int) -> dict[str, Any] | None:
    """The plan's header: reference, title, origin, owner's name, status, dates and RAG thresholds."""
    return await Plan.select(*_plan_columns()).where(Plan.id == plan_id).first()


async def _partners(action_filter: Any) -> dict[int, list[dict[str, Any]]]:
    rows = (
        await ActionPartner.select(
            ActionPartner.action,
            ActionPartner.organisation,
            ActionPartner.organisation.name.as_alias("name"),
        )
        .where(action_filter)
        .order_by(ActionPartner.organisation.name)
    )
    partners: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        partners[row["action"]].append(row)
    return partners


async def plan_page(*, plan_id: int, filters: PlanFilters, today: date) -> PlanPage | None:
    """The plan with its areas, actions and milestones, their RAG and slippage, as filtered.

    Seven statements (plan, areas, actions, milestones, partners, organisations, evidence counts)
    plus the training links, whatever the plan's size.
    """
    plan = await plan_row(plan_id)
    if plan is None:
        return None
    areas = await PriorityArea.select().where(PriorityArea.plan == plan_id).order_by(PriorityArea.number)
    actions = (
        await Action.select(*_action_columns())
        .where(Action.plan == plan_id)
        .order_by(Action.priority_area)
        .order_by(Action.position)
        .order_by(Action.id)
    )
    milestones = (
        await Milestone.select(*_milestone_columns())
        .where(Milestone.plan == plan_id)
        .order_by(Milestone.position)
        .order_by(Milestone.forecast_date)
        .order_by(Milestone.id)
    )
    partners = await _partners(ActionPartner.action.plan == plan_id)
    organisations = await Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    statuses = await action_statuses(actions=actions, plans={plan_id: plan}, today=today)

    actions_by_id = {a["id"]: a for a in actions}
    milestones_by_action: dict[int, list[MilestoneView]] = defaultdict(list)
    for milestone in milestones:
        action = actions_by_id[milestone["action"]]
        milestones_by_action[action["id"]].append(_milestone_view(milestone, action, plan, today))

    leads: dict[int, str] = {}
    views_by_area: dict[int, list[ActionView]] = defaultdict(list)
    shown = 0
    for action in actions:
        view = ActionView(
            row=action,
            status=statuses[action["id"]],
            partners=partners.get(action["id"], []),
            milestones=milestones_by_action.get(action["id"], []),
        )
        if action["lead"] is not None:
            leads[action["lead"]] = action["lead_name"]
        for m in view.milestones:
            if m.lead_id is not None:
                leads[m.lead_id] = m.lead_name
        kept = filters.keep(view)
        if kept is not None:
            views_by_area[action["priority_area"]].append(kept)
            shown += 1
    area_views = [
        AreaView(row=area, actions=views_by_area.get(area["id"], []))
        for area in areas
        if not filters.active or views_by_area.get(area["id"])
    ]
    return PlanPage(
        plan=plan,
        thresholds=thresholds_of(plan),
        areas=area_views,
        rag_counts=_rag_counts(s.rag for s in statuses.values()),
        action_count=len(actions),
        shown_action_count=shown,
        leads=sorted(leads.items(), key=lambda item: item[1]),
        organisations=[(o["id"], o["name"]) for o in organisations],
        filters=filters,
    )


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan: dict[str, Any]
    rag_counts: dict[Rag, int]
    action_count: int


async def visible_plans(*, staff_id: int, is_leader: bool, today: date) -> list[PlanSummary]:
    """Plans this person may see (leaders: all; others: those they own or lead something in),
    with their actions counted by RAG. Constant statements whatever the number of plans."""
    query = Plan.select(*_plan_columns()).order_by(Plan.reference)
    if not is_leader:
        owned = await Plan.select(Plan.id).where(Plan.owner == staff_id)
        led_actions = await Action.select(Action.plan).where(Action.lead == staff_id).distinct()
        led_milestones = await Milestone.select(Milestone.plan).where(Milestone.lead == staff_id).distinct()
        ids = (
            {r["id"] for r in owned} | {r["plan"] for r in led_actions} | {r["plan"] for r in led_milestones}
        )
        if not ids:
            return []
        query = query.where(Plan.id.is_in(sorted(ids)))
    plans = await query
    if not plans:
        return []
    plans_by_id = {p["id"]: p for p in plans}
    actions = await Action.select(*(getattr(Action, name) for name in ACTION_COLUMNS)).where(
        Action.plan.is_in(list(plans_by_id))
    )
    statuses = await action_statuses(actions=actions, plans=plans_by_id, today=today)
    rags_by_plan: dict[int, list[Rag]] = defaultdict(list)
    for action in actions:
        rags_by_plan[action["plan"]].append(statuses[action["id"]].rag)
    return [
        PlanSummary(
            plan=plan,
            rag_counts=_rag_counts(rags_by_plan.get(plan["id"], [])),
            action_count=len(rags_by_plan.get(plan["id"], [])),
        )
        for plan in plans
    ]


async def plan_id_of_action(action_id: int) -> int | None:
    row = await Action.select(Action.plan).where(Action.id == action_id).first()
    return row["plan"] if row else None


async def plan_id_of_milestone(milestone_id: int) -> int | None:
    row = await Milestone.select(Milestone.plan).where(Milestone.id == milestone_id).first()
    return row["plan"] if row else None


async def calendar_token(*, staff_id: int) -> str | None:
    """The person's secret calendar token, if they have set up a feed."""
    row = await CalendarFeed.select(CalendarFeed.token).where(CalendarFeed.staff == staff_id).first()
    return row["token"] if row else None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    when: datetime
    kind: str  # "update" or "revision"
    row: dict[str, Any]


def _revision_columns() -> list[Column]:
    return [
        DateRevision.id,
        DateRevision.action,
        DateRevision.milestone,
        DateRevision.milestone.title.as_alias("milestone_title"),
        DateRevision.field,
        DateRevision.old_date,
        DateRevision.new_date,
        DateRevision.reason,
        DateRevision.status,
        DateRevision.requested_by.full_name.as_alias("requested_by_name"),
        DateRevision.requested_at,
        DateRevision.decided_by.full_name.as_alias("decided_by_name"),
        DateRevision.decided_at,
        DateRevision.decision_note,
    ]


def _evidence_columns() -> list[Column]:
    # Never the file's content: pages list evidence, /evidence/{id} serves it.
    return [
        Evidence.id,
        Evidence.action,
        Evidence.kind,
        Evidence.title,
        Evidence.url,
        Evidence.file_name,
        Evidence.content_type,
        Evidence.size_bytes,
        Evidence.added_by.full_name.as_alias("added_by_name"),
        Evidence.created_at,
    ]


@dataclass(slots=True)
class ActionPage:
    plan: dict[str, Any]
    area: dict[str, Any]
    action: ActionView
    thresholds: Thresholds
    timeline: list[TimelineEntry]
    evidence: list[dict[str, Any]]


async def action_page(*, action_id: int, today: date) -> ActionPage | None:
    """An action with its milestones, status, evidence and a timeline of updates and date revisions."""
    action = await Action.select(*_action_columns()).where(Action.id == action_id).first()
    if action is None:
        return None
    plan = await plan_row(action["plan"])
    assert plan is not None  # an action's plan cascades its deletion
    area = await PriorityArea.select().where(PriorityArea.id == action["priority_area"]).first()
    milestones = (
        await Milestone.select(*_milestone_columns())
        .where(Milestone.action == action_id)
        .order_by(Milestone.position)
        .order_by(Milestone.forecast_date)
        .order_by(Milestone.id)
    )
    partners = await _partners(ActionPartner.action == action_id)
    statuses = await action_statuses(actions=[action], plans={plan["id"]: plan}, today=today)
    updates = await ProgressUpdate.select(
        ProgressUpdate.id,
        ProgressUpdate.period_end,
        ProgressUpdate.narrative,
        ProgressUpdate.percent_complete,
        ProgressUpdate.rag,
        ProgressUpdate.author.full_name.as_alias("author_name"),
        ProgressUpdate.created_at,
    ).where(ProgressUpdate.action == action_id)
    revisions = await DateRevision.select(*_revision_columns()).where(
        (DateRevision.action == action_id) | (DateRevision.milestone.action == action_id)
    )
    evidence = (
        await Evidence.select(*_evidence_columns())
        .where(Evidence.action == action_id)
        .order_by(Evidence.created_at, ascending=False)
    )
    timeline = [TimelineEntry(u["created_at"], "update", u) for u in updates] + [
        TimelineEntry(r["requested_at"], "revision", r) for r in revisions
    ]
    timeline.sort(key=lambda e: (e.when, e.row["id"]), reverse=True)
    view = ActionView(
        row=action,
        status=statuses[action_id],
        partners=partners.get(action_id, []),
        milestones=[_milestone_view(m, action, plan, today) for m in milestones],
    )
    assert area is not None
    return ActionPage(
        plan=plan,
        area=area,
        action=view,
        thresholds=thresholds_of(plan),
        timeline=timeline,
        evidence=evidence,
    )


@dataclass(slots=True)
class MilestonePage:
    plan: dict[str, Any]
    action: dict[str, Any]
    milestone: MilestoneView
    thresholds: Thresholds
    history: dict[DateField, list[dict[str, Any]]]  # newest first


async def milestone_page(*, milestone_id: int, today: date) -> MilestonePage | None:
    """A milestone's three dates, slippage and RAG, and every revision of each date."""
    milestone = await Milestone.select(*_milestone_columns()).where(Milestone.id == milestone_id).first()
    if milestone is None:
        return None
    action = (
        await Action.select(
            Action.id,
            Action.reference,
            Action.description,
            Action.start_date,
            Action.lead,
            Action.lead.full_name.as_alias("lead_name"),
            Action.lead.organisation.as_alias("lead_organisation"),
        )
        .where(Action.id == milestone["action"])
        .first()
    )
    plan = await plan_row(milestone["plan"])
    assert action is not None and plan is not None
    revisions = (
        await DateRevision.select(*_revision_columns())
        .where(DateRevision.milestone == milestone_id)
        .order_by(DateRevision.requested_at, ascending=False)
        .order_by(DateRevision.id, ascending=False)
    )
    history: dict[DateField, list[dict[str, Any]]] = {f: [] for f in DateField}
    for revision in revisions:
        history[DateField(revision["field"])].append(revision)
    return MilestonePage(
        plan=plan,
        action=action,
        milestone=_milestone_view(milestone, action, plan, today),
        thresholds=thresholds_of(plan),
        history=history,
    )


@dataclass(frozen=True, slots=True)
class WorkItem:
    """An action or a milestone on someone's list, with its plan and status."""

    kind: str  # "action" or "milestone"
    id: int
    reference: str
    title: str
    plan: dict[str, Any]
    lead_name: str
    baseline_date: date | None
    forecast_date: date | None
    actual_date: date | None
    assessment: Assessment
    overdue: bool

    @property
    def due(self) -> date | None:
        return self.forecast_date or self.baseline_date

    @property
    def slippage_days(self) -> int | None:
        return slippage_days(self.baseline_date, self.forecast_date)

    @property
    def href(self) -> str:
        return f"/{self.kind}s/{self.id}"

    @property
    def sort_key(self) -> tuple[bool, date, str, str]:
        return (not self.overdue, self.due or date.max, self.plan["reference"], self.reference)


@dataclass(slots=True)
class WorkList:
    actions: list[WorkItem]
    milestones: list[WorkItem]
    # One legend per set of thresholds in use, with the plans using it.
    legends: list[tuple[Thresholds, list[dict[str, Any]]]] = field(default_factory=list)

    @property
    def items(self) -> list[WorkItem]:
        return sorted([*self.actions, *self.milestones], key=lambda i: i.sort_key)


async def _work(*, lead_id: int | None, due_by: date | None, today: date) -> WorkList:
    """Open plans' actions and milestones led by `lead_id` (anyone when None), due by `due_by` if given."""
    action_where: Any = Action.plan.status != PlanStatus.CLOSED
    milestone_where: Any = Milestone.plan.status != PlanStatus.CLOSED
    if lead_id is not None:
        action_where &= Action.lead == lead_id
        milestone_where &= (Milestone.lead == lead_id) | (
            Milestone.lead.is_null() & (Milestone.action.lead == lead_id)
        )
    if due_by is not None:
        open_statuses = [WorkStatus.NOT_STARTED, WorkStatus.IN_PROGRESS]
        action_where &= (
            Action.actual_date.is_null()
            & Action.status.is_in(open_statuses)
            & (
                (Action.forecast_date <= due_by)
                | (Action.forecast_date.is_null() & (Action.baseline_date <= due_by))
            )
        )
        milestone_where &= (
            Milestone.actual_date.is_null()
            & Milestone.status.is_in(open_statuses)
            & (
                (Milestone.forecast_date <= due_by)
                | (Milestone.forecast_date.is_null() & (Milestone.baseline_date <= due_by))
            )
        )
    actions = await Action.select(*_action_columns()).where(action_where)
    milestones = await Milestone.select(
        *_milestone_columns(),
        Milestone.action.start_date.as_alias("action_start"),
        Milestone.action.reference.as_alias("action_reference"),
        Milestone.action._.lead._.full_name.as_alias("action_lead_name"),
    ).where(milestone_where)
    plan_ids = {a["plan"] for a in actions} | {m["plan"] for m in milestones}
    plans = (
        {p["id"]: p for p in await Plan.select(*_plan_columns()).where(Plan.id.is_in(sorted(plan_ids)))}
        if plan_ids
        else {}
    )
    statuses = await action_statuses(actions=actions, plans=plans, today=today)
    action_items = [
        WorkItem(
            kind="action",
            id=a["id"],
            reference=a["reference"],
            title=a["description"],
            plan=plans[a["plan"]],
            lead_name=a["lead_name"] or "",
            baseline_date=a["baseline_date"],
            forecast_date=a["forecast_date"],
            actual_date=a["actual_date"],
            assessment=statuses[a["id"]].assessment,
            overdue=_is_overdue(a, today),
        )
        for a in actions
    ]
    milestone_items = [
        WorkItem(
            kind="milestone",
            id=m["id"],
            reference=m["action_reference"],
            title=m["title"],
            plan=plans[m["plan"]],
            lead_name=(m["lead_name"] if m["lead"] is not None else m["action_lead_name"]) or "",
            baseline_date=m["baseline_date"],
            forecast_date=m["forecast_date"],
            actual_date=m["actual_date"],
            assessment=milestone_assessment(
                milestone=m, action_start=m["action_start"], plan=plans[m["plan"]], today=today
            ),
            overdue=_is_overdue(m, today),
        )
        for m in milestones
    ]
    legends: dict[Thresholds, list[dict[str, Any]]] = {}
    for plan in sorted(plans.values(), key=lambda p: p["reference"]):
        legends.setdefault(thresholds_of(plan), []).append(plan)
    return WorkList(
        actions=sorted(action_items, key=lambda i: i.sort_key),
        milestones=sorted(milestone_items, key=lambda i: i.sort_key),
        legends=list(legends.items()),
    )


async def my_work(*, staff_id: int, today: date) -> WorkList:
    """Every action and milestone the person leads in plans not closed (a milestone with no lead of
    its own is led by its action's lead), overdue first, then by due date."""
    return await _work(lead_id=staff_id, due_by=None, today=today)


async def due_items(*, staff_id: int, is_leader: bool, within_days: int, today: date) -> WorkList:
    """Open actions and milestones overdue or due within `within_days` without an actual date;
    leaders see every plan, anyone else what they lead."""
    return await _work(
        lead_id=None if is_leader else staff_id,
        due_by=date.fromordinal(today.toordinal() + within_days),
        today=today,
    )


@dataclass(frozen=True, slots=True)
class Change:
    when: datetime
    kind: str  # what sort of change, in words
    summary: str
    who: str
    href: str | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _dates(old: date | None, new: date | None) -> str:
    def shown(d: date | None) -> str:
        return f"{d:%-d %B %Y}" if d else "none"

    return f"{shown(old)} → {shown(new)}"


# Fields the audit entry of a date change holds; such an entry repeats a revision shown already.
DATE_CHANGE_FIELDS = {"forecast_date", "actual_date", "baseline_date", "status", "forecast_date_requested"}
DATE_CHANGE_FIELDS |= {"reason", "revision_status"}


def _told_by_revision(entry: Mapping[str, Any], revision_marks: Mapping[tuple[str, str], set[str]]) -> bool:
    """Whether an audit entry only records a date change whose revision the list already shows: it
    touches nothing but date fields, and names a revision's reason or new date for the same record."""
    marks = revision_marks.get((entry["entity"], entry["entity_id"]))
    after = entry["after"]
    if not marks or not after or not set(after) <= DATE_CHANGE_FIELDS:
        return False
    return any(str(value) in marks for value in after.values() if value)


async def plan_changes(*, plan_id: int, since: date) -> list[Change]:
    """Everything recorded about the plan since the start of `since`, newest first: date revisions
    and decisions, progress updates, evidence, KPI data points and audited edits. Ten statements."""
    start = _day_start(since)
    revisions = await DateRevision.select(
        *_revision_columns(), DateRevision.action.reference.as_alias("action_reference")
    ).where(
        (DateRevision.plan == plan_id)
        & ((DateRevision.requested_at >= start) | (DateRevision.decided_at >= start))
    )
    updates = await ProgressUpdate.select(
        ProgressUpdate.action,
        ProgressUpdate.action.reference.as_alias("action_reference"),
        ProgressUpdate.period_end,
        ProgressUpdate.percent_complete,
        ProgressUpdate.rag,
        ProgressUpdate.narrative,
        ProgressUpdate.author.full_name.as_alias("author_name"),
        ProgressUpdate.created_at,
    ).where((ProgressUpdate.plan == plan_id) & (ProgressUpdate.created_at >= start))
    evidence = await Evidence.select(
        *_evidence_columns(), Evidence.action.reference.as_alias("action_reference")
    ).where((Evidence.plan == plan_id) & (Evidence.created_at >= start))
    points = await KpiDataPoint.select(
        KpiDataPoint.kpi,
        KpiDataPoint.kpi.name.as_alias("kpi_name"),
        KpiDataPoint.period_end,
        KpiDataPoint.value,
        KpiDataPoint.numerator,
        KpiDataPoint.denominator,
        KpiDataPoint.recorded_by.full_name.as_alias("recorded_by_name"),
        KpiDataPoint.created_at,
        KpiDataPoint.updated_at,
    ).where((KpiDataPoint.kpi.plan == plan_id) & (KpiDataPoint.updated_at >= start))
    record_ids = {
        "plan": [str(plan_id)],
        "priority_area": [
            str(r["id"])
            for r in await PriorityArea.select(PriorityArea.id).where(PriorityArea.plan == plan_id)
        ],
        "action": [str(r["id"]) for r in await Action.select(Action.id).where(Action.plan == plan_id)],
        "milestone": [
            str(r["id"]) for r in await Milestone.select(Milestone.id).where(Milestone.plan == plan_id)
        ],
        "kpi": [str(r["id"]) for r in await Kpi.select(Kpi.id).where(Kpi.plan == plan_id)],
    }
    record_filter: Any = None
    for entity in AUDITED_ENTITIES:
        ids = record_ids[entity]
        if not ids:
            continue
        clause = (AuditEntry.entity == entity) & AuditEntry.entity_id.is_in(ids)
        record_filter = clause if record_filter is None else record_filter | clause
    audit = (
        await AuditEntry.select(
            AuditEntry.occurred_at,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.summary,
            AuditEntry.actor_label,
            AuditEntry.after,
        )
        .where((AuditEntry.occurred_at >= start) & record_filter)
        .output(load_json=True)
    )
    # What each record's revisions say (reasons and new dates), to recognise their audit entries.
    revision_marks: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in revisions:
        key = ("milestone", str(r["milestone"])) if r["milestone"] else ("action", str(r["action"]))
        revision_marks[key] |= {
            mark for mark in (r["reason"], r["new_date"] and r["new_date"].isoformat()) if mark
        }

    changes: list[Change] = []
    for r in revisions:
        item = f"milestone “{r['milestone_title']}”" if r["milestone"] else f"action {r['action_reference']}"
        href = f"/milestones/{r['milestone']}" if r["milestone"] else f"/actions/{r['action']}"
        what = f"{r['field'].capitalize()} date of {item}"
        if r["requested_at"] >= start:
            changes.append(
                Change(
                    when=r["requested_at"],
                    kind="Date change requested" if r["status"] == "pending" else "Date changed",
                    summary=f"{what}: {_dates(r['old_date'], r['new_date'])}"
                    + (f". Reason: {r['reason']}" if r["reason"] else ""),
                    who=r["requested_by_name"] or "",
                    href=href,
                )
            )
        if r["decided_at"] is not None and r["decided_at"] >= start:
            changes.append(
                Change(
                    when=r["decided_at"],
                    kind=f"Date change {r['status']}",
                    summary=f"{what}: {_dates(r['old_date'], r['new_date'])}"
                    + (f". Note: {r['decision_note']}" if r["decision_note"] else ""),
                    who=r["decided_by_name"] or "",
                    href=href,
                )
            )
    for u in updates:
        changes.append(
            Change(
                when=u["created_at"],
                kind="Progress update",
                summary=f"Action {u['action_reference']}, period to {u['period_end']:%-d %B %Y}: "
                f"{u['percent_complete']}% complete, {Rag(u['rag']).word}. {u['narrative']}",
                who=u["author_name"] or "",
                href=f"/actions/{u['action']}",
            )
        )
    for e in evidence:
        changes.append(
            Change(
                when=e["created_at"],
                kind="Evidence added",
                summary=f"Action {e['action_reference']}: {e['title']}",
                who=e["added_by_name"] or "",
                href=f"/evidence/{e['id']}",
            )
        )
    for p in points:
        value = f"{p['value']:g}" if p["value"] is not None else f"{p['numerator']} of {p['denominator']}"
        changes.append(
            Change(
                when=p["updated_at"] or p["created_at"],
                kind="KPI data recorded",
                summary=f"{p['kpi_name']}, period to {p['period_end']:%-d %B %Y}: {value}",
                who=p["recorded_by_name"] or "",
                href=f"/kpis/{p['kpi']}",
            )
        )
    entity_links = {
        "action": "/actions/{}",
        "milestone": "/milestones/{}",
        "plan": "/plans/{}",
        "kpi": "/kpis/{}",
    }
    for a in audit:
        if _told_by_revision(a, revision_marks):
            continue
        link = entity_links.get(a["entity"])
        entity_words = a["entity"].replace("_", " ").capitalize()
        changes.append(
            Change(
                when=a["occurred_at"],
                kind=f"{entity_words} {AUDIT_VERBS.get(a['action'], a['action'])}",
                summary=a["summary"],
                who=a["actor_label"],
                href=link.format(a["entity_id"]) if link else None,
            )
        )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes
