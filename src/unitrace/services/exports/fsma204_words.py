"""How an EPCIS event's words read in an FSMA 204 spreadsheet: the critical tracking event a
business step stands for, the reference document a business transaction is, the GLN a
location identifier names, a unit of measure.

>>> critical_tracking_event("ObjectEvent", "ADD", "commissioning")
'Initial Packing'
>>> critical_tracking_event("ObjectEvent", "OBSERVE", "https://example.com/steps/Cooling")
'Cooling'
>>> critical_tracking_event("ObjectEvent", "OBSERVE", "inspecting") is None
True
>>> reference_document({"type": "urn:epcglobal:cbv:btt:po",
...                     "bizTransaction": "urn:epcglobal:cbv:bt:9506000000015:PO-77"})
('Purchase Order', 'PO-77')
>>> gln_of("urn:epc:id:sgln:9506000.00001.0"), gln_of("https://id.gs1.org/414/9506000000015")
('9506000000015', '9506000000015')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, Final

from unitrace.epcis.cbv import BIZ_STEP, BIZ_TRANSACTION_TYPE, SOURCE_DEST_TYPE, word_of
from unitrace.gs1.check_digits import gs1_check_digit

INITIAL_PACKING: Final = "Initial Packing"
SHIPPING: Final = "Shipping"
RECEIVING: Final = "Receiving"
TRANSFORMATION: Final = "Transformation"
HARVESTING: Final = "Harvesting"
COOLING: Final = "Cooling"
FIRST_LAND_BASED_RECEIVING: Final = "First Land-Based Receiving"

#: The CBV 2.0 business steps that are critical tracking events (21 CFR 1.1330-1.1350).
CBV_STEPS: Final = {"commissioning": INITIAL_PACKING, "shipping": SHIPPING, "receiving": RECEIVING}
#: The CBV has no step for these; partners who capture them name their own step, whose last
#: word unitrace reads (``https://example.com/bizstep/harvesting``, ``ext:cooling``).
EXTENSION_STEPS: Final = {
    "harvesting": HARVESTING,
    "harvest": HARVESTING,
    "cooling": COOLING,
    "first_land_based_receiving": FIRST_LAND_BASED_RECEIVING,
    "firstlandbasedreceiving": FIRST_LAND_BASED_RECEIVING,
    "landing": FIRST_LAND_BASED_RECEIVING,
}

#: The CBV 2.0 business transaction types, as FSMA 204 names reference documents.
REFERENCE_DOCUMENTS: Final = {
    "bol": "Bill of Lading",
    "cert": "Certificate",
    "desadv": "Advance Shipping Notice",
    "inv": "Invoice",
    "pedigree": "Pedigree",
    "po": "Purchase Order",
    "poc": "Purchase Order Confirmation",
    "prodorder": "Production Order",
    "recadv": "Receiving Advice",
    "rma": "Return Merchandise Authorization",
    "testprd": "Test Procedure",
    "testres": "Test Result",
    "upevt": "Updated Event",
}

#: UN/CEFACT Recommendation 20 codes (EPCIS ``uom``) as people read them.
UNITS_OF_MEASURE: Final = {
    "KGM": "kg",
    "GRM": "g",
    "LBR": "lb",
    "ONZ": "oz",
    "LTR": "L",
    "MLT": "mL",
    "TNE": "t",
    "H87": "each",
    "EA": "each",
    "CS": "case",
}
#: What a count of instances (a quantity with no ``uom``, or units counted) is in.
EACH: Final = "each"

_SGLN = re.compile(r"urn:epc:id:sgln:(\d+)\.(\d*)\.[^.]*")
_PGLN = re.compile(r"urn:epc:id:pgln:(\d+)\.(\d*)")
_GLN_LINK = re.compile(r"https?://[^?#]*/(?:414|417)/(\d{13})(?:[/?#].*)?")


@functools.lru_cache(maxsize=256)
def step_word(biz_step: str | None) -> str | None:
    """The word of a business step: the CBV's, else the last word of an extension's URI,
    in lower case with ``-`` and spaces as ``_``."""
    if not biz_step:
        return None
    word = word_of(BIZ_STEP, biz_step)
    if word is not None:
        return word
    last = re.split(r"[/:#]", biz_step.rstrip("/"))[-1]
    last = last.removeprefix("BizStep-")
    return re.sub(r"[-\s]+", "_", last).lower()


def critical_tracking_event(
    event_type: str, action: str | None, biz_step: str | None
) -> str | None:
    """The FSMA 204 critical tracking event an event records, or None where it records none
    (packing into a case, inspecting, selling…). Every TransformationEvent is a
    transformation; commissioning is the initial packing only where it creates the objects
    (``ADD``)."""
    if event_type == "TransformationEvent":
        return TRANSFORMATION
    word = step_word(biz_step)
    if word is None:
        return None
    if word == "commissioning" and action != "ADD":
        return None
    return CBV_STEPS.get(word) or EXTENSION_STEPS.get(word)


def reference_document(entry: Mapping[str, Any]) -> tuple[str, str]:
    """A ``bizTransactionList`` entry as a reference document's type and number: a CBV
    type by its FSMA name (another type as its last word, none as ``Business Transaction``);
    a CBV ``urn:epcglobal:cbv:bt:GLN:NUMBER`` by its number, any other identifier whole."""
    kind = entry.get("type")
    word = word_of(BIZ_TRANSACTION_TYPE, kind) if isinstance(kind, str) else None
    if word is not None:
        name = REFERENCE_DOCUMENTS.get(word, word)
    elif isinstance(kind, str) and kind:
        name = re.split(r"[/:#]", kind.rstrip("/"))[-1]
    else:
        name = "Business Transaction"
    number = str(entry.get("bizTransaction", ""))
    if number.startswith("urn:epcglobal:cbv:bt:"):
        number = number.split(":", 5)[-1]
    return name, number


def gln_of(identifier: str) -> str | None:
    """The GLN a location or party identifier names (an SGLN or PGLN URI, a GS1 Digital Link
    with AI 414 or 417), or None."""
    for pattern in (_SGLN, _PGLN):
        found = pattern.fullmatch(identifier)
        if found is not None:
            payload = found.group(1) + found.group(2)
            return payload + gs1_check_digit(payload) if len(payload) == 12 else None
    link = _GLN_LINK.fullmatch(identifier)
    return link.group(1) if link is not None else None


def unit_of_measure(uom: object) -> str:
    """A quantity's ``uom`` as people read it; a count of instances is in ``each``."""
    if not isinstance(uom, str) or not uom:
        return EACH
    return UNITS_OF_MEASURE.get(uom, uom)


def source_or_destination(entries: object, *, prefer: tuple[str, ...]) -> str | None:
    """The first identifier of a ``sourceList`` or ``destinationList`` of the types
    ``prefer`` (CBV words, in that order); else the first entry's."""
    if not isinstance(entries, list) or not entries:
        return None
    listed: list[tuple[str | None, str]] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        kind = entry.get("type")
        identifier = entry.get("source") or entry.get("destination")
        if isinstance(identifier, str):
            word = word_of(SOURCE_DEST_TYPE, kind) if isinstance(kind, str) else None
            listed.append((word, identifier))
    for wanted in prefer:
        for word, identifier in listed:
            if word == wanted:
                return identifier
    return listed[0][1] if listed else None
