"""SGTIN-96 tag encoding and decoding throughput on one core, against epcpy (a test dependency,
the reference for EPC tags in tests/gs1/test_epc_reference.py).

100,000 random SGTIN-96 tags: a random GTIN-14, company prefix length 6 to 12, filter value
0 to 7 and serial below 2**38. Both directions do the same work in both libraries:

- decode: the hex a reader reports to the tag's pure-identity URI, GTIN and serial.
  unitrace ``decode_epc_hex(hex).pure_identity_uri``; epcpy ``SGTIN.from_hex(hex).epc_uri``
  (its constructor parses the URI and works out the GTIN with its check digit).
- encode: GTIN, serial, company prefix length and filter value to hex.
  unitrace ``encode_sgtin96(Gtin(gtin), serial, length, filter_value=f)``; epcpy
  ``SGTIN.from_gtin_plus_serial(gtin, serial, length).hex(binary_coding_scheme=SGTIN_96,
  filter_value=f)``.

Five rounds alternate the two libraries in each direction; the figure is the median of the
rounds' ratios (target >= 2x both ways), with each library's median rate. Every answer is
compared with the other library's after the timed rounds.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable

from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.epc import decode_epc_hex, encode_sgtin96
from unitrace.gs1.keys import Gtin

N = 100_000
ROUNDS = 5
TARGET = 2.0

Unit = tuple[str, str, int, int]  # GTIN-14, serial, company prefix length, filter value


def random_units(count: int, rng: random.Random) -> list[Unit]:
    units = []
    for _ in range(count):
        payload = f"{rng.randrange(10**13):013d}"
        serial = str(rng.randrange(2**38))
        units.append(
            (payload + gs1_check_digit(payload), serial, rng.randint(6, 12), rng.randrange(8))
        )
    return units


def timed(call: Callable[[], list[str]]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    answers = call()
    return N / (time.perf_counter() - started), answers


def main() -> None:
    try:
        from epcpy.epc_schemes.sgtin import SGTIN, SGTINFilterValue
    except ImportError:
        print("epcpy not installed (pip install -e '.[test]'): nothing to compare with")
        return
    units = random_units(N, random.Random(2026))
    hexes = [encode_sgtin96(Gtin(g), s, length, filter_value=f) for g, s, length, f in units]
    filters = {f.value: f for f in SGTINFilterValue}
    sgtin_96 = SGTIN.BinaryCodingScheme.SGTIN_96

    def ours_decode() -> list[str]:
        return [decode_epc_hex(h).pure_identity_uri for h in hexes]

    def theirs_decode() -> list[str]:
        return [SGTIN.from_hex(h).epc_uri for h in hexes]

    def ours_encode() -> list[str]:
        return [encode_sgtin96(Gtin(g), s, length, filter_value=f) for g, s, length, f in units]

    def theirs_encode() -> list[str]:
        return [
            SGTIN.from_gtin_plus_serial(g, s, length).hex(
                binary_coding_scheme=sgtin_96, filter_value=filters[str(f)]
            )
            for g, s, length, f in units
        ]

    print(f"load average {os.getloadavg()[0]:.2f} before; {N:,} random SGTIN-96 tags")
    for direction, ours, theirs in (
        ("decode hex -> pure identity", ours_decode, theirs_decode),
        ("encode GTIN+serial -> hex", ours_encode, theirs_encode),
    ):
        our_rates, their_rates, ratios = [], [], []
        for _ in range(ROUNDS):
            our_rate, our_answers = timed(ours)
            their_rate, their_answers = timed(theirs)
            our_rates.append(our_rate)
            their_rates.append(their_rate)
            ratios.append(our_rate / their_rate)
        agree = sum(a == b for a, b in zip(our_answers, their_answers, strict=True))
        ratio = statistics.median(ratios)
        print(
            f"{direction}: unitrace median {statistics.median(our_rates):,.0f}/s, epcpy median "
            f"{statistics.median(their_rates):,.0f}/s, ratio median {ratio:.2f}x (rounds "
            f"{', '.join(f'{r:.2f}' for r in ratios)}; "
            f"{'meets' if ratio >= TARGET else 'MISSES'} the {TARGET:g}x target); "
            f"same answer for {agree:,} of {N:,}"
        )
    print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
