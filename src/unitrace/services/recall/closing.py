"""Closing a recall, with a reason: it takes no more answers and is no longer overdue. The
units stay recalled: a recall is irreversible."""

from __future__ import annotations

import datetime as dt

from unitrace.registry.errors import Conflict, InvalidRequest
from unitrace.registry.model import Actor
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import time_of
from unitrace.services.recall.progress import find_recall
from unitrace.store.unit_of_work import UnitOfWork


def close_recall(
    uow: UnitOfWork, recall_id: int, *, reason: object, actor: Actor, at: dt.datetime | None = None
) -> None:
    """Close recall ``recall_id``: :class:`Conflict` when it is closed already."""
    allow(actor, "recall")
    when = time_of(at)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidRequest("reason: must not be empty")
    recall = find_recall(uow, recall_id, actor)
    if not uow.recalls.close(recall.id, when, actor.name, reason.strip()):
        closed = uow.recalls.get(recall_id)
        since = closed.closed_at.isoformat() if closed and closed.closed_at else "before"
        raise Conflict(f"recall {recall_id} is closed already (since {since})")
    uow.audit.record(actor.name, "recall.closed", str(recall_id), {"reason": reason.strip()})
