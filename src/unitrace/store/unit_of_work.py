"""The unit of work: one transaction, with the repositories that work inside it.

>>> from unitrace.store.database import open_database
>>> from unitrace.store.migrations import upgrade
>>> database = Database(open_database("sqlite://"))
>>> upgrade(database.engine)
>>> with database.unit_of_work() as uow:
...     uow.audit.record("admin", "demo", "nothing", {})
...     uow.commit()
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction

from unitrace.store.alerts import AlertRepository
from unitrace.store.capture_jobs import CaptureJobRepository
from unitrace.store.database import READ_ONLY
from unitrace.store.events import EventRepository
from unitrace.store.issuance import SerialIssuance
from unitrace.store.master_data import MasterDataRepository
from unitrace.store.repositories import (
    AuditTrail,
    LotRepository,
    PartyRepository,
    ProductRepository,
    TokenRepository,
)
from unitrace.store.scans import ScanLog
from unitrace.store.units import UnitRepository


class Database:
    """The database unitrace works on; hands out units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only)


class UnitOfWork:
    """Everything done inside ``with`` is one transaction: :meth:`commit` keeps it, leaving the
    block without committing (or with an exception) undoes all of it."""

    connection: Connection
    products: ProductRepository
    lots: LotRepository
    parties: PartyRepository
    tokens: TokenRepository
    audit: AuditTrail
    issuance: SerialIssuance
    units: UnitRepository
    events: EventRepository
    scans: ScanLog
    alerts: AlertRepository
    capture_jobs: CaptureJobRepository
    master_data: MasterDataRepository

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        self.connection = self._engine.connect()
        self.connection.info[READ_ONLY] = self._read_only
        self._transaction = self.connection.begin()
        self.products = ProductRepository(self.connection)
        self.lots = LotRepository(self.connection)
        self.parties = PartyRepository(self.connection)
        self.tokens = TokenRepository(self.connection)
        self.audit = AuditTrail(self.connection)
        self.issuance = SerialIssuance(self.connection)
        self.units = UnitRepository(self.connection)
        self.events = EventRepository(self.connection)
        self.scans = ScanLog(self.connection)
        self.alerts = AlertRepository(self.connection)
        self.capture_jobs = CaptureJobRepository(self.connection)
        self.master_data = MasterDataRepository(self.connection)
        return self

    def commit(self) -> None:
        assert self._transaction is not None, "commit outside the unit of work"
        self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()
        self.connection.close()
