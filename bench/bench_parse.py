"""Parse throughput on one core.

1. 100,000 mixed inputs of every form a scanner produces (Digital Link printed by unitrace and
   by others, element strings with symbology identifiers, HRI, EPC URIs, retail GTINs).
2. unitrace's own printed Digital Link URI, the verification hot path: target >= 100,000
   parses/s, every value still validated (check digit, CSET 82, dates, qualifier order).

Each figure is the best and the median of five runs, so that the machine's noise shows.
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from collections.abc import Callable

from unitrace.gs1 import Expiry, Gtin, UnitIdentity, parse
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.epc import epc_uri

N = 100_000
RUNS = 5
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def identities(count: int, rng: random.Random) -> list[UnitIdentity]:
    units = []
    for _ in range(count):
        payload = "0" + "".join(rng.choice("0123456789") for _ in range(12))
        serial = "".join(secrets.choice(ALPHABET) for _ in range(12))
        units.append(
            UnitIdentity(
                Gtin(payload + gs1_check_digit(payload)),
                serial,
                lot=f"L{rng.randrange(10_000):04d}",
                expiry=Expiry(f"{rng.randrange(27, 35)}{rng.randrange(1, 13):02d}00"),
            )
        )
    return units


def mixed_inputs(units: list[UnitIdentity], rng: random.Random) -> list[str]:
    forms: list[Callable[[UnitIdentity], str]] = [
        lambda u: u.digital_link("https://id.unitrace.example"),
        lambda u: u.digital_link("https://brand.example/p").replace("/10/", "/lot/"),
        lambda u: "]d2" + u.element_string(),
        lambda u: "]Q3" + u.element_string(),
        lambda u: u.hri(),
        lambda u: epc_uri(u.elements[:1] + u.elements[-1:], 7),
        lambda u: u.gtin.short,
    ]
    return [rng.choice(forms)(unit) for unit in units]


def rate(inputs: list[str]) -> tuple[float, float]:
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for text in inputs:
            parse(text)
        rates.append(len(inputs) / (time.perf_counter() - started))
    return max(rates), statistics.median(rates)


def main() -> None:
    rng = random.Random(2026)
    units = identities(N, rng)
    mixed = mixed_inputs(units, rng)
    printed = [unit.digital_link("https://id.unitrace.example") for unit in units]
    best, median = rate(mixed)
    print(f"mixed inputs       : {N:,} parses, best {best:,.0f}/s, median {median:,.0f}/s")
    best, median = rate(printed)
    verdict = "meets" if median >= 100_000 else "MISSES"
    print(
        f"printed Digital Link: {N:,} parses, best {best:,.0f}/s, median {median:,.0f}/s "
        f"({verdict} the 100,000/s target)"
    )


if __name__ == "__main__":
    main()
