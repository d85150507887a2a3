"""Capturing a document's events, in the caller's unit of work: validated, named (events
without an ``eventID`` by their CBV 2.0 event hash), stored in document order, and applied to
the registry (:mod:`.registry_changes`); and one event alone (``POST /epcis/events``).

Error behaviour (``GS1-Capture-Error-Behaviour``): ``rollback`` (the default) captures the
whole document or nothing; ``proceed`` captures every event without an error. Every error
names the event (index and eventID) and the field or rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.validation import EventProblem, document_problems, event_problems, is_uri
from unitrace.registry.errors import AlreadyExists, Forbidden, InvalidRequest, Refused
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture.registry_changes import Capturing
from unitrace.services.epcis_capture.repeated_epcs import kept_once
from unitrace.services.epcis_capture.resent_events import ALREADY_CAPTURED, ANOTHER_EVENT
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import UnitOfWork

__all__ = [
    "CAPTURERS",
    "ERROR_BEHAVIOURS",
    "MASTER_DATA_WRITERS",
    "PROCEED",
    "PROGRESS_EVERY",
    "ROLLBACK",
    "CaptureResult",
    "capture",
    "capture_event",
    "event_list",
    "master_data_refusal",
    "may_capture",
    "note_json",
    "problem_json",
    "read_for_capture",
]

#: ``GS1-Capture-Error-Behaviour`` values.
ROLLBACK: Final = "rollback"
PROCEED: Final = "proceed"
ERROR_BEHAVIOURS: Final = (ROLLBACK, PROCEED)
#: How often (in events) a capture tells its progress.
PROGRESS_EVERY: Final = 500

#: Who may capture.
CAPTURERS: Final = frozenset({Role.ADMIN, Role.LINE, Role.DISTRIBUTOR})
#: Who may set master data (with a captured document's header).
MASTER_DATA_WRITERS: Final = frozenset({Role.ADMIN, Role.LINE})


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What a capture did: the eventIDs stored (or declared in error), in document order,
    every problem, and what it tells the partner besides (``notes``: events captured
    already, EPCs an XML list named twice and kept once)."""

    captured: tuple[str, ...]
    problems: tuple[EventProblem, ...]
    notes: tuple[EventProblem, ...] = ()


def capture(
    uow: UnitOfWork,
    document: Mapping[str, Any],
    *,
    actor: Actor,
    behaviour: str = ROLLBACK,
    job_id: int | None = None,
    from_xml: bool = False,
    progress: Callable[[int], None] | None = None,
    problems: list[EventProblem] | None = None,
    notes: list[EventProblem] | None = None,
) -> CaptureResult:
    """Validate ``document``, store its events and apply them to the registry, in the
    caller's unit of work (which commits when ``captured`` is not empty). With ``rollback``
    any problem leaves nothing written; with ``proceed`` the events without problems are
    captured. A document read from XML (``from_xml``) is held to the XSD where it is wider
    than the JSON Schema. ``problems`` are the document's own, where the caller has checked
    it already (:func:`~unitrace.epcis.validation.document_problems`), and ``notes`` what it
    noted then (:func:`read_for_capture`)."""
    may_capture(actor)
    if problems is None:
        document, notes, problems = read_for_capture(document, from_xml=from_xml)
    problems = list(problems)
    notes = list(notes or ())
    events = event_list(document)
    refusal = master_data_refusal(document, actor)
    if refusal is not None:
        problems.append(EventProblem(None, None, "epcisHeader.epcisMasterData", refusal))
    failed = {problem.index for problem in problems}
    if None in failed or (problems and behaviour == ROLLBACK):
        return CaptureResult((), tuple(problems), tuple(notes))
    namespaces = namespaces_of(document.get("@context"))
    capturing = Capturing(uow, actor, namespaces, job_id)
    prepared = capturing.prepare(events, failed)
    problems += capturing.problems
    notes += capturing.notes
    if capturing.problems and behaviour == ROLLBACK:
        return CaptureResult((), tuple(problems), tuple(notes))
    uow.master_data.record_header(document)
    captured: list[str] = capturing.declare()
    for done, (index, stored) in enumerate(prepared):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        try:
            capturing.apply(stored, savepoint=behaviour == PROCEED)
        except Refused as refusal:
            problems.append(EventProblem(index, stored.document["eventID"], "event", str(refusal)))
            if behaviour == ROLLBACK:
                return CaptureResult((), tuple(problems), tuple(notes))
            continue
        captured.append(stored.document["eventID"])
    capturing.flush()
    _judge_sensor_events(
        uow,
        [str(stored.document["eventID"]) for _, stored in prepared if _senses(stored.document)],
        actor=actor,
    )
    if progress is not None:
        progress(len(prepared))
    return CaptureResult(tuple(captured), tuple(problems), tuple(notes))


def read_for_capture(
    document: Mapping[str, Any], *, from_xml: bool
) -> tuple[Mapping[str, Any], list[EventProblem], list[EventProblem]]:
    """``document`` as it is captured, what reading it noted, and its problems: read from
    XML, each EPC a list names twice is kept once (:mod:`.repeated_epcs`), as the XSD lets a
    list repeat one."""
    notes: list[EventProblem] = []
    if from_xml:
        try:
            events = event_list(document)
        except InvalidRequest:
            events = []  # no event list: the document's problems say so
        notes = kept_once(events)
    return document, notes, document_problems(document, from_xml=from_xml)


def _senses(document: Mapping[str, Any]) -> bool:
    return bool(document.get("sensorElementList"))


def _judge_sensor_events(uow: UnitOfWork, event_ids: list[str], *, actor: Actor) -> None:
    """The cold chain's judgement of the lots the sensor events ``event_ids`` measured, where
    there are any: the cold chain's services (and numpy) are imported only then, as most
    captures, and the command line's above all, carry no sensor data."""
    if event_ids:
        from unitrace.services.cold_chain.breaches import judge_sensor_events

        judge_sensor_events(uow, event_ids, actor=actor)


def capture_event(uow: UnitOfWork, event: Mapping[str, Any], *, actor: Actor) -> EventRecord:
    """``POST /epcis/events``: one event, with its own ``@context`` where it uses extensions;
    :class:`~unitrace.registry.errors.Conflict` if its eventID is stored already."""
    may_capture(actor)
    namespaces = namespaces_of(event.get("@context"))
    problems = event_problems(dict(event), namespaces)
    if problems:
        raise InvalidRequest("; ".join(str(problem) for problem in problems))
    body = {key: value for key, value in event.items() if key != "@context"}
    capturing = Capturing(uow, actor, namespaces, None)
    prepared = capturing.prepare([body], set())
    if capturing.problems:
        problem = capturing.problems[0]
        if problem.message.startswith(ANOTHER_EVENT):
            raise AlreadyExists(f"eventID: {problem.event_id} {problem.message}")
        raise InvalidRequest(str(problem))
    if capturing.notes and not capturing.declarations:
        # the same event again: GS1 EPCIS issue 403 answers 409 to one event sent twice
        raise AlreadyExists(f"eventID: {capturing.notes[0].event_id} is {ALREADY_CAPTURED}")
    if capturing.declarations:
        (event_id,) = capturing.declare()
        declared = uow.events.get(event_id)
        assert declared is not None
        return declared
    ((_, stored),) = prepared
    record = capturing.apply(stored)
    record = record if record is not None else capturing.flush()[0]
    if _senses(stored.document):
        _judge_sensor_events(uow, [record.event_id], actor=actor)
    return record


def note_json(note: EventProblem) -> dict[str, Any]:
    """What a capture job tells its partner besides its errors, as the job lists it."""
    written: dict[str, Any] = {"eventIndex": note.index, "field": note.field}
    if note.event_id is not None:
        written["eventID"] = note.event_id
    return written | {"detail": str(note)}


def problem_json(problem: EventProblem) -> dict[str, Any]:
    """A capture problem as the RFC 7807 body the EPCIS capture job lists."""
    written: dict[str, Any] = {
        "type": "epcisException:ValidationException",
        "title": "Event not captured",
        "status": 400,
        "detail": str(problem),
    }
    if problem.event_id is not None and is_uri(problem.event_id):
        # the OpenAPI's instance is a URI: an event without an eventID (or with one that is
        # no URI) has none, and is named by its index
        written["instance"] = problem.event_id
    return written | {"eventIndex": problem.index, "field": problem.field}


def event_list(document: Mapping[str, Any]) -> list[Any]:
    """The events of an EPCISDocument, or of an EPCISQueryDocument (a query's answer from
    another repository, captured again)."""
    body = document.get("epcisBody") if isinstance(document, Mapping) else None
    if isinstance(body, Mapping) and isinstance(body.get("queryResults"), Mapping):
        body = body["queryResults"].get("resultsBody")
    events = body.get("eventList") if isinstance(body, Mapping) else None
    if not isinstance(events, list):
        raise InvalidRequest("epcisBody.eventList: an EPCISDocument carries its events there")
    return events


def master_data_refusal(document: Mapping[str, Any], actor: Actor) -> str | None:
    """Why ``actor`` may not send the master data ``document`` carries, if it may not: the
    locations and their hierarchy are the brand's (every token's WD_ queries walk them), so
    only its admin and line tokens set them."""
    header = document.get("epcisHeader")
    master = header.get("epcisMasterData") if isinstance(header, Mapping) else None
    listed = master.get("vocabularyList") if isinstance(master, Mapping) else None
    if actor.role in MASTER_DATA_WRITERS or not listed:
        return None
    return (
        f"a {actor.role.value} token sends no master data: the locations and their hierarchy "
        "are the brand's to set; send the events without it"
    )


def may_capture(actor: Actor) -> None:
    if actor.role not in CAPTURERS:
        raise Forbidden(f"role {actor.role.value}: only line, distributor and admin tokens capture")
