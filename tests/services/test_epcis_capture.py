"""EPCIS capture: a partner's events stored as sent and applied to the registry through the
lifecycle services (commissioning, packing, shipping, receiving, dispensing), the state table
refusing what it refuses through the API, rollback and proceed, events about identifiers
unitrace did not issue stored untouched. On SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    DIST_A_GLN,
    GTIN,
    LINE,
    LOT,
    PHARMACY,
    PHARMACY_GLN,
    build_registry,
    issue,
    serial_of,
)
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest
from unitrace.registry.model import Actor, Role
from unitrace.services import epcis_capture
from unitrace.services.epcis_capture import PROCEED, ROLLBACK, capture, capture_event, capturing
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

T = "2026-03-02T09:00:00.000+08:00"


def sgtin(seq: int) -> str:
    return f"urn:epc:id:sgtin:9506000.013435.{serial_of(GTIN, seq)}"


def sgln(gln: str) -> str:
    return f"urn:epc:id:sgln:9506000.{gln[7:12]}.0"


def event(event_id: str | None, **fields: Any) -> dict[str, Any]:
    made: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": T,
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
    }
    if event_id is not None:
        made["eventID"] = event_id
    made.update(fields)
    return made


def document(*events: dict[str, Any], **namespaces: str) -> dict[str, Any]:
    return {
        "@context": [EPCIS_CONTEXT, *([namespaces] if namespaces else [])],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": T,
        "epcisBody": {"eventList": list(events)},
    }


COMMISSION = event(
    "urn:uuid:00000000-0000-4000-8000-000000000001",
    action="ADD",
    bizStep="commissioning",
    disposition="active",
    epcList=[sgtin(1), sgtin(2), sgtin(3)],
    ilmd={"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2030-12-31"},
)
SHIP_TO_A = event(
    "urn:uuid:00000000-0000-4000-8000-000000000002",
    bizStep="shipping",
    disposition="in_transit",
    epcList=[sgtin(1), sgtin(2)],
    destinationList=[{"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}],
)
RECEIVE_AT_A = event(
    "urn:uuid:00000000-0000-4000-8000-000000000003",
    bizStep="receiving",
    disposition="in_progress",
    epcList=[sgtin(1)],
    bizLocation={"id": sgln(DIST_A_GLN)},
)
FOREIGN = event(
    "urn:uuid:00000000-0000-4000-8000-000000000009",
    bizStep="shipping",
    epcList=["urn:epc:id:sgtin:0614141.107346.2018", "urn:epc:id:sscc:0614141.1234567890"],
    destinationList=[{"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00002"}],
)


@pytest.fixture
def world(database: Database) -> Database:
    """Units 1-5 of lot L1 issued, the parties of the lifecycle tests."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 5)
        uow.commit()
    return database


def captured(
    database: Database, sent: dict[str, Any], actor: Actor = ADMIN, behaviour: str = ROLLBACK
) -> epcis_capture.CaptureResult:
    with database.unit_of_work() as uow:
        result = capture(uow, sent, actor=actor, behaviour=behaviour)
        if result.captured:
            uow.commit()
    return result


def units(database: Database) -> dict[str, tuple[str, str | None, str | None]]:
    """Serial → (state, custodian, location)."""
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(
                schema.units.c.serial,
                schema.units.c.state,
                schema.units.c.custodian_id,
                schema.units.c.location_gln,
            ).order_by(schema.units.c.seq)
        )
        return {row.serial: (row.state, row.custodian_id, row.location_gln) for row in rows}


def stored_ids(database: Database) -> list[str]:
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(schema.epcis_events.c.event_id).order_by(schema.epcis_events.c.id)
        )
        return list(rows.scalars())


def test_a_partners_events_move_the_units_as_the_api_does(world: Database) -> None:
    assert captured(world, document(COMMISSION), LINE).captured == (COMMISSION["eventID"],)
    shipped = captured(world, document(SHIP_TO_A, FOREIGN))
    assert shipped.captured == (SHIP_TO_A["eventID"], FOREIGN["eventID"])
    assert captured(world, document(RECEIVE_AT_A), DIST_A).problems == ()
    dispense = event(
        None,
        bizStep="dispensing",
        disposition="dispensed",
        epcList=[sgtin(1)],
        bizLocation={"id": sgln(DIST_A_GLN)},
    )
    (dispensed_id,) = captured(world, document(dispense), DIST_A).captured
    assert dispensed_id.startswith("ni:///sha-256;")  # named by its CBV 2.0 event hash
    assert units(world) == {
        serial_of(GTIN, 1): ("supplied", "dist-a", DIST_A_GLN),
        serial_of(GTIN, 2): ("active", "dist-a", None),
        serial_of(GTIN, 3): ("active", None, None),
        serial_of(GTIN, 4): ("issued", None, None),
        serial_of(GTIN, 5): ("issued", None, None),
    }
    assert stored_ids(world) == [
        COMMISSION["eventID"],
        SHIP_TO_A["eventID"],
        FOREIGN["eventID"],
        RECEIVE_AT_A["eventID"],
        dispensed_id,
    ]
    with world.unit_of_work(read_only=True) as uow:
        # stored as the partner sent it, its EPC lists refilled from the index
        shipped_back = uow.events.document(SHIP_TO_A["eventID"])
        history = [record.event_id for record in uow.events.naming([sgtin(1)])]
    assert shipped_back is not None
    assert {k: v for k, v in shipped_back.items() if k != "recordTime"} == SHIP_TO_A
    assert history == [
        COMMISSION["eventID"],
        SHIP_TO_A["eventID"],
        RECEIVE_AT_A["eventID"],
        dispensed_id,
    ]


# (what is sent after commissioning units 1-3, who sends it, the error expected)
REFUSED = [
    pytest.param(
        event(
            "e:lot",
            action="ADD",
            bizStep="commissioning",
            epcList=[sgtin(4)],
            ilmd={"cbvmda:lotNumber": "L9"},
        ),
        LINE,
        "event 0 (e:lot): event: lot: L9 is not the lot of unit",
        id="commissioning-with-another-lot",
    ),
    pytest.param(
        event("e:twice", action="ADD", bizStep="commissioning", epcList=[sgtin(1)]),
        LINE,
        "event 0 (e:twice): event: unit (01)09506000134352(21)S00001 is active: it is active already",
        id="commissioning-twice",
    ),
    pytest.param(
        event(
            "e:nowhere",
            bizStep="shipping",
            epcList=[sgtin(2)],
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00002"}
            ],
        ),
        ADMIN,
        "destinationList: names no party registered here",
        id="shipping-to-an-unknown-party",
    ),
    pytest.param(
        event(
            "e:line-ships",
            bizStep="shipping",
            epcList=[sgtin(2)],
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        ),
        LINE,
        "line",
        id="a-line-token-may-not-ship",
    ),
    pytest.param(
        event(
            "e:stranger",
            bizStep="receiving",
            epcList=[sgtin(2)],
            bizLocation={"id": sgln(PHARMACY_GLN)},
        ),
        PHARMACY,
        "custody",
        id="receiving-what-another-party-holds",
    ),
    pytest.param(
        event("e:bad-word", bizStep="shiping", epcList=[sgtin(2)]),
        ADMIN,
        "event 0 (e:bad-word): bizStep",
        id="not-a-cbv-word",
    ),
    pytest.param(
        event("e:tz", eventTimeZoneOffset="+25:00", epcList=[sgtin(2)]),
        ADMIN,
        "event 0 (e:tz): eventTimeZoneOffset",
        id="bad-time-zone",
    ),
    pytest.param(
        event(COMMISSION["eventID"], epcList=[sgtin(2)]),
        ADMIN,
        f"event 0 ({COMMISSION['eventID']}): eventID: is captured already for another event",
        id="an-eventID-captured-before-for-another-event",
    ),
]


@pytest.mark.parametrize(("bad", "actor", "message"), REFUSED)
def test_a_refused_event_rolls_the_whole_document_back(
    world: Database, bad: dict[str, Any], actor: Actor, message: str
) -> None:
    captured(world, document(COMMISSION), LINE)
    before_units, before_events = units(world), stored_ids(world)
    destroy = event("e:destroy", action="DELETE", bizStep="destroying", epcList=[sgtin(3)])
    result = captured(world, document(bad, destroy), actor)
    assert result.captured == ()
    assert any(message in str(problem) for problem in result.problems), result.problems
    assert (units(world), stored_ids(world)) == (before_units, before_events)


def test_shipping_a_destroyed_unit_is_refused_naming_the_rule(world: Database) -> None:
    captured(world, document(COMMISSION), LINE)
    destroy = event("e:destroy", action="DELETE", bizStep="destroying", epcList=[sgtin(3)])
    ship = copy.deepcopy(SHIP_TO_A) | {"eventID": "e:ship", "epcList": [sgtin(3)]}
    result = captured(world, document(destroy, ship))
    (problem,) = result.problems
    assert (problem.index, problem.event_id) == (1, "e:ship")
    assert str(problem) == (
        "event 1 (e:ship): event: unit (01)09506000134352(21)S00003 is destroyed: only active "
        "units are shipped"
    )
    assert units(world)[serial_of(GTIN, 3)] == ("active", None, None)


def test_proceed_captures_every_event_without_an_error(world: Database) -> None:
    captured(world, document(COMMISSION), LINE)
    destroy = event("e:destroy", action="DELETE", bizStep="destroying", epcList=[sgtin(3)])
    ship_destroyed = copy.deepcopy(SHIP_TO_A) | {"eventID": "e:ship3", "epcList": [sgtin(3)]}
    bad_word = event("e:bad-word", bizStep="shiping", epcList=[sgtin(2)])
    result = captured(
        world, document(destroy, ship_destroyed, bad_word, SHIP_TO_A), behaviour=PROCEED
    )
    assert result.captured == ("e:destroy", SHIP_TO_A["eventID"])
    assert sorted((p.index, p.event_id) for p in result.problems) == [
        (1, "e:ship3"),
        (2, "e:bad-word"),
    ]
    assert units(world)[serial_of(GTIN, 3)][0] == "destroyed"
    assert units(world)[serial_of(GTIN, 1)][1] == "dist-a"
    assert "e:ship3" not in stored_ids(world)


def test_events_about_others_identifiers_change_no_unit(world: Database) -> None:
    transformation = {
        "type": "TransformationEvent",
        "eventID": "e:blend",
        "eventTime": T,
        "eventTimeZoneOffset": "+08:00",
        "inputEPCList": ["urn:epc:id:sgtin:0614141.107346.2018"],
        "outputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200, "uom": "KGM"}
        ],
        "example:batchNote": {"example:line": "B2"},
    }
    before = units(world)
    result = captured(world, document(FOREIGN, transformation, example="https://ns.example.com/"))
    assert result == epcis_capture.CaptureResult((FOREIGN["eventID"], "e:blend"), ())
    assert units(world) == before
    with world.unit_of_work(read_only=True) as uow:
        back = uow.events.document("e:blend")
        roles = uow.connection.execute(
            select(schema.event_epcs.c.role, schema.event_epcs.c.epc).order_by(
                schema.event_epcs.c.role
            )
        ).all()
    assert back is not None
    assert back["example:batchNote"] == {"example:line": "B2"}
    assert back["@context"] == [{"example": "https://ns.example.com/"}]
    assert ("output_quantity", "urn:epc:class:lgtin:4012345.012345.998877") in roles
    assert ("input", "urn:epc:id:sgtin:0614141.107346.2018") in roles


def test_one_event_captured_alone_and_not_twice(world: Database) -> None:
    with world.unit_of_work() as uow:
        record = capture_event(uow, {**COMMISSION, "@context": EPCIS_CONTEXT}, actor=LINE)
        uow.commit()
    assert record.event_id == COMMISSION["eventID"]
    assert units(world)[serial_of(GTIN, 1)][0] == "active"
    with world.unit_of_work() as uow, pytest.raises(Conflict, match="captured already"):
        capture_event(uow, COMMISSION, actor=LINE)
    with world.unit_of_work() as uow, pytest.raises(InvalidRequest, match="eventTime"):
        capture_event(uow, {**FOREIGN, "eventTime": "yesterday"}, actor=ADMIN)


def test_only_line_distributor_and_admin_tokens_capture(world: Database) -> None:
    with world.unit_of_work() as uow, pytest.raises(Forbidden, match="verifier"):
        capture(uow, document(FOREIGN), actor=Actor("vera", Role.VERIFIER))


@pytest.mark.parametrize(
    ("body", "media_type", "message"),
    [
        (b"{not json", "application/json", "document: not JSON"),
        (b"[1, 2]", "application/ld+json", "a JSON object"),
        (b"<EPCISDocument", "application/xml", "document:"),
        (b"{}", "text/csv", "Content-Type: 'text/csv'"),
    ],
)
def test_unreadable_bodies_are_refused(body: bytes, media_type: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        epcis_capture.read_document(body, media_type)


@pytest.mark.parametrize(
    ("events", "told"),
    [
        (1, [0, 1]),
        (1_200, [0, 500, 1_000, 1_200]),
    ],
)
def test_a_capture_tells_its_progress(world: Database, events: int, told: list[int]) -> None:
    foreign = [
        event(f"e:{n}", bizStep="inspecting", epcList=[f"urn:epc:id:sscc:0614141.{n:010d}"])
        for n in range(events)
    ]
    progress: list[int] = []
    with world.unit_of_work() as uow:
        result = capture(uow, document(*foreign), actor=ADMIN, progress=progress.append)
    assert len(result.captured) == events
    assert progress == told


def transformation(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "TransformationEvent",
        "eventID": event_id,
        "eventTime": T,
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


# (the event sent after commissioning units 1-3; the state of units 1-5 after it)
STATE_CHANGES = [
    pytest.param(
        event("e:s", bizStep="sampling", disposition="dispensed", epcList=[sgtin(1)]),
        ["free_sample", "active", "active", "issued", "issued"],
        id="free-sample",
    ),
    pytest.param(
        event("e:s", bizStep="sampling", disposition="non_sellable_other", epcList=[sgtin(1)]),
        ["sample", "active", "active", "issued", "issued"],
        id="sample",
    ),
    pytest.param(
        event("e:x", bizStep="departing", disposition="non_sellable_other", epcList=[sgtin(2)]),
        ["active", "exported", "active", "issued", "issued"],
        id="exported",
    ),
    pytest.param(
        event("e:h", bizStep="holding", disposition="non_sellable_other", epcList=[sgtin(2)]),
        ["active", "locked", "active", "issued", "issued"],
        id="locked",
    ),
    pytest.param(
        event("e:r", bizStep="repackaging", disposition="inactive", epcList=[sgtin(3)]),
        ["active", "active", "checked_out", "issued", "issued"],
        id="checked-out",
    ),
    pytest.param(
        event(
            "e:p",
            bizStep="inspecting",
            epcList=[sgtin(1), sgtin(2)],
            persistentDisposition={"set": ["recalled"], "unset": ["conformant"]},
        ),
        ["recalled", "recalled", "active", "issued", "issued"],
        id="recalled-by-a-persistent-disposition",
    ),
    pytest.param(
        event(
            "e:p",
            bizStep="inspecting",
            epcList=[sgtin(1)],
            persistentDisposition={"set": ["non_conformant"]},
        ),
        ["active", "active", "active", "issued", "issued"],
        id="a-persistent-disposition-of-no-state",
    ),
    pytest.param(
        transformation(
            "e:t",
            inputEPCList=[sgtin(1), sgtin(2)],
            outputEPCList=[sgtin(4), sgtin(5)],
            bizStep="commissioning",
            ilmd={"cbvmda:lotNumber": LOT},
        ),
        ["checked_out", "checked_out", "active", "active", "active"],
        id="transformed-inputs-out-outputs-in",
    ),
    pytest.param(
        transformation(
            "e:t",
            inputQuantityList=[
                {"epcClass": "urn:epc:class:lgtin:4012345.011111.RM1", "quantity": 5, "uom": "KGM"}
            ],
            outputEPCList=[sgtin(4)],
            bizStep="commissioning",
        ),
        ["active", "active", "active", "active", "issued"],
        id="made-from-a-suppliers-lot",
    ),
    pytest.param(
        transformation("e:t", inputEPCList=[sgtin(3)], outputEPCList=["urn:epc:id:giai:1.2"]),
        ["active", "active", "checked_out", "issued", "issued"],
        id="consumed-into-a-partners-object",
    ),
    pytest.param(
        transformation("e:t", inputEPCList=["urn:epc:id:giai:1.2"], outputEPCList=[sgtin(4)]),
        ["active", "active", "active", "issued", "issued"],
        id="outputs-not-commissioned",
    ),
]


@pytest.mark.parametrize(("sent", "states"), STATE_CHANGES)
def test_events_move_units_to_the_state_their_words_say(
    world: Database, sent: dict[str, Any], states: list[str]
) -> None:
    captured(world, document(COMMISSION), LINE)
    result = captured(world, document(sent))
    assert result.problems == ()
    assert result.captured == (sent["eventID"],)
    assert [state for state, _, _ in units(world).values()] == states
    # recorded once, and found by each object it names: a transformation's genealogy
    assert stored_ids(world).count(sent["eventID"]) == 1
    named = [sent.get(key) or [] for key in ("epcList", "inputEPCList", "outputEPCList")]
    with world.unit_of_work(read_only=True) as uow:
        for epc in (epc for listed in named for epc in listed):
            assert sent["eventID"] in [record.event_id for record in uow.events.naming([epc])]


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        pytest.param(
            transformation(
                "e:t", inputEPCList=[sgtin(3)], outputEPCList=[sgtin(1)], bizStep="commissioning"
            ),
            "event 1 (e:t): event: unit (01)09506000134352(21)S00001 is active",
            id="an-output-commissioned-already",
        ),
        pytest.param(
            transformation("e:t", inputEPCList=[sgtin(3), sgtin(4)], outputEPCList=[sgtin(5)]),
            "event 1 (e:t): event: unit (01)09506000134352(21)S00004 is issued",
            id="an-input-never-commissioned",
        ),
        pytest.param(
            transformation(
                "e:t",
                inputEPCList=["urn:epc:id:giai:1.2"],
                outputEPCList=[sgtin(4)],
                bizStep="commissioning",
                ilmd={"cbvmda:lotNumber": "L9"},
            ),
            "event 1 (e:t): event: lot: L9 is not the lot of unit",
            id="outputs-of-another-lot",
        ),
        pytest.param(
            transformation("e:t", inputEPCList=[sgtin(2)], outputEPCList=[sgtin(5)]),
            "is destroyed",
            id="a-destroyed-input",
        ),
    ],
)
def test_a_transformation_the_state_table_forbids_is_refused(
    world: Database, sent: dict[str, Any], message: str
) -> None:
    captured(world, document(COMMISSION), LINE)
    captured(
        world, document(event("e:d", action="DELETE", bizStep="destroying", epcList=[sgtin(2)]))
    )
    before_units, before_events = units(world), stored_ids(world)
    result = captured(
        world, document(event("e:ok", bizStep="inspecting", epcList=[sgtin(1)]), sent)
    )
    assert result.captured == ()
    assert any(message in str(problem) for problem in result.problems), result.problems
    assert (units(world), stored_ids(world)) == (before_units, before_events)


def test_a_job_that_fails_on_the_repositorys_side_says_so_and_nothing_more(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> epcis_capture.CaptureResult:
        raise RuntimeError("password=hunter2 at db.internal:5432")

    with world.unit_of_work() as uow:
        job = epcis_capture.start_capture(uow, document(COMMISSION), actor=LINE, behaviour=ROLLBACK)
        uow.commit()
    monkeypatch.setattr(capturing, "capture", broken)
    finished = epcis_capture.run_capture(world.unit_of_work, job, document(COMMISSION), actor=LINE)
    assert finished.captured == 0
    (error,) = finished.errors
    assert (error["type"], error["status"]) == ("epcisException:ImplementationException", 500)
    assert error["detail"].startswith(f"capture job {job.id} failed on the repository's side")
    assert "hunter2" not in json.dumps(finished.errors)
    assert units(world)[serial_of(GTIN, 1)][0] == "issued"


@pytest.mark.parametrize(
    ("named", "refusal"),
    [
        ([sgtin(1)], None),  # shipped to dist-a: its stock
        (["urn:epc:id:sscc:0614141.1234567890"], None),  # not a unit of unitrace
        ([sgtin(1), sgtin(3)], "unit (01)09506000134352(21)S00003: not in the custody of dist-a"),
        # a serial that does not exist is refused as one not held: the answer says no more
        ([sgtin(9)], "unit (01)09506000134352(21)S00009: not in the custody of dist-a"),
    ],
)
def test_a_distributor_records_events_only_about_its_own_stock(
    world: Database, named: list[str], refusal: str | None
) -> None:
    captured(world, document(COMMISSION), LINE)
    captured(world, document(SHIP_TO_A))
    before = stored_ids(world)
    inspection = event("e:inspect", bizStep="inspecting", epcList=named)
    result = captured(world, document(inspection), DIST_A)
    if refusal is None:
        assert result.captured == ("e:inspect",)
        assert stored_ids(world) == [*before, "e:inspect"]
    else:
        assert result.captured == ()
        assert [str(problem) for problem in result.problems] == [
            f"event 0 (e:inspect): event: {refusal}"
        ]
        assert stored_ids(world) == before
    # the brand's own tokens record what they observe of any unit, even one never issued
    admin = captured(world, document(inspection | {"eventID": "e:admin"}), ADMIN)
    assert admin.captured == ("e:admin",)


@pytest.mark.parametrize(
    ("sent", "actor", "message"),
    [
        pytest.param(
            transformation(
                "e:t",
                inputEPCList=["urn:epc:id:giai:1.2"],
                outputEPCList=[sgtin(4)],
                bizStep="commissioning",
                ilmd={"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "31.12.2030"},
            ),
            ADMIN,
            "ilmd.cbvmda:itemExpirationDate: '31.12.2030' is not a date written YYYY-MM-DD",
            id="an-expiry-not-written-as-a-date",
        ),
        pytest.param(
            event(
                "e:t",
                action="ADD",
                bizStep="commissioning",
                epcList=[sgtin(4)],
                ilmd={"cbvmda:itemExpirationDate": 20301231},
            ),
            LINE,
            "ilmd.cbvmda:itemExpirationDate: 20301231 is not a date written YYYY-MM-DD",
            id="an-expiry-as-a-number",
        ),
        pytest.param(
            transformation(
                "e:t", inputEPCList=[sgtin(1)], outputEPCList=[sgtin(3)], bizStep="repackaging"
            ),
            DIST_A,
            "unit (01)09506000134352(21)S00003: not in the custody of dist-a",
            id="a-distributor-naming-anothers-unit-as-an-output",
        ),
        pytest.param(
            event(
                "e:t",
                bizStep="receiving",
                epcList=[sgtin(1)],
                bizLocation={"id": sgln(DIST_A_GLN)},
                persistentDisposition={"set": ["recalled"]},
            ),
            DIST_A,
            "persistentDisposition: receiving and a lasting recalled are two changes",
            id="a-receipt-and-a-recall",
        ),
        pytest.param(
            event(
                "e:t",
                bizStep="holding",
                disposition="non_sellable_other",
                epcList=[sgtin(1)],
                persistentDisposition={"set": ["recalled"]},
            ),
            DIST_A,
            "the event names the states locked, recalled at once",
            id="a-lock-and-a-recall",
        ),
    ],
)
def test_events_with_words_that_cannot_be_applied_are_refused_alone(
    world: Database, sent: dict[str, Any], actor: Actor, message: str
) -> None:
    """Under proceed, the refused event is named and the others are captured."""
    captured(world, document(COMMISSION), LINE)
    captured(world, document(SHIP_TO_A))
    before = units(world)
    good = event("e:ok", bizStep="inspecting", epcList=["urn:epc:id:sscc:0614141.0000000001"])
    result = captured(world, document(good, sent), actor, behaviour=PROCEED)
    assert result.captured == ("e:ok",)
    assert [problem.event_id for problem in result.problems] == ["e:t"]
    assert message in str(result.problems[0]), result.problems
    assert units(world) == before


def test_a_transformation_refused_under_proceed_leaves_its_inputs_as_they_were(
    world: Database,
) -> None:
    captured(world, document(COMMISSION), LINE)
    refused = transformation(
        "e:t", inputEPCList=[sgtin(2)], outputEPCList=[sgtin(1)], bizStep="commissioning"
    )
    good = event("e:ok", bizStep="inspecting", epcList=[sgtin(3)])
    result = captured(world, document(refused, good), behaviour=PROCEED)
    assert result.captured == ("e:ok",)
    assert [state for state, _, _ in units(world).values()][:3] == ["active"] * 3
    assert "e:t" not in stored_ids(world)


MASTER_DATA = {
    "epcisMasterData": {
        "vocabularyList": [
            {
                "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                "vocabularyElementList": [
                    {"id": sgln(DIST_A_GLN), "children": ["urn:epc:id:sgln:9506000.00099.0"]}
                ],
            }
        ]
    }
}


@pytest.mark.parametrize(
    ("actor", "kept"),
    [(ADMIN, True), (LINE, True), (DIST_A, False)],
    ids=["admin", "line", "distributor"],
)
def test_only_the_brands_tokens_set_master_data(world: Database, actor: Actor, kept: bool) -> None:
    """Every token's WD_ queries walk the location hierarchy: a distributor's document that
    would change it is refused whole, at the door and in the capture."""
    sent = document(event("e:seen", bizStep="inspecting", epcList=["urn:epc:id:giai:1.2"]))
    sent["epcisHeader"] = MASTER_DATA
    message = "epcisHeader.epcisMasterData: a distributor token sends no master data"
    with world.unit_of_work() as uow:
        if kept:
            epcis_capture.start_capture(uow, sent, actor=actor, behaviour=ROLLBACK)
        else:
            with pytest.raises(InvalidRequest, match=message):
                epcis_capture.start_capture(uow, sent, actor=actor, behaviour=ROLLBACK)
    result = captured(world, sent, actor, behaviour=PROCEED)
    assert result.captured == (("e:seen",) if kept else ())
    assert [(problem.index, problem.field) for problem in result.problems] == (
        [] if kept else [(None, "epcisHeader.epcisMasterData")]
    )
    assert all("a distributor token sends no master data" in str(p) for p in result.problems)
    with world.unit_of_work(read_only=True) as uow:
        below = uow.master_data.descendants(
            "urn:epcglobal:epcis:vtype:BusinessLocation", [sgln(DIST_A_GLN)]
        )
    assert ("urn:epc:id:sgln:9506000.00099.0" in below) == kept


def test_an_event_of_more_extension_values_than_the_index_takes_is_refused_by_name(
    world: Database,
) -> None:
    """Each extension value and quantity is a row of the query index: an array of 100,000
    numbers is 200 kB sent and 100,000 rows stored, so an event holds at most 10,000."""
    limit = epcis_capture.limits.FIELD_VALUES_LIMIT
    lot = f"urn:epc:class:lgtin:9506000.013435.{LOT}"
    most = event(
        "e:most",
        **{"ex:reading": list(range(limit - 1))},
        quantityList=[{"epcClass": lot, "quantity": 1}],
    )
    over = event(
        "e:over",
        **{"ex:reading": [[{"ex:deep": 1}] * 3] * (limit // 6 + 1)},
        epcList=[sgtin(9)],
    )
    result = captured(world, document(most, over, ex="https://ex.example/"), behaviour=PROCEED)
    assert result.captured == ("e:most",)
    assert [(p.index, p.event_id, p.field) for p in result.problems] == [(1, "e:over", "event")]
    assert (
        f"holds {2 * 3 * (limit // 6 + 1):,} extension-field values" in result.problems[0].message
    )
    with world.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(select(schema.event_fields.c.event_pk)).all()
    assert len(rows) == limit


def test_the_events_past_a_captures_extension_values_in_all_are_refused_by_name(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the limit of each event, many events could still make a capture's index far
    larger than the document; past the limit of the capture, the events are refused."""
    monkeypatch.setattr(epcis_capture.limits, "CAPTURE_FIELD_VALUES_LIMIT", 5)
    sent = [
        event(f"e:{name}", epcList=[sgtin(9)], **{"ex:reading": list(range(count))})
        for name, count in (("three", 3), ("two", 2), ("one", 1), ("none", 0))
    ]
    result = captured(world, document(*sent, ex="https://ex.example/"), behaviour=PROCEED)
    assert result.captured == ("e:three", "e:two", "e:none")
    assert [(p.index, p.event_id, p.field) for p in result.problems] == [(2, "e:one", "event")]
    assert "over 5 in all" in result.problems[0].message
