"""How events name things: units, cases, pallets, places and parties, as URIs.

EPCIS names an object by its EPC pure-identity URI (``urn:epc:id:sgtin:0614141.812345.6789``),
which marks where the GS1 company prefix ends. A GS1 key alone does not say so, so
:class:`EpcNaming` is given the company prefixes the registry knows (each product's GTIN cut at
its company prefix length). GS1 company prefixes are allocated so that none is the start of
another, which lets a case GTIN, an SSCC or a GLN that starts with a known prefix be named with
it too. For a key under no known prefix the GS1 Digital Link URI on GS1's resolver is used
instead (``https://id.gs1.org/01/…/21/…``), which EPCIS 2.0 accepts wherever an EPC is expected.

Every object gets exactly one name, whatever form its code was given in, because the event index
is searched by that name.

>>> naming = EpcNaming.of([(Gtin("80614141123458"), 7)])
>>> naming.sgtin(Gtin("80614141123458"), "6789")
'urn:epc:id:sgtin:0614141.812345.6789'
>>> naming.sscc(Sscc("106141412345678908"))
'urn:epc:id:sscc:0614141.1234567890'
>>> naming.sgln(Gln("0614141000036")), naming.pgln(Gln("0614141000036"))
('urn:epc:id:sgln:0614141.00003.0', 'urn:epc:id:pgln:0614141.00003')
>>> naming.sgtin(Gtin("09506000134352"), "A/1")
'https://id.gs1.org/01/09506000134352/21/A%2F1'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from unitrace.gs1 import ElementString, Gln, Gtin, Sscc, build_digital_link
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.epc import COMPANY_PREFIX_LENGTHS, epc_class_uri, epc_uri

_SGTIN: Final = "urn:epc:id:sgtin:"
_SSCC: Final = "urn:epc:id:sscc:"
#: A serial an EPC URI writes as it is (no character of it needs an escape).
_PLAIN_SERIAL: Final = re.compile(r"[A-Za-z0-9]{1,20}")

#: Where objects under no known company prefix are named: GS1's own resolver, the canonical
#: Digital Link domain.
GS1_RESOLVER = "https://id.gs1.org"


@dataclass(frozen=True, slots=True)
class SerialUriTemplate:
    """The URI of every unit of one product: ``prefix`` and then the serial, each character in
    ``escapes`` written as its escape. A database can build a million of them in one statement
    this way; ``%`` comes first among the escapes, because the others introduce it.

    >>> template = EpcNaming.of([(Gtin("80614141123458"), 7)]).serial_template(
    ...     Gtin("80614141123458"), "AB/%")
    >>> template
    SerialUriTemplate(prefix='urn:epc:id:sgtin:0614141.812345.', escapes=(('%', '%25'), ('/', '%2F')))
    >>> template.uri("A/B%")
    'urn:epc:id:sgtin:0614141.812345.A%2FB%25'
    """

    prefix: str
    escapes: tuple[tuple[str, str], ...] = ()

    def uri(self, serial: str) -> str:
        for character, escape in self.escapes:
            serial = serial.replace(character, escape)
        return self.prefix + serial


@dataclass(frozen=True, slots=True)
class EpcNaming:
    """Names for units, containers, places and parties, given the known company prefixes."""

    company_prefixes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, products: Iterable[tuple[Gtin, int | None]]) -> EpcNaming:
        """The naming for products given as (GTIN, company prefix length or None)."""
        return cls(
            frozenset(gtin.value[1 : 1 + length] for gtin, length in products if length is not None)
        )

    def company_prefix_length(self, digits: str) -> int | None:
        """The length of the known company prefix ``digits`` start with, if any (the longest,
        should the registry hold prefixes that break the GS1 rule that none starts another)."""
        for length in reversed(COMPANY_PREFIX_LENGTHS):
            if digits[:length] in self.company_prefixes:
                return length
        return None

    def sgtin(self, gtin: Gtin, serial: str) -> str:
        """A unit or a case: GTIN + serial."""
        elements = (ElementString("01", gtin.value), ElementString("21", serial))
        length = self.company_prefix_length(gtin.value[1:13])
        if length is None:
            return build_digital_link(elements, GS1_RESOLVER)
        return epc_uri(elements, length)

    def lgtin(self, gtin: Gtin, lot: str) -> str:
        """A lot: its EPC class (GTIN + lot), for a ``quantityList``.

        >>> EpcNaming.of([(Gtin("80614141123458"), 7)]).lgtin(Gtin("80614141123458"), "L/1")
        'urn:epc:class:lgtin:0614141.812345.L%2F1'
        >>> EpcNaming().lgtin(Gtin("80614141123458"), "L1")
        'https://id.gs1.org/01/80614141123458/10/L1'
        """
        elements = (ElementString("01", gtin.value), ElementString("10", lot))
        length = self.company_prefix_length(gtin.value[1:13])
        if length is None:
            return build_digital_link(elements, GS1_RESOLVER)
        return epc_class_uri(elements, length)

    def own_sgtin(self, uri: str) -> tuple[Gtin, str] | None:
        """The GTIN and serial of ``uri`` when it is the very name :meth:`sgtin` gives that
        unit (an SGTIN URI under a known company prefix, its serial of letters and digits);
        None for any other text, which the general reader then takes. Partners' events name
        tens of thousands of units this way, and reading them needs no parser.

        >>> naming = EpcNaming.of([(Gtin("80614141123458"), 7)])
        >>> naming.own_sgtin("urn:epc:id:sgtin:0614141.812345.6789")
        (Gtin(value='80614141123458'), '6789')
        >>> naming.own_sgtin("urn:epc:id:sgtin:0614142.812345.6789") is None  # unknown prefix
        True
        """
        parts = _sgtin_parts(uri)
        if parts is None:
            return None
        prefix, reference, serial = parts
        if (
            prefix not in self.company_prefixes
            or len(prefix) + len(reference) != 13
            or not (reference.isascii() and reference.isdigit())
            or _PLAIN_SERIAL.fullmatch(serial) is None
            or self.company_prefix_length(prefix + reference[1:]) != len(prefix)
        ):
            return None
        return _gtin_of(reference[0] + prefix + reference[1:]), serial

    def serial_template(self, gtin: Gtin, alphabet: str) -> SerialUriTemplate:
        """The template of :meth:`sgtin` for every serial of ``gtin`` drawn from ``alphabet``;
        only the characters of ``alphabet`` that need an escape are listed."""
        # a digit is written as it is in every form, so what precedes it is the prefix
        prefix = self.sgtin(gtin, "0")[:-1]
        escapes = []
        for character in sorted(set(alphabet), key=lambda c: (c != "%", c)):
            written = self.sgtin(gtin, character)[len(prefix) :]
            if written != character:
                escapes.append((character, written))
        return SerialUriTemplate(prefix, tuple(escapes))

    def sscc(self, sscc: Sscc) -> str:
        """A pallet or a case with an SSCC label."""
        elements = (ElementString("00", sscc.value),)
        length = self.company_prefix_length(sscc.value[1:17])
        if length is None:
            return build_digital_link(elements, GS1_RESOLVER)
        return epc_uri(elements, length)

    def sgtin_gtin(self, uri: str) -> str | None:
        """The GTIN (14 digits) an SGTIN URI names, wherever its company prefix is cut, read
        without the parser; None for text that is not a plain SGTIN URI. A unit is the same
        unit whatever the cut, so a partner's odd cut must not hide one of ours.

        >>> naming = EpcNaming.of([(Gtin("09506000134352"), 7)])
        >>> naming.sgtin_gtin("urn:epc:id:sgtin:95060001.03435.S1")
        '09506000134352'
        >>> naming.sgtin_gtin("urn:epc:id:sgtin:9506000.013435") is None
        True
        """
        parts = _sgtin_parts(uri)
        if parts is None:
            return None
        prefix, reference, _ = parts
        digits = reference[:1] + prefix + reference[1:]
        if len(digits) != 13 or not (digits.isascii() and digits.isdigit()):
            return None
        return digits + gs1_check_digit(digits)

    def plain_sscc(self, uri: str) -> str | None:
        """The name :meth:`sscc` gives the SSCC a plain SSCC URI spells, read without the
        parser (partners' events name their own pallets by the thousand): the URI itself
        under a known company prefix, else the SSCC's Digital Link. None for any other text,
        which the general reader then takes.

        >>> naming = EpcNaming.of([(Gtin("09506000134352"), 7)])
        >>> naming.plain_sscc("urn:epc:id:sscc:9506000.1000000001")
        'urn:epc:id:sscc:9506000.1000000001'
        >>> naming.plain_sscc("urn:epc:id:sscc:0614141.1234567890")
        'https://id.gs1.org/00/106141412345678908'
        """
        if not uri.startswith(_SSCC):
            return None
        prefix, dot, reference = uri[len(_SSCC) :].partition(".")
        digits = reference[:1] + prefix + reference[1:]
        if not dot or len(digits) != 17 or not (digits.isascii() and digits.isdigit()):
            return None
        known = self.company_prefix_length(digits[1:])
        if known == len(prefix):
            return uri
        if known is not None:
            return None  # a known prefix cut elsewhere: the general reader names it
        return f"{GS1_RESOLVER}/00/{digits}{gs1_check_digit(digits)}"

    def sgln(self, gln: Gln) -> str:
        """A place, for ``readPoint``, ``bizLocation`` and a ``location`` destination."""
        length = self.company_prefix_length(gln.value[:12])
        if length is None:
            return build_digital_link([ElementString("414", gln.value)], GS1_RESOLVER)
        return epc_uri([ElementString("414", gln.value)], length)

    def pgln(self, gln: Gln) -> str:
        """A party, for an ``owning_party`` source or destination (TDS section 6.3.20: the
        company prefix and the party reference, without the check digit)."""
        length = self.company_prefix_length(gln.value[:12])
        if length is None:
            return build_digital_link([ElementString("417", gln.value)], GS1_RESOLVER)
        return f"urn:epc:id:pgln:{gln.value[:length]}.{gln.value[length:12]}"


@lru_cache(maxsize=4096)
def _gtin_of(digits: str) -> Gtin:
    """The GTIN of 13 digits (indicator, company prefix, item reference) and its check digit."""
    return Gtin(digits + gs1_check_digit(digits))


def _sgtin_parts(uri: str) -> tuple[str, str, str] | None:
    """The company prefix, item reference and serial an SGTIN URI spells, unchecked; None
    for text that is no SGTIN URI of three parts."""
    if not uri.startswith(_SGTIN):
        return None
    parts = uri[len(_SGTIN) :].split(".")
    if len(parts) != 3:
        return None
    return parts[0], parts[1], parts[2]
