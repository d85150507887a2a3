"""What a scan reads of the scanned unit's standing: its product (and the product's detection
rules), the unit (its state, lot, expiry, custodian), the custodian party and the unit's open
hold. Scans do not change any of it, so the scans verified together in one transaction read
each of it once, and the scan intake reads it for a whole batch before it takes SQLite's write
lock (:meth:`UnitStates.read_ahead`), so that the lock, which every process's writers take in
turn, is held for the scans' own reads and writes alone.

Read ahead, the standing is as it was committed when the batch began, after each of its
scans had arrived; the writing transaction, under the lock, then compares how far the standing
had been written (:func:`~unitrace.store.standing.standing_mark`) and reads it afresh if a
recall, a hold, a decommissioning, a commissioning or a new custodian was committed meanwhile
(:meth:`UnitStates.still_standing`), so that no scan is logged after such a change yet judged
without it. What a scan must see as of its own write (the unit's earlier scans, its open
alerts) is read in the writing transaction, never ahead.
"""

from __future__ import annotations

from collections.abc import Iterable

from unitrace.gs1 import Gtin, InvalidCode, Scan, parse
from unitrace.registry.model import Party, Product
from unitrace.services.verification.scan_input import CODE_MAX
from unitrace.store.standing import standing_mark
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units import UnitRecord

__all__ = ["UnitStates"]


class UnitStates:
    """The standing of the units some scans name, each read once: from what was read ahead,
    else from the unit of work asking."""

    def __init__(self) -> None:
        self._scans: dict[str, Scan] = {}
        self._products: dict[str, tuple[int, Product] | None] = {}
        self._units: dict[tuple[int, str], UnitRecord | None] = {}
        self._parties: dict[str, Party | None] = {}
        self._holds: dict[tuple[int, str, int], str | None] = {}
        #: how far the standing was written when it was read ahead (None: not read ahead)
        self.mark: tuple[int | None, int | None, int | None] | None = None

    def read_ahead(self, uow: UnitOfWork, codes: Iterable[str], *, marked: bool = True) -> None:
        """Read the standing of the units ``codes`` name (what a scanner read; codes that
        name no unit are passed over, their scans find that themselves): the units, and their
        holds, in one query each, whatever their number. ``marked``: note how far the standing
        had been written (:meth:`still_standing`), for states read before the write lock."""
        if marked:
            self.mark = standing_mark(uow.connection)
        keys: list[tuple[int, str]] = []
        for code in codes:
            if not isinstance(code, str) or len(code) > CODE_MAX:
                continue  # malformed at once, as verify_code finds it
            try:
                scan = self.parsed(code)
            except (InvalidCode, ValueError):
                continue
            if scan.gtin is None or scan.serial is None:
                continue
            found = self.product(uow, scan.gtin)
            if found is not None:
                keys.append((found[0], scan.serial))
        unread = list(dict.fromkeys(key for key in keys if key not in self._units))
        if unread:
            units = uow.units.find(unread)
            for key in unread:
                self._units[key] = units.get(key)
        held = []
        for key in keys:
            unit = self._units[key]
            if unit is None:
                continue
            if unit.custodian_id:
                self.party(uow, unit.custodian_id)
            held.append((unit.product_id, unit.serial, unit.lot_id))
        self._holds.update(uow.holds.causes_of(key for key in held if key not in self._holds))

    def still_standing(self, uow: UnitOfWork) -> UnitStates:
        """These states if nothing of the units' standing was written since they were read
        ahead, as ``uow`` (the writing transaction, under the write lock) sees it; else
        states read afresh in ``uow``: a recall, hold or decommissioning committed between
        the read-ahead and the write lock is then seen by the scans logged after it."""
        if self.mark is None or self.mark == standing_mark(uow.connection):
            return self
        fresh = UnitStates()
        fresh._scans = self._scans
        return fresh

    def parsed(self, code: str) -> Scan:
        """``code`` parsed (:func:`unitrace.gs1.parse`, whose errors it raises)."""
        scan = self._scans.get(code)
        if scan is None:
            scan = self._scans[code] = parse(code)
        return scan

    def product(self, uow: UnitOfWork, gtin: Gtin) -> tuple[int, Product] | None:
        """The product of ``gtin`` and its id, None where there is none."""
        if gtin.value not in self._products:
            self._products[gtin.value] = uow.products.with_id(gtin)
        return self._products[gtin.value]

    def unit(self, uow: UnitOfWork, product_id: int, serial: str) -> UnitRecord | None:
        key = (product_id, serial)
        if key not in self._units:
            self._units[key] = uow.units.get(product_id, serial)
        return self._units[key]

    def party(self, uow: UnitOfWork, party_id: str) -> Party | None:
        if party_id not in self._parties:
            self._parties[party_id] = uow.parties.get(party_id)
        return self._parties[party_id]

    def hold(self, uow: UnitOfWork, unit: UnitRecord) -> str | None:
        """Why ``unit`` is held (its earliest open hold, of the unit or its lot), or None."""
        key = (unit.product_id, unit.serial, unit.lot_id)
        if key not in self._holds:
            self._holds[key] = uow.holds.cause_of(*key)
        return self._holds[key]
