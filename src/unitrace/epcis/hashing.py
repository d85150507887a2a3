"""The EPCIS event hash of CBV 2.0 (section 8.9, "EPCIS Event Hash ID"): a name for an event
computed from what the event says, the same whichever binding (JSON-LD or XML), key order, list
order, time zone or identifier form it was written in.

The event is first written as its *pre-hash string*: its fields in the standard's canonical
order (``eventType``, ``eventTime``, ``eventTimeZoneOffset``, the what, ``action``, the why and
where, the sensor data), each ``key=value`` with no separator, then ILMD and the user
extensions, sorted. Values are written in one canonical form:

- times in UTC to the millisecond, ``2020-03-04T10:00:30.000Z`` (the fourth decimal rounds);
- CBV words as their web URIs: ``shipping``, ``urn:epcglobal:cbv:bizstep:shipping`` and
  ``cbv:BizStep-shipping`` all become ``https://ref.gs1.org/cbv/BizStep-shipping``;
- EPC URIs, EPC class and EPC pattern URIs and GS1 Digital Links on any domain as the
  constrained canonical Digital Link, ``https://id.gs1.org/01/…/21/…`` (the finest key only,
  no query string);
- numbers without trailing zeros (``3.0`` and ``"3"`` are ``3``);
- extension fields as ``{namespace URI}localName``.

``recordTime``, ``eventID``, ``errorDeclaration``, ``certificationInfo`` and ``rdfs:comment``
are not part of the hash: they say when and how an event was recorded, named, corrected,
certified or annotated, not what happened, so an event keeps its hash when its error is declared
and may carry its own hash as its ``eventID``.

The worked example of CBV 2.0 (``ReferenceEventHashAlgorithm`` of GS1's reference implementation):

>>> event = {
...     "type": "ObjectEvent",
...     "eventTime": "2020-03-04T11:00:30.000+01:00",
...     "eventTimeZoneOffset": "+01:00",
...     "recordTime": "2020-03-04T11:00:30.999+01:00",
...     "epcList": ["urn:epc:id:sscc:4012345.0000000333", "urn:epc:id:sscc:4012345.0000000111",
...                 "urn:epc:id:sscc:4012345.0000000222"],
...     "action": "OBSERVE",
...     "bizStep": "departing",
...     "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
...     "example:myField1": {"example:mySubField1": "2", "example:mySubField2": "5"},
...     "example:myField2": "0",
...     "example:myField3": {"example:mySubField3": ["3", "1"]},
... }
>>> namespaces = {"example": "https://ns.example.com/epcis/"}
>>> print(pre_hash_string(event, namespaces).replace("epc=", "\\nepc=").replace("{", "\\n{", 1))
eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcList
epc=https://id.gs1.org/00/040123450000001112
epc=https://id.gs1.org/00/040123450000002225
epc=https://id.gs1.org/00/040123450000003338action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departingreadPointid=https://id.gs1.org/414/4012345000115/254/987
{https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2{https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0{https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1{https://ns.example.com/epcis/}mySubField3=3
>>> event_hash(event, namespaces)
'ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.model import InvalidEvent
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.errors import InvalidCode

#: The version of the algorithm the hash names, as its ``ver`` parameter says.
CBV_VERSION = "CBV2.0"

#: The prefixes of the EPCIS 2.0 JSON-LD context, which every document has without declaring
#: them; a document's own ``@context`` entries come on top.
STANDARD_NAMESPACES: Mapping[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}

_CBV = "https://ref.gs1.org/cbv/"
_GS1_VOCABULARY = "https://gs1.org/voc/"
_CANONICAL_DOMAIN = "https://id.gs1.org/"

# CBV 1.x URNs and the CBV 2.0 web URI prefix that replaces each (CBV 2.0 section 8.9, rule 14).
_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", _CBV + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", _CBV + "Disp-"),
    ("urn:epcglobal:cbv:btt:", _CBV + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", _CBV + "SDT-"),
    ("urn:epcglobal:cbv:er:", _CBV + "ER-"),
)

# Fields that say how the event was recorded, named, corrected, certified or annotated.
_NOT_HASHED = frozenset(
    {"type", "eventID", "recordTime", "errorDeclaration", "certificationInfo", "@context"}
)
_COMMENT = "{http://www.w3.org/2000/01/rdf-schema#}comment"


class _Refused(ValueError):
    """A value that cannot be written in canonical form; the caller adds which event and field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def within(self, field: str) -> _Refused:
        return _Refused(self.message, field + ("." + self.field if self.field else ""))


# --- public API -------------------------------------------------------------------------------


def event_hash(
    event: Mapping[str, Any], namespaces: Mapping[str, str], *, index: int | None = None
) -> str:
    """The CBV 2.0 event hash of ``event``, ``ni:///sha-256;<hex>?ver=CBV2.0`` (RFC 6920).

    ``namespaces`` are the ``{prefix: URI}`` entries of the document's ``@context``; ``index``,
    the event's position in its document, only goes into error messages.

    The JSON-LD binding and the XML binding write the same event alike:

    >>> as_json_ld = {"type": "ObjectEvent", "eventTime": "2024-01-01T09:00:00+08:00",
    ...               "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
    ...               "epcList": ["urn:epc:id:sgtin:9506000.013435.X1"], "bizStep": "shipping"}
    >>> as_xml = {"type": "ObjectEvent", "eventTime": "2024-01-01T01:00:00.000Z",
    ...           "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
    ...           "epcList": ["https://id.gs1.org/01/09506000134352/21/X1"],
    ...           "bizStep": "urn:epcglobal:cbv:bizstep:shipping"}
    >>> event_hash(as_json_ld, {}) == event_hash(as_xml, {})
    True
    """
    digest = hashlib.sha256(pre_hash_string(event, namespaces, index=index).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={CBV_VERSION}"


def pre_hash_string(
    event: Mapping[str, Any], namespaces: Mapping[str, str], *, index: int | None = None
) -> str:
    """The canonical text of ``event`` that :func:`event_hash` hashes (CBV 2.0 section 8.9).

    >>> pre_hash_string({"type": "ObjectEvent", "eventTime": "2005-04-03T20:33:31.1166-06:00",
    ...                  "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
    ...                  "disposition": "urn:epcglobal:cbv:disp:in_transit"}, {})
    'eventType=ObjectEventeventTime=2005-04-04T02:33:31.117ZeventTimeZoneOffset=-06:00action=OBSERVEdisposition=https://ref.gs1.org/cbv/Disp-in_transit'
    """
    if not isinstance(event, Mapping):
        raise InvalidEvent(
            f"{_event_name(index, None)}: is a {type(event).__name__}, not an object"
        )
    context = _Context.of(namespaces)
    try:
        return _pre_hash(event, context)
    except _Refused as refused:
        where = f"{refused.field}: " if refused.field else ""
        raise InvalidEvent(
            f"{_event_name(index, event.get('eventID'))}: {where}{refused.message}"
        ) from None


def document_event_hashes(document: Mapping[str, Any]) -> list[str]:
    """The event hash of every event of an EPCIS document or EPCIS query document, in order,
    each with the namespaces its ``@context`` declares.

    >>> document_event_hashes({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
    ...     "type": "EPCISDocument", "epcisBody": {"eventList": []}})
    []
    """
    namespaces = namespaces_of(document.get("@context"))
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        raise InvalidEvent("EPCIS document: has no epcisBody object")
    events = body.get("eventList")
    if events is None:
        results = body.get("queryResults", {})
        events = (
            results.get("resultsBody", {}).get("eventList")
            if isinstance(results, Mapping)
            else None
        )
    if not isinstance(events, list):
        raise InvalidEvent("EPCIS document: epcisBody has no eventList array")
    return [event_hash(event, namespaces, index=index) for index, event in enumerate(events)]


def canonical_identifier(uri: str) -> str:
    """An EPC URI, EPC class URI, EPC pattern URI or GS1 Digital Link as the constrained
    canonical GS1 Digital Link the event hash writes (CBV 2.0 section 8.9, rules 17 and 18);
    any other URI as it is.

    >>> canonical_identifier("urn:epc:id:sgtin:0614141.107346.2018")
    'https://id.gs1.org/01/10614141073464/21/2018'
    >>> canonical_identifier("https://brand.example/01/9506000134352/10/L1/21/A!1?17=261231")
    'https://id.gs1.org/01/09506000134352/21/A%211'
    >>> canonical_identifier("urn:epc:idpat:sgtin:4012345.012345.*")
    'https://id.gs1.org/01/04012345123456'
    """
    return _canonical_text(uri.strip())


# --- the walk through an event ----------------------------------------------------------------


class _Context:
    """The namespaces an event's prefixes resolve to, ready for lookups."""

    __slots__ = ("namespaces",)

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    @classmethod
    def of(cls, namespaces: Mapping[str, str]) -> _Context:
        if not namespaces:
            return _STANDARD_CONTEXT
        return cls({**STANDARD_NAMESPACES, **namespaces})

    def expanded_name(self, key: str) -> str | None:
        """``{namespace}local`` for an extension key written ``prefix:local``, ``{uri}local``
        or as an absolute URI; None for a key with no namespace."""
        if key.startswith("{"):
            return key
        prefix, colon, local = key.partition(":")
        if not colon:
            return None
        if local.startswith("//"):
            cut = max(key.rfind("/"), key.rfind("#")) + 1
            return "{" + key[:cut] + "}" + key[cut:]
        namespace = self.namespaces.get(prefix)
        if namespace is None:
            raise _Refused(f"the prefix {prefix!r} of {key!r} is not declared in the @context")
        # A JSON-LD prefix needs the separator an XML namespace does without: the CBV master
        # data namespace is urn:epcglobal:cbv:mda: in JSON-LD and urn:epcglobal:cbv:mda in XML.
        if namespace.endswith(":"):
            namespace = namespace[:-1]
        return "{" + namespace + "}" + local

    def uri(self, text: str) -> str:
        """A URI-valued field: a declared CURIE expanded, then written canonically."""
        prefix, colon, local = text.partition(":")
        if colon and not local.startswith("//"):
            namespace = self.namespaces.get(prefix)
            if namespace is not None:
                text = namespace + local
        return _canonical_text(text)

    def term(self, text: str, vocabulary: str) -> str:
        """A vocabulary-valued field: a bare word is a term of ``vocabulary`` (the JSON-LD
        binding writes CBV and GS1 words bare)."""
        if ":" not in text:
            return vocabulary + text
        return self.uri(text)


_STANDARD_CONTEXT = _Context(dict(STANDARD_NAMESPACES))


def _event_name(index: int | None, event_id: Any) -> str:
    name = "event" if index is None else f"event {index}"
    return f"{name} ({event_id})" if isinstance(event_id, str) and event_id else name


def _pre_hash(event: Mapping[str, Any], context: _Context) -> str:
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise _Refused("an event needs its type, such as ObjectEvent", "type")
    parts = ["eventType=", event_type.strip()]
    for key, write in _CANONICAL_ORDER:
        value = event.get(key)
        if value is None:
            continue
        try:
            written = write(value, context)
        except _Refused as refused:
            raise refused.within(key) from None
        if written:
            parts.append(written)
    tail = _trailing_parts(event, context)
    if tail:
        tail.sort()
        parts.extend(tail)
    return "".join(parts)


def _trailing_parts(event: Mapping[str, Any], context: _Context) -> list[str]:
    """ILMD, the extensions nested in standard fields, and the event's own extensions, each
    written whole; the caller sorts them (CBV 2.0 section 8.9, rules 19 to 21)."""
    tail: list[str] = []
    for key, value in event.items():
        if key in _ORDERED_KEYS:
            if key in _EXTENSION_POINTS:
                try:
                    tail.extend(_EXTENSION_POINTS[key](value, context))
                except _Refused as refused:
                    raise refused.within(key) from None
            continue
        if key in _NOT_HASHED or key.startswith("@"):
            continue
        try:
            if key == "ilmd":
                tail.append("ilmd" + _sorted_join(_extension_members(value, context)))
                continue
            name = context.expanded_name(key)
            if name is None or name == _COMMENT:
                continue  # JSON-LD drops a term its context does not define
            tail.extend(_extension(name, value, context))
        except _Refused as refused:
            raise refused.within(key) from None
    return tail


# --- values -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A JSON scalar as the text XML would carry."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    raise _Refused(f"expected a text, number or boolean, got {_json_kind(value)}")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def _float_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise _Refused(f"{value} is not a number EPCIS can carry")
    if value.is_integer():
        return str(int(value))
    return repr(value)


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NUMBER_STARTS = frozenset("0123456789+-.")
# Beyond this many digits either side of the point a "number" is an identifier, not a quantity.
_NUMBER_DIGITS = 60


def _number_text(text: str) -> str:
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


def _canonical_text(text: str) -> str:
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
            for urn, web in _CBV_URNS:
                if text.startswith(urn):
                    return web + text[len(urn) :]
        return text
    if first in "hH":
        if text[:8].lower() == "https://" or text[:7].lower() == "http://":
            return _constrained_digital_link(text)
        return text
    if first in _NUMBER_STARTS and _NUMBER.fullmatch(text):
        return _number_text(text)
    return text


_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(?:(Z|z)|([+-])(\d\d):?(\d\d))"
)


def _utc_time(value: Any) -> str:
    """A time in UTC to the millisecond, its fourth decimal rounding half up."""
    text = _text(value)
    match = _TIME.fullmatch(text)
    if match is None:
        raise _Refused(f"{text!r} is not a date and time with a UTC offset")
    year, month, day, hour, minute, second = (int(match[n]) for n in range(1, 7))
    fraction = match[7] or ""
    milliseconds = int(fraction[:3].ljust(3, "0"))
    if len(fraction) > 3 and fraction[3] >= "5":
        milliseconds += 1
    try:
        at = dt.datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise _Refused(f"{text!r} names no real time: {error}") from None
    if match[9] is not None:
        offset = dt.timedelta(hours=int(match[10]), minutes=int(match[11]))
        at = at - offset if match[9] == "+" else at + offset
    at += dt.timedelta(milliseconds=milliseconds)
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:"
        f"{at.second:02d}.{at.microsecond // 1000:03d}Z"
    )


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


@lru_cache(maxsize=65_536)
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
        raise _Refused(f"{part} {text!r} holds a character an EPC URI does not allow")
    if "%" in text:
        decoded = []
        position = 0
        while position < len(text):
            if text[position] == "%":
                escape = text[position : position + 3].upper()
                character = _EPC_ESCAPES.get(escape, "#" if escape == "%23" else None)
                if character is None or (escape == "%23" and grammar is not _CPI_COMPONENT):
                    raise _Refused(f"{part} {text!r}: {escape} is not an escape EPC URIs use")
                decoded.append(character)
                position += 3
            else:
                decoded.append(text[position])
                position += 1
        text = "".join(decoded)
    if len(text) > longest:
        raise _Refused(f"{part} {text!r} is longer than {longest} characters")
    return text


def _digits(text: str, part: str) -> str:
    if not _DIGITS.fullmatch(text):
        raise _Refused(f"{part} {text!r} must be digits")
    return text


@lru_cache(maxsize=4096)
def _keyed(company_prefix: str, reference: str, length: int, part: str, lead: str = "") -> str:
    """Company prefix and reference made one GS1 key of ``length`` digits with its check digit.
    ``lead`` is what comes before the company prefix: ``"indicator"`` for the digit a GTIN's
    item reference or an SSCC's serial reference starts with, ``"0"`` for a GRAI's filler."""
    _digits(company_prefix, "company prefix")
    _digits(reference, part)
    if not 6 <= len(company_prefix) <= 12:
        raise _Refused(f"company prefix {company_prefix!r} must have 6 to 12 digits")
    if lead == "indicator":
        payload = reference[:1] + company_prefix + reference[1:]
    else:
        payload = lead + company_prefix + reference
    if len(payload) != length - 1:
        raise _Refused(
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
        raise _Refused("piece and total must have two digits each")
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
        raise _Refused(
            f"{uri!r} must have {count} dot-separated fields after urn:epc:{kind}:{scheme}:"
        )
    return _CANONICAL_DOMAIN + path(fields)


# --- the fields in canonical order ------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    raise _Refused(f"expected an array, got {_json_kind(value)}")


def _as_object(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise _Refused(f"expected an object, got {_json_kind(value)}")


def _sorted_join(parts: list[str]) -> str:
    parts.sort()
    return "".join(parts)


def _plain(name: str) -> Callable[[Any, _Context], str]:
    def write(value: Any, context: _Context) -> str:
        text = _canonical_text(_text(value))
        return f"{name}={text}" if text else ""

    return write


def _time(name: str) -> Callable[[Any, _Context], str]:
    def write(value: Any, context: _Context) -> str:
        return f"{name}={_utc_time(value)}"

    return write


def _identifier(name: str) -> Callable[[Any, _Context], str]:
    def write(value: Any, context: _Context) -> str:
        text = _text(value)
        return f"{name}={context.uri(text)}" if text else ""

    return write


def _vocabulary(name: str, vocabulary: str) -> Callable[[Any, _Context], str]:
    def write(value: Any, context: _Context) -> str:
        text = _text(value)
        return f"{name}={context.term(text, vocabulary)}" if text else ""

    return write


def _each(write: Callable[[Any, _Context], str]) -> Callable[[Any, _Context], list[str]]:
    """``write`` applied to every member of an array, each error naming the member's index."""

    def write_all(value: Any, context: _Context) -> list[str]:
        written = []
        for position, member in enumerate(_as_list(value)):
            try:
                text = write(member, context)
            except _Refused as refused:
                raise refused.within(f"[{position}]") from None
            if text:
                written.append(text)
        return written

    return write_all


def _listed(name: str, write: Callable[[Any, _Context], str]) -> Callable[[Any, _Context], str]:
    """A list field: its name once, then its members' texts sorted (rule 11)."""
    members = _each(write)

    def write_list(value: Any, context: _Context) -> str:
        written = members(value, context)
        return name + _sorted_join(written) if written else ""

    return write_list


def _fields(
    name: str, order: Sequence[tuple[str, Callable[[Any, _Context], str]]]
) -> Callable[[Any, _Context], str]:
    """An object of standard fields: its name, then its fields in ``order``."""

    def write(value: Any, context: _Context) -> str:
        entries = _as_object(value)
        parts = []
        for key, write_field in order:
            member = entries.get(key)
            if member is None:
                continue
            try:
                text = write_field(member, context)
            except _Refused as refused:
                raise refused.within(key) from None
            if text:
                parts.append(text)
        return name + "".join(parts) if parts else ""

    return write


def _typed(name: str, vocabulary: str) -> Callable[[Any, _Context], str]:
    """A business transaction, source or destination: its type, then its identifier, as the
    reference implementation writes them."""
    write_type = _vocabulary("type", vocabulary)
    write_value = _identifier(name)

    def write(value: Any, context: _Context) -> str:
        entry = _as_object(value)
        parts = []
        for key, write_field in (("type", write_type), (name, write_value)):
            member = entry.get(key)
            if member is not None:
                try:
                    parts.append(write_field(member, context))
                except _Refused as refused:
                    raise refused.within(key) from None
        return "".join(parts)

    return write


def _repeated(write: Callable[[Any, _Context], str]) -> Callable[[Any, _Context], str]:
    """A field that may hold one value or an array of them, each written, sorted."""
    members = _each(write)

    def write_all(value: Any, context: _Context) -> str:
        if isinstance(value, list | tuple):
            return _sorted_join(members(value, context))
        return write(value, context)

    return write_all


_QUANTITY = _fields(
    "quantityElement",
    (
        ("epcClass", _identifier("epcClass")),
        ("quantity", _plain("quantity")),
        ("uom", _plain("uom")),
    ),
)
_SENSOR_METADATA = _fields(
    "sensorMetadata",
    (
        ("time", _time("time")),
        ("startTime", _time("startTime")),
        ("endTime", _time("endTime")),
        ("deviceID", _identifier("deviceID")),
        ("deviceMetadata", _identifier("deviceMetadata")),
        ("rawData", _identifier("rawData")),
        ("dataProcessingMethod", _identifier("dataProcessingMethod")),
        ("bizRules", _identifier("bizRules")),
    ),
)
_SENSOR_REPORT = _fields(
    "sensorReport",
    (
        ("type", _vocabulary("type", _GS1_VOCABULARY)),
        ("exception", _vocabulary("exception", _GS1_VOCABULARY)),
        ("deviceID", _identifier("deviceID")),
        ("deviceMetadata", _identifier("deviceMetadata")),
        ("rawData", _identifier("rawData")),
        ("dataProcessingMethod", _identifier("dataProcessingMethod")),
        ("time", _time("time")),
        ("microorganism", _identifier("microorganism")),
        ("chemicalSubstance", _identifier("chemicalSubstance")),
        ("value", _plain("value")),
        ("component", _vocabulary("component", _CBV + "Comp-")),
        ("stringValue", _plain("stringValue")),
        ("booleanValue", _plain("booleanValue")),
        ("hexBinaryValue", _plain("hexBinaryValue")),
        ("uriValue", _identifier("uriValue")),
        ("minValue", _plain("minValue")),
        ("maxValue", _plain("maxValue")),
        ("meanValue", _plain("meanValue")),
        ("sDev", _plain("sDev")),
        ("percRank", _plain("percRank")),
        ("percValue", _plain("percValue")),
        ("uom", _plain("uom")),
        ("coordinateReferenceSystem", _identifier("coordinateReferenceSystem")),
    ),
)
_SENSOR_REPORTS = _listed("", _SENSOR_REPORT)


def _sensor_element(value: Any, context: _Context) -> str:
    element = _as_object(value)
    parts = []
    metadata = element.get("sensorMetadata")
    if metadata is not None:
        try:
            parts.append(_SENSOR_METADATA(metadata, context))
        except _Refused as refused:
            raise refused.within("sensorMetadata") from None
    reports = element.get("sensorReport")
    if reports is not None:
        try:
            parts.append(_SENSOR_REPORTS(reports, context))
        except _Refused as refused:
            raise refused.within("sensorReport") from None
    written = "".join(parts)
    return "sensorElement" + written if written else ""


# CBV 2.0 writes each sensor element without the name of its list: "sensorElementList" does not
# stand in the pre-hash string (the reference implementation's CBV 2.0 profile; CBV 2.1 adds it).
_SENSOR_ELEMENTS = _listed("", _sensor_element)

#: CBV 2.0 section 8.9, the canonical property order, for every event type (fields an event
#: type does not have are simply absent).
_CANONICAL_ORDER: tuple[tuple[str, Callable[[Any, _Context], str]], ...] = (
    ("eventTime", _time("eventTime")),
    ("eventTimeZoneOffset", _plain("eventTimeZoneOffset")),
    ("epcList", _listed("epcList", _identifier("epc"))),
    ("parentID", _identifier("parentID")),
    ("inputEPCList", _listed("inputEPCList", _identifier("epc"))),
    ("childEPCs", _listed("childEPCs", _identifier("epc"))),
    ("quantityList", _listed("quantityList", _QUANTITY)),
    ("childQuantityList", _listed("childQuantityList", _QUANTITY)),
    ("inputQuantityList", _listed("inputQuantityList", _QUANTITY)),
    ("outputEPCList", _listed("outputEPCList", _identifier("epc"))),
    ("outputQuantityList", _listed("outputQuantityList", _QUANTITY)),
    ("action", _plain("action")),
    ("transformationID", _identifier("transformationID")),
    ("bizStep", _vocabulary("bizStep", _CBV + "BizStep-")),
    ("disposition", _vocabulary("disposition", _CBV + "Disp-")),
    (
        "persistentDisposition",
        _fields(
            "persistentDisposition",
            (
                ("set", _repeated(_vocabulary("set", _CBV + "Disp-"))),
                ("unset", _repeated(_vocabulary("unset", _CBV + "Disp-"))),
            ),
        ),
    ),
    ("readPoint", _fields("readPoint", (("id", _identifier("id")),))),
    ("bizLocation", _fields("bizLocation", (("id", _identifier("id")),))),
    ("bizTransactionList", _listed("bizTransactionList", _typed("bizTransaction", _CBV + "BTT-"))),
    ("sourceList", _listed("sourceList", _typed("source", _CBV + "SDT-"))),
    ("destinationList", _listed("destinationList", _typed("destination", _CBV + "SDT-"))),
    ("sensorElementList", _SENSOR_ELEMENTS),
)
_ORDERED_KEYS = frozenset(key for key, _ in _CANONICAL_ORDER)


# --- extensions -------------------------------------------------------------------------------


def _extension(name: str, value: Any, context: _Context) -> list[str]:
    """One extension field as its ``{namespace}local=value`` texts: one per member of an array,
    an object's members written within it, sorted (rules 19 to 21)."""
    if isinstance(value, Mapping):
        return [name + _sorted_join(_extension_members(value, context))]
    if isinstance(value, list | tuple):
        written = []
        for member in value:
            written.extend(_extension(name, member, context))
        return written
    if value is None:
        return [name]
    text = _canonical_text(_text(value))
    return [f"{name}={text}" if text else name]


def _extension_members(value: Any, context: _Context) -> list[str]:
    written = []
    for key, member in _as_object(value).items():
        if key.startswith("@"):
            continue
        try:
            name = context.expanded_name(key)
            written.extend(_extension(key if name is None else name, member, context))
        except _Refused as refused:
            raise refused.within(key) from None
    return written


def _nested_extensions(value: Any, context: _Context, standard: Iterable[str]) -> list[str]:
    """The extension members of a standard object: the members not in ``standard``."""
    if not isinstance(value, Mapping):
        return []
    known = frozenset(standard)
    written = []
    for key, member in value.items():
        if key in known or key.startswith("@"):
            continue
        try:
            name = context.expanded_name(key)
            if name is not None:
                written.extend(_extension(name, member, context))
        except _Refused as refused:
            raise refused.within(key) from None
    return written


_SENSOR_METADATA_FIELDS = (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules",
)  # fmt: skip
_SENSOR_REPORT_FIELDS = (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
    "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
    "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
    "percValue", "uom", "coordinateReferenceSystem",
)  # fmt: skip


def _sensor_extensions(value: Any, context: _Context) -> list[str]:
    """Under CBV 2.0 the extensions of a sensor element, its metadata and its reports follow
    the event's standard fields, each under the names of the elements that hold it."""
    if not isinstance(value, list | tuple):
        return []
    tail = []
    for position, element in enumerate(value):
        if not isinstance(element, Mapping):
            continue
        try:
            parts = _nested_extensions(element, context, ("sensorMetadata", "sensorReport"))
            metadata = _nested_extensions(
                element.get("sensorMetadata"), context, _SENSOR_METADATA_FIELDS
            )
            if metadata:
                parts.append("sensorMetadata" + _sorted_join(metadata))
            reports = element.get("sensorReport")
            for report in reports if isinstance(reports, list | tuple) else ():
                extensions = _nested_extensions(report, context, _SENSOR_REPORT_FIELDS)
                if extensions:
                    parts.append("sensorReport" + _sorted_join(extensions))
        except _Refused as refused:
            raise refused.within(f"[{position}]") from None
        if parts:
            tail.append("sensorElement" + _sorted_join(parts))
    return tail


def _point_extensions(name: str) -> Callable[[Any, _Context], list[str]]:
    def tail(value: Any, context: _Context) -> list[str]:
        extensions = _nested_extensions(value, context, ("id",))
        return [name + _sorted_join(extensions)] if extensions else []

    return tail


_EXTENSION_POINTS: Mapping[str, Callable[[Any, _Context], list[str]]] = {
    "readPoint": _point_extensions("readPoint"),
    "bizLocation": _point_extensions("bizLocation"),
    "sensorElementList": _sensor_extensions,
}
