"""RFC 7807 problem details: every error the API gives is ``application/problem+json`` with a
message a person can act on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from unitrace.api.security_headers import SecurityHeaders
from unitrace.gs1 import InvalidCode
from unitrace.registry.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    Refused,
    TransitionRefused,
)
from unitrace.store.database import BUSY_ERROR_TYPES, DatabaseBusy, is_busy, refused_value

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)
#: What a failure nobody foresaw says: its own text may name internals, and is logged instead.
UNFORESEEN_DETAIL: Final = (
    "unitrace failed to answer this request; nothing was changed. Try again, and report the "
    "time of the request if it fails again."
)

#: What text that is not valid Unicode (half a surrogate pair, say) is answered with.
BAD_TEXT: Final = "text must be valid Unicode (no lone surrogate); nothing was changed"

# (status, type slug, title) for each kind of refusal, most specific first
_REFUSALS: list[tuple[type[Exception], int, str, str]] = [
    (TransitionRefused, 409, "transition-refused", "State change refused"),
    (Conflict, 409, "conflict", "Conflict with the registry"),
    (NotFound, 404, "not-found", "Not found"),
    (Forbidden, 403, "forbidden", "Not allowed for this caller"),
    (InvalidRequest, 422, "invalid-request", "Invalid request"),
    (InvalidCode, 422, "invalid-code", "Invalid GS1 code"),
]


@dataclass(frozen=True, slots=True)
class ProblemKind:
    status: int
    slug: str
    title: str


def problem_for(error: Exception) -> ProblemKind:
    """The status, type and title a refusal is answered with."""
    for kind, status, slug, title in _REFUSALS:
        if isinstance(error, kind):
            return ProblemKind(status, slug, title)
    return ProblemKind(400, "refused", "Refused")


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    async def refused(_: Request, error: Exception) -> JSONResponse:
        kind = problem_for(error)
        extra: dict[str, Any] = {}
        if isinstance(error, TransitionRefused):
            extra = {"unit": error.unit, "state": error.state, "rule": error.rule}
        return problem(kind.status, kind.slug, kind.title, str(error), **extra)

    async def invalid_body(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        details = [validation_message(e) for e in error.errors()]
        return problem(
            422, "invalid-request", "Invalid request", "; ".join(details), errors=details
        )

    async def http_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        slug = {
            401: "unauthorized",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
        }
        answer = problem(
            error.status_code,
            slug.get(error.status_code, "error"),
            _TITLES.get(error.status_code, "Error"),
            str(error.detail),
        )
        answer.headers.update(error.headers or {})
        return answer

    async def database_error(request: Request, error: Exception) -> JSONResponse:
        value = refused_value(error)
        if value is not None:
            return problem(
                422, "invalid-request", "Invalid request", f"{value}; nothing was changed"
            )
        if not is_busy(error):
            raise error  # a fault, answered as one by the handler of last resort
        return busy_problem(error)

    async def unforeseen(request: Request, error: Exception) -> JSONResponse:
        # the log keeps what went wrong; the answer names no internals. It is given outside
        # the middleware (Starlette answers faults last), so it carries their headers itself.
        answer = problem(500, "internal-error", "Internal error", UNFORESEEN_DETAIL)
        answer.headers.update(SecurityHeaders.ALWAYS)
        return answer

    async def bad_text(request: Request, error: Exception) -> JSONResponse:
        # text no database or UTF-8 answer can hold, from wherever it came in
        return problem(422, "invalid-request", "Invalid request", BAD_TEXT)

    for kind in BUSY_ERROR_TYPES:
        app.add_exception_handler(kind, database_error)
    app.add_exception_handler(UnicodeError, bad_text)
    app.add_exception_handler(Exception, unforeseen)
    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(InvalidCode, refused)
    app.add_exception_handler(RequestValidationError, invalid_body)
    app.add_exception_handler(StarletteHTTPException, http_error)


def busy_problem(error: Exception) -> JSONResponse:
    """503 with ``Retry-After``: the database's locks were held too long by others' work."""
    retry = error.retry_after if isinstance(error, DatabaseBusy) else 2
    detail = (
        str(error)
        if isinstance(error, DatabaseBusy)
        else "the database is busy with other work; nothing was changed: try again in a moment"
    )
    answer = problem(503, "busy", "Service busy", detail)
    answer.headers["Retry-After"] = str(retry)
    return answer


_TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
}


def validation_message(error: Any) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return f"{location}: {error.get('msg', 'invalid')}" if location else str(error.get("msg"))
