"""Registering what the registry serializes and who handles it: products, lots, parties."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any, Final

import pycountry

from unitrace.gs1 import Gln, Gtin, InvalidCode, validate_element
from unitrace.registry.detection import (
    DEFAULT_RULES,
    NO_PRODUCT_RULES,
    PRODUCT_RULES,
    SERVICE_RULES,
    DetectionRules,
    ProductRules,
)
from unitrace.registry.errors import Conflict, InvalidRequest, NotFound
from unitrace.registry.model import (
    UNAMBIGUOUS_ALPHABET,
    Actor,
    Lot,
    Party,
    PartyRole,
    Product,
    SerialFormat,
)
from unitrace.store.unit_of_work import UnitOfWork

#: EU FMD Delegated Regulation 2016/161, art. 4: a serial may be guessed with probability below
#: 1 in 10,000; unitrace applies it to issued ÷ possible serials per GTIN.
MAXIMUM_GUESS_PROBABILITY = 1 / 10_000
SERIAL_LENGTHS = range(6, 21)
_CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)


def serial_format(length: int = 12, alphabet: str = UNAMBIGUOUS_ALPHABET) -> SerialFormat:
    """A product's serial format, once it is known to be printable and to allow at least one
    serial within the guess rule."""
    if length not in SERIAL_LENGTHS:
        raise InvalidRequest(f"serial_length: {length} is not between 6 and 20")
    if len(alphabet) < 2 or len(set(alphabet)) != len(alphabet):
        raise InvalidRequest("serial_alphabet: needs at least 2 characters, none repeated")
    outside = sorted(set(alphabet) - _CSET82)
    if outside:
        raise InvalidRequest(f"serial_alphabet: {''.join(outside)!r} not in GS1 character set 82")
    chosen = SerialFormat(length, alphabet)
    if chosen.possible * MAXIMUM_GUESS_PROBABILITY < 1:
        raise InvalidRequest(
            f"serial format: {len(alphabet)}^{length} = {chosen.possible:,} possible serials "
            "cannot keep the guess probability below 1 in 10,000 for even one unit"
        )
    return chosen


def register_product(
    uow: UnitOfWork,
    *,
    gtin: str,
    name: str,
    actor: Actor,
    company_prefix_length: int | None = None,
    serial_length: int = 12,
    serial_alphabet: str = UNAMBIGUOUS_ALPHABET,
    target_markets: Sequence[str] = (),
    storage_conditions: str | None = None,
    detection_rules: Mapping[str, Any] | None = None,
) -> Product:
    key = parse_gtin(gtin)
    if not name.strip():
        raise InvalidRequest("name: must not be empty")
    if company_prefix_length is not None and not 6 <= company_prefix_length <= 12:
        raise InvalidRequest(
            f"company_prefix_length: {company_prefix_length} is not between 6 and 12"
        )
    markets = tuple(territory_code(code, "target_markets") for code in target_markets)
    product = Product(
        key,
        name.strip(),
        company_prefix_length,
        serial_format(serial_length, serial_alphabet),
        markets,
        storage_conditions,
        detection_rules=product_rules(detection_rules or {}),
    )
    if uow.products.get(key) is not None:
        raise Conflict(f"gtin: {key} is registered already")
    uow.products.add(product)
    details: dict[str, Any] = {"name": product.name}
    if product.detection_rules.given:
        details["detection_rules"] = product.detection_rules.given
    uow.audit.record(actor.name, "product.registered", key.value, details)
    return product


# --- a product's detection rules ---------------------------------------------------------------

#: Bounds of the whole-number rules. ``history`` is read on every scan of the product and
#: ``evidence_scans`` kept in every alert about it: both stay small enough for the hot path.
_COUNT_RULES: Final = {
    "max_clients": 1_000_000,
    "max_places": 1_000_000,
    "history": 1_000,
    "evidence_scans": 1_000,
}
#: Upper bounds of the measured rules: km/h, and km (no two places are farther apart than
#: half the Earth's circumference).
_MEASURE_RULES: Final = {"max_speed_kmh": 1e6, "min_travel_km": 20_040.0}


#: The rules that are on or off.
_SWITCH_RULES: Final = frozenset({"before_shipping", "block_flagged_units"})


def product_rules(values: Mapping[str, Any], field: str = "detection_rules") -> ProductRules:
    """A product's own detection rules from a request: every name one a product may set,
    every value within its rule, or :class:`InvalidRequest` naming the field. None leaves
    a rule at the default.

    >>> product_rules({"max_speed_kmh": 120, "history": 20}).given
    {'max_speed_kmh': 120.0, 'history': 20}
    >>> product_rules({"guess_limit": 3})
    Traceback (most recent call last):
    ...
    unitrace.registry.errors.InvalidRequest: detection_rules.guess_limit: is service-wide (guessing is judged per client, before a product is known), not set per product
    """
    if not isinstance(values, Mapping):
        raise InvalidRequest(f"{field}: must be an object of rule names and values")
    given: dict[str, Any] = {}
    for name, value in values.items():
        where = f"{field}.{str(name)[:40]}"
        if name in SERVICE_RULES:
            raise InvalidRequest(
                f"{where}: is service-wide (guessing is judged per client, before a product "
                "is known), not set per product"
            )
        if name not in PRODUCT_RULES:
            raise InvalidRequest(f"{where}: is not a detection rule ({', '.join(PRODUCT_RULES)})")
        if value is not None:
            given[name] = _rule_value(name, value, where)
    return ProductRules(**given) if given else NO_PRODUCT_RULES


def _rule_value(name: str, value: object, where: str) -> int | float | bool:
    # bool is an int in Python, and True is no count: each kind is checked on its own
    if name in _SWITCH_RULES:
        if not isinstance(value, bool):
            raise InvalidRequest(f"{where}: {value!r} is not true or false")
        return value
    if name in _COUNT_RULES:
        top = _COUNT_RULES[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise InvalidRequest(f"{where}: {value!r} is not a whole number from 1 to {top:,}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(f"{where}: {value!r} is not a number")
    number = float(value)
    top_measure = _MEASURE_RULES[name]
    if name == "max_speed_kmh":
        fits, bound = 0 < number <= top_measure, f"above 0 and at most {top_measure:,g}"
    else:
        fits, bound = 0 <= number <= top_measure, f"from 0 to {top_measure:,g}"
    if not math.isfinite(number) or not fits:
        raise InvalidRequest(f"{where}: {value!r} is not a number {bound}")
    return number


def set_detection_rules(
    uow: UnitOfWork,
    *,
    gtin: str,
    rules: Mapping[str, Any],
    actor: Actor,
    replace_all: bool = True,
) -> Product:
    """Set a product's own detection rules: ``rules`` replace all it had (an empty mapping
    brings back the defaults), or with ``replace_all=False`` only the rules named change.
    Checked whole before anything is written; the change is audited."""
    key = parse_gtin(gtin)
    chosen = product_rules(rules)
    product_id = uow.products.id_of(key, for_update=True)
    product = uow.products.get(key) if product_id is not None else None
    if product_id is None or product is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    before = product.detection_rules
    if not replace_all:
        chosen = ProductRules(**{**before.given, **chosen.given})
    uow.products.set_detection_rules(product_id, chosen)
    uow.audit.record(
        actor.name,
        "product.detection_rules_set",
        key.value,
        {"detection_rules": chosen.given, "before": before.given},
    )
    return replace(product, detection_rules=chosen)


def get_product(uow: UnitOfWork, gtin: str) -> Product:
    """The product registered under ``gtin``, or :class:`NotFound`."""
    key = parse_gtin(gtin)
    product = uow.products.get(key)
    if product is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    return product


def effective_rules(
    product: Product, defaults: DetectionRules = DEFAULT_RULES
) -> dict[str, int | float | bool]:
    """The rules scans of ``product`` are judged by, of those a product may set."""
    applied = product.detection_rules.applied_to(defaults)
    return {name: getattr(applied, name) for name in PRODUCT_RULES}


def register_lot(
    uow: UnitOfWork,
    *,
    gtin: str,
    lot: str,
    expiry: dt.date,
    actor: Actor,
    production_date: dt.date | None = None,
    site: str | None = None,
    today: dt.date | None = None,
) -> Lot:
    key = parse_gtin(gtin)
    try:
        validate_element("10", lot)
    except InvalidCode as error:
        raise InvalidRequest(f"lot: {error}") from None
    today = today or dt.date.today()
    if expiry < today:
        raise InvalidRequest(f"expiry: {expiry.isoformat()} is in the past")
    if production_date is not None and production_date > expiry:
        raise InvalidRequest(
            f"production_date: {production_date.isoformat()} is after the expiry "
            f"{expiry.isoformat()}"
        )
    product_id = uow.products.id_of(key)
    if product_id is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    if uow.lots.get(key, lot) is not None:
        raise Conflict(f"lot: {lot} of {key} is registered already")
    registered = Lot(key, lot, expiry, production_date, site)
    uow.lots.add(product_id, registered)
    uow.audit.record(
        actor.name, "lot.registered", f"{key.value}/{lot}", {"expiry": expiry.isoformat()}
    )
    return registered


def register_party(
    uow: UnitOfWork,
    *,
    id: str,
    name: str,
    role: str,
    actor: Actor,
    territory: Sequence[str] = (),
    gln: str | None = None,
) -> Party:
    if not id or not all(c.isalnum() or c in "-_." for c in id) or len(id) > 64:
        raise InvalidRequest(f"id: {id!r} must be 1-64 letters, digits, '-', '_' or '.'")
    if not name.strip():
        raise InvalidRequest("name: must not be empty")
    try:
        party_role = PartyRole(role)
    except ValueError:
        roles = ", ".join(r.value for r in PartyRole)
        raise InvalidRequest(f"role: {role!r} is not one of {roles}") from None
    if gln is not None:
        try:
            Gln(gln)
        except InvalidCode as error:
            raise InvalidRequest(f"gln: {error}") from None
    party = Party(
        id,
        name.strip(),
        party_role,
        gln,
        tuple(territory_code(code, "territory") for code in territory),
    )
    if uow.parties.get(id) is not None:
        raise Conflict(f"id: party {id} is registered already")
    uow.parties.add(party)
    uow.audit.record(actor.name, "party.registered", id, {"territory": list(party.territory)})
    return party


def territory_code(code: str, field: str) -> str:
    """An ISO 3166-1 alpha-2 country (``SG``) or ISO 3166-2 subdivision (``MY-14``), upper
    case, or :class:`InvalidRequest` naming the field."""
    normalised = code.strip().upper()
    if normalised in _countries() or normalised in _subdivisions():
        return normalised
    raise InvalidRequest(
        f"{field}: {code!r} is not an ISO 3166-1 alpha-2 country or ISO 3166-2 subdivision"
    )


def parse_gtin(text: str, field: str = "gtin") -> Gtin:
    """A GTIN from a request, or :class:`InvalidRequest` naming the field."""
    try:
        return Gtin.parse(text)
    except InvalidCode as error:
        raise InvalidRequest(f"{field}: {error}") from None


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _subdivisions() -> frozenset[str]:
    return frozenset(subdivision.code for subdivision in pycountry.subdivisions)
