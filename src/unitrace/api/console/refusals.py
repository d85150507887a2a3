"""A service's refusal as a console page, and how console pages write times and counts.

A refusal (:class:`~unitrace.registry.errors.Refused`) is answered as the API answers it:
404 for what does not exist or the person may not see (a distributor's user is not told
which), 403 for a role that may not, 409 for a clash, 400 for the rest; its message is the
service's, shown escaped like everything else on a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from unitrace.api.console.pages import console_problem
from unitrace.api.console.session import Signed
from unitrace.registry.errors import Conflict, Forbidden, NotFound, Refused


def refusal_page(request: Request, signed: Signed, refusal: Refused) -> HTMLResponse:
    status = 400
    if isinstance(refusal, NotFound):
        status = 404
    elif isinstance(refusal, Forbidden):
        status = 403
    elif isinstance(refusal, Conflict):
        status = 409
    return console_problem(request, signed, status, str(refusal))


def utc_text(at: dt.datetime | None, *, seconds: bool = False) -> str:
    """A time as console pages show it, in UTC and saying so.

    >>> utc_text(dt.datetime(2026, 3, 1, 9, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    '2026-03-01 01:30 UTC'
    >>> utc_text(None), utc_text(dt.datetime(2026, 3, 1, 9, 30, 5), seconds=True)
    ('—', '2026-03-01 09:30:05 UTC')
    """
    if at is None:
        return "—"
    moment = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def count_text(number: int) -> str:
    """A count as console pages show it, with thousands separators.

    >>> count_text(1234567)
    '1,234,567'
    """
    return f"{number:,}"


#: What every page of these sections is given to write times and counts with.
WORDING: dict[str, Any] = {"utc_text": utc_text, "count_text": count_text}
