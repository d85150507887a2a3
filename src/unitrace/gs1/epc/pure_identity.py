"""Writing the EPC URIs EPCIS events name objects and lots by: the pure-identity URI of a
unit, case, pallet or place (SGTIN, SSCC, SGLN) and the class URI of a lot (LGTIN), from
element strings and the length of the company prefix.
"""

from __future__ import annotations

from collections.abc import Sequence

from unitrace.gs1.elements import ElementString
from unitrace.gs1.epc.fields import (
    ai_list,
    check_company_prefix_length,
    escape,
    sgtin_fields,
    sscc_fields,
    validated,
)
from unitrace.gs1.errors import InvalidEpc


def epc_uri(elements: Sequence[ElementString], company_prefix_length: int) -> str:
    """The pure-identity EPC URI of the object ``elements`` name: an SGTIN for a GTIN (01)
    with a serial (21), an SSCC (00), or an SGLN for a GLN (414) with its extension (254)
    where there is one. AIs that are not part of the EPC, such as lot and expiry, are left
    aside, as the TDS conversion from element strings does.

    >>> epc_uri([ElementString("01", "70614141123451"), ElementString("21", "32a/b")], 7)
    'urn:epc:id:sgtin:0614141.712345.32a%2Fb'
    >>> epc_uri([ElementString("00", "106141412345678908")], 7)
    'urn:epc:id:sscc:0614141.1234567890'
    """
    where = "EPC URI"
    values = dict(validated(elements, where))
    check_company_prefix_length(company_prefix_length, where)
    named = [
        scheme
        for scheme, present in (
            ("sgtin", "01" in values and "21" in values),
            ("sscc", "00" in values),
            ("sgln", "414" in values),
        )
        if present
    ]
    if not named:
        raise InvalidEpc(
            f"{where}: the AIs {ai_list(values)} name no EPC; a pure identity needs a GTIN (01) "
            "with a serial (21), an SSCC (00) or a GLN (414)"
        )
    if len(named) > 1:
        raise InvalidEpc(f"{where}: the AIs {ai_list(values)} name more than one EPC")
    if named[0] == "sgtin":
        company_prefix, item_reference = sgtin_fields(values["01"], company_prefix_length)
        serial = escape(values["21"])
        return f"urn:epc:id:sgtin:{company_prefix}.{item_reference}.{serial}"
    if named[0] == "sscc":
        company_prefix, serial_reference = sscc_fields(values["00"], company_prefix_length)
        return f"urn:epc:id:sscc:{company_prefix}.{serial_reference}"
    gln = values["414"]
    extension = values.get("254", "0")
    if "254" in values and extension == "0":
        raise InvalidEpc(
            f"{where}: GLN extension (254) '0' has no SGLN: the TDS writes extension 0 for a "
            "GLN without extension"
        )
    company_prefix, location_reference = gln[:company_prefix_length], gln[company_prefix_length:12]
    return f"urn:epc:id:sgln:{company_prefix}.{location_reference}.{escape(extension)}"


def epc_class_uri(elements: Sequence[ElementString], company_prefix_length: int) -> str:
    """The EPC class URI of a lot, for the GTIN (01) and lot (10) in ``elements``.

    >>> epc_class_uri([ElementString("01", "80614141123458"), ElementString("10", "L/1")], 7)
    'urn:epc:class:lgtin:0614141.812345.L%2F1'
    """
    where = "EPC class URI"
    values = dict(validated(elements, where))
    check_company_prefix_length(company_prefix_length, where)
    if "01" not in values or "10" not in values:
        raise InvalidEpc(
            f"{where}: an LGTIN needs a GTIN (01) and a lot (10), got {ai_list(values)}"
        )
    company_prefix, item_reference = sgtin_fields(values["01"], company_prefix_length)
    return f"urn:epc:class:lgtin:{company_prefix}.{item_reference}.{escape(values['10'])}"
