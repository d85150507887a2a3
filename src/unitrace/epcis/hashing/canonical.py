"""Values in the canonical form of the event hash (CBV 2.0 section 8.9, rules 6, 14, 17 and
18): CBV URNs as Web URIs, numbers without leading or trailing zeros, and GS1 identifiers (EPC
URIs, EPC class and pattern URIs, GS1 Digital Links on any domain) as constrained canonical
Digital Links on ``id.gs1.org``.

>>> canonical_text("urn:epcglobal:cbv:disp:in_transit"), canonical_text("3.50")
('https://ref.gs1.org/cbv/Disp-in_transit', '3.5')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from unitrace.epcis.cbv import urn_as_web_uri
from unitrace.epcis.hashing.json_values import Refused
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.errors import InvalidCode

_CANONICAL_DOMAIN = "https://id.gs1.org/"

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NUMBER_STARTS = frozenset("0123456789+-.")
# Beyond this many digits either side of the point a "number" is an identifier, not a quantity.
_NUMBER_DIGITS = 60


def number_text(text: str) -> str:
    """A number written without leading or trailing zeros, as Python writes a float where
    that is exact (``26.2``, ``1e-07``), and exactly otherwise: the reference implementation
    writes floats, and a float would merge two 18-digit SSCCs given as text."""
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - _NUMBER admits only what Decimal reads
        return text
    if abs(number.adjusted()) > _NUMBER_DIGITS:
        return text
    if number == number.to_integral_value():
        return str(int(number))
    as_float = float(number)
    if Decimal(repr(as_float)) == number:
        return repr(as_float)
    return format(number.normalize(), "f")


# The same EPCs, locations and words come back event after event of a document (and from one
# document to the next): each distinct text is put in canonical form once. A refusal (an EPC
# URI that is not one) is not cached, and is raised again each time.
@lru_cache(maxsize=65_536)
def canonical_text(text: str) -> str:
    """Any value in canonical form: CBV URNs as web URIs, numbers without trailing zeros, GS1
    identifiers as constrained canonical Digital Links (CBV 2.0 section 8.9, rules 6, 14, 17,
    18)."""
    if not text:
        return text
    first = text[0]
    if first in "uU":
        lowered = text[:18].lower()
        if lowered.startswith("urn:epc:"):
            return _epc_digital_link(text)
        if lowered.startswith("urn:epcglobal:cbv:"):
            web = urn_as_web_uri(text)
            if web is not None:
                return web
        return text
    if first in "hH":
        if text[:8].lower() == "https://" or text[:7].lower() == "http://":
            return _constrained_digital_link(text)
        return text
    if first in _NUMBER_STARTS and _NUMBER.fullmatch(text):
        return number_text(text)
    return text


# --- GS1 identifiers as canonical Digital Links -----------------------------------------------

# GS1 Digital Link URI syntax, table 7-1: the characters of GS1 character set 82 a path value
# must percent-encode. The others (letters, digits, - . _ ' ; =) stand as they are.
_DIGITAL_LINK_ESCAPES = {c: f"%{ord(c):02X}" for c in '!"%&()*+,/:<>?#'}
_PLAIN = re.compile(r"[A-Za-z0-9\-._';=]*")


def _digital_link_value(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    written = []
    for character in value:
        escape = _DIGITAL_LINK_ESCAPES.get(character)
        if escape is not None:
            written.append(escape)
        elif _PLAIN.fullmatch(character):
            written.append(character)
        else:
            written.extend(f"%{byte:02X}" for byte in character.encode())
    return "".join(written)


# CBV 2.0 section 8.9, rule 18: the keys and key qualifiers a constrained Digital Link keeps,
# finest first; of 10 (lot) and 21 (serial) only the serial stays, and 22 (CPV) never does.
_KEPT_QUALIFIERS: Mapping[str, tuple[str, ...]] = {
    "00": (),
    "01": ("21", "235", "10"),
    "253": (),
    "255": (),
    "401": (),
    "402": (),
    "414": ("254",),
    "417": (),
    "8003": (),
    "8004": (),
    "8006": ("21", "10"),
    "8010": ("8011",),
    "8017": (),
    "8018": (),
}


def _constrained_digital_link(uri: str) -> str:
    """A GS1 Digital Link on any domain as its constrained canonical form; any other http(s)
    URI (a sensor's data-processing method, a taxonomy page) as it is."""
    try:
        elements = parse_digital_link(uri).elements
    except InvalidCode:
        return uri
    key_ai, key_value = elements[0]
    qualifiers = _KEPT_QUALIFIERS.get(key_ai)
    if qualifiers is None:
        return uri
    present = dict(elements[1:])
    link = f"{_CANONICAL_DOMAIN}{key_ai}/{_digital_link_value(key_value)}"
    for ai in qualifiers:
        if ai in present:
            return f"{link}/{ai}/{_digital_link_value(present[ai])}"
    return link


# TDS section 6: the EPC URI schemes with a GS1 key, each turned into the Digital Link path
# after the domain. ``fields`` are the URI's dot-separated parts after the scheme.
_EPC_ESCAPES = {"%22": '"', "%25": "%", "%26": "&", "%2F": "/", "%3C": "<", "%3E": ">", "%3F": "?"}
_EPC_COMPONENT = re.compile(r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!'()*+,\-.:;=_])+")
_CPI_COMPONENT = re.compile(r"(?:%2[3Ff]|[0-9A-Z\-])+")
_DIGITS = re.compile(r"[0-9]+")


def _component(
    text: str, part: str, longest: int, grammar: re.Pattern[str] = _EPC_COMPONENT
) -> str:
    """A free-text EPC URI field, its percent escapes decoded (TDS GS3A3Component)."""
    if not grammar.fullmatch(text):
        raise Refused(f"{part} {text!r} holds a character an EPC URI does not allow")
    if "%" in text:
        decoded = []
        position = 0
        while position < len(text):
            if text[position] == "%":
                escape = text[position : position + 3].upper()
                character = _EPC_ESCAPES.get(escape, "#" if escape == "%23" else None)
                if character is None or (escape == "%23" and grammar is not _CPI_COMPONENT):
                    raise Refused(f"{part} {text!r}: {escape} is not an escape EPC URIs use")
                decoded.append(character)
                position += 3
            else:
                decoded.append(text[position])
                position += 1
        text = "".join(decoded)
    if len(text) > longest:
        raise Refused(f"{part} {text!r} is longer than {longest} characters")
    return text


def _digits(text: str, part: str) -> str:
    if not _DIGITS.fullmatch(text):
        raise Refused(f"{part} {text!r} must be digits")
    return text


@lru_cache(maxsize=4096)
def _keyed(company_prefix: str, reference: str, length: int, part: str, lead: str = "") -> str:
    """Company prefix and reference made one GS1 key of ``length`` digits with its check digit.
    ``lead`` is what comes before the company prefix: ``"indicator"`` for the digit a GTIN's
    item reference or an SSCC's serial reference starts with, ``"0"`` for a GRAI's filler."""
    _digits(company_prefix, "company prefix")
    if reference:  # empty where the company prefix takes all 12 digits (TDS 14.5, GDTI-96)
        _digits(reference, part)
    if not 6 <= len(company_prefix) <= 12:
        raise Refused(f"company prefix {company_prefix!r} must have 6 to 12 digits")
    if lead == "indicator":
        payload = reference[:1] + company_prefix + reference[1:]
    else:
        payload = lead + company_prefix + reference
    if len(payload) != length - 1:
        raise Refused(
            f"company prefix {company_prefix!r} and {part} {reference!r} must have "
            f"{length - 1 - len(lead) if lead != 'indicator' else length - 1} digits together"
        )
    return payload + gs1_check_digit(payload)


def _gtin(fields: Sequence[str]) -> str:
    return _keyed(fields[0], fields[1], 14, "item reference", "indicator")


def _gtin_with(qualifier: str, fields: Sequence[str], part: str, longest: int) -> str:
    return f"01/{_gtin(fields)}/{qualifier}/{_digital_link_value(_component(fields[2], part, longest))}"


def _sgln(fields: Sequence[str]) -> str:
    gln = _keyed(fields[0], fields[1], 13, "location reference")
    extension = _component(fields[2], "extension", 20)
    return f"414/{gln}" if extension == "0" else f"414/{gln}/254/{_digital_link_value(extension)}"


def _cpi(fields: Sequence[str]) -> str:
    reference = _component(fields[1], "component/part reference", 30, _CPI_COMPONENT)
    return f"8010/{_digits(fields[0], 'company prefix')}{_digital_link_value(reference)}"


def _itip(fields: Sequence[str]) -> str:
    piece, total = _digits(fields[2], "piece"), _digits(fields[3], "total")
    if len(piece) != 2 or len(total) != 2:
        raise Refused("piece and total must have two digits each")
    return f"8006/{_gtin(fields)}{piece}{total}"


# (kind, scheme) -> (number of dot-separated fields, Digital Link path of those fields)
_EPC_SCHEMES: Mapping[tuple[str, str], tuple[int, Callable[[Sequence[str]], str]]] = {
    ("id", "sgtin"): (3, lambda f: _gtin_with("21", f, "serial", 20)),
    ("id", "sscc"): (2, lambda f: "00/" + _keyed(f[0], f[1], 18, "serial reference", "indicator")),
    ("id", "sgln"): (3, _sgln),
    ("id", "grai"): (
        3,
        lambda f: (
            f"8003/{_keyed(f[0], f[1], 14, 'asset type', '0')}"
            + _digital_link_value(_component(f[2], "serial", 16))
        ),
    ),
    ("id", "giai"): (
        2,
        lambda f: (
            f"8004/{_digits(f[0], 'company prefix')}"
            + _digital_link_value(_component(f[1], "asset reference", 30 - len(f[0])))
        ),
    ),
    ("id", "gsrn"): (2, lambda f: "8018/" + _keyed(f[0], f[1], 18, "service reference")),
    ("id", "gsrnp"): (2, lambda f: "8017/" + _keyed(f[0], f[1], 18, "service reference")),
    ("id", "gdti"): (
        3,
        lambda f: (
            f"253/{_keyed(f[0], f[1], 13, 'document type')}"
            + _digital_link_value(_component(f[2], "serial", 17))
        ),
    ),
    ("id", "cpi"): (3, lambda f: f"{_cpi(f)}/8011/{_digits(f[2], 'serial')}"),
    ("id", "sgcn"): (
        3,
        lambda f: f"255/{_keyed(f[0], f[1], 13, 'coupon reference')}{_digits(f[2], 'serial')}",
    ),
    ("id", "ginc"): (
        2,
        lambda f: (
            f"401/{_digits(f[0], 'company prefix')}"
            + _digital_link_value(_component(f[1], "consignment reference", 30 - len(f[0])))
        ),
    ),
    ("id", "gsin"): (2, lambda f: "402/" + _keyed(f[0], f[1], 17, "shipper reference")),
    ("id", "itip"): (
        5,
        lambda f: f"{_itip(f)}/21/{_digital_link_value(_component(f[4], 'serial', 20))}",
    ),
    ("id", "upui"): (3, lambda f: _gtin_with("235", f, "third-party extension", 28)),
    ("id", "pgln"): (2, lambda f: "417/" + _keyed(f[0], f[1], 13, "party reference")),
    ("class", "lgtin"): (3, lambda f: _gtin_with("10", f, "lot", 20)),
    ("idpat", "sgtin"): (3, lambda f: "01/" + _gtin(f)),
    ("idpat", "upui"): (3, lambda f: "01/" + _gtin(f)),
    ("idpat", "grai"): (3, lambda f: "8003/" + _keyed(f[0], f[1], 14, "asset type", "0")),
    ("idpat", "gdti"): (3, lambda f: "253/" + _keyed(f[0], f[1], 13, "document type")),
    ("idpat", "sgcn"): (3, lambda f: "255/" + _keyed(f[0], f[1], 13, "coupon reference")),
    ("idpat", "cpi"): (3, _cpi),
    ("idpat", "itip"): (5, _itip),
}


def _epc_digital_link(uri: str) -> str:
    """An EPC URI with a GS1 key as its canonical Digital Link. An EPC of a scheme without a
    GS1 key (ADI, USDoD, GID), and a pattern naming more than one class of object, stays as it
    is: no Digital Link names it."""
    kind, _, rest = uri[8:].partition(":")
    scheme, _, body = rest.partition(":")
    entry = _EPC_SCHEMES.get((kind, scheme))
    if entry is None:
        return uri
    count, path = entry
    # The last field may itself hold dots (a serial is GS3A3, which allows them).
    fields = body.split(".", count - 1)
    if kind == "idpat":
        if len(fields) != count or fields[-1] != "*" or "*" in "".join(fields[:-1]):
            return uri
    elif len(fields) != count:
        raise Refused(
            f"{uri!r} must have {count} dot-separated fields after urn:epc:{kind}:{scheme}:"
        )
    return _CANONICAL_DOMAIN + path(fields)
