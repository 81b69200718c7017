"""Every admin controller, in the order the navigation shows them."""

from app.admin.audit import AuditController
from app.admin.imports import StaffImportController
from app.admin.job_roles import JobRolesController
from app.admin.organisations import OrganisationsController, TeamsController
from app.admin.staff import StaffController

ADMIN_CONTROLLERS = [
    StaffController,
    StaffImportController,
    OrganisationsController,
    TeamsController,
    JobRolesController,
    AuditController,
]
