"""Who may use each route: one table over every registered route and role.

A route missing from ACCESS fails the suite, so no route ships without a decision about who may use it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from litestar import Litestar, get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.routes import HTTPRoute

from action_plans.enums import DateField, EvidenceKind, KpiUnit, PlanOrigin, PlanStatus, Rag, RevisionStatus
from action_plans.tables import (
    Action,
    CalendarFeed,
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
from app.accounts.access import CurrentUser, enforce_access, public, roles, signed_in
from app.audit import CLI_ACTOR
from app.enums import AuditAction, OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from courses import assignments, catalogue
from courses import sessions as training_sessions
from courses.assignments import DueRule
from courses.enums import DueKind, TargetKind
from courses.tables import Assignment, Attendance, Question
from tests import action_plans as action_plan_tests
from tests.access_kinds import ADMIN, ANYONE, READERS, SIGNED_IN, TRAINERS, ObjectRule, Rule
from tests.conftest import csrf_token, make_person, sign_in
from tests.courses.conftest import publish_course

ACCESS: dict[tuple[str, str], Rule] = {
    ("GET", "/sign-in"): ANYONE,
    ("POST", "/sign-in"): ANYONE,
    ("POST", "/sign-out"): SIGNED_IN,
    ("GET", "/accessibility"): ANYONE,
    ("GET", "/health"): ANYONE,
    ("GET", "/static/{file_path:path}"): ANYONE,
    ("HEAD", "/static/{file_path:path}"): ANYONE,
    ("GET", "/"): SIGNED_IN,
    ("GET", "/calculator"): SIGNED_IN,
    ("GET", "/my-training"): SIGNED_IN,
    ("GET", "/my-training/{course_id:int}"): SIGNED_IN,
    ("GET", "/my-training/{course_id:int}/modules/{module_id:int}"): SIGNED_IN,
    ("POST", "/my-training/{course_id:int}/modules/{module_id:int}/done"): SIGNED_IN,
    ("POST", "/my-training/{course_id:int}/modules/{module_id:int}/quiz"): SIGNED_IN,
    ("GET", "/my-training/{course_id:int}/modules/{module_id:int}/result"): SIGNED_IN,
    ("GET", "/courses/{course_id:int}/assign"): TRAINERS,
    ("POST", "/courses/{course_id:int}/assign"): TRAINERS,
    ("GET", "/courses/{course_id:int}/rules"): TRAINERS,
    ("GET", "/courses/{course_id:int}/assign-people"): TRAINERS,
    ("POST", "/courses/{course_id:int}/assign-people"): TRAINERS,
    ("GET", "/courses"): TRAINERS,
    ("GET", "/courses/new"): TRAINERS,
    ("POST", "/courses/new"): TRAINERS,
    ("GET", "/courses/{course_id:int}"): TRAINERS,
    ("GET", "/courses/{course_id:int}/edit"): TRAINERS,
    ("POST", "/courses/{course_id:int}/edit"): TRAINERS,
    ("POST", "/courses/{course_id:int}/new-draft"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/settings"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/settings"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/preview"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/discard"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/discard"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/modules/new"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/modules/new"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/modules/{module_id:int}/edit"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/modules/{module_id:int}/edit"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/modules/{module_id:int}/move-up"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/modules/{module_id:int}/move-down"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/modules/{module_id:int}/delete"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/modules/{module_id:int}/delete"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/modules/{module_id:int}/questions/new"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/modules/{module_id:int}/questions/new"): TRAINERS,
    ("GET", "/courses/{course_id:int}/draft/questions/{question_id:int}/edit"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/questions/{question_id:int}/edit"): TRAINERS,
    ("POST", "/courses/{course_id:int}/draft/questions/{question_id:int}/delete"): TRAINERS,
    ("GET", "/courses/{course_id:int}/publish"): TRAINERS,
    ("POST", "/courses/{course_id:int}/publish"): TRAINERS,
    ("GET", "/courses/{course_id:int}/retire"): TRAINERS,
    ("POST", "/courses/{course_id:int}/retire"): TRAINERS,
    ("GET", "/assignment-rules/{rule_id:int}/end"): TRAINERS,
    ("POST", "/assignment-rules/{rule_id:int}/end"): TRAINERS,
    ("GET", "/assignments/{assignment_id:int}/end"): TRAINERS,
    ("POST", "/assignments/{assignment_id:int}/end"): TRAINERS,
    ("GET", "/certificates/{filename:str}"): SIGNED_IN,  # and then only your own, unless a trainer or admin
    ("GET", "/verify"): ANYONE,
    ("GET", "/verify/{code:str}"): ANYONE,
    ("GET", "/training-sessions"): TRAINERS,
    ("GET", "/training-sessions/new"): TRAINERS,
    ("POST", "/training-sessions/new"): TRAINERS,
    ("GET", "/training-sessions/{session_id:int}"): TRAINERS,
    ("GET", "/training-sessions/{session_id:int}/edit"): TRAINERS,
    ("POST", "/training-sessions/{session_id:int}/edit"): TRAINERS,
    ("POST", "/training-sessions/{session_id:int}/bookings"): TRAINERS,
    ("POST", "/training-sessions/{session_id:int}/bookings/{attendance_id:int}/remove"): TRAINERS,
    ("GET", "/training-sessions/{session_id:int}/register"): TRAINERS,
    ("POST", "/training-sessions/{session_id:int}/register"): TRAINERS,
    ("GET", "/training-sessions/{session_id:int}/cancel"): TRAINERS,
    ("POST", "/training-sessions/{session_id:int}/cancel"): TRAINERS,
    ("GET", "/completions/new"): TRAINERS,
    ("POST", "/completions/new"): TRAINERS,
    ("GET", "/schema"): SIGNED_IN,
    ("GET", "/schema/openapi.json"): SIGNED_IN,
    ("GET", "/schema/{path:str}"): SIGNED_IN,
    ("GET", "/admin/staff"): ADMIN,
    ("GET", "/admin/staff/new"): ADMIN,
    ("POST", "/admin/staff/new"): ADMIN,
    ("GET", "/admin/staff/{staff_id:int}"): ADMIN,
    ("GET", "/admin/staff/{staff_id:int}/edit"): ADMIN,
    ("POST", "/admin/staff/{staff_id:int}/edit"): ADMIN,
    ("GET", "/admin/staff/{staff_id:int}/leave"): ADMIN,
    ("POST", "/admin/staff/{staff_id:int}/leave"): ADMIN,
    ("POST", "/admin/staff/{staff_id:int}/reinstate"): ADMIN,
    ("GET", "/admin/staff/{staff_id:int}/access"): ADMIN,
    ("POST", "/admin/staff/{staff_id:int}/access"): ADMIN,
    ("GET", "/admin/organisations"): ADMIN,
    ("GET", "/admin/organisations/new"): ADMIN,
    ("POST", "/admin/organisations/new"): ADMIN,
    ("GET", "/admin/organisations/{organisation_id:int}"): ADMIN,
    ("GET", "/admin/organisations/{organisation_id:int}/edit"): ADMIN,
    ("POST", "/admin/organisations/{organisation_id:int}/edit"): ADMIN,
    ("GET", "/admin/organisations/{organisation_id:int}/teams/new"): ADMIN,
    ("POST", "/admin/organisations/{organisation_id:int}/teams/new"): ADMIN,
    ("GET", "/admin/teams/{team_id:int}/edit"): ADMIN,
    ("POST", "/admin/teams/{team_id:int}/edit"): ADMIN,
    ("GET", "/admin/job-roles"): ADMIN,
    ("GET", "/admin/job-roles/new"): ADMIN,
    ("POST", "/admin/job-roles/new"): ADMIN,
    ("GET", "/admin/job-roles/{job_role_id:int}/edit"): ADMIN,
    ("POST", "/admin/job-roles/{job_role_id:int}/edit"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/admin/audit/{entry_id:int}"): ADMIN,
    ("GET", "/admin/staff/import"): ADMIN,
    ("POST", "/admin/staff/import"): ADMIN,
    ("GET", "/admin/staff/import/{token:str}/mapping"): ADMIN,
    ("POST", "/admin/staff/import/{token:str}/mapping"): ADMIN,
    ("GET", "/admin/staff/import/{token:str}/preview"): ADMIN,
    ("POST", "/admin/staff/import/{token:str}/confirm"): ADMIN,
    ("GET", "/admin/staff/import/{token:str}/done"): ADMIN,
    ("GET", "/admin/outbox"): ADMIN,
    ("GET", "/admin/outbox/{message_id:int}"): ADMIN,
    ("GET", "/compliance"): READERS,
    ("GET", "/compliance/people"): READERS,
    ("GET", "/compliance/courses"): READERS,
    ("GET", "/compliance/export.csv"): READERS,
    ("GET", "/compliance/export.xlsx"): READERS,
    ("GET", "/api/staff"): READERS,
    ("GET", "/api/staff/{staff_id:int}"): READERS,
    ("GET", "/api/organisations"): READERS,
    ("GET", "/api/organisations/{organisation_id:int}"): READERS,
    ("GET", "/api/teams"): READERS,
    ("GET", "/api/teams/{team_id:int}"): READERS,
}
# Action-plan routes, one file per area (tests/action_plans/routes_*.py).
for _module in pkgutil.iter_modules(action_plan_tests.__path__):
    if _module.name.startswith("routes_"):
        ACCESS.update(importlib.import_module(f"tests.action_plans.{_module.name}").ROUTES)

# Who makes the requests: None is nobody signed in; an empty set is a person with no role yet.
VISITORS: dict[str, frozenset[Role] | None] = {
    "anonymous": None,
    "no role": frozenset(),
    "professional": frozenset({Role.PROFESSIONAL}),
    "trainer": frozenset({Role.TRAINER}),
    "leader": frozenset({Role.LEADER}),
    "admin": frozenset({Role.ADMIN}),
}


def registered_routes(app: Litestar) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, apart from the OPTIONS answers Litestar adds itself."""
    found = set()
    for route in app.routes:
        assert isinstance(route, HTTPRoute)
        for method in route.methods:
            if method != "OPTIONS":
                found.add((method, route.path))
    return found


def test_every_route_has_an_access_decision(app):
    routes = registered_routes(app)
    assert sorted(routes - ACCESS.keys()) == [], "add these routes to ACCESS"
    assert sorted(ACCESS.keys() - routes) == [], "these ACCESS entries match no route"


def test_every_handler_declares_who_may_use_it(app):
    """The declaration in code agrees with the table (the table alone could drift from the code)."""
    for route in app.routes:
        for method, handler in route.route_handler_map.items():  # type: ignore[attr-defined]
            if method == "OPTIONS":
                continue
            handler = handler[0] if isinstance(handler, tuple) else handler
            declared = handler.opt.get("access")
            expected = ACCESS[(method, route.path)]
            if isinstance(expected, ObjectRule):
                expected = expected.declared
            wanted = {ANYONE: "public", SIGNED_IN: "signed_in"}.get(expected, expected)  # type: ignore[call-overload]
            assert declared == wanted, f"{method} {route.path} declares {declared!r}"


def allowed(rule: Rule, visitor: frozenset[Role] | None) -> bool:
    if isinstance(rule, ObjectRule):
        return allowed(rule.declared, visitor) and bool(visitor and rule.allowed & visitor)
    if rule == ANYONE:
        return True
    if visitor is None:
        return False
    if rule == SIGNED_IN:
        return True
    assert isinstance(rule, frozenset)
    return bool(rule & visitor)


@pytest.fixture
async def records():
    """One of each record, so every path parameter names something real."""
    organisation_id = await people.create_organisation(
        name="Testshire SEND Service", kind=OrganisationKind.LA_SEND, actor=CLI_ACTOR
    )
    team_id = await people.create_team(
        name="Annual Reviews", organisation_id=organisation_id, actor=CLI_ACTOR
    )
    job_role_id = await people.create_job_role(name="SEND caseworker", description="", actor=CLI_ACTOR)
    staff_id = await people.create_staff(
        details=StaffDetails(
            email="target@testshire.example",
            full_name="Target Person",
            organisation_id=organisation_id,
            team_id=team_id,
            job_role_id=job_role_id,
            start_date=date(2024, 1, 8),
        ),
        actor=CLI_ACTOR,
    )
    await audit.record(actor=CLI_ACTOR, action=AuditAction.UPDATE, entity="test", summary="for the matrix")
    entry = (await audit.list_entries(page=1, per_page=1)).entries[0]
    course_id = await publish_course("MATRIX-1")
    module_id = (await catalogue.version_modules((await catalogue.published_version(course_id))["id"]))[0][
        "id"
    ]
    question_id = (await Question.select(Question.id).first())["id"]  # the MATRIX-1 quiz's first question
    rule_id, _ = await assignments.create_rule(
        course_id=course_id,
        target_kind=TargetKind.PERSON,
        target_id=staff_id,
        due=DueRule(DueKind.AFTER_ASSIGNMENT, days=30),
        actor=CLI_ACTOR,
    )
    assignment_id = (await Assignment.select(Assignment.id).where(Assignment.from_rule == rule_id).first())[
        "id"
    ]
    session_id, attendance_id = await matrix_session(course_id=course_id, staff_id=staff_id)
    plan_records = await matrix_plan(owner_id=staff_id, course_id=course_id)
    return {
        **plan_records,
        **await matrix_board(),
        "session_id": session_id,
        "attendance_id": attendance_id,
        # The route is for anyone signed in; whose certificate it is gets checked per completion
        # (tests/courses/test_certificates.py), so here an unknown one answers 404 to all who sign in.
        "filename": "999999.pdf",
        "code": "ABCD-EFGH-JKLM",
        "course_id": course_id,
        "module_id": module_id,
        "question_id": question_id,
        "rule_id": rule_id,
        "assignment_id": assignment_id,
        "staff_id": staff_id,
        "organisation_id": organisation_id,
        "team_id": team_id,
        "job_role_id": job_role_id,
        "entry_id": entry["id"],
        "message_id": 1,  # no such message: a 404, but past the access check
        "file_path": "application.css",
        "path": "unknown.txt",
        "token": "no-such-upload",  # an admin gets "not found", everyone else is refused first
    }


async def matrix_session(*, course_id: int, staff_id: int) -> tuple[int, int]:
    """A session today with one person booked, made through the services trainers use."""
    trainer_id = await make_person("matrix-trainer@testshire.example", Role.TRAINER)
    session_id = await training_sessions.schedule_session(
        details=training_sessions.SessionDetails(
            course_id=course_id,
            on=date.today(),
            starts=time(9, 30),
            ends=time(12, 0),
            venue="Council House, Room 2",
            online_url="",
            capacity=10,
            trainer_id=trainer_id,
        ),
        actor=CLI_ACTOR,
    )
    await training_sessions.book_people(session_id=session_id, staff_ids=[staff_id], actor=CLI_ACTOR)
    attendance = await Attendance.select(Attendance.id).where(Attendance.session == session_id).first()
    return session_id, attendance["id"]


async def matrix_plan(*, owner_id: int, course_id: int) -> dict[str, object]:
    """An approved plan owned and led by someone who is none of the visitors, one of each record in it."""
    now = datetime.now(UTC)
    today = date.today()
    plan = (
        await Plan.insert(
            Plan(
                reference="MATRIX-PLAN",
                title="Matrix improvement plan",
                origin=PlanOrigin.INTERNAL,
                status=PlanStatus.APPROVED,
                owner=owner_id,
                created_at=now,
                updated_at=now,
            )
        )
    )[0]["id"]
    area = (await PriorityArea.insert(PriorityArea(plan=plan, number=1, title="Annual reviews")))[0]["id"]
    action = (
        await Action.insert(
            Action(
                plan=plan,
                priority_area=area,
                reference="1.1",
                description="Hold every annual review on time",
                lead=owner_id,
                start_date=today,
                baseline_date=today,
                forecast_date=today,
            )
        )
    )[0]["id"]
    milestone = (
        await Milestone.insert(
            Milestone(
                plan=plan, action=action, title="Tracker in place", baseline_date=today, forecast_date=today
            )
        )
    )[0]["id"]
    revision = (
        await DateRevision.insert(
            DateRevision(
                plan=plan,
                milestone=milestone,
                field=DateField.FORECAST,
                old_date=today,
                new_date=today,
                reason="matrix",
                status=RevisionStatus.PENDING,
                requested_by=owner_id,
            )
        )
    )[0]["id"]
    update = (
        await ProgressUpdate.insert(
            ProgressUpdate(
                plan=plan,
                action=action,
                period_end=today,
                narrative="Started",
                percent_complete=10,
                rag=Rag.GREEN,
                author=owner_id,
            )
        )
    )[0]["id"]
    evidence = (
        await Evidence.insert(
            Evidence(
                plan=plan,
                action=action,
                kind=EvidenceKind.FILE,
                title="Tracker",
                file_name="tracker.pdf",
                content_type="application/pdf",
                size_bytes=8,
                content=b"%PDF-1.4",
                added_by=owner_id,
            )
        )
    )[0]["id"]
    kpi = (await Kpi.insert(Kpi(plan=plan, name="Reviews on time", unit=KpiUnit.PERCENT)))[0]["id"]
    point = (await KpiDataPoint.insert(KpiDataPoint(kpi=kpi, period_end=today, value=50.0)))[0]["id"]
    link = (await TrainingLink.insert(TrainingLink(action=action, course_id=course_id, target_count=10)))[0][
        "id"
    ]
    await CalendarFeed.insert(CalendarFeed(staff=owner_id, token="matrix-feed-token"))
    return {
        "plan_id": plan,
        "area_id": area,
        "action_id": action,
        "milestone_id": milestone,
        "revision_id": revision,
        "update_id": update,
        "evidence_id": evidence,
        "kpi_id": kpi,
        "point_id": point,
        "link_id": link,
        "feed_token": "matrix-feed-token",
    }


def concrete(path: str, values: dict[str, object]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), path)


def is_refused(response, *, anonymous: bool, path: str) -> bool:
    if anonymous:
        if path.startswith(("/api/", "/schema")):
            return response.status_code == 401 and response.headers["content-type"].startswith(
                "application/problem+json"
            )
        return response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")
    return response.status_code == 403


@pytest.mark.parametrize("visitor", list(VISITORS))
async def test_access_matrix(client, app, records, visitor):
    visitor_roles = VISITORS[visitor]
    if visitor_roles is not None:
        email = f"{visitor.replace(' ', '-')}@testshire.example"
        await make_person(email, *visitor_roles)
        assert (await sign_in(client, email)).status_code == 303
    token = await csrf_token(client)
    # Signing out last keeps the session for every other request.
    for method, path in sorted(ACCESS, key=lambda key: key == ("POST", "/sign-out")):
        rule = ACCESS[(method, path)]
        url = concrete(path, records)
        if method == "POST":
            response = await client.post(url, data={"_csrf_token": token}, follow_redirects=False)
        else:
            response = await client.request(method, url, follow_redirects=False)
        refused = is_refused(response, anonymous=visitor_roles is None, path=path)
        if allowed(rule, visitor_roles):
            assert not refused and response.status_code < 500, (
                f"{visitor} should be able to {method} {url}, got {response.status_code}"
            )
        else:
            assert refused, f"{visitor} must be refused {method} {url}, got {response.status_code}"


class TestEnforceAccess:
    """The guard on its own: an undeclared route is refused to everyone, even admins."""

    @staticmethod
    def _connection(user: CurrentUser | None):
        return SimpleNamespace(scope={"user": user})

    @staticmethod
    def _handler(opt: dict[str, object]):
        @get("/", opt=opt)
        async def handler() -> None:
            return None

        return handler

    admin = CurrentUser(1, "a@x.example", "A", frozenset({Role.ADMIN}), "t")

    async def test_undeclared_route_is_refused_even_to_an_admin(self):
        with pytest.raises(PermissionDeniedException):
            await enforce_access(self._connection(self.admin), self._handler({}))  # type: ignore[arg-type]

    async def test_public_route_needs_no_sign_in(self):
        await enforce_access(self._connection(None), self._handler(public()))  # type: ignore[arg-type]

    async def test_signed_in_route_refuses_nobody_signed_in(self):
        with pytest.raises(NotAuthorizedException):
            await enforce_access(self._connection(None), self._handler(signed_in()))  # type: ignore[arg-type]

    async def test_role_route_refuses_other_roles(self):
        trainer = CurrentUser(2, "t@x.example", "T", frozenset({Role.TRAINER}), "t")
        with pytest.raises(PermissionDeniedException):
            await enforce_access(self._connection(trainer), self._handler(roles(Role.ADMIN)))  # type: ignore[arg-type]
        await enforce_access(self._connection(self.admin), self._handler(roles(Role.ADMIN)))  # type: ignore[arg-type]


async def matrix_board() -> dict[str, object]:
    """A board with one ready report (the sample report's figures); compared with itself."""
    from app.reports.model import encode
    from app.tables import Board, ReportSnapshot
    from tests.app.reports.sample import sample_report

    now = datetime.now(UTC)
    board = (await Board.insert(Board(name="Matrix board", created_at=now, updated_at=now)))[0]["id"]
    data = sample_report()
    snapshot = (
        await ReportSnapshot.insert(
            ReportSnapshot(
                board=board,
                period_start=data.period.start,
                period_end=data.period.end,
                status="ready",
                requested_at=now,
                completed_at=now,
                data=encode(data),
                html="<html></html>",
                pdf=b"%PDF-1.7",
                xlsx=b"PK",
                sha256="0" * 64,
            )
        )
    )[0]["id"]
    return {"board_id": board, "snapshot_id": snapshot, "other_id": snapshot}
