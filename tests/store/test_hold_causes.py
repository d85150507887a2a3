"""The causes of many units' holds read in one query (what a batch of scans reads) are those
each unit's own read gives: the earliest open hold, of the unit or of its lot."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.services.test_verification import world
from unitrace.store.schema import units
from unitrace.store.unit_of_work import Database
from unitrace.store.units.selections import UnitKeys

__all__ = ["world"]

AT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def test_many_units_causes_are_each_units_own(world: Database) -> None:
    with world.unit_of_work() as uow:
        keys = [
            (row.product_id, row.serial, row.lot_id)
            for row in uow.connection.execute(
                select(units.c.product_id, units.c.serial, units.c.lot_id)
                .order_by(units.c.serial)
                .limit(5)
            )
        ]
        assert len(keys) == 5
        for number, (product_id, serial, _), cause, hours in (
            (1, keys[0], "later", 2),
            (2, keys[0], "earlier", 1),
            (3, keys[1], "before the lot's", 0),
            (4, keys[2], "after the lot's", 9),
        ):
            uow.holds.place(
                UnitKeys(((product_id, serial),)),
                cause=cause,
                scope="unit",
                event_id=f"urn:uuid:hold-{number}",
                at=AT + dt.timedelta(hours=hours),
            )
        before = uow.holds.causes_of(keys)
        assert before == {key: uow.holds.cause_of(*key) for key in keys}
        assert before[keys[3]] is None
        uow.holds.place_on_lot(
            keys[0][2],
            cause="the lot's",
            scope="lot",
            event_id="urn:uuid:lot",
            at=AT + dt.timedelta(hours=5),
        )
        after = uow.holds.causes_of([*keys, keys[0]])
        assert after == {key: uow.holds.cause_of(*key) for key in keys}
        assert after[keys[0]] == "earlier"
        assert after[keys[1]] == "before the lot's"
        assert uow.holds.causes_of([]) == {}
