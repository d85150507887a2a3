"""A small registry for the lifecycle tests: products, lots, parties, and issued units written
straight into the units table (as serial issuing would), with a serial request row each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update

from unitrace.gs1 import Gtin
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.store import schema
from unitrace.store.unit_of_work import Database, UnitOfWork

#: company prefix 9506000 (7 digits): its units are named urn:epc:id:sgtin:9506000.…
GTIN = Gtin("09506000134352")
#: a product registered without a company prefix length: named by Digital Link URIs
OTHER_GTIN = Gtin("04012345000009")
LOT = "L1"
EXPIRY = dt.date(2030, 12, 31)

ADMIN = Actor("ada", Role.ADMIN)
LINE = Actor("line-1", Role.LINE)
VERIFIER = Actor("vera", Role.VERIFIER)
#: GLNs under the brand's company prefix, so named as SGLN/PGLN
DIST_A_GLN = "9506000000015"
DIST_B_GLN = "9506000000022"
PHARMACY_GLN = "9506000000039"
PLANT_GLN = "9506000000046"
DIST_A = Actor("anna", Role.DISTRIBUTOR, "dist-a")
DIST_B = Actor("bert", Role.DISTRIBUTOR, "dist-b")
PHARMACY = Actor("phil", Role.DISTRIBUTOR, "pharmacy-1")
SHOP = Actor("sam", Role.DISTRIBUTOR, "shop-1")

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def build_registry(database: Database) -> None:
    """Two products (one lot each), four parties."""
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN.value, name="Vitamin C", actor=ADMIN, company_prefix_length=7
        )
        register_product(uow, gtin=OTHER_GTIN.value, name="Zinc", actor=ADMIN)
        for gtin in (GTIN, OTHER_GTIN):
            register_lot(uow, gtin=gtin.value, lot=LOT, expiry=EXPIRY, actor=ADMIN)
        for party, role, gln in (
            ("dist-a", "distributor", DIST_A_GLN),
            ("dist-b", "distributor", DIST_B_GLN),
            ("pharmacy-1", "pharmacy", PHARMACY_GLN),
            ("shop-1", "retailer", None),
        ):
            register_party(
                uow, id=party, name=party, role=role, actor=ADMIN, territory=["MY"], gln=gln
            )
        uow.commit()


def serial_of(gtin: Gtin, seq: int) -> str:
    return f"{'S' if gtin == GTIN else 'Z'}{seq:05d}"


def issue(
    uow: UnitOfWork, gtin: Gtin, lot: str, count: int, serials: list[str] | None = None
) -> list[str]:
    """Issue ``count`` more units of the lot, serials ``S00001``… (``Z…`` for the other
    product) unless ``serials`` are given, as serial issuing will."""
    connection = uow.connection
    product_id = connection.execute(
        select(schema.products.c.id).where(schema.products.c.gtin == gtin.value)
    ).scalar_one()
    lot_row = connection.execute(
        select(schema.lots.c.id, schema.lots.c.issued).where(
            schema.lots.c.product_id == product_id, schema.lots.c.lot == lot
        )
    ).one()
    first = lot_row.issued + 1
    now = dt.datetime.now(dt.UTC)
    request_id = connection.execute(
        insert(schema.serial_requests)
        .values(
            product_id=product_id,
            lot_id=lot_row.id,
            count=count,
            seq_from=first,
            seq_to=first + count - 1,
            commissioned=False,
            requested_by="test",
            created_at=now,
        )
        .returning(schema.serial_requests.c.id)
    ).scalar_one()
    if serials is None:
        serials = [serial_of(gtin, seq) for seq in range(first, first + count)]
    rows: list[dict[str, Any]] = [
        {
            "product_id": product_id,
            "serial": serial,
            "lot_id": lot_row.id,
            "seq": seq,
            "request_id": request_id,
            "state": "issued",
        }
        for seq, serial in enumerate(serials, start=first)
    ]
    connection.execute(insert(schema.units), rows)
    connection.execute(
        update(schema.lots).where(schema.lots.c.id == lot_row.id).values(issued=first + count - 1)
    )
    connection.execute(
        update(schema.products)
        .where(schema.products.c.id == product_id)
        .values(issued=schema.products.c.issued + count)
    )
    return serials


def projection(uow: UnitOfWork) -> list[tuple[Any, ...]]:
    """Everything the projection and the event store hold, to compare before and after."""
    connection = uow.connection
    units = connection.execute(
        select(schema.units).order_by(schema.units.c.product_id, schema.units.c.serial)
    ).all()
    containers = connection.execute(
        select(schema.containers).order_by(schema.containers.c.id)
    ).all()
    lots = connection.execute(select(schema.lots.c.status).order_by(schema.lots.c.id)).all()
    counts = [
        connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (schema.epcis_events, schema.event_epcs, schema.audit_trail)
    ]
    return [tuple(units), tuple(containers), tuple(lots), tuple(counts)]
