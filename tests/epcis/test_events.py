"""EPCIS 2.0 event builders, all five types: whole documents compared, refusals, and every
event valid against the official EPCIS 2.0 JSON schema (standing alone, as a built event names
the EPCIS context itself)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.epcis.official import schema_errors
from unitrace.epcis import (
    EPCIS_CONTEXT,
    Action,
    AggregationEvent,
    AssociationEvent,
    BizStep,
    BizTransaction,
    BizTransactionType,
    Disposition,
    Ilmd,
    InvalidEvent,
    ObjectEvent,
    QuantityElement,
    SourceDest,
    SourceDestType,
    TransactionEvent,
    TransformationEvent,
    epcis_document,
    event_time_text,
    time_zone_offset,
)

EVENT_ID = "urn:uuid:0f8e4a38-7b4c-4c55-9a55-2b6d8c1f1c11"
KL = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 5, 4, 9, 30, 15, 250_000, tzinfo=KL)
UNIT_1 = "urn:epc:id:sgtin:9506000.013435.S00001"
UNIT_2 = "urn:epc:id:sgtin:9506000.013435.S00002"
CASE = "urn:epc:id:sgtin:9506000.113435.C1"
PALLET = "urn:epc:id:sscc:9506000.1000000001"
PLANT = "urn:epc:id:sgln:9506000.00004.0"
DIST_A = "urn:epc:id:pgln:9506000.00001"
DIST_A_PLACE = "urn:epc:id:sgln:9506000.00001.0"

COMMISSIONING = ObjectEvent(
    event_id=EVENT_ID,
    event_time=AT,
    action=Action.ADD,
    epc_list=(UNIT_1, UNIT_2),
    biz_step=BizStep.COMMISSIONING,
    disposition=Disposition.ACTIVE,
    read_point=PLANT,
    biz_location=PLANT,
    ilmd=Ilmd(lot="L1", expiry=dt.date(2030, 12, 31)),
)
SHIPPING = ObjectEvent(
    event_id=EVENT_ID,
    event_time=AT,
    action=Action.OBSERVE,
    epc_list=(PALLET, CASE, UNIT_1),
    biz_step=BizStep.SHIPPING,
    disposition=Disposition.IN_TRANSIT,
    source_list=(SourceDest(SourceDestType.OWNING_PARTY, "urn:unitrace:party:brand"),),
    destination_list=(
        SourceDest(SourceDestType.OWNING_PARTY, DIST_A),
        SourceDest(SourceDestType.LOCATION, DIST_A_PLACE),
    ),
)
PACKING = AggregationEvent(
    event_id=EVENT_ID,
    event_time=AT,
    action=Action.ADD,
    biz_step=BizStep.PACKING,
    parent_id=CASE,
    child_epcs=(UNIT_1, UNIT_2),
)
UNPACKING_ALL = AggregationEvent(
    event_id=EVENT_ID,
    event_time=AT.astimezone(dt.UTC),
    action=Action.DELETE,
    biz_step=BizStep.UNPACKING,
    parent_id=PALLET,
)
DESTROYING = ObjectEvent(
    event_id=EVENT_ID,
    event_time=AT,
    action=Action.DELETE,
    epc_list=(UNIT_1,),
    biz_step=BizStep.DESTROYING,
    disposition=Disposition.DESTROYED,
)
WHEN = {
    "@context": EPCIS_CONTEXT,
    "eventID": EVENT_ID,
    "eventTime": "2026-05-04T09:30:15.250+08:00",
    "eventTimeZoneOffset": "+08:00",
}

LOT_IN = "urn:epc:class:lgtin:9506000.013435.RAW1"
TRANSFORMING = TransformationEvent(
    event_id=EVENT_ID,
    event_time=AT,
    input_quantity_list=(QuantityElement(LOT_IN, 12.5, "KGM"),),
    output_epc_list=(UNIT_1, UNIT_2),
    biz_step=BizStep.COMMISSIONING,
    ilmd=Ilmd(lot="L2"),
)
TRANSACTING = TransactionEvent(
    event_id=EVENT_ID,
    event_time=AT,
    action=Action.ADD,
    parent_id=PALLET,
    epc_list=(CASE,),
    biz_transaction_list=(
        BizTransaction("urn:epcglobal:cbv:bt:9506000000017:PO-1", BizTransactionType.PO),
        BizTransaction("https://example.com/invoices/7"),
    ),
)
ASSOCIATING = AssociationEvent(
    event_id=EVENT_ID,
    event_time=AT,
    action=Action.ADD,
    parent_id="urn:epc:id:grai:9506000.55555.1",
    child_epcs=(),
    child_quantity_list=(QuantityElement("urn:epc:class:lgtin:9506000.013435.L1", 3),),
    biz_step=BizStep.ASSEMBLING,
)

DOCUMENTS: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "commissioning",
        COMMISSIONING,
        {
            **WHEN,
            "type": "ObjectEvent",
            "action": "ADD",
            "epcList": [UNIT_1, UNIT_2],
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": {"id": PLANT},
            "bizLocation": {"id": PLANT},
            "ilmd": {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2030-12-31"},
        },
    ),
    (
        "shipping",
        SHIPPING,
        {
            **WHEN,
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "epcList": [PALLET, CASE, UNIT_1],
            "bizStep": "shipping",
            "disposition": "in_transit",
            "sourceList": [{"type": "owning_party", "source": "urn:unitrace:party:brand"}],
            "destinationList": [
                {"type": "owning_party", "destination": DIST_A},
                {"type": "location", "destination": DIST_A_PLACE},
            ],
        },
    ),
    (
        "packing",
        PACKING,
        {
            **WHEN,
            "type": "AggregationEvent",
            "action": "ADD",
            "parentID": CASE,
            "childEPCs": [UNIT_1, UNIT_2],
            "bizStep": "packing",
        },
    ),
    (
        "unpacking everything",
        UNPACKING_ALL,
        {
            **WHEN,
            "eventTime": "2026-05-04T01:30:15.250+00:00",
            "eventTimeZoneOffset": "+00:00",
            "type": "AggregationEvent",
            "action": "DELETE",
            "parentID": PALLET,
            "childEPCs": [],
            "bizStep": "unpacking",
        },
    ),
    (
        "destroying",
        DESTROYING,
        {
            **WHEN,
            "type": "ObjectEvent",
            "action": "DELETE",
            "epcList": [UNIT_1],
            "bizStep": "destroying",
            "disposition": "destroyed",
        },
    ),
    (
        "transforming",
        TRANSFORMING,
        {
            **WHEN,
            "type": "TransformationEvent",
            "inputQuantityList": [{"epcClass": LOT_IN, "quantity": 12.5, "uom": "KGM"}],
            "outputEPCList": [UNIT_1, UNIT_2],
            "bizStep": "commissioning",
            "ilmd": {"cbvmda:lotNumber": "L2"},
        },
    ),
    (
        "transacting",
        TRANSACTING,
        {
            **WHEN,
            "type": "TransactionEvent",
            "action": "ADD",
            "parentID": PALLET,
            "epcList": [CASE],
            "bizTransactionList": [
                {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:9506000000017:PO-1"},
                {"bizTransaction": "https://example.com/invoices/7"},
            ],
        },
    ),
    (
        "associating",
        ASSOCIATING,
        {
            **WHEN,
            "type": "AssociationEvent",
            "action": "ADD",
            "parentID": "urn:epc:id:grai:9506000.55555.1",
            "childEPCs": [],
            "childQuantityList": [
                {"epcClass": "urn:epc:class:lgtin:9506000.013435.L1", "quantity": 3}
            ],
            "bizStep": "assembling",
        },
    ),
]


@pytest.mark.parametrize(
    ("event", "document"), [row[1:] for row in DOCUMENTS], ids=[row[0] for row in DOCUMENTS]
)
def test_documents(event: Any, document: dict[str, Any]) -> None:
    assert event.document() == document


@pytest.mark.parametrize(
    ("at", "text", "offset"),
    [
        (
            dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "2026-01-02T03:04:05.000+00:00",
            "+00:00",
        ),
        (
            dt.datetime(
                2026,
                1,
                2,
                3,
                4,
                5,
                999_999,
                tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
            ),
            "2026-01-02T03:04:05.999-05:30",
            "-05:30",
        ),
        (
            dt.datetime(2026, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45))),
            "2026-07-01T00:00:00.000+05:45",
            "+05:45",
        ),
        (
            dt.datetime(2026, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))),
            "2026-07-01T00:00:00.000+14:00",
            "+14:00",
        ),
    ],
)
def test_event_times(at: dt.datetime, text: str, offset: str) -> None:
    assert (event_time_text(at), time_zone_offset(at)) == (text, offset)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: ObjectEvent(event_time=dt.datetime(2026, 1, 1), action=Action.OBSERVE),
            "eventTime: needs a UTC offset",
        ),
        (
            lambda: ObjectEvent(event_time=AT, action=Action.OBSERVE, ilmd=Ilmd(lot="L1")),
            "ilmd: only an ADD event, which creates the objects, carries ILMD; this one is OBSERVE",
        ),
        (
            lambda: ObjectEvent(event_time=AT, action=Action.OBSERVE, epc_list=(UNIT_1, UNIT_1)),
            f"epcList: {UNIT_1} is named twice",
        ),
        (
            lambda: AggregationEvent(event_time=AT, action=Action.ADD, parent_id=CASE),
            "childEPCs: an ADD aggregation names its children",
        ),
        (
            lambda: AggregationEvent(
                event_time=AT, action=Action.ADD, parent_id=CASE, child_epcs=(CASE,)
            ),
            f"childEPCs: {CASE} cannot be a child of itself",
        ),
        (
            lambda: AggregationEvent(
                event_time=AT, action=Action.OBSERVE, parent_id=CASE, child_epcs=(UNIT_1, UNIT_1)
            ),
            f"childEPCs: {UNIT_1} is named twice",
        ),
        (
            lambda: AssociationEvent(event_time=AT, action=Action.OBSERVE, parent_id=CASE),
            "childEPCs: an OBSERVE aggregation names its children",
        ),
        (
            lambda: TransactionEvent(event_time=AT, action=Action.ADD, epc_list=(UNIT_1,)),
            "bizTransactionList: a TransactionEvent names its transactions",
        ),
        (
            lambda: TransformationEvent(event_time=AT, input_epc_list=(UNIT_1,)),
            "inputEPCList: a TransformationEvent names inputs and outputs, or one of them and a "
            "transformationID",
        ),
        (
            lambda: TransformationEvent(
                event_time=AT,
                input_epc_list=(UNIT_1,),
                transformation_id="urn:uuid:1",
                ilmd=Ilmd(lot="L1"),
            ),
            "ilmd: only outputs, which the transformation creates, get ILMD",
        ),
        (
            lambda: TransformationEvent(
                event_time=AT, input_epc_list=(UNIT_1,), output_epc_list=(UNIT_2, UNIT_2)
            ),
            f"outputEPCList: {UNIT_2} is named twice",
        ),
        (
            lambda: ObjectEvent(
                event_time=AT, action=Action.OBSERVE, record_time=dt.datetime(2026, 1, 1)
            ),
            "recordTime: needs a UTC offset",
        ),
    ],
)
def test_events_epcis_does_not_allow(build: Any, message: str) -> None:
    with pytest.raises(InvalidEvent) as refused:
        build()
    assert str(refused.value).startswith(message)


def test_event_ids_are_fresh_uuid_urns() -> None:
    first = ObjectEvent(event_time=AT, action=Action.OBSERVE)
    second = ObjectEvent(event_time=AT, action=Action.OBSERVE)
    assert first.event_id != second.event_id
    assert first.event_id is not None
    assert first.event_id.startswith("urn:uuid:")
    assert len(first.event_id) == 45


# --- the official schema ------------------------------------------------------------------


@pytest.mark.conformance
@pytest.mark.parametrize("event", [row[1] for row in DOCUMENTS], ids=[row[0] for row in DOCUMENTS])
def test_every_built_event_is_valid_epcis(conformance: Path, event: Any) -> None:
    assert schema_errors(conformance, event.document()) == []


@pytest.mark.conformance
def test_a_document_of_built_events_is_valid_epcis(conformance: Path) -> None:
    sent = epcis_document(
        [row[1].document() for row in DOCUMENTS],
        created=AT,
        document_id="urn:uuid:5b2c4a38-7b4c-4c55-9a55-2b6d8c1f1c11",
    )
    assert schema_errors(conformance, sent) == []


@pytest.mark.conformance
def test_the_schema_check_catches_a_broken_event(conformance: Path) -> None:
    """The validator is not vacuous: an event without its time zone offset, with ILMD on an
    OBSERVE, and with a bizStep that is neither CBV nor a URI, is refused."""
    broken = SHIPPING.document()
    del broken["eventTimeZoneOffset"]
    broken["ilmd"] = {"cbvmda:lotNumber": "L1"}
    broken["bizStep"] = "shipped"
    errors = schema_errors(conformance, broken)
    assert any("eventTimeZoneOffset" in error for error in errors)
    assert len(errors) >= 2
