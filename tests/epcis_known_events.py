"""A known set of 20 EPCIS events of all five types, with varied fields and spellings, for the
query tests: loaded into the test database through the event repository, with record times
one minute apart in load order (the event times are in another order, so that ordering by
eventTime and by recordTime differ).

Parties and custody, for who may see what:

- ``dist-1`` is the party of E03 and E04 (a shipment to it, its receipt) and has unit S2 in
  its custody: E01, E02, E07 name S2;
- ``dist-2`` has the pallet P1 in its custody: E02, E05, E12 name P1 as their parent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.tokens import create_token
from unitrace.store import events as event_store
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.schema import containers, metadata, products, units
from unitrace.store.unit_of_work import Database

SETUP = Actor("test-setup", Role.ADMIN)
GTIN = "09506000134352"
SGTIN = "urn:epc:id:sgtin:9506000.013435."
S1, S2, S3, S4, S5, S6 = (f"{SGTIN}S{n}" for n in range(1, 7))
RAW = "urn:epc:id:sgtin:9506000.013435.R1"
ESCAPED = f"{SGTIN}A%2F1"
LOWER = f"{SGTIN}x1"
P1 = "urn:epc:id:sscc:9506000.0000000001"
LOT1 = "urn:epc:class:lgtin:9506000.013435.LOT1"
LOTX = "urn:epc:class:lgtin:9506000.013435.LOTX"
LOTY = "urn:epc:class:lgtin:9506000.013435.LOTY"
DL_S5 = "https://id.gs1.org/01/09506000134352/21/S5"
SENSOR = "urn:epc:id:giai:9506000.99"
L1 = "urn:epc:id:sgln:9506000.00001.0"
L2 = "urn:epc:id:sgln:9506000.00002.0"
L3 = "urn:epc:id:sgln:9506000.00003.0"
BRAND = "urn:epc:id:pgln:9506000.00001"
DISTRIBUTOR = "urn:epc:id:pgln:9506000.00009"
PO = "urn:epcglobal:cbv:bt:9506000000014:PO-1"
DESADV = "urn:epcglobal:cbv:bt:9506000000014:DA-7"
TRANSFORMATION = "urn:uuid:8a1c7c1e-6b4d-4f38-9c39-3b6b1c1f0001"
EXTENSION_NS = "https://ns.example.com/epcis/"
FIRST_RECORDED = dt.datetime(2026, 2, 1, 0, 0, tzinfo=dt.UTC)


def event_id(name: str) -> str:
    """The eventID of a known event, E01 … E20."""
    return f"urn:uuid:00000000-0000-4000-8000-0000000000{name[1:]}"


def name_of(identifier: str) -> str:
    return "E" + identifier[-2:]


def _event(
    name: str, type_: str, at: str, offset: str = "+08:00", **fields: Any
) -> tuple[dict[str, Any], str | None]:
    party = fields.pop("party", None)
    document = {
        "type": type_,
        "eventID": event_id(name),
        "eventTime": at + offset.replace("+00:00", "Z"),
        "eventTimeZoneOffset": offset,
        **fields,
    }
    return document, party


KNOWN_EVENTS: list[tuple[dict[str, Any], str | None]] = [
    _event(
        "E01", "ObjectEvent", "2026-01-01T08:00:00.000",
        action="ADD", epcList=[S1, S2, S3], bizStep="commissioning", disposition="active",
        readPoint={"id": L1}, bizLocation={"id": L1},
        ilmd={"cbvmda:lotNumber": "LOT1", "cbvmda:itemExpirationDate": "2028-01-31"},
    ),
    _event(
        "E02", "AggregationEvent", "2026-01-01T09:00:00.000",
        action="ADD", parentID=P1, childEPCs=[S1, S2],
        bizStep="https://ref.gs1.org/cbv/BizStep-packing", disposition="in_progress",
        readPoint={"id": L1},
    ),
    _event(
        "E03", "ObjectEvent", "2026-01-02T10:00:00.000",
        action="OBSERVE", epcList=[S3], bizStep="https://ref.gs1.org/cbv/BizStep-shipping",
        disposition="in_transit", readPoint={"id": L1}, bizLocation={"id": L1},
        bizTransactionList=[
            {"type": "po", "bizTransaction": PO},
            {"type": "https://ref.gs1.org/cbv/BTT-desadv", "bizTransaction": DESADV},
        ],
        sourceList=[{"type": "owning_party", "source": BRAND}],
        destinationList=[
            {"type": "https://ref.gs1.org/cbv/SDT-owning_party", "destination": DISTRIBUTOR},
            {"type": "location", "destination": L2},
        ],
        party="dist-1",
    ),
    _event(
        "E04", "ObjectEvent", "2026-01-03T11:00:00.000", "+01:00",
        action="OBSERVE", epcList=[S3], bizStep="receiving", disposition="in_progress",
        readPoint={"id": L2}, bizLocation={"id": L2}, party="dist-1",
    ),
    _event(
        "E05", "TransactionEvent", "2026-01-02T12:00:00.000",
        action="ADD", parentID=P1, epcList=[S1],
        bizTransactionList=[{"type": "po", "bizTransaction": PO}], bizStep="shipping",
    ),
    _event(
        "E06", "TransformationEvent", "2026-01-01T06:00:00.000",
        inputEPCList=[RAW], outputEPCList=[S4],
        inputQuantityList=[{"epcClass": LOTX, "quantity": 100, "uom": "KGM"}],
        transformationID=TRANSFORMATION, bizStep="commissioning",
        persistentDisposition={"set": ["completeness_verified"]}, readPoint={"id": L1},
    ),
    _event(
        "E07", "AssociationEvent", "2026-01-05T08:00:00.000",
        action="ADD", parentID=SENSOR, childEPCs=[S2], bizStep="assembling",
        disposition="https://ref.gs1.org/cbv/Disp-active",
    ),
    _event(
        "E08", "ObjectEvent", "2026-01-06T08:00:00.000",
        action="OBSERVE", epcList=[], quantityList=[{"epcClass": LOT1, "quantity": 10}],
        bizStep="retail_selling", disposition="retail_sold", bizLocation={"id": L3},
    ),
    _event(
        "E09", "ObjectEvent", "2026-01-04T08:00:00.000",
        action="OBSERVE", epcList=[DL_S5], bizStep="inspecting", readPoint={"id": L3},
    ),
    _event(
        "E10", "ObjectEvent", "2026-01-07T08:00:00.000",
        action="DELETE", epcList=[S6], bizStep="destroying", disposition="destroyed",
        errorDeclaration={
            "declarationTime": "2026-02-10T00:00:00.000Z", "reason": "incorrect_data"
        },
    ),
    _event(
        "E11", "ObjectEvent", "2026-01-08T08:00:00.000",
        action="OBSERVE", epcList=[S4], bizStep="https://ref.gs1.org/cbv/BizStep-inspecting",
        persistentDisposition={"set": ["completeness_inferred"], "unset": ["completeness_verified"]},
    ),
    _event(
        "E12", "AggregationEvent", "2026-01-09T08:00:00.000",
        action="DELETE", parentID=P1, childEPCs=[S1], bizStep="unpacking",
        readPoint={"id": L2},
    ),
    _event(
        "E13", "ObjectEvent", "2026-01-10T08:00:00.000",
        action="OBSERVE", epcList=[S1], bizStep="shipping", disposition="in_transit",
        destinationList=[{"type": "https://ref.gs1.org/cbv/SDT-location", "destination": L3}],
    ),
    _event(
        "E14", "TransformationEvent", "2026-01-01T07:00:00.000",
        inputQuantityList=[{"epcClass": LOTX, "quantity": 5, "uom": "KGM"}],
        outputQuantityList=[{"epcClass": LOTY, "quantity": 50}],
    ),
    _event(
        "E15", "AssociationEvent", "2026-01-11T08:00:00.000",
        action="DELETE", parentID=SENSOR, childEPCs=[S2], bizStep="disassembling",
    ),
    _event(
        "E16", "TransactionEvent", "2026-01-12T08:00:00.000",
        action="DELETE", epcList=[S1],
        bizTransactionList=[{"type": "https://ref.gs1.org/cbv/BTT-po", "bizTransaction": PO}],
    ),
    _event(
        "E17", "ObjectEvent", "2026-01-13T08:00:00.000",
        action="OBSERVE", epcList=[S2], bizStep="storing", **{"ext:temperature": "4.5"},
    ),
    _event(
        "E18", "ObjectEvent", "2026-01-14T08:00:00.000",
        action="OBSERVE", epcList=[S3], bizStep="sensor_reporting",
        sensorElementList=[
            {"sensorReport": [{"type": "gs1:MT-Temperature", "value": 5.0, "uom": "CEL"}]}
        ],
    ),
    _event(
        "E19", "ObjectEvent", "2026-01-15T08:00:00.000",
        action="ADD", epcList=[ESCAPED, LOWER], bizStep="commissioning", disposition="active",
    ),
    _event(
        "E20", "ObjectEvent", "2026-01-01T02:00:00.000", "-05:00",
        action="OBSERVE", epcList=[S1], bizStep="https://example.com/steps/blessing",
        readPoint={"id": "https://example.com/places/chapel"},
    ),
]  # fmt: skip

ALL = [document["eventID"] for document, _ in KNOWN_EVENTS]


def recorded_at(name: str) -> dt.datetime:
    """When a known event is recorded: a minute after the one loaded before it."""
    return FIRST_RECORDED + dt.timedelta(minutes=int(name[1:]) - 1)


def stored(document: dict[str, Any], party: str | None) -> StoredEvent:
    if any(key.startswith("ext:") for key in document):
        document = {"@context": [{"ext": EXTENSION_NS}], **document}
    return StoredEvent(document, party_id=party, recorded_by="known-events")


def empty(engine: Engine) -> None:
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@dataclass(frozen=True)
class KnownSet:
    """The database holding the known events, and a token's headers per caller: ``admin``,
    ``line``, ``verifier`` (no party), ``dist-1``, ``dist-2``, ``dist-3`` (nothing in its
    custody)."""

    database: Database
    tokens: dict[str, dict[str, str]]


def load(engine: Engine) -> KnownSet:
    """An emptied database holding the known events, the product, the distributors, what is
    in their custody, and a token for each caller."""
    empty(engine)
    database = Database(engine)
    tokens: dict[str, dict[str, str]] = {}
    with database.unit_of_work() as uow, pytest.MonkeyPatch.context() as monkeypatch:
        catalog.register_product(uow, gtin=GTIN, name="Known", company_prefix_length=7, actor=SETUP)
        product_id = uow.connection.execute(
            select(products.c.id).where(products.c.gtin == GTIN)
        ).scalar_one()
        for party in ("dist-1", "dist-2", "dist-3"):
            catalog.register_party(uow, id=party, name=party, role="distributor", actor=SETUP)
            token = create_token(uow, role="distributor", party=party, actor=SETUP)
            tokens[party] = {"Authorization": f"Bearer {token}"}
        for role in ("admin", "line", "verifier"):
            token = create_token(uow, role=role, actor=SETUP)
            tokens[role] = {"Authorization": f"Bearer {token}"}
        uow.connection.execute(
            insert(units),
            {
                "product_id": product_id,
                "serial": "S2",
                "lot_id": 1,
                "seq": 2,
                "request_id": 1,
                "state": "active",
                "custodian_id": "dist-1",
            },
        )
        uow.connection.execute(
            insert(containers),
            {"epc": P1, "kind": "sscc", "custodian_id": "dist-2", "created_at": FIRST_RECORDED},
        )
        repository = EventRepository(uow.connection)
        for document, concerned in KNOWN_EVENTS:
            name = name_of(document["eventID"])
            monkeypatch.setattr(event_store, "now", _clock(recorded_at(name)))
            repository.add_documents([stored(document, concerned)])
        uow.commit()
    return KnownSet(database, tokens)


def _clock(at: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: at


def _intact(known: KnownSet) -> bool:
    with known.database.unit_of_work(read_only=True) as uow:
        return uow.events.count() == len(KNOWN_EVENTS) and all(
            uow.events.get(identifier) is not None for identifier in (ALL[0], ALL[-1])
        )


def epcis_document() -> dict[str, Any]:
    """The known events as one EPCISDocument (for checking them against the schema)."""
    return {
        "@context": [EPCIS_CONTEXT, {"ext": EXTENSION_NS}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-02-01T00:00:00Z",
        "epcisBody": {"eventList": [document for document, _ in KNOWN_EVENTS]},
    }


@pytest.fixture(scope="module")
def known_set(database_engine: Engine) -> KnownSet:
    """The known events, loaded once for a test module."""
    return load(database_engine)


@pytest.fixture
def known(known_set: KnownSet, database_engine: Engine) -> KnownSet:
    """The known events, loaded again if a test that empties the database ran meanwhile."""
    return known_set if _intact(known_set) else load(database_engine)
