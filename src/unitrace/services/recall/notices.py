"""A recall's task sent to each party's registered endpoint: a JSON POST signed as EPCIS
subscription deliveries are (``GS1-Signature: sha256=<HMAC-SHA256 of the body>``, keyed with
the party's signing token), to a destination checked by the same rule (only publicly routable
addresses, unless the operator allows a network; checked again right before the POST, which
connects to the very address checked).

The notices go out after the recall is committed, off the request's thread, one party after
another; each task records what became of its notice: ``sent``, ``failed`` (with why),
``refused`` (a destination the rule refuses) or ``no_endpoint``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_query.delivery import post_over_http, signature
from unitrace.services.lifecycle.rules import allow
from unitrace.services.recall.progress import recall_progress
from unitrace.services.webhooks import (
    DestinationRefused,
    WebhookDestinations,
    WebhookTarget,
    parse_destination,
)
from unitrace.store.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

Post = Callable[[WebhookTarget, bytes, Mapping[str, str]], int]
#: Who reads a recall to tell each party its line.
_NOTIFIER: Final = Actor("recall-notices", Role.ADMIN)


@dataclass
class RecallNotices:
    """How notices are sent: the destination rule, the POST, and whether to send them on a
    thread of their own (the service) or at once (tests, the command line)."""

    destinations: WebhookDestinations = field(default_factory=WebhookDestinations)
    post: Post = post_over_http
    in_background: bool = True


def set_recall_endpoint(
    uow: UnitOfWork,
    party: str,
    *,
    url: str | None,
    signature_token: str | None,
    actor: Actor,
    destinations: WebhookDestinations,
) -> None:
    """Register (or, with ``url`` None, remove) the endpoint a party's recall tasks go to."""
    allow(actor, "recall")
    if url is not None:
        parse_destination(url)
        destinations.check(url)
        if not signature_token or len(signature_token) < 16:
            raise InvalidRequest(
                "signature_token: needed, at least 16 characters: it signs every notice"
            )
    if not uow.recalls.set_endpoint(party, url, signature_token if url else None):
        raise NotFound(f"party: {party} is not registered")
    uow.audit.record(actor.name, "party.recall_endpoint_set", party, {"url": url})


def notify_parties(database: Database, recall_id: int, notices: RecallNotices) -> None:
    """Send each party of recall ``recall_id`` its task."""
    if notices.in_background:
        threading.Thread(
            target=_notify, args=(database, recall_id, notices), daemon=True, name="recall-notices"
        ).start()
    else:
        _notify(database, recall_id, notices)


def notice_body(uow: UnitOfWork, recall_id: int, party: str) -> dict[str, Any]:
    """What a party's notice says: the recall, and its own line."""
    found = recall_progress(uow, recall_id, _NOTIFIER)
    line = next(line for line in found.affected.by_custodian if line.party == party)
    return {
        "type": "recall",
        "recall": found.id,
        "party": party,
        "reason": found.reason,
        "instructions": found.instructions,
        "classification": found.classification,
        "markets": list(found.markets),
        "created_at": found.created_at.isoformat(),
        "respond_by": found.respond_by.isoformat(),
        "units": line.units,
        "units_csv": f"/api/recalls/{found.id}/units?format=csv",
        "responses": f"/api/recalls/{found.id}/responses",
    }


def _notify(database: Database, recall_id: int, notices: RecallNotices) -> None:
    try:
        with database.unit_of_work(read_only=True) as uow:
            parties = uow.recalls.endpoints(recall_id)
            bodies = {party: notice_body(uow, recall_id, party) for party, _, _ in parties}
        for party, url, token in parties:
            status, detail = _send(notices, url, token, bodies[party])
            with database.unit_of_work() as uow:
                uow.recalls.noticed(recall_id, party, status, detail)
                uow.commit()
    except Exception:  # a notice is retried by nobody: say so in the log, never in a request
        log.exception("recall %s: notices not sent", recall_id)


def _send(
    notices: RecallNotices, url: str | None, token: str | None, body: dict[str, Any]
) -> tuple[str, str | None]:
    if url is None or token is None:
        return "no_endpoint", None
    try:
        target = notices.destinations.check(url)
    except DestinationRefused as error:
        return "refused", str(error)
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "GS1-Signature": signature(data, token),
        "User-Agent": "unitrace recall notices",
    }
    try:
        status = notices.post(target, data, headers)
    except OSError as error:
        return "failed", f"{type(error).__name__}: {error}"
    except Exception as error:  # a broken answer: http.client.HTTPException and kin
        return "failed", f"{type(error).__name__}: {error}"
    if 200 <= status < 300:
        return "sent", f"HTTP {status}"
    return "failed", f"HTTP {status}"
