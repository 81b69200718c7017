"""Create a person with a sign-in in one step, for the command line and the demo."""

from __future__ import annotations

from piccolo.query.functions.string import Lower

from app.accounts import services as accounts
from app.accounts.passwords import password_problem
from app.audit import CLI_ACTOR, Actor
from app.database import write_transaction
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import PeopleError, StaffDetails
from app.tables import Organisation


class ProvisioningError(ValueError):
    pass


async def create_user(
    *,
    email: str,
    full_name: str,
    roles: set[Role],
    password: str,
    organisation_name: str | None = None,
    actor: Actor = CLI_ACTOR,
) -> int:
    """Add a person with a password and roles; raises ProvisioningError and writes nothing on failure."""
    if problem := password_problem(password, user_inputs=(email, full_name)):
        raise ProvisioningError(problem)
    if await people.staff_id_by_email(email) is not None:
        raise ProvisioningError(f"Someone with the email address {email.strip().lower()} already exists")
    async with write_transaction():
        organisation_id = await _organisation_id(organisation_name, actor)
        try:
            staff_id = await people.create_staff(
                details=StaffDetails(email=email, full_name=full_name, organisation_id=organisation_id),
                actor=actor,
            )
        except PeopleError as exc:
            raise ProvisioningError(exc.message) from exc
        await accounts.set_password(staff_id=staff_id, password=password, actor=actor)
        await accounts.set_roles(staff_id=staff_id, roles=roles, actor=actor)
    return staff_id


async def _organisation_id(name: str | None, actor: Actor) -> int:
    if name:
        row = (
            await Organisation.select(Organisation.id).where(Lower(Organisation.name) == name.lower()).first()
        )
        if row is None:
            raise ProvisioningError(f"No organisation called {name!r}")
        return int(row["id"])
    row = (
        await Organisation.select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.LA_SEND)
        .order_by(Organisation.id)
        .first()
    )
    if row:
        return int(row["id"])
    # A brand-new installation has no organisations: start with the council's own service.
    return await people.create_organisation(
        name="Local authority SEND service", kind=OrganisationKind.LA_SEND, actor=actor
    )
