"""The kinds of access decision the route-by-visitor matrix (tests/app/test_access_matrix.py) knows.

Action-plan routes list theirs in tests/action_plans/routes_*.py (one file per area, each a ROUTES
dict), which the matrix merges into its table.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.enums import Role

ANYONE = "anyone"  # no sign-in needed
SIGNED_IN = "signed in"  # any signed-in person, whatever their roles
ADMIN = frozenset({Role.ADMIN})
READERS = frozenset({Role.ADMIN, Role.TRAINER, Role.LEADER})
TRAINERS = frozenset({Role.TRAINER, Role.ADMIN})
LEADERS = frozenset({Role.LEADER})


@dataclass(frozen=True)
class ObjectRule:
    """A route whose handler declares `declared` and then checks the record itself.

    On the matrix's records (a plan owned and led by someone who is not a visitor) only the roles in
    `allowed` get through. Owners and leads are tested in tests/action_plans.
    """

    declared: str | frozenset[Role]
    allowed: frozenset[Role]


# Signed in; leaders see every plan, and anyone who leads something in it.
PLAN_READERS = ObjectRule(SIGNED_IN, LEADERS)
# Signed in; only the plan owner, or the lead of the action or milestone, may change it.
PLAN_WRITERS = ObjectRule(SIGNED_IN, frozenset())

Rule = str | frozenset[Role] | ObjectRule
