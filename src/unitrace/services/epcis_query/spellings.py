"""Every spelling a query parameter's value may be held in by a stored event, since events
hold their values as their senders wrote them:

- a CBV word (``EQ_bizStep``, ``EQ_disposition``, ``EQ_persistentDisposition_*``, the type of
  ``EQ_bizTransaction_<type>``, ``EQ_source_<type>``, ``EQ_destination_<type>``) bare, as a
  URN, as a Web URI and as a compact URI; any other URI as written;
- a place (``EQ_``/``WD_readPoint``, ``EQ_``/``WD_bizLocation``): a GLN's SGLN URI and its
  Digital Link on GS1's resolver alike;
- an EPC (``MATCH_`` parameters): EPC URIs, ``urn:epc:idpat`` patterns and GS1 Digital Links,
  see :func:`epc_spellings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from unitrace.epcis import GS1_RESOLVER, cbv
from unitrace.epcis.hashing import canonical_identifier
from unitrace.gs1 import ElementString, InvalidCode, build_digital_link
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.epc import COMPANY_PREFIX_LENGTHS, epc_class_uri, epc_uri, parse_epc_uri
from unitrace.services.epcis_query.values import QueryParameterException
from unitrace.services.epcis_query.values import check_uri as _uri
from unitrace.store.epcis_query.conditions import (
    LOT_INSTANCE_ROLES,
    MATCH_ROLES,
    EpcMatch,
    LotInstances,
)

# --- CBV words ------------------------------------------------------------------------------


def biz_step_spellings(key: str, values: Iterable[str]) -> frozenset[str]:
    """Every spelling of the bizSteps ``values`` name: each CBV word bare, as a URN, as a Web
    URI and as a compact URI; any other URI as written."""
    return _cbv_spellings(key, values, cbv.BIZ_STEP)


def disposition_spellings(key: str, values: Iterable[str]) -> frozenset[str]:
    """Every spelling of the dispositions ``values`` name, as :func:`biz_step_spellings`."""
    return _cbv_spellings(key, values, cbv.DISPOSITION)


def error_reason_spellings(key: str, values: Iterable[str]) -> frozenset[str]:
    """Every spelling of the error reasons ``values`` name, as :func:`biz_step_spellings`."""
    return _cbv_spellings(key, values, cbv.ERROR_REASON)


def _cbv_spellings(key: str, values: Iterable[str], kind: cbv.CbvKind) -> frozenset[str]:
    """Every spelling an event may hold each of ``values`` in: a CBV word bare, as a URN,
    as a Web URI and as a compact URI; any other URI as it is."""
    spellings: set[str] = set()
    for value in values:
        word = cbv.spelled_word(kind, value)
        if word is None:
            _uri(key, value)
            spellings.add(value)
        elif word not in kind.words:
            raise QueryParameterException(key, f"{value!r} is not a CBV {kind.web_name} word")
        else:
            spellings.update(cbv.spellings(kind, word))
    return frozenset(spellings)


def type_spellings(word: str, kind: cbv.CbvKind) -> frozenset[str]:
    """Every spelling of the type ``word`` of an ``EQ_<field>_<type>`` parameter."""
    # a type outside the CBV (an extension's) is spelled as the CBV's are
    return cbv.spellings(kind, word)


# --- places ---------------------------------------------------------------------------------


def place_spellings(key: str, values: Sequence[str]) -> frozenset[str]:
    """Every spelling of the places ``values`` name: a GLN's SGLN URI and Digital Link alike
    (an event may write its place either way); any other URI as it is."""
    spellings: set[str] = set()
    for value in values:
        _uri(key, value)
        try:
            exact, _ = epc_spellings(value)
        except ValueError:
            exact = {value}
        spellings |= exact | {value}
    return frozenset(spellings)


# --- EPCs -----------------------------------------------------------------------------------

_IDPAT = "urn:epc:idpat:"
_EPC_ID = "urn:epc:id:"
_CHECKED_SCHEMES = ("urn:epc:id:sgtin:", "urn:epc:id:sscc:", "urn:epc:id:sgln:")
_CLASS_PARAMETERS = frozenset(key for key in MATCH_ROLES if key.endswith("Class"))


def epc_match(key: str, values: Sequence[str]) -> EpcMatch:
    """What the ``MATCH_`` parameter ``key`` with ``values`` finds: every spelling of each
    value, under the roles the standard gives the parameter."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    lots: dict[str, set[str]] = {}
    for value in values:
        try:
            found_exact, found_prefixes = epc_spellings(value, classes=key in _CLASS_PARAMETERS)
        except ValueError as error:
            raise QueryParameterException(key, str(error)) from None
        exact |= found_exact
        prefixes |= found_prefixes
        lot = lot_of(value) if key in LOT_INSTANCE_ROLES else None
        if lot is not None:
            lots.setdefault(lot[1], set()).update(sgtin_prefixes(lot[0]))
    return EpcMatch(
        MATCH_ROLES[key],
        frozenset(exact),
        frozenset(prefixes),
        lots=tuple(LotInstances(lot, frozenset(found)) for lot, found in sorted(lots.items())),
        lot_roles=LOT_INSTANCE_ROLES.get(key, ()),
    )


def lot_of(value: str) -> tuple[str, str] | None:
    """The (GTIN, lot) an LGTIN names, as an EPC class URI or a GS1 Digital Link with a lot
    (any domain); None for any other value (a pattern names every lot, not one).

    >>> lot_of("urn:epc:class:lgtin:9506000.013435.L%2F1")
    ('09506000134352', 'L/1')
    >>> lot_of("https://example.com/01/09506000134352/10/L1")
    ('09506000134352', 'L1')
    """
    try:
        if value.startswith("urn:epc:class:lgtin:"):
            elements, _ = parse_epc_uri(value)
        elif value.lower().startswith(("http://", "https://")):
            elements = parse_digital_link(value).elements
        else:
            return None
    except InvalidCode:
        return None
    found = {element.ai: element.value for element in elements}
    if "01" not in found or "10" not in found:
        return None
    return found["01"], found["10"]


def sgtin_prefixes(gtin: str) -> set[str]:
    """The prefixes of every spelling of the SGTINs of ``gtin``: the EPC URI with each
    company prefix length (a sender may have used any) and the Digital Link on GS1's resolver
    (the canonical spelling of those captured as Digital Links otherwise).

    >>> sorted(sgtin_prefixes("09506000134352"))[:2]
    ['https://id.gs1.org/01/09506000134352/21/', 'urn:epc:id:sgtin:950600.0013435.']
    """
    found = {f"{GS1_RESOLVER}/01/{gtin}/21/"}
    for length in COMPANY_PREFIX_LENGTHS:
        found.add(f"urn:epc:id:sgtin:{gtin[1 : 1 + length]}.{gtin[0]}{gtin[1 + length : 13]}.")
    return found


def epc_spellings(value: str, *, classes: bool = False) -> tuple[set[str], set[str]]:
    """What a ``MATCH_`` value matches: (exact EPCs, EPC prefixes). Every spelling of the
    object the value names is searched, because events hold EPCs as their sender wrote them:

    - an EPC URI matches itself and its Digital Link on GS1's resolver (``id.gs1.org``);
    - a GS1 Digital Link (any domain) matches itself, the same Digital Link on GS1's resolver,
      and the EPC URI with each company prefix length (the GTIN or SSCC is the same object
      whichever length a sender used);
    - an ``urn:epc:idpat`` pattern matches the EPC URIs it covers, and for an SGTIN pattern with
      its GTIN given the Digital Links on GS1's resolver too; for a class parameter it also
      matches the lots of that GTIN (``urn:epc:class:lgtin``) and the pattern itself;
    - any other URI matches as written.

    An EPC URI or Digital Link also matches as its constrained canonical Digital Link
    (:func:`~unitrace.epcis.hashing.canonical_identifier`): the spelling under which the
    repository indexes the Digital Links events hold on other domains or with a path stem
    (:mod:`unitrace.store.canonical_epcs`), so those are found too.

    >>> sorted(epc_spellings("urn:epc:idpat:sgtin:9506000.013435.*")[1])
    ['https://id.gs1.org/01/09506000134352/21/', 'urn:epc:id:sgtin:9506000.013435.']
    """
    if value.startswith(_IDPAT):
        return _pattern_spellings(value, classes=classes)
    if value.lower().startswith(("http://", "https://")):
        return _digital_link_spellings(value, classes=classes) | _canonical(value), set()
    if value.startswith((_EPC_ID, "urn:epc:class:lgtin:")):
        exact = {value, *_canonical(value)}
        try:
            elements, _ = parse_epc_uri(value)
        except InvalidCode as error:
            if value.startswith(_CHECKED_SCHEMES) or value.startswith("urn:epc:class:"):
                raise ValueError(str(error)) from None
            return exact, set()
        exact.add(build_digital_link(elements, GS1_RESOLVER))
        return exact, set()
    if ":" not in value or any(character.isspace() for character in value):
        raise ValueError(f"{value!r} is neither an EPC URI, a pattern nor a GS1 Digital Link")
    return {value}, set()


def _canonical(value: str) -> set[str]:
    try:
        return {canonical_identifier(value)}
    except ValueError:
        # an EPC URI the hash cannot read names nothing in canonical spelling; whether the
        # value is acceptable at all is for the caller's own checks
        return set()


def _pattern_spellings(value: str, *, classes: bool) -> tuple[set[str], set[str]]:
    scheme, _, body = value.removeprefix(_IDPAT).partition(":")
    fields = body.split(".")
    if not scheme or not body or any(not field for field in fields):
        raise ValueError(f"{value!r} is not an EPC pattern (urn:epc:idpat:scheme:fields)")
    fixed = list(fields)
    while fixed and fixed[-1] == "*":
        fixed.pop()
    if "*" in fixed:
        raise ValueError(f"{value!r}: only the last fields of an EPC pattern may be *")
    exact: set[str] = set()
    prefixes: set[str] = set()
    if len(fixed) == len(fields):
        # no wildcard: the pattern names one EPC
        return epc_spellings(f"{_EPC_ID}{scheme}:{body}", classes=classes)
    prefix = f"{_EPC_ID}{scheme}:" + "".join(field + "." for field in fixed)
    prefixes.add(prefix)
    if scheme == "sgtin" and len(fixed) == 2:
        company_prefix, item_reference = fixed
        if (
            not (company_prefix + item_reference).isdigit()
            or len(company_prefix + item_reference) != 13
        ):
            raise ValueError(f"{value!r}: company prefix and item reference make no GTIN")
        payload = item_reference[:1] + company_prefix + item_reference[1:]
        gtin = payload + gs1_check_digit(payload)
        prefixes.add(f"{GS1_RESOLVER}/01/{gtin}/21/")
        if classes:
            exact.add(value)
            exact.add(f"{GS1_RESOLVER}/01/{gtin}")
            prefixes.add(f"urn:epc:class:lgtin:{company_prefix}.{item_reference}.")
            prefixes.add(f"{GS1_RESOLVER}/01/{gtin}/10/")
    return exact, prefixes


def _digital_link_spellings(value: str, *, classes: bool) -> set[str]:
    try:
        link = parse_digital_link(value)
    except InvalidCode as error:
        raise ValueError(str(error)) from None
    values = dict(link.elements)
    identity_ais = ("01", "10") if classes else ("01", "21", "00", "414", "254")
    identity = [ElementString(ai, values[ai]) for ai in identity_ais if ai in values]
    spellings = {value}
    if not identity:
        return spellings
    spellings.add(build_digital_link(identity, GS1_RESOLVER))
    for length in COMPANY_PREFIX_LENGTHS:
        try:
            if classes and "10" in values:
                spellings.add(epc_class_uri(identity, length))
            elif classes:
                gtin = values["01"]
                spellings.add(
                    f"urn:epc:idpat:sgtin:{gtin[1 : 1 + length]}.{gtin[0]}{gtin[1 + length : 13]}.*"
                )
            else:
                spellings.add(epc_uri(identity, length))
        except (InvalidCode, KeyError):
            # no EPC URI with this company prefix length (or at all): the other spellings
            # still match
            continue
    return spellings
