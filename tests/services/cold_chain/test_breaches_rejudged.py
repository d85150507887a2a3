"""An excursion recorded as allowed that a later judgement finds a breach (the conditions made
stricter, the excursion grown as more readings came in) is acted on then: its units held."""

from __future__ import annotations

from sqlalchemy import update

from tests.services.cold_chain.scene import pallet_and_place, set_conditions
from tests.services.cold_chain.test_breaches import excursions, holds, judged
from tests.services.cold_chain.test_exposure import COLD, spiking, steady
from unitrace.store import schema
from unitrace.store.unit_of_work import Database


def test_an_allowed_excursion_judged_a_breach_later_holds_its_units(scene: Database) -> None:
    set_conditions(scene, COLD)  # 2-8 °C, an excursion to 10 °C for 60 minutes allowed
    pallet_and_place(scene, spiking(5.0, 9.5), steady(4.0))
    (first,) = judged(scene)
    assert (first.verdicts, holds(scene)) == ({"allowed_excursion": 10}, (0, 0))
    with scene.unit_of_work() as uow:
        uow.connection.execute(update(schema.storage_conditions).values(excursion_max_c=9.0))
        uow.commit()
    (again,) = judged(scene)
    assert (again.verdicts, again.held, holds(scene)) == ({"breach": 10}, 10, (10, 0))
    assert [row[4:7] for row in excursions(scene)] == [("breach", 10, True)]
