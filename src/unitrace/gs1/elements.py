"""Element strings: one AI and its value, checked against the GS1 Barcode Syntax Dictionary.

>>> validate_element("01", "09506000134352")
>>> validate_element("01", "09506000134353")
Traceback (most recent call last):
...
unitrace.gs1.errors.InvalidCheckDigit: AI (01): check digit 2 expected, got 3
>>> validate_combination(["21"])
Traceback (most recent call last):
...
unitrace.gs1.errors.InvalidCombination: AI (21) requires (01), (03) or (8006)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from unitrace.gs1.errors import (
    InvalidCharacter,
    InvalidCode,
    InvalidCombination,
    InvalidLength,
    UnknownApplicationIdentifier,
)
from unitrace.gs1.linters import LINTERS, LINTERS_NOT_ENFORCED, Linter
from unitrace.gs1.syntax_dictionary import (
    CHARSET_CLASSES,
    CHARSET_NAMES,
    SYNTAX_DICTIONARY,
    ApplicationIdentifier,
    Component,
    matches_pattern,
)


class ElementString(NamedTuple):
    """One AI with its value, e.g. ``ElementString("21", "X7KQ2M9P4R3T")``."""

    ai: str
    value: str


Validator = Callable[[str], None]


def _compile(entry: ApplicationIdentifier) -> Validator:
    """A function that checks one value of ``entry``: the whole format in one regular
    expression, then each component's linters on the part the expression captured."""
    parts = []
    for component in entry.components:
        quantifier = (
            f"{{{component.max_length}}}"
            if component.fixed
            else f"{{{component.min_length},{component.max_length}}}"
        )
        group = f"([{CHARSET_CLASSES[component.charset]}]{quantifier})"
        parts.append(f"(?:{group})?" if component.optional else group)
    pattern = re.compile("".join(parts))
    checks: list[tuple[int, Linter]] = [
        (index, LINTERS[name])
        for index, component in enumerate(entry.components, start=1)
        for name in component.linters
        if name not in LINTERS_NOT_ENFORCED
    ]
    prefix = f"AI ({entry.ai}): "

    def validate(value: str) -> None:
        match = pattern.fullmatch(value)
        if match is None:
            raise _explain_mismatch(entry, value)
        try:
            for index, lint in checks:
                part = match.group(index)
                if part is not None:
                    lint(part)
        except InvalidCode as error:
            raise type(error)(prefix + str(error)) from None

    return validate


def _explain_mismatch(entry: ApplicationIdentifier, value: str) -> InvalidCode:
    prefix = f"AI ({entry.ai}): "
    if not value:
        return InvalidLength(prefix + "empty value")
    if entry.fixed_length is not None and len(value) != entry.fixed_length:
        return InvalidLength(
            prefix + f"{len(value)} characters given, exactly {entry.fixed_length} expected"
        )
    if len(value) > entry.max_length:
        return InvalidLength(prefix + f"{len(value)} characters given, at most {entry.max_length}")
    if len(value) < entry.min_length:
        return InvalidLength(
            prefix + f"{len(value)} characters given, at least {entry.min_length} expected"
        )
    position = 0
    for component in entry.components:
        part = value[position : position + component.max_length]
        if component.fixed:
            part = part[: component.min_length]
        allowed = re.compile(f"[{CHARSET_CLASSES[component.charset]}]")
        for offset, character in enumerate(part):
            if not allowed.fullmatch(character):
                return InvalidCharacter(
                    prefix + f"{character!r} at position {position + offset + 1} "
                    f"is not {CHARSET_NAMES[component.charset]}"
                )
        position += len(part)
        if position >= len(value):
            break
    return InvalidLength(prefix + f"{value!r} does not fit the format {_format(entry)}")


def _format(entry: ApplicationIdentifier) -> str:
    """The AI's format as the syntax dictionary writes it, e.g. ``N3 [N3] [N3]``."""
    return " ".join(_component_format(c) for c in entry.components)


def _component_format(component: Component) -> str:
    length = str(component.max_length) if component.fixed else f"..{component.max_length}"
    text = component.charset + length
    return f"[{text}]" if component.optional else text


_VALIDATORS: dict[str, Validator] = {ai: _compile(entry) for ai, entry in SYNTAX_DICTIONARY.items()}


# A verification meets the same GTIN, lot and expiry again and again (in the code, the product,
# the unit, the lot), so values found valid are remembered; a refusal is never cached.
@functools.lru_cache(maxsize=16384)
def validate_element(ai: str, value: str) -> None:
    """Check one value against its AI's format and content rules."""
    validator = _VALIDATORS.get(ai)
    if validator is None:
        raise UnknownApplicationIdentifier(f"AI ({ai}) is not a GS1 Application Identifier")
    validator(value)


def validate_combination(ais: Sequence[str]) -> None:
    """Check that the AIs of one symbol may stand together: none repeated, each one's required
    companions present (``req=``), none of its excluded ones present (``ex=``)."""
    present = set(ais)
    if len(present) != len(ais):
        repeated = next(ai for ai in ais if ais.count(ai) > 1)
        raise InvalidCombination(f"AI ({repeated}) appears more than once")
    for ai in ais:
        _COMBINATION_RULES[ai](present)


CombinationRule = Callable[[set[str]], None]


def _compile_combination_rule(entry: ApplicationIdentifier) -> CombinationRule:
    """The ``req=`` and ``ex=`` rules of one AI as a function of the AIs present. Patterns
    without a wildcard digit (most of them) become set look-ups."""

    ai = entry.ai

    def present_test(pattern: str) -> Callable[[set[str]], bool]:
        # an AI is never excluded by itself, even where it matches the pattern (310n)
        if "n" not in pattern:
            return lambda present: pattern in present
        return lambda present: any(o != ai and matches_pattern(o, pattern) for o in present)

    requirements = [
        (alternatives, [[present_test(p) for p in alternative] for alternative in alternatives])
        for alternatives in entry.requires
    ]
    exclusions = [(pattern, present_test(pattern)) for pattern in entry.excludes if pattern != ai]

    def check(present: set[str]) -> None:
        for alternatives, tests in requirements:
            if not any(all(test(present) for test in alternative) for alternative in tests):
                raise InvalidCombination(f"AI ({ai}) requires {_either(alternatives)}")
        for pattern, test in exclusions:
            if test(present):
                other = next(o for o in sorted(present) if o != ai and matches_pattern(o, pattern))
                raise InvalidCombination(f"AI ({ai}) may not be combined with ({other})")

    return check


def _either(alternatives: Sequence[Sequence[str]]) -> str:
    names = ["+".join(f"({pattern})" for pattern in alternative) for alternative in alternatives]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


_COMBINATION_RULES: dict[str, CombinationRule] = {
    ai: _compile_combination_rule(entry) for ai, entry in SYNTAX_DICTIONARY.items()
}


def validate_elements(elements: Sequence[ElementString]) -> None:
    """Check every value and the combination of AIs of one symbol."""
    for ai, value in elements:
        validate_element(ai, value)
    validate_combination([ai for ai, _ in elements])
