"""What a request names: its codes read as units and containers of the registry (each code
once, a lot or expiry it carries the unit's own), a lot's seq range, the time and place it
gives, and the units named in a refusal's message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from unitrace.epcis import EpcNaming
from unitrace.gs1 import Gln, Gtin, InvalidCode, Sscc, parse
from unitrace.registry.errors import Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Lot, Role
from unitrace.services.catalog import parse_gtin
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.containers import ContainerRecord
from unitrace.store.units.projection import ProductKey, UnitGroup, UnitRecord
from unitrace.store.units.selections import InContainers, LotRange, UnitSelection


@dataclass(frozen=True, slots=True)
class Context:
    """The products and the EPC naming they give, read once per request."""

    products: Mapping[str, ProductKey]
    naming: EpcNaming

    @classmethod
    def of(cls, uow: UnitOfWork) -> Context:
        products = uow.units.product_keys()
        naming = EpcNaming.of(
            (product.gtin, product.company_prefix_length) for product in products.values()
        )
        return cls(products, naming)

    def product(self, gtin: str | Gtin, field: str) -> ProductKey:
        key = gtin if isinstance(gtin, Gtin) else parse_gtin(gtin, field)
        product = self.products.get(key.value)
        if product is None:
            raise NotFound(f"{field}: {key} is not a registered product")
        return product


@dataclass(frozen=True, slots=True)
class Targets:
    """What a list of codes names: units by key, and containers."""

    units: Mapping[tuple[int, str], UnitRecord]
    containers: tuple[ContainerRecord, ...]
    #: the EPC of each, in the order the codes gave them
    epcs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Named:
    """What one code of a list names: its place in the list, and the unit's GTIN and serial
    (None for an SSCC) with the lot and expiry the code carries, if any."""

    index: int
    gtin: Gtin | None
    serial: str | None
    lot: str | None = None
    expiry: dt.date | None = None


def resolve(
    uow: UnitOfWork,
    context: Context,
    codes: Sequence[str],
    field: str,
    *,
    actor: Actor | None = None,
) -> Targets:
    """The units and containers ``codes`` name; each code must name a registered one, once,
    and a lot or expiry it carries must be the unit's.

    A distributor (``actor``) handles only what its party holds, and is told no more about
    the rest: a unit or container it does not hold and one that does not exist are refused
    alike, before any lot or expiry is compared, so that its answers never say which serials
    exist, nor another's lot."""
    holder = actor.party_id if actor is not None and actor.role is Role.DISTRIBUTOR else None

    def refused(what: str, otherwise: NotFound) -> Forbidden | NotFound:
        return otherwise if holder is None else Forbidden(f"{what}: not in the custody of {holder}")

    named: dict[str, Named] = {}
    for index, code in enumerate(codes):
        own = context.naming.own_sgtin(code)
        if own is not None:
            epc, found_name = code, Named(index, *own)
        else:
            epc, found_name = _read_code(context, code, index, field)
        if epc in named:
            raise InvalidRequest(
                f"{field}[{index}]: names the same thing as {field}[{named[epc].index}]"
            )
        named[epc] = found_name
    known = uow.units.containers_by_epc(named)
    wanted: dict[tuple[int, str], Named] = {}
    for epc, given in named.items():
        if epc in known:
            if holder is not None and known[epc].custodian_id != holder:
                raise Forbidden(f"container {epc}: not in the custody of {holder}")
            continue
        if given.gtin is None or given.serial is None:
            raise refused(
                f"container {epc}",
                NotFound(f"{field}[{given.index}]: container {epc} is not registered"),
            )
        product = context.products.get(given.gtin.value)
        if product is None:
            name = unit_name(given.gtin, given.serial)
            raise refused(
                f"unit {name}", NotFound(f"{field}[{given.index}]: unit {name} is not registered")
            )
        wanted[(product.id, given.serial)] = given
    found = uow.units.find(list(wanted))
    for key, given in wanted.items():
        unit = found.get(key)
        assert given.gtin is not None
        name = unit_name(given.gtin, key[1])
        if unit is None:
            raise refused(
                f"unit {name}", NotFound(f"{field}[{given.index}]: unit {name} is not registered")
            )
        if holder is not None and unit.custodian_id != holder:
            raise Forbidden(f"unit {name}: not in the custody of {holder}")
        if given.lot is not None and given.lot != unit.lot:
            raise InvalidRequest(
                f"{field}[{given.index}]: lot {given.lot} is not the lot of unit {name} ({unit.lot})"
            )
        if given.expiry is not None and given.expiry != unit.expiry:
            raise InvalidRequest(
                f"{field}[{given.index}]: expiry {given.expiry.isoformat()} is not the expiry of "
                f"unit {name} ({unit.expiry.isoformat()})"
            )
    containers = tuple(known[epc] for epc in named if epc in known)
    return Targets(found, containers, tuple(named))


def _read_code(context: Context, code: str, index: int, field: str) -> tuple[str, Named]:
    """The EPC of a code in any form (Digital Link, element string, EPC URI …) and what it
    names."""
    where = f"{field}[{index}]"
    try:
        scan = parse(code)
    except InvalidCode as error:
        raise InvalidRequest(f"{where}: {error}") from None
    expiry = scan.expiry.date if scan.expiry is not None else None
    if scan.sscc is not None:
        return context.naming.sscc(scan.sscc), Named(index, None, None)
    if scan.gtin is not None and scan.serial is not None:
        epc = context.naming.sgtin(scan.gtin, scan.serial)
        return epc, Named(index, scan.gtin, scan.serial, scan.lot, expiry)
    raise InvalidRequest(
        f"{where}: {code!r} names no unit or container: give a GTIN with a serial, or an SSCC"
    )


def container_code(context: Context, code: str, field: str) -> tuple[str, str]:
    """The EPC and kind (``sscc`` or ``sgtin``) of a case or pallet code."""
    try:
        scan = parse(code)
    except InvalidCode as error:
        raise InvalidRequest(f"{field}: {error}") from None
    sscc: Sscc | None = scan.sscc
    if sscc is not None:
        return context.naming.sscc(sscc), "sscc"
    if scan.gtin is not None and scan.serial is not None:
        return context.naming.sgtin(scan.gtin, scan.serial), "sgtin"
    raise InvalidRequest(
        f"{field}: {code!r} names no case or pallet: give an SSCC, or a GTIN with a serial"
    )


def lot_range(
    uow: UnitOfWork,
    context: Context,
    gtin: str | Gtin,
    lot: str,
    seq_from: int,
    seq_to: int,
) -> tuple[LotRange, Lot]:
    product = context.product(gtin, "gtin")
    registered = uow.lots.get(product.gtin, lot)
    lot_id = uow.lots.id_of(product.gtin, lot)
    if registered is None or lot_id is None:
        raise NotFound(f"lot: {lot} of {product.gtin} is not registered")
    if seq_from < 1:
        raise InvalidRequest(f"seq_from: {seq_from} is below 1, the first unit of a lot")
    if seq_to < seq_from:
        raise InvalidRequest(f"seq_to: {seq_to} is below seq_from {seq_from}")
    if seq_to > registered.issued:
        raise NotFound(
            f"seq_to: lot {lot} of {product.gtin} has {registered.issued:,} units issued; "
            f"seq {max(seq_from, registered.issued + 1):,}-{seq_to:,} were never issued"
        )
    return LotRange(product.id, lot_id, seq_from, seq_to), registered


def unit_selections(loose: UnitSelection | None, tree: Sequence[int]) -> list[UnitSelection]:
    selections: list[UnitSelection] = [] if loose is None else [loose]
    if tree:
        selections.append(InContainers(tuple(tree)))
    return selections


def location_of(uow: UnitOfWork, actor: Actor, location_gln: str | None) -> Gln | None:
    """The GLN given, else the actor's party's."""
    if location_gln is not None:
        return parse_gln(location_gln, "location_gln")
    if actor.party_id is None:
        return None
    party = uow.parties.get(actor.party_id)
    return Gln(party.gln) if party is not None and party.gln else None


def time_of(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidRequest("at: needs a UTC offset, as EPCIS records where in the world")
    try:
        at.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidRequest(f"at: {at.isoformat()} falls off the calendar in UTC") from None
    return at


def parse_gln(value: str | None, field: str) -> Gln | None:
    if value is None:
        return None
    try:
        return Gln(value)
    except InvalidCode as error:
        raise InvalidRequest(f"{field}: {error}") from None


def unit_name(gtin: Gtin, serial: str) -> str:
    return f"(01){gtin.value}(21){serial}"


def some_units(examples: Sequence[tuple[Gtin, str]], count: int) -> str:
    """The first unit of ``examples``, and how many more there are of ``count``."""
    first = unit_name(*examples[0]) if examples else "?"
    return first if count <= 1 else f"{first} (and {count - 1:,} more)"


def group_names(uow: UnitOfWork, selection: UnitSelection, group: UnitGroup) -> str:
    return some_units(*uow.units.examples(selection, group, limit=1))


@dataclass(frozen=True, slots=True)
class GroupNames:
    """A group's units as a message names them, looked up only when a message is written."""

    uow: UnitOfWork
    selection: UnitSelection
    group: UnitGroup

    def __str__(self) -> str:
        return "unit " + group_names(self.uow, self.selection, self.group)
