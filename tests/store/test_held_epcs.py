"""What a party holds or held, by EPC: asked of in a statement (row by row), of a list of EPCs,
or read whole, the three ways give the same EPCs; units in custody are read through their
product's URI template, escapes and all."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from tests.epcis_known_events import ESCAPED, P1, S1, S2, SENSOR, KnownSet, known, known_set
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.schema import event_epcs, products, units
from unitrace.store.unit_of_work import Database

__all__ = ["known", "known_set"]  # fixtures

S3 = "urn:epc:id:sgtin:9506000.013435.S3"
UNKNOWN = "urn:epc:id:sgtin:9506000.013435.NOBODY"


def three_ways(database: Database, party: str, asked: list[str]) -> list[set[str]]:
    with database.unit_of_work(read_only=True) as uow:
        held = HeldEpcs(uow.connection, party)
        by_row = set(
            uow.connection.execute(
                select(event_epcs.c.epc).distinct().where(held.covers(event_epcs.c.epc))
            ).scalars()
        )
        of_list = set(HeldEpcs(uow.connection, party).held_of(asked))
        whole = held.all_held(up_to=10_000)
    assert whole is not None
    return [by_row & set(asked), of_list, whole & set(asked)]


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        ("dist-1", {S2, S3}),  # S2 in its custody; S3 shipped to it and received (E03, E04)
        ("dist-2", {P1}),  # its pallet, not the units E02 packed on it
        ("dist-3", set()),
    ],
)
def test_three_ways_to_what_a_party_holds_or_held_agree(
    known: KnownSet, party: str, expected: set[str]
) -> None:
    with known.database.unit_of_work(read_only=True) as uow:
        named = sorted(uow.connection.execute(select(event_epcs.c.epc).distinct()).scalars())
    asked = [*named, UNKNOWN]
    assert {S1, S2, S3, P1, SENSOR} <= set(named)
    assert three_ways(known.database, party, asked) == [expected] * 3


def test_a_unit_held_is_known_by_its_escaped_uri(database: Database) -> None:
    """A serial with characters an EPC URI escapes ("/" and "%") is read back from the URI."""
    setup = Actor("test-setup", Role.ADMIN)
    with database.unit_of_work() as uow:
        catalog.register_product(
            uow, gtin="09506000134352", name="Escaped", company_prefix_length=7,
            serial_alphabet="AB12/%", actor=setup,
        )  # fmt: skip
        catalog.register_party(uow, id="dist-x", name="X", role="distributor", actor=setup)
        product_id = uow.connection.execute(select(products.c.id)).scalar_one()
        for seq, (serial, holder) in enumerate((("A/1", "dist-x"), ("B%2", None)), start=1):
            uow.connection.execute(
                insert(units),
                {
                    "product_id": product_id, "serial": serial, "lot_id": 1, "seq": seq,
                    "request_id": 1, "state": "active", "custodian_id": holder,
                },
            )  # fmt: skip
        theirs = "urn:epc:id:sgtin:9506000.013435.B%252"
        EventRepository(uow.connection).add_documents(
            [
                StoredEvent(
                    {
                        "type": "ObjectEvent", "eventID": "urn:uuid:e1", "action": "ADD",
                        "eventTime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(),
                        "eventTimeZoneOffset": "+00:00", "epcList": [ESCAPED, theirs],
                    }
                )
            ]
        )  # fmt: skip
        uow.commit()
    assert three_ways(database, "dist-x", [ESCAPED, theirs]) == [{ESCAPED}] * 3
