"""Accounts: create, authenticate and load the person behind a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app import audit
from app.accounts.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from app.audit import Actor
from app.database import write_transaction
from app.enums import AuditAction, Role
from app.tables import Account, RoleGrant, Staff


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class Identity:
    staff_id: int
    email: str
    full_name: str
    roles: frozenset[Role]


async def load_identity(staff_id: int) -> Identity | None:
    """The signed-in person, if they are still active and still have an account (one statement: it
    runs on every request)."""
    rows = await Staff.raw(
        "SELECT s.id, s.email, s.full_name, g.role FROM staff s "
        "LEFT JOIN role_grant g ON g.staff = s.id "
        "WHERE s.id = {} AND s.left_on IS NULL "
        "AND EXISTS (SELECT 1 FROM account a WHERE a.staff = s.id)",
        staff_id,
    )
    if not rows:
        return None
    return Identity(
        staff_id=rows[0]["id"],
        email=rows[0]["email"],
        full_name=rows[0]["full_name"],
        roles=frozenset(Role(r["role"]) for r in rows if r["role"] is not None),
    )


async def authenticate(email: str, password: str) -> int | None:
    """The staff id whose email and password match, or None. Takes similar time either way."""
    row = (
        await Account.select(Account.id, Account.password_hash, Account.staff)
        .where((Account.staff.email == normalise_email(email)) & Account.staff.left_on.is_null())
        .first()
    )
    if row is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(row["password_hash"], password):
        return None
    values: dict[object, object] = {Account.last_signed_in_at: datetime.now(UTC)}
    if needs_rehash(row["password_hash"]):
        values[Account.password_hash] = hash_password(password)
    await Account.update(values).where(Account.id == row["id"])  # type: ignore[arg-type]
    return int(row["staff"])


async def set_password(*, staff_id: int, password: str, actor: Actor) -> None:
    """Create or replace a person's sign-in password, after checking the policy."""
    staff = await Staff.select(Staff.email, Staff.full_name).where(Staff.id == staff_id).first()
    if staff is None:
        raise AccountError("No such person")
    if problem := password_problem(password, user_inputs=(staff["email"], staff["full_name"])):
        raise AccountError(problem)
    now = datetime.now(UTC)
    async with write_transaction():
        existing = await Account.select(Account.id).where(Account.staff == staff_id).first()
        if existing:
            await Account.update(
                {Account.password_hash: hash_password(password), Account.password_changed_at: now}
            ).where(Account.id == existing["id"])
        else:
            await Account.insert(
                Account(staff=staff_id, password_hash=hash_password(password), password_changed_at=now)
            )
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE if existing else AuditAction.CREATE,
            entity="account",
            entity_id=staff_id,
            summary=f"Password {'changed' if existing else 'set'} for {staff['email']}",
        )


async def roles_of(staff_id: int) -> set[Role]:
    grants = await RoleGrant.select(RoleGrant.role).where(RoleGrant.staff == staff_id)
    return {Role(g["role"]) for g in grants}


async def set_roles(*, staff_id: int, roles: set[Role], actor: Actor) -> None:
    """Replace the roles a person holds; audited only when they change."""
    async with write_transaction():
        before = await roles_of(staff_id)
        if before == roles:
            return
        await RoleGrant.delete().where(RoleGrant.staff == staff_id)
        if roles:
            await RoleGrant.insert(*[RoleGrant(staff=staff_id, role=r) for r in sorted(roles)])
        await audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity="roles",
            entity_id=staff_id,
            summary="Roles changed",
            before={"roles": sorted(before)},
            after={"roles": sorted(roles)},
        )
