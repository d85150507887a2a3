"""How each CBV 2.0 vocabulary spells its words: the one place that knows, for business steps,
dispositions, business transaction types, source/destination types, error reasons, sensor
components, and the GS1 Web Vocabulary's measurement and sensor alert types, the URN namespace
(CBV 1.x and the XML binding), the Web URI prefix (CBV 2.0, the event hash) and the compact
URI prefix of the EPCIS JSON-LD context, with the words themselves
(:mod:`unitrace.epcis.vocabulary`).

A word has up to four spellings, and any of them turns into each of the others:

>>> word_of(BIZ_STEP, "urn:epcglobal:cbv:bizstep:shipping")
'shipping'
>>> as_urn(BIZ_STEP, "cbv:BizStep-shipping")
'urn:epcglobal:cbv:bizstep:shipping'
>>> as_web_uri(BIZ_STEP, "shipping")
'https://ref.gs1.org/cbv/BizStep-shipping'
>>> as_compact(DISPOSITION, "https://ref.gs1.org/cbv/Disp-in_transit")
'cbv:Disp-in_transit'

A URI outside the vocabulary is no spelling of its words, and a bare word that is not one of
them is not either:

>>> word_of(BIZ_STEP, "urn:example:step:tasting") is None, word_of(BIZ_STEP, "shiping") is None
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from unitrace.epcis.vocabulary import (
    BizStep,
    BizTransactionType,
    Component,
    Disposition,
    ErrorReason,
    MeasurementType,
    SensorAlertType,
    SourceDestType,
)

#: Where CBV 2.0 terms live on the web, and the GS1 Web Vocabulary's terms.
CBV_WEB = "https://ref.gs1.org/cbv/"
GS1_WEB_VOCABULARY = "https://gs1.org/voc/"


@dataclass(frozen=True, slots=True)
class CbvKind:
    """One vocabulary: its ``name`` in messages, its ``words`` (bare, as the JSON-LD binding
    writes them), and the prefixes that make a word a URI: ``urn`` (None where the vocabulary
    has no URN form), ``web`` and ``compact``. ``web_name`` is the CBV 2.0 class a Web URI
    names (``BizStep``), None for the GS1 Web Vocabulary."""

    name: str
    words: frozenset[str] = field(repr=False)
    web: str
    compact: str
    urn: str | None = None
    web_name: str | None = None

    @classmethod
    def cbv(
        cls, name: str, words: Iterable[str], web_name: str, urn_namespace: str | None = None
    ) -> CbvKind:
        """A CBV 2.0 vocabulary: Web URIs ``https://ref.gs1.org/cbv/<web_name>-<word>``,
        compact URIs ``cbv:<web_name>-<word>`` and, with a namespace, URNs
        ``urn:epcglobal:cbv:<urn_namespace>:<word>``."""
        return cls(
            name,
            frozenset(str(word) for word in words),
            f"{CBV_WEB}{web_name}-",
            f"cbv:{web_name}-",
            None if urn_namespace is None else f"urn:epcglobal:cbv:{urn_namespace}:",
            web_name,
        )

    @classmethod
    def gs1(cls, name: str, words: Iterable[str]) -> CbvKind:
        """A vocabulary of the GS1 Web Vocabulary: ``https://gs1.org/voc/<word>``, ``gs1:<word>``."""
        return cls(name, frozenset(str(word) for word in words), GS1_WEB_VOCABULARY, "gs1:")

    @property
    def urn_namespace(self) -> str | None:
        """The namespace of the vocabulary's URNs (``bizstep``), or None.

        >>> BIZ_STEP.urn_namespace, COMPONENT.urn_namespace
        ('bizstep', None)
        """
        if self.urn is None:
            return None
        return self.urn.removeprefix("urn:epcglobal:cbv:").removesuffix(":")

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every prefix a word of this vocabulary is read from: the URN, the Web URI, the
        compact URI and, for a CBV vocabulary, the ``gs1:`` compact URI some writers use.

        >>> DISPOSITION.prefixes
        ('urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-', 'cbv:Disp-', 'gs1:Disp-')
        """
        also = () if self.web_name is None else (f"gs1:{self.web_name}-",)
        return (*((self.urn,) if self.urn else ()), self.web, self.compact, *also)


BIZ_STEP = CbvKind.cbv("business step", BizStep, "BizStep", "bizstep")
DISPOSITION = CbvKind.cbv("disposition", Disposition, "Disp", "disp")
BIZ_TRANSACTION_TYPE = CbvKind.cbv("business transaction type", BizTransactionType, "BTT", "btt")
SOURCE_DEST_TYPE = CbvKind.cbv("source/destination type", SourceDestType, "SDT", "sdt")
ERROR_REASON = CbvKind.cbv("error reason", ErrorReason, "ER", "er")
COMPONENT = CbvKind.cbv("component", Component, "Comp")
MEASUREMENT_TYPE = CbvKind.gs1("measurement type", MeasurementType)
SENSOR_ALERT_TYPE = CbvKind.gs1("sensor alert type", SensorAlertType)

#: Every vocabulary, and those with a URN form (CBV 2.0 section 8.9, rule 14 writes their URNs
#: as Web URIs).
KINDS: tuple[CbvKind, ...] = (
    BIZ_STEP,
    DISPOSITION,
    BIZ_TRANSACTION_TYPE,
    SOURCE_DEST_TYPE,
    ERROR_REASON,
    COMPONENT,
    MEASUREMENT_TYPE,
    SENSOR_ALERT_TYPE,
)
URN_KINDS: tuple[CbvKind, ...] = tuple(kind for kind in KINDS if kind.urn is not None)


def spelled_word(kind: CbvKind, spelling: str) -> str | None:
    """What follows a prefix of ``kind`` in ``spelling`` (whether or not it is one of its
    words); ``spelling`` itself where it is bare (has no colon); None for any other URI.

    >>> spelled_word(BIZ_STEP, "gs1:BizStep-tasting"), spelled_word(BIZ_STEP, "tasting")
    ('tasting', 'tasting')
    >>> spelled_word(BIZ_STEP, "urn:example:tasting") is None
    True
    """
    for prefix in kind.prefixes:
        if spelling.startswith(prefix):
            return spelling.removeprefix(prefix)
    return None if ":" in spelling else spelling


def word_of(kind: CbvKind, spelling: str) -> str | None:
    """The word of ``kind`` that ``spelling`` (bare, URN, Web URI or compact URI) names, or
    None where it names none."""
    word = spelled_word(kind, spelling)
    return word if word in kind.words else None


def _word(kind: CbvKind, spelling: str) -> str:
    word = word_of(kind, spelling)
    if word is None:
        raise ValueError(f"{spelling!r} is not a CBV {kind.name}")
    return word


def as_word(kind: CbvKind, spelling: str) -> str:
    """The bare word any spelling of a word of ``kind`` names; :class:`ValueError` for
    anything else.

    >>> as_word(SOURCE_DEST_TYPE, "https://ref.gs1.org/cbv/SDT-owning_party")
    'owning_party'
    >>> as_word(SOURCE_DEST_TYPE, "urn:example:sdt:carrier")
    Traceback (most recent call last):
      ...
    ValueError: 'urn:example:sdt:carrier' is not a CBV source/destination type
    """
    return _word(kind, spelling)


def as_urn(kind: CbvKind, spelling: str) -> str:
    """The URN of the word ``spelling`` names; :class:`ValueError` where it names none or the
    vocabulary has no URNs.

    >>> as_urn(MEASUREMENT_TYPE, "Temperature")
    Traceback (most recent call last):
      ...
    ValueError: a CBV measurement type has no URN form
    """
    if kind.urn is None:
        raise ValueError(f"a CBV {kind.name} has no URN form")
    return kind.urn + _word(kind, spelling)


def as_web_uri(kind: CbvKind, spelling: str) -> str:
    """The Web URI of the word ``spelling`` names; :class:`ValueError` where it names none.

    >>> as_web_uri(MEASUREMENT_TYPE, "gs1:Temperature")
    'https://gs1.org/voc/Temperature'
    """
    return kind.web + _word(kind, spelling)


def as_compact(kind: CbvKind, spelling: str) -> str:
    """The compact URI of the word ``spelling`` names; :class:`ValueError` where it names none.

    >>> as_compact(COMPONENT, "https://ref.gs1.org/cbv/Comp-latitude")
    'cbv:Comp-latitude'
    """
    return kind.compact + _word(kind, spelling)


def spellings(kind: CbvKind, word: str) -> frozenset[str]:
    """Every spelling an event may hold ``word`` of ``kind`` in: bare, and after each of the
    vocabulary's :attr:`~CbvKind.prefixes`. ``word`` need not be one of the vocabulary's (an
    extension's type is spelled the same way).

    >>> sorted(spellings(BIZ_STEP, "shipping"))  # doctest: +NORMALIZE_WHITESPACE
    ['cbv:BizStep-shipping', 'gs1:BizStep-shipping', 'https://ref.gs1.org/cbv/BizStep-shipping',
     'shipping', 'urn:epcglobal:cbv:bizstep:shipping']
    """
    return frozenset({word, *(prefix + word for prefix in kind.prefixes)})


def urn_as_web_uri(uri: str) -> str | None:
    """The Web URI of a CBV URN of any vocabulary with URNs, whatever follows its namespace
    (CBV 2.0 section 8.9, rule 14); None for any other text.

    >>> urn_as_web_uri("urn:epcglobal:cbv:btt:po"), urn_as_web_uri("urn:epcglobal:cbv:mda:x")
    ('https://ref.gs1.org/cbv/BTT-po', None)
    """
    for urn, web in _URN_WEB:
        if uri.startswith(urn):
            return web + uri[len(urn) :]
    return None


_URN_WEB: tuple[tuple[str, str], ...] = tuple(
    (kind.urn, kind.web) for kind in URN_KINDS if kind.urn is not None
)
