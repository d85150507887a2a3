"""Statements run on the driver's cursor give exactly what SQLAlchemy gives for the same
statement: every column type of the scan log and of units with their lots, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select

from tests.services.issued_units import GTIN, LINE, LOT, build_registry, issue
from unitrace.services.lifecycle import commission
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import lots, scans, units
from unitrace.store.unit_of_work import Database

SCAN_ROWS: list[dict[str, Any]] = [
    {
        "at": dt.datetime(2026, 4, 1, 10, 0, 0, 123456, tzinfo=dt.UTC),
        "product_id": 1,
        "serial": "S1",
        "gtin": "09506000134352",
        "lot": "L1",
        "expiry": dt.date(2030, 12, 31),
        "raw": "https://brand.example/01/09506000134352/21/S1",
        "parse_error": None,
        "verdict": "genuine",
        "reasons": ["a", "b"],
        "known": True,
        "client": "phone-1",
        "user_agent": "ua",
        "latitude": 3.139,
        "longitude": 101.6869,
        "city": "Kuala Lumpur",
        "region": "MY-14",
        "country": "MY",
    },
    {
        "at": dt.datetime(2026, 4, 1, 11, 0, tzinfo=dt.UTC),
        "product_id": None,
        "serial": None,
        "gtin": None,
        "lot": None,
        "expiry": None,
        "raw": "junk'; DROP TABLE scans; --",
        "parse_error": "code: not readable",
        "verdict": "counterfeit",
        "reasons": [],
        "known": False,
        "client": None,
        "user_agent": None,
        "latitude": None,
        "longitude": None,
        "city": None,
        "region": None,
        "country": None,
    },
]


@pytest.mark.parametrize("row", SCAN_ROWS, ids=["every-field", "nothing-known"])
def test_an_insert_and_a_select_read_back_what_sqlalchemy_reads(
    database: Database, row: dict[str, Any]
) -> None:
    add = DriverStatement(
        insert(scans).values({name: bindparam(name) for name in row}).returning(scans.c.id)
    )
    one = DriverStatement(select(scans).where(scans.c.id == bindparam("id")))
    with database.unit_of_work() as uow:
        ((scan_id,),) = add.rows(uow.connection, row)
        (through_driver,) = one.rows(uow.connection, {"id": scan_id})
        through_sqlalchemy = uow.connection.execute(
            select(scans).where(scans.c.id == scan_id)
        ).one()
        uow.commit()
    assert tuple(through_driver) == tuple(through_sqlalchemy)
    assert through_driver._asdict() == through_sqlalchemy._asdict()
    assert through_driver.reasons == row["reasons"]


def test_a_join_with_labels_reads_what_sqlalchemy_reads(database: Database) -> None:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 5)
        commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=3, actor=LINE)
        uow.commit()
    statement = (
        select(units, lots.c.expiry, lots.c.status.label("lot_status"))
        .join(lots, lots.c.id == units.c.lot_id)
        .where(units.c.seq <= bindparam("last"))
        .order_by(units.c.seq)
    )
    with database.unit_of_work(read_only=True) as uow:
        through_driver = DriverStatement(statement).rows(uow.connection, {"last": 4})
        through_sqlalchemy = uow.connection.execute(statement, {"last": 4}).all()
    assert [row._asdict() for row in through_driver] == [
        row._asdict() for row in through_sqlalchemy
    ]
    assert [row.state for row in through_driver] == ["active"] * 3 + ["issued"]


PLAIN_SCAN_INSERT = insert(scans).values({name: bindparam(name) for name in SCAN_ROWS[0]})
DEFAULTED_SCAN_INSERT = insert(scans).values(
    {name: bindparam(name) for name in SCAN_ROWS[0]}
    | {"client": bindparam("client", value="unknown")}
)


@pytest.mark.parametrize(
    ("statement", "copied"),
    [
        # the plain case: every placeholder is a parameter of the rows
        (PLAIN_SCAN_INSERT, False),
        # the same rows through COPY on PostgreSQL
        (PLAIN_SCAN_INSERT, True),
        # a placeholder with a default value: SQLAlchemy's own parameter set-up is used
        (DEFAULTED_SCAN_INSERT, False),
    ],
    ids=["plain", "copied", "with-a-default"],
)
def test_a_bulk_insert_stores_what_sqlalchemys_insert_stores(
    database: Database, statement: Any, copied: bool
) -> None:
    with database.unit_of_work() as uow:
        DriverStatement(statement, copied=copied).execute_many(uow.connection, SCAN_ROWS)
        uow.connection.execute(insert(scans), SCAN_ROWS)
        stored = uow.connection.execute(select(scans).order_by(scans.c.id)).all()
        uow.commit()
    through_driver, through_sqlalchemy = stored[:2], stored[2:]
    assert [row._asdict() | {"id": 0} for row in through_driver] == [
        row._asdict() | {"id": 0} for row in through_sqlalchemy
    ]
    assert [row.reasons for row in through_driver] == [["a", "b"], []]


def test_a_copied_insert_names_its_columns_parameters_and_is_undone_with_its_transaction(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        if uow.connection.dialect.name == "postgresql":
            with pytest.raises(ValueError, match="copied"):
                DriverStatement(DEFAULTED_SCAN_INSERT, copied=True).execute_many(
                    uow.connection, SCAN_ROWS
                )
        DriverStatement(PLAIN_SCAN_INSERT, copied=True).execute_many(uow.connection, SCAN_ROWS)
        assert len(uow.connection.execute(select(scans)).all()) == 2
        uow.rollback()
    with database.unit_of_work() as uow:
        assert uow.connection.execute(select(scans)).all() == []
