"""EPCIS problems: every error a ``/epcis`` route gives, answered as the official EPCIS 2.0
REST binding (OpenAPI) types it — RFC 7807 ``application/problem+json`` whose ``type`` is
``epcisException:<name>`` — while ``/api`` and the other routes keep unitrace's own problems
(:mod:`unitrace.api.problems`: 422 for an invalid request, ``/problems/<slug>`` types).

The registry's refusals (:mod:`unitrace.registry.errors`) and the query's exceptions are mapped
here, in one place, by the path and method they were raised on:

======================================  ======  ==========================================
refusal                                 status  ``type`` (``epcisException:…``)
======================================  ======  ==========================================
``QueryParameterException``             400     ``QueryParameterException``; on
                                                ``/epcis/queries/{name}/events``, whose
                                                400 the OpenAPI types otherwise,
                                                ``ValidationException``
``InvalidRequest``, ``InvalidCode``,    400     ``SubscriptionControlsException`` on
an invalid body or header                       ``/epcis/queries/{name}/subscriptions…``,
                                                else ``ValidationException``
``TransitionRefused``; ``NotFound``     400     ``ValidationException`` (the event is
and ``Conflict`` while capturing                refused, as a capture job lists it)
no or an unknown bearer token           401     ``SecurityException``
``Forbidden``, a role that may not      403     ``SecurityException``
``NotFound``, an unknown ``/epcis`` URL 404     ``NoSuchNameException``
a method a resource does not take       405     ``ImplementationException``
``Accept`` naming no form served        406     ``NotAcceptableException``
``AlreadyExists`` (an eventID captured  409     ``ResourceAlreadyExistsException``
already, a query name taken), and any
other ``Conflict`` but while capturing
a document over the capture limits      413     ``CaptureLimitExceededException``
``QueryTooLargeException``              413     ``QueryTooLargeException``
a body in a media type not read         415     ``UnsupportedMediaTypeException``
anything unforeseen                     500     ``ImplementationException``
======================================  ======  ==========================================

"While capturing" is ``POST /epcis/capture`` and ``POST /epcis/events``, whose OpenAPI answers
have no 404: a party, container or unit an event names but the registry does not know is the
event's fault, a 400 naming it. Their 409 is for an eventID that exists already
(``AlreadyExists``); the registry's other conflicts (a unit packed already) are the event's
fault too, a 400 ``ValidationException`` naming the rule.

The OpenAPI's 404 admits ``NoSuchNameException`` alone (its example says
``NoSuchResourceException``), so every 404 is typed so. Where the OpenAPI also offers
``application/problem+xml``, unitrace answers ``application/problem+json`` only. Every problem
carries ``GS1-EPCIS-Version`` and ``GS1-CBV-Version``; a 413 from capture the capture limits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from unitrace.api.problems import BAD_TEXT, PROBLEM_JSON, UNFORESEEN_DETAIL, validation_message
from unitrace.api.security_headers import SecurityHeaders
from unitrace.gs1 import InvalidCode
from unitrace.registry.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    Refused,
    TransitionRefused,
)
from unitrace.services.epcis_capture import limits
from unitrace.services.epcis_query import QueryParameterException, QueryTooLargeException
from unitrace.store.database import BUSY_ERROR_TYPES, DatabaseBusy, is_busy, refused_value

#: What every EPCIS answer says it speaks.
VERSIONS: Final = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
EPCIS_PREFIX: Final = "/epcis"
#: The routes that capture events (``POST``).
CAPTURE_PATHS: Final = frozenset({"/epcis/capture", "/epcis/events"})


@dataclass(frozen=True, slots=True)
class EpcisProblem:
    """A status and the exception the REST binding names for it."""

    status: int
    exception: str
    title: str

    @property
    def type(self) -> str:
        return f"epcisException:{self.exception}"


VALIDATION: Final = EpcisProblem(400, "ValidationException", "Validation failed")
QUERY_PARAMETER: Final = EpcisProblem(400, "QueryParameterException", "Query parameter exception")
SUBSCRIPTION_CONTROLS: Final = EpcisProblem(
    400, "SubscriptionControlsException", "Subscription refused"
)
UNAUTHORIZED: Final = EpcisProblem(401, "SecurityException", "Unauthorised request")
FORBIDDEN: Final = EpcisProblem(403, "SecurityException", "Access to resource forbidden")
NO_SUCH_NAME: Final = EpcisProblem(404, "NoSuchNameException", "Resource not found")
METHOD_NOT_ALLOWED: Final = EpcisProblem(405, "ImplementationException", "Method not allowed")
NOT_ACCEPTABLE: Final = EpcisProblem(406, "NotAcceptableException", "Not acceptable")
ALREADY_EXISTS: Final = EpcisProblem(
    409, "ResourceAlreadyExistsException", "A resource with this identifier exists already"
)
CAPTURE_LIMIT_EXCEEDED: Final = EpcisProblem(
    413, "CaptureLimitExceededException", "Capture payload too large"
)
QUERY_TOO_LARGE: Final = EpcisProblem(413, "QueryTooLargeException", "Query too large")
UNSUPPORTED_MEDIA_TYPE: Final = EpcisProblem(
    415, "UnsupportedMediaTypeException", "Unsupported media type"
)
IMPLEMENTATION: Final = EpcisProblem(500, "ImplementationException", "A server-side error occurred")

#: The repository's locks were held by others' work longer than a request may wait (the
#: OpenAPI names no 503; its exception for the repository's own trouble is this one).
BUSY: Final = EpcisProblem(503, "ImplementationException", "Repository busy")


def capture_limits(file_size_limit: int) -> dict[str, str]:
    """The limits a 413 from capture names (as ``OPTIONS /epcis/capture`` advertises them)."""
    return {
        "GS1-EPCIS-Capture-Limit": str(limits.CAPTURE_LIMIT),
        "GS1-EPCIS-Capture-File-Size-Limit": str(file_size_limit),
    }


def is_epcis_path(path: str) -> bool:
    return path == EPCIS_PREFIX or path.startswith(EPCIS_PREFIX + "/")


def _is_subscription_path(path: str) -> bool:
    # /epcis/queries/{name}/subscriptions[/{id}]: a query's name holds no slash
    parts = path.split("/")
    return parts[1:3] == ["epcis", "queries"] and len(parts) > 4 and parts[4] == "subscriptions"


def _is_named_query_events(path: str) -> bool:
    parts = path.split("/")
    return parts[1:3] == ["epcis", "queries"] and len(parts) == 5 and parts[4] == "events"


def epcis_problem_for(error: Exception, *, method: str, path: str) -> EpcisProblem:
    """The status and type a refusal on ``method path`` is answered with.

    >>> epcis_problem_for(AlreadyExists("eventID: x is captured already"),
    ...                   method="POST", path="/epcis/events").type
    'epcisException:ResourceAlreadyExistsException'
    >>> epcis_problem_for(Conflict("unit S1 is packed in C1 already: unpack it first"),
    ...                   method="POST", path="/epcis/events").status
    400
    >>> epcis_problem_for(NotFound("party: p1 is not registered"),
    ...                   method="POST", path="/epcis/events").status
    400
    >>> epcis_problem_for(InvalidRequest("dest: a URL"),
    ...                   method="POST", path="/epcis/queries/q1/subscriptions").exception
    'SubscriptionControlsException'
    """
    if isinstance(error, QueryParameterException):
        # the OpenAPI gives a named query's events the subscription problems for 400
        return VALIDATION if _is_named_query_events(path) else QUERY_PARAMETER
    if isinstance(error, QueryTooLargeException):
        return QUERY_TOO_LARGE
    if isinstance(error, Forbidden):
        return FORBIDDEN
    if isinstance(error, TransitionRefused):
        return VALIDATION
    capturing = method == "POST" and path in CAPTURE_PATHS
    if isinstance(error, AlreadyExists):
        return ALREADY_EXISTS
    if isinstance(error, Conflict):
        # while capturing, a clash with the registry (a unit packed already) is the event's
        # fault, as a capture job lists it; elsewhere the OpenAPI's 409
        return VALIDATION if capturing else ALREADY_EXISTS
    if isinstance(error, NotFound):
        return VALIDATION if capturing else NO_SUCH_NAME
    if isinstance(error, InvalidRequest | InvalidCode | RequestValidationError | Refused):
        return SUBSCRIPTION_CONTROLS if _is_subscription_path(path) else VALIDATION
    return IMPLEMENTATION


def epcis_problem(
    kind: EpcisProblem, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """The problem+json answer of ``kind``, with ``detail`` saying what to do about it."""
    body: dict[str, Any] = {
        "type": kind.type,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
    }
    body.update(extra)
    return JSONResponse(
        body,
        status_code=kind.status,
        media_type=PROBLEM_JSON,
        headers={**VERSIONS, **(headers or {})},
    )


def epcis_answer(request: Request, error: Exception) -> Response:
    """The answer to ``error`` raised on an ``/epcis`` route."""
    method, path = request.method, request.url.path
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, StarletteHTTPException):
        kind = _HTTP_ERRORS.get(error.status_code, IMPLEMENTATION)
        headers = dict(error.headers or {})
        if error.status_code == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        detail = _http_detail(error, method, path, headers.get("Allow"))
        if kind is IMPLEMENTATION:
            kind = EpcisProblem(error.status_code, kind.exception, kind.title)
    elif isinstance(error, RequestValidationError):
        kind = epcis_problem_for(error, method=method, path=path)
        messages = [validation_message(item) for item in error.errors()]
        detail, extra = "; ".join(messages), {"errors": messages}
    elif isinstance(error, Refused | InvalidCode):
        kind = epcis_problem_for(error, method=method, path=path)
        detail = str(error)
        if isinstance(error, QueryParameterException):
            extra = {"parameter": error.parameter}
        elif isinstance(error, TransitionRefused):
            extra = {"unit": error.unit, "state": error.state, "rule": error.rule}
    elif isinstance(error, UnicodeError):
        kind, detail = _bad_input(method), BAD_TEXT
    elif (value := refused_value(error)) is not None:
        kind, detail = _bad_input(method), f"{value}; nothing was changed"
    elif is_busy(error):
        kind, detail = BUSY, _busy_detail(error)
        headers["Retry-After"] = str(error.retry_after if isinstance(error, DatabaseBusy) else 2)
    else:
        kind, detail = IMPLEMENTATION, UNFORESEEN_DETAIL
    return epcis_problem(kind, detail, headers=headers, **extra)


def _bad_input(method: str) -> EpcisProblem:
    """The problem of bad input that only storing or reading it showed (text that is not
    valid Unicode, a value the database refuses): a query parameter's on a GET, else the
    body's.

    >>> _bad_input("GET").exception, _bad_input("POST").exception
    ('QueryParameterException', 'ValidationException')
    """
    return QUERY_PARAMETER if method == "GET" else VALIDATION


def _busy_detail(error: Exception) -> str:
    if isinstance(error, DatabaseBusy):
        return str(error)
    return "the repository is busy with other work; nothing was changed: try again in a moment"


def _http_detail(error: StarletteHTTPException, method: str, path: str, allowed: str | None) -> str:
    """The HTTP error's own detail, unless it is only the status's name (as routing gives)."""
    if error.status_code == 404 and error.detail == "Not Found":
        return f"{path}: no EPCIS resource here; the binding's resources are {_RESOURCES}"
    if error.status_code == 405 and error.detail == "Method Not Allowed":
        return f"{method} {path}: not a method of this resource; it takes {allowed or 'none'}"
    return str(error.detail)


_RESOURCES: Final = (
    "/epcis/capture, /epcis/events, /epcis/eventTypes, /epcis/epcs, /epcis/bizSteps, "
    "/epcis/bizLocations, /epcis/readPoints, /epcis/dispositions and /epcis/queries"
)

_HTTP_ERRORS: Final = {
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NO_SUCH_NAME,
    405: METHOD_NOT_ALLOWED,
    406: NOT_ACCEPTABLE,
    413: CAPTURE_LIMIT_EXCEEDED,
    415: UNSUPPORTED_MEDIA_TYPE,
}

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def install_epcis_problem_handlers(app: FastAPI) -> None:
    """Answer the errors of ``/epcis`` routes as EPCIS problems, and leave every other route to
    the handlers installed before (:func:`unitrace.api.problems.install_problem_handlers`,
    which must run first)."""
    kinds = (Refused, InvalidCode, RequestValidationError, StarletteHTTPException, UnicodeError)
    for kind in (*kinds, *BUSY_ERROR_TYPES):
        app.add_exception_handler(kind, _epcis_first(app.exception_handlers.get(kind)))
    app.add_exception_handler(
        Exception, _epcis_first(app.exception_handlers.get(Exception), last_resort=True)
    )


def _epcis_first(
    otherwise: Handler | None, *, last_resort: bool = False
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, error: Exception) -> Response:
        # a database error that is neither a busy lock nor a value refused is a fault: left
        # to the handler of last resort, which logs it (the handler installed before for it
        # raises it again), and answers it as an EPCIS fault on an /epcis path
        fault = (
            not last_resort
            and isinstance(error, BUSY_ERROR_TYPES)
            and not is_busy(error)
            and refused_value(error) is None
        )
        if is_epcis_path(request.url.path) and not fault:
            answer = epcis_answer(request, error)
            if last_resort:  # given outside the middleware, which would add these
                answer.headers.update(SecurityHeaders.ALWAYS)
            return answer
        if otherwise is None:
            # what Starlette answers when no handler is installed
            return PlainTextResponse("Internal Server Error", status_code=500)
        given = otherwise(request, error)
        return await given if isinstance(given, Awaitable) else given

    return handle
