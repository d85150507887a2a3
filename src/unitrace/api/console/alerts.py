"""``/console/alerts`` and ``/console/alerts/{id}``: alert triage.

The list is filtered and paged as ``GET /api/alerts`` filters (the same service: an admin
sees every alert, a distributor's user its own party's, the other roles none); an alert's
page gives its evidence in words, its scans on a map and a timeline, its history, and, to an
admin, the form that moves it new → investigating → closed with a reason, through the
service ``POST /api/alerts/{id}`` uses (its rules and messages), a reason asked of each move.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.console.pages import NO_STORE, console_page, console_problem
from unitrace.api.console.session import Signed, SignedIn
from unitrace.api.dependencies import Reader, Writer, row_id
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Role
from unitrace.services import alert_workflow
from unitrace.services.alert_evidence_words import (
    ALERT_TYPE_NAMES,
    evidence_sentences,
    when_words,
)
from unitrace.services.alert_scans import alert_scans, alert_territory, area_counts, scan_map
from unitrace.services.verification.alerts import AlertStatus
from unitrace.store.alerts import Alert
from unitrace.store.unit_of_work import UnitOfWork

router = APIRouter(include_in_schema=False)

#: Alerts on a page of the list.
PAGE_SIZE: Final = 50
#: The furthest page the list goes to (a million alerts at 50 a page is 20,000 pages).
PAGE_MAX: Final = 1_000_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATUS_ORDER: Final = tuple(status.value for status in AlertStatus)


@router.get("/console/alerts")
def alerts_page(
    request: Request,
    signed: SignedIn,
    uow: Reader,
    type: str | None = None,
    status: str | None = None,
    gtin: str | None = None,
    party: str | None = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
    page: str | None = None,
) -> HTMLResponse:
    shown = {
        "type": _given(type),
        "status": _given(status),
        "gtin": _given(gtin),
        "party": _given(party) if signed.party is None else None,
        "from": _given(since),
        "to": _given(until),
    }
    errors: dict[str, str] = {}
    first_day = _day(shown["from"], "from", errors)
    last_day = _day(shown["to"], "to", errors)
    if first_day and last_day and last_day < first_day:
        errors["to"] = f"to: {last_day} is before from ({first_day})"
    number = _page_number(_given(page), errors)
    if shown["party"] and uow.parties.get(shown["party"]) is None:
        errors["party"] = f"party: {shown['party'][:64]!r} is not a registered party"
    found = alert_workflow.AlertPage([], 0, {}, {})
    try:
        checked = alert_workflow.page_of_alerts(
            uow,
            actor=signed.actor,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
            type=shown["type"],
            status=shown["status"],
            gtin=shown["gtin"],
            party=_given(party),
            since=_start_of(first_day),
            until=_end_of(last_day),
        )
        if not errors:
            found = checked
    except Forbidden as refusal:
        return console_problem(request, signed, 403, str(refusal))
    except InvalidRequest as refusal:
        field = str(refusal).partition(":")[0]
        errors[field if field in shown else "page"] = str(refusal)
    filters = {name: value for name, value in shown.items() if value and name not in errors}
    first = (number - 1) * PAGE_SIZE + 1
    return console_page(
        request,
        signed,
        "alerts.html",
        status=400 if errors else 200,
        title="Alerts",
        shown=shown,
        errors=errors,
        types=ALERT_TYPE_NAMES,
        statuses=_STATUS_ORDER,
        page=found,
        rows=[_row(alert) for alert in found.alerts],
        by_status=[(s, found.by_status.get(s, 0)) for s in _STATUS_ORDER],
        by_type=[
            (ALERT_TYPE_NAMES.get(kind, kind), count)
            for kind, count in sorted(found.by_type.items(), key=lambda item: -item[1])
        ],
        shown_from=first,
        shown_to=first + len(found.alerts) - 1,
        earlier=_page_link(filters, number - 1) if number > 1 else None,
        later=_page_link(filters, number + 1) if first + PAGE_SIZE <= found.total else None,
        first_page=_page_link(filters, 1),
    )


@router.get("/console/alerts/{alert_id}")
def alert_page(
    request: Request, signed: SignedIn, uow: Reader, alert_id: str, moved: str | None = None
) -> HTMLResponse:
    number = row_id(alert_id)
    if number is None:
        return console_problem(request, signed, 404, f"alert: {alert_id[:40]!r} does not exist")
    try:
        alert = alert_workflow.get_alert(uow, number, signed.actor)
    except Refused as refusal:
        return _refused(request, signed, refusal)
    notice = None
    if moved == alert.status and moved != AlertStatus.NEW:
        notice = f"Alert {alert.id} moved to {moved}."
    return _alert_view(request, signed, uow, alert, notice=notice)


@router.post("/console/alerts/{alert_id}")
def move_alert(
    request: Request,
    signed: SignedIn,
    uow: Writer,
    alert_id: str,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    number = row_id(alert_id)
    if number is None:
        return console_problem(request, signed, 404, f"alert: {alert_id[:40]!r} does not exist")
    try:
        # a distributor's user is told an alert of another party does not exist, as it is read
        alert = alert_workflow.get_alert(uow, number, signed.actor)
    except Refused as refusal:
        return _refused(request, signed, refusal)
    try:
        moved = alert_workflow.update_alert(
            uow, number, status=status, reason=reason, actor=signed.actor, reason_needed=True
        )
    except (InvalidRequest, Conflict) as refusal:
        field = "reason" if str(refusal).startswith("reason:") else "status"
        return _alert_view(
            request,
            signed,
            uow,
            alert,
            errors={field: str(refusal)},
            typed={"status": status, "reason": reason},
            status=409 if isinstance(refusal, Conflict) else 400,
        )
    except Refused as refusal:
        return _refused(request, signed, refusal)
    uow.commit()
    where = f"/console/alerts/{moved.id}?{urlencode({'moved': moved.status})}"
    return Response(status_code=303, headers={"Location": where, **NO_STORE})


def _alert_view(
    request: Request,
    signed: Signed,
    uow: UnitOfWork,
    alert: Alert,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    scans = alert_scans(uow, alert)
    territory = alert_territory(uow, alert)
    moves = sorted(alert_workflow.ALERT_MOVES[AlertStatus(alert.status)], key=_STATUS_ORDER.index)
    history = alert_workflow.alert_history(uow, alert)
    brand = signed.party is None
    party = uow.parties.get(alert.party) if alert.party else None
    return console_page(
        request,
        signed,
        "alert.html",
        status=status,
        title=f"Alert {alert.id}",
        alert=alert,
        row=_row(alert),
        party_name=party.name if party is not None else alert.party,
        sentences=evidence_sentences(alert.type, alert.evidence),
        scans=scans,
        areas=area_counts(scans, territory),
        territory=territory,
        map=scan_map(scans, territory=territory, trail=alert.type == "clone"),
        history=[
            {
                "when": when_words(move.at),
                "at": move.at.isoformat(),
                "status": move.status,
                "by": move.by if brand else "the brand",
                "reason": move.reason,
            }
            for move in history
        ],
        may_move=signed.role is Role.ADMIN and bool(moves),
        moves=moves,
        notice=notice,
        errors=errors or {},
        typed=typed or {},
        reason_max=alert_workflow.REASON_MAX,
    )


def _row(alert: Alert) -> dict[str, Any]:
    """An alert as the list and its page show it: words, times and links."""
    subject_href = None
    if alert.gtin and alert.serial:
        subject = alert.code or alert.subject
        subject_href = f"/console/units/{alert.gtin}/{quote(alert.serial, safe='')}"
    else:
        subject = f"caller {alert.client or alert.subject.removeprefix('client:')}"
    scan_count = alert.evidence.get("scan_count")
    return {
        "id": alert.id,
        "href": f"/console/alerts/{alert.id}",
        "type": alert.type,
        "type_name": ALERT_TYPE_NAMES.get(alert.type, alert.type),
        "status": alert.status,
        "subject": subject,
        "subject_href": subject_href,
        "party": alert.party,
        "party_href": f"/console/parties/{quote(alert.party, safe='')}" if alert.party else None,
        "product_href": f"/console/products/{alert.gtin}" if alert.gtin else None,
        "lot_href": (
            f"/console/lots/{alert.gtin}/{quote(alert.lot, safe='')}"
            if alert.gtin and alert.lot
            else None
        ),
        "created": when_words(alert.created_at),
        "created_iso": alert.created_at.isoformat(),
        "updated": when_words(alert.updated_at),
        "updated_iso": alert.updated_at.isoformat(),
        "scans": scan_count if isinstance(scan_count, int) else None,
    }


def _refused(request: Request, signed: Signed, refusal: Refused) -> HTMLResponse:
    if isinstance(refusal, NotFound):
        return console_problem(request, signed, 404, str(refusal))
    if isinstance(refusal, Forbidden):
        return console_problem(request, signed, 403, str(refusal))
    return console_problem(
        request, signed, 409 if isinstance(refusal, Conflict) else 400, str(refusal)
    )


def _given(value: str | None) -> str | None:
    """A filter's value, None where the form left it empty."""
    return value.strip() or None if value is not None else None


def _day(text: str | None, name: str, errors: dict[str, str]) -> dt.date | None:
    if text is None:
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{name}: {text[:40]!r} is not a date (YYYY-MM-DD)"
        return None


def _start_of(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), dt.UTC)


def _end_of(day: dt.date | None) -> dt.datetime | None:
    """The start of the day after ``day``: a ``to`` date takes in the whole of its day."""
    if day is None or day == dt.date.max:
        return None
    return _start_of(day + dt.timedelta(days=1))


def _page_number(text: str | None, errors: dict[str, str]) -> int:
    if text is None:
        return 1
    if text.isascii() and text.isdigit() and len(text) <= 7 and 1 <= int(text) <= PAGE_MAX:
        return int(text)
    errors["page"] = f"page: {text[:40]!r} is not a page number from 1 to {PAGE_MAX:,}"
    return 1


def _page_link(filters: dict[str, str], number: int) -> str:
    asked = dict(filters)
    if number > 1:
        asked["page"] = str(number)
    return "/console/alerts" + (f"?{urlencode(asked)}" if asked else "")
