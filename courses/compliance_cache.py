# The SQL here is joined from this module's own fragments; every value goes through an argument.
# ruff: noqa: S608
"""Compliance figures kept until the records behind them change, so asking again is one statement.

Each stored answer is keyed by the question (which figures, course, scope, grouping, date) and carries
the course's and people's change counters it was computed at (courses.tables.TrainingChange, kept by
database triggers in the writer's own transaction). It answers only while both counters are unchanged;
otherwise `courses.compliance`, the single source of truth, computes the figures again and they are
stored. The date is part of the key, so figures that move with time alone (overdue from tomorrow,
expiring soon) are never carried over to another day.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from app.database import in_write_transaction, write_transaction
from courses import compliance
from courses.compliance import (
    STATUS_ORDER,
    Audience,
    ComplianceTable,
    Figures,
    Grouping,
    GroupRow,
    Scope,
    TrendPoint,
)

# Course 0 in training_change counts changes to people and their places, which touch every course.
PEOPLE = 0


@dataclass(frozen=True, slots=True)
class Question:
    """Which figures, for which course, people and date."""

    kind: str  # "table", "trend", "counts" or "audience"
    course_id: int
    scope: Scope
    as_of: date
    grouping: Grouping | None = None
    key: str = field(init=False, repr=False, compare=False)  # the stored answer's key, from the above

    def __post_init__(self) -> None:
        def ids(values: list[int] | None) -> list[int] | None:
            return None if values is None else sorted(set(values))

        scope = self.scope
        text = json.dumps(
            [
                self.kind,
                self.course_id,
                ids(scope.organisation_ids),
                ids(scope.team_ids),
                ids(scope.job_role_ids),
                self.grouping.value if self.grouping else None,
                self.as_of.isoformat(),
            ]
        )
        # Worked out once: the key is looked up several times on each page view.
        object.__setattr__(self, "key", hashlib.sha256(text.encode()).hexdigest())


@dataclass(frozen=True, slots=True)
class _Found:
    """What the one read statement says about a question: its counters now, and the stored answer
    if it was computed at those counters."""

    course_counter: int
    people_counter: int
    text: str | None  # the stored answer (JSON); None when nothing true is stored


# --- payloads: the figures as JSON -------------------------------------------------------------


def _counts(figures: Figures) -> list[int]:
    return [figures.assigned, *(figures.counts[s] for s in STATUS_ORDER)]


def _figures(values: list[int]) -> Figures:
    return Figures(assigned=values[0], counts=dict(zip(STATUS_ORDER, values[1:], strict=True)))


def _table_payload(table: ComplianceTable) -> dict[str, Any]:
    return {
        "course": table.course,
        "rows": [[r.organisation, r.team, r.job_role, r.keys, _counts(r.figures)] for r in table.rows],
    }


def _table(payload: dict[str, Any], question: Question) -> ComplianceTable:
    assert question.grouping is not None
    rows, total = [], Figures()
    for organisation, team, job_role, keys, counts in payload["rows"]:
        figures = _figures(counts)
        total.add(figures)
        rows.append(GroupRow(organisation, team, job_role, keys, figures))
    return ComplianceTable(
        course=payload["course"], grouping=question.grouping, as_of=question.as_of, rows=rows, total=total
    )


def _trend_payload(points: list[TrendPoint]) -> list[list[Any]]:
    return [
        [p.month_start.isoformat(), p.as_of.isoformat(), p.completions, p.assigned, p.compliant]
        for p in points
    ]


def _trend(payload: list[list[Any]]) -> list[TrendPoint]:
    return [
        TrendPoint(date.fromisoformat(start), date.fromisoformat(end), completions, assigned, compliant)
        for start, end, completions, assigned, compliant in payload
    ]


# --- reading and storing -----------------------------------------------------------------------


async def _read(questions: list[Question]) -> dict[str, _Found]:
    """Each question's counters now, and its stored answer if still true (one statement)."""
    sql = compliance._Sql()
    asked = ", ".join(f"({sql.arg(q.key, 'VARCHAR')}, {sql.arg(q.course_id, 'INTEGER')})" for q in questions)
    people = sql.arg(PEOPLE, "INTEGER")
    rows = await sql.run(f"""
WITH asked (key, course) AS (VALUES {asked}),
now AS (
    SELECT a.key, a.course, COALESCE(c.counter, 0) AS course_counter, COALESCE(p.counter, 0) AS people_counter
    FROM asked a
    LEFT JOIN training_change c ON c.course = a.course
    LEFT JOIN training_change p ON p.course = {people}
)
SELECT n.key, n.course_counter, n.people_counter, f.payload
FROM now n
LEFT JOIN compliance_figures f ON f.key = n.key
    AND f.course_counter = n.course_counter AND f.people_counter = n.people_counter""")
    # The answers stay JSON text until someone reads them: a page that already has them rendered does not.
    return {
        row["key"]: _Found(int(row["course_counter"]), int(row["people_counter"]), row["payload"])
        for row in rows
    }


def _digest(*answers: tuple[Question, str]) -> str:
    """A digest of questions and their answers (JSON): the same digest, the same figures."""
    digest = hashlib.sha256()
    for question, text in answers:
        # The key is 64 hex digits, and JSON has no NUL in it: the parts cannot run into each other.
        digest.update(f"{question.key}{text}\0".encode())
    return digest.hexdigest()


async def _store(answers: list[tuple[Question, _Found]]) -> None:
    """Keep the answers, each with the counters read BEFORE it was computed (so an answer that raced a
    write is stored as already out of date), never over an answer computed at later counters (one
    statement). The triggers that move the counters clear out the answers a write makes useless."""
    if not answers:
        return
    sql = compliance._Sql()
    computed_at = sql.arg(datetime.now(UTC), "TIMESTAMPTZ")
    values = ", ".join(
        f"({sql.arg(q.key)}, {sql.arg(q.course_id)}, {sql.arg(f.course_counter)}, "
        f"{sql.arg(f.people_counter)}, {computed_at}, {sql.arg(f.text)})"
        # In key order, so two askers storing several answers lock them in the same order.
        for q, f in sorted({q.key: (q, f) for q, f in answers}.values(), key=lambda answer: answer[0].key)
    )
    async with write_transaction():
        await sql.run(f"""
INSERT INTO compliance_figures (key, course, course_counter, people_counter, computed_at, payload)
VALUES {values}
ON CONFLICT (key) DO UPDATE SET course = excluded.course, course_counter = excluded.course_counter,
    people_counter = excluded.people_counter, computed_at = excluded.computed_at, payload = excluded.payload
WHERE excluded.course_counter >= compliance_figures.course_counter
    AND excluded.people_counter >= compliance_figures.people_counter""")


# Computations under way in this process, by question and the counters the asker saw: people asking the
# same question at once (the first page views after a change) share one computation.
_under_way: dict[tuple[str, int, int], asyncio.Future[Any]] = {}


async def _missing(question: Question, found: _Found) -> tuple[Any, bool]:
    """The payload, computed now or by whoever asked first, and whether this asker should store it."""
    if in_write_transaction():
        # The figures must include this transaction's own writes, as its counters do: compute inside it
        # (on SQLite another connection would wait for this one's lock).
        return await _compute(question), True
    marker = (question.key, found.course_counter, found.people_counter)
    shared = _under_way.get(marker)
    if shared is not None:
        return await asyncio.shield(shared), False
    # In a context of its own, outside the first asker's read snapshot (which may end first). It sees
    # at least what the snapshot saw, so storing it with the snapshot's counters is safe.
    shared = asyncio.get_running_loop().create_task(_compute(question), context=contextvars.Context())
    _under_way[marker] = shared
    shared.add_done_callback(lambda _: _under_way.pop(marker, None))
    return await asyncio.shield(shared), True


async def _answers(questions: list[Question]) -> dict[str, str | None]:
    """The answers to the questions, as JSON: stored where still true (one statement); otherwise computed
    (at the same time) and stored (one statement more). None where the computed answer is None (no such
    course), not stored."""
    found = await _read(questions)
    missing = [q for q in questions if found[q.key].text is None]
    if in_write_transaction():  # one connection: one statement at a time
        computed = [await _missing(q, found[q.key]) for q in missing]
    else:
        computed = list(await asyncio.gather(*(_missing(q, found[q.key]) for q in missing)))
    results = {q.key: found[q.key].text for q in questions}
    fresh = []
    for question, (payload, mine) in zip(missing, computed, strict=True):
        text = None if payload is None else json.dumps(payload)
        results[question.key] = text
        if mine and text is not None:
            stored = found[question.key]
            fresh.append((question, _Found(stored.course_counter, stored.people_counter, text)))
    await _store(fresh)
    return results


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


async def _compute(question: Question) -> Any | None:
    if question.kind == "table":
        assert question.grouping is not None
        table = await compliance.compliance_table(
            course_id=question.course_id,
            scope=question.scope,
            grouping=question.grouping,
            as_of=question.as_of,
        )
        return None if table is None else _table_payload(table)
    if question.kind == "trend":
        points = await compliance.trend(
            course_id=question.course_id, scope=question.scope, today=question.as_of
        )
        return _trend_payload(points)
    figures = await compliance.status_counts(
        course_id=question.course_id, scope=question.scope, as_of=question.as_of
    )
    return _counts(figures)


# --- the figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFigures:
    """The compliance page's table and trend, read from their JSON when first asked for. `digest` names
    them: the same digest, the same figures."""

    digest: str
    table_question: Question
    table_text: str
    trend_text: str

    @cached_property
    def table(self) -> ComplianceTable:
        return _table(json.loads(self.table_text), self.table_question)

    @cached_property
    def trend(self) -> list[TrendPoint]:
        return _trend(json.loads(self.trend_text))


async def page_figures(
    *, course_id: int, scope: Scope, grouping: Grouping, today: date | None = None
) -> PageFigures | None:
    """The compliance page's table and trend (one statement when both are stored); None when there is
    no such course."""
    today = today or date.today()
    table = Question("table", course_id, scope, today, grouping)
    trend = Question("trend", course_id, scope, today)
    answers = await _answers([table, trend])
    table_text, trend_text = answers[table.key], answers[trend.key]
    if table_text is None or trend_text is None:
        return None
    return PageFigures(_digest((table, table_text), (trend, trend_text)), table, table_text, trend_text)


async def tables_and_trend(
    *, course_id: int, scope: Scope, groupings: list[Grouping], today: date | None = None
) -> tuple[dict[Grouping, ComplianceTable], list[TrendPoint]] | None:
    """The tables by each grouping and the trend (one statement when all are stored; otherwise the
    missing ones are worked out at the same time and stored, one statement more); None when there is
    no such course."""
    today = today or date.today()
    tables = [Question("table", course_id, scope, today, grouping) for grouping in groupings]
    trend = Question("trend", course_id, scope, today)
    answers = {key: _loads(text) for key, text in (await _answers([*tables, trend])).items()}
    if any(answers[t.key] is None for t in tables):
        return None
    return {t.grouping: _table(answers[t.key], t) for t in tables if t.grouping}, _trend(answers[trend.key])


async def compliance_table(
    *, course_id: int, scope: Scope, grouping: Grouping, as_of: date | None = None
) -> ComplianceTable | None:
    """`compliance.compliance_table`, stored until its records change."""
    question = Question("table", course_id, scope, as_of or date.today(), grouping)
    payload = _loads((await _answers([question]))[question.key])
    return None if payload is None else _table(payload, question)


async def trend(*, course_id: int, scope: Scope, today: date | None = None) -> list[TrendPoint]:
    """`compliance.trend`, stored until its records change."""
    question = Question("trend", course_id, scope, today or date.today())
    return _trend(_loads((await _answers([question]))[question.key]))


async def status_counts(*, course_id: int, scope: Scope, as_of: date) -> Figures:
    """`compliance.status_counts`, stored until its records change."""
    question = Question("counts", course_id, scope, as_of)
    return _figures(_loads((await _answers([question]))[question.key]))


async def audience_counts(*, audiences: list[Audience], as_of: date) -> dict[Audience, Figures]:
    """`compliance.audience_counts`, each audience's figures stored until its records change: one
    statement when all are stored; otherwise the missing ones are worked out together (one statement)
    and stored (one more), however many audiences. None when there are none."""
    wanted = list(dict.fromkeys(audiences))
    if not wanted:
        return {}
    questions = {a: Question("audience", a.course_id, a.scope, as_of) for a in wanted}
    found = await _read(list(questions.values()))
    missing = [a for a, q in questions.items() if found[q.key].text is None]
    computed = await compliance.audience_counts(audiences=missing, as_of=as_of) if missing else {}
    fresh = []
    for audience in missing:
        stored = found[questions[audience].key]
        text = json.dumps(_counts(computed[audience]))
        fresh.append((questions[audience], _Found(stored.course_counter, stored.people_counter, text)))
    await _store(fresh)
    texts = {q.key: found[q.key].text for q in questions.values()}
    texts.update((q.key, f.text) for q, f in fresh)
    return {a: _figures(_loads(texts[q.key])) for a, q in questions.items()}
