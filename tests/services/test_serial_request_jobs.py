"""Serial requests issued as jobs (the console's): checked at once with issuing's own refusals,
issued later as the person who asked, done exactly when the units are committed, refused when
the registry changed meanwhile; the runner's queue, its stop and its sweep of jobs left behind."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import func, select, update

from unitrace.registry.errors import Refused
from unitrace.registry.model import Actor, Role
from unitrace.services import lifecycle
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.serial_request_jobs import (
    ABANDONED_AFTER,
    finish_abandoned,
    job_progress,
    run_serial_request_job,
    submit_serial_request,
)
from unitrace.services.serial_request_runner import SerialRequestRunner
from unitrace.services.serialization import check_serial_request, issue_serials
from unitrace.store import schema
from unitrace.store.serial_request_jobs import JobStatus, SerialRequestJob
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
DIGITS_GTIN = "04012345000009"  # 6 digits: 100 serials at most within the guess rule
ADMIN = Actor("ada", Role.ADMIN)
LINE = Actor("console-user:7", Role.LINE)
EXPIRY = dt.date(2030, 6, 30)


@pytest.fixture
def registry(database: Database) -> Database:
    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN, name="Vitamin C", actor=ADMIN, company_prefix_length=7)
        register_product(
            uow, gtin=DIGITS_GTIN, name="Zinc", actor=ADMIN, serial_length=6,
            serial_alphabet="0123456789",
        )  # fmt: skip
        for gtin in (GTIN, DIGITS_GTIN):
            register_lot(uow, gtin=gtin, lot="L1", expiry=EXPIRY, actor=ADMIN)
        register_lot(uow, gtin=GTIN, lot="LR", expiry=EXPIRY, actor=ADMIN)
        uow.commit()
    with database.unit_of_work() as uow:
        lifecycle.set_lot_status(
            uow, gtin=GTIN, lot="LR", status="recalled", reason="contamination", actor=ADMIN
        )
        uow.commit()
    return database


def submitted(database: Database, **request: Any) -> SerialRequestJob:
    request = {"gtin": GTIN, "lot": "L1", "count": 5, "commission": False, "actor": LINE, **request}
    with database.unit_of_work() as uow:
        job = submit_serial_request(uow, **request)
        uow.commit()
    return job


def job_of(database: Database, job_id: int) -> SerialRequestJob:
    with database.unit_of_work(read_only=True) as uow:
        found = uow.serial_request_jobs.get(job_id)
    assert found is not None
    return found


def footprint(database: Database) -> tuple[int, ...]:
    """Jobs, serial requests and units."""
    with database.unit_of_work(read_only=True) as uow:
        return tuple(
            uow.connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (schema.serial_request_jobs, schema.serial_requests, schema.units)
        )


REFUSED = [
    # (what is asked, of issuing)
    {"count": 0},
    {"count": 1_000_001},
    {"gtin": "09506000134369"},
    {"gtin": "0950600013435"},
    {"lot": "L9"},
    {"lot": "LR"},
    {"gtin": DIGITS_GTIN, "count": 101},
    {"actor": Actor("vera", Role.VERIFIER)},
    {"actor": Actor("anna", Role.DISTRIBUTOR, "dist-a")},
]


@pytest.mark.parametrize("asked", REFUSED)
def test_a_request_is_checked_with_issuings_own_refusal_and_nothing_is_recorded(
    registry: Database, asked: dict[str, Any]
) -> None:
    request = {"gtin": GTIN, "lot": "L1", "count": 5, "actor": LINE, **asked}
    with registry.unit_of_work() as uow, pytest.raises(Refused) as issuing:
        issue_serials(uow, **request)
    with registry.unit_of_work(read_only=True) as uow, pytest.raises(Refused) as checking:
        check_serial_request(uow, **request)
    with pytest.raises(Refused) as submitting:
        submitted(registry, **asked)
    assert {type(e.value) for e in (checking, submitting)} == {type(issuing.value)}
    assert {str(e.value) for e in (checking, submitting)} == {str(issuing.value)}
    assert footprint(registry) == (0, 0, 0)


def test_a_job_issues_as_the_person_who_asked_and_is_done_with_its_request(
    registry: Database,
) -> None:
    job = submitted(registry, count=40, commission=True)
    assert (job.status, job.requested_by, job.role) == (JobStatus.QUEUED, LINE.name, "line")
    assert run_serial_request_job(registry.unit_of_work, job.id) is JobStatus.DONE
    done = job_of(registry, job.id)
    assert (done.status, done.request_id, done.message) == (JobStatus.DONE, 1, None)
    assert done.started_at is not None
    assert done.finished_at is not None
    with registry.unit_of_work(read_only=True) as uow:
        record = uow.issuance.request(1)
        states = uow.catalog_figures.unit_counts(1)
    assert record is not None
    assert (record.count, record.commissioned, record.requested_by) == (40, True, LINE.name)
    assert [(count.state, count.units) for count in states] == [("active", 40)]
    # run again (a second worker handed it), it is left as it is
    assert run_serial_request_job(registry.unit_of_work, job.id) is JobStatus.DONE
    assert footprint(registry) == (1, 1, 40)


def test_a_job_the_registry_changed_under_is_refused_with_the_reason_and_issues_nothing(
    registry: Database,
) -> None:
    first = submitted(registry, gtin=DIGITS_GTIN, count=60)
    second = submitted(registry, gtin=DIGITS_GTIN, count=60)  # fits alone, not after the first
    assert run_serial_request_job(registry.unit_of_work, first.id) is JobStatus.DONE
    assert run_serial_request_job(registry.unit_of_work, second.id) is JobStatus.REFUSED
    refused = job_of(registry, second.id)
    assert refused.status is JobStatus.REFUSED
    assert refused.message is not None
    assert refused.message.startswith(
        f"count: issuing 60 more would make 1 in 8,333 serials of {DIGITS_GTIN} guessable"
    )
    assert footprint(registry) == (2, 1, 60)


def test_a_job_finished_as_abandoned_while_it_issued_keeps_nothing(registry: Database) -> None:
    job = submitted(registry)

    class Abandoning:
        """Units of work, the job finished by a sweep just before its serials would commit."""

        calls = 0

        def __call__(self) -> Any:
            Abandoning.calls += 1
            if Abandoning.calls == 2:
                with registry.unit_of_work() as uow:
                    later = dt.datetime.now(dt.UTC) + ABANDONED_AFTER * 2
                    assert finish_abandoned(uow, at=later) == [job.id]
                    uow.commit()
            return registry.unit_of_work()

    assert run_serial_request_job(Abandoning(), job.id) is JobStatus.FAILED
    failed = job_of(registry, job.id)
    assert (failed.status, failed.message) == (
        JobStatus.FAILED,
        "the service worker issuing it stopped; nothing was issued: ask for them again",
    )
    assert footprint(registry) == (1, 0, 0)


@pytest.mark.parametrize(
    ("age", "abandoned"), [(ABANDONED_AFTER * 2, True), (dt.timedelta(0), False)]
)
def test_the_runner_finishes_the_jobs_a_stopped_worker_left_when_it_starts(
    registry: Database, age: dt.timedelta, abandoned: bool
) -> None:
    job = submitted(registry)
    with registry.unit_of_work() as uow:
        uow.connection.execute(
            update(schema.serial_request_jobs).values(created_at=dt.datetime.now(dt.UTC) - age)
        )
        uow.commit()
    runner = SerialRequestRunner(registry, lock_wait=5)
    runner.start()
    try:
        until = time.monotonic() + 10
        while abandoned and job_of(registry, job.id).status is JobStatus.QUEUED:
            assert time.monotonic() < until
            time.sleep(0.02)
        if not abandoned:
            time.sleep(0.3)
    finally:
        runner.shutdown(wait=5)
    expected = JobStatus.FAILED if abandoned else JobStatus.QUEUED
    assert job_of(registry, job.id).status is expected


def test_the_runner_issues_its_jobs_in_turn_and_a_stopped_one_takes_none(
    registry: Database,
) -> None:
    runner = SerialRequestRunner(registry, lock_wait=5)
    jobs = [submitted(registry, count=count) for count in (3, 4)]
    for job in jobs:
        runner.submit(job.id)
    until = time.monotonic() + 20
    while any(not job_of(registry, job.id).status.finished for job in jobs):
        assert time.monotonic() < until
        time.sleep(0.02)
    runner.shutdown(wait=5)
    late = submitted(registry, count=5)
    runner.submit(late.id)
    assert [job_of(registry, job.id).status for job in [*jobs, late]] == [
        JobStatus.DONE,
        JobStatus.DONE,
        JobStatus.FAILED,
    ]
    assert job_of(registry, late.id).message == (
        "the service stopped before issuing it; nothing was issued: ask for them again"
    )
    assert footprint(registry) == (3, 2, 7)


def test_a_jobs_progress_counts_the_jobs_ahead_and_estimates_from_the_last_pace(
    registry: Database,
) -> None:
    done = submitted(registry, count=2000)
    assert run_serial_request_job(registry.unit_of_work, done.id) is JobStatus.DONE
    waiting = [submitted(registry, count=4000) for _ in range(3)]
    with registry.unit_of_work() as uow:
        # the earlier job took 10 s
        started = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
        uow.connection.execute(
            update(schema.serial_request_jobs)
            .where(schema.serial_request_jobs.c.id == done.id)
            .values(started_at=started, finished_at=started + dt.timedelta(seconds=10))
        )
        assert uow.serial_request_jobs.start(waiting[0].id)
        uow.commit()
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    with registry.unit_of_work(read_only=True) as uow:
        progress = [job_progress(uow, job.id, actor=LINE, at=at) for job in waiting]
        missing = job_progress(uow, 99, actor=LINE)
        with pytest.raises(Refused, match="a verifier may not see serial requests"):
            job_progress(uow, done.id, actor=Actor("vera", Role.VERIFIER))
    assert [(p.job.status, p.ahead, p.estimate) for p in progress if p is not None] == [
        (JobStatus.ISSUING, 0, 20.0),
        (JobStatus.QUEUED, 1, 20.0),
        (JobStatus.QUEUED, 2, 20.0),
    ]
    assert progress[0] is not None
    assert progress[0].elapsed is not None
    assert 2.5 < progress[0].elapsed < 10
    assert (progress[1].elapsed if progress[1] else 0, missing) == (None, None)
