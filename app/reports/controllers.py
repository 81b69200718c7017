"""Board pages: boards and their members and plans, their reports (generate, read, download,
compare), and the leaders' live dashboard.

Who: leaders and administrators manage boards (GET/POST /boards, /boards/new, /boards/{id}/edit) and
see a board's page with its list of reports. Reading, generating and comparing reports, and the
dashboard, are for leaders only (every board member is a leader): administrators run the service
but need not read the board's papers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from app.accounts.access import CurrentUser, actor_of, roles
from app.enums import Cadence, ReportStatus, Role
from app.reports import boards as boards_service
from app.reports import dashboard as dashboard_service
from app.reports import snapshots
from app.reports.boards import MARKINGS, BoardDetails, BoardError
from app.reports.snapshots import SnapshotError
from app.web.flash import flash
from app.web.forms import error_context, many, optional_int, parse_date_parts, text

FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MANAGERS = roles(Role.LEADER, Role.ADMIN)
READERS = roles(Role.LEADER)


def _ints(values: list[str]) -> list[int]:
    return [n for n in (optional_int(v) for v in values) if n is not None]


async def _board_form(
    *, title: str, action: str, back: str, values: dict[str, Any], errors: dict[str, str]
) -> Template:
    return Template(
        "reports/board_form.html",
        context={
            "title": title,
            "action": action,
            "back": back,
            "values": values,
            "cadences": list(Cadence),
            "markings": MARKINGS,
            "leaders": await boards_service.leader_choices(),
            "plans": await boards_service.plan_choices(),
            **error_context(errors),
        },
        status_code=400 if errors else 200,
    )


def _details(data: dict[str, Any], *, editing: bool) -> tuple[BoardDetails, dict[str, Any], dict[str, str]]:
    """The form's values as BoardDetails, the values to show again, and any error reading them."""
    errors: dict[str, str] = {}
    target_text = text(data, "training_target")
    target = optional_int(target_text)
    if target_text and target is None:
        errors["training_target"] = "The training target must be a whole number of people, 1 or more"
    details = BoardDetails(
        name=text(data, "name"),
        description=str(data.get("description", "") or ""),
        cadence=text(data, "cadence"),
        protective_marking=text(data, "protective_marking"),
        training_target=target,
        active=text(data, "active") == "yes" if editing else True,
        member_ids=_ints(many(data, "members")),
        plan_ids=_ints(many(data, "plans")),
    )
    values = {
        "name": details.name,
        "description": details.description,
        "cadence": details.cadence,
        "protective_marking": details.protective_marking,
        "training_target": target_text,
        "active": details.active,
        "member_ids": details.member_ids,
        "plan_ids": details.plan_ids,
    }
    return details, values, errors


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parts(day: date) -> dict[str, str]:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


class BoardsController(Controller):
    path = "/boards"

    @get("/", opt=MANAGERS)
    async def index(self) -> Template:
        return Template(
            "reports/boards.html",
            context={"title": "Boards", "boards": await boards_service.list_boards()},
        )

    @get("/new", opt=MANAGERS)
    async def new(self) -> Template:
        return await _board_form(
            title="Add a board",
            action="/boards/new",
            back="/boards",
            values={"cadence": Cadence.QUARTERLY, "protective_marking": "OFFICIAL", "active": True},
            errors={},
        )

    @post("/new", status_code=303, opt=MANAGERS)
    async def create(self, request: Request[Any, Any, Any], data: FormBody) -> Template | Redirect:
        details, values, errors = _details(data, editing=False)
        if not errors:
            try:
                board_id = await boards_service.create_board(details=details, actor=actor_of(request))
            except BoardError as exc:
                errors = {exc.field: exc.message}
        if errors:
            return await _board_form(
                title="Add a board", action="/boards/new", back="/boards", values=values, errors=errors
            )
        return flash(
            Redirect(f"/boards/{board_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"Board {details.name} added",
        )

    @get("/{board_id:int}", opt=MANAGERS)
    async def show(self, request: Request[CurrentUser, Any, Any], board_id: FromPath[int]) -> Template:
        board = await boards_service.get_board(board_id)
        if board is None:
            raise NotFoundException()
        user: CurrentUser = request.scope["user"]
        return Template(
            "reports/board.html",
            context={
                "title": board["name"],
                "board": board,
                "reports": await snapshots.list_snapshots(board_id=board_id),
                "can_read": user.has(Role.LEADER),
                "period_end": _parts(snapshots.default_period_end(date.today())),
                "statuses": ReportStatus,
                **error_context({}),
            },
        )

    @get("/{board_id:int}/edit", opt=MANAGERS)
    async def edit(self, board_id: FromPath[int]) -> Template:
        board = await boards_service.get_board(board_id)
        if board is None:
            raise NotFoundException()
        values = {**board, "training_target": board["training_target"] or ""}
        return await _board_form(
            title=f"Change {board['name']}",
            action=f"/boards/{board_id}/edit",
            back=f"/boards/{board_id}",
            values={**values, "editing": True},
            errors={},
        )

    @post("/{board_id:int}/edit", status_code=303, opt=MANAGERS)
    async def update(
        self, request: Request[Any, Any, Any], board_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        if await boards_service.get_board(board_id) is None:
            raise NotFoundException()
        details, values, errors = _details(data, editing=True)
        if not errors:
            try:
                await boards_service.update_board(board_id=board_id, details=details, actor=actor_of(request))
            except BoardError as exc:
                errors = {exc.field: exc.message}
        if errors:
            return await _board_form(
                title="Change board",
                action=f"/boards/{board_id}/edit",
                back=f"/boards/{board_id}",
                values={**values, "editing": True},
                errors=errors,
            )
        return flash(
            Redirect(f"/boards/{board_id}", status_code=303),
            request.app.state.settings.secret_key,
            f"Board {details.name} updated",
        )

    @post("/{board_id:int}/reports", status_code=303, opt=READERS)
    async def generate(
        self, request: Request[CurrentUser, Any, Any], board_id: FromPath[int], data: FormBody
    ) -> Template | Redirect:
        board = await boards_service.get_board(board_id)
        if board is None:
            raise NotFoundException()
        period_end, problem = parse_date_parts(data, "period_end")
        errors: dict[str, str] = {}
        if problem:
            errors["period_end-day"] = f"The period end {problem}"
        elif period_end is None:
            errors["period_end-day"] = "Enter the last day of the period the report covers"
        elif period_end > date.today():
            errors["period_end-day"] = "The period end must be today or in the past"
        if not errors:
            assert period_end is not None
            try:
                snapshot_id = await snapshots.request_report(
                    board_id=board_id, period_end=period_end, actor=actor_of(request)
                )
            except SnapshotError as exc:
                errors = {"period_end-day": exc.message}
        if errors:
            return Template(
                "reports/board.html",
                context={
                    "title": board["name"],
                    "board": board,
                    "reports": await snapshots.list_snapshots(board_id=board_id),
                    "can_read": True,
                    "period_end": {
                        "day": text(data, "period_end-day"),
                        "month": text(data, "period_end-month"),
                        "year": text(data, "period_end-year"),
                    },
                    "statuses": ReportStatus,
                    **error_context(errors),
                },
                status_code=400,
            )
        return flash(
            Redirect(f"/reports/{snapshot_id}", status_code=303),
            request.app.state.settings.secret_key,
            "The report is being generated",
        )


class ReportsController(Controller):
    path = "/reports"
    opt = READERS

    async def _snapshot(self, snapshot_id: int) -> dict[str, Any]:
        snapshot = await snapshots.get_snapshot(snapshot_id)
        if snapshot is None:
            raise NotFoundException()
        return snapshot

    @get("/{snapshot_id:int}")
    async def show(self, snapshot_id: FromPath[int]) -> Template:
        snapshot = await self._snapshot(snapshot_id)
        context: dict[str, Any] = {
            "title": f"{snapshot['board_name']}: report for {snapshot['period_label']}",
            "snapshot": snapshot,
            "statuses": ReportStatus,
            "refresh": snapshot["status"] in (ReportStatus.QUEUED, ReportStatus.RUNNING)
            and not snapshot["stalled"],
            "others": [
                s
                for s in await snapshots.list_snapshots(board_id=snapshot["board"])
                if s["id"] != snapshot_id and s["status"] == ReportStatus.READY
            ],
        }
        if snapshot["status"] == ReportStatus.READY:
            context.update(await snapshots.snapshot_view(snapshot))
        return Template("reports/report.html", context=context)

    async def _file(self, snapshot_id: int, column: str, mime: str, suffix: str) -> Response[bytes]:
        content, name = await snapshots.snapshot_file(snapshot_id=snapshot_id, column=column)
        if content is None:
            raise NotFoundException("This report has no such file yet")
        return Response(
            content,
            media_type=mime,
            headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
        )

    @get("/{snapshot_id:int}/report.pdf")
    async def pdf(self, snapshot_id: FromPath[int]) -> Response[bytes]:
        return await self._file(snapshot_id, "pdf", "application/pdf", "pdf")

    @get("/{snapshot_id:int}/report.xlsx")
    async def xlsx(self, snapshot_id: FromPath[int]) -> Response[bytes]:
        return await self._file(
            snapshot_id, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        )

    @get("/{snapshot_id:int}/compare/{other_id:int}")
    async def compare(self, snapshot_id: FromPath[int], other_id: FromPath[int]) -> Template:
        first = await self._snapshot(snapshot_id)
        second = await self._snapshot(other_id)
        try:
            earlier, later, changes = snapshots.compare(first, second)
        except SnapshotError as exc:
            raise NotFoundException(exc.message) from exc
        return Template(
            "reports/compare.html",
            context={
                "title": f"{later['board_name']}: changes between two reports",
                "earlier": earlier,
                "later": later,
                "changes": changes,
            },
        )


class DashboardController(Controller):
    path = "/dashboard"
    opt = READERS

    @get("/")
    async def show(
        self,
        board: FromQuery[str] = "",
        plan: FromQuery[str] = "",
        area: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        period_end: FromQuery[str] = "",
    ) -> Template:
        view = await dashboard_service.dashboard(
            board_id=optional_int(board),
            plan_id=optional_int(plan),
            area_id=optional_int(area),
            organisation_id=optional_int(organisation),
            today=datetime.now(UTC).date(),
            period_end=_iso_date(period_end),
        )
        return Template("reports/dashboard.html", context={"title": "Leader dashboard", **view})


REPORT_CONTROLLERS = [BoardsController, ReportsController, DashboardController]
