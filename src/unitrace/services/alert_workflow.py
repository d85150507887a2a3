"""The alert workflow: the alerts the detectors raise (:mod:`unitrace.services.verification`),
listed for the brand and for the party each names, and moved new → investigating → closed
by an admin, with a reason to close."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from unitrace.gs1 import Gtin, InvalidCode
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.verification.alerts import AlertStatus
from unitrace.services.verification.findings import AlertType
from unitrace.services.verification.scan_input import clean_text, scan_time_of
from unitrace.store.alerts import Alert, AlertFilter
from unitrace.store.times import utc
from unitrace.store.unit_of_work import UnitOfWork

#: Where an alert may go from where it is.
ALERT_MOVES: Final = {
    AlertStatus.NEW: frozenset({AlertStatus.INVESTIGATING, AlertStatus.CLOSED}),
    AlertStatus.INVESTIGATING: frozenset({AlertStatus.CLOSED}),
    AlertStatus.CLOSED: frozenset(),
}
REASON_MAX: Final = 1000


def list_alerts(
    uow: UnitOfWork,
    *,
    actor: Actor,
    type: str | None = None,
    status: str | None = None,
    gtin: str | None = None,
    party: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[Alert]:
    """Alerts, newest first. An admin sees all; a distributor only those of its own party."""
    where = alert_filter(
        actor, type=type, status=status, gtin=gtin, party=party, since=since, until=until
    )
    return [] if where is None else uow.alerts.find(where)


@dataclass(frozen=True, slots=True)
class AlertPage:
    """One page of the alerts a filter selects, with how many it selects by status and type."""

    alerts: list[Alert]
    #: how many alerts the filter selects, on every page
    total: int
    by_status: dict[str, int]
    by_type: dict[str, int]


def page_of_alerts(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int = 0,
    type: str | None = None,
    status: str | None = None,
    gtin: str | None = None,
    party: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> AlertPage:
    """``limit`` alerts from ``offset`` on, newest first, of those :func:`list_alerts` would
    list for ``actor``, and their counts by status and by type."""
    where = alert_filter(
        actor, type=type, status=status, gtin=gtin, party=party, since=since, until=until
    )
    if where is None:
        return AlertPage([], 0, {}, {})
    by_status: dict[str, int] = {}
    by_type: dict[str, int] = {}
    for (kind, state), count in uow.alerts.counts(where).items():
        by_status[state] = by_status.get(state, 0) + count
        by_type[kind] = by_type.get(kind, 0) + count
    found = uow.alerts.find(where, limit=limit, offset=offset)
    return AlertPage(found, sum(by_status.values()), by_status, by_type)


def alert_filter(
    actor: Actor,
    *,
    type: str | None = None,
    status: str | None = None,
    gtin: str | None = None,
    party: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> AlertFilter | None:
    """The filter of the alerts ``actor`` asks for, checked; None where it selects none (a
    distributor asking for another party's)."""
    own = _alert_reader(actor)
    if own is not None:
        if party is not None and party != own:
            return None
        party = own
    if type is not None and type not in AlertType.__members__.values():
        names = ", ".join(t.value for t in AlertType)
        raise InvalidRequest(f"type: {type[:40]!r} is not an alert type ({names})")
    if status is not None and status not in AlertStatus.__members__.values():
        raise InvalidRequest(f"status: {status[:40]!r} is not new, investigating or closed")
    key = None
    if gtin is not None:
        try:
            key = Gtin.parse(gtin).value
        except InvalidCode as error:
            raise InvalidRequest(f"gtin: {error}") from None
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.utcoffset() is None:
            raise InvalidRequest(f"{name}: needs a UTC offset")
    return AlertFilter(type, status, key, party, since, until)


def get_alert(uow: UnitOfWork, alert_id: int, actor: Actor) -> Alert:
    own = _alert_reader(actor)
    alert = uow.alerts.get(alert_id)
    if alert is None or (own is not None and alert.party != own):
        raise NotFound(f"alert: {alert_id} does not exist")
    return alert


def update_alert(
    uow: UnitOfWork,
    alert_id: int,
    *,
    status: str,
    reason: str | None,
    actor: Actor,
    at: dt.datetime | None = None,
    reason_needed: bool = False,
) -> Alert:
    """Move an alert new → investigating → closed (or new → closed); closing needs a reason
    (every move does where ``reason_needed``: the console asks one of each), and a closed
    alert stays closed. Only an admin moves alerts: a distributor must not close the alert
    that names it."""
    if actor.role is not Role.ADMIN:
        raise Forbidden(f"a {actor.role.value} may not update alerts; needs admin")
    when = scan_time_of(at)
    try:
        target = AlertStatus(status)
    except ValueError:
        raise InvalidRequest(
            f"status: {str(status)[:40]!r} is not new, investigating or closed"
        ) from None
    alert = uow.alerts.get(alert_id, for_update=True)
    if alert is None:
        raise NotFound(f"alert: {alert_id} does not exist")
    current = AlertStatus(alert.status)
    if target not in ALERT_MOVES[current]:
        if current is AlertStatus.CLOSED:
            rule = "a closed alert stays closed"
        elif current is target:
            rule = f"it is {current} already"
        else:
            rule = "an alert moves new → investigating → closed, never back"
        raise Conflict(f"alert {alert_id} is {current}: {rule}")
    text = (reason or "").strip()
    if target is AlertStatus.CLOSED and not text:
        raise InvalidRequest("reason: closing an alert needs a reason")
    if reason_needed and not text:
        raise InvalidRequest(f"reason: moving an alert to {target} needs a reason")
    if len(text) > REASON_MAX:
        raise InvalidRequest(f"reason: longer than {REASON_MAX} characters")
    stored = clean_text(text, REASON_MAX) if target is AlertStatus.CLOSED else None
    uow.alerts.set_status(alert_id, target.value, stored, when)
    uow.audit.record(
        actor.name, "alert.updated", f"alert:{alert_id}", {"status": target.value, "reason": text}
    )
    updated = uow.alerts.get(alert_id)
    assert updated is not None
    return updated


@dataclass(frozen=True, slots=True)
class AlertMove:
    """A move of an alert, as the audit trail holds it."""

    at: dt.datetime
    #: who moved it: a console user's email, an API token's number, or the actor's name
    by: str
    status: str
    reason: str


#: How many moves of one alert its history shows (an alert moves twice at most).
HISTORY_MAX: Final = 50


def alert_history(uow: UnitOfWork, alert: Alert) -> list[AlertMove]:
    """The moves of ``alert`` (read through :func:`get_alert` first), oldest first."""
    moves = []
    for row in uow.audit.of(f"alert:{alert.id}")[:HISTORY_MAX]:
        if row.action != "alert.updated":
            continue
        details = row.details if isinstance(row.details, dict) else {}
        moves.append(
            AlertMove(
                at=utc(row.at),
                by=_who(uow, str(row.actor)),
                status=str(details.get("status", "")),
                reason=str(details.get("reason") or ""),
            )
        )
    return moves


def _who(uow: UnitOfWork, actor: str) -> str:
    kind, _, number = actor.partition(":")
    if kind == "user" and number.isdigit():
        user = uow.console_users.by_id(int(number))
        return user.email if user is not None else actor
    if kind == "token" and number.isdigit():
        return f"API token {number}"
    return actor


def _alert_reader(actor: Actor) -> str | None:
    """The party an actor's alerts are limited to; None for an admin, who sees all."""
    if actor.role is Role.ADMIN:
        return None
    if actor.role is Role.DISTRIBUTOR and actor.party_id is not None:
        return actor.party_id
    raise Forbidden(f"a {actor.role.value} may not see alerts; needs admin or distributor")
