"""What a shipment's EPCIS exchange is read from: the objects a shipping event sent, the
events of given steps naming any of them (their index rows, narrowed to those objects), the
stored documents of those events, and what the registry knows of the places they name.

Every read is set-wise: the events naming a shipment's objects come from one join of the EPC
index with itself, whatever the shipment's size; objects found later (inside a container
packed before, not named by the shipping event) are looked up a chunk at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from unitrace.store.events import CONTAINED_ROLE, LIST_ROLES
from unitrace.store.schema import epcis_events, event_epcs, locations, parties
from unitrace.store.times import utc

#: The index roles under which a shipping event names what it sends.
SHIPPED_ROLES = (LIST_ROLES["epcList"], CONTAINED_ROLE)
#: Rows per ``IN`` list, well inside every driver's limit on bound parameters.
_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One EPC an event names, and its role (``epc``, ``child``, ``parent``…)."""

    event_pk: int
    role: str
    epc: str


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """An event as stored: its JSON-LD with empty EPC lists, and when it was recorded."""

    event_pk: int
    event_time: dt.datetime
    record_time: dt.datetime
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """What the registry knows of a GLN: the party registered there, and the place's row."""

    gln: str
    party_name: str | None
    #: the party's territory, where it is one area (an ISO 3166-1 or 3166-2 code)
    party_area: str | None
    name: str | None
    city: str | None
    region: str | None
    country: str | None


class ShipmentEvents:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def event_pk(self, event_id: str) -> int | None:
        return self.connection.execute(
            select(epcis_events.c.id).where(epcis_events.c.event_id == event_id)
        ).scalar()

    def shipped(self, shipping_pk: int) -> list[str]:
        """The EPCs the shipping event sent: those it lists, and those it moved inside them."""
        return list(
            self.connection.execute(
                select(event_epcs.c.epc).where(
                    event_epcs.c.event_pk == shipping_pk, event_epcs.c.role.in_(SHIPPED_ROLES)
                )
            ).scalars()
        )

    def naming_shipped(
        self, shipping_pk: int, biz_steps: Collection[str], until: dt.datetime
    ) -> set[IndexRow]:
        """The index rows of the events of ``biz_steps`` up to ``until`` (not declared in
        error) naming what the shipping event sent, each narrowed to those EPCs."""
        sent, other = aliased(event_epcs), aliased(event_epcs)
        rows = self.connection.execute(
            select(other.c.event_pk, other.c.role, other.c.epc)
            .select_from(sent)
            .join(other, other.c.epc == sent.c.epc)
            .join(epcis_events, epcis_events.c.id == other.c.event_pk)
            .where(
                sent.c.event_pk == shipping_pk,
                sent.c.role.in_(SHIPPED_ROLES),
                other.c.event_pk != shipping_pk,
                epcis_events.c.biz_step.in_(sorted(biz_steps)),
                epcis_events.c.event_time <= until,
                epcis_events.c.error_declaration_time.is_(None),
            )
        )
        return {IndexRow(*row) for row in rows}

    def naming(
        self, epcs: Iterable[str], biz_steps: Collection[str], until: dt.datetime
    ) -> set[IndexRow]:
        """As :meth:`naming_shipped`, for EPCs given one by one."""
        found: set[IndexRow] = set()
        for chunk in _chunks(sorted(set(epcs))):
            rows = self.connection.execute(
                select(event_epcs.c.event_pk, event_epcs.c.role, event_epcs.c.epc)
                .join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk)
                .where(
                    event_epcs.c.epc.in_(chunk),
                    epcis_events.c.biz_step.in_(sorted(biz_steps)),
                    epcis_events.c.event_time <= until,
                    epcis_events.c.error_declaration_time.is_(None),
                )
            )
            found.update(IndexRow(*row) for row in rows)
        return found

    def rows_of(self, event_pks: Iterable[int], roles: Collection[str]) -> set[IndexRow]:
        """Every index row of ``event_pks`` in ``roles``."""
        found: set[IndexRow] = set()
        for chunk in _chunks(sorted(set(event_pks))):
            rows = self.connection.execute(
                select(event_epcs.c.event_pk, event_epcs.c.role, event_epcs.c.epc).where(
                    event_epcs.c.event_pk.in_(chunk), event_epcs.c.role.in_(sorted(roles))
                )
            )
            found.update(IndexRow(*row) for row in rows)
        return found

    def documents(self, event_pks: Iterable[int]) -> dict[int, StoredDocument]:
        """The stored events ``event_pks``, by primary key."""
        found: dict[int, StoredDocument] = {}
        for chunk in _chunks(sorted(set(event_pks))):
            rows = self.connection.execute(
                select(
                    epcis_events.c.id,
                    epcis_events.c.event_time,
                    epcis_events.c.record_time,
                    epcis_events.c.document,
                ).where(epcis_events.c.id.in_(chunk))
            )
            for pk, event_time, record_time, document in rows:
                found[pk] = StoredDocument(pk, utc(event_time), utc(record_time), dict(document))
        return found

    def places(self, glns: Iterable[str]) -> dict[str, PlaceRecord]:
        """What the registry knows of each of ``glns`` it knows at all."""
        wanted = sorted(set(glns))
        if not wanted:
            return {}
        party_names: dict[str, str] = {}
        party_areas: dict[str, str] = {}
        for gln, name, territory in self.connection.execute(
            select(parties.c.gln, parties.c.name, parties.c.territory).where(
                parties.c.gln.in_(wanted)
            )
        ):
            party_names[gln] = name
            if isinstance(territory, list) and len(territory) == 1:
                party_areas[gln] = str(territory[0])
        rows = {
            row.gln: row
            for row in self.connection.execute(select(locations).where(locations.c.gln.in_(wanted)))
        }
        return {
            gln: PlaceRecord(
                gln,
                party_names.get(gln),
                party_areas.get(gln),
                _field(rows.get(gln), "name"),
                _field(rows.get(gln), "city"),
                _field(rows.get(gln), "region"),
                _field(rows.get(gln), "country"),
            )
            for gln in wanted
            if gln in party_names or gln in rows
        }


def _field(row: Any, name: str) -> str | None:
    return None if row is None else getattr(row, name)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
