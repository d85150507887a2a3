"""Trace: forward from a lot, a container or a component lot to every unit reached, and back
from a unit or a container to its lot, containers, custodians, events and the inputs it was
made from. Both read the event index and the projection set-wise (a whole frontier, a whole
lot, in one statement), never one query per unit.

The API (``GET /api/trace``), the command line (``unitrace trace``) and the console's trace
page all call :func:`trace` (and :func:`trace_rows` for the CSV).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.back import BackTrace, Custody, Holder, UnitNow, trace_back
from unitrace.services.trace.forward import (
    BRAND,
    ContainerCount,
    ForwardTrace,
    TraceRow,
    UnitSummary,
    forward_rows,
    trace_forward,
)
from unitrace.services.trace.genealogy import Genealogy, GenealogyLink, GenealogyNode
from unitrace.services.trace.subjects import NEEDS, Subject, find_subject
from unitrace.store.unit_of_work import UnitOfWork

Direction = Literal["forward", "back"]
DIRECTIONS: tuple[Direction, ...] = ("forward", "back")

__all__ = [
    "BRAND",
    "DIRECTIONS",
    "NEEDS",
    "BackTrace",
    "ContainerCount",
    "Custody",
    "Direction",
    "ForwardTrace",
    "Genealogy",
    "GenealogyLink",
    "GenealogyNode",
    "Holder",
    "Subject",
    "TraceRow",
    "UnitNow",
    "UnitSummary",
    "default_direction",
    "direction_of",
    "trace",
    "trace_rows",
]


def direction_of(text: str | None, subject: Subject) -> Direction:
    """The direction asked for; without one, back from a unit and forward from anything
    else."""
    if text is None:
        return default_direction(subject)
    if text not in DIRECTIONS:
        raise InvalidRequest(f"direction: {text!r} is neither forward nor back")
    return "forward" if text == "forward" else "back"


def default_direction(subject: Subject) -> Direction:
    return "back" if subject.kind == "unit" else "forward"


def trace(
    uow: UnitOfWork,
    *,
    code: str | None = None,
    gtin: str | None = None,
    lot: str | None = None,
    direction: str | None = None,
    actor: Actor,
) -> ForwardTrace | BackTrace:
    """Trace what ``code`` (or ``gtin`` + ``lot``) names, ``direction`` forward or back."""
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidRequest(f"direction: {direction!r} is neither forward nor back")
    context = Context.of(uow)
    subject = find_subject(uow, context, code=code, gtin=gtin, lot=lot, actor=actor)
    if direction_of(direction, subject) == "forward":
        return trace_forward(uow, context, subject, actor)
    return trace_back(uow, context, subject, actor)


def trace_rows(
    uow: UnitOfWork,
    *,
    code: str | None = None,
    gtin: str | None = None,
    lot: str | None = None,
    actor: Actor,
) -> Iterator[TraceRow]:
    """Every unit reached forward from what ``code`` names, one row each, read as the caller
    goes; refusals are raised before the first row."""
    context = Context.of(uow)
    subject = find_subject(uow, context, code=code, gtin=gtin, lot=lot, actor=actor)
    return forward_rows(uow, context, subject, actor)
