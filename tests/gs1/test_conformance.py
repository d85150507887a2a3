"""unitrace's GS1 code layer against the official GS1 Barcode Syntax Dictionary in
``../shared/conformance/gs1``: every AI known with its format, every Digital Link primary key
and qualifier order honoured."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.gs1.ai_examples import example_value
from unitrace.gs1 import (
    GROUP_SEPARATOR,
    ElementString,
    InvalidCombination,
    InvalidDigitalLink,
    InvalidLength,
    format_hri,
    validate_element,
)
from unitrace.gs1.digital_link import parse_any_digital_link
from unitrace.gs1.element_strings import split_element_string
from unitrace.gs1.elements import validate_combination
from unitrace.gs1.linters import LINTERS, LINTERS_NOT_ENFORCED
from unitrace.gs1.syntax_dictionary import (
    SYNTAX_DICTIONARY,
    SyntaxDictionary,
    parse_syntax_dictionary,
)

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def official(conformance: Path) -> SyntaxDictionary:
    path = conformance / "gs1" / "gs1-syntax-dictionary.txt"
    return parse_syntax_dictionary(path.read_text(encoding="utf-8"))


def test_the_shipped_dictionary_is_the_official_release(official: SyntaxDictionary) -> None:
    assert dict(SYNTAX_DICTIONARY) == dict(official)


def test_every_linter_the_dictionary_names_is_enforced_or_declared_not_enforced(
    official: SyntaxDictionary,
) -> None:
    named = {name for entry in official.values() for name in entry.linters}
    assert named - set(LINTERS) - LINTERS_NOT_ENFORCED == set()


def _official_ais() -> list[str]:
    return sorted(SYNTAX_DICTIONARY)


@pytest.mark.parametrize("ai", _official_ais())
def test_every_ai_is_known_with_its_format_and_splits_out_of_barcode_data(
    ai: str, official: SyntaxDictionary
) -> None:
    entry = official[ai]
    value = example_value(entry)
    validate_element(ai, value)
    with pytest.raises(InvalidLength, match=rf"^AI \({ai}\): "):
        validate_element(ai, value + "9" * (entry.max_length - len(value) + 1))
    # A predefined-length AI needs no FNC1 before the next AI; any other does.
    separator = "" if entry.predefined_length else GROUP_SEPARATOR
    assert split_element_string(ai + value + separator + "99X") == (
        ElementString(ai, value),
        ElementString("99", "X"),
    )
    assert format_hri([ElementString(ai, value)]) == f"({ai}){value}"


def _qualifier_paths() -> list[tuple[str, tuple[str, ...]]]:
    return [
        (key, path)
        for key, entry in sorted(SYNTAX_DICTIONARY.items())
        if entry.digital_link_primary_key
        for path in (entry.digital_link_qualifier_paths or ((),))
    ]


def _digital_link(ais: tuple[str, ...]) -> str:
    path = "".join(f"/{ai}/{quote(example_value(SYNTAX_DICTIONARY[ai]), safe='')}" for ai in ais)
    return "https://id.example.com" + path


@pytest.mark.parametrize(("key", "qualifiers"), _qualifier_paths())
def test_every_primary_key_takes_its_qualifiers_in_order_and_refuses_them_reversed(
    key: str, qualifiers: tuple[str, ...], official: SyntaxDictionary
) -> None:
    assert official[key].digital_link_primary_key
    ais = (key, *qualifiers)
    uri = _digital_link(ais)
    try:
        validate_combination(ais)
    except InvalidCombination:
        # e.g. (8006) with (22): the path order is right, the pairing rules refuse it
        with pytest.raises(InvalidCombination):
            parse_any_digital_link(uri)
    else:
        assert tuple(e.ai for e in parse_any_digital_link(uri).elements) == ais
    if len(qualifiers) > 1:
        with pytest.raises(InvalidDigitalLink, match="must come after"):
            parse_any_digital_link(_digital_link((key, *reversed(qualifiers))))


@pytest.mark.parametrize("ai", _official_ais())
def test_only_flagged_ais_may_stand_in_the_query_string(
    ai: str, official: SyntaxDictionary
) -> None:
    value = quote(example_value(official[ai]), safe="")
    uri = f"https://id.example.com/414/9520123456788?{ai}={value}"
    if ai == "414":
        expected: type[Exception] | None = InvalidDigitalLink  # the key itself, repeated
    elif ai in ("254", "7040") or not official[ai].digital_link_attribute:
        expected = InvalidDigitalLink
    else:
        try:
            validate_combination(("414", ai))
            expected = None
        except InvalidCombination:
            expected = InvalidCombination
    if expected is None:
        assert parse_any_digital_link(uri).elements[-1].ai == ai
    else:
        with pytest.raises(expected):
            parse_any_digital_link(uri)
