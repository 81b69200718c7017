"""Success measures (KPIs) of a plan or an action: define them, add the statutory ones in one step,
record a value per period, and read each measure's latest value against its target and threshold.

Pages and the board report read KPIs through `kpi_summaries`, so both say the same thing: latest and
previous value, the change, and a status in words ("Meets target", "Below target", "Below statutory
threshold") that never relies on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Max

from action_plans.enums import KpiDirection, KpiUnit, PlanStatus
from action_plans.kpi_templates import TEMPLATES, KpiTemplate, template_by_key
from action_plans.tables import Action, Kpi, KpiDataPoint, Plan
from app import audit
from app.audit import Actor
from app.database import get_engine, write_transaction
from app.enums import AuditAction

__all__ = [
    "TEMPLATES",
    "KpiDetails",
    "KpiError",
    "KpiPoint",
    "KpiStatus",
    "KpiSummary",
    "Reading",
    "add_statutory_kpis",
    "create_kpi",
    "delete_data_point",
    "format_change",
    "format_value",
    "kpi_status",
    "kpi_summaries",
    "plan_kpis",
    "record_data_point",
    "update_kpi",
]

# Values are floats; two values this close are the same (a percentage computed as 100 * 7 / 7).
EPSILON = 1e-9


class KpiError(ValueError):
    """A change that breaks a rule, with a message for the person and the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class KpiStatus(StrEnum):
    MEETS_TARGET = "meets_target"
    OFF_TARGET = "off_target"
    OFF_THRESHOLD = "off_threshold"  # worse than the statutory threshold: a breach of the duty
    MEETS_THRESHOLD = "meets_threshold"  # no target set, but the statutory threshold is met
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    def word(self, direction: KpiDirection) -> str:
        """The status in words; "below" reads as "above" where lower is better (days, say)."""
        worse = "Below" if direction == KpiDirection.HIGHER else "Above"
        return {
            "meets_target": "Meets target",
            "off_target": f"{worse} target",
            "off_threshold": f"{worse} statutory threshold",
            "meets_threshold": "Meets statutory threshold",
            "no_target": "No target set",
            "no_data": "No data yet",
        }[self.value]

    @property
    def tag_class(self) -> str:
        return {
            "meets_target": "govuk-tag--green",
            "off_target": "govuk-tag--orange",
            "off_threshold": "govuk-tag--red",
            "meets_threshold": "govuk-tag--green",
            "no_target": "govuk-tag--grey",
            "no_data": "govuk-tag--grey",
        }[self.value]


def _at_least_as_good(value: float, mark: float, direction: KpiDirection) -> bool:
    if direction == KpiDirection.LOWER:
        return value <= mark + EPSILON
    return value >= mark - EPSILON


def kpi_status(
    *, value: float | None, direction: KpiDirection, target: float | None, threshold: float | None
) -> KpiStatus:
    """Where a value stands: a breach of the statutory threshold first, then against the target."""
    if value is None:
        return KpiStatus.NO_DATA
    if threshold is not None and not _at_least_as_good(value, threshold, direction):
        return KpiStatus.OFF_THRESHOLD
    if target is None:
        return KpiStatus.MEETS_THRESHOLD if threshold is not None else KpiStatus.NO_TARGET
    return KpiStatus.MEETS_TARGET if _at_least_as_good(value, target, direction) else KpiStatus.OFF_TARGET


def _number(value: float) -> str:
    """87.5 → "87.5", 100.0 → "100", 1234.0 → "1,234"; one decimal place at most."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.1f}"


def format_value(value: float | None, unit: KpiUnit) -> str:
    """A value as people read it: "87.5%", "220", "18 days"."""
    if value is None:
        return "No data"
    if unit == KpiUnit.PERCENT:
        return f"{_number(value)}%"
    if unit == KpiUnit.DAYS:
        return f"{_number(value)} day" if round(value, 1) == 1 else f"{_number(value)} days"
    return _number(value)


def format_change(change: float | None, unit: KpiUnit, direction: KpiDirection) -> str:
    """The change since the previous period in words, saying whether it is better or worse."""
    if change is None:
        return "No earlier value"
    if abs(change) < 0.05:
        return "No change"
    size = _number(abs(change))
    if unit == KpiUnit.PERCENT:
        size += " percentage point" if size == "1" else " percentage points"
    elif unit == KpiUnit.DAYS:
        size += " day" if size == "1" else " days"
    better = (change > 0) == (direction == KpiDirection.HIGHER)
    return f"{'Up' if change > 0 else 'Down'} {size} ({'better' if better else 'worse'})"


@dataclass(frozen=True, slots=True)
class KpiPoint:
    id: int
    period_end: date
    value: float | None
    numerator: int | None
    denominator: int | None
    note: str


@dataclass(frozen=True, slots=True)
class KpiSummary:
    """A KPI with its data points (oldest first) and where its latest value stands."""

    id: int
    plan_id: int
    action_id: int | None
    action_reference: str
    template_key: str
    name: str
    description: str
    unit: KpiUnit
    direction: KpiDirection
    baseline_value: float | None
    target_value: float | None
    target_date: date | None
    statutory_threshold: float | None
    points: tuple[KpiPoint, ...]

    @property
    def latest(self) -> KpiPoint | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> KpiPoint | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def change(self) -> float | None:
        """Latest value minus the previous one (percentage points for percentages)."""
        if self.latest is None or self.previous is None:
            return None
        if self.latest.value is None or self.previous.value is None:
            return None
        return self.latest.value - self.previous.value

    @property
    def status(self) -> KpiStatus:
        return kpi_status(
            value=self.latest.value if self.latest else None,
            direction=self.direction,
            target=self.target_value,
            threshold=self.statutory_threshold,
        )

    @property
    def status_word(self) -> str:
        return self.status.word(self.direction)

    @property
    def meets_target(self) -> bool | None:
        """None when there is no value or no target."""
        if self.latest is None or self.latest.value is None or self.target_value is None:
            return None
        return _at_least_as_good(self.latest.value, self.target_value, self.direction)

    @property
    def meets_threshold(self) -> bool | None:
        """None when there is no value or no statutory threshold."""
        if self.latest is None or self.latest.value is None or self.statutory_threshold is None:
            return None
        return _at_least_as_good(self.latest.value, self.statutory_threshold, self.direction)

    @property
    def change_text(self) -> str:
        return format_change(self.change, self.unit, self.direction)

    @property
    def direction_text(self) -> str:
        return "Higher is better" if self.direction == KpiDirection.HIGHER else "Lower is better"

    @property
    def template(self) -> KpiTemplate | None:
        return template_by_key(self.template_key) if self.template_key else None

    def shown(self, value: float | None) -> str:
        return format_value(value, self.unit)

    def status_of(self, point: KpiPoint) -> KpiStatus:
        """Where one period's value stood against today's target and threshold."""
        return kpi_status(
            value=point.value,
            direction=self.direction,
            target=self.target_value,
            threshold=self.statutory_threshold,
        )


KPI_COLUMNS = (
    Kpi.id,
    Kpi.plan,
    Kpi.action,
    Kpi.action.reference.as_alias("action_reference"),
    Kpi.template_key,
    Kpi.name,
    Kpi.description,
    Kpi.unit,
    Kpi.direction,
    Kpi.baseline_value,
    Kpi.target_value,
    Kpi.target_date,
    Kpi.statutory_threshold,
    Kpi.position,
)


async def _summaries(where: Any, *, as_of: date | None = None) -> list[KpiSummary]:
    """KPIs matching `where` with their data points (for periods ending by `as_of`, when given), in plan
    then position order. Two statements."""
    rows = (
        await Kpi.select(*KPI_COLUMNS).where(where).order_by(Kpi.plan).order_by(Kpi.position).order_by(Kpi.id)
    )
    if not rows:
        return []
    point_query = KpiDataPoint.select(
        KpiDataPoint.id,
        KpiDataPoint.kpi,
        KpiDataPoint.period_end,
        KpiDataPoint.value,
        KpiDataPoint.numerator,
        KpiDataPoint.denominator,
        KpiDataPoint.note,
    ).where(KpiDataPoint.kpi.is_in([row["id"] for row in rows]))
    if as_of is not None:
        point_query = point_query.where(KpiDataPoint.period_end <= as_of)
    point_rows = await point_query.order_by(KpiDataPoint.kpi).order_by(KpiDataPoint.period_end)
    points: dict[int, list[KpiPoint]] = {}
    for p in point_rows:
        points.setdefault(p["kpi"], []).append(
            KpiPoint(
                id=p["id"],
                period_end=p["period_end"],
                value=p["value"],
                numerator=p["numerator"],
                denominator=p["denominator"],
                note=p["note"],
            )
        )
    return [
        KpiSummary(
            id=row["id"],
            plan_id=row["plan"],
            action_id=row["action"],
            action_reference=row["action_reference"] or "",
            template_key=row["template_key"],
            name=row["name"],
            description=row["description"],
            unit=KpiUnit(row["unit"]),
            direction=KpiDirection(row["direction"]),
            baseline_value=row["baseline_value"],
            target_value=row["target_value"],
            target_date=row["target_date"],
            statutory_threshold=row["statutory_threshold"],
            points=tuple(points.get(row["id"], ())),
        )
        for row in rows
    ]


async def kpi_summaries(*, plan_ids: Sequence[int], as_of: date | None = None) -> dict[int, list[KpiSummary]]:
    """Each plan's KPIs (in the plan's order) with their data points and status. Two statements.

    With `as_of` (a board report for a past period, say) only periods ending on or before it count.
    """
    if not plan_ids:
        return {}
    found: dict[int, list[KpiSummary]] = {plan_id: [] for plan_id in plan_ids}
    for summary in await _summaries(Kpi.plan.is_in(list(plan_ids)), as_of=as_of):
        found[summary.plan_id].append(summary)
    return found


async def plan_kpis(*, plan_id: int) -> list[KpiSummary]:
    """One plan's KPIs with their data points and status. Two statements."""
    return await _summaries(Kpi.plan == plan_id)


async def kpi_summary(*, kpi_id: int) -> KpiSummary | None:
    """One KPI with its data points and status. Two statements."""
    found = await _summaries(Kpi.id == kpi_id)
    return found[0] if found else None


async def kpi_plan_id(kpi_id: int) -> int | None:
    """The plan a KPI belongs to, for the permission check; None when there is no such KPI."""
    row = await Kpi.select(Kpi.plan).where(Kpi.id == kpi_id).first()
    return row["plan"] if row else None


async def point_kpi(point_id: int) -> dict[str, Any] | None:
    """A data point's KPI id, plan id, linked action and period; None when there is no such point."""
    return (
        await KpiDataPoint.select(
            KpiDataPoint.id,
            KpiDataPoint.kpi,
            KpiDataPoint.kpi.plan.as_alias("plan"),
            KpiDataPoint.kpi.action.as_alias("action"),
            KpiDataPoint.period_end,
        )
        .where(KpiDataPoint.id == point_id)
        .first()
    )


async def plan_heading(plan_id: int) -> dict[str, Any] | None:
    """The plan's id, reference, title and status, for a page's heading; None when there is no plan."""
    return (
        await Plan.select(Plan.id, Plan.reference, Plan.title, Plan.status).where(Plan.id == plan_id).first()
    )


async def plan_actions(plan_id: int) -> list[dict[str, Any]]:
    """The plan's actions (id, reference, description) in order, for choosing the action a KPI measures."""
    return await (
        Action.select(Action.id, Action.reference, Action.description)
        .where(Action.plan == plan_id)
        .order_by(Action.priority_area.number)
        .order_by(Action.position)
        .order_by(Action.id)
    )


# --- defining KPIs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiDetails:
    """What a plan owner sets on a KPI."""

    name: str
    unit: str
    direction: str
    description: str = ""
    action_id: int | None = None
    baseline_value: float | None = None
    target_value: float | None = None
    target_date: date | None = None
    statutory_threshold: float | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "name": " ".join(self.name.split()),
            "description": self.description.strip(),
            "unit": self.unit,
            "direction": self.direction,
            "action": self.action_id,
            "baseline_value": self.baseline_value,
            "target_value": self.target_value,
            "target_date": self.target_date,
            "statutory_threshold": self.statutory_threshold,
        }


def _now() -> datetime:
    return datetime.now(UTC)


async def _open_plan(plan_id: int) -> dict[str, Any]:
    plan = await Plan.select(Plan.id, Plan.status).where(Plan.id == plan_id).first()
    if plan is None:
        raise KpiError("plan", "That plan no longer exists")
    if plan["status"] == PlanStatus.CLOSED:
        raise KpiError("plan", "This plan is closed, so its success measures can no longer change")
    return plan


async def _lock(query: Any) -> None:
    """Hold the row until the transaction ends, so two people saving at once queue rather than both
    insert (SQLite's IMMEDIATE transaction already queues every writer)."""
    if isinstance(get_engine(), PostgresEngine):
        await query.lock_rows()


def _check_value(value: float | None, unit: str, field: str, label: str) -> None:
    if value is None:
        return
    if value < 0:
        raise KpiError(field, f"{label} cannot be negative")
    if unit == KpiUnit.PERCENT and value > 100:
        raise KpiError(field, f"{label} must be a percentage from 0 to 100")


async def _check_details(details: KpiDetails, plan_id: int) -> None:
    name = " ".join(details.name.split())
    if not name:
        raise KpiError("name", "Enter the name of the measure")
    if len(name) > 200:
        raise KpiError("name", "The name must be 200 characters or fewer")
    if details.unit not in {u.value for u in KpiUnit}:
        raise KpiError("unit", "Select the unit the measure is counted in")
    if details.direction not in {d.value for d in KpiDirection}:
        raise KpiError("direction", "Select whether a higher or a lower value is better")
    _check_value(details.baseline_value, details.unit, "baseline_value", "The baseline")
    _check_value(details.target_value, details.unit, "target_value", "The target")
    _check_value(details.statutory_threshold, details.unit, "statutory_threshold", "The statutory threshold")
    if details.action_id is not None and not await Action.exists().where(
        (Action.id == details.action_id) & (Action.plan == plan_id)
    ):
        raise KpiError("action", "Select an action from this plan, or the plan as a whole")


async def create_kpi(*, plan_id: int, details: KpiDetails, actor: Actor) -> int:
    """Add a KPI to a plan (or to one of its actions), after its existing KPIs."""
    await _open_plan(plan_id)
    await _check_details(details, plan_id)
    columns = details.columns()
    async with write_transaction():
        last = await Kpi.select(Max(Kpi.position, alias="last")).where(Kpi.plan == plan_id).first()
        now = _now()
        row = (
            await Kpi.insert(
                Kpi(
                    plan=plan_id,
                    position=((last or {}).get("last") or 0) + 1,
                    created_at=now,
                    updated_at=now,
                    **columns,
                )
            ).returning(Kpi.id)
        )[0]
        await audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            entity="kpi",
            entity_id=row["id"],
            summary=f"Success measure {columns['name']} added to plan {plan_id}",
            after=columns,
        )
    return int(row["id"])


async def update_kpi(*, kpi_id: int, details: KpiDetails, actor: Actor) -> None:
    """Change a KPI's definition. Its unit cannot change once data has been recorded."""
    row = await Kpi.select().where(Kpi.id == kpi_id).first()
    if row is None:
        raise KpiError("name", "That success measure no longer exists")
    plan_id = row["plan"]
    await _open_plan(plan_id)
    await _check_details(details, plan_id)
    new: dict[Any, Any] = details.columns()
    async with write_transaction():
        if new["unit"] != row["unit"] and await KpiDataPoint.exists().where(KpiDataPoint.kpi == kpi_id):
            raise KpiError("unit", "The unit cannot change once data has been recorded for this measure")
        before, after = audit.changed_fields(row, new)
        if not after:
            return
        await Kpi.update({**new, "updated_at": _now()}).where(Kpi.id == kpi_id)
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="kpi",
            entity_id=kpi_id,
            summary=f"Success measure {new['name']} changed",
            before=before,
            after=after,
        )


async def add_statutory_kpis(*, plan_id: int, actor: Actor) -> list[int]:
    """Add every statutory EHCP measure the plan does not have yet, in one transaction; the ids added.

    Running it again adds nothing: a template already on the plan is skipped.
    """
    await _open_plan(plan_id)
    async with write_transaction():
        await _lock(Plan.select(Plan.id).where(Plan.id == plan_id))
        existing = await Kpi.select(Kpi.template_key, Kpi.position).where(Kpi.plan == plan_id)
        have = {row["template_key"] for row in existing}
        missing = [t for t in TEMPLATES if t.key not in have]
        if not missing:
            return []
        position = max((row["position"] for row in existing), default=0)
        now = _now()
        rows = await Kpi.insert(
            *(
                Kpi(
                    plan=plan_id,
                    template_key=t.key,
                    name=t.name,
                    description=t.description,
                    unit=t.unit,
                    direction=t.direction,
                    target_value=t.target_value,
                    statutory_threshold=t.statutory_threshold,
                    position=position + n,
                    created_at=now,
                    updated_at=now,
                )
                for n, t in enumerate(missing, start=1)
            )
        ).returning(Kpi.id)
        ids = [int(r["id"]) for r in rows]
        for kpi_id, t in zip(ids, missing, strict=True):
            await audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                entity="kpi",
                entity_id=kpi_id,
                summary=f"Statutory measure {t.name} added to plan {plan_id}",
                after={
                    "template_key": t.key,
                    "name": t.name,
                    "unit": t.unit,
                    "direction": t.direction,
                    "target_value": t.target_value,
                    "statutory_threshold": t.statutory_threshold,
                },
            )
    return ids


# --- data points -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reading:
    """A KPI's value for a period as entered: a value, or a numerator and denominator."""

    period_end: date | None
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""


def _value_of(reading: Reading, unit: KpiUnit) -> tuple[float, int | None, int | None]:
    """The value to store, with the numerator and denominator it came from (if any)."""
    counted = reading.numerator is not None or reading.denominator is not None
    if counted:
        if unit != KpiUnit.PERCENT:
            raise KpiError("numerator", "Enter a single value: numbers over a total are for percentages")
        if reading.value is not None:
            raise KpiError("value", "Enter either the percentage or the two numbers, not both")
        if reading.numerator is None:
            raise KpiError("numerator", "Enter how many met the measure")
        if reading.denominator is None:
            raise KpiError("denominator", "Enter how many there were in total")
        if reading.denominator <= 0:
            raise KpiError("denominator", "The total must be more than 0")
        if reading.numerator < 0:
            raise KpiError("numerator", "The number that met the measure cannot be negative")
        if reading.numerator > reading.denominator:
            raise KpiError("numerator", "The number that met the measure cannot be more than the total")
        return 100 * reading.numerator / reading.denominator, reading.numerator, reading.denominator
    if reading.value is None:
        if unit == KpiUnit.PERCENT:
            raise KpiError("value", "Enter the percentage, or how many met the measure out of how many")
        raise KpiError("value", "Enter the value for the period")
    _check_value(reading.value, unit, "value", "The value")
    return reading.value, None, None


async def record_data_point(*, kpi_id: int, reading: Reading, actor: Actor, today: date) -> int:
    """Record a KPI's value for the period ending on `reading.period_end`; a second reading for the
    same period corrects the first (kept in the audit trail). Returns the data point's id."""
    kpi = await Kpi.select(Kpi.id, Kpi.plan, Kpi.name, Kpi.unit).where(Kpi.id == kpi_id).first()
    if kpi is None:
        raise KpiError("value", "That success measure no longer exists")
    await _open_plan(kpi["plan"])
    if reading.period_end is None:
        raise KpiError("period_end", "Enter the last day of the period")
    if reading.period_end > today:
        raise KpiError("period_end", "The period must have ended: enter today or an earlier date")
    value, numerator, denominator = _value_of(reading, KpiUnit(kpi["unit"]))
    new: dict[Any, Any] = {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "note": reading.note.strip(),
    }
    period = f"{reading.period_end:%-d %B %Y}"
    async with write_transaction():
        await _lock(Kpi.select(Kpi.id).where(Kpi.id == kpi_id))
        current = (
            await KpiDataPoint.select(
                KpiDataPoint.id,
                KpiDataPoint.value,
                KpiDataPoint.numerator,
                KpiDataPoint.denominator,
                KpiDataPoint.note,
            )
            .where((KpiDataPoint.kpi == kpi_id) & (KpiDataPoint.period_end == reading.period_end))
            .first()
        )
        now = _now()
        if current is None:
            row = (
                await KpiDataPoint.insert(
                    KpiDataPoint(
                        kpi=kpi_id,
                        period_end=reading.period_end,
                        value=value,
                        numerator=numerator,
                        denominator=denominator,
                        note=new["note"],
                        recorded_by=actor.staff_id,
                        created_at=now,
                        updated_at=now,
                    )
                ).returning(KpiDataPoint.id)
            )[0]
            await audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                entity="kpi_data_point",
                entity_id=row["id"],
                summary=f"{kpi['name']}: value for the period ending {period} recorded",
                after={"kpi": kpi_id, "period_end": reading.period_end, **new},
            )
            return int(row["id"])
        before, after = audit.changed_fields(current, new)
        if after:
            await KpiDataPoint.update({**new, "recorded_by": actor.staff_id, "updated_at": now}).where(
                KpiDataPoint.id == current["id"]
            )
            await audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                entity="kpi_data_point",
                entity_id=current["id"],
                summary=f"{kpi['name']}: value for the period ending {period} corrected",
                before=before,
                after=after,
            )
        return int(current["id"])


async def delete_data_point(*, point_id: int, actor: Actor) -> None:
    """Remove a value recorded in error; the audit trail keeps what it was."""
    async with write_transaction():
        point = (
            await KpiDataPoint.select(
                KpiDataPoint.id,
                KpiDataPoint.kpi,
                KpiDataPoint.kpi.name.as_alias("kpi_name"),
                KpiDataPoint.kpi.plan.as_alias("plan"),
                KpiDataPoint.period_end,
                KpiDataPoint.value,
                KpiDataPoint.numerator,
                KpiDataPoint.denominator,
                KpiDataPoint.note,
            )
            .where(KpiDataPoint.id == point_id)
            .first()
        )
        if point is None:
            return
        await _open_plan(point["plan"])
        period = f"{point['period_end']:%-d %B %Y}"
        await KpiDataPoint.delete().where(KpiDataPoint.id == point_id)
        await audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            entity="kpi_data_point",
            entity_id=point_id,
            summary=f"{point['kpi_name']}: value for the period ending {period} deleted",
            before={
                key: point[key] for key in ("kpi", "period_end", "value", "numerator", "denominator", "note")
            },
        )
