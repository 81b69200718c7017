"""Who may use the training-link pages (merged into tests/app/test_access_matrix.py)."""

from tests.access_kinds import PLAN_READERS, PLAN_WRITERS

ROUTES = {
    ("GET", "/actions/{action_id:int}/training"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/training"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/training/remove"): PLAN_WRITERS,
    ("GET", "/actions/{action_id:int}/training/evidence"): PLAN_READERS,
}
