"""Reading any EPC URI unitrace knows into element strings: pure-identity URIs
(``urn:epc:id:sgtin``, ``sscc``, ``sgln``), the lot class URI (``urn:epc:class:lgtin``) and
tag URIs (``urn:epc:tag:sgtin-96``, ``sgtin-198``, ``sscc-96``).
"""

from __future__ import annotations

from unitrace.gs1.elements import ElementString
from unitrace.gs1.epc.fields import (
    gln_of,
    gtin_of,
    split_fields,
    sscc_of,
    unescape,
    validated,
)
from unitrace.gs1.epc.schemes import TagScheme, check_sgtin96_serial
from unitrace.gs1.epc.tags import EpcTag
from unitrace.gs1.errors import InvalidEpc


def parse_epc_uri(uri: str) -> tuple[tuple[ElementString, ...], int]:
    """The element strings an EPC URI names, and its company prefix length (the digits before
    the first dot).

    Reads pure-identity URIs (``urn:epc:id:sgtin``, ``sscc``, ``sgln``), the lot class URI
    (``urn:epc:class:lgtin``) and tag URIs (``urn:epc:tag:sgtin-96``, ``sgtin-198``,
    ``sscc-96``; their filter value is checked and left aside). Percent escapes are decoded;
    every element string is checked against its AI's rules.

    >>> from unitrace.gs1.hri import format_hri
    >>> elements, prefix_length = parse_epc_uri("urn:epc:id:sgln:0614141.12345.32a%2Fb")
    >>> format_hri(elements), prefix_length
    ('(414)0614141123452(254)32a/b', 7)
    >>> parse_epc_uri("urn:epc:id:sgtin:0614141.812345.a/b")
    Traceback (most recent call last):
    ...
    unitrace.gs1.errors.InvalidEpc: EPC URI: serial: '/' at position 2 must be written %2F
    """
    kind, scheme, body = _split_urn(uri)
    if kind == "tag":
        tag = _tag_from_uri(scheme, body)
        return tag.elements, tag.company_prefix_length
    where = "EPC URI"
    if (kind, scheme) == ("id", "sgtin"):
        company_prefix, item_reference, serial = split_fields(body, 3, "CP.IR.Serial", where)
        elements = [
            ElementString("01", gtin_of(company_prefix, item_reference, where)),
            ElementString("21", unescape(serial, "serial", where)),
        ]
    elif (kind, scheme) == ("class", "lgtin"):
        company_prefix, item_reference, lot = split_fields(body, 3, "CP.IR.Lot", where)
        elements = [
            ElementString("01", gtin_of(company_prefix, item_reference, where)),
            ElementString("10", unescape(lot, "lot", where)),
        ]
    elif (kind, scheme) == ("id", "sscc"):
        company_prefix, serial_reference = split_fields(body, 2, "CP.SerialRef", where)
        elements = [ElementString("00", sscc_of(company_prefix, serial_reference, where))]
    else:  # ("id", "sgln"), the only scheme _split_urn lets through besides those above
        company_prefix, location_reference, extension = split_fields(
            body, 3, "CP.LocRef.Ext", where
        )
        elements = [ElementString("414", gln_of(company_prefix, location_reference, where))]
        decoded = unescape(extension, "extension", where)
        # TDS: extension 0 stands for a GLN without extension, which (254) cannot express.
        if decoded != "0":
            elements.append(ElementString("254", decoded))
    return validated(elements, where), len(company_prefix)


def parse_epc_tag_uri(uri: str) -> EpcTag:
    """The tag an EPC tag URI describes, ready to encode.

    >>> parse_epc_tag_uri("urn:epc:tag:sscc-96:0.952012.03456789123").hex()
    '311BA1B300CE0A6A83000000'
    """
    kind, scheme, body = _split_urn(uri)
    if kind != "tag":
        raise InvalidEpc(f"EPC tag URI: must start with urn:epc:tag:, got {uri[:40]!r}")
    return _tag_from_uri(scheme, body)


_READABLE = (
    ("id", "sgtin"),
    ("id", "sscc"),
    ("id", "sgln"),
    ("class", "lgtin"),
    ("tag", TagScheme.SGTIN_96.value),
    ("tag", TagScheme.SGTIN_198.value),
    ("tag", TagScheme.SSCC_96.value),
)


def _split_urn(uri: str) -> tuple[str, str, str]:
    """``kind``, ``scheme`` and the dotted fields of ``urn:epc:<kind>:<scheme>:<fields>``,
    for the kinds and schemes unitrace reads only."""
    if uri[:8].lower() != "urn:epc:":
        raise InvalidEpc(f"EPC URI: must start with urn:epc:, got {uri[:40]!r}")
    kind, _, rest = uri[8:].partition(":")
    scheme, separator, body = rest.partition(":")
    if not separator:
        raise InvalidEpc(
            f"EPC URI: expected urn:epc:<kind>:<scheme>:<fields> such as "
            f"urn:epc:id:sgtin:…, got {uri[:60]!r}"
        )
    if (kind, scheme) not in _READABLE:
        if (kind.lower(), scheme.lower()) in _READABLE:
            raise InvalidEpc(
                f"EPC URI: write urn:epc:{kind.lower()}:{scheme.lower()}: in lower case; only "
                "'urn:epc:' may be written in either case"
            )
        readable = ", ".join(f"{k}:{s}" for k, s in _READABLE)
        raise InvalidEpc(
            f"EPC URI: urn:epc:{kind}:{scheme}: is not an EPC unitrace reads ({readable})"
        )
    return kind, scheme, body


def _tag_from_uri(scheme_name: str, body: str) -> EpcTag:
    where = "EPC tag URI"
    scheme = TagScheme(scheme_name)
    if scheme is TagScheme.SSCC_96:
        filter_text, company_prefix, serial_reference = split_fields(
            body, 3, "F.CP.SerialRef", where
        )
        elements: tuple[ElementString, ...] = (
            ElementString("00", sscc_of(company_prefix, serial_reference, where)),
        )
    else:
        filter_text, company_prefix, item_reference, serial = split_fields(
            body, 4, "F.CP.IR.Serial", where
        )
        if scheme is TagScheme.SGTIN_96:
            # The TDS grammar writes this serial as a plain decimal number, never escaped.
            check_sgtin96_serial(serial, where)
        elements = (
            ElementString("01", gtin_of(company_prefix, item_reference, where)),
            ElementString("21", unescape(serial, "serial", where)),
        )
    if len(filter_text) != 1 or filter_text not in "01234567":
        raise InvalidEpc(f"{where}: filter value {filter_text!r} is not one digit 0 to 7")
    return EpcTag(scheme, int(filter_text), len(company_prefix), elements)
