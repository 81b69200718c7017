"""Access decisions for the plan structure and date pages (action_plans/plans_controller.py)."""

from tests.access_kinds import LEADERS, PLAN_WRITERS

ROUTES = {
    ("GET", "/plans/new"): LEADERS,
    ("POST", "/plans/new"): LEADERS,
    ("GET", "/plans/{plan_id:int}/edit"): PLAN_WRITERS,
    ("POST", "/plans/{plan_id:int}/edit"): PLAN_WRITERS,
    ("GET", "/plans/{plan_id:int}/approve"): PLAN_WRITERS,
    ("POST", "/plans/{plan_id:int}/approve"): PLAN_WRITERS,
    ("GET", "/plans/{plan_id:int}/areas/new"): PLAN_WRITERS,
    ("POST", "/plans/{plan_id:int}/areas/new"): PLAN_WRITERS,
    ("GET", "/areas/{area_id:int}/edit"): PLAN_WRITERS,
    ("POST", "/areas/{area_id:int}/edit"): PLAN_WRITERS,
    ("GET", "/plans/{plan_id:int}/actions/new"): PLAN_WRITERS,
    ("POST", "/plans/{plan_id:int}/actions/new"): PLAN_WRITERS,
    ("GET", "/actions/{action_id:int}/edit"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/edit"): PLAN_WRITERS,
    ("GET", "/actions/{action_id:int}/dates"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/dates"): PLAN_WRITERS,
    ("GET", "/actions/{action_id:int}/milestones/new"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/milestones/new"): PLAN_WRITERS,
    ("GET", "/milestones/{milestone_id:int}/edit"): PLAN_WRITERS,
    ("POST", "/milestones/{milestone_id:int}/edit"): PLAN_WRITERS,
    ("GET", "/milestones/{milestone_id:int}/dates"): PLAN_WRITERS,
    ("POST", "/milestones/{milestone_id:int}/dates"): PLAN_WRITERS,
    ("GET", "/plans/{plan_id:int}/date-requests"): PLAN_WRITERS,
    ("POST", "/revisions/{revision_id:int}/decision"): PLAN_WRITERS,
}
