"""What a code typed, pasted or scanned into the console's search box names, and which console
page shows it.

The box takes every form a scanner, a phone or a person produces, read by the same parser the
API and the command line use (:func:`unitrace.gs1.parse`): a GS1 Digital Link, barcode data
(an element string, with or without its symbology identifier), the human-readable
``(01)…(21)…`` string, an EPC URI (``urn:epc:id:sgtin:…``, ``sscc``, ``sgln``, the lot's
``urn:epc:class:lgtin:…`` and tag URIs), the hex an RFID reader reports from a tag's EPC bank
(decoded as ``unitrace code epc`` decodes it), and the syntax engine's ``^`` notation for FNC1
the command line accepts.

- GTIN + serial: the unit's page, or the case's page where a case was packed under that code;
- SSCC: the pallet's (or case's) page;
- GTIN + lot, no serial: the lot's page; a GTIN alone: the product's page;
- GLN: the page of the party registered with it.

A distributor's user is sent only where it may look: a case or party it does not hold or is
not is sent on as any unknown code is (to a unit page that answers "not registered"), so the
box tells it nothing a page would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from unitrace.gs1 import InvalidCode, Scan, parse
from unitrace.gs1.epc import decode_epc_hex
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.codes import looks_like_tag_hex
from unitrace.services.lifecycle.targets import Context
from unitrace.store.custody import CustodyFigures
from unitrace.store.unit_of_work import UnitOfWork

#: The longest code the box takes (the box says so too): longer than any GS1 symbol holds.
MAX_CODE_LENGTH: Final = 2048


@dataclass(frozen=True, slots=True)
class CodeTarget:
    """Where the console shows what a code names: ``kind`` (unit, container, lot, product or
    party) and the page's path."""

    kind: str
    path: str


def unit_path(gtin: str, serial: str) -> str:
    """The console page of a unit; the serial escaped whole (it may hold ``/``, ``?``, ``%``).

    >>> unit_path("09506000134352", "A/B?1")
    '/console/units/09506000134352/A%2FB%3F1'
    """
    return f"/console/units/{gtin}/{quote(serial, safe='')}"


def container_path(code: str) -> str:
    """The console page of a case or pallet, named by any code of it (the ``(00)…`` or
    ``(01)…(21)…`` string is the one links use).

    >>> container_path("(00)095060001234567893")
    '/console/containers/(00)095060001234567893'
    """
    return f"/console/containers/{quote(code, safe='()')}"


def lot_path(gtin: str, lot: str) -> str:
    """The console page of a lot.

    >>> lot_path("09506000134352", "L 1/2")
    '/console/lots/09506000134352/L%201%2F2'
    """
    return f"/console/lots/{gtin}/{quote(lot, safe='')}"


def party_path(party_id: str) -> str:
    return f"/console/parties/{quote(party_id, safe='')}"


def read_code(text: str) -> Scan:
    """The code in the box, read; :class:`InvalidRequest` saying what is wrong with it."""
    code = text.strip()
    if not code:
        raise InvalidRequest(
            "code: give a code: a Digital Link, (01)…(21)… string, element string or EPC URI"
        )
    if len(code) > MAX_CODE_LENGTH:
        raise InvalidRequest(
            f"code: {len(code):,} characters given; a code has at most {MAX_CODE_LENGTH:,}"
        )
    if code.startswith("^"):  # the syntax engine's notation, as the command line reads it
        code = code[1:].replace("^", "\x1d")
    tag_refusal: InvalidCode | None = None
    if looks_like_tag_hex(code):
        try:
            code = decode_epc_hex(code).pure_identity_uri
        except InvalidCode as refused:
            tag_refusal = refused  # perhaps not a tag after all: read as a code
    try:
        return parse(code)
    except InvalidCode as error:
        # Neither a tag nor a code: the tag's broken rule says more than the parser's
        # complaint about hex it was never meant to read.
        message = str(tag_refusal or error)
        raise InvalidRequest(
            message if message.startswith("code") else f"code: {message}"
        ) from None


def code_target(uow: UnitOfWork, text: str, *, actor: Actor) -> CodeTarget:
    """The page that shows what ``text`` names, for ``actor``; :class:`InvalidRequest` for a
    code that cannot be read or names nothing the console has a page for."""
    scan = read_code(text)
    holder = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    context = Context.of(uow)
    if scan.sscc is not None:
        return CodeTarget("container", container_path(scan.hri()))
    gtin = scan.gtin
    if gtin is not None and scan.serial is not None:
        epc = context.naming.sgtin(gtin, scan.serial)
        case = uow.units.containers_by_epc([epc]).get(epc)
        if case is not None and (holder is None or case.custodian_id == holder):
            return CodeTarget("container", container_path(f"(01){gtin.value}(21){scan.serial}"))
        return CodeTarget("unit", unit_path(gtin.value, scan.serial))
    if gtin is not None and scan.lot is not None:
        return CodeTarget("lot", lot_path(gtin.value, scan.lot))
    if gtin is not None:
        return CodeTarget("product", f"/console/products/{gtin.value}")
    gln = scan.gln
    if gln is not None:
        party = CustodyFigures(uow.connection).parties_by_gln([gln.value]).get(gln.value)
        if party is None or (holder is not None and party.id != holder):
            raise NotFound(f"code: no party is registered with GLN {gln.value}")
        return CodeTarget("party", party_path(party.id))
    raise InvalidRequest(
        f"code: {scan.hri()} names no unit, case, pallet, lot, product or party: "
        "give a GTIN with a serial or a lot, an SSCC or a GLN"
    )
