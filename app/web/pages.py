"""Pages every signed-in person shares: home, the accessibility statement, and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from app.accounts.access import CurrentUser, public, signed_in
from app.database import get_engine
from app.people import services as people
from courses import learning
from courses.enums import TrainingStatus


class PagesController(Controller):
    path = "/"

    @get("/", opt=signed_in(), name="home")
    async def home(self, request: Request[CurrentUser, Any, Any]) -> Template:
        user = request.user
        context: dict[str, Any] = {
            "title": "Home",
            "me": await people.get_staff(user.staff_id),
        }
        if user.roles:
            context["workforce"] = await people.workforce_summary()
        training = await learning.my_training(staff_id=user.staff_id)
        context["training"] = training
        context["training_due"] = [
            t for t in training if t.status not in (TrainingStatus.COMPLETED, TrainingStatus.EXPIRING_SOON)
        ]
        return Template("pages/home.html", context=context)

    @get("/accessibility", opt=public())
    async def accessibility(self) -> Template:
        return Template("pages/accessibility.html", context={"title": "Accessibility statement"})

    @get("/health", opt=public(), include_in_schema=True)
    async def health(self) -> Response[dict[str, str]]:
        """200 when the database answers, 503 when it does not."""
        try:
            await get_engine().run_ddl("SELECT 1")
        except Exception:  # any failure to reach the database is the answer itself
            return Response({"status": "unavailable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"status": "ok"})
