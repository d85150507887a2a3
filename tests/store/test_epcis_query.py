"""The EPCIS query select: each standard parameter alone and in combination against the known
event set (tests/epcis_known_events.py), the order, keyset pages, and who sees what."""

from __future__ import annotations

import pytest

from tests.epcis_known_events import (
    ALL,
    BRAND,
    DESADV,
    DISTRIBUTOR,
    DL_S5,
    ESCAPED,
    L1,
    L2,
    L3,
    LOT1,
    LOTX,
    LOTY,
    P1,
    PO,
    RAW,
    S1,
    S2,
    S4,
    S5,
    SENSOR,
    TRANSFORMATION,
    KnownSet,
    event_id,
    known,
    known_set,
    name_of,
)
from unitrace.services.epcis_query import read_query
from unitrace.store.epcis_query import EVERY_EVENT, EpcisQueries, EventViewer
from unitrace.store.party_view import PartyView

__all__ = ["known", "known_set"]  # fixtures

#: Every known event in eventTime order (UTC), the order a query without orderBy gives.
BY_EVENT_TIME = "E06 E14 E01 E02 E20 E03 E05 E04 E09 E07 E08 E10 E11 E12 E13 E15 E16 E17 E18 E19"
DL = "https://id.gs1.org/01/09506000134352/21/"

# (query parameters, the events they find in order); a value with commas is a list
CASES: list[tuple[dict[str, str], str]] = [
    ({}, BY_EVENT_TIME),
    ({"eventType": "AggregationEvent"}, "E02 E12"),
    ({"eventType": "TransformationEvent,AssociationEvent"}, "E06 E14 E07 E15"),
    # GE_ inclusive, LT_ exclusive, any zone
    ({"GE_eventTime": "2026-01-01T00:00:00Z", "LT_eventTime": "2026-01-02T02:00:00Z"}, "E01 E02 E20"),
    ({"GE_eventTime": "2026-01-01T08:00:00+08:00", "LT_eventTime": "2026-01-02T10:00:00+08:00"}, "E01 E02 E20"),
    ({"GE_recordTime": "2026-02-01T00:18:00Z"}, "E20 E19"),
    ({"LT_recordTime": "2026-02-01T00:02:00Z"}, "E01 E02"),
    ({"EQ_action": "DELETE"}, "E10 E12 E15 E16"),
    ({"EQ_action": "ADD,DELETE", "eventType": "AssociationEvent"}, "E07 E15"),
    # bizStep and disposition in any spelling match every spelling stored
    ({"EQ_bizStep": "shipping"}, "E03 E05 E13"),
    ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:inspecting"}, "E09 E11"),
    ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-packing"}, "E02"),
    ({"EQ_bizStep": "commissioning,packing"}, "E06 E01 E02 E19"),
    ({"EQ_bizStep": "https://example.com/steps/blessing"}, "E20"),
    ({"EQ_disposition": "active"}, "E01 E07 E19"),
    ({"EQ_disposition": "urn:epcglobal:cbv:disp:in_transit"}, "E03 E13"),
    ({"EQ_readPoint": L1}, "E06 E01 E02 E03"),
    ({"WD_readPoint": L2}, "E04 E12"),
    ({"EQ_readPoint": f"{L1},{L2}", "WD_readPoint": L2}, "E04 E12"),
    ({"EQ_readPoint": L1, "WD_readPoint": L2}, ""),
    ({"EQ_readPoint": "https://example.com/places/chapel"}, "E20"),
    ({"EQ_bizLocation": L2}, "E04"),
    # a place asked for as a Digital Link finds the events that wrote its SGLN URI
    ({"EQ_readPoint": "https://id.gs1.org/414/9506000000015"}, "E06 E01 E02 E03"),
    ({"EQ_bizLocation": "https://example.com/414/9506000000022"}, "E04"),
    ({"WD_bizLocation": L3}, "E08"),
    # MATCH_epc: epcList and childEPCs, every spelling of the EPC
    ({"MATCH_epc": S2}, "E01 E02 E07 E15 E17"),
    ({"MATCH_epc": DL + "S2"}, "E01 E02 E07 E15 E17"),
    ({"MATCH_epc": "https://brand.example/shop/01/09506000134352/21/S2?17=280131"}, "E01 E02 E07 E15 E17"),
    ({"MATCH_epc": S5}, "E09"),
    ({"MATCH_epc": DL_S5}, "E09"),
    ({"MATCH_epc": ESCAPED}, "E19"),
    ({"MATCH_epc": DL + "A%2F1"}, "E19"),
    ({"MATCH_epc": "urn:epc:id:sgtin:9506000.013435.X1"}, ""),  # serials are case-sensitive
    ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.013435.x1"}, "E19"),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.013435.*"},
     "E01 E02 E20 E03 E05 E04 E09 E07 E10 E11 E12 E13 E15 E16 E17 E18 E19"),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.*.*"},
     "E01 E02 E20 E03 E05 E04 E07 E10 E11 E12 E13 E15 E16 E17 E18 E19"),
    ({"MATCH_epc": "urn:epc:idpat:sscc:*.*"}, ""),
    ({"MATCH_epc": P1}, ""),  # a parent only
    ({"MATCH_epc": f"{S4},{S5}"}, "E09 E11"),
    ({"MATCH_parentID": P1}, "E02 E05 E12"),
    ({"MATCH_parentID": "https://id.gs1.org/00/095060000000000015"}, "E02 E05 E12"),
    ({"MATCH_parentID": "urn:epc:idpat:sscc:9506000.*"}, "E02 E05 E12"),
    ({"MATCH_parentID": SENSOR}, "E07 E15"),
    ({"MATCH_inputEPC": RAW}, "E06"),
    ({"MATCH_outputEPC": S4}, "E06"),
    ({"MATCH_inputEPC": S4}, ""),
    ({"MATCH_anyEPC": S4}, "E06 E11"),
    ({"MATCH_anyEPC": P1}, "E02 E05 E12"),
    ({"MATCH_anyEPC": DL + "S1"}, "E01 E02 E20 E05 E12 E13 E16"),
    # MATCH_epcClass looks in quantity lists (EPCIS 2.0 section 8.2.7.1) and, for an LGTIN,
    # at the lot's instances: E01 commissions SGTINs of the GTIN with ILMD lot LOT1
    ({"MATCH_epcClass": LOT1}, "E01 E08"),
    ({"EQ_ILMD_cbvmda:lotNumber": "LOT1"}, "E01"),
    ({"EQ_ILMD_cbvmda:lotNumber": "LOT1", "MATCH_epc": "urn:epc:idpat:sgtin:9506000.013435.*"}, "E01"),
    ({"GE_ILMD_cbvmda:itemExpirationDate": "2028-01-31"}, "E01"),
    ({"GT_ILMD_cbvmda:itemExpirationDate": "2028-01-31T00:00:00Z"}, ""),
    ({"EQ_quantity": "10"}, "E08"),
    ({"MATCH_epcClass": LOTX}, ""),  # an input class only
    # every lot of the GTIN (a pattern): quantity lists only
    ({"MATCH_epcClass": "urn:epc:idpat:sgtin:9506000.013435.*"}, "E08"),
    ({"MATCH_epcClass": "https://id.gs1.org/01/09506000134352/10/LOT1"}, "E01 E08"),
    ({"MATCH_inputEPCClass": LOTX}, "E06 E14"),
    ({"MATCH_outputEPCClass": LOTY}, "E14"),
    ({"MATCH_anyEPCClass": LOTX}, "E06 E14"),
    ({"MATCH_anyEPCClass": "https://id.gs1.org/01/09506000134352/10/LOTY"}, "E14"),
    ({"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:9506000.013435.*"}, "E06 E14 E08"),
    ({"EQ_eventID": f"{event_id('E05')},{event_id('E01')}"}, "E01 E05"),
    ({"EQ_eventID": "urn:uuid:unknown"}, ""),
    ({"EXISTS_errorDeclaration": ""}, "E10"),
    ({"GE_errorDeclarationTime": "2026-02-10T00:00:00Z"}, "E10"),
    ({"LT_errorDeclarationTime": "2026-02-10T00:00:00Z"}, ""),
    ({"GE_errorDeclaration_Time": "2026-02-09T00:00:00Z"}, "E10"),
    ({"EQ_errorReason": "incorrect_data"}, "E10"),
    ({"EQ_errorReason": "urn:epcglobal:cbv:er:incorrect_data,did_not_occur"}, "E10"),
    ({"EQ_errorReason": "https://ref.gs1.org/cbv/ER-did_not_occur"}, ""),
    # types of transactions, sources and destinations in every spelling
    ({"EQ_bizTransaction_po": PO}, "E03 E05 E16"),
    ({"EQ_bizTransaction_desadv": DESADV}, "E03"),
    ({"EQ_bizTransaction_desadv": PO}, ""),
    ({"EQ_source_owning_party": BRAND}, "E03"),
    ({"EQ_source_possessing_party": BRAND}, ""),
    ({"EQ_destination_owning_party": DISTRIBUTOR}, "E03"),
    ({"EQ_destination_location": L3}, "E13"),
    ({"EQ_destination_location": f"{L2},{L3}"}, "E03 E13"),
    ({"EQ_transformationID": TRANSFORMATION}, "E06"),
    ({"EQ_persistentDisposition_set": "completeness_verified"}, "E06"),
    ({"EQ_persistentDisposition_unset": "https://ref.gs1.org/cbv/Disp-completeness_verified"}, "E11"),
    ({"EQ_persistentDisposition_set": "completeness_inferred"}, "E11"),
    # order: orderBy alone is DESC, as the standard has it
    ({"orderBy": "recordTime"}, " ".join(reversed([name_of(i) for i in ALL]))),
    ({"orderBy": "recordTime", "orderDirection": "ASC", "eventType": "AggregationEvent"}, "E02 E12"),
    ({"orderBy": "recordTime", "eventType": "AggregationEvent"}, "E12 E02"),
    ({"orderBy": "eventTime", "eventType": "TransformationEvent"}, "E14 E06"),
    ({"orderDirection": "DESC", "eventType": "TransformationEvent"}, "E14 E06"),
    ({"orderBy": "eventTime", "orderDirection": "ASC", "MATCH_epc": S2}, "E01 E02 E07 E15 E17"),
    ({"eventCountLimit": "2", "eventType": "ObjectEvent"}, "E01 E20"),
    # combinations: AND across parameters
    ({"EQ_bizStep": "shipping", "MATCH_epc": S1}, "E05 E13"),
    ({"MATCH_anyEPC": S1, "EQ_action": "DELETE"}, "E12 E16"),
    ({"eventType": "ObjectEvent", "EQ_disposition": "in_progress"}, "E04"),
    ({"GE_eventTime": "2026-01-05T00:00:00Z", "MATCH_epc": S2}, "E07 E15 E17"),
    ({"MATCH_epc": S2, "MATCH_parentID": P1}, "E02"),
    ({"EQ_bizTransaction_po": PO, "eventType": "TransactionEvent", "EQ_action": "ADD"}, "E05"),
    ({"EQ_bizStep": "shipping", "EQ_disposition": "in_transit", "EQ_readPoint": L1}, "E03"),
]  # fmt: skip


def _found(known: KnownSet, parameters: dict[str, str], viewer: EventViewer) -> list[str]:
    definition = read_query(
        {key: tuple(value.split(",")) if value else (value,) for key, value in parameters.items()}
    )
    with known.database.unit_of_work(read_only=True) as uow:
        found = EpcisQueries(uow.connection).events(
            definition.conditions, viewer=viewer, limit=definition.event_count_limit
        )
    return [name_of(event.event_id) for event in found]


@pytest.mark.parametrize(("parameters", "expected"), CASES, ids=[str(case[0]) for case in CASES])
def test_each_parameter_finds_its_events_in_order(
    known: KnownSet, parameters: dict[str, str], expected: str
) -> None:
    assert _found(known, parameters, EVERY_EVENT) == expected.split()


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        # its own shipment and receipt (E03, E04), and the events naming unit S2 in its custody
        (EventViewer(False, "dist-1"), "E01 E02 E03 E04 E07 E15 E17"),
        # the events naming pallet P1 in its custody
        (EventViewer(False, "dist-2"), "E02 E05 E12"),
        (EventViewer(False, "dist-3"), ""),
        (EventViewer(False, None), ""),
    ],
)
@pytest.mark.parametrize("forward_view_limit", [-1, 2_000], ids=["event-by-event", "forward"])
def test_a_party_sees_its_events_and_those_of_what_it_holds(
    known: KnownSet,
    viewer: EventViewer,
    expected: str,
    forward_view_limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both ways to a party's view (asking each event, or finding the events from what the
    party holds) give the same events."""
    monkeypatch.setattr(PartyView, "FORWARD_VIEW_LIMIT", forward_view_limit)
    assert _found(known, {"orderBy": "eventTime", "orderDirection": "ASC"}, viewer) == (
        sorted(expected.split(), key=BY_EVENT_TIME.split().index)
    )


@pytest.mark.parametrize("party", ["dist-1", "dist-2", "dist-3"])
@pytest.mark.parametrize(("parameters", "expected"), CASES, ids=[str(case[0]) for case in CASES])
def test_both_ways_to_a_partys_view_narrow_every_query_alike(
    known: KnownSet,
    parameters: dict[str, str],
    expected: str,
    party: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = EventViewer(False, party)
    monkeypatch.setattr(PartyView, "FORWARD_VIEW_LIMIT", -1)
    event_by_event = _found(known, parameters, viewer)
    monkeypatch.setattr(PartyView, "FORWARD_VIEW_LIMIT", 2_000)
    assert _found(known, parameters, viewer) == event_by_event
    if "eventCountLimit" not in parameters:  # a view narrows what the query finds
        assert set(event_by_event) <= set(expected.split())


def test_a_partys_view_narrows_a_query_it_does_not_widen(known: KnownSet) -> None:
    # S2 is dist-1's: dist-2 does not find it, though E02, which dist-2 sees, names it
    assert _found(known, {"MATCH_epc": S2}, EventViewer(False, "dist-2")) == []
    assert _found(known, {"MATCH_parentID": P1}, EventViewer(False, "dist-2")) == [
        "E02",
        "E05",
        "E12",
    ]
    assert _found(known, {"EQ_bizStep": "shipping"}, EventViewer(False, "dist-1")) == ["E03"]


@pytest.mark.parametrize("order", [{}, {"orderBy": "recordTime"}, {"orderDirection": "DESC"}])
def test_keyset_pages_walk_every_event_once_in_order(
    known: KnownSet, order: dict[str, str]
) -> None:
    definition = read_query({key: (value,) for key, value in order.items()})
    with known.database.unit_of_work(read_only=True) as uow:
        queries = EpcisQueries(uow.connection)
        whole = [
            event.event_id for event in queries.events(definition.conditions, viewer=EVERY_EVENT)
        ]
        walked: list[str] = []
        after = None
        while True:
            page = queries.events(definition.conditions, viewer=EVERY_EVENT, after=after, limit=3)
            walked.extend(event.event_id for event in page)
            if len(page) < 3:
                break
            after = page[-1].position
    assert walked == whole
    assert sorted(whole) == sorted(ALL)


def test_found_events_carry_their_epc_lists_and_record_time(known: KnownSet) -> None:
    definition = read_query({"EQ_eventID": (event_id("E01"), event_id("E06"))})
    with known.database.unit_of_work(read_only=True) as uow:
        e06, e01 = EpcisQueries(uow.connection).events(definition.conditions, viewer=EVERY_EVENT)
    assert e01.document["epcList"] == sorted([S1, S2, "urn:epc:id:sgtin:9506000.013435.S3"])
    assert e01.document["recordTime"] == "2026-02-01T00:00:00.000+00:00"
    assert e06.document["inputEPCList"] == [RAW]
    assert e06.document["outputEPCList"] == [S4]
    assert e06.document["inputQuantityList"] == [{"epcClass": LOTX, "quantity": 100, "uom": "KGM"}]


def test_distinct_values_are_listed_for_the_viewer(known: KnownSet) -> None:
    with known.database.unit_of_work(read_only=True) as uow:
        queries = EpcisQueries(uow.connection)
        assert queries.vocabulary("biz_location", viewer=EVERY_EVENT) == [L1, L2, L3]
        assert queries.vocabulary("type", viewer=EventViewer(False, "dist-2")) == [
            "AggregationEvent",
            "TransactionEvent",
        ]
