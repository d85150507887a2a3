"""Figures as the console's pages write them."""

from __future__ import annotations

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_TIMES = "\N{MULTIPLICATION SIGN}"


def big_number(value: int) -> str:
    """A count as people read it: with thousands separators below a trillion, as a power of
    ten above, its digits cut (never rounded up: "1 in N" must not read safer than it is).

    >>> big_number(1_000_000), big_number(999_999_999_999)
    ('1,000,000', '999,999,999,999')
    >>> [big_number(n).replace(_TIMES, "x") for n in (1_152_921_504_606_846_976, 9_999_999_999_999)]
    ['1.15 x 10¹⁸', '9.99 x 10¹²']
    """
    if value < 10**12:
        return f"{value:,}"
    digits = str(value)
    return f"{digits[0]}.{digits[1:3]} {_TIMES} 10{str(len(digits) - 1).translate(_SUPERSCRIPTS)}"
