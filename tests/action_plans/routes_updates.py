"""Who may use the progress-update, evidence and RAG-override pages (merged into the access matrix)."""

from tests.access_kinds import PLAN_READERS, PLAN_WRITERS

ROUTES = {
    ("GET", "/actions/{action_id:int}/updates/new"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/updates/new"): PLAN_WRITERS,
    ("GET", "/actions/{action_id:int}/rag-override"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/rag-override"): PLAN_WRITERS,
    ("GET", "/actions/{action_id:int}/evidence/new"): PLAN_WRITERS,
    ("POST", "/actions/{action_id:int}/evidence/new"): PLAN_WRITERS,
    ("GET", "/evidence/{evidence_id:int}"): PLAN_READERS,
}
