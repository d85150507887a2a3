"""Serial requests the console issues off the page's request, as jobs a worker's thread runs
(:mod:`~unitrace.services.serial_request_runner`), so that a million serials (some seconds of
the database's time, longer with commissioning) never hold a person's browser.

A request is checked at once, by the same rules and with the same messages as
``POST /api/serial-requests`` (:func:`~unitrace.services.serialization.check_serial_request`),
and recorded as a job only if it passes. The job then issues it with
:func:`~unitrace.services.serialization.issue_serials` as the person who asked, and records
its outcome in the same transaction as the units: a job is done exactly when its serials
are issued. Should the registry have changed in between (another request used up the guess
rule's room, the lot was recalled) the job is refused with the service's message, and nothing
is issued.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Final

from unitrace.registry.errors import Forbidden, Refused
from unitrace.registry.model import Actor, Role
from unitrace.services.console_users import ACTOR_PREFIX as USER_PREFIX
from unitrace.services.serialization import ISSUERS, check_serial_request, issue_serials
from unitrace.services.tokens import ACTOR_PREFIX as TOKEN_PREFIX
from unitrace.store.serial_request_jobs import JobStatus, SerialRequestJob
from unitrace.store.unit_of_work import UnitOfWork

#: A job neither issued nor refused this long after it was recorded was left by a worker that
#: stopped (a million serials with commissioning take well under a minute).
ABANDONED_AFTER: Final = dt.timedelta(minutes=30)
#: The smallest earlier job whose pace a job's time is estimated from.
PACE_FROM_AT_LEAST: Final = 1_000

#: How a job opens its units of work (a background job waits longer for locks than a request).
UnitsOfWork = Callable[[], AbstractContextManager[UnitOfWork]]


@dataclass(frozen=True, slots=True)
class JobProgress:
    """Where a job stands, as the console's request page shows it."""

    job: SerialRequestJob
    #: jobs recorded before it still waiting or issuing
    ahead: int
    #: seconds it has been issuing (or took), None before it starts
    elapsed: float | None
    #: seconds it is likely to take, from the pace of the last such job; None without one
    estimate: float | None


def submit_serial_request(
    uow: UnitOfWork, *, gtin: str, lot: str, count: int, commission: bool, actor: Actor
) -> SerialRequestJob:
    """Check a request as :func:`issue_serials` would and record it as a queued job; a
    request that would be refused is refused now, with the same error, and nothing recorded.
    The caller commits, then hands the job's id to a runner."""
    check_serial_request(uow, gtin=gtin, lot=lot, count=count, actor=actor)
    job_id = uow.serial_request_jobs.add(
        gtin=gtin,
        lot=lot,
        count=count,
        commission=commission,
        requested_by=actor.name,
        role=actor.role.value,
        party_id=actor.party_id,
    )
    job = uow.serial_request_jobs.get(job_id)
    assert job is not None
    return job


def run_serial_request_job(units_of_work: UnitsOfWork, job_id: int) -> JobStatus:
    """Issue a queued job's serials as the person who asked, and record how it ended: done
    (with its serial request, in the units' own transaction) or refused (the service's
    message, nothing issued). A job not queued (finished as abandoned, say) is left alone.
    An unforeseen failure propagates, the job left for the caller to finish as failed."""
    with units_of_work() as uow:
        job = uow.serial_request_jobs.get(job_id)
        if job is None or not uow.serial_request_jobs.start(job_id):
            return job.status if job is not None else JobStatus.FAILED
        uow.commit()
    actor = Actor(job.requested_by, Role(job.role), job.party_id)
    with units_of_work() as uow:
        try:
            request = issue_serials(
                uow,
                gtin=job.gtin,
                lot=job.lot,
                count=job.count,
                commission=job.commission,
                actor=actor,
            )
        except Refused as refusal:
            message = str(refusal)
        else:
            if uow.serial_request_jobs.finish(job_id, JobStatus.DONE, request_id=request.id):
                uow.commit()
                return JobStatus.DONE
            # finished meanwhile by another (as abandoned): its serials are not kept
            return JobStatus.FAILED
    with units_of_work() as uow:
        uow.serial_request_jobs.finish(job_id, JobStatus.REFUSED, message=message)
        uow.commit()
    return JobStatus.REFUSED


def finish_failed(uow: UnitOfWork, job_id: int, why: str) -> bool:
    """Record that a job issued nothing because ``why``; False where it was finished."""
    return uow.serial_request_jobs.finish(
        job_id, JobStatus.FAILED, message=f"{why}; nothing was issued: ask for them again"
    )


def finish_abandoned(uow: UnitOfWork, *, at: dt.datetime | None = None) -> list[int]:
    """Finish as failed every job still waiting or issuing :data:`ABANDONED_AFTER` after it
    was recorded (at ``at``, now by default); their ids."""
    moment = at or dt.datetime.now(dt.UTC)
    abandoned = uow.serial_request_jobs.unfinished_since(moment - ABANDONED_AFTER)
    for job_id in abandoned:
        finish_failed(uow, job_id, "the service worker issuing it stopped")
    return abandoned


def job_progress(
    uow: UnitOfWork, job_id: int, *, actor: Actor, at: dt.datetime | None = None
) -> JobProgress | None:
    """Where job ``job_id`` stands, for someone who may issue serials; None for a job that
    does not exist."""
    _may_issue(actor)
    job = uow.serial_request_jobs.get(job_id)
    if job is None:
        return None
    moment = at or dt.datetime.now(dt.UTC)
    elapsed = None
    if job.started_at is not None:
        elapsed = ((job.finished_at or moment) - job.started_at).total_seconds()
    ahead = uow.serial_request_jobs.ahead_of(job_id) if not job.status.finished else 0
    return JobProgress(job, ahead, elapsed, _estimate(uow, job))


def recent_jobs(uow: UnitOfWork, *, actor: Actor, limit: int) -> list[SerialRequestJob]:
    """The jobs still waiting or issuing, and those refused or failed lately, newest first."""
    _may_issue(actor)
    return uow.serial_request_jobs.recent(
        limit=limit,
        statuses=(JobStatus.QUEUED, JobStatus.ISSUING, JobStatus.REFUSED, JobStatus.FAILED),
    )


def requester(uow: UnitOfWork, name: str | None) -> str | None:
    """Who asked for a request, as a person reads it: a console user's email, an API token's
    number, or the name recorded (``cli``)."""
    if name is None or not name.startswith(USER_PREFIX):
        return name.replace(TOKEN_PREFIX, "API token ", 1) if name else name
    user_id = name.removeprefix(USER_PREFIX)
    found = uow.console_users.by_id(int(user_id)) if user_id.isdigit() else None
    return found.email if found is not None else name


def _may_issue(actor: Actor) -> None:
    if actor.role not in ISSUERS:
        raise Forbidden(
            f"role: a {actor.role.value} may not see serial requests; needs admin or line"
        )


def _estimate(uow: UnitOfWork, job: SerialRequestJob) -> float | None:
    """Seconds ``job`` is likely to take: its count at the pace of the last done job of at
    least :data:`PACE_FROM_AT_LEAST` serials, commissioning or not as it does."""
    if job.status.finished:
        return None
    for earlier in uow.serial_request_jobs.recent(limit=20, statuses=(JobStatus.DONE,)):
        if (
            earlier.commission is job.commission
            and earlier.count >= PACE_FROM_AT_LEAST
            and earlier.started_at is not None
            and earlier.finished_at is not None
        ):
            took = (earlier.finished_at - earlier.started_at).total_seconds()
            return took * job.count / earlier.count
    return None
