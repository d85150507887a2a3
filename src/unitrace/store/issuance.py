"""Issuing serials in bulk: set-based inserts of units (executemany on SQLite, COPY on
PostgreSQL), and reading a request's codes back."""

from __future__ import annotations

from sqlalchemy import Connection


class SerialIssuance:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
