"""The unit projection: each unit's current state, lot, container, custodian and location,
kept up to date in the same transaction as the events that change it."""

from __future__ import annotations

from sqlalchemy import Connection


class UnitRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
