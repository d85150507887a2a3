"""The event index read for trace: the TransformationEvents that join inputs to outputs (a
transformation, an assembly, whoever captured it), the inspections of some objects, the
containers an object was ever aggregated into, and the events that name some objects.

Each read takes a whole frontier of EPCs (and, forward, whole lots of units) in one statement,
matching the EPCs as sent and, for Digital Links spelled otherwise, as their canonical
spelling (:mod:`unitrace.store.canonical_epcs`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    literal,
    select,
    true,
    union,
)

from unitrace.epcis.cbv import BIZ_STEP, spellings
from unitrace.store.events import EventRecord, record_from_row
from unitrace.store.held_epcs import UnitUriPrefix, serial_in
from unitrace.store.schema import (
    GENEALOGY_ROLES,
    epcis_events,
    event_canonical_epcs,
    event_epcs,
    units,
)
from unitrace.store.times import utc

#: The roles of a transformation's inputs (units inside an input container are ``contained``)
#: and of its outputs.
INPUT_ROLES: Final = ("input", "input_quantity", "contained")
OUTPUT_ROLES: Final = ("output", "output_quantity")
#: The inspecting step, in every spelling an event may hold it.
INSPECTING_STEPS: Final = tuple(sorted(spellings(BIZ_STEP, "inspecting")))
#: EPCs asked of in one statement.
_AT_ONCE: Final = 500

Toward = Literal["outputs", "inputs"]


@dataclass(frozen=True, slots=True)
class TransformationLink:
    """One input joined to one output by a TransformationEvent."""

    event_id: str
    at: dt.datetime
    biz_step: str | None
    input: str
    output: str
    #: whether the input, the output, is a class (a lot's quantity) rather than one object
    input_class: bool
    output_class: bool


@dataclass(frozen=True, slots=True)
class Inspection:
    """An ObjectEvent of the inspecting step about ``epc``."""

    epc: str
    event_id: str
    at: dt.datetime
    disposition: str | None
    certification: Any


def _naming(roles: Sequence[str]) -> Select[Any]:
    """The (event, EPC, role) rows of the index naming any of the EPCs bound as ``epcs``
    under ``roles``, as sent or in canonical spelling."""
    parts = [
        select(index.c.event_pk, index.c.epc, index.c.role).where(
            index.c.epc.in_(bindparam(f"epcs_{n}", expanding=True)), index.c.role.in_(roles)
        )
        for n, index in enumerate((event_epcs, event_canonical_epcs))
    ]
    return union(*parts)  # type: ignore[return-value]


def _bound(epcs: Sequence[str]) -> dict[str, Any]:
    return {"epcs_0": list(epcs), "epcs_1": list(epcs)}


def _links(start: Select[Any], other: Sequence[str]) -> Select[Any]:
    """The rows of the TransformationEvents of the index rows ``start`` finds, each with
    their rows of the ``other`` side."""
    matched = start.subquery("matched")
    linked = event_epcs.alias("linked")
    return (
        select(
            epcis_events.c.event_id,
            epcis_events.c.event_time,
            epcis_events.c.biz_step,
            matched.c.epc,
            matched.c.role,
            linked.c.epc,
            linked.c.role,
        )
        .select_from(
            matched.join(epcis_events, epcis_events.c.id == matched.c.event_pk).join(
                linked, linked.c.event_pk == matched.c.event_pk
            )
        )
        .where(
            epcis_events.c.type == "TransformationEvent",
            epcis_events.c.error_declaration_time.is_(None),
            linked.c.role.in_(other),
        )
    )


@functools.lru_cache(maxsize=2)
def _links_of_epcs(toward: Toward) -> Select[Any]:
    """:func:`_links` of the EPCs bound, built once per direction: a back trace is a few
    of these, and building them costs more than running them."""
    own, other = _sides(toward)
    return _links(_naming(own), other)


def _sides(toward: Toward) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (INPUT_ROLES, OUTPUT_ROLES) if toward == "outputs" else (OUTPUT_ROLES, INPUT_ROLES)


def transformation_links(
    connection: Connection,
    epcs: Collection[str],
    *,
    toward: Toward,
    lot_ids: Sequence[int] = (),
    prefixes: Sequence[UnitUriPrefix] = (),
) -> list[TransformationLink]:
    """The links of the TransformationEvents that took any of ``epcs`` (or any unit of
    ``lot_ids``, read with ``prefixes``) as input (``toward="outputs"``) or gave it as output
    (``toward="inputs"``); events declared in error do not count."""
    own, other = _sides(toward)
    wanted = sorted(set(epcs))
    found: set[TransformationLink] = set()
    results = [
        connection.execute(_links_of_epcs(toward), _bound(wanted[i : i + _AT_ONCE]))
        for i in range(0, len(wanted), _AT_ONCE)
    ]
    if lot_ids and toward == "outputs":
        # the lots' units among every input of the index: inputs are few beside the units
        for product_id, prefix, escapes in prefixes:
            start = (
                select(event_epcs.c.event_pk, event_epcs.c.epc, event_epcs.c.role)
                .select_from(
                    event_epcs.join(
                        units,
                        and_(
                            units.c.product_id == product_id,
                            units.c.serial == serial_in(event_epcs.c.epc, prefix, escapes),
                        ),
                    )
                )
                .where(
                    GENEALOGY_ROLES,
                    event_epcs.c.role.in_(own),
                    event_epcs.c.epc > literal(prefix),
                    event_epcs.c.epc < literal(prefix + "\U0010ffff"),
                    units.c.lot_id.in_(lot_ids),
                )
            )
            results.append(connection.execute(_links(start, other)))
    for rows in results:
        for event_id, at, step, epc, role, other_epc, other_role in rows.all():
            given, given_role, taken, taken_role = (
                (epc, role, other_epc, other_role)
                if toward == "outputs"
                else (other_epc, other_role, epc, role)
            )
            found.add(
                TransformationLink(
                    event_id=event_id,
                    at=utc(at),
                    biz_step=step,
                    input=given,
                    output=taken,
                    input_class=given_role == "input_quantity",
                    output_class=taken_role == "output_quantity",
                )
            )
    return sorted(found, key=lambda link: (link.at, link.event_id, link.input, link.output))


@functools.lru_cache(maxsize=1)
def _inspections_statement() -> Select[Any]:
    named = _naming(("epc", "quantity")).subquery("named")
    return (
        select(
            named.c.epc,
            epcis_events.c.event_id,
            epcis_events.c.event_time,
            epcis_events.c.disposition,
            epcis_events.c.document,
        )
        .select_from(named.join(epcis_events, epcis_events.c.id == named.c.event_pk))
        .where(
            epcis_events.c.biz_step.in_(INSPECTING_STEPS),
            epcis_events.c.error_declaration_time.is_(None),
        )
    )


def inspections(
    connection: Connection, epcs: Collection[str], *, seen: ColumnElement[bool] | None = None
) -> list[Inspection]:
    """The inspections (ObjectEvents of the inspecting step) naming any of ``epcs`` (those
    ``seen`` allows, a condition on ``epcis_events``), oldest first, with the certification
    they carry."""
    wanted = sorted(set(epcs))
    found: list[Inspection] = []
    statement = _inspections_statement()
    if seen is not None:
        statement = statement.where(seen)
    for start in range(0, len(wanted), _AT_ONCE):
        rows = connection.execute(statement, _bound(wanted[start : start + _AT_ONCE]))
        for epc, event_id, at, disposition, document in rows:
            certification = (document or {}).get("certificationInfo")
            found.append(Inspection(epc, event_id, utc(at), disposition, certification))
    return sorted(found, key=lambda seen: (seen.at, seen.event_id, seen.epc))


def aggregated_into(
    connection: Connection,
    epc: str,
    *,
    depth: int = 8,
    seen: ColumnElement[bool] | None = None,
) -> list[str]:
    """Every container ``epc`` was ever aggregated into (AggregationEvents naming it a child,
    of those ``seen`` allows, a condition on ``epcis_events``), and every container those
    were aggregated into, up to ``depth`` levels: a frontier a statement."""
    child = event_epcs.alias("child")
    parent = event_epcs.alias("parent")
    found: set[str] = set()
    frontier = {epc}
    for _ in range(depth):
        statement = (
            select(parent.c.epc)
            .select_from(
                child.join(
                    parent,
                    and_(parent.c.event_pk == child.c.event_pk, parent.c.role == "parent"),
                )
            )
            .where(child.c.epc.in_(sorted(frontier)), child.c.role == "child")
            .distinct()
        )
        if seen is not None:
            statement = statement.join(epcis_events, epcis_events.c.id == child.c.event_pk).where(
                seen
            )
        rows = connection.execute(statement)
        frontier = {str(found_epc) for found_epc in rows.scalars()} - found - {epc}
        if not frontier:
            break
        found |= frontier
    return sorted(found)


def events_naming(
    connection: Connection,
    epcs: Collection[str],
    *,
    seen: ColumnElement[bool] | None = None,
    limit: int,
) -> list[EventRecord]:
    """The events naming any of ``epcs`` in any role (those ``seen`` allows), oldest first,
    at most ``limit``."""
    wanted = sorted(set(epcs))
    if not wanted:
        return []
    parts = [
        select(index.c.event_pk).where(index.c.epc.in_(wanted[i : i + _AT_ONCE]))
        for index in (event_epcs, event_canonical_epcs)
        for i in range(0, len(wanted), _AT_ONCE)
    ]
    pks = union(*parts).subquery("pks")
    rows = connection.execute(
        select(epcis_events)
        .where(epcis_events.c.id.in_(select(pks.c.event_pk)), seen if seen is not None else true())
        .order_by(epcis_events.c.event_time, epcis_events.c.id)
        .limit(limit)
    )
    return [record_from_row(row) for row in rows]


def named_anywhere(connection: Connection, epcs: Collection[str]) -> bool:
    """Whether any event names any of ``epcs``, in any role and spelling."""
    for index in (event_epcs, event_canonical_epcs):
        found = connection.execute(
            select(index.c.event_pk).where(index.c.epc.in_(sorted(set(epcs)))).limit(1)
        ).first()
        if found is not None:
            return True
    return False
