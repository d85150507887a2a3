"""EPCIS capture of events sent again: a partner's retry after a timeout finds its events
captured already and is told so without failing; an error declaration that repeats its
event's eventID declares the stored event in error (EPCIS 2.0 section 7.4.1.2); another event
under a captured eventID is refused. On SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.issued_units import ADMIN, DIST_A, DIST_B
from tests.services.test_epcis_capture import (
    COMMISSION,
    FOREIGN,
    SHIP_TO_A,
    captured,
    document,
    stored_ids,
    units,
    world,
)
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.errors import Conflict
from unitrace.services.epcis_capture import ALREADY_CAPTURED, capture, capture_event
from unitrace.services.epcis_query import read_query
from unitrace.store import schema
from unitrace.store.epcis_query import EVERY_EVENT, EpcisQueries
from unitrace.store.unit_of_work import Database

__all__ = ["world"]

DECLARATION = {
    "declarationTime": "2026-03-03T10:00:00.000+08:00",
    "reason": "incorrect_data",
    "correctiveEventIDs": ["urn:uuid:00000000-0000-4000-8000-0000000000c1"],
}


def declared(sent: dict[str, Any], declaration: dict[str, Any] = DECLARATION) -> dict[str, Any]:
    return {**copy.deepcopy(sent), "errorDeclaration": declaration}


def problems_of(result: Any) -> list[str]:
    return [str(problem) for problem in result.problems]


def notes_of(result: Any) -> list[str]:
    return [str(note) for note in result.notes]


def declarations(database: Database) -> dict[str, tuple[Any, Any]]:
    """eventID → (the stored document's errorDeclaration, the declaration time column)."""
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(
                schema.epcis_events.c.event_id,
                schema.epcis_events.c.document,
                schema.epcis_events.c.error_declaration_time,
            )
        )
        return {
            row.event_id: (row.document.get("errorDeclaration"), row.error_declaration_time)
            for row in rows
        }


def test_a_document_sent_again_is_told_its_events_are_captured_already(world: Database) -> None:
    sent = document(COMMISSION, SHIP_TO_A, FOREIGN)
    first = captured(world, sent)
    assert (len(first.captured), problems_of(first), notes_of(first)) == (3, [], [])
    before = (units(world), stored_ids(world))
    again = captured(world, copy.deepcopy(sent))
    assert (again.captured, problems_of(again)) == ((), [])
    assert notes_of(again) == [
        f"event {index} ({sent_event['eventID']}): eventID: {ALREADY_CAPTURED}"
        for index, sent_event in enumerate((COMMISSION, SHIP_TO_A, FOREIGN))
    ]
    assert (units(world), stored_ids(world)) == before


def test_a_retry_names_an_event_without_an_eventid_by_its_hash(world: Database) -> None:
    unnamed = {key: value for key, value in FOREIGN.items() if key != "eventID"}
    first = captured(world, document(unnamed))
    again = captured(world, document(copy.deepcopy(unnamed)))
    ((event_id,),) = (first.captured,)
    assert (again.captured, problems_of(again), notes_of(again)) == (
        (),
        [],
        [f"event 0 ({event_id}): eventID: {ALREADY_CAPTURED}"],
    )


def test_an_extension_under_another_prefix_of_its_namespace_is_the_same_event(
    world: Database,
) -> None:
    with_document_prefix = document({**FOREIGN, "ext1:note": "x"}, ext1="https://ns.example/e/")
    with_event_prefix = document(
        {**FOREIGN, "@context": [{"mine": "https://ns.example/e/"}], "mine:note": "x"}
    )
    captured(world, with_document_prefix)
    again = captured(world, with_event_prefix)
    assert (again.captured, problems_of(again), len(again.notes)) == ((), [], 1)


def test_another_event_under_a_captured_eventid_is_refused(world: Database) -> None:
    captured(world, document(FOREIGN))
    other = {**FOREIGN, "bizStep": "receiving"}
    result = captured(world, document(other, SHIP_TO_A))
    assert result.captured == ()
    assert problems_of(result) == [
        f"event 0 ({FOREIGN['eventID']}): eventID: is captured already for another event "
        "(another content hash): an eventID names one event; send this one under an eventID "
        "of its own, or declare the first in error (a captured event)"
    ]
    assert stored_ids(world) == [FOREIGN["eventID"]]


def test_an_error_declaration_repeating_its_events_id_declares_it_in_error(
    world: Database,
) -> None:
    captured(world, document(FOREIGN))
    result = captured(world, document(declared(FOREIGN)))
    assert (result.captured, problems_of(result), notes_of(result)) == (
        (FOREIGN["eventID"],),
        [],
        [],
    )
    ((declaration, at),) = declarations(world).values()
    assert declaration == DECLARATION
    assert at is not None
    # the declaration sent again: captured already; another declaration: refused
    again = captured(world, document(declared(FOREIGN)))
    assert (again.captured, problems_of(again)) == ((), [])
    assert notes_of(again) == [f"event 0 ({FOREIGN['eventID']}): eventID: {ALREADY_CAPTURED}"]
    otherwise = captured(
        world, document(declared(FOREIGN, {**DECLARATION, "reason": "did_not_occur"}))
    )
    assert problems_of(otherwise) == [
        f"event 0 ({FOREIGN['eventID']}): errorDeclaration: the event is declared in error "
        "already, with another errorDeclaration; a declaration is not changed once captured"
    ]


def test_an_error_declaration_after_its_event_in_one_document(world: Database) -> None:
    result = captured(world, document(FOREIGN, declared(FOREIGN)))
    assert (result.captured, problems_of(result)) == ((FOREIGN["eventID"],), [])
    assert notes_of(result) == [
        f"event 1 ({FOREIGN['eventID']}): errorDeclaration: declares event 0 in error"
    ]
    assert [declaration for declaration, _ in declarations(world).values()] == [DECLARATION]


def test_one_event_named_twice_in_a_document_is_stored_once(world: Database) -> None:
    result = captured(world, document(FOREIGN, copy.deepcopy(FOREIGN)))
    assert (result.captured, problems_of(result), notes_of(result)) == (
        (FOREIGN["eventID"],),
        [],
        [f"event 1 ({FOREIGN['eventID']}): eventID: the same event as event 0's"],
    )


ID = FOREIGN["eventID"]


@pytest.mark.parametrize(
    ("sent", "outcome"),
    [
        (FOREIGN, f"409: eventID: {ID} is {ALREADY_CAPTURED}"),
        (
            {**FOREIGN, "bizStep": "receiving"},
            f"409: eventID: {ID} is captured already for another event (another content "
            "hash): an eventID names one event; send this one under an eventID of its own, or "
            "declare the first in error (a captured event)",
        ),
        (declared(FOREIGN), f"declared: {ID}"),
    ],
)
def test_one_event_sent_again_alone(world: Database, sent: dict[str, Any], outcome: str) -> None:
    with world.unit_of_work() as uow:
        capture_event(uow, {**FOREIGN, "@context": EPCIS_CONTEXT}, actor=ADMIN)
        uow.commit()
    with world.unit_of_work() as uow:
        try:
            record = capture_event(uow, copy.deepcopy(sent), actor=ADMIN)
            uow.commit()
            found = f"declared: {record.event_id}"
        except Conflict as conflict:
            found = f"409: {conflict}"
    assert found == outcome
    assert stored_ids(world) == [ID]
    assert bool(declarations(world)[ID][0]) is outcome.startswith("declared")


def test_captured_documents_read_in_bulk_as_one_by_one(world: Database) -> None:
    # a document sent again is compared with what is stored, read a few hundred at a time
    captured(world, document(COMMISSION, SHIP_TO_A, FOREIGN, declared(FOREIGN)))
    with world.unit_of_work(read_only=True) as uow:
        ids = [*stored_ids(world), "urn:uuid:not-captured"]
        one_by_one = {event_id: uow.events.document(event_id) for event_id in ids}
        assert uow.events.documents(ids) == {
            event_id: found for event_id, found in one_by_one.items() if found is not None
        }


@pytest.mark.parametrize(
    ("declarer", "refusal"),
    [
        (ADMIN, None),
        (DIST_A, None),  # who captured it
        (
            DIST_B,
            "a distributor token declares in error only the events it captured itself; ask "
            "whoever recorded this one",
        ),
    ],
)
def test_a_distributor_declares_in_error_only_what_it_captured(
    world: Database, declarer: Any, refusal: str | None
) -> None:
    captured(world, document(FOREIGN), DIST_A)
    result = captured(world, document(declared(FOREIGN)), declarer)
    if refusal is None:
        assert (result.captured, problems_of(result)) == ((FOREIGN["eventID"],), [])
    else:
        assert (result.captured, problems_of(result)) == (
            (),
            [f"event 0 ({FOREIGN['eventID']}): errorDeclaration: {refusal}"],
        )
    assert bool(declarations(world)[FOREIGN["eventID"]][0]) is (refusal is None)


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(document(FOREIGN, SHIP_TO_A, COMMISSION), id="the same document"),
        pytest.param(document(declared(FOREIGN)), id="its error declaration"),
    ],
)
def test_a_document_sent_again_while_the_first_is_captured(
    world: Database, second: dict[str, Any]
) -> None:
    # a partner's retry after a timeout arrives while its first send is still being captured:
    # the retry waits for the first and then finds its events captured, rather than failing
    # on the eventIDs the first stored meanwhile
    first_sent = document(COMMISSION, SHIP_TO_A, FOREIGN)
    outcome: dict[str, Any] = {}

    def retry() -> None:
        try:
            outcome["result"] = captured(world, copy.deepcopy(second))
        except Exception as failure:  # what the capture job would report as our failure
            outcome["result"] = f"{type(failure).__name__}: {failure}"[:120]

    with world.unit_of_work() as uow:
        first = capture(uow, first_sent, actor=ADMIN)
        retrying = threading.Thread(target=retry)
        retrying.start()
        retrying.join(0.5)  # the retry is under way, its transaction beside this one
        uow.commit()
    retrying.join(30)
    result = outcome["result"]
    assert len(first.captured) == 3
    assert not isinstance(result, str), result
    assert problems_of(result) == []
    assert stored_ids(world) == [event["eventID"] for event in (COMMISSION, SHIP_TO_A, FOREIGN)]
    declared_ids = {event_id for event_id, (said, _) in declarations(world).items() if said}
    assert declared_ids == ({FOREIGN["eventID"]} if result.captured else set())


def queried(database: Database, **parameters: str) -> list[str]:
    definition = read_query({key: (value,) for key, value in parameters.items()})
    with database.unit_of_work(read_only=True) as uow:
        found = EpcisQueries(uow.connection).events(definition.conditions, viewer=EVERY_EVENT)
    return [event.event_id for event in found]


def test_an_event_declared_in_error_later_is_found_so_by_queries(world: Database) -> None:
    captured(world, document(FOREIGN, SHIP_TO_A), ADMIN)
    asked = [
        {"EXISTS_errorDeclaration": ""},
        {"EQ_errorReason": "incorrect_data"},
        {"EQ_errorReason": "did_not_occur"},
        {"GE_errorDeclarationTime": "2026-03-03T00:00:00Z"},
    ]
    assert [queried(world, **parameters) for parameters in asked] == [[], [], [], []]
    captured(world, document(declared(FOREIGN)))
    assert [queried(world, **parameters) for parameters in asked] == [
        [ID],
        [ID],
        [],
        [ID],
    ]
