"""The alert workflow: the alerts the detectors raise (:mod:`unitrace.services.verification`),
listed for the brand and for the party each names, and moved new → investigating → closed
by an admin, with a reason to close."""

from __future__ import annotations

import datetime as dt
from typing import Final

from unitrace.gs1 import Gtin, InvalidCode
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.verification.alerts import AlertStatus
from unitrace.services.verification.findings import AlertType
from unitrace.services.verification.scan_input import clean_text, scan_time_of
from unitrace.store.alerts import Alert, AlertFilter
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
    own = _alert_reader(actor)
    if own is not None:
        if party is not None and party != own:
            return []
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
    return uow.alerts.find(AlertFilter(type, status, key, party, since, until))


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
) -> Alert:
    """Move an alert new → investigating → closed (or new → closed); closing needs a reason,
    and a closed alert stays closed. Only an admin moves alerts: a distributor must not close
    the alert that names it."""
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


def _alert_reader(actor: Actor) -> str | None:
    """The party an actor's alerts are limited to; None for an admin, who sees all."""
    if actor.role is Role.ADMIN:
        return None
    if actor.role is Role.DISTRIBUTOR and actor.party_id is not None:
        return actor.party_id
    raise Forbidden(f"a {actor.role.value} may not see alerts; needs admin or distributor")
