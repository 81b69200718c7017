"""Realistic demo data: a council's SEND service and its partners, their teams and about 260 staff.

Loading is idempotent: anything already present (matched by name or email) is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from action_plans.demo import load_action_plans_demo
from app.accounts import services as accounts
from app.audit import CLI_ACTOR
from app.database import write_transaction
from app.enums import OrganisationKind, Role
from app.people import services as people
from app.people.services import StaffDetails
from app.reports.demo import load_reports_demo
from app.tables import JobRole, Organisation, Team
from courses.demo import load_sessions_demo, load_training_demo

DEMO_PASSWORD = "Northbrook SEND demo"  # noqa: S105 (printed for the demo on purpose)
DEMO_DOMAIN = "northbrook.example"

JOB_ROLES = {
    "SEND caseworker": "Coordinates EHC needs assessments, plans and annual reviews",
    "SEND team manager": "Leads a SEND casework team",
    "SENCO": "Special educational needs co-ordinator in a school or college",
    "Educational psychologist": "Gives psychological advice for EHC needs assessments",
    "Social worker": "Children's social care practitioner",
    "Health practitioner": "Therapist, nurse or paediatrician contributing health advice",
    "Designated clinical officer": "Health lead for SEND across the integrated care board",
    "Head of SEND": "Accountable for the council's SEND service",
    "Workforce development officer": "Designs and delivers SEND training",
    "Business support officer": "Administers SEND processes and records",
}

# (organisation, kind, teams, [(job role, share of staff)])
ORGANISATIONS: list[tuple[str, OrganisationKind, list[str], list[tuple[str, int]]]] = [
    (
        "Northbrook Borough Council SEND Service",
        OrganisationKind.LA_SEND,
        [
            "SEND Casework North",
            "SEND Casework South",
            "SEND Casework East",
            "SEND Casework West",
            "Annual Reviews Team",
            "Assessment Team",
            "Post-16 and Preparing for Adulthood",
            "Educational Psychology Service",
            "SEND Business Support",
            "SEND Quality and Improvement",
            "Workforce Development",
        ],
        [
            ("SEND caseworker", 5),
            ("SEND team manager", 1),
            ("Educational psychologist", 1),
            ("Business support officer", 1),
            ("Workforce development officer", 1),
        ],
    ),
    (
        "Northbrook Schools and Colleges Partnership",
        OrganisationKind.EDUCATION,
        [
            "Early Years Settings",
            "Primary Schools North",
            "Primary Schools South",
            "Secondary Schools",
            "Special Schools",
            "Alternative Provision",
            "Further Education Colleges",
            "Resource Bases",
            "Virtual School",
        ],
        [("SENCO", 6)],
    ),
    (
        "Northbrook and District NHS Foundation Trust",
        OrganisationKind.HEALTH,
        [
            "Community Paediatrics",
            "Speech and Language Therapy",
            "Occupational Therapy",
            "Physiotherapy",
            "Child and Adolescent Mental Health",
            "School Nursing",
            "Health Visiting",
        ],
        [("Health practitioner", 6)],
    ),
    (
        "Northbrook Integrated Care Board",
        OrganisationKind.HEALTH,
        ["Designated Clinical Officer Team", "Children's Commissioning", "Continuing Care"],
        [("Designated clinical officer", 1), ("Health practitioner", 3)],
    ),
    (
        "Northbrook Children's Social Care",
        OrganisationKind.SOCIAL_CARE,
        [
            "Children with Disabilities North",
            "Children with Disabilities South",
            "Short Breaks",
            "Early Help",
            "Children in Care",
            "Leaving Care",
            "Safeguarding and Quality Assurance",
            "Transitions Team",
            "Family Support",
        ],
        [("Social worker", 6)],
    ),
]

FIRST_NAMES = [
    "Aisha",
    "Amelia",
    "Amir",
    "Anna",
    "Ben",
    "Bethan",
    "Chloe",
    "Connor",
    "Daniel",
    "Deepa",
    "Eleanor",
    "Ella",
    "Emeka",
    "Fatima",
    "Finley",
    "Grace",
    "Hannah",
    "Harry",
    "Isla",
    "Jack",
    "James",
    "Jasmine",
    "Jessica",
    "Joseph",
    "Kavya",
    "Kirsty",
    "Leah",
    "Liam",
    "Lucy",
    "Maya",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Noah",
    "Olivia",
    "Oscar",
    "Priya",
    "Rachel",
    "Rhys",
    "Ruth",
    "Sam",
    "Sarah",
    "Siobhan",
    "Sofia",
    "Tariq",
    "Thomas",
    "Tom",
    "Zara",
    "Zoe",
    "Yusuf",
]
SURNAMES = [
    "Ahmed",
    "Ali",
    "Atkinson",
    "Bailey",
    "Begum",
    "Bennett",
    "Brown",
    "Campbell",
    "Clarke",
    "Cooper",
    "Davies",
    "Edwards",
    "Evans",
    "Fletcher",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Jackson",
    "Jones",
    "Kaur",
    "Khan",
    "King",
    "Lewis",
    "Martin",
    "Morgan",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Price",
    "Roberts",
    "Robinson",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]

# The one council team not yet given the EHCP course, so a trainer can assign it in the demo.
JOURNEY_TEAM = "Post-16 and Preparing for Adulthood"

# (role, email local part, name, organisation index, team, job role)
SIGN_INS: list[tuple[Role, str, str, int, str, str]] = [
    (Role.ADMIN, "admin", "Alex Morgan", 0, "SEND Business Support", "Business support officer"),
    (Role.TRAINER, "trainer", "Tessa Okafor", 0, "Workforce Development", "Workforce development officer"),
    (Role.PROFESSIONAL, "professional", "Priya Shah", 0, JOURNEY_TEAM, "SEND caseworker"),
    (Role.LEADER, "leader", "Lena Fletcher", 0, "SEND Quality and Improvement", "Head of SEND"),
]


@dataclass
class DemoSummary:
    organisations: int = 0
    teams: int = 0
    staff: int = 0
    created: int = 0
    sign_ins: list[tuple[str, str]] = field(default_factory=list)
    training: str = ""
    action_plans: str = ""
    reports: str = ""

    def describe(self) -> str:
        return (
            f"Demo data ready: {self.organisations} organisations, {self.teams} teams, "
            f"{self.staff} active staff ({self.created} added this time).\n{self.training}\n"
            f"{self.action_plans}\n{self.reports}"
        )


async def _ensure_job_roles() -> dict[str, int]:
    existing = {r["name"]: r["id"] for r in await JobRole.select(JobRole.id, JobRole.name)}
    for name, description in JOB_ROLES.items():
        if name not in existing:
            existing[name] = await people.create_job_role(name=name, description=description, actor=CLI_ACTOR)
    return existing


async def _ensure_organisation(name: str, kind: OrganisationKind, teams: list[str]) -> tuple[int, list[int]]:
    row = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    organisation_id = (
        int(row["id"]) if row else await people.create_organisation(name=name, kind=kind, actor=CLI_ACTOR)
    )
    existing = {
        t["name"]: t["id"]
        for t in await Team.select(Team.id, Team.name).where(Team.organisation == organisation_id)
    }
    team_ids = []
    for team in teams:
        if team not in existing:
            existing[team] = await people.create_team(
                name=team, organisation_id=organisation_id, actor=CLI_ACTOR
            )
        team_ids.append(existing[team])
    return organisation_id, team_ids


async def load_demo() -> DemoSummary:
    """Load the demo organisations, teams, job roles, staff and one sign-in per role, then the demo's
    training, action plans and board reports. Each part is one transaction: it lands whole or not at
    all, and its thousands of statements share one connection instead of opening one each."""
    today = date.today()
    async with write_transaction():
        summary, sign_in_ids = await _load_people(today)
    async with write_transaction():
        # The demo sign-ins start with a clean slate, so each role can try the journeys from the start.
        training = await load_training_demo(
            trainer_id=sign_in_ids.get(Role.TRAINER),
            untouched=set(sign_in_ids.values()),
            held_back_teams={JOURNEY_TEAM},
        )
        added_sessions = 0
        if Role.TRAINER in sign_in_ids:
            added_sessions = await load_sessions_demo(trainer_id=sign_in_ids[Role.TRAINER])
    summary.training = f"{training.describe()} {added_sessions} workshop sessions added."
    async with write_transaction():
        plans = await load_action_plans_demo(
            leader_id=sign_in_ids[Role.LEADER],
            professional_id=sign_in_ids[Role.PROFESSIONAL],
            trainer_id=sign_in_ids[Role.TRAINER],
            course_id=training.course_id,
        )
    summary.action_plans = plans.describe()
    summary.reports = (await load_reports_demo(leader_id=sign_in_ids[Role.LEADER], today=today)).describe()
    return summary


async def _load_people(today: date) -> tuple[DemoSummary, dict[Role, int]]:
    """The organisations, teams, job roles and staff, and the sign-ins (with the id of each)."""
    rng = random.Random(2019)  # noqa: S311 (demo data, not security); the year of the Ombudsman's report; fixed so every load is the same
    summary = DemoSummary()
    job_roles = await _ensure_job_roles()
    organisation_ids = []
    seen_emails: set[str] = set()

    for org_index, (org_name, kind, teams, mix) in enumerate(ORGANISATIONS):
        organisation_id, team_ids = await _ensure_organisation(org_name, kind, teams)
        organisation_ids.append(organisation_id)
        summary.organisations += 1
        summary.teams += len(team_ids)
        domain = f"{kind.value.replace('_', '-')}{org_index}.{DEMO_DOMAIN}"
        for team_number, team_id in enumerate(team_ids):
            manager_id: int | None = None
            members = [role for role, share in mix for _ in range(share)]
            rng.shuffle(members)
            # The first person in each team manages the others.
            for member_number, job_role in enumerate(members):
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                local = f"{first}.{last}".lower().replace("'", "")
                email = f"{local}@{domain}"
                suffix = 2
                while email in seen_emails:
                    email = f"{local}{suffix}@{domain}"
                    suffix += 1
                seen_emails.add(email)
                # Drawn whether or not the person exists, so a second load makes the same choices.
                start_date = today - timedelta(days=rng.randint(20, 15 * 365))
                staff_id = await people.staff_id_by_email(email)
                if staff_id is None:
                    staff_id = await people.create_staff(
                        details=StaffDetails(
                            email=email,
                            full_name=f"{first} {last}",
                            organisation_id=organisation_id,
                            team_id=team_id,
                            job_role_id=job_roles[job_role],
                            line_manager_id=manager_id,
                            employee_number=f"E{org_index}{team_number:02d}{member_number:03d}",
                            start_date=start_date,
                        ),
                        actor=CLI_ACTOR,
                    )
                    summary.created += 1
                if member_number == 0:
                    manager_id = staff_id
                summary.staff += 1

    sign_in_ids: dict[Role, int] = {}
    for role, local, name, org_index, team, job_role in SIGN_INS:
        email = f"{local}@{DEMO_DOMAIN}"
        staff_id = await people.staff_id_by_email(email)
        if staff_id is None:
            team_row = (
                await Team.select(Team.id)
                .where((Team.organisation == organisation_ids[org_index]) & (Team.name == team))
                .first()
            )
            staff_id = await people.create_staff(
                details=StaffDetails(
                    email=email,
                    full_name=name,
                    organisation_id=organisation_ids[org_index],
                    team_id=team_row["id"] if team_row else None,
                    job_role_id=job_roles[job_role],
                ),
                actor=CLI_ACTOR,
            )
            summary.created += 1
            await accounts.set_password(staff_id=staff_id, password=DEMO_PASSWORD, actor=CLI_ACTOR)
        summary.staff += 1
        # The professional signs in as a caseworker; everyone else also holds their own role.
        await accounts.set_roles(
            staff_id=staff_id,
            roles={role} if role is Role.PROFESSIONAL else {role, Role.PROFESSIONAL},
            actor=CLI_ACTOR,
        )
        summary.sign_ins.append((role.label, email))
        sign_in_ids[role] = staff_id
    return summary, sign_in_ids
