"""Hypothesis strategies for valid GS1 identities."""

from __future__ import annotations

import calendar

from hypothesis import strategies as st

from unitrace.gs1 import Expiry, Gtin, UnitIdentity
from unitrace.gs1.check_digits import gs1_check_digit

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

digits = st.text(alphabet="0123456789", min_size=13, max_size=13)
gtins = digits.map(lambda payload: Gtin(payload + gs1_check_digit(payload)))
cset82_values = st.text(alphabet=CSET82, min_size=1, max_size=20)


@st.composite
def expiries(draw: st.DrawFn) -> Expiry:
    yy = draw(st.integers(0, 99))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(0, calendar.monthrange(2000 + yy, month)[1]))
    return Expiry(f"{yy:02d}{month:02d}{day:02d}")


identities = st.builds(
    UnitIdentity,
    gtin=gtins,
    serial=cset82_values,
    lot=st.none() | cset82_values,
    expiry=st.none() | expiries(),
)

domains = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}(:[0-9]{2,5})?", fullmatch=True)
stems = st.from_regex(r"(/[a-z0-9._-]{1,10}){0,2}", fullmatch=True)
resolver_bases = st.builds(lambda d, s: f"https://{d}{s}", domains, stems)
