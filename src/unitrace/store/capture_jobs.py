"""EPCIS capture jobs: one row per captured document, its status and its errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select, update

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
    #: what the job tells the partner besides errors (``{eventIndex, field, detail}``): the
    #: events it found captured already, the EPCs an XML list named twice
    notes: list[dict[str, Any]]
    recorded_by: str | None
    #: whose job it is: a distributor's party, or None for the brand's (admin and line tokens)
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

    def finish(
        self,
        job_id: int,
        *,
        captured: int,
        errors: list[dict[str, Any]],
        notes: list[dict[str, Any]] | None = None,
    ) -> bool:
        """Record a running job's outcome; False where it is not running (finished already,
        as abandoned say), and is left as it is."""
        done = self.connection.execute(
            update(capture_jobs)
            .where(capture_jobs.c.id == job_id, capture_jobs.c.status == "running")
            .values(
                status="failed" if errors else "success",
                captured=captured,
                errors=errors,
                notes=notes or [],
                finished_at=now(),
            )
        )
        return done.rowcount == 1

    def running_since(self, created_before: dt.datetime) -> list[int]:
        """The jobs still running that were recorded before ``created_before``."""
        rows = self.connection.execute(
            select(capture_jobs.c.id)
            .where(capture_jobs.c.status == "running")
            .where(capture_jobs.c.created_at < created_before)
            .order_by(capture_jobs.c.id)
        )
        return [int(row.id) for row in rows]

    def get(self, job_id: int) -> CaptureJob | None:
        row = self.connection.execute(
            select(capture_jobs).where(capture_jobs.c.id == job_id)
        ).first()
        return None if row is None else _job(row)

    def recent(self, *, limit: int = 100) -> list[CaptureJob]:
        """The newest jobs, whoever captured them."""
        return self._newest(select(capture_jobs), limit)

    def recent_of(self, party_id: str | None, *, limit: int = 100) -> list[CaptureJob]:
        """The newest jobs of the owner ``party_id`` (None: the brand's)."""
        owned = capture_jobs.c.party_id
        chosen = owned.is_(None) if party_id is None else owned == party_id
        return self._newest(select(capture_jobs).where(chosen), limit)

    def _newest(self, query: Select[Any], limit: int) -> list[CaptureJob]:
        newest = query.order_by(capture_jobs.c.id.desc()).limit(limit)
        return [_job(row) for row in self.connection.execute(newest)]


def _job(row: Row[Any]) -> CaptureJob:
    return CaptureJob(
        id=row.id,
        status=row.status,
        error_behaviour=row.error_behaviour,
        events=row.events,
        captured=row.captured,
        errors=list(row.errors),
        notes=list(row.notes),
        recorded_by=row.recorded_by,
        party_id=row.party_id,
        created_at=utc(row.created_at),
        finished_at=utc(row.finished_at) if row.finished_at is not None else None,
    )
