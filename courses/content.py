"""Course content from files: a folder with course.toml and Markdown modules, as shipped in courses/content/.

Scenario questions name a calculation in courses.timescales; their right answers are computed, never typed.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.audit import Actor
from app.database import write_transaction
from courses import catalogue
from courses.catalogue import ModuleContent, OptionContent, QuestionContent, VersionContent
from courses.enums import ModuleKind
from courses.timescales import SCENARIOS

BUILT_IN = Path(__file__).resolve().parent / "content"
EHCP_COURSE = BUILT_IN / "ehcp-process"


class ContentError(ValueError):
    """A content folder that cannot be imported, with where the problem is."""


def long_date(value: date) -> str:
    return value.strftime("%A %-d %B %Y")


@dataclass
class CourseFile:
    code: str
    title: str
    summary: str
    mandatory: bool
    recertify_months: int | None
    content: VersionContent

    def fingerprint(self) -> str:
        data = asdict(self)
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _scenario_question(raw: dict[str, Any], where: str) -> QuestionContent:
    name = raw.get("scenario")
    if name not in SCENARIOS:
        raise ContentError(f"{where}: unknown scenario {name!r}; use one of {', '.join(sorted(SCENARIOS))}")
    event_date = raw.get("event_date")
    if not isinstance(event_date, date):
        raise ContentError(f"{where}: event_date must be a date, like 2026-11-03")
    answer = SCENARIOS[name](event_date)
    distractors = [event_date + timedelta(weeks=int(w)) for w in raw.get("distractor_weeks", [])]
    if answer in distractors:
        raise ContentError(f"{where}: a distractor falls on the right answer, {long_date(answer)}")
    if len(set(distractors)) < 1:
        raise ContentError(f"{where}: give at least one distractor_weeks value")
    options = sorted({answer, *distractors})
    return QuestionContent(
        text=str(raw["text"]).replace("{event_date}", long_date(event_date)),
        options=[OptionContent(text=long_date(d), correct=d == answer) for d in options],
        multiple=False,
        feedback=str(raw.get("feedback", "")),
    )


def _question(raw: dict[str, Any], where: str) -> QuestionContent:
    if "scenario" in raw:
        return _scenario_question(raw, where)
    options = [str(o) for o in raw.get("options", [])]
    correct = raw.get("correct", [])
    if not options or not correct or any(not 0 <= i < len(options) for i in correct):
        raise ContentError(f"{where}: options and correct (indexes into options) are needed")
    return QuestionContent(
        text=str(raw["text"]),
        options=[OptionContent(text=o, correct=i in correct) for i, o in enumerate(options)],
        multiple=bool(raw.get("multiple", len(correct) > 1)),
        feedback=str(raw.get("feedback", "")),
    )


def read_course_folder(folder: Path) -> CourseFile:
    """Read and check a content folder; raises ContentError naming the file and module at fault."""
    manifest = folder / "course.toml"
    if not manifest.is_file():
        raise ContentError(f"{folder}: no course.toml")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{manifest}: {exc}") from exc
    modules = []
    for number, raw in enumerate(data.get("modules", []), start=1):
        where = f"{manifest.name}, module {number}"
        try:
            kind = ModuleKind(raw.get("kind", ""))
        except ValueError as exc:
            raise ContentError(f"{where}: kind must be reading, link, quiz or session") from exc
        body = str(raw.get("intro", ""))
        if kind is ModuleKind.READING:
            path = folder / str(raw.get("file", ""))
            if not path.is_file():
                raise ContentError(f"{where}: file {raw.get('file')!r} not found beside course.toml")
            body = path.read_text(encoding="utf-8")
        questions = [
            _question(q, f"{where}, question {i}") for i, q in enumerate(raw.get("questions", []), start=1)
        ]
        modules.append(
            ModuleContent(
                kind=kind,
                title=str(raw.get("title", "")),
                body=body,
                url=str(raw.get("url", "")),
                estimated_minutes=int(raw.get("minutes", 10)),
                questions=questions,
            )
        )
    content = VersionContent(
        estimated_minutes=int(data.get("estimated_minutes", sum(m.estimated_minutes for m in modules))),
        pass_mark=data.get("pass_mark"),
        modules=modules,
    )
    try:
        catalogue.check_content(content)
    except catalogue.CatalogueError as exc:
        raise ContentError(f"{manifest}: {exc.message}") from exc
    for key in ("code", "title"):
        if not data.get(key):
            raise ContentError(f"{manifest}: {key} is required")
    return CourseFile(
        code=str(data["code"]).strip().upper(),
        title=str(data["title"]),
        summary=str(data.get("summary", "")),
        mandatory=bool(data.get("mandatory", False)),
        recertify_months=data.get("recertify_months"),
        content=content,
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    course_id: int
    code: str
    version: int | None  # the version published now; None when nothing changed

    def describe(self) -> str:
        if self.version is None:
            return f"{self.code}: already up to date, nothing changed."
        return f"{self.code}: version {self.version} published."


async def import_course(
    folder: Path, *, actor: Actor, requires_recompletion: bool = False, reason: str = ""
) -> ImportResult:
    """Create or update a course from a content folder and publish it; the same files twice change nothing."""
    course_file = read_course_folder(folder)
    fingerprint = course_file.fingerprint()
    async with write_transaction():
        existing = await catalogue.course_by_code(course_file.code)
        if existing is None:
            course_id = await catalogue.create_course(
                code=course_file.code,
                title=course_file.title,
                summary=course_file.summary,
                mandatory=course_file.mandatory,
                recertify_months=course_file.recertify_months,
                actor=actor,
            )
        else:
            course_id = existing["id"]
            current = await catalogue.published_version(course_id)
            if current is not None and current["content_hash"] == fingerprint:
                return ImportResult(course_id=course_id, code=course_file.code, version=None)
            await catalogue.update_course_details(
                course_id=course_id,
                title=course_file.title,
                summary=course_file.summary,
                mandatory=course_file.mandatory,
                recertify_months=course_file.recertify_months,
                actor=actor,
            )
        await catalogue.replace_draft_content(course_id=course_id, content=course_file.content, actor=actor)
        version = await catalogue.publish(
            course_id=course_id,
            requires_recompletion=requires_recompletion,
            reason=reason or f"Imported from {folder.name}",
            actor=actor,
            content_hash=fingerprint,
        )
    return ImportResult(course_id=course_id, code=course_file.code, version=version)
