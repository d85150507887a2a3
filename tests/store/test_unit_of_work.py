"""The unit of work keeps what is committed and nothing else, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from unitrace.gs1 import Gtin
from unitrace.registry.model import Lot, LotStatus, Party, PartyRole, Product, SerialFormat
from unitrace.store.migrations import is_current
from unitrace.store.unit_of_work import Database

GTIN = Gtin("09506000134352")


def test_the_migrated_schema_is_current(database: Database) -> None:
    assert is_current(database.engine)


def test_committed_work_is_kept_and_read_back_as_domain_objects(database: Database) -> None:
    product = Product(GTIN, "Vitamin C 500 mg", 7, SerialFormat(10, "0123456789"), ("MY", "SG"))
    party = Party(
        "dist-a", "Distributor A", PartyRole.DISTRIBUTOR, "9520123456788", ("MY-14", "SG")
    )
    with database.unit_of_work() as uow:
        product_id = uow.products.add(product)
        uow.lots.add(product_id, Lot(GTIN, "L1", dt.date(2027, 12, 31), site="Penang"))
        uow.parties.add(party)
        assert uow.lots.count_issued(product_id, 100) == 1
        assert uow.lots.count_issued(product_id, 50) == 101
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        assert uow.products.get(GTIN) == product
        assert uow.lots.get(GTIN, "L1") == Lot(
            GTIN, "L1", dt.date(2027, 12, 31), site="Penang", status=LotStatus.RELEASED, issued=150
        )
        assert uow.parties.all() == [party]


def test_work_not_committed_is_undone(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.products.add(Product(GTIN, "Never kept"))

    def fail_half_way() -> None:
        with database.unit_of_work() as uow:
            uow.products.add(Product(GTIN, "Also never kept"))
            raise RuntimeError("something failed half-way")

    with pytest.raises(RuntimeError):
        fail_half_way()
    with database.unit_of_work(read_only=True) as uow:
        assert uow.products.all() == []


def test_a_gtin_is_registered_once(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.products.add(Product(GTIN, "First"))
        uow.commit()
    with pytest.raises(IntegrityError), database.unit_of_work() as uow:
        uow.products.add(Product(GTIN, "Second"))
