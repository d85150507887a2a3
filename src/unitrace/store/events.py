"""EPCIS events: the JSON-LD document plus indexed columns, and the index of every EPC each
event names."""

from __future__ import annotations

from sqlalchemy import Connection


class EventRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
