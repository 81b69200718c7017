"""Who may use the governance board pages (issue 5), for the access matrix.

Leaders and administrators manage boards and see a board's page with its list of reports; reading,
generating and comparing reports and the live dashboard are for leaders (board members are leaders).
"""

from app.enums import Role
from tests.access_kinds import LEADERS

MANAGERS = frozenset({Role.LEADER, Role.ADMIN})

ROUTES = {
    ("GET", "/boards"): MANAGERS,
    ("GET", "/boards/new"): MANAGERS,
    ("POST", "/boards/new"): MANAGERS,
    ("GET", "/boards/{board_id:int}"): MANAGERS,
    ("GET", "/boards/{board_id:int}/edit"): MANAGERS,
    ("POST", "/boards/{board_id:int}/edit"): MANAGERS,
    ("POST", "/boards/{board_id:int}/reports"): LEADERS,
    ("GET", "/reports/{snapshot_id:int}"): LEADERS,
    ("GET", "/reports/{snapshot_id:int}/report.pdf"): LEADERS,
    ("GET", "/reports/{snapshot_id:int}/report.xlsx"): LEADERS,
    ("GET", "/reports/{snapshot_id:int}/compare/{other_id:int}"): LEADERS,
    ("GET", "/dashboard"): LEADERS,
}
