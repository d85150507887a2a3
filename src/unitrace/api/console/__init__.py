"""The brand console at ``/console``: server-rendered pages for the people who run the brand,
signed in with an email and a password (:mod:`.session`, :mod:`.sign_in`)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.console import (
    alerts,
    cold_chain,
    overview,
    parties,
    products,
    recalls,
    scans,
    serial_requests,
    sign_in,
    trace,
    units,
)
from unitrace.api.console.pages import NO_STORE
from unitrace.api.console.session import FormRefused, SignInNeeded, sign_in_redirect
from unitrace.web.pages import render_page

router = APIRouter(include_in_schema=False)
router.include_router(sign_in.router)
router.include_router(overview.router)
router.include_router(scans.router)
router.include_router(alerts.router)
router.include_router(units.router)
router.include_router(parties.router)
router.include_router(products.router)
router.include_router(serial_requests.router)
router.include_router(trace.router)
router.include_router(recalls.router)
router.include_router(cold_chain.router)


def install_console(app: FastAPI) -> None:
    """The console's routes, and its answers to a missing session or a forged form."""

    async def needs_sign_in(_: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        return sign_in_redirect(error.back_to)

    async def refused_form(_: Request, error: Exception) -> Response:
        page = render_page(
            "console/refused_form.html",
            message="this form was not sent by your console page (its token is missing or "
            "out of date): nothing was changed. Go back, reload the page and try again.",
        )
        return HTMLResponse(page, status_code=403, headers=NO_STORE)

    app.add_exception_handler(SignInNeeded, needs_sign_in)
    app.add_exception_handler(FormRefused, refused_form)
    app.include_router(router)
