"""What a code given to trace names: a unit, a container (case or pallet) or a lot, with the
spellings the event index may name it by.

Any code the console's search box reads names it (:func:`unitrace.services.code_lookup
.read_code`): a Digital Link, an element string or HRI, an SSCC, an EPC URI, the lot's
``urn:epc:class:lgtin:…``; or a GTIN and a lot given apart. A lot is known when it is
registered or when an event names its class (a component lot a partner's transformation
consumed). A distributor traces only what it holds or held: anything else is unknown to it,
in the same words as what does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from unitrace.epcis.identifiers import GS1_RESOLVER
from unitrace.gs1 import (
    ElementString,
    Gtin,
    InvalidCode,
    Scan,
    build_digital_link,
    parse,
    validate_element,
)
from unitrace.gs1.epc.pure_identity import epc_class_uri
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import parse_gtin
from unitrace.services.code_lookup import read_code
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import Context
from unitrace.store.genealogy import named_anywhere
from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.reached_units import lot_id_of
from unitrace.store.unit_of_work import UnitOfWork

SubjectKind = Literal["unit", "container", "lot"]

#: What trace says it needs, when a code names something else.
NEEDS = (
    "trace needs a unit (GTIN + serial), a case or pallet (SSCC, or GTIN + serial of a case) "
    "or a lot (GTIN + lot, or an LGTIN class URI)"
)


@dataclass(frozen=True, slots=True)
class Subject:
    """What is traced: its kind, its code as people read it, its EPC (a lot's class URI) and
    every spelling the event index may name it by; its keys in the registry where it is
    registered."""

    kind: SubjectKind
    code: str
    epc: str
    names: tuple[str, ...]
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    product_id: int | None = None
    lot_id: int | None = None
    container_id: int | None = None


def lot_names(
    context: Context, gtin: Gtin, lot: str, prefix_length: int | None = None
) -> tuple[str, ...]:
    """The spellings of a lot's class: its LGTIN class URI (where the company prefix is
    known) and its canonical Digital Link."""
    elements = (ElementString("01", gtin.value), ElementString("10", lot))
    names = [build_digital_link(elements, GS1_RESOLVER)]
    length = context.naming.company_prefix_length(gtin.value[1:13]) or prefix_length
    if length is not None:
        names.insert(0, epc_class_uri(elements, length))
    return tuple(names)


def unit_names(context: Context, gtin: Gtin, serial: str) -> tuple[str, ...]:
    """The spellings of a unit (or a case): its EPC as unitrace writes it, and its canonical
    Digital Link."""
    epc = context.naming.sgtin(gtin, serial)
    link = build_digital_link(
        (ElementString("01", gtin.value), ElementString("21", serial)), GS1_RESOLVER
    )
    return (epc,) if epc == link else (epc, link)


def find_subject(
    uow: UnitOfWork,
    context: Context,
    *,
    code: str | None,
    gtin: str | None = None,
    lot: str | None = None,
    actor: Actor,
) -> Subject:
    """The unit, container or lot ``code`` (or ``gtin`` + ``lot``) names, as ``actor`` may
    trace it: :class:`InvalidRequest` for a code that cannot be read or names something
    else, :class:`NotFound` for one unitrace does not know or the actor never held."""
    allow(actor, "view")
    scan = _read(code, gtin, lot)
    subject = _subject_of(uow, context, scan)
    if actor.role is Role.DISTRIBUTOR and subject.kind != "lot":
        held = HeldEpcs(uow.connection, str(actor.party_id)).held_of(subject.names)
        if not held:
            raise unknown(subject.code)
    return subject


def code_of(epc: str) -> str:
    """An EPC as people read it, ``(00)…`` or ``(01)…(21)…``; what no GS1 key reads, as
    it is."""
    try:
        return parse(epc).hri()
    except InvalidCode:
        return epc


def unknown(code: str) -> NotFound:
    return NotFound(f"code: {code} names no unit, container or lot unitrace knows")


def _read(code: str | None, gtin: str | None, lot: str | None) -> Scan:
    if code is not None:
        if gtin is not None or lot is not None:
            raise InvalidRequest("code: give either code, or gtin and lot, not both")
        return read_code(code)
    if gtin is None or lot is None:
        raise InvalidRequest("code: needed (or gtin and lot)")
    key = parse_gtin(gtin, "gtin")
    try:
        validate_element("10", lot)
    except InvalidCode as error:
        raise InvalidRequest(f"lot: {error}") from None
    return read_code(f"(01){key.value}(10){lot}")


def _subject_of(uow: UnitOfWork, context: Context, scan: Scan) -> Subject:
    sscc = scan.sscc
    if sscc is not None:
        epc = context.naming.sscc(sscc)
        found = uow.units.containers_by_epc([epc]).get(epc)
        if found is None:
            raise unknown(scan.hri())
        return Subject("container", scan.hri(), epc, (epc,), container_id=found.id)
    gtin = scan.gtin
    if gtin is not None and scan.serial is not None:
        return _unit_or_case(uow, context, gtin, scan.serial, scan.hri())
    if gtin is not None and scan.lot is not None:
        return _lot(uow, context, gtin, scan.lot, scan)
    raise InvalidRequest(f"code: {scan.hri()} names no unit, container or lot: {NEEDS}")


def _unit_or_case(uow: UnitOfWork, context: Context, gtin: Gtin, serial: str, code: str) -> Subject:
    names = unit_names(context, gtin, serial)
    case = uow.units.containers_by_epc([names[0]]).get(names[0])
    if case is not None:
        return Subject(
            "container", code, case.epc, names, gtin=gtin.value, serial=serial, container_id=case.id
        )
    product = context.products.get(gtin.value)
    unit = uow.units.get(product.id, serial) if product is not None else None
    if product is None or unit is None:
        raise unknown(code)
    return Subject(
        "unit",
        code,
        names[0],
        names,
        gtin=gtin.value,
        serial=serial,
        lot=unit.lot,
        product_id=product.id,
        lot_id=unit.lot_id,
    )


def _lot(uow: UnitOfWork, context: Context, gtin: Gtin, lot: str, scan: Scan) -> Subject:
    code = f"(01){gtin.value}(10){lot}"
    names = lot_names(context, gtin, lot, scan.company_prefix_length)
    product = context.products.get(gtin.value)
    lot_id = None
    if product is not None:
        lot_id = lot_id_of(uow.connection, product.id, lot)
    if lot_id is None and not named_anywhere(uow.connection, names):
        raise unknown(code)
    return Subject(
        "lot",
        code,
        names[0],
        names,
        gtin=gtin.value,
        lot=lot,
        product_id=product.id if product is not None else None,
        lot_id=lot_id,
    )
