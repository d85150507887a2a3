"""EPC URIs and GS1 Digital Links that name objects, classes, places and parties, read through
the code layer (:mod:`unitrace.gs1`): :func:`identifier_problem` says what is wrong with one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.epc import parse_epc_uri
from unitrace.gs1.errors import InvalidCode
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY

_EPC_SCHEMES_READ = ("id:sgtin:", "id:sscc:", "id:sgln:", "class:lgtin:")
_DIGITAL_LINK_KEYS = frozenset(
    ai for ai, entry in SYNTAX_DICTIONARY.items() if entry.digital_link_primary_key
)


# The common shapes of the EPCs a packaging line writes, with serials of letters and digits
# only: every URI these match is one parse_epc_uri reads (the check digit is computed, not
# written), so they are taken without the full parse, which costs ten times as much. The
# property tests hold the two to that.
PLAIN_EPC = re.compile(
    r"urn:epc:id:(?:"
    r"sgtin:(?=[0-9.]{14}\.)[0-9]{6,12}\.[0-9]{1,7}\.[A-Za-z0-9]{1,20}"
    r"|sscc:(?=[0-9.]{18}$)[0-9]{6,12}\.[0-9]{5,11}"
    r"|sgln:(?=[0-9.]{13}\.)[0-9]{6,12}\.[0-9]{0,6}\.[A-Za-z0-9]{1,20}"
    r")",
    re.ASCII,
)


# The AIs of a Digital Link that name one object rather than a class: a serial (of a GTIN),
# an SSCC, an individual asset.
_INSTANCE_AIS = frozenset({"00", "21", "8004"})


def instance_problem(uri: str) -> str | None:
    """Why ``uri`` may not stand as an EPC class (a quantity element's ``epcClass``), or None:
    an instance EPC URI (``urn:epc:id:…``) or a Digital Link naming one object (a serial, an
    SSCC, an individual asset) names an object, not a class.

    >>> instance_problem("urn:epc:class:lgtin:4012345.012345.998877") is None
    True
    >>> instance_problem("urn:epc:id:sgtin:0614141.107346.2017")
    'names one object (an instance EPC URI), not a class'
    >>> instance_problem("https://id.gs1.org/01/09506000134352/21/1")
    'names one object (a Digital Link with AI (21)), not a class'
    """
    if uri[:11].lower() == "urn:epc:id:":
        return "names one object (an instance EPC URI), not a class"
    if uri[:8].lower().startswith(("http://", "https://")):
        path = uri.partition("//")[2].partition("?")[0].partition("#")[0]
        segments = path.split("/")[1:]
        if any(segment in _DIGITAL_LINK_KEYS for segment in segments[:-1]):
            try:
                link = parse_digital_link(uri)
            except InvalidCode:
                return None  # identifier_problem says what is wrong with it
            for ai, _ in link.elements:
                if ai in _INSTANCE_AIS:
                    return f"names one object (a Digital Link with AI ({ai})), not a class"
    return None


@lru_cache(maxsize=8192)
def identifier_problem(uri: str) -> str | None:
    """What is wrong with ``uri`` as the name of an object, class, place or party, or None:
    EPC URIs of the schemes :mod:`unitrace.gs1` reads, and GS1 Digital Links (an http(s) URI
    with a GS1 primary key in its path), are read in full; other URIs pass.

    >>> identifier_problem("urn:epc:id:sgtin:0614141.107346.2017") is None
    True
    >>> identifier_problem("https://id.gs1.org/01/09506000134353/21/1")
    'AI (01): check digit 2 expected, got 3'
    >>> identifier_problem("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6") is None
    True
    """
    lowered = uri[:8].lower()
    if lowered == "urn:epc:":
        if PLAIN_EPC.fullmatch(uri) is None and uri[8:].startswith(_EPC_SCHEMES_READ):
            try:
                parse_epc_uri(uri)
            except InvalidCode as error:
                return str(error)
        return None
    if lowered.startswith(("http://", "https://")):
        path = uri.partition("//")[2].partition("?")[0].partition("#")[0]
        segments = path.split("/")[1:]
        if any(segment in _DIGITAL_LINK_KEYS for segment in segments[:-1]):
            try:
                parse_digital_link(uri)
            except InvalidCode as error:
                return str(error)
    return None
