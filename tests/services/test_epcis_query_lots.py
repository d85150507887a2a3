"""The lot an LGTIN value of a class parameter names: every spelling of one lot (EPC class
URI with any company prefix length, Digital Link on any domain) reads as the same GTIN and lot,
and its SGTINs' prefixes cover the serials of that GTIN in every spelling, no other GTIN's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.epcis import GS1_RESOLVER
from unitrace.gs1 import ElementString, build_digital_link
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.epc import epc_class_uri, epc_uri
from unitrace.services.epcis_query.spellings import lot_of, sgtin_prefixes

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
gtins = st.text("0123456789", min_size=13, max_size=13).map(lambda p: p + gs1_check_digit(p))
lots = st.text(CSET82, min_size=1, max_size=20)
lengths = st.integers(min_value=6, max_value=12)


@given(gtins, lots, lengths)
def test_every_spelling_of_an_lgtin_reads_as_its_gtin_and_lot(
    gtin: str, lot: str, length: int
) -> None:
    identity = [ElementString("01", gtin), ElementString("10", lot)]
    for spelled in (
        epc_class_uri(identity, length),
        build_digital_link(identity, GS1_RESOLVER),
        build_digital_link(identity, "https://brand.example/shop"),
    ):
        assert lot_of(spelled) == (gtin, lot), spelled


@given(gtins, st.text(CSET82, min_size=1, max_size=20), lengths)
def test_the_sgtin_prefixes_of_a_gtin_cover_its_serials_in_each_spelling(
    gtin: str, serial: str, length: int
) -> None:
    identity = [ElementString("01", gtin), ElementString("21", serial)]
    prefixes = sgtin_prefixes(gtin)
    for spelled in (epc_uri(identity, length), build_digital_link(identity, GS1_RESOLVER)):
        assert [p for p in prefixes if spelled.startswith(p)] != [], spelled
    # another item reference of the same company
    changed = gtin[:12] + str((int(gtin[12]) + 1) % 10)
    other = changed + gs1_check_digit(changed)
    elsewhere = epc_uri([ElementString("01", other), ElementString("21", serial)], length)
    assert not [p for p in prefixes if elsewhere.startswith(p)], elsewhere


@pytest.mark.parametrize(
    "value",
    [
        "urn:epc:idpat:sgtin:0614141.107346.*",  # every lot: no one lot
        "urn:epc:id:sgtin:0614141.107346.S1",
        "https://id.gs1.org/01/10614141073464",  # a GTIN without lot
        "https://id.gs1.org/01/10614141073464/21/S1",
        "urn:epc:class:lgtin:0614141.107346",  # not an LGTIN
        "urn:example:class:1",
    ],
)
def test_a_value_naming_no_lot_reaches_no_instances(value: str) -> None:
    assert lot_of(value) is None
