"""Capture jobs: a document queued for capture (:func:`start_capture`), captured off the
request's path by the worker's capture runner (:func:`run_capture`), its outcome recorded on
the job, and the jobs read back as the EPCIS REST binding shows them. A job that could not be
captured (the service stopping, a failure on the repository's side, a worker that died) is
finished as not captured, saying why."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture import capturing, limits
from unitrace.services.epcis_capture.capturing import (
    ERROR_BEHAVIOURS,
    event_list,
    master_data_refusal,
    may_capture,
    note_json,
    problem_json,
)
from unitrace.services.ownership import owner_of
from unitrace.store.capture_jobs import CaptureJob
from unitrace.store.database import is_busy, refused_value
from unitrace.store.unit_of_work import UnitOfWork

__all__ = [
    "ABANDONED_AFTER",
    "CAPTURE_JOBS",
    "CaptureInterrupted",
    "capture_job_json",
    "finish_abandoned",
    "finish_failed",
    "finish_interrupted",
    "get_capture_job",
    "list_capture_jobs",
    "run_capture",
    "start_capture",
]

logger = logging.getLogger(__name__)

#: What a refusal calls the capture jobs a token has none of.
CAPTURE_JOBS: Final = "capture jobs"


class CaptureInterrupted(Exception):
    """Raised by a capture's ``progress`` when the service is stopping: the capture is
    rolled back and its job finished as not captured."""


def start_capture(
    uow: UnitOfWork, document: Mapping[str, Any], *, actor: Actor, behaviour: str
) -> CaptureJob:
    """Open a capture job for ``document`` once its shape allows capturing it at all (an
    EPCISDocument with an event list within the capture limit); the events are checked and
    stored by :func:`run_capture`."""
    may_capture(actor)
    if behaviour not in ERROR_BEHAVIOURS:
        raise InvalidRequest(
            f"GS1-Capture-Error-Behaviour: {behaviour!r} is neither rollback nor proceed"
        )
    events = event_list(document)
    refusal = master_data_refusal(document, actor)
    if refusal is not None:
        raise InvalidRequest(f"epcisHeader.epcisMasterData: {refusal}")
    if len(events) > limits.CAPTURE_LIMIT:
        raise InvalidRequest(
            f"epcisBody.eventList: {len(events):,} events, over the capture limit of "
            f"{limits.CAPTURE_LIMIT:,}"
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
        document, notes, problems = capturing.read_for_capture(document, from_xml=from_xml)
        if progress is not None:
            progress(0)
        with open_unit_of_work() as uow:
            result = capturing.capture(
                uow,
                document,
                actor=actor,
                behaviour=job.error_behaviour,
                job_id=job.id,
                from_xml=from_xml,
                progress=progress,
                problems=problems,
                notes=notes,
            )
            captured, errors = len(result.captured), [problem_json(p) for p in result.problems]
            noted = [note_json(note) for note in result.notes]
            # a document of master data alone captures no event and is kept all the same;
            # what is captured and the job saying so are committed as one
            if result.captured or not result.problems:
                if uow.capture_jobs.finish(job.id, captured=captured, errors=errors, notes=noted):
                    uow.commit()
                else:  # finished meanwhile (as abandoned): what it says stands, nothing more
                    logger.warning("capture job %s: finished meanwhile, not captured", job.id)
                finished = uow.capture_jobs.get(job.id)
                assert finished is not None
                return finished
        # rolled back: the notes of what would have been captured still stand
        notes_kept = noted
    except CaptureInterrupted:
        logger.warning("capture job %s: interrupted by the service stopping", job.id)
        captured, errors, notes_kept = 0, [_interrupted(job.id)], []
    except Exception as failure:  # the job must end, and say it failed, whatever happened
        # what went wrong inside is for the operator's log, not for the partner
        value = refused_value(failure)
        if value is not None:  # the document's fault: a text or number the database refuses
            captured, errors, notes_kept = 0, [_refused_value(job.id, value)], []
        elif is_busy(failure):
            logger.warning("capture job %s: the database stayed busy", job.id)
            captured, errors, notes_kept = 0, [_busy(job.id)], []
        else:
            logger.exception("capture job %s failed", job.id)
            captured, errors, notes_kept = 0, [_failed_on_our_side(job.id)], []
    with open_unit_of_work() as uow:
        uow.capture_jobs.finish(job.id, captured=captured, errors=errors, notes=notes_kept)
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
        # beside the binding's fields (a job has "at least" them): what the partner should
        # know that is no error, such as events found captured already
        "notes": job.notes,
        "events": job.events,
        "captured": job.captured,
    }
