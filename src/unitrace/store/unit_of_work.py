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

from sqlalchemy import Connection, Engine, RootTransaction, text
from sqlalchemy import exc as sql_errors

from unitrace.store.alerts import AlertRepository
from unitrace.store.brand_links import BrandLinkRepository
from unitrace.store.capture_jobs import CaptureJobRepository
from unitrace.store.catalog_figures import CatalogFigures
from unitrace.store.console_users import ConsoleUserRepository
from unitrace.store.database import LOCK_WAIT, READ_ONLY, DatabaseBusy, release_writer
from unitrace.store.events import EventRepository
from unitrace.store.holds import HoldRepository
from unitrace.store.issuance import SerialIssuance
from unitrace.store.master_data import MasterDataRepository
from unitrace.store.recalls import RecallRepository
from unitrace.store.repositories import (
    AuditTrail,
    LotRepository,
    PartyRepository,
    ProductRepository,
    TokenRepository,
)
from unitrace.store.scan_counts import ScanCounts
from unitrace.store.scans import ScanLog
from unitrace.store.serial_request_jobs import SerialRequestJobRepository
from unitrace.store.unit_scans import UnitScans
from unitrace.store.units import UnitRepository


class Database:
    """The database unitrace works on; hands out units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(
        self, *, read_only: bool = False, lock_wait: float | None = None
    ) -> UnitOfWork:
        """A unit of work; ``lock_wait`` bounds its waits for locks in seconds where the
        engine's bound does not suit (a background job may wait its turn longer than a
        request)."""
        return UnitOfWork(self.engine, read_only=read_only, lock_wait=lock_wait)


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
    scan_counts: ScanCounts
    unit_scans: UnitScans
    alerts: AlertRepository
    capture_jobs: CaptureJobRepository
    master_data: MasterDataRepository
    console_users: ConsoleUserRepository
    catalog_figures: CatalogFigures
    serial_request_jobs: SerialRequestJobRepository
    holds: HoldRepository
    recalls: RecallRepository
    brand_links: BrandLinkRepository

    def __init__(
        self, engine: Engine, *, read_only: bool = False, lock_wait: float | None = None
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._lock_wait = lock_wait
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        try:
            self.connection = self._engine.connect()
        except sql_errors.TimeoutError:
            raise DatabaseBusy(
                "every database connection is in use; nothing was changed: try again in a moment"
            ) from None
        # a pooled connection's info outlives the unit of work: each one sets it afresh
        self.connection.info[READ_ONLY] = self._read_only
        self.connection.info[LOCK_WAIT] = self._lock_wait
        try:
            self._transaction = self.connection.begin()
            if self._lock_wait is not None and self._engine.dialect.name == "postgresql":
                self.connection.execute(_SET_LOCK_WAIT, {"ms": f"{round(self._lock_wait * 1000)}"})
        except BaseException:
            self.connection.close()
            raise
        self.products = ProductRepository(self.connection)
        self.lots = LotRepository(self.connection)
        self.parties = PartyRepository(self.connection)
        self.tokens = TokenRepository(self.connection)
        self.audit = AuditTrail(self.connection)
        self.issuance = SerialIssuance(self.connection)
        self.units = UnitRepository(self.connection)
        self.events = EventRepository(self.connection)
        self.scan_counts = ScanCounts(self.connection)
        self.unit_scans = UnitScans(self.connection)
        self.scans = ScanLog(self.connection, self.scan_counts, self.unit_scans)
        self.alerts = AlertRepository(self.connection)
        self.capture_jobs = CaptureJobRepository(self.connection)
        self.master_data = MasterDataRepository(self.connection)
        self.console_users = ConsoleUserRepository(self.connection)
        self.catalog_figures = CatalogFigures(self.connection)
        self.serial_request_jobs = SerialRequestJobRepository(self.connection)
        self.holds = HoldRepository(self.connection)
        self.recalls = RecallRepository(self.connection)
        self.brand_links = BrandLinkRepository(self.connection)
        return self

    def commit(self) -> None:
        assert self._transaction is not None, "commit outside the unit of work"
        # the units' scan summaries, each locked from here to the commit, in the order of their
        # keys (unitrace.store.unit_scans)
        self.unit_scans.write()
        # the scans' counts, one row per key for the whole transaction, last: their rows are
        # the ones every writer shares, so they are held for the commit alone
        self.scan_counts.write()
        self._transaction.commit()
        # the next writer need not wait until this unit of work is left
        release_writer(self.connection)

    def rollback(self) -> None:
        self.scan_counts.forget()
        self.unit_scans.forget()
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
            release_writer(self.connection)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()
        self.connection.close()


_SET_LOCK_WAIT = text("SELECT set_config('lock_timeout', :ms, true)")
