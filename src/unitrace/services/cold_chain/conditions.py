"""Products' storage conditions: set (checked whole, audited), read one product's or many
products' at once, and said in words for the consumer's verify page."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.coldchain import ExcursionAllowance, MktWindow, StorageConditions
from unitrace.coldchain.temperatures import ABSOLUTE_ZERO_C
from unitrace.gs1 import Gtin
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor
from unitrace.services.catalog import parse_gtin
from unitrace.store.storage_conditions import StorageConditionsStore, StoredConditions
from unitrace.store.times import now
from unitrace.store.unit_of_work import UnitOfWork

#: The longest excursion a product may be allowed: a year, in minutes.
MAX_EXCURSION_MINUTES: Final = 525_600
#: ΔH/R within reason, in kelvin: USP <1079.2>'s 10,000 K is 83 kJ/mol; the activation
#: energies of drug degradation lie well inside 8 to 830 kJ/mol.
DELTA_H_OVER_R_RANGE: Final = (1_000.0, 100_000.0)


@dataclass(frozen=True, slots=True)
class ProductConditions:
    """A product's storage conditions as set, with who set them and when."""

    gtin: Gtin
    stored: StoredConditions


def set_conditions(
    uow: UnitOfWork,
    *,
    gtin: str,
    min_c: float,
    max_c: float,
    excursion: Mapping[str, Any] | None = None,
    mkt: Mapping[str, Any] | None = None,
    actor: Actor,
) -> ProductConditions:
    """Set the product's storage conditions, replacing those it had; what ``mkt`` leaves
    out takes USP <1079.2>'s defaults. Checked whole before anything is written; audited."""
    key = parse_gtin(gtin)
    conditions = checked_conditions(min_c, max_c, excursion, mkt)
    product_id = uow.products.id_of(key, for_update=True)
    if product_id is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    store = StorageConditionsStore(uow.connection)
    before = store.of([product_id]).get(product_id)
    at = now()
    store.put(product_id, conditions, at, actor.name)
    uow.audit.record(
        actor.name,
        "product.storage_conditions_set",
        key.value,
        {
            "storage": conditions_document(conditions),
            "before": conditions_document(before.conditions) if before else None,
        },
    )
    return ProductConditions(key, StoredConditions(conditions, at, actor.name))


def product_conditions(uow: UnitOfWork, gtin: str) -> ProductConditions:
    """The product's storage conditions; :class:`NotFound` for an unknown product or one
    that has none."""
    key = parse_gtin(gtin)
    product_id = uow.products.id_of(key)
    if product_id is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    stored = StorageConditionsStore(uow.connection).of([product_id]).get(product_id)
    if stored is None:
        raise NotFound(f"gtin: {key} has no storage conditions set")
    return ProductConditions(key, stored)


def storage_in_words(uow: UnitOfWork, gtin: str) -> str | None:
    """The product's storage conditions in words, for the verify page; None when the
    product has none (or is no registered product)."""
    product_id = uow.products.id_of(Gtin(gtin))
    found = None if product_id is None else conditions_of(uow, product_id)
    return None if found is None else in_words(found)


def conditions_of(uow: UnitOfWork, product_id: int) -> StorageConditions | None:
    """The storage conditions of the product keyed ``product_id``, if it has any."""
    return conditions_by_product(uow, [product_id]).get(product_id)


def conditions_by_product(
    uow: UnitOfWork, product_ids: Iterable[int]
) -> dict[int, StorageConditions]:
    """The storage conditions of those of ``product_ids`` that have any, read at once."""
    stored = StorageConditionsStore(uow.connection).of(product_ids)
    return {product_id: found.conditions for product_id, found in stored.items()}


def checked_conditions(
    min_c: float,
    max_c: float,
    excursion: Mapping[str, Any] | None = None,
    mkt: Mapping[str, Any] | None = None,
) -> StorageConditions:
    """Conditions from their parts, each checked and named in the error if wrong.

    >>> checked_conditions(2, 8, mkt={"window": "30d"}).mkt.window.value
    '30d'
    >>> checked_conditions(8, 2)
    Traceback (most recent call last):
    unitrace.registry.errors.InvalidRequest: max_c: 2 is not above min_c 8
    """
    low = _temperature("min_c", min_c)
    high = _temperature("max_c", max_c)
    if not low < high:
        raise InvalidRequest(f"max_c: {max_c} is not above min_c {min_c}")
    allowance = None
    if excursion is not None:
        allowance = ExcursionAllowance(
            _temperature("excursion.min_c", excursion.get("min_c")),
            _temperature("excursion.max_c", excursion.get("max_c")),
            _minutes(excursion.get("max_minutes")),
        )
        if allowance.min_c > low:
            raise InvalidRequest(
                f"excursion.min_c: {allowance.min_c} is above min_c {min_c}; the excursion "
                "band holds the storage band"
            )
        if allowance.max_c < high:
            raise InvalidRequest(
                f"excursion.max_c: {allowance.max_c} is below max_c {max_c}; the excursion "
                "band holds the storage band"
            )
    limit = mkt or {}
    window = limit.get("window")
    if window is not None and window not in {item.value for item in MktWindow}:
        raise InvalidRequest(f"mkt.window: {window!r} is not one of 24h, 30d")
    mkt_max_c = limit.get("max_c")
    ratio = limit.get("delta_h_over_r")
    return StorageConditions.of(
        low,
        high,
        excursion=allowance,
        mkt_max_c=None if mkt_max_c is None else _temperature("mkt.max_c", mkt_max_c),
        mkt_window=None if window is None else MktWindow(window),
        delta_h_over_r=None if ratio is None else _delta_h_over_r(ratio),
    )


def conditions_document(conditions: StorageConditions) -> dict[str, Any]:
    """The conditions as the API answers them, defaults filled in."""
    excursion = conditions.excursion
    return {
        "min_c": conditions.min_c,
        "max_c": conditions.max_c,
        "excursion": None
        if excursion is None
        else {
            "min_c": excursion.min_c,
            "max_c": excursion.max_c,
            "max_minutes": excursion.max_minutes,
        },
        "mkt": {
            "max_c": conditions.mkt.max_c,
            "window": conditions.mkt.window.value,
            "delta_h_over_r": conditions.mkt.delta_h_over_r,
        },
    }


def in_words(conditions: StorageConditions) -> str:
    """The conditions as a consumer reads them on the verify page.

    >>> in_words(StorageConditions.of(2, 8))
    'Store at 2 °C to 8 °C.'
    >>> in_words(StorageConditions.of(15, 25, excursion=ExcursionAllowance(15, 30, 1440)))
    'Store at 15 °C to 25 °C. Up to 30 °C is allowed for 24 hours at most.'
    >>> in_words(StorageConditions.of(-25, -15, excursion=ExcursionAllowance(-30, -15, 90)))
    'Store at -25 °C to -15 °C. Down to -30 °C is allowed for 90 minutes at most.'
    """
    words = f"Store at {_degrees(conditions.min_c)} to {_degrees(conditions.max_c)}."
    excursion = conditions.excursion
    if excursion is None:
        return words
    wider = []
    if excursion.min_c < conditions.min_c:
        wider.append(f"down to {_degrees(excursion.min_c)}")
    if excursion.max_c > conditions.max_c:
        wider.append(f"up to {_degrees(excursion.max_c)}")
    if not wider:
        return words
    allowed = " and ".join(wider)
    return f"{words} {allowed[0].upper()}{allowed[1:]} is allowed for {_duration(excursion.max_minutes)} at most."


def _degrees(celsius: float) -> str:
    return f"{celsius:g} °C"


def _duration(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return "24 hours" if days == 1 else f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _temperature(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(f"{field}: {value!r} is not a number of degrees Celsius")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidRequest(f"{field}: {value!r} is not a finite temperature")
    if number < ABSOLUTE_ZERO_C:
        raise InvalidRequest(f"{field}: {value} is below absolute zero ({ABSOLUTE_ZERO_C} °C)")
    return number


def _minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"excursion.max_minutes: {value!r} is not a whole number of minutes")
    if not 1 <= value <= MAX_EXCURSION_MINUTES:
        raise InvalidRequest(
            f"excursion.max_minutes: {value} is not within 1-{MAX_EXCURSION_MINUTES:,} (a year)"
        )
    return value


def _delta_h_over_r(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRequest(f"mkt.delta_h_over_r: {value!r} is not a number of kelvin")
    low, high = DELTA_H_OVER_R_RANGE
    if not low <= value <= high:
        raise InvalidRequest(
            f"mkt.delta_h_over_r: {value} K is not within {low:,.0f}-{high:,.0f} K "
            "(USP <1079.2>: 10,000 K)"
        )
    return float(value)
