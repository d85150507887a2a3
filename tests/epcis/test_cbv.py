"""The spellings of the CBV vocabularies (unitrace.epcis.cbv): every kind in every form, words
of no vocabulary, URIs outside it, and a property that converting between the forms
round-trips for every word of every kind."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.epcis import cbv
from unitrace.epcis.cbv import (
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    COMPONENT,
    DISPOSITION,
    ERROR_REASON,
    KINDS,
    MEASUREMENT_TYPE,
    SENSOR_ALERT_TYPE,
    SOURCE_DEST_TYPE,
    CbvKind,
    as_compact,
    as_urn,
    as_web_uri,
    as_word,
    spelled_word,
    spellings,
    urn_as_web_uri,
    word_of,
)
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

# kind, a word of it, its URN (None where the kind has none), its Web URI, its compact URI
FORMS = [
    (
        BIZ_STEP,
        "shipping",
        "urn:epcglobal:cbv:bizstep:shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "cbv:BizStep-shipping",
    ),
    (
        DISPOSITION,
        "in_transit",
        "urn:epcglobal:cbv:disp:in_transit",
        "https://ref.gs1.org/cbv/Disp-in_transit",
        "cbv:Disp-in_transit",
    ),
    (
        BIZ_TRANSACTION_TYPE,
        "po",
        "urn:epcglobal:cbv:btt:po",
        "https://ref.gs1.org/cbv/BTT-po",
        "cbv:BTT-po",
    ),
    (
        SOURCE_DEST_TYPE,
        "owning_party",
        "urn:epcglobal:cbv:sdt:owning_party",
        "https://ref.gs1.org/cbv/SDT-owning_party",
        "cbv:SDT-owning_party",
    ),
    (
        ERROR_REASON,
        "did_not_occur",
        "urn:epcglobal:cbv:er:did_not_occur",
        "https://ref.gs1.org/cbv/ER-did_not_occur",
        "cbv:ER-did_not_occur",
    ),
    (COMPONENT, "latitude", None, "https://ref.gs1.org/cbv/Comp-latitude", "cbv:Comp-latitude"),
    (MEASUREMENT_TYPE, "Temperature", None, "https://gs1.org/voc/Temperature", "gs1:Temperature"),
    (
        SENSOR_ALERT_TYPE,
        "ALARM_CONDITION",
        None,
        "https://gs1.org/voc/ALARM_CONDITION",
        "gs1:ALARM_CONDITION",
    ),
]
FORM_IDS = [kind.name for kind, *_ in FORMS]


def test_every_kind_is_in_the_table() -> None:
    assert {kind for kind, *_ in FORMS} == set(KINDS)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (BIZ_STEP, BizStep),
        (DISPOSITION, Disposition),
        (BIZ_TRANSACTION_TYPE, BizTransactionType),
        (SOURCE_DEST_TYPE, SourceDestType),
        (ERROR_REASON, ErrorReason),
        (COMPONENT, Component),
        (MEASUREMENT_TYPE, MeasurementType),
        (SENSOR_ALERT_TYPE, SensorAlertType),
    ],
    ids=FORM_IDS,
)
def test_the_words_of_a_kind_are_those_of_its_enum(kind: CbvKind, words: type[StrEnum]) -> None:
    assert kind.words == {word.value for word in words}


@pytest.mark.parametrize(("kind", "word", "urn", "web", "compact"), FORMS, ids=FORM_IDS)
def test_every_spelling_turns_into_every_form(
    kind: CbvKind, word: str, urn: str | None, web: str, compact: str
) -> None:
    for spelling in (word, urn, web, compact):
        if spelling is None:
            continue
        assert word_of(kind, spelling) == word
        assert as_word(kind, spelling) == word
        assert as_web_uri(kind, spelling) == web
        assert as_compact(kind, spelling) == compact
        if urn is None:
            with pytest.raises(ValueError, match="has no URN form"):
                as_urn(kind, spelling)
        else:
            assert as_urn(kind, spelling) == urn


@pytest.mark.parametrize(("kind", "word", "urn", "web", "compact"), FORMS, ids=FORM_IDS)
def test_the_prefixes_of_a_kind(
    kind: CbvKind, word: str, urn: str | None, web: str, compact: str
) -> None:
    assert kind.web + word == web
    assert kind.compact + word == compact
    assert (None if kind.urn is None else kind.urn + word) == urn
    assert kind.urn_namespace == (None if urn is None else urn.split(":")[3])


@pytest.mark.parametrize(("kind", "word", "urn", "web", "compact"), FORMS, ids=FORM_IDS)
def test_every_spelling_an_event_may_hold(
    kind: CbvKind, word: str, urn: str | None, web: str, compact: str
) -> None:
    expected = {word, web, compact}
    if urn is not None:
        expected.add(urn)
    if kind.web_name is not None:  # a gs1: compact URI of a CBV class, as some writers use
        expected.add(f"gs1:{kind.web_name}-{word}")
    assert spellings(kind, word) == expected
    for spelling in expected:
        assert spelled_word(kind, spelling) == word


@pytest.mark.parametrize(
    ("kind", "spelling"),
    [
        (BIZ_STEP, "shiping"),
        (BIZ_STEP, "urn:epcglobal:cbv:bizstep:shiping"),
        (BIZ_STEP, "https://ref.gs1.org/cbv/BizStep-"),
        (BIZ_STEP, "urn:epcglobal:cbv:disp:in_transit"),  # a word of another kind
        (BIZ_STEP, "urn:example:bizstep:tasting"),
        (BIZ_STEP, "SHIPPING"),
        (DISPOSITION, "shipping"),
        (DISPOSITION, "https://ref.gs1.org/cbv/BizStep-shipping"),
        (BIZ_TRANSACTION_TYPE, "shipment"),
        (SOURCE_DEST_TYPE, "urn:example:sdt:carrier"),
        (ERROR_REASON, "cbv:ER-mistake"),
        (COMPONENT, "w"),
        (MEASUREMENT_TYPE, "temperature"),
        (MEASUREMENT_TYPE, "https://gs1.org/voc/Colour"),
        (SENSOR_ALERT_TYPE, "gs1:ALARM"),
    ],
)
def test_what_is_no_word_of_a_kind(kind: CbvKind, spelling: str) -> None:
    assert word_of(kind, spelling) is None
    for convert in (as_word, as_web_uri, as_compact):
        with pytest.raises(ValueError, match="is not a CBV"):
            convert(kind, spelling)


@pytest.mark.parametrize(
    ("spelling", "word"),
    [
        ("tasting", "tasting"),  # bare: taken as written, a word or not
        ("urn:epcglobal:cbv:bizstep:tasting", "tasting"),
        ("https://ref.gs1.org/cbv/BizStep-tasting", "tasting"),
        ("cbv:BizStep-tasting", "tasting"),
        ("gs1:BizStep-tasting", "tasting"),
        ("urn:example:tasting", None),
        ("https://ref.gs1.org/cbv/Disp-active", None),
    ],
)
def test_the_word_a_spelling_spells(spelling: str, word: str | None) -> None:
    assert spelled_word(BIZ_STEP, spelling) == word


def test_spellings_of_a_word_outside_the_vocabulary() -> None:
    assert spellings(BIZ_TRANSACTION_TYPE, "shipment") == {
        "shipment",
        "urn:epcglobal:cbv:btt:shipment",
        "https://ref.gs1.org/cbv/BTT-shipment",
        "cbv:BTT-shipment",
        "gs1:BTT-shipment",
    }


@pytest.mark.parametrize(
    ("uri", "web"),
    [
        ("urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping"),
        ("urn:epcglobal:cbv:disp:in_transit", "https://ref.gs1.org/cbv/Disp-in_transit"),
        ("urn:epcglobal:cbv:btt:po", "https://ref.gs1.org/cbv/BTT-po"),
        ("urn:epcglobal:cbv:sdt:location", "https://ref.gs1.org/cbv/SDT-location"),
        ("urn:epcglobal:cbv:er:incorrect_data", "https://ref.gs1.org/cbv/ER-incorrect_data"),
        # whatever follows the namespace: the hash rewrites the prefix only
        ("urn:epcglobal:cbv:bizstep:tasting", "https://ref.gs1.org/cbv/BizStep-tasting"),
        ("urn:epcglobal:cbv:mda:site", None),
        ("URN:EPCGLOBAL:CBV:BIZSTEP:shipping", None),
        ("shipping", None),
    ],
)
def test_urns_as_web_uris(uri: str, web: str | None) -> None:
    assert urn_as_web_uri(uri) == web


def test_only_cbv_kinds_have_urns() -> None:
    assert [kind.urn_namespace for kind in cbv.URN_KINDS] == ["bizstep", "disp", "btt", "sdt", "er"]


@st.composite
def _words(draw: st.DrawFn) -> tuple[CbvKind, str]:
    kind = draw(st.sampled_from(KINDS))
    return kind, draw(st.sampled_from(sorted(kind.words)))


@given(_words(), st.sampled_from(["word", "urn", "web", "compact"]))
def test_converting_between_the_forms_round_trips(
    kind_and_word: tuple[CbvKind, str], start: str
) -> None:
    kind, word = kind_and_word
    if start == "urn" and kind.urn is None:
        start = "word"
    spelling = {
        "word": word,
        "urn": kind.urn + word if kind.urn else word,
        "web": kind.web + word,
        "compact": kind.compact + word,
    }[start]
    web = as_web_uri(kind, spelling)
    compact = as_compact(kind, spelling)
    assert as_word(kind, web) == as_word(kind, compact) == as_word(kind, spelling) == word
    assert as_web_uri(kind, compact) == web
    assert as_compact(kind, web) == compact
    if kind.urn is not None:
        urn = as_urn(kind, spelling)
        assert as_word(kind, urn) == word
        assert as_urn(kind, web) == as_urn(kind, compact) == urn
        assert as_web_uri(kind, urn) == web == urn_as_web_uri(urn)
        assert as_compact(kind, urn) == compact
    assert spellings(kind, word) >= {word, web, compact}
    assert all(word_of(kind, each) == word for each in spellings(kind, word))
