"""The NDC a US GTIN carries: read back from every GTIN built around one, and none from a
GTIN without the 03 prefix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.ndc import ndc_of


def gtin_of(indicator: str, middle: str) -> str:
    body = indicator + middle
    return body + str(gs1_check_digit(body))


@given(
    indicator=st.sampled_from("012345678"),
    ndc=st.text(alphabet="0123456789", min_size=10, max_size=10),
)
def test_the_ndc_of_a_us_gtin_is_the_ten_digits_after_03(indicator: str, ndc: str) -> None:
    assert ndc_of(gtin_of(indicator, "03" + ndc)) == ndc


@given(
    indicator=st.sampled_from("012345678"),
    rest=st.text(alphabet="0123456789", min_size=12, max_size=12).filter(
        lambda digits: not digits.startswith("03")
    ),
)
def test_a_gtin_without_the_03_prefix_carries_none(indicator: str, rest: str) -> None:
    assert ndc_of(gtin_of(indicator, rest)) is None


@pytest.mark.parametrize(
    ("gtin", "ndc"),
    [
        ("00363323003203", "6332300320"),
        ("50363323003208", "6332300320"),
        ("00300450123459", "0045012345"),
        ("09506000134352", None),
        ("0363323003203", None),
        ("0036332300320X", None),
        ("", None),
    ],
)
def test_examples(gtin: str, ndc: str | None) -> None:
    assert ndc_of(gtin) == ndc
