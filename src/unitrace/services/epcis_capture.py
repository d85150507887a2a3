"""EPCIS capture: a trading partner's EPCIS 2.0 document (JSON-LD or XML) validated, its
events stored, and the events about units unitrace knows applied to the registry through the
same lifecycle services as the HTTP API, so that a partner's shipping event moves custody
exactly as an allocation does and the state table refuses what it refuses there.

What each event does to the units it names (CBV words in any spelling: bare, URN or URI):

=====================================================  =======================================
ObjectEvent ADD ``commissioning``                      :func:`~lifecycle.commission_units`
AggregationEvent ADD / DELETE                          :func:`~lifecycle.aggregate` /
                                                       :func:`~lifecycle.disaggregate`
ObjectEvent ``shipping`` to an owning or possessing    :func:`~lifecycle.ship` to that party
party (or a location) registered here
ObjectEvent ``receiving``                              :func:`~lifecycle.receive` at its
                                                       ``bizLocation``
ObjectEvent decommissioning, by disposition:           :func:`~lifecycle.change_state`
``dispensed``, ``retail_sold``, ``destroyed``,
``stolen``, ``recalled``, ``expired``; by bizStep and
disposition: ``sampling`` + ``dispensed`` (free
sample) or ``non_sellable_other`` (sample),
``departing`` + ``non_sellable_other`` (exported),
``holding`` + ``non_sellable_other`` (locked),
``repackaging`` + ``inactive`` (checked out); by
bizStep: ``dispensing``, ``retail_selling``,
``destroying``, ``sampling``, ``decommissioning``;
else by a disposition ``persistentDisposition`` sets
TransformationEvent: units among the inputs, and       :func:`~lifecycle.transform`: inputs
with bizStep ``commissioning`` among the outputs       checked out, outputs commissioned
=====================================================  =======================================

These are the words unitrace's own events use for the same changes, so that its events
captured by another repository, or sent back, mean there what they mean here; two of them are
not read back: a return to ``active`` and a withdrawal (``non_sellable_other`` alone), whose
words are too common in partners' events to mean that. A ``persistentDisposition`` that sets a
state's disposition moves the units there, and one that would contradict the event's own
change (a shipment, a receipt, another state) is refused rather than dropped; one that unsets a
word never undoes a state: a recall is for good.

Any other event, and any event naming only identifiers unitrace did not issue (a supplier's
raw-material lots, a partner's pallets), is stored and queryable and changes no unit. Events
without an ``eventID`` are named by their CBV 2.0 event hash.

Error behaviour (``GS1-Capture-Error-Behaviour``): ``rollback`` (the default) captures the
whole document or nothing; ``proceed`` captures every event without an error. Every error
names the event (index and eventID) and the field or rule.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import pydantic_core

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing import event_hash
from unitrace.epcis.identifiers import EpcNaming
from unitrace.epcis.model import InvalidEvent, date_written
from unitrace.epcis.validation import EventProblem, document_problems, event_problems, is_uri
from unitrace.epcis.xml import BIZ_STEPS, DISPOSITIONS, SOURCE_DEST_TYPES, InvalidXml
from unitrace.epcis.xml_read import document_from_xml
from unitrace.gs1 import InvalidCode, Scan, parse
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.errors import AlreadyExists, Forbidden, InvalidRequest, Refused
from unitrace.registry.model import Actor, Party, Role, UnitState
from unitrace.services import lifecycle
from unitrace.services.ownership import owner_of
from unitrace.store.capture_jobs import CaptureJob
from unitrace.store.database import is_busy, refused_value
from unitrace.store.events import EventRecord, StoredEvent
from unitrace.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

#: ``GS1-Capture-Error-Behaviour`` values.
ROLLBACK: Final = "rollback"
PROCEED: Final = "proceed"
ERROR_BEHAVIOURS: Final = (ROLLBACK, PROCEED)
#: What one capture takes at most (advertised as GS1-EPCIS-Capture-Limit and
#: GS1-EPCIS-Capture-File-Size-Limit).
CAPTURE_LIMIT: Final = 100_000
CAPTURE_FILE_SIZE_LIMIT: Final = 64 * 1024 * 1024

ALREADY_CAPTURED: Final = "already captured"
#: How often (in events) a capture tells its progress.
PROGRESS_EVERY: Final = 500

#: Who may capture.
CAPTURERS: Final = frozenset({Role.ADMIN, Role.LINE, Role.DISTRIBUTOR})
#: What a refusal calls the capture jobs a token has none of.
CAPTURE_JOBS: Final = "capture jobs"
#: Who may set master data (with a captured document's header).
MASTER_DATA_WRITERS: Final = frozenset({Role.ADMIN, Role.LINE})

#: The unit state a decommissioning event moves units to, by CBV disposition, else by bizStep.
STATES_BY_DISPOSITION: Final[Mapping[str, UnitState]] = {
    "dispensed": UnitState.SUPPLIED,
    "retail_sold": UnitState.SUPPLIED,
    "destroyed": UnitState.DESTROYED,
    "stolen": UnitState.STOLEN,
    "recalled": UnitState.RECALLED,
    "expired": UnitState.EXPIRED,
}
#: Where the disposition alone says too little, the state by bizStep and disposition together:
#: the words unitrace's own events use for these states (see :mod:`~unitrace.services.lifecycle`).
STATES_BY_STEP_AND_DISPOSITION: Final[Mapping[tuple[str, str], UnitState]] = {
    ("sampling", "dispensed"): UnitState.FREE_SAMPLE,
    ("sampling", "non_sellable_other"): UnitState.SAMPLE,
    ("departing", "non_sellable_other"): UnitState.EXPORTED,
    ("holding", "non_sellable_other"): UnitState.LOCKED,
    ("repackaging", "inactive"): UnitState.CHECKED_OUT,
}
STATES_BY_BIZ_STEP: Final[Mapping[str, UnitState]] = {
    "dispensing": UnitState.SUPPLIED,
    "retail_selling": UnitState.SUPPLIED,
    "destroying": UnitState.DESTROYED,
    "sampling": UnitState.SAMPLE,
    "decommissioning": UnitState.VOIDED,
}
#: Source/destination types that name who holds the goods.
_PARTY_TYPES: Final = frozenset({"owning_party", "possessing_party"})

_PGLN: Final = "urn:epc:id:pgln:"


class CaptureInterrupted(Exception):
    """Raised by a capture's ``progress`` when the service is stopping: the capture is
    rolled back and its job finished as not captured."""


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What a capture did: the eventIDs stored, in document order, and every problem."""

    captured: tuple[str, ...]
    problems: tuple[EventProblem, ...]


def read_document(body: bytes, media_type: str) -> dict[str, Any]:
    """The EPCIS document a request body holds: JSON-LD (``application/json``,
    ``application/ld+json``) or XML (``application/xml``, ``text/xml``)."""
    if len(body) > CAPTURE_FILE_SIZE_LIMIT:
        raise InvalidRequest(
            f"document: {len(body):,} bytes, over the capture limit of {CAPTURE_FILE_SIZE_LIMIT:,}"
        )
    kind = media_type.split(";", 1)[0].strip().lower()
    if is_xml(media_type):
        try:
            return _shallow(document_from_xml(body))
        except InvalidXml as error:
            raise InvalidRequest(f"document: {error}") from None
    if kind in ("application/json", "application/ld+json", ""):
        try:
            # pydantic's parser, which refuses text that is not valid Unicode (half a
            # surrogate pair), which Python's own would take and no database could store
            document = pydantic_core.from_json(body)
        except ValueError as error:
            raise InvalidRequest(f"document: not JSON ({error})") from None
        if not isinstance(document, dict):
            raise InvalidRequest("document: an EPCIS document is a JSON object")
        return _shallow(document)
    raise InvalidRequest(
        f"Content-Type: {media_type!r}: send application/ld+json, application/json or "
        "application/xml"
    )


#: How deep objects and lists may nest in a document: an EPCIS event with its sensor reports
#: and extensions needs a dozen levels; far deeper, the document is an attack on the code
#: that walks it, and is refused before anything walks it.
MAX_NESTING: Final = 64


def _shallow(document: dict[str, Any]) -> dict[str, Any]:
    """``document``, once it is known to nest no deeper than :data:`MAX_NESTING` (looked at
    without recursion)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise InvalidRequest(
                f"document: objects and lists nest deeper than {MAX_NESTING} levels"
            )
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return document


def is_xml(media_type: str) -> bool:
    """Whether a body of ``media_type`` is read as EPCIS XML."""
    return media_type.split(";", 1)[0].strip().lower().endswith("xml")


def start_capture(
    uow: UnitOfWork, document: Mapping[str, Any], *, actor: Actor, behaviour: str
) -> CaptureJob:
    """Open a capture job for ``document`` once its shape allows capturing it at all (an
    EPCISDocument with an event list within the capture limit); the events are checked and
    stored by :func:`run_capture`."""
    _may_capture(actor)
    if behaviour not in ERROR_BEHAVIOURS:
        raise InvalidRequest(
            f"GS1-Capture-Error-Behaviour: {behaviour!r} is neither rollback nor proceed"
        )
    events = _event_list(document)
    refusal = _master_data_refusal(document, actor)
    if refusal is not None:
        raise InvalidRequest(f"epcisHeader.epcisMasterData: {refusal}")
    if len(events) > CAPTURE_LIMIT:
        raise InvalidRequest(
            f"epcisBody.eventList: {len(events):,} events, over the capture limit of "
            f"{CAPTURE_LIMIT:,}"
        )
    job_id = uow.capture_jobs.start(
        error_behaviour=behaviour,
        events=len(events),
        recorded_by=actor.name,
        party_id=owner_of(actor, CAPTURE_JOBS).party_id,
    )
    job = uow.capture_jobs.get(job_id)
    assert job is not None
    return job


def run_capture(
    open_unit_of_work: Callable[[], UnitOfWork],
    job: CaptureJob,
    document: Mapping[str, Any],
    *,
    actor: Actor,
    from_xml: bool = False,
    progress: Callable[[int], None] | None = None,
) -> CaptureJob:
    """Capture ``document`` under ``job`` in a transaction of its own and record the outcome
    on the job: in the same transaction when the capture commits (so that events captured
    never stand beside a job still running), in another when it is rolled back (so that it
    still reports why). ``progress``
    is told how many events have been dealt with, as the capture goes, and may stop it by
    raising :class:`CaptureInterrupted`. The document is checked before the transaction
    begins, so that the database's write lock is not held while its events are validated."""
    try:
        problems = document_problems(document, from_xml=from_xml)
        if progress is not None:
            progress(0)
        with open_unit_of_work() as uow:
            result = capture(
                uow,
                document,
                actor=actor,
                behaviour=job.error_behaviour,
                job_id=job.id,
                from_xml=from_xml,
                progress=progress,
                problems=problems,
            )
            captured, errors = len(result.captured), [problem_json(p) for p in result.problems]
            # a document of master data alone captures no event and is kept all the same;
            # what is captured and the job saying so are committed as one
            if result.captured or not result.problems:
                if uow.capture_jobs.finish(job.id, captured=captured, errors=errors):
                    uow.commit()
                else:  # finished meanwhile (as abandoned): what it says stands, nothing more
                    logger.warning("capture job %s: finished meanwhile, not captured", job.id)
                finished = uow.capture_jobs.get(job.id)
                assert finished is not None
                return finished
    except CaptureInterrupted:
        logger.warning("capture job %s: interrupted by the service stopping", job.id)
        captured, errors = 0, [_interrupted(job.id)]
    except Exception as failure:  # the job must end, and say it failed, whatever happened
        # what went wrong inside is for the operator's log, not for the partner
        value = refused_value(failure)
        if value is not None:  # the document's fault: a text or number the database refuses
            captured, errors = 0, [_refused_value(job.id, value)]
        elif is_busy(failure):
            logger.warning("capture job %s: the database stayed busy", job.id)
            captured, errors = 0, [_busy(job.id)]
        else:
            logger.exception("capture job %s failed", job.id)
            captured, errors = 0, [_failed_on_our_side(job.id)]
    with open_unit_of_work() as uow:
        uow.capture_jobs.finish(job.id, captured=captured, errors=errors)
        uow.commit()
        finished = uow.capture_jobs.get(job.id)
    assert finished is not None
    return finished


def finish_interrupted(uow: UnitOfWork, job_id: int) -> None:
    """Finish a job the service stopped before capturing: nothing captured, and why."""
    uow.capture_jobs.finish(job_id, captured=0, errors=[_interrupted(job_id)])


def finish_failed(uow: UnitOfWork, job_id: int) -> None:
    """Finish a job whose capture failed on the repository's side: nothing captured."""
    uow.capture_jobs.finish(job_id, captured=0, errors=[_failed_on_our_side(job_id)])


#: How long a job may stay running before it is taken for abandoned by a worker that died
#: (killed, or its machine lost): far longer than the largest capture takes, lock waits
#: included. A capture commits its events and the job's outcome together, so an abandoned
#: job captured nothing.
ABANDONED_AFTER: Final = dt.timedelta(hours=1)


def finish_abandoned(uow: UnitOfWork, *, at: dt.datetime | None = None) -> list[int]:
    """Finish, as not captured, every job running for longer than :data:`ABANDONED_AFTER`
    (at ``at``, now by default); their ids."""
    moment = at or dt.datetime.now(dt.UTC)
    abandoned = uow.capture_jobs.running_since(moment - ABANDONED_AFTER)
    for job_id in abandoned:
        uow.capture_jobs.finish(job_id, captured=0, errors=[_abandoned(job_id)])
    return abandoned


def _abandoned(job_id: int) -> dict[str, Any]:
    return {
        "type": "epcisException:ImplementationException",
        "title": "Capture abandoned",
        "status": 503,
        "detail": (
            f"capture job {job_id} was left unfinished by a service worker that stopped "
            "unexpectedly, and captured nothing; send the document again"
        ),
    }


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
) -> CaptureResult:
    """Validate ``document``, store its events and apply them to the registry, in the
    caller's unit of work (which commits when ``captured`` is not empty). With ``rollback``
    any problem leaves nothing written; with ``proceed`` the events without problems are
    captured. A document read from XML (``from_xml``) is held to the XSD where it is wider
    than the JSON Schema. ``problems`` are the document's own, where the caller has checked
    it already (:func:`~unitrace.epcis.validation.document_problems`)."""
    _may_capture(actor)
    if problems is None:
        problems = document_problems(document, from_xml=from_xml)
    problems = list(problems)
    events = _event_list(document)
    refusal = _master_data_refusal(document, actor)
    if refusal is not None:
        problems.append(EventProblem(None, None, "epcisHeader.epcisMasterData", refusal))
    failed = {problem.index for problem in problems}
    if None in failed or (problems and behaviour == ROLLBACK):
        return CaptureResult((), tuple(problems))
    namespaces = namespaces_of(document.get("@context"))
    capturing = _Capturing(uow, actor, namespaces, job_id)
    prepared = capturing.prepare(events, failed)
    problems += capturing.problems
    if capturing.problems and behaviour == ROLLBACK:
        return CaptureResult((), tuple(problems))
    uow.master_data.record_header(document)
    captured: list[str] = []
    for done, (index, stored) in enumerate(prepared):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        try:
            capturing.apply(stored, savepoint=behaviour == PROCEED)
        except Refused as refusal:
            problems.append(EventProblem(index, stored.document["eventID"], "event", str(refusal)))
            if behaviour == ROLLBACK:
                return CaptureResult((), tuple(problems))
            continue
        captured.append(stored.document["eventID"])
    capturing.flush()
    if progress is not None:
        progress(len(prepared))
    return CaptureResult(tuple(captured), tuple(problems))


def capture_event(uow: UnitOfWork, event: Mapping[str, Any], *, actor: Actor) -> EventRecord:
    """``POST /epcis/events``: one event, with its own ``@context`` where it uses extensions;
    :class:`~unitrace.registry.errors.Conflict` if its eventID is stored already."""
    _may_capture(actor)
    namespaces = namespaces_of(event.get("@context"))
    problems = event_problems(dict(event), namespaces)
    if problems:
        raise InvalidRequest("; ".join(str(problem) for problem in problems))
    body = {key: value for key, value in event.items() if key != "@context"}
    capturing = _Capturing(uow, actor, namespaces, None)
    prepared = capturing.prepare([body], set())
    if capturing.problems:
        problem = capturing.problems[0]
        if problem.message == ALREADY_CAPTURED:
            raise AlreadyExists(f"eventID: {problem.event_id} is captured already")
        raise InvalidRequest(str(problem))
    ((_, stored),) = prepared
    record = capturing.apply(stored)
    return record if record is not None else capturing.flush()[0]


def get_capture_job(uow: UnitOfWork, job_id: int, *, actor: Actor) -> CaptureJob | None:
    """A capture job ``actor`` may read (see :func:`list_capture_jobs`); None for any other,
    as for one that does not exist."""
    job = uow.capture_jobs.get(job_id)
    if job is None or not _reads(actor, job):
        return None
    return job


def list_capture_jobs(uow: UnitOfWork, *, actor: Actor) -> list[CaptureJob]:
    """The newest capture jobs ``actor`` may read, each as :func:`get_capture_job` gives it: a
    job belongs to its capturer's owner (the brand for admin and line tokens, a
    distributor's party), and an admin, who runs the repository, reads every job. A verifier
    captures nothing and reads no job (:class:`Forbidden`)."""
    if actor.role is Role.ADMIN:
        return uow.capture_jobs.recent()
    return uow.capture_jobs.recent_of(owner_of(actor, CAPTURE_JOBS).party_id)


def _reads(actor: Actor, job: CaptureJob) -> bool:
    return actor.role is Role.ADMIN or job.party_id == owner_of(actor, CAPTURE_JOBS).party_id


def _interrupted(job_id: int) -> dict[str, Any]:
    return {
        "type": "epcisException:ImplementationException",
        "title": "Capture interrupted",
        "status": 503,
        "detail": (
            f"capture job {job_id} was stopped with the service before it was done and "
            "captured nothing; send the document again"
        ),
    }


def _refused_value(job_id: int, value: str) -> dict[str, Any]:
    return {
        "type": "epcisException:ValidationException",
        "title": "Validation failed",
        "status": 400,
        "detail": f"capture job {job_id} captured nothing: {value}",
    }


def _busy(job_id: int) -> dict[str, Any]:
    return {
        "type": "epcisException:ImplementationException",
        "title": "Repository busy",
        "status": 503,
        "detail": (
            f"capture job {job_id} waited too long for the repository, busy with other "
            "writes, and captured nothing; send the document again later"
        ),
    }


def _failed_on_our_side(job_id: int) -> dict[str, Any]:
    return {
        "type": "epcisException:ImplementationException",
        "title": "Capture failed",
        "status": 500,
        "detail": (
            f"capture job {job_id} failed on the repository's side and captured nothing; "
            "send the document again, and if it fails again give the operator this job's ID"
        ),
    }


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


def capture_job_json(job: CaptureJob) -> dict[str, Any]:
    """A capture job as the EPCIS REST binding shows it."""
    return {
        "captureID": str(job.id),
        "createdAt": job.created_at.isoformat().replace("+00:00", "Z"),
        **(
            {"finishedAt": job.finished_at.isoformat().replace("+00:00", "Z")}
            if job.finished_at
            else {}
        ),
        "running": job.status == "running",
        "success": not job.errors,
        "captureErrorBehaviour": job.error_behaviour,
        "errors": job.errors,
        "events": job.events,
        "captured": job.captured,
    }


# --- the work -----------------------------------------------------------------------------------


class _Capturing:
    """One capture's state: the products and containers of unitrace, the parties, and the
    events waiting to be stored in one set-based insert."""

    def __init__(
        self, uow: UnitOfWork, actor: Actor, namespaces: Mapping[str, str], job_id: int | None
    ) -> None:
        self.uow = uow
        self.actor = actor
        self.namespaces = dict(namespaces)
        self.job_id = job_id
        self.problems: list[EventProblem] = []
        self.waiting: list[StoredEvent] = []
        products = uow.units.product_keys().values()
        self.gtins = {product.gtin.value for product in products}
        naming = EpcNaming.of((product.gtin, product.company_prefix_length) for product in products)
        self.naming = naming
        #: the start of our units' SGTIN URIs: most EPCs a partner sends are told apart by it
        self.sgtin_prefixes = tuple(
            naming.sgtin(product.gtin, "0")[:-1]
            for product in products
            if product.company_prefix_length is not None
        )
        self.all_sgtin_named = all(p.company_prefix_length is not None for p in products)
        self._parties: list[Party] | None = None
        #: the cases and pallets of the registry an event may name, in the spellings the
        #: document uses and as the registry names them; those an event of the document
        #: packs are added as it is applied, so that the events after it find them
        self._containers: set[str] = set()
        self._foreign_containers = False
        self._read: dict[str, Scan | None] = {}

    def prepare(
        self, events: Sequence[Mapping[str, Any]], failed: set[int | None]
    ) -> list[tuple[int, StoredEvent]]:
        """The events to capture, named (their eventID or CBV hash) and new."""
        prepared: list[tuple[int, StoredEvent]] = []
        seen: dict[str, int] = {}
        context = [{prefix: uri} for prefix, uri in sorted(self.namespaces.items())]
        for index, event in enumerate(events):
            if index in failed:
                continue
            given = event.get("eventID")
            named = bool(given)
            if named:
                event_id = str(given)
            else:
                try:
                    event_id = event_hash(event, self.namespaces, index=index)
                except InvalidEvent as error:
                    self.problems.append(EventProblem(index, None, "eventID", str(error)))
                    continue
            if event_id in seen:
                if not named:
                    continue  # the very event of an earlier one (same hash): captured once
                self.problems.append(
                    EventProblem(
                        index, event_id, "eventID", f"the same as event {seen[event_id]}'s"
                    )
                )
                continue
            seen[event_id] = index
            document = {**event, "eventID": event_id}
            if context:
                document["@context"] = context
            prepared.append((index, StoredEvent(document, capture_job_id=self.job_id)))
        stored = self.uow.events.exists(seen)
        if stored:
            self.problems += [
                EventProblem(index, event_id, "eventID", ALREADY_CAPTURED)
                for event_id, index in seen.items()
                if event_id in stored
            ]
            prepared = [item for item in prepared if item[1].document["eventID"] not in stored]
        candidates = _candidate_containers(stored.document for _, stored in prepared)
        # an EPC URI names a case or pallet of the registry in the registry's own spelling
        # (found as it is), unless its company prefix is unknown here and the registry names
        # such containers by Digital Link; a Digital Link may name one in either spelling
        self._foreign_containers = self.uow.units.any_container_named_by_link()
        names = {
            epc: name
            for epc in candidates
            if not epc.startswith(self.sgtin_prefixes)
            and (self._foreign_containers or not epc.startswith(_SGTIN_URI))
            and (name := self._container_name(epc)) is not None
        }
        found = self.uow.units.containers_by_epc(candidates | set(names.values()))
        self._containers = set(found) | {epc for epc, name in names.items() if name in found}
        return prepared

    def apply(self, stored: StoredEvent, *, savepoint: bool = False) -> EventRecord | None:
        """Apply one event to the registry through the lifecycle services (which record it;
        in a savepoint of its own where asked), or queue it to be stored with the others when
        it changes no unit of ours."""
        change = self._change(stored)
        if change is None:
            if self.actor.role is Role.DISTRIBUTOR:
                for field, named in _named_epcs_by_field(stored.document):
                    ours = [epc for epc in dict.fromkeys(named) if self._is_ours(epc)]
                    lifecycle.check_held(self.uow, codes=ours, actor=self.actor, field=field)
            self.waiting.append(
                StoredEvent(
                    stored.document,
                    party_id=self.actor.party_id,
                    recorded_by=self.actor.name,
                    capture_job_id=self.job_id,
                )
            )
            return None
        self.flush()  # in document order: what came before is stored first
        with _savepoint(self.uow, savepoint):
            return change()

    def flush(self) -> list[EventRecord]:
        records = self.uow.events.add_documents(self.waiting)
        self.waiting = []
        return records

    def _change(self, stored: StoredEvent) -> Callable[[], EventRecord] | None:
        event = stored.document
        kind, action = event["type"], event.get("action")
        # a CBV word in any spelling (bare, URN, Web URI) as its bare word
        step = BIZ_STEPS.word(event.get("bizStep") or "")
        disposition = DISPOSITIONS.word(event.get("disposition") or "")
        at = dt.datetime.fromisoformat(event["eventTime"])
        actor, uow = self.actor, self.uow
        if kind == "AggregationEvent" and action in ("ADD", "DELETE"):
            parent = event.get("parentID")
            children = list(event.get("childEPCs") or ())
            if parent is None or not self._names_ours([parent, *children]):
                return None
            if action == "ADD":

                def pack() -> EventRecord:
                    record = lifecycle.aggregate(
                        uow, parent=parent, children=children, actor=actor, at=at, captured=stored
                    )
                    # the events after it in the document may name the case or pallet
                    self._containers.add(parent)
                    self._containers.add(self._container_name(parent) or parent)
                    return record

                return pack
            return lambda: lifecycle.disaggregate(
                uow,
                parent=parent,
                children=children or None,
                actor=actor,
                at=at,
                captured=stored,
            )
        location = _gln_of((event.get("bizLocation") or {}).get("id"))
        if kind == "TransformationEvent":
            inputs = [epc for epc in event.get("inputEPCList") or () if self._is_ours(epc)]
            outputs = [epc for epc in event.get("outputEPCList") or () if self._is_ours(epc)]
            commissioning = step == "commissioning" and bool(outputs)
            if not inputs and not commissioning:
                return None
            if not commissioning:
                # outputs it does not commission are only named: a distributor names its own
                lifecycle.check_held(uow, codes=outputs, actor=actor, field="outputEPCList")
            made_lot, made_expiry = _ilmd_lot_and_expiry(event)
            return lambda: lifecycle.transform(
                uow,
                inputs=inputs,
                outputs=outputs,
                actor=actor,
                commissioning=commissioning,
                lot=made_lot,
                expiry=made_expiry,
                location_gln=location,
                at=at,
                captured=stored,
            )
        if kind != "ObjectEvent":
            return None
        codes = [epc for epc in event.get("epcList") or () if self._is_ours(epc)]
        if not codes:
            return None
        if action == "ADD" and step == "commissioning":
            lot, expiry = _ilmd_lot_and_expiry(event)
            return lambda: lifecycle.commission_units(
                uow,
                codes=codes,
                actor=actor,
                lot=lot,
                expiry=expiry,
                location_gln=location,
                at=at,
                captured=stored,
            )
        persistent = [
            DISPOSITIONS.word(word)
            for word in (event.get("persistentDisposition") or {}).get("set") or ()
        ]
        lasting = _lasting_states(persistent)
        if step in ("shipping", "receiving") and lasting:
            raise InvalidRequest(
                f"persistentDisposition: {step} and a lasting "
                f"{', '.join(sorted(state.value for state in lasting))} are two changes of the "
                "units: send them as two events"
            )
        if step == "shipping":
            party = self._destination(event)
            return lambda: (
                lifecycle.ship(
                    uow, codes=codes, party=party, actor=actor, at=at, captured=stored
                ).event
            )
        if step == "receiving":
            return lambda: lifecycle.receive(
                uow,
                codes=codes,
                actor=actor,
                location_gln=location or _gln_of((event.get("readPoint") or {}).get("id")),
                at=at,
                captured=stored,
            )
        target = _state_of(step, disposition, persistent)
        if target is None:
            return None
        return lambda: lifecycle.change_state(
            uow,
            codes=codes,
            to=target,
            actor=actor,
            location_gln=location,
            at=at,
            captured=stored,
        )

    def _destination(self, event: Mapping[str, Any]) -> str:
        """The registered party a shipment goes to, from its destinationList."""
        entries = event.get("destinationList") or ()
        parties = self._party_list()
        by_gln = {party.gln: party.id for party in parties if party.gln}
        ids = {party.id for party in parties}
        for wanted in (_PARTY_TYPES, frozenset({"location"})):
            for entry in entries:
                if SOURCE_DEST_TYPES.word(str(entry.get("type", ""))) not in wanted:
                    continue
                name = str(entry.get("destination", ""))
                if name.startswith(lifecycle.PARTY_URN_PREFIX):
                    party_id = name.removeprefix(lifecycle.PARTY_URN_PREFIX)
                    if party_id in ids:
                        return party_id
                gln = _gln_of(name)
                if gln is not None and gln in by_gln:
                    return by_gln[gln]
        raise InvalidRequest(
            "destinationList: names no party registered here (an owning or possessing party "
            "by PGLN or urn:unitrace:party:…, or a location by SGLN): unitrace cannot move the "
            "units' custody"
        )

    def _party_list(self) -> list[Party]:
        if self._parties is None:
            self._parties = self.uow.parties.all()
        return self._parties

    def _names_ours(self, epcs: Sequence[str]) -> bool:
        return any(self._is_ours(epc) for epc in epcs)

    def _is_ours(self, epc: str) -> bool:
        if epc in self._containers:
            return True
        if epc.startswith(_SGTIN_URI) and self.all_sgtin_named:
            if epc.startswith(self.sgtin_prefixes):
                return True
            # one of our units with its company prefix cut elsewhere is still ours
            return self.naming.sgtin_gtin(epc) in self.gtins
        if epc.startswith(_SSCC_URI):  # never a unit: a pallet or case of ours, or not
            return self._container_name(epc) in self._containers
        if epc.startswith("urn:epc:") and not epc.startswith(_SGTIN_URI):
            return False  # another scheme, or a class: no unit or container of ours
        scan = self._scan(epc)
        if scan is None:
            return False
        if scan.gtin is not None and scan.serial is not None and scan.gtin.value in self.gtins:
            return True
        # a case or pallet of ours in another spelling than the registry's
        return self._container_name(epc) in self._containers

    def _scan(self, epc: str) -> Scan | None:
        if epc not in self._read:
            try:
                self._read[epc] = parse(epc)
            except (InvalidCode, ValueError):
                self._read[epc] = None
        return self._read[epc]

    def _container_name(self, epc: str) -> str | None:
        """The name the registry gives the case or pallet ``epc`` spells, if it spells one
        (an SSCC, or a GTIN with a serial), as the lifecycle services name it."""
        if epc.startswith("urn:epc:") and not epc.startswith(_CONTAINER_SCHEMES):
            return None
        if epc.startswith(_SSCC_URI):
            named = self.naming.plain_sscc(epc)
            if named is not None:
                return named
        scan = self._scan(epc)
        if scan is None:
            return None
        if scan.sscc is not None:
            return self.naming.sscc(scan.sscc)
        if scan.gtin is not None and scan.serial is not None:
            return self.naming.sgtin(scan.gtin, scan.serial)
        return None


#: The EPC URI schemes a case or pallet is named in.
_SGTIN_URI: Final = "urn:epc:id:sgtin:"
_SSCC_URI: Final = "urn:epc:id:sscc:"
_CONTAINER_SCHEMES: Final = (_SGTIN_URI, _SSCC_URI)


def _state_of(step: str, disposition: str, persistent: Sequence[str]) -> UnitState | None:
    """The unit state an ObjectEvent's words move units to, if any: by its bizStep and
    disposition, or by a disposition its ``persistentDisposition`` sets; refused where they
    name different states (a recall is never dropped for another change)."""
    named = (
        STATES_BY_STEP_AND_DISPOSITION.get((step, disposition))
        or STATES_BY_DISPOSITION.get(disposition)
        or STATES_BY_BIZ_STEP.get(step)
    )
    lasting = _lasting_states(persistent)
    if named is not None:
        lasting.add(named)
    if len(lasting) > 1:
        raise InvalidRequest(
            f"persistentDisposition: the event names the states "
            f"{', '.join(sorted(state.value for state in lasting))} at once: send them as "
            "separate events"
        )
    return named or next(iter(lasting), None)


def _lasting_states(persistent: Sequence[str]) -> set[UnitState]:
    """The unit states the dispositions a ``persistentDisposition`` sets stand for."""
    return {STATES_BY_DISPOSITION[word] for word in persistent if word in STATES_BY_DISPOSITION}


def _ilmd_lot_and_expiry(event: Mapping[str, Any]) -> tuple[str | None, dt.date | None]:
    """The lot and expiry an event's ILMD gives the objects it commissions; refused unless
    the lot is text and the expiry a date as XML Schema writes one (``2030-12-31``)."""
    ilmd = event.get("ilmd") or {}
    lot, expiry = ilmd.get("cbvmda:lotNumber"), ilmd.get("cbvmda:itemExpirationDate")
    if lot is not None and not isinstance(lot, str):
        raise InvalidRequest(f"ilmd.cbvmda:lotNumber: {lot!r} is not text")
    if expiry is None:
        return lot, None
    date = date_written(expiry)
    if date is None:
        raise InvalidRequest(
            f"ilmd.cbvmda:itemExpirationDate: {expiry!r} is not a date written YYYY-MM-DD"
        )
    return lot, date


def _named_epcs_by_field(document: Mapping[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """Every EPC an event names, by field: listed, as a parent or child, as an input or
    output."""
    if document.get("parentID"):
        yield "parentID", [document["parentID"]]
    for key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        if document.get(key):
            yield key, list(document[key])


def _candidate_containers(documents: Iterator[Mapping[str, Any]]) -> set[str]:
    """Every EPC that could name a case or pallet."""
    return {
        epc
        for document in documents
        for _, named in _named_epcs_by_field(document)
        for epc in named
    }


def _gln_of(uri: str | None) -> str | None:
    """The GLN an SGLN or PGLN EPC URI, or a Digital Link with AI 414 or 417, names."""
    if not uri:
        return None
    if uri.startswith(_PGLN):
        company_prefix, _, party = uri.removeprefix(_PGLN).partition(".")
        digits = company_prefix + party
        if len(digits) != 12 or not digits.isdigit():
            return None
        return digits + gs1_check_digit(digits)
    try:
        scan = parse(uri)
    except (InvalidCode, ValueError):
        return None
    return scan.ais.get("414") or scan.ais.get("417")


def _event_list(document: Mapping[str, Any]) -> list[Any]:
    """The events of an EPCISDocument, or of an EPCISQueryDocument (a query's answer from
    another repository, captured again)."""
    body = document.get("epcisBody") if isinstance(document, Mapping) else None
    if isinstance(body, Mapping) and isinstance(body.get("queryResults"), Mapping):
        body = body["queryResults"].get("resultsBody")
    events = body.get("eventList") if isinstance(body, Mapping) else None
    if not isinstance(events, list):
        raise InvalidRequest("epcisBody.eventList: an EPCISDocument carries its events there")
    return events


def _master_data_refusal(document: Mapping[str, Any], actor: Actor) -> str | None:
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


def _may_capture(actor: Actor) -> None:
    if actor.role not in CAPTURERS:
        raise Forbidden(f"role {actor.role.value}: only line, distributor and admin tokens capture")


@contextmanager
def _savepoint(uow: UnitOfWork, wanted: bool) -> Iterator[None]:
    """With ``proceed``, each event's changes in a savepoint, undone alone when refused."""
    if not wanted:
        yield
        return
    nested = uow.connection.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        raise
    nested.commit()
