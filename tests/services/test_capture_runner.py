"""The capture runner finishes every job it is given, whatever fails: an outcome that could
not be recorded is recorded again, a worker that died leaves no job running for good, and a
capture's events and its job's outcome are committed as one."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import update

from tests.services.issued_units import LINE
from tests.services.test_epcis_capture import COMMISSION, ROLLBACK, document, stored_ids, world
from unitrace.services import epcis_capture
from unitrace.services.capture_runner import CaptureRunner
from unitrace.services.epcis_capture import jobs
from unitrace.store import schema
from unitrace.store.capture_jobs import CaptureJob
from unitrace.store.unit_of_work import Database, UnitOfWork

__all__ = ["world"]  # fixtures


def started(database: Database, sent: dict[str, Any]) -> CaptureJob:
    with database.unit_of_work() as uow:
        job = epcis_capture.start_capture(uow, sent, actor=LINE, behaviour=ROLLBACK)
        uow.commit()
    return job


def job_of(database: Database, job_id: int) -> CaptureJob:
    with database.unit_of_work(read_only=True) as uow:
        found = uow.capture_jobs.get(job_id)
    assert found is not None
    return found


def settled(database: Database, job_id: int, within: float = 10) -> CaptureJob:
    until = time.monotonic() + within
    while time.monotonic() < until:
        found = job_of(database, job_id)
        if found.status != "running":
            return found
        time.sleep(0.02)
    raise AssertionError(f"capture job {job_id} still running after {within} s")


def test_a_capture_commits_its_events_and_its_jobs_outcome_as_one(world: Database) -> None:
    """One unit of work for a capture that succeeds: a worker killed after the commit can
    leave no job running over events already captured."""
    job = started(world, document(COMMISSION))
    opened: list[UnitOfWork] = []

    def unit_of_work() -> UnitOfWork:
        opened.append(world.unit_of_work())
        return opened[-1]

    finished = epcis_capture.run_capture(unit_of_work, job, document(COMMISSION), actor=LINE)
    assert (finished.status, finished.captured, len(opened)) == ("success", 1, 1)


def test_the_runner_records_an_outcome_that_failed_to_be_recorded_and_goes_on(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = started(world, document(COMMISSION)), started(world, document(COMMISSION))
    real = epcis_capture.run_capture
    calls: list[int] = []

    def once_broken(open_unit_of_work: Any, job: CaptureJob, *args: Any, **kwargs: Any) -> Any:
        calls.append(job.id)
        if job.id == first.id:
            raise RuntimeError("the database went away while the job was being finished")
        return real(open_unit_of_work, job, *args, **kwargs)

    monkeypatch.setattr(jobs, "run_capture", once_broken)
    runner = CaptureRunner(world, lock_wait=5)
    try:
        runner.submit(first, document(COMMISSION), actor=LINE, from_xml=False)
        runner.submit(second, document(COMMISSION), actor=LINE, from_xml=False)
        outcomes = [settled(world, first.id), settled(world, second.id)]
    finally:
        runner.shutdown(wait=5)
    assert [(job.status, job.captured) for job in outcomes] == [("failed", 0), ("success", 1)]
    assert (
        outcomes[0]
        .errors[0]["detail"]
        .startswith(f"capture job {first.id} failed on the repository's side")
    )
    assert calls == [first.id, second.id]


@pytest.mark.parametrize(
    ("age", "abandoned"), [(dt.timedelta(hours=2), True), (dt.timedelta(minutes=10), False)]
)
def test_a_job_left_running_by_a_worker_that_died_is_finished_when_the_runner_starts(
    world: Database, age: dt.timedelta, abandoned: bool
) -> None:
    job = started(world, document(COMMISSION))
    done = started(world, document(COMMISSION))
    with world.unit_of_work() as uow:
        uow.capture_jobs.finish(done.id, captured=0, errors=[])
        uow.connection.execute(
            update(schema.capture_jobs).values(created_at=dt.datetime.now(dt.UTC) - age)
        )
        uow.commit()
    before = stored_ids(world)
    runner = CaptureRunner(world, lock_wait=5)
    runner.start()
    try:
        if abandoned:
            found = settled(world, job.id)
            assert (found.status, found.captured, found.errors[0]["title"]) == (
                "failed",
                0,
                "Capture abandoned",
            )
        else:
            time.sleep(0.5)
            assert job_of(world, job.id).status == "running"
    finally:
        runner.shutdown(wait=5)
    assert job_of(world, done.id).status == "success"
    assert stored_ids(world) == before


def test_a_capture_finishing_a_job_taken_for_abandoned_meanwhile_captures_nothing(
    world: Database,
) -> None:
    """The job says it captured nothing; the capture, still under way, must not make that
    untrue by committing."""
    job = started(world, document(COMMISSION))
    with world.unit_of_work() as uow:
        later = dt.datetime.now(dt.UTC) + epcis_capture.ABANDONED_AFTER * 2
        assert epcis_capture.finish_abandoned(uow, at=later) == [job.id]
        uow.commit()
    before = stored_ids(world)
    finished = epcis_capture.run_capture(world.unit_of_work, job, document(COMMISSION), actor=LINE)
    assert (finished.status, finished.captured, finished.errors[0]["title"]) == (
        "failed",
        0,
        "Capture abandoned",
    )
    assert stored_ids(world) == before
