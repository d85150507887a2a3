"""A party's answer to its recall task, with its own token, as trading partners answer a
recall notice: whether it acknowledged it, how many of the units it held it still has on
hand, has returned and has destroyed, whether it is done, and a note.

A party answers only for its own line (another's is refused, 403); the numbers may not exceed
the units it held when the recall was opened, alone or together (refused naming them, 422).
The numbers are the party's word, kept and shown beside its line; recovery is counted from
the events themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest
from unitrace.registry.model import Actor
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import time_of
from unitrace.services.recall.progress import find_recall
from unitrace.store.recalls import OPEN
from unitrace.store.unit_of_work import UnitOfWork

#: The counts of an answer, in the order they are named.
COUNTS: Final = ("on_hand", "returned", "destroyed")
_FLAGS: Final = ("acknowledged", "completed")


def answer_recall(
    uow: UnitOfWork,
    recall_id: int,
    answer: Mapping[str, object],
    *,
    actor: Actor,
    party: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record ``actor``'s party's answer to recall ``recall_id`` (``party``: the line it
    answers for, its own where not given)."""
    allow(actor, "answer_recall")
    when = time_of(at)
    own = str(actor.party_id)
    if party is not None and party != own:
        raise Forbidden(f"party: {actor.name} answers for {own} only, not for {party}")
    values = _answer(answer)
    find_recall(uow, recall_id, actor)
    # locked: a recall being closed meanwhile is closed before this answer is looked at
    recall = uow.recalls.get(recall_id, for_update=True)
    if recall is None or recall.status != OPEN:
        raise Conflict(f"recall {recall_id} is closed: it takes no more answers")
    task = uow.recalls.task(recall_id, own, for_update=True)
    if task is None:  # find_recall found it for this party
        raise Forbidden(f"recall {recall_id} has no task for {own}")
    counts = {name: int(str(values[name])) for name in COUNTS}
    over = [name for name in COUNTS if counts[name] > task.units]
    if over:
        named = ", ".join(f"{name} {counts[name]}" for name in over)
        raise InvalidRequest(
            f"{over[0]}: {named} exceed the {task.units} affected units {own} held"
        )
    total = sum(counts.values())
    if total > task.units:
        named = " + ".join(f"{name} {counts[name]}" for name in COUNTS if counts[name])
        raise InvalidRequest(
            f"on_hand: {named} = {total} exceed the {task.units} affected units {own} held"
        )
    uow.recalls.answer(recall_id, own, when, actor.name, **values)
    uow.audit.record(actor.name, "recall.answered", str(recall_id), {"party": own, **values})


def _answer(answer: Mapping[str, object]) -> dict[str, object]:
    known = set(COUNTS) | set(_FLAGS) | {"note"}
    unknown = sorted(set(answer) - known)
    if unknown:
        raise InvalidRequest(f"{unknown[0]}: not a field of an answer ({', '.join(sorted(known))})")
    values: dict[str, object] = {}
    for name in _FLAGS:
        flag = answer.get(name, False)
        if not isinstance(flag, bool):
            raise InvalidRequest(f"{name}: must be true or false")
        values[name] = flag
    for name in COUNTS:
        count = answer.get(name, 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidRequest(f"{name}: must be a whole number, 0 or more")
        values[name] = count
    note = answer.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 2_000):
        raise InvalidRequest("note: must be text of at most 2,000 characters")
    values["note"] = note.strip() if isinstance(note, str) and note.strip() else None
    return values
