"""Random valid identities survive every encoding unitrace writes and reads back."""

from __future__ import annotations

import biip
from hypothesis import given
from hypothesis import strategies as st

from tests.gs1.strategies import identities, resolver_bases
from unitrace.gs1 import ScanForm, UnitIdentity, parse
from unitrace.gs1.digital_link import parse_any_digital_link, parse_digital_link


@given(identities)
def test_hri_round_trip(unit: UnitIdentity) -> None:
    scan = parse(unit.hri())
    assert (scan.form, scan.identity()) == (ScanForm.HRI, unit)


@given(identities, st.sampled_from(["", "]d2", "]Q3", "]C1"]))
def test_element_string_round_trip(unit: UnitIdentity, symbology: str) -> None:
    scan = parse(symbology + unit.element_string())
    assert (scan.form, scan.identity()) == (ScanForm.ELEMENT_STRING, unit)


@given(identities, resolver_bases)
def test_digital_link_round_trip(unit: UnitIdentity, base: str) -> None:
    uri = unit.digital_link(base)
    assert uri.startswith(base + "/01/")
    scan = parse(uri)
    assert (scan.form, scan.identity()) == (ScanForm.DIGITAL_LINK, unit)


@given(identities, resolver_bases)
def test_the_printed_form_fast_path_reads_exactly_as_the_general_parser(
    unit: UnitIdentity, base: str
) -> None:
    uri = unit.digital_link(base)
    assert parse_digital_link(uri) == parse_any_digital_link(uri)


@given(identities)
def test_biip_reads_our_element_strings_as_we_do(unit: UnitIdentity) -> None:
    """biip, an independent GS1 parser, is the oracle for the data we put in symbols."""
    theirs = biip.parse("]d2" + unit.element_string()).gs1_message
    assert theirs is not None
    assert [(e.ai.ai, e.value) for e in theirs.element_strings] == list(unit.elements)
