"""Signing in to the console and out of it: ``/console/login`` and ``/console/logout``.

The sign-in form is protected against cross-site posts by a token in a cookie of its own
(``unitrace_sign_in``, ``SameSite=Strict``) that the form repeats; failures are counted and
audited by :func:`~unitrace.services.console_users.sign_in`, which refuses an email or an
address after too many.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Final

import anyio.to_thread
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.callers import caller_of
from unitrace.api.console.pages import NO_STORE
from unitrace.api.console.session import (
    CONSOLE_PATH,
    SIGN_IN_PATH,
    SignedIn,
    clear_session_cookie,
    over_https,
    safe_next,
    set_session_cookie,
)
from unitrace.services.console_users import (
    SESSION_LIFETIME,
    SignInFailed,
    SignInThrottled,
    sign_in,
    sign_out,
)
from unitrace.services.console_users import (
    SignedIn as SignedInUser,
)
from unitrace.store.unit_of_work import Database
from unitrace.web.pages import render_page

router = APIRouter(include_in_schema=False)

#: The sign-in form's own cookie against cross-site posts.
SIGN_IN_COOKIE: Final = "unitrace_sign_in"


@router.get(SIGN_IN_PATH)
def sign_in_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return _form(request, next=safe_next(next))


@router.post(SIGN_IN_PATH)
async def sign_in_posted(
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2048)] = CONSOLE_PATH,
) -> Response:
    back_to = safe_next(next)
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        message = "the sign-in form had expired: please sign in again"
        return _form(request, next=back_to, email=email, message=message, status=403)
    if not email.strip() or not password:
        message = "give your email and your password"
        return _form(request, next=back_to, email=email, message=message, status=400)
    database: Database = request.app.state.database
    address = caller_of(request)
    try:
        signed = await anyio.to_thread.run_sync(_sign_in, database, email, password, address)
    except SignInThrottled as refusal:
        held = _form(request, next=back_to, email=email, message=str(refusal), status=429)
        held.headers["Retry-After"] = str(refusal.retry_after)
        return held
    except SignInFailed as refusal:
        return _form(request, next=back_to, email=email, message=str(refusal), status=401)
    answer = Response(status_code=303, headers={"Location": back_to, **NO_STORE})
    set_session_cookie(answer, request, signed.token, int(SESSION_LIFETIME.total_seconds()))
    answer.delete_cookie(SIGN_IN_COOKIE, path=SIGN_IN_PATH)
    return answer


@router.post("/console/logout")
def sign_out_posted(request: Request, signed: SignedIn) -> Response:
    database: Database = request.app.state.database
    with database.unit_of_work() as uow:
        sign_out(uow, signed.token)
        uow.commit()
    answer = Response(status_code=303, headers={"Location": SIGN_IN_PATH, **NO_STORE})
    clear_session_cookie(answer, request)
    return answer


def _sign_in(database: Database, email: str, password: str, address: str) -> SignedInUser:
    with database.unit_of_work() as uow:
        try:
            signed = sign_in(uow, email=email, password=password, address=address)
        except (SignInFailed, SignInThrottled):
            # a failure is kept as a success is: the count of failures depends on it
            uow.commit()
            raise
        uow.commit()
        return signed


def _form(
    request: Request, *, next: str, email: str = "", message: str | None = None, status: int = 200
) -> HTMLResponse:
    kept = request.cookies.get(SIGN_IN_COOKIE, "")
    # a form opened in another tab keeps working: the token is made once per browser
    token = kept if len(kept) == 32 and kept.replace("-", "").replace("_", "").isalnum() else ""
    token = token or secrets.token_urlsafe(24)
    page = render_page("console/login.html", next=next, email=email, message=message, csrf=token)
    answer = HTMLResponse(page, status_code=status, headers=NO_STORE)
    answer.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path=SIGN_IN_PATH,
        httponly=True,
        samesite="strict",
        secure=over_https(request),
    )
    return answer
