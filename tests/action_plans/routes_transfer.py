"""Who may use the import, export and calendar routes (merged into tests/app/test_access_matrix.py)."""

from tests.access_kinds import ANYONE, LEADERS, PLAN_READERS, SIGNED_IN

ROUTES = {
    ("GET", "/plans/{plan_id:int}/export.xlsx"): PLAN_READERS,
    ("GET", "/plans/import"): LEADERS,
    ("POST", "/plans/import"): LEADERS,
    ("GET", "/plans/import/{token:str}/mapping"): LEADERS,
    ("POST", "/plans/import/{token:str}/mapping"): LEADERS,
    ("GET", "/plans/import/{token:str}/preview"): LEADERS,
    ("POST", "/plans/import/{token:str}/confirm"): LEADERS,
    ("GET", "/plans/import/{token:str}/done"): LEADERS,
    # Public: calendar apps cannot sign in; the secret token is the credential (test_calendars.py).
    ("GET", "/calendar/{feed_token:str}/mine"): ANYONE,
    ("GET", "/calendar/{feed_token:str}/plans/{plan_id:int}"): ANYONE,
    ("GET", "/my-actions/calendar"): SIGNED_IN,
    ("POST", "/my-actions/calendar/reset"): SIGNED_IN,
}
