"""Compliance pages for trainers, leaders and admins: the table, drill-down, trend and exports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import starmap
from typing import Any
from urllib.parse import urlencode

import anyio
from cachetools import LRUCache
from jinja2 import Environment
from litestar import Controller, Request, Response, get
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from markupsafe import Markup
from openpyxl import Workbook

from app.accounts.access import roles
from app.enums import Role
from app.web.bounds import beyond_the_id_range
from app.web.exports import excel_safe
from app.web.paging import pagination
from courses import compliance, compliance_cache
from courses.compliance import (
    NOT_RECORDED,
    STATUS_LABELS,
    STATUS_ORDER,
    ComplianceTable,
    Grouping,
    Scope,
    TrendPoint,
)
from courses.enums import TrainingStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIMENSION_LABELS = {"organisation": "Organisation", "team": "Team", "job_role": "Job role"}
NONE_LABELS = {"organisation": "", "team": "No team", "job_role": "Job role not recorded"}


@dataclass(frozen=True, slots=True)
class View:
    """What the person asked to see, checked."""

    course: dict[str, Any]
    organisation: int | None
    team: int | None
    job_role: int | None
    grouping: Grouping

    @property
    def scope(self) -> Scope:
        return Scope.of(organisation=self.organisation, team=self.team, job_role=self.job_role)

    def query(self, **changes: Any) -> dict[str, Any]:
        """Query parameters for a link to this view, with some changed; None and "" are left out."""

        def out(value: int | None) -> str | int | None:
            return "none" if value == NOT_RECORDED else value

        values: dict[str, Any] = {
            "course": self.course["id"],
            "organisation": self.organisation,
            "team": out(self.team),
            "job_role": out(self.job_role),
            "group": self.grouping.value,
        }
        values.update({k: out(v) if k in ("team", "job_role") else v for k, v in changes.items()})
        return {k: v for k, v in values.items() if v not in (None, "")}

    def link(self, path: str = "/compliance", **changes: Any) -> str:
        return f"{path}?{'&'.join(starmap(_parameter, self.query(**changes).items()))}"

    def cell_link(self, keys: dict[str, int], status: TrainingStatus | None = None) -> str:
        """The drill-down to the people behind one cell: this view narrowed to the row's group."""
        return self.link("/compliance/people", **keys, status=status.value if status else None)


@lru_cache(maxsize=4096, typed=True)
def _parameter(name: str, value: str | int) -> str:
    """One `name=value` of a link's query, encoded: a table's links share most of theirs, and the few
    values (ids, statuses, groupings) recur from row to row and page to page."""
    return urlencode({name: value})


def _id(value: str, label: str, *, allow_none: bool = False) -> int | None:
    value = value.strip()
    if not value:
        return None
    if allow_none and value == "none":
        return NOT_RECORDED
    if not value.isdecimal() or beyond_the_id_range(value):
        raise ClientException(detail=f"The {label} in the address must be chosen from the list")
    return int(value)


async def _view(
    course: str, organisation: str, team: str, job_role: str, group: str
) -> tuple[View | None, compliance.PageChoices]:
    """The checked view (None when no course is published yet) and the filter lists, in one statement."""
    course_id = _id(course, "course")
    organisation_id = _id(organisation, "organisation")
    team_id = _id(team, "team", allow_none=True)
    choices = await compliance.page_choices(
        course_id=course_id, organisation_id=organisation_id, team_id=team_id
    )
    if course_id is None:
        if choices.default is None:
            return None, choices
        chosen: dict[str, Any] | None = choices.default
    else:
        chosen = choices.chosen
    if chosen is None:
        raise NotFoundException(detail="There is no course with that number")
    try:
        grouping = Grouping(group) if group else Grouping.ORGANISATION
    except ValueError:
        raise ClientException(detail="Choose how to group the figures from the list") from None
    view = View(
        course=chosen,
        organisation=organisation_id,
        team=team_id,
        job_role=_id(job_role, "job role", allow_none=True),
        grouping=grouping,
    )
    return view, choices


@dataclass(frozen=True, slots=True)
class RowCells:
    """One row of the page's table, ready to show: its group's names, the drill-down link, and each
    status's count with the status's name (for the link's hidden text)."""

    names: list[str]
    group_name: str
    link: str
    assigned: int
    counts: list[tuple[int, str, str]]  # (count, status, lower-case label) in STATUS_ORDER
    percent_compliant: float | None


# Each status with its value and lower-case label, for every row's cells.
_STATUS_CELLS = [(s, s.value, STATUS_LABELS[s].lower()) for s in STATUS_ORDER]


def _row_cells(view: View, row: compliance.GroupRow) -> RowCells:
    names = _labels(row, view.grouping)
    counts = row.figures.counts
    return RowCells(
        names=names,
        group_name=", ".join(names),
        link=view.cell_link(row.keys),
        assigned=row.figures.assigned,
        counts=[(counts[s], value, label) for s, value, label in _STATUS_CELLS],
        percent_compliant=row.figures.percent_compliant,
    )


def _labels(row: compliance.GroupRow, grouping: Grouping) -> list[str]:
    return [getattr(row, d) or NONE_LABELS[d] for d in grouping.dimensions]


def _header(grouping: Grouping) -> list[str]:
    return [
        *(DIMENSION_LABELS[d] for d in grouping.dimensions),
        "Assigned",
        *(STATUS_LABELS[s] for s in STATUS_ORDER),
        "Compliant",
        "% compliant",
    ]


def _figures(figures: compliance.Figures) -> list[Any]:
    return [
        figures.assigned,
        *(figures.counts[s] for s in STATUS_ORDER),
        figures.compliant,
        figures.percent_compliant,
    ]


def _table_rows(table: ComplianceTable) -> list[list[Any]]:
    """The table as rows of cells, its total last: what both exports write."""
    rows = [[*_labels(r, table.grouping), *_figures(r.figures)] for r in table.rows]
    padding = [""] * (len(table.grouping.dimensions) - 1)
    rows.append(["Total", *padding, *_figures(table.total)])
    return rows


def _filename(view: View, table: ComplianceTable, extension: str) -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "-", view.course["code"]).strip("-") or "course"
    return f"compliance-{code}-{table.as_of.isoformat()}.{extension}"


def _csv(table: ComplianceTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(table.grouping))
    for row in _table_rows(table):
        writer.writerow(["" if v is None else excel_safe(v) for v in row])
    return out.getvalue()


def _xlsx(view: View, table: ComplianceTable, trend: list[TrendPoint], filters: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Compliance"
    sheet.append([excel_safe(f"{view.course['code']} {view.course['title']}")])
    sheet.append(["As at", table.as_of])
    sheet.append(["Grouped by", table.grouping.label])
    for line in filters:
        sheet.append([excel_safe(line)])
    sheet.append([])
    sheet.append(_header(table.grouping))
    for row in _table_rows(table):
        sheet.append([excel_safe(v) for v in row])
    sheet["B2"].number_format = "d mmmm yyyy"
    months = book.create_sheet("Trend")
    months.append(["Month", "As at", "Completions in month", "Assigned", "Compliant", "% compliant"])
    for point in trend:
        months.append(
            [
                point.month_start.strftime("%B %Y"),
                point.as_of,
                point.completions,
                point.assigned,
                point.compliant,
                point.percent_compliant,
            ]
        )
    for row in months.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "d mmmm yyyy"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The page's filters and figures as rendered, by everything they show: the stored figures' digest, the
# filters' choices, the view (its links) and its course. Asked again for the same view of the same
# figures, the page copies them instead of writing out every option and cell again: most views are asked
# many times between two changes to their records. Up to this many characters in each server process,
# the least recently used dropped first.
RENDERED_CHARACTERS = 8_000_000
MAIN_TEMPLATE = "courses/_compliance_main.html"
_rendered: LRUCache[tuple[Any, ...], Markup] = LRUCache(RENDERED_CHARACTERS, getsizeof=len)


def main_html(
    env: Environment, view: View, choices: compliance.PageChoices, figures: compliance_cache.PageFigures
) -> Markup:
    """The page's filters and figures: kept from an earlier view of the same figures, or rendered and
    kept."""
    key = (figures.digest, choices.key(), view.link(), *view.course.values())
    kept = _rendered.get(key)
    if kept is not None:
        return kept
    html = Markup(  # noqa: S704 (the template's own output, escaped as it was written)
        env.get_template(MAIN_TEMPLATE).render(
            view=view,
            groupings=list(Grouping),
            table=figures.table,
            rows=[_row_cells(view, row) for row in figures.table.rows],
            trend=figures.trend,
            statuses=STATUS_ORDER,
            status_labels=STATUS_LABELS,
            filter_lines=_filter_lines(view, choices),
            **choices.as_context(),
        )
    )
    if len(html) <= RENDERED_CHARACTERS:
        _rendered[key] = html
    return html


def _filter_lines(view: View, choices: compliance.PageChoices) -> list[str]:
    """The filters in words, for people reading an export later."""
    lines = []
    names = {
        "organisation": {o["id"]: o["name"] for o in choices.organisations},
        "team": {t["id"]: t["name"] for t in choices.teams},
        "job_role": {j["id"]: j["name"] for j in choices.job_roles},
    }
    for dimension in ("organisation", "team", "job_role"):
        value = getattr(view, dimension)
        if value is None:
            continue
        name = NONE_LABELS[dimension] if value == NOT_RECORDED else names[dimension].get(value, "(removed)")
        lines.append(f"{DIMENSION_LABELS[dimension]}: {name}")
    return lines


class ComplianceController(Controller):
    path = "/compliance"
    opt = roles(Role.TRAINER, Role.LEADER, Role.ADMIN)

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        course: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        group: FromQuery[str] = "",
    ) -> Template:
        view, choices = await _view(course, organisation, team, job_role, group)
        if view is None:
            return Template("courses/compliance.html", context={"title": "Training compliance", "view": None})
        figures = await compliance_cache.page_figures(
            course_id=view.course["id"], scope=view.scope, grouping=view.grouping
        )
        if figures is None:  # the course was deleted a moment ago
            raise NotFoundException(detail="There is no course with that number")
        engine = request.app.template_engine
        assert isinstance(engine, JinjaTemplateEngine)
        return Template(
            "courses/compliance.html",
            context={
                "title": "Training compliance",
                "view": view,
                "main_html": main_html(engine.engine, view, choices, figures),
            },
        )

    @get("/people")
    async def people_in_cell(
        self,
        course: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        group: FromQuery[str] = "",
        status: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        view, choices = await _view(course, organisation, team, job_role, group)
        if view is None:
            raise NotFoundException(detail="No courses are published yet")
        try:
            chosen = TrainingStatus(status) if status else None
        except ValueError:
            raise ClientException(detail="Choose a status from the list") from None
        result = await compliance.people_in_cell(
            course_id=view.course["id"], scope=view.scope, status=chosen, page=max(1, page)
        )
        heading = STATUS_LABELS[chosen] if chosen else "Everyone assigned"
        return Template(
            "courses/compliance_people.html",
            context={
                "title": f"{heading}: {view.course['code']}",
                "heading": heading,
                "as_of": date.today(),
                "view": view,
                "status": chosen,
                "result": result,
                "filter_lines": _filter_lines(view, choices),
                "back": view.link(),
                "pagination": pagination(
                    page=result.page,
                    pages=result.pages,
                    path="/compliance/people",
                    query=view.query(status=status),
                ),
            },
        )

    @get("/courses")
    async def choose_course(
        self,
        course: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        group: FromQuery[str] = "",
        search: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        """Find a course to show, by words in its code or title; the other filters are kept."""
        view, _choices = await _view(course, organisation, team, job_role, group)
        if view is None:
            raise NotFoundException(detail="No courses are published yet")
        search = search.strip()[:100]
        found = await compliance.find_courses(search=search, page=max(1, page))
        return Template(
            "courses/compliance_courses.html",
            context={
                "title": "Choose a course",
                "view": view,
                "search": search,
                "found": found,
                "back": view.link(),
                "pagination": pagination(
                    page=found.page,
                    pages=found.pages,
                    path="/compliance/courses",
                    query=view.query(search=search),
                ),
            },
        )

    @get("/export.csv")
    async def export_csv(
        self,
        course: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        group: FromQuery[str] = "",
    ) -> Response[bytes]:
        view, _ = await _view(course, organisation, team, job_role, group)
        if view is None:
            raise NotFoundException(detail="No courses are published yet")
        table = await compliance_cache.compliance_table(
            course_id=view.course["id"], scope=view.scope, grouping=view.grouping
        )
        if table is None:
            raise NotFoundException(detail="There is no course with that number")
        # A byte-order mark, so Excel reads the names as UTF-8.
        return Response(
            content=("\ufeff" + _csv(table)).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_filename(view, table, "csv")}"'},
        )

    @get("/export.xlsx")
    async def export_xlsx(
        self,
        course: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        team: FromQuery[str] = "",
        job_role: FromQuery[str] = "",
        group: FromQuery[str] = "",
    ) -> Response[bytes]:
        view, choices = await _view(course, organisation, team, job_role, group)
        if view is None:
            raise NotFoundException(detail="No courses are published yet")
        figures = await compliance_cache.page_figures(
            course_id=view.course["id"], scope=view.scope, grouping=view.grouping
        )
        if figures is None:
            raise NotFoundException(detail="There is no course with that number")
        table, trend = figures.table, figures.trend
        lines = _filter_lines(view, choices)
        # Building a workbook is CPU work: keep it off the event loop.
        content = await anyio.to_thread.run_sync(_xlsx, view, table, trend, lines)
        return Response(
            content=content,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{_filename(view, table, "xlsx")}"'},
        )
