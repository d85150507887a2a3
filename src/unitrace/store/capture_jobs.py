"""EPCIS capture jobs: one row per captured document, its status and its errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from unitrace.store.schema import capture_jobs
from unitrace.store.times import now, utc


@dataclass(frozen=True, slots=True)
class CaptureJob:
    id: int
    #: ``running``, then ``success`` (no error) or ``failed`` (see ``errors``; with the
    #: ``proceed`` behaviour the events without errors were captured)
    status: str
    error_behaviour: str
    #: events in the document, and how many of them were captured
    events: int
    captured: int
    #: ``{index, eventID, field, message}`` per problem found
    errors: list[dict[str, Any]]
    recorded_by: str | None
    party_id: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class CaptureJobRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def start(
        self, *, error_behaviour: str, events: int, recorded_by: str | None, party_id: str | None
    ) -> int:
        result = self.connection.execute(
            insert(capture_jobs)
            .values(
                status="running",
                error_behaviour=error_behaviour,
                events=events,
                captured=0,
                errors=[],
                recorded_by=recorded_by,
                party_id=party_id,
                created_at=now(),
            )
            .returning(capture_jobs.c.id)
        )
        return int(result.scalar_one())

    def finish(self, job_id: int, *, captured: int, errors: list[dict[str, Any]]) -> None:
        self.connection.execute(
            update(capture_jobs)
            .where(capture_jobs.c.id == job_id)
            .values(
                status="failed" if errors else "success",
                captured=captured,
                errors=errors,
                finished_at=now(),
            )
        )

    def get(self, job_id: int) -> CaptureJob | None:
        row = self.connection.execute(
            select(capture_jobs).where(capture_jobs.c.id == job_id)
        ).first()
        return None if row is None else _job(row)

    def recent(self, *, party_id: str | None, limit: int = 100) -> list[CaptureJob]:
        """The newest jobs, those of ``party_id`` only where given."""
        query = select(capture_jobs).order_by(capture_jobs.c.id.desc()).limit(limit)
        if party_id is not None:
            query = query.where(capture_jobs.c.party_id == party_id)
        return [_job(row) for row in self.connection.execute(query)]


def _job(row: Row[Any]) -> CaptureJob:
    return CaptureJob(
        id=row.id,
        status=row.status,
        error_behaviour=row.error_behaviour,
        events=row.events,
        captured=row.captured,
        errors=list(row.errors),
        recorded_by=row.recorded_by,
        party_id=row.party_id,
        created_at=utc(row.created_at),
        finished_at=utc(row.finished_at) if row.finished_at is not None else None,
    )
