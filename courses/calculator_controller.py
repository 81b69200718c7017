"""The statutory-timescale calculator page: enter a date and an event, see every deadline that follows."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from app.accounts.access import signed_in
from app.web.forms import error_context, parse_date_parts
from courses import timescales
from courses.timescales import Event


class CalculatorController(Controller):
    path = "/calculator"
    opt = signed_in()

    @get("/")
    async def calculator(
        self,
        event: FromQuery[str] = "",
        on_day: Annotated[str, QueryParameter(name="on-day")] = "",
        on_month: Annotated[str, QueryParameter(name="on-month")] = "",
        on_year: Annotated[str, QueryParameter(name="on-year")] = "",
        under_five: FromQuery[str] = "",
    ) -> Template:
        parts = {"day": on_day, "month": on_month, "year": on_year}
        submitted = bool(event or any(parts.values()))
        errors: dict[str, str] = {}
        deadlines: list[timescales.Deadline] = []
        chosen = Event(event) if event in {e.value for e in Event} else None
        if submitted:
            if chosen is None:
                errors["event"] = "Select what happened"
            on, problem = parse_date_parts({f"on-{k}": v for k, v in parts.items()}, "on")
            if problem:
                errors["on-day"] = f"The date {problem}"
            elif on is None:
                errors["on-day"] = "Enter the date it happened"
            if not errors and chosen is not None and on is not None:
                deadlines = timescales.deadlines_after(chosen, on, under_five=under_five == "yes")
        context: dict[str, Any] = {
            "title": "Statutory timescale calculator",
            "events": list(Event),
            "chosen": chosen.value if chosen else "",
            "parts": parts,
            "under_five": under_five == "yes",
            "deadlines": deadlines,
            **error_context(errors),
        }
        return Template("courses/calculator.html", context=context, status_code=400 if errors else 200)
