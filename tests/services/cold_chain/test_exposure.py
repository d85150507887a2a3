"""A unit's, a container's and a lot's exposure, stitched from the scene's containment history
and judged: which logger measured which stretch, the gaps, the figures and the verdict; and
who may ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.services.cold_chain.scene import (
    DISPENSED,
    MINUTE,
    PALLET_LOGGER,
    PLACE_LOGGER,
    RECEIVED,
    logged,
    pallet_and_place,
    set_conditions,
)
from tests.services.issued_units import ADMIN, DIST_A, DIST_A_GLN, DIST_B, PHARMACY, T0
from tests.services.lifecycle.scenes import CASE_1, CASE_1_EPC, HOUR, PALLET, PALLET_EPC, code, epc
from unitrace.coldchain import ExcursionAllowance, MktWindow, StorageConditions
from unitrace.coldchain.exposure import Gap, Source
from unitrace.coldchain.instants import epoch_ms
from unitrace.coldchain.judging import NO_DEVICE
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor
from unitrace.services.cold_chain.exposure import cold_chain_of
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.store.unit_of_work import Database

LOT_CODE = "(01)09506000134352(10)L1"
COLD = StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 10, 60))
ON_PALLET = Source("container", PALLET_EPC, PALLET_LOGGER)
AT_DIST_A = Source("location", DIST_A_GLN, PLACE_LOGGER)
SPIKE = (T0 + 5 * HOUR, T0 + 5 * HOUR + 20 * MINUTE)


def ms(at: dt.datetime) -> int:
    return epoch_ms(at)


def steady(value: float) -> Callable[[dt.datetime], float]:
    return lambda _: value


def spiking(base: float, peak: float) -> Callable[[dt.datetime], float]:
    return lambda at: peak if SPIKE[0] <= at < SPIKE[1] else base


def exposure_of(database: Database, code_: str, actor: Actor = ADMIN) -> Exposure:
    with database.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=code_, actor=actor)
    assert isinstance(found, Exposure)
    return found


def test_a_dispensed_unit_is_measured_by_its_pallet_then_its_place_with_gaps_told(
    scene: Database,
) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, steady(5.0), steady(4.0))
    found = exposure_of(scene, code(3))
    judged = found.judgement
    # unit 3 left its case at dist-a and went to the pharmacy, where no logger was
    assert (found.subject, found.epc, found.start_ms, found.end_ms) == (
        "unit",
        epc(3),
        ms(T0),
        ms(DISPENSED),
    )
    assert [(p.start_ms, p.end_ms, p.source, p.readings) for p in judged.periods] == [
        (ms(T0 + HOUR), ms(RECEIVED), ON_PALLET, 108),
        (ms(RECEIVED), ms(RECEIVED + HOUR), AT_DIST_A, 6),
    ]
    assert judged.gaps == (
        Gap(ms(T0), ms(T0 + HOUR), NO_DEVICE),
        Gap(ms(RECEIVED + HOUR), ms(DISPENSED), NO_DEVICE),
    )
    assert (judged.min_c, judged.max_c, judged.verdict, judged.excursions) == (
        4.0,
        5.0,
        "within",
        (),
    )
    # 9 hours at 5 °C, 1 at 4 °C
    assert judged.mean_c == pytest.approx(4.9)
    assert len(found.stretches) == 2


@pytest.mark.parametrize(
    ("conditions", "pallet", "verdict", "peaks", "minutes_out", "reasons"),
    [
        (COLD, steady(5.0), "within", [], 0.0, 0),
        (COLD, spiking(5.0, 9.5), "allowed_excursion", [(9.5, True)], 20.0, 0),
        (COLD, spiking(5.0, 11.0), "breach", [(11.0, False)], 20.0, 1),
        (COLD, spiking(5.0, -1.0), "breach", [(-1.0, False)], 20.0, 1),
        (
            StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 10, 15)),
            spiking(5.0, 9.5),
            "breach",
            [(9.5, True)],
            20.0,
            1,
        ),
        (StorageConditions.of(2, 8), spiking(5.0, 9.5), "breach", [(9.5, False)], 20.0, 1),
        (
            StorageConditions.of(2, 8, mkt_max_c=7.0, mkt_window=MktWindow.DAY),
            steady(7.5),
            "breach",
            [],
            0.0,
            1,
        ),
    ],
    ids=[
        "within",
        "allowed",
        "too-warm",
        "too-cold",
        "too-long",
        "no-allowance",
        "mkt",
    ],
)
def test_the_verdict_follows_the_conditions(
    scene: Database,
    conditions: StorageConditions,
    pallet: Callable[[dt.datetime], float],
    verdict: str,
    peaks: list[tuple[float, bool]],
    minutes_out: float,
    reasons: int,
) -> None:
    set_conditions(scene, conditions)
    pallet_and_place(scene, pallet, steady(4.0))
    judged = exposure_of(scene, code(3)).judgement
    assert (
        judged.verdict,
        [(found.peak_c, found.allowed) for found in judged.excursions],
        judged.minutes_out_of_range,
        len(judged.reasons),
    ) == (verdict, peaks, minutes_out, reasons)
    assert all(found.source == ON_PALLET for found in judged.excursions)


def test_a_unit_still_at_the_place_runs_to_now_and_the_silent_logger_is_a_gap(
    scene: Database,
) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, steady(5.0), steady(4.0))
    found = exposure_of(scene, code(1))
    judged = found.judgement
    last = T0 + 16 * HOUR - 10 * MINUTE
    # the place's logger read every 10 minutes until T0 + 16 h: it measures until an hour after
    # its last reading, which stands for 30 minutes (three intervals); then it is silent, and
    # the unit's time to now is no device's
    assert [(p.source, p.readings, p.end_ms) for p in judged.periods] == [
        (ON_PALLET, 108, ms(RECEIVED)),
        (AT_DIST_A, 36, ms(last + HOUR)),
    ]
    assert judged.gaps[-2:] == (
        Gap(ms(last + 30 * MINUTE), ms(last + HOUR), f"no reading from {PLACE_LOGGER}"),
        Gap(ms(last + HOUR), found.end_ms, NO_DEVICE),
    )
    assert found.end_ms > ms(T0 + 16 * HOUR)


def test_a_logger_on_the_case_measures_before_the_one_on_the_pallet(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, steady(5.0), steady(4.0))
    logged(
        scene,
        "CASE-LOG",
        kind="container",
        target=CASE_1_EPC,
        attached=(T0 + 3 * HOUR, T0 + 4 * HOUR),
        readings=[(T0 + 3 * HOUR + n * 10 * MINUTE, 6.0) for n in range(6)],
    )
    periods = exposure_of(scene, code(3)).judgement.periods
    assert [(p.start_ms, p.end_ms, p.source.device) for p in periods] == [
        (ms(T0 + HOUR), ms(T0 + 3 * HOUR), PALLET_LOGGER),
        (ms(T0 + 3 * HOUR), ms(T0 + 4 * HOUR), "CASE-LOG"),
        (ms(T0 + 4 * HOUR), ms(RECEIVED), PALLET_LOGGER),
        (ms(RECEIVED), ms(RECEIVED + HOUR), PLACE_LOGGER),
    ]
    # unit 6 is in the other case: the case logger never measured it
    assert {p.source.device for p in exposure_of(scene, code(6)).judgement.periods} == {
        PALLET_LOGGER,
        PLACE_LOGGER,
    }


def test_a_container_is_judged_against_its_product(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, spiking(5.0, 11.0), steady(4.0))
    for container, epc_ in ((PALLET, PALLET_EPC), (CASE_1, CASE_1_EPC)):
        found = exposure_of(scene, container)
        assert (found.subject, found.epc, found.gtin, found.conditions) == (
            "container",
            epc_,
            "09506000134352",
            COLD,
        )
        assert found.judgement.verdict == "breach"
        assert found.start_ms == ms(T0)


def test_a_lot_counts_its_units_by_verdict(scene: Database) -> None:
    set_conditions(scene, COLD)
    # the place's logger read 12 °C at T0 + 12 h, once unit 3 had left for the pharmacy
    warm = (T0 + 12 * HOUR, T0 + 12 * HOUR + 20 * MINUTE)
    pallet_and_place(scene, steady(5.0), lambda at: 12.0 if warm[0] <= at < warm[1] else 4.0)
    with scene.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=LOT_CODE, actor=ADMIN)
    assert isinstance(found, LotExposure)
    assert (found.gtin, found.lot, found.units, dict(found.verdicts)) == (
        "09506000134352",
        "L1",
        10,
        {"within": 1, "breach": 9},
    )
    assert sum(count for _, count in found.groups) == 10
    assert found.groups[0][0].judgement.verdict == "breach"


def test_no_conditions_no_verdict_and_no_readings_no_figures(scene: Database) -> None:
    pallet_and_place(scene, steady(5.0), steady(4.0))
    unconditioned = exposure_of(scene, code(3))
    assert (unconditioned.conditions, unconditioned.judgement.verdict) == (None, None)
    assert unconditioned.judgement.max_c == 5.0
    with scene.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=LOT_CODE, actor=ADMIN)
    assert isinstance(found, LotExposure)
    assert dict(found.verdicts) == {None: 10}


def test_nothing_measured_is_one_gap(scene: Database) -> None:
    set_conditions(scene, COLD)
    found = exposure_of(scene, code(3))
    assert found.judgement.periods == ()
    assert found.judgement.gaps == (Gap(ms(T0), ms(DISPENSED), NO_DEVICE),)
    assert (found.judgement.verdict, found.judgement.mkt_c) == (None, None)


@pytest.mark.parametrize(
    ("actor", "code_", "error", "message"),
    [
        (DIST_B, code(1), NotFound, f"code: {code(1)} names no unit, container or lot"),
        (DIST_B, PALLET, NotFound, "code: (00)195060000000000012 names no unit, container"),
        (DIST_B, LOT_CODE, NotFound, f"code: {LOT_CODE} names no unit, container or lot"),
        (ADMIN, "(01)09506000134352(21)NOPE", NotFound, "names no unit, container or lot"),
        (ADMIN, "not a code", InvalidRequest, "code"),
        (ADMIN, "(01)09506000134352", InvalidRequest, "names no unit, container or lot"),
    ],
)
def test_who_may_ask_and_what(
    scene: Database, actor: Actor, code_: str, error: type[Exception], message: str
) -> None:
    with scene.unit_of_work(read_only=True) as uow, pytest.raises(error) as raised:
        cold_chain_of(uow, code=code_, actor=actor)
    assert message in str(raised.value)


def test_a_distributor_sees_the_units_it_holds(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, steady(5.0), steady(4.0))
    assert exposure_of(scene, code(1), DIST_A).judgement.verdict == "within"
    with scene.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=LOT_CODE, actor=DIST_A)
        pharmacy = cold_chain_of(uow, code=LOT_CODE, actor=PHARMACY)
    assert isinstance(found, LotExposure)
    assert isinstance(pharmacy, LotExposure)
    # dist-a holds 9 (unit 3 went on to the pharmacy, which holds it, dispensed)
    assert (found.units, pharmacy.units) == (9, 1)


def test_a_short_stretch_of_an_hourly_logger_is_not_a_gap(scene: Database) -> None:
    """The logger's readings around the stretch tell how long one stands for (three hours),
    not the one reading that falls in it."""
    set_conditions(scene, COLD)
    pallet_and_place(scene, steady(5.0), steady(4.0))
    logged(
        scene,
        "CASE-HOURLY",
        kind="container",
        target=CASE_1_EPC,
        attached=(T0 + 3 * HOUR, T0 + 3 * HOUR + 40 * MINUTE),
        readings=[(T0 + n * HOUR, 6.0) for n in range(10)],
    )
    judged = exposure_of(scene, code(3)).judgement
    hourly = [p for p in judged.periods if p.source.device == "CASE-HOURLY"]
    assert [(p.start_ms, p.end_ms, p.readings) for p in hourly] == [
        (ms(T0 + 3 * HOUR), ms(T0 + 3 * HOUR + 40 * MINUTE), 1)
    ]
    assert not [gap for gap in judged.gaps if "CASE-HOURLY" in gap.reason]
