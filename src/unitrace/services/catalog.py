"""Registering what the registry serializes and who handles it: products, lots, parties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

import pycountry

from unitrace.gs1 import Gln, Gtin, InvalidCode, validate_element
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
    )
    if uow.products.get(key) is not None:
        raise Conflict(f"gtin: {key} is registered already")
    uow.products.add(product)
    uow.audit.record(actor.name, "product.registered", key.value, {"name": product.name})
    return product


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
