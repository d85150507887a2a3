"""Serial request jobs: the console's requests for serials, issued off the page's request.

A job is ``queued`` when recorded, ``issuing`` once a worker has taken it, and ends ``done``
(with the serial request it made, written in the same transaction as the units), ``refused``
(the service's message; nothing issued) or ``failed`` (the worker stopped; nothing issued).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from unitrace.store.schema import serial_request_jobs
from unitrace.store.times import now, utc


class JobStatus(StrEnum):
    QUEUED = "queued"
    ISSUING = "issuing"
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.REFUSED, JobStatus.FAILED)


#: The statuses of a job still to be finished.
UNFINISHED = (JobStatus.QUEUED, JobStatus.ISSUING)


@dataclass(frozen=True, slots=True)
class SerialRequestJob:
    id: int
    gtin: str
    lot: str
    count: int
    commission: bool
    status: JobStatus
    #: why it was refused or failed
    message: str | None
    #: the serial request it made, once done
    request_id: int | None
    requested_by: str
    role: str
    party_id: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class SerialRequestJobRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        *,
        gtin: str,
        lot: str,
        count: int,
        commission: bool,
        requested_by: str,
        role: str,
        party_id: str | None,
    ) -> int:
        result = self.connection.execute(
            insert(serial_request_jobs)
            .values(
                gtin=gtin,
                lot=lot,
                count=count,
                commission=commission,
                status=JobStatus.QUEUED.value,
                requested_by=requested_by,
                role=role,
                party_id=party_id,
                created_at=now(),
            )
            .returning(serial_request_jobs.c.id)
        )
        return int(result.scalar_one())

    def get(self, job_id: int) -> SerialRequestJob | None:
        row = self.connection.execute(
            select(serial_request_jobs).where(serial_request_jobs.c.id == job_id)
        ).first()
        return None if row is None else _job(row)

    def start(self, job_id: int) -> bool:
        """A queued job is being issued; False where it is not queued (finished already)."""
        return self._move(job_id, (JobStatus.QUEUED,), status=JobStatus.ISSUING, started_at=now())

    def finish(
        self,
        job_id: int,
        status: JobStatus,
        *,
        request_id: int | None = None,
        message: str | None = None,
    ) -> bool:
        """Record an unfinished job's outcome; False where it is finished already."""
        assert status.finished, status
        return self._move(
            job_id,
            UNFINISHED,
            status=status,
            request_id=request_id,
            message=message,
            finished_at=now(),
        )

    def _move(self, job_id: int, source: Collection[JobStatus], **values: Any) -> bool:
        done = self.connection.execute(
            update(serial_request_jobs)
            .where(
                serial_request_jobs.c.id == job_id,
                serial_request_jobs.c.status.in_([status.value for status in source]),
            )
            .values(**{k: v.value if isinstance(v, JobStatus) else v for k, v in values.items()})
        )
        return done.rowcount == 1

    def unfinished(self, *, limit: int) -> list[SerialRequestJob]:
        """The jobs still queued or issuing, oldest first, at most ``limit``."""
        rows = self.connection.execute(
            select(serial_request_jobs)
            .where(serial_request_jobs.c.status.in_([status.value for status in UNFINISHED]))
            .order_by(serial_request_jobs.c.id)
            .limit(limit)
        )
        return [_job(row) for row in rows]

    def recent(self, *, limit: int, statuses: Collection[JobStatus]) -> list[SerialRequestJob]:
        """The newest jobs of ``statuses``, newest first, at most ``limit``."""
        rows = self.connection.execute(
            select(serial_request_jobs)
            .where(serial_request_jobs.c.status.in_([status.value for status in statuses]))
            .order_by(serial_request_jobs.c.id.desc())
            .limit(limit)
        )
        return [_job(row) for row in rows]

    def ahead_of(self, job_id: int) -> int:
        """How many jobs recorded before ``job_id`` are still queued or issuing."""
        return int(
            self.connection.execute(
                select(func.count())
                .select_from(serial_request_jobs)
                .where(
                    serial_request_jobs.c.id < job_id,
                    serial_request_jobs.c.status.in_([status.value for status in UNFINISHED]),
                )
            ).scalar_one()
        )

    def unfinished_since(self, before: dt.datetime) -> list[int]:
        """The jobs still queued or issuing that were recorded before ``before``."""
        rows = self.connection.execute(
            select(serial_request_jobs.c.id)
            .where(
                serial_request_jobs.c.status.in_([status.value for status in UNFINISHED]),
                serial_request_jobs.c.created_at < before,
            )
            .order_by(serial_request_jobs.c.id)
        )
        return [int(row.id) for row in rows]


def _job(row: Row[Any]) -> SerialRequestJob:
    return SerialRequestJob(
        id=row.id,
        gtin=row.gtin,
        lot=row.lot,
        count=int(row._mapping["count"]),
        commission=bool(row.commission),
        status=JobStatus(row.status),
        message=row.message,
        request_id=row.request_id,
        requested_by=row.requested_by,
        role=row.role,
        party_id=row.party_id,
        created_at=utc(row.created_at),
        started_at=utc(row.started_at) if row.started_at is not None else None,
        finished_at=utc(row.finished_at) if row.finished_at is not None else None,
    )
