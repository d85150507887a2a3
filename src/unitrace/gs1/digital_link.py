"""GS1 Digital Link URIs: ``https://<domain>/01/<gtin>/10/<lot>/21/<serial>?17=<yymmdd>``.

Reading follows the GS1 Digital Link URI syntax as the standard and GS1's Barcode Syntax Engine
apply it:

- the scheme is ``http`` or ``https`` (all lower or all upper case); the whole URI holds only
  RFC 3986 characters; the domain is any host, port allowed, without userinfo;
- the path ends in ``/<key>/<value>`` pairs; the right-most pair-aligned primary key starts
  them, and anything before it is the resolver's own path stem;
- the AIs after the key are its qualifiers, in the order the syntax dictionary gives
  (``dlpkey=22,10,21|235``: any of 22, 10, 21 in that order, or 235 alone);
- query parameters with all-digit keys are AIs, allowed only where the dictionary flags them as
  Digital Link data attributes (``?``) and not where they belong in the path; other parameters
  (``linkType``, ``context``) are kept aside for the resolver;
- values are percent-decoded (``+`` is a space in the query, itself in the path); empty values,
  repeated AIs and unknown AIs are refused, and every value and the combination of AIs are
  checked against the dictionary;
- the deprecated alphabetic short names (``/gtin/…/ser/…``, ``?exp=``) and GTINs written with
  8, 12 or 13 digits are read, and never written.

Building puts the primary key first, then its qualifiers in dictionary order, then every other
AI as a query attribute, values percent-encoded outside the URI's unreserved characters.

>>> parse_digital_link("https://example.com/01/09506000134352/10/ABC/21/X1?17=261231").elements
(ElementString(ai='01', value='09506000134352'), ElementString(ai='10', value='ABC'), ElementString(ai='21', value='X1'), ElementString(ai='17', value='261231'))
>>> parse_digital_link("https://example.com/01/09506000134352/21/X1/10/ABC")
Traceback (most recent call last):
...
unitrace.gs1.errors.InvalidDigitalLink: Digital Link: qualifier (21) must come after (10)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from urllib.parse import quote, unquote

from unitrace.gs1.elements import (
    ElementString,
    validate_combination,
    validate_element,
    validate_elements,
)
from unitrace.gs1.errors import (
    InvalidCombination,
    InvalidDigitalLink,
    UnknownApplicationIdentifier,
)
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY

#: GS1's own resolver, used where no domain is configured.
DEFAULT_RESOLVER_BASE = "https://id.gs1.org"


def build_digital_link(elements: Sequence[ElementString], base: str = DEFAULT_RESOLVER_BASE) -> str:
    """The GS1 Digital Link URI of ``elements`` on the resolver at ``base``.

    >>> build_digital_link([ElementString("01", "09506000134352"), ElementString("21", "A/1")])
    'https://id.gs1.org/01/09506000134352/21/A%2F1'
    """
    validate_elements(elements)
    stem = check_resolver_base(base)
    key = next((e for e in elements if SYNTAX_DICTIONARY[e.ai].digital_link_primary_key), None)
    if key is None:
        raise InvalidDigitalLink(
            "Digital Link: needs a primary key such as a GTIN (01) or an SSCC (00)"
        )
    present = {ai for ai, _ in elements}
    paths = SYNTAX_DICTIONARY[key.ai].digital_link_qualifier_paths
    qualifiers = max(paths, key=lambda path: len(present.intersection(path)), default=())
    values = dict(elements)
    segments = [key.ai, quote(key.value, safe="")]
    for ai in qualifiers:
        if ai in values:
            segments += [ai, quote(values[ai], safe="")]
    in_path = {key.ai, *qualifiers}
    attributes = []
    for ai, value in elements:
        if ai in in_path:
            continue
        if not SYNTAX_DICTIONARY[ai].digital_link_attribute:
            raise InvalidDigitalLink(
                f"Digital Link: AI ({ai}) is neither a qualifier of ({key.ai}) "
                "nor allowed as a query attribute"
            )
        attributes.append(f"{ai}={quote(value, safe='')}")
    uri = stem + "/" + "/".join(segments)
    return uri + "?" + "&".join(attributes) if attributes else uri


def check_resolver_base(base: str) -> str:
    """``base`` without a trailing ``/``, once it is known to be an http(s) URL with a domain."""
    stem = base.rstrip("/")
    scheme, separator, rest = stem.partition("://")
    if scheme.lower() not in ("http", "https") or not separator or not rest.split("/")[0]:
        raise InvalidDigitalLink(
            f"Digital Link: resolver base {base!r} must be an http or https URL with a domain"
        )
    if "?" in stem or "#" in stem:
        raise InvalidDigitalLink(
            f"Digital Link: resolver base {base!r} may not have a query or fragment"
        )
    return stem


@dataclass(frozen=True, slots=True)
class DigitalLink:
    """A parsed GS1 Digital Link URI."""

    #: The AIs in URI order: the primary key, its qualifiers, then the query attributes.
    elements: tuple[ElementString, ...]
    #: The host (and port) the URI names.
    domain: str
    #: The resolver's own path before the primary key, e.g. ``/products`` (often empty).
    stem: str
    #: Query parameters that are not AIs, such as ``linkType``, as (key, value) pairs.
    parameters: tuple[tuple[str, str], ...]

    def parameter(self, key: str) -> str | None:
        return next((value for name, value in self.parameters if name == key), None)


#: Deprecated alphabetic short names of GS1 Digital Link URI syntax 1.1, read in the path.
SHORT_NAMES_IN_PATH = {
    "gtin": "01", "itip": "8006", "gmn": "8013", "cpid": "8010", "shipTo": "410",
    "billTo": "411", "purchasedFrom": "412", "shipFor": "413", "gln": "414", "payTo": "415",
    "glnProd": "416", "party": "417", "gsrnp": "8017", "gsrn": "8018", "gcn": "255",
    "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004",
    "cpv": "22", "lot": "10", "ser": "21", "cpsn": "8011", "glnx": "254", "refno": "8020",
    "srin": "8019",
}  # fmt: skip
#: Deprecated alphabetic short names of GS1 Digital Link URI syntax 1.1, read in the query.
SHORT_NAMES_IN_QUERY = {"exp": "17", "expdt": "7003", "lot": "10"}

# RFC 3986 unreserved and reserved characters and "%": nothing else may stand in the URI.
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_DOMAIN = re.compile(r"[A-Za-z0-9\-.:\[\]]+")
_SCHEMES = ("https://", "http://", "HTTPS://", "HTTP://")
_ZERO_SUPPRESSED_GTIN_LENGTHS = (8, 12, 13)


def _key_qualifier_sequences() -> dict[str, frozenset[tuple[str, ...]]]:
    """For each primary key, every AI sequence its path may hold: the key followed by any
    ordered selection of the qualifiers of one alternative."""
    sequences: dict[str, frozenset[tuple[str, ...]]] = {}
    for ai, entry in SYNTAX_DICTIONARY.items():
        if not entry.digital_link_primary_key:
            continue
        found: set[tuple[str, ...]] = {(ai,)}
        for path in entry.digital_link_qualifier_paths:
            for size in range(1, len(path) + 1):
                found.update((ai, *chosen) for chosen in combinations(path, size))
        sequences[ai] = frozenset(found)
    return sequences


_KEY_QUALIFIER_SEQUENCES = _key_qualifier_sequences()


# The shape unitrace itself prints, /01/<gtin>[/10/<lot>]/21/<serial>[?17=<yymmdd>], with
# values that need no percent-decoding: the verification hot path. Every character the value
# classes admit is in CSET 82 and legal unescaped in a URI path, so a match is read exactly as
# the general parser would read it (the property tests hold the two to that).
_PRINTED_VALUE = r"[A-Za-z0-9!'()*+,\-.:;=_&]{1,20}"
_PRINTED_FORM = re.compile(
    r"(?:https|http|HTTPS|HTTP)://(?P<domain>[A-Za-z0-9\-.:\[\]]+)"
    r"(?P<stem>(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*?)"
    rf"/01/(?P<gtin>[0-9]{{14}})(?:/10/(?P<lot>{_PRINTED_VALUE}))?/21/(?P<serial>{_PRINTED_VALUE})"
    r"(?:\?17=(?P<expiry>[0-9]{6}))?"
)


def _combination_allowed(ais: tuple[str, ...]) -> bool:
    try:
        validate_combination(ais)
    except InvalidCombination:
        return False
    return True


# The AI combinations of the printed form, checked against the dictionary once, not per scan.
_PRINTED_SHAPES_ALLOWED = frozenset(
    shape
    for shape in (("01", "21"), ("01", "10", "21"), ("01", "21", "17"), ("01", "10", "21", "17"))
    if _combination_allowed(shape)
)


def parse_digital_link(uri: str) -> DigitalLink:
    """Read a GS1 Digital Link URI into its AIs, every one of them validated."""
    printed = _PRINTED_FORM.fullmatch(uri)
    if printed is not None:
        gtin, lot, serial, expiry = printed.group("gtin", "lot", "serial", "expiry")
        elements = [ElementString("01", gtin)]
        if lot is not None:
            elements.append(ElementString("10", lot))
        elements.append(ElementString("21", serial))
        if expiry is not None:
            elements.append(ElementString("17", expiry))
        ais = tuple(ai for ai, _ in elements)
        if ais in _PRINTED_SHAPES_ALLOWED:
            for ai, value in elements:
                validate_element(ai, value)
            return DigitalLink(tuple(elements), printed["domain"], printed["stem"], ())
    return parse_any_digital_link(uri)


def parse_any_digital_link(uri: str) -> DigitalLink:
    """Read any GS1 Digital Link URI: the general path of :func:`parse_digital_link`."""
    if _URI_CHARACTERS.fullmatch(uri) is None:
        bad = next(c for c in uri if _URI_CHARACTERS.fullmatch(c) is None)
        raise InvalidDigitalLink(f"Digital Link: character {bad!r} may not stand in a URI")
    scheme = next((s for s in _SCHEMES if uri.startswith(s)), None)
    if scheme is None:
        raise InvalidDigitalLink("Digital Link: must start with http:// or https://")
    slash = uri.find("/", len(scheme))
    if slash == -1:
        raise InvalidDigitalLink("Digital Link: needs a domain and a path")
    domain = uri[len(scheme) : slash]
    if not domain or _DOMAIN.fullmatch(domain) is None:
        raise InvalidDigitalLink(f"Digital Link: {domain!r} is not a domain")
    rest = uri[slash:].partition("#")[0]
    path, _, query = rest.partition("?")

    segments = path.split("/")
    start = _primary_key_position(segments)
    elements: list[ElementString] = []
    for index in range(start, len(segments), 2):
        ai = _path_ai(segments[index])
        elements.append(ElementString(ai, _decoded(ai, segments[index + 1], "path")))
    path_ais = tuple(ai for ai, _ in elements)
    key = path_ais[0]
    if path_ais not in _KEY_QUALIFIER_SEQUENCES[key]:
        raise InvalidDigitalLink(_explain_qualifiers(key, path_ais))

    parameters: list[tuple[str, str]] = []
    if query:
        for parameter in query.split("&"):
            if not parameter:
                continue
            name, equals, value = parameter.partition("=")
            ai = SHORT_NAMES_IN_QUERY.get(name, name)
            if not equals or not ai.isdigit():
                parameters.append((unquote(name), unquote(value.replace("+", " "))))
                continue
            if ai not in SYNTAX_DICTIONARY:
                raise UnknownApplicationIdentifier(
                    f"Digital Link: query parameter {name} is not a GS1 Application Identifier"
                )
            elements.append(ElementString(ai, _decoded(ai, value, "query")))
        _check_query_attributes(key, path_ais, elements[len(path_ais) :])

    validate_elements(elements)
    return DigitalLink(tuple(elements), domain, "/".join(segments[:start]), tuple(parameters))


def _path_ai(segment: str) -> str:
    return SHORT_NAMES_IN_PATH.get(segment, segment)


def _primary_key_position(segments: list[str]) -> int:
    """The index of the primary key's segment: walking back over (AI, value) pairs from the
    end of the path, the first AI that is a primary key."""
    index = len(segments) - 2
    while index >= 1:
        entry = SYNTAX_DICTIONARY.get(_path_ai(segments[index]))
        if entry is None:
            break
        if entry.digital_link_primary_key:
            return index
        index -= 2
    if segments[-1] == "":
        raise InvalidDigitalLink("Digital Link: the path may not end with '/'")
    raise InvalidDigitalLink(
        "Digital Link: no primary key such as /01/<GTIN> or /00/<SSCC> "
        "followed by /<AI>/<value> pairs at the end of the path"
    )


def _decoded(ai: str, raw: str, where: str) -> str:
    if not raw:
        raise InvalidDigitalLink(f"Digital Link: AI ({ai}) has an empty value in the {where}")
    value = raw
    if where == "query" and "+" in value:
        value = value.replace("+", " ")
    if "%" in value:
        if "%00" in value:
            raise InvalidDigitalLink(f"Digital Link: AI ({ai}) value holds a null character")
        try:
            value = unquote(value, errors="strict")
        except UnicodeDecodeError:
            raise InvalidDigitalLink(
                f"Digital Link: AI ({ai}) value {raw!r} is not percent-encoded UTF-8"
            ) from None
    if ai == "01" and len(value) in _ZERO_SUPPRESSED_GTIN_LENGTHS:
        value = value.zfill(14)
    return value


def _explain_qualifiers(key: str, path_ais: tuple[str, ...]) -> str:
    alternatives = SYNTAX_DICTIONARY[key].digital_link_qualifier_paths
    qualifiers = path_ais[1:]
    for alternative in alternatives:
        if set(qualifiers) <= set(alternative) and len(set(qualifiers)) == len(qualifiers):
            for earlier, later in pairwise(qualifiers):
                if alternative.index(earlier) > alternative.index(later):
                    return f"Digital Link: qualifier ({earlier}) must come after ({later})"
    if len(set(path_ais)) != len(path_ais):
        repeated = next(ai for ai in path_ais if path_ais.count(ai) > 1)
        return f"Digital Link: AI ({repeated}) appears more than once in the path"
    if not alternatives:
        return f"Digital Link: ({key}) takes no qualifiers in the path, got ({qualifiers[0]})"
    allowed = " or ".join(", ".join(f"({ai})" for ai in alt) for alt in alternatives)
    offender = next((ai for ai in qualifiers if not any(ai in alt for alt in alternatives)), None)
    if offender is not None:
        return f"Digital Link: ({offender}) is not a qualifier of ({key}); its qualifiers are {allowed}"
    return f"Digital Link: qualifiers of ({key}) may not be mixed across {allowed}"


def _check_query_attributes(
    key: str, path_ais: tuple[str, ...], attributes: list[ElementString]
) -> None:
    seen = set(path_ais)
    sequences = _KEY_QUALIFIER_SEQUENCES[key]
    for ai, _ in attributes:
        if ai in seen:
            raise InvalidDigitalLink(f"Digital Link: AI ({ai}) appears more than once")
        seen.add(ai)
        if not SYNTAX_DICTIONARY[ai].digital_link_attribute:
            raise InvalidDigitalLink(f"Digital Link: AI ({ai}) may not stand in the query string")
        for position in range(1, len(path_ais) + 1):
            if (*path_ais[:position], ai, *path_ais[position:]) in sequences:
                raise InvalidDigitalLink(
                    f"Digital Link: AI ({ai}) is a qualifier of ({key}) and belongs in the path"
                )
