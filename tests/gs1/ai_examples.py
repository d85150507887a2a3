"""A valid example value for any AI of the syntax dictionary, built from its components and
linters, so that tests can exercise every AI the dictionary defines."""

from __future__ import annotations

from unitrace.gs1.check_digits import csumalpha_check_characters, gs1_check_digit
from unitrace.gs1.syntax_dictionary import ApplicationIdentifier, Component

# Values that satisfy a linter, cut or padded to the component's length where it allows.
_LINTER_EXAMPLES = {
    "yymmd0": "261200",
    "yymmdd": "261231",
    "yyyymmdd": "20261231",
    "hhmi": "2359",
    "hh": "23",
    "mi": "59",
    "ss": "59",
    "zero": "0",
    "iso3166": "276",
    "iso3166999": "999",
    "iso3166alpha2": "DE",
    "iso4217": "978",
    "yesno": "1",
    "hyphen": "-",
    "latitude": "1800000000",
    "longitude": "3600000000",
    "mediatype": "80",
    "iso5218": "9",
    "posinseqslash": "1/2",
    "importeridx": "_",
    "iban": "GB82WEST12345698765432",
    "winding": "9",
    "hasnondigit": "A1",
    "nozeroprefix": "10",
}


def example_component(component: Component) -> str:
    linters = set(component.linters)
    length = component.max_length if component.fixed else min(component.max_length, 8)
    if "csumalpha" in linters:
        payload = "1987654Ad4X4bL5ttr2310c"[: max(length - 2, 1)]
        return payload + csumalpha_check_characters(payload)
    for name, example in _LINTER_EXAMPLES.items():
        if name in linters:
            return example
    if "pieceoftotal" in linters:
        half = length // 2
        return "1".zfill(half) + "2".zfill(half)
    if "csum" in linters:
        payload = "".join(str(n % 10) for n in range(1, length))
        return payload + gs1_check_digit(payload)
    alphabet = {"N": "123456789", "X": "Ab1-x", "Y": "A#1/", "Z": "Az-_9"}[component.charset]
    return (alphabet * length)[:length]


def example_value(entry: ApplicationIdentifier) -> str:
    return "".join(example_component(c) for c in entry.components if not c.optional)
