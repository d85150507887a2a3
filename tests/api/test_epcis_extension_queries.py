"""The EPCIS 2.0 extension-field, ILMD, quantity and error-declaration query parameters on
``GET /epcis/events`` (section 8.2.7.1): each family against the official examples that carry
those fields (``WithFullCombinationOfFields``, the error declaration of example 9.6.1, the XML
extension example) and events of our own (a lot's ILMD, extensions of the readPoint, the
bizLocation and the errorDeclaration, quantities with and without a unit, a long value); the
three spellings of a field's name; bad names and values as QueryParameterException naming the
parameter; a named query with its ``@context`` kept as the query schema writes it. On SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.epcis_captured_events import (
    Captured,
    assert_names_parameter,
    assert_valid_query,
    capture_documents,
    found,
)
from unitrace.api.app import create_app
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.epcis.xml_read import document_from_xml
from unitrace.registry.model import Actor, Role

SETUP = Actor("test-setup", Role.ADMIN)
EX = "https://unitrace.example/ext/"
#: The official examples captured, by the name tests use.
FULL = {
    "AGG": "aggregation",
    "ASSOC": "association",
    "OBJ": "object",
    "TXN": "transaction",
    "TRANS": "transformation",
}
UNIT = "urn:epc:id:sgtin:0614141.107346.2018"
LONG = "x" * 400


def own(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:example:event:{name}",
        "eventTime": "2026-01-01T06:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [UNIT],
        **fields,
    }


OWN_EVENTS = [
    own(
        "LOT",
        action="ADD",
        bizStep="commissioning",
        ilmd={
            "cbvmda:lotNumber": "LOT-A",
            "cbvmda:itemExpirationDate": "2027-12-31",
            "ex:fillTemperature": 4.5,
            "ex:filled": "2026-01-01T05:00:00+01:00",
        },
        readPoint={"id": "urn:epc:id:sgln:0614141.00777.0", "ex:dock": "7"},
        bizLocation={"id": "urn:epc:id:sgln:0614141.00777.0", "ex:zone": {"ex:rack": "R12"}},
        **{"ex:line": "L3", "ex:shift": 2},
    ),
    own(
        "QTY",
        epcList=[],
        quantityList=[
            {"epcClass": "urn:epc:class:lgtin:0614141.107346.LOT-A", "quantity": 12},
            {"epcClass": "urn:epc:class:lgtin:0614141.107346.LOT-B", "quantity": 2.5, "uom": "LTR"},
        ],
    ),
    own(
        "ERR",
        errorDeclaration={
            "declarationTime": "2026-01-02T00:00:00Z",
            "reason": "did_not_occur",
            "ex:ticket": "T-9",
            "ex:severity": 3,
            "ex:review": {"ex:by": "QA"},
        },
        **{"ex:note": LONG},
    ),
]


#: Master data of our own: the LOT event's place, and the official examples' read point with
#: the attribute and value of the standard's own master-data example (Mimasu).
MASTER_DATA = [
    {
        "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
        "vocabularyElementList": [
            {
                "id": "urn:epc:id:sgln:0614141.00777.0",
                "attributes": [
                    {"id": "urn:epcglobal:cbv:mda#city", "attribute": "Springfield"},
                    {
                        "id": "urn:epcglobal:cbv:mda#address",
                        "attribute": {"ex:street": "1 Main St"},
                    },
                ],
            }
        ],
    },
    {
        "type": "urn:epcglobal:epcis:vtype:ReadPoint",
        "vocabularyElementList": [
            {
                "id": "urn:epc:id:sgln:0012345.11111.400",
                "attributes": [{"id": "urn:epcglobal:cbv:mda:sst", "attribute": "201"}],
            }
        ],
    },
]

Loaded = Captured


def load(engine: Engine, conformance: Path) -> Loaded:
    folder = conformance / "epcis" / "JSON"
    documents: list[tuple[str, dict[str, Any]]] = [
        (name, json.loads((folder / "WithFullCombinationOfFields" / f"{stem}_event_all_possible_fields.jsonld").read_text()))
        for name, stem in FULL.items()
    ]  # fmt: skip
    documents.append(
        (
            "ERR961",
            json.loads(
                (
                    folder / "WithErrorDeclaration" / "Example_9.6.1-ObjectEvent-with-error-declaration.jsonld"
                ).read_text()
            ),
        )
    )  # fmt: skip
    xml = (conformance / "epcis" / "XML" / "WithExtension" / "ObjectEvent.xml").read_bytes()
    documents.append(("XML", document_from_xml(xml)))
    mine = {
        "@context": [EPCIS_CONTEXT, {"ex": EX}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-02T00:00:00Z",
        "epcisHeader": {"epcisMasterData": {"vocabularyList": MASTER_DATA}},
        "epcisBody": {"eventList": OWN_EVENTS},
    }
    documents.append(("", mine))
    return capture_documents(engine, documents, _name, from_xml=("XML",))


def _name(document: str, event_id: str, index: int, count: int) -> str:
    """Our own events by their eventID's last word; the examples' by their document's name,
    numbered where it holds several."""
    if not document:
        return event_id.rsplit(":", 1)[1]
    return f"{document}{index + 1}" if count > 1 else document


@pytest.fixture(scope="module")
def loaded_set(database_engine: Engine, conformance: Path) -> Loaded:
    return load(database_engine, conformance)


@pytest.fixture
def loaded(loaded_set: Loaded, database_engine: Engine, conformance: Path) -> Loaded:
    """The events, captured again if a test that empties the database ran meanwhile."""
    return loaded_set if loaded_set.intact() else load(database_engine, conformance)


@pytest.fixture
def client(loaded: Loaded) -> TestClient:
    return TestClient(create_app(loaded.database))


EXT1 = "GS1-Extensions"
HEADERS = {
    EXT1: "ext1=http://example.com/ext1/, ext2=http://example.com/ext2/,ext3=http://example.com/ext3/, ex="
    + EX
}


FIVE = ["AGG", "ASSOC", "OBJ", "TRANS", "TXN"]
QUERIES = [
    # top-level extension fields of the official examples: "ext1:int": "10" is the text 10
    # and the number 10; "ext1:time" a time
    ({"EQ_ext1:string": "string"}, FIVE),
    ({"EQ_ext1:string": "String"}, []),
    ({"EQ_ext1:int": "10"}, FIVE),
    ({"EQ_ext1:int": "10.0"}, FIVE),
    ({"EQ_ext1:float": "20,21"}, FIVE),
    ({"GT_ext1:float": "19.5"}, FIVE),
    ({"GT_ext1:float": "20"}, []),
    ({"GE_ext1:float": "20", "LE_ext1:int": "10"}, FIVE),
    ({"LT_ext1:int": "10"}, []),
    ({"EQ_ext1:time": "2013-06-08T16:58:56.591+02:00"}, FIVE),
    ({"GE_ext1:time": "2013-06-08T14:58:56.591Z"}, FIVE),
    ({"LT_ext1:time": "2013-06-08T14:58:56.591Z"}, []),
    # an array's members are values of the field
    ({"EQ_ext1:array": "stringInArray"}, FIVE),
    ({"GE_ext1:array": "22"}, FIVE),
    ({"GT_ext1:array": "22"}, []),
    # each comparison is met on its own: by two values of an array, by one value alone
    ({"GE_ext1:array": "13", "LT_ext1:array": "20"}, FIVE),
    ({"GE_ext1:array": "23", "LT_ext1:array": "20"}, []),
    ({"GT_ext1:float": "19", "LT_ext1:float": "21", "LE_ext1:float": "20"}, FIVE),
    ({"GT_ext1:float": "20", "LT_ext1:float": "21"}, []),
    ({"GE_ext1:time": "2013-01-01T00:00:00Z", "LT_ext1:time": "2014-01-01T00:00:00Z"}, FIVE),
    ({"EXISTS_ext1:object": ""}, FIVE),
    ({"EXISTS_ext3:string": ""}, []),
    # INNER_: nested at any depth, in objects and in arrays' objects, never at top level
    ({"EQ_INNER_ext2:string": "stringInObject"}, FIVE),
    ({"EQ_INNER_ext3:string": "stringInObjectInObjectInArray"}, FIVE),
    ({"EQ_INNER_ext1:string": "string"}, []),
    ({"GE_INNER_ext2:int": "13"}, FIVE),
    ({"EXISTS_INNER_ext3:string": ""}, FIVE),
    ({"EXISTS_INNER_ext1:float": ""}, []),
    # ILMD: the transformation example binds cbvmda to a namespace of its own
    ({"EQ_ILMD_cbvmda:lotNumber": "ABC123"}, ["OBJ"]),
    ({"EQ_ILMD_cbvmda:lotNumber": "LOT-A"}, ["LOT"]),
    ({"EQ_ILMD_http://example.com/cbvmda/#lotNumber": "ABC123"}, ["TRANS"]),
    ({"GE_ILMD_cbvmda:netWeight": "3.5"}, ["OBJ"]),
    ({"GE_ILMD_ext1:int": "10"}, ["OBJ", "TRANS"]),
    ({"EQ_ILMD_ext1:string": "string", "eventType": "ObjectEvent"}, ["OBJ"]),
    ({"EXISTS_ILMD_cbvmda:itemExpirationDate": ""}, ["LOT"]),
    ({"GT_ILMD_ex:fillTemperature": "4"}, ["LOT"]),
    ({"LT_ILMD_ex:filled": "2026-01-01T04:30:00Z"}, ["LOT"]),
    ({"EQ_INNER_ILMD_ext2:string": "stringInObjectInArray"}, ["OBJ", "TRANS"]),
    ({"EXISTS_INNER_ILMD_ext3:string": ""}, ["OBJ", "TRANS"]),
    ({"GT_INNER_ILMD_ext2:int": "12", "LT_INNER_ILMD_ext2:array": "14"}, ["OBJ", "TRANS"]),
    ({"LE_INNER_ILMD_ext2:int": "12"}, []),
    ({"EXISTS_ILMD_ext2:string": ""}, []),
    # the three spellings of a field's name
    ({"EQ_ILMD_urn:epcglobal:cbv:mda#lotNumber": "LOT-A"}, ["LOT"]),
    ({"EQ_ILMD_{urn:epcglobal:cbv:mda}lotNumber": "LOT-A"}, ["LOT"]),
    ({"EQ_ex:line": "L3"}, ["LOT"]),
    ({"EQ_https://unitrace.example/ext/#line": "L3"}, ["LOT"]),
    ({"EQ_{https://unitrace.example/ext}line": "L3"}, ["LOT"]),
    ({"EQ_ex:shift": "2"}, ["LOT"]),
    ({"EQ_example:myField": "Example of a vendor/user extension", "@context": '{"example": "http://ns.example.com/epcis/"}'}, ["ERR9612"]),
    # the XML example's user element (namespace http://ns.example.com/epcis, no slash) is
    # the JSON-LD one's (http://ns.example.com/epcis/)
    ({"EXISTS_http://ns.example.com/epcis#userElement": ""}, ["XML1", "XML2"]),
    ({"EXISTS_ILMD_http://ns.example.com/epcis#userIlmd": ""}, ["XML2"]),
    # error declarations: reason in any spelling, corrective events, extensions
    ({"EQ_errorReason": "incorrect_data"}, ["AGG", "ASSOC", "ERR9611", "OBJ", "TRANS", "TXN"]),
    ({"EQ_errorReason": "https://ref.gs1.org/cbv/ER-did_not_occur"}, ["ERR"]),
    ({"EQ_correctiveEventID": "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}, ["ERR9611"]),
    ({"EQ_correctiveEventID": "ni:///sha-256;fec9667280c4710a3fa9558b7bc8ddc2ced0dc442d87f82becae24bb6ca6a46f?ver=CBV2.0"}, FIVE),
    ({"EQ_ERROR_DECLARATION_ex:ticket": "T-9"}, ["ERR"]),
    ({"EXISTS_ERROR_DECLARATION_ex:review": ""}, ["ERR"]),
    ({"EQ_INNER_ERROR_DECLARATION_ex:by": "QA"}, ["ERR"]),
    ({"EXISTS_INNER_ERROR_DECLARATION_ex:ticket": ""}, []),
    ({"GT_ERROR_DECLARATION_ex:severity": "2", "LE_ERROR_DECLARATION_ex:severity": "3"}, ["ERR"]),
    ({"GT_INNER_ERROR_DECLARATION_ex:severity": "2"}, []),
    # readPoint and bizLocation extensions
    ({"EQ_readPoint_ex:dock": "7"}, ["LOT"]),
    ({"EQ_INNER_bizLocation_ex:rack": "R12"}, ["LOT"]),
    ({"EQ_INNER_readPoint_ex:dock": "7"}, []),
    ({"EQ_bizLocation_ex:rack": "R12"}, []),
    # sensor data's extensions: the element's, its metadata's, its reports'
    ({"EQ_SENSORELEMENT_ext1:string": "string"}, FIVE),
    ({"GE_SENSORELEMENT_ext1:float": "20"}, FIVE),
    ({"EQ_INNER_SENSORELEMENT_ext3:string": "stringInObjectInObject"}, FIVE),
    ({"EQ_SENSORMETADATA_ext1:someFurtherMetadata": "someText"}, FIVE),
    ({"EQ_SENSORREPORT_ext1:someFurtherReportData": "someText"}, FIVE),
    ({"EXISTS_SENSORREPORT_ext1:someFurtherMetadata": ""}, []),
    ({"EXISTS_SENSORELEMENT_ext1:object": ""}, FIVE),
    ({"EXISTS_INNER_SENSORMETADATA_ext1:someFurtherMetadata": ""}, []),
    # a long value is found by its whole text
    ({"EQ_ex:note": LONG}, ["ERR"]),
    ({"EQ_ex:note": LONG[:-1]}, []),
    # master data of the event's vocabulary fields, the attribute in any spelling
    ({"HASATTR_bizLocation": "cbvmda:city"}, ["LOT"]),
    ({"HASATTR_bizLocation": "urn:epcglobal:cbv:mda:address"}, ["LOT"]),
    ({"HASATTR_readPoint": "urn:epcglobal:cbv:mda#city"}, ["LOT"]),  # either location vocabulary
    ({"HASATTR_readPoint": "urn:epcglobal:cbv:mda#sst"}, ["ERR9612", "OBJ"]),
    ({"EQ_ATTR_readPoint_urn:epcglobal:cbv:mda:sst": "201,202"}, ["ERR9612", "OBJ"]),
    ({"EQ_ATTR_readPoint_cbvmda:sst": "202"}, []),
    ({"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda#city": "Springfield"}, ["LOT"]),
    ({"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda#address": "1 Main St"}, []),  # an object
    ({"HASATTR_bizStep": "cbvmda:city"}, []),
    # quantities of QuantityElements in every list, of any unit or of one
    ({"EQ_quantity": "200"}, ["OBJ"]),
    ({"EQ_quantity": "200.5,12"}, ["AGG", "ASSOC", "QTY"]),
    ({"GE_quantity": "220"}, ["TRANS"]),
    ({"GT_quantity": "200", "LT_quantity": "201"}, ["AGG", "ASSOC", "TRANS"]),  # by two elements
    ({"GT_quantity": "220"}, []),
    ({"EQ_quantity_KGM": "200"}, ["OBJ"]),
    ({"GE_quantity_KGM": "200.5"}, ["AGG", "ASSOC"]),
    ({"LE_quantity_KGM": "10"}, ["TRANS", "TXN"]),
    ({"LT_quantity_LTR": "3"}, ["QTY"]),
    ({"EQ_quantity_LTR": "12"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("parameters", "expected"), QUERIES, ids=[str(q[0]) for q in QUERIES])
def test_extension_parameters_find_the_events_the_standard_says(
    client: TestClient, loaded: Loaded, parameters: dict[str, str], expected: list[str]
) -> None:
    assert found(client, loaded, parameters, HEADERS) == expected


BAD = [
    ({"EQ_nowhere:x": "1"}, "EQ_nowhere:x"),
    ({"GT_ext1:float": "warm"}, "GT_ext1:float"),
    ({"GT_ext1:float": "2026-01-01T00:00:00"}, "GT_ext1:float"),
    ({"GE_ILMD_ext1:int": ""}, "GE_ILMD_ext1:int"),
    ({"EXISTS_ext1:float": "false"}, "EXISTS_ext1:float"),
    ({"EQ_ext1:": "1"}, "EQ_ext1:"),
    ({"EQ_ILMD_#lotNumber": "1"}, "EQ_ILMD_#lotNumber"),
    ({"EQ_ILMD_{}lotNumber": "1"}, "EQ_ILMD_{}lotNumber"),
    ({"EQ_ILMD_{urn:x}": "1"}, "EQ_ILMD_{urn:x}"),
    ({"EQ_ext1:a b": "1"}, "EQ_ext1:a b"),
    ({"EQ_ext1:int": "1,"}, "EQ_ext1:int"),
    ({"EQ_quantity": "many"}, "EQ_quantity"),
    ({"GE_quantity": "inf"}, "GE_quantity"),
    ({"GE_quantity_kgm": "1"}, "GE_quantity_kgm"),
    ({"GE_quantity_": "1"}, "GE_quantity_"),
    ({"EXISTS_quantity": ""}, "EXISTS_quantity"),
    ({"EQ_errorReason": "wrong"}, "EQ_errorReason"),
    ({"EQ_correctiveEventID": "not a uri"}, "EQ_correctiveEventID"),
    ({"EQ_ext1:int": "1", "@context": "{"}, "@context"),
    ({"EQ_ext1:int": "1", "@context": "[" * 3000 + "]" * 3000}, "@context"),
    ({"EQ_ext1:int": "1", "@context": "1" * 5000}, "@context"),
    ({"HASATTR_eventTime": "cbvmda:city"}, "HASATTR_eventTime"),
    ({"EQ_ATTR_readPoint": "1"}, "EQ_ATTR_readPoint"),
    ({"HASATTR_readPoint": ""}, "HASATTR_readPoint"),
    ({"orderBy": "ext1:int"}, "orderBy"),
]  # fmt: skip


@pytest.mark.parametrize(("parameters", "named"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_extension_parameter_is_a_query_parameter_exception_naming_it(
    client: TestClient, loaded: Loaded, parameters: dict[str, str], named: str
) -> None:
    answer = client.get("/epcis/events", params=parameters, headers={**loaded.token, **HEADERS})
    assert_names_parameter(answer, named)


@pytest.mark.parametrize("field", ["ext1:int", "http://example.com/ext1/#int", "{urn:x}y"])
def test_ordering_by_an_extension_field_is_refused_by_name(
    client: TestClient, loaded: Loaded, field: str
) -> None:
    # EPCIS 2.0 allows it; unitrace refuses it, saying so, rather than order otherwise
    answer = client.get(
        "/epcis/events", params={"orderBy": field}, headers={**loaded.token, **HEADERS}
    )
    assert_names_parameter(answer, "orderBy")
    assert answer.json()["detail"] == (
        f"orderBy: {field!r}: ordering by an extension field is not supported here; order by "
        "eventTime or recordTime (this repository pages in time order) and filter by the "
        "field (EQ_, GE_, LT_ …)"
    )


def test_a_prefix_is_declared_by_the_gs1_extensions_header_or_refused(
    client: TestClient, loaded: Loaded
) -> None:
    bare = client.get("/epcis/events", params={"EQ_ext1:int": "10"}, headers=loaded.token)
    assert (bare.status_code, bare.json()["parameter"]) == (400, "EQ_ext1:int")
    assert "'ext1' is not declared" in bare.json()["detail"]
    bad = client.get(
        "/epcis/events", params={"EQ_ext1:int": "10"}, headers={**loaded.token, EXT1: "ext1"}
    )
    assert (bad.status_code, bad.json()["parameter"]) == (400, "GS1-Extensions")


def test_a_named_query_of_extension_parameters_is_kept_as_the_query_schema_writes_it(
    client: TestClient, loaded: Loaded, conformance: Path
) -> None:
    definition: dict[str, Any] = {
        "@context": [{"ext1": "http://example.com/ext1/"}],
        "EQ_ILMD_ext1:string": ["string"],
        "GE_ILMD_ext1:float": 19.5,
        "LT_ext1:time": "2014-01-01T00:00:00Z",
        "EXISTS_INNER_ILMD_ext1:object": None,
        "EQ_quantity": [200, 10.5],
        "GE_quantity_KGM": 100,
        "EQ_errorReason": ["incorrect_data"],
    }

    def valid(query: dict[str, Any]) -> None:
        assert_valid_query(conformance, query)

    valid(definition)
    created = client.post(
        "/epcis/queries", json={"name": "lots", "query": definition}, headers=loaded.token
    )
    assert created.status_code == 201, created.text
    kept = client.get("/epcis/queries/lots", headers=loaded.token).json()["query"]
    assert kept == definition
    valid(kept)
    answer = client.get("/epcis/queries/lots/events", headers=loaded.token)
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert sorted(loaded.names[event["eventID"]] for event in events) == ["OBJ"]
    client.delete("/epcis/queries/lots", headers=loaded.token)


def test_a_query_of_more_than_a_hundred_parameters_is_refused_naming_the_first_past_them(
    client: TestClient, loaded: Loaded
) -> None:
    """Field names are open-ended, so a query could be thousands of conditions: SQLite
    refused such a statement (an expression tree over 1,000 deep) with a 500."""
    fields = {f"EXISTS_ext1:f{index:04d}": "" for index in range(1000)}
    answer = client.get("/epcis/events", params=fields, headers={**loaded.token, **HEADERS})
    assert_names_parameter(answer, "EXISTS_ext1:f0100")
    assert "at most 100 parameters" in answer.json()["detail"]
    hundred = {"EXISTS_ext1:int": "", **{f"EXISTS_ext1:f{index:02d}": "" for index in range(99)}}
    assert found(client, loaded, hundred, HEADERS) == []
    assert found(client, loaded, {"EXISTS_ext1:int": ""}, HEADERS) != []
