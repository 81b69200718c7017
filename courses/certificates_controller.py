"""Certificate downloads for their owner and trainers, and the public page that checks a certificate code."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app.accounts.access import CurrentUser, public, signed_in
from app.enums import Role
from app.web.forms import error_context
from courses import certificates, learning

PDF_NAME = re.compile(r"(\d{1,18})\.pdf")
# Who may download anyone's certificate; everyone else only their own.
CERTIFICATE_READERS = (Role.TRAINER, Role.ADMIN)


def normalise_code(code: str) -> str:
    """A code as printed (ABCD-EFGH-JKLM), whatever spaces, dashes or letter case were typed."""
    letters = "".join(c for c in code.upper() if c.isalnum())
    if len(letters) == 12:
        return f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"
    return letters[:40]


class CertificateController(Controller):
    path = "/certificates"
    opt = signed_in()

    # Litestar matches whole path segments, so "<id>.pdf" is read as one parameter and checked here.
    @get("/{filename:str}")
    async def download(self, request: Request[Any, Any, Any], filename: FromPath[str]) -> Response[bytes]:
        match = PDF_NAME.fullmatch(filename)
        if match is None:
            raise NotFoundException()
        completion = await learning.completion_for_certificate(int(match.group(1)))
        if completion is None:
            raise NotFoundException()
        user: CurrentUser = request.scope["user"]
        # Object-level check: changing the number in the address must not reveal a colleague's certificate.
        if completion["staff"] != user.staff_id and not user.has(*CERTIFICATE_READERS):
            raise PermissionDeniedException("You can only download your own certificates")
        pdf = await certificates.render_certificate(completion)
        filename = certificates.certificate_filename(completion)
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )


# The verification pages need no sign-in and are not rate-limited on purpose: a code is 12 characters
# from a 32-letter alphabet (32**12 = 2**60 possibilities), so guessing a real one by trying codes is
# impractical, and a page shows only a name, a course and two dates. Unknown and malformed codes get
# the same answer and status, so the page tells a guesser nothing about why a code failed.
class VerifyController(Controller):
    path = "/verify"
    opt = public()

    @get("/")
    async def form(self, code: FromQuery[str | None] = None) -> Template | Redirect:
        if code is not None:
            cleaned = normalise_code(code)
            if cleaned:
                return Redirect(f"/verify/{cleaned}", status_code=303)
        errors = {"code": "Enter the certificate code"} if code is not None else {}
        return Template(
            "courses/verify_form.html",
            context={"title": "Check a training certificate", **error_context(errors)},
            status_code=400 if errors else 200,
        )

    @get("/{code:str}")
    async def verify(self, code: FromPath[str]) -> Template:
        cleaned = normalise_code(code)
        found = await learning.verify_code(cleaned) if cleaned else None
        return Template(
            "courses/verify.html",
            context={
                "title": "Certificate checked" if found else "Certificate not found",
                "code": cleaned,
                "found": found,
                "today": date.today(),
            },
            status_code=200 if found else 404,
        )
