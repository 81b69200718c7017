"""Who may use the read-only plan pages (helper B): see tests/access_kinds.py."""

from tests.access_kinds import PLAN_READERS, SIGNED_IN

ROUTES = {
    ("GET", "/plans"): SIGNED_IN,
    ("GET", "/plans/{plan_id:int}"): PLAN_READERS,
    ("GET", "/plans/{plan_id:int}/changes"): PLAN_READERS,
    ("GET", "/actions/{action_id:int}"): PLAN_READERS,
    ("GET", "/milestones/{milestone_id:int}"): PLAN_READERS,
    ("GET", "/my-actions"): SIGNED_IN,
    ("GET", "/due-dates"): SIGNED_IN,
}
