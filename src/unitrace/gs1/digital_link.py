"""GS1 Digital Link URIs: ``https://<domain>/01/<gtin>/10/<lot>/21/<serial>?17=<yymmdd>``.

Building follows the GS1 Digital Link URI syntax: the primary key first, then its qualifiers in
the order the syntax dictionary gives (``dlpkey=22,10,21``), then every other AI as a query
attribute. Values are percent-encoded except for the URI's unreserved characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from unitrace.gs1.elements import ElementString, validate_elements
from unitrace.gs1.errors import InvalidDigitalLink
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY

#: GS1's own resolver, used where no domain is configured.
DEFAULT_RESOLVER_BASE = "https://id.gs1.org"


def build_digital_link(elements: Sequence[ElementString], base: str = DEFAULT_RESOLVER_BASE) -> str:
    """The GS1 Digital Link URI of ``elements`` on the resolver at ``base``.

    >>> build_digital_link([ElementString("01", "09506000134352"), ElementString("21", "A/1")])
    'https://id.gs1.org/01/09506000134352/21/A%2F1'
    """
    validate_elements(elements)
    stem = _checked_base(base)
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


def _checked_base(base: str) -> str:
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


def parse_digital_link(uri: str) -> tuple[ElementString, ...]:
    """The element strings of a GS1 Digital Link URI (placeholder: being written)."""
    raise InvalidDigitalLink(f"Digital Link: not supported yet: {uri!r}")
