"""The GS1 Barcode Syntax Dictionary: every Application Identifier (AI), its format, its
content rules ("linters"), the AIs it requires or excludes, and its GS1 Digital Link role.

unitrace ships the dictionary that GS1 publishes (``data/gs1-syntax-dictionary.txt``,
Apache-2.0) and reads it once at import; every AI rule in :mod:`unitrace.gs1` comes from it.

>>> gtin = SYNTAX_DICTIONARY["01"]
>>> gtin.title, gtin.predefined_length, gtin.fixed_length
('GTIN', True, 14)
>>> gtin.digital_link_qualifier_paths
(('22', '10', '21'), ('235',))
>>> SYNTAX_DICTIONARY["21"].requires
((('01',), ('03',), ('8006',)),)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

Charset = Literal["N", "X", "Y", "Z"]

#: The characters each component type admits, as a regular-expression class.
CHARSET_CLASSES: Mapping[Charset, str] = {
    "N": "0-9",
    # GS1 AI encodable character set 82: ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z
    "X": '!"%-?A-Z_a-z',
    # GS1 AI encodable character set 39: # - / 0-9 A-Z
    "Y": "#\\-/0-9A-Z",
    # GS1 AI encodable character set 64 (file-safe, URI-safe base64)
    "Z": "A-Za-z0-9\\-_=",
}

CHARSET_NAMES: Mapping[Charset, str] = {
    "N": "a digit",
    "X": "in GS1 character set 82",
    "Y": "in GS1 character set 39",
    "Z": "in GS1 character set 64",
}


@dataclass(frozen=True, slots=True)
class Component:
    """One part of an AI's data field, e.g. ``N14,csum`` or ``[X..17]``."""

    charset: Charset
    min_length: int
    max_length: int
    optional: bool
    linters: tuple[str, ...]

    @property
    def fixed(self) -> bool:
        return self.min_length == self.max_length


#: A requirement alternative: AIs (or patterns such as ``31nn``) that must all be present.
Alternative = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ApplicationIdentifier:
    """The dictionary entry of one AI."""

    ai: str
    title: str
    components: tuple[Component, ...]
    #: ``*`` flag: the length is predefined, so no FNC1 separator follows the value.
    predefined_length: bool
    #: ``?`` flag: the AI may stand in a GS1 Digital Link query string.
    digital_link_attribute: bool
    #: Each ``req=`` attribute: at least one of its alternatives must be fully present.
    requires: tuple[tuple[Alternative, ...], ...]
    #: ``ex=`` attributes: AIs or patterns that may not stand beside this AI.
    excludes: tuple[str, ...]
    #: ``dlpkey``: the AI is a GS1 Digital Link primary key.
    digital_link_primary_key: bool
    #: ``dlpkey=22,10,21|235``: the ordered qualifier sequences allowed after the key.
    digital_link_qualifier_paths: tuple[tuple[str, ...], ...]

    @property
    def min_length(self) -> int:
        return sum(c.min_length for c in self.components if not c.optional)

    @property
    def max_length(self) -> int:
        return sum(c.max_length for c in self.components)

    @property
    def fixed_length(self) -> int | None:
        """The length of every value of this AI, where all values have one length."""
        if all(c.fixed and not c.optional for c in self.components):
            return self.max_length
        return None

    @property
    def linters(self) -> frozenset[str]:
        return frozenset(name for c in self.components for name in c.linters)


_COMPONENT = re.compile(
    r"(?P<open>\[)?(?P<charset>[NXYZ])(?P<range>\.\.)?(?P<length>\d+)(?P<close>\])?(?P<linters>(?:,\w+)*)"
)
_FLAG_CHARACTERS = set("*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~")


class SyntaxDictionary(Mapping[str, ApplicationIdentifier]):
    """All AIs of one release of the syntax dictionary, keyed by AI."""

    def __init__(self, entries: Mapping[str, ApplicationIdentifier]) -> None:
        self._entries = dict(entries)

    def __getitem__(self, ai: str) -> ApplicationIdentifier:
        return self._entries[ai]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def ai_at(self, data: str, position: int) -> ApplicationIdentifier | None:
        """The AI whose digits start ``data`` at ``position``, if any.

        AIs are prefix-free (no AI is the start of another), so at most one length matches.
        """
        entries = self._entries
        for length in (2, 3, 4):
            entry = entries.get(data[position : position + length])
            if entry is not None:
                return entry
        return None


def parse_syntax_dictionary(text: str) -> SyntaxDictionary:
    """Read the text of a GS1 Barcode Syntax Dictionary release."""
    entries: dict[str, ApplicationIdentifier] = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        body, _, title = line.partition("#")
        tokens = body.split()
        try:
            ais = _expand_ai_range(tokens[0])
            position = 1
            flags = ""
            if position < len(tokens) and set(tokens[position]) <= _FLAG_CHARACTERS:
                flags = tokens[position]
                position += 1
            components: list[Component] = []
            while position < len(tokens) and (match := _COMPONENT.fullmatch(tokens[position])):
                components.append(_component(match))
                position += 1
            requires: list[tuple[Alternative, ...]] = []
            excludes: list[str] = []
            primary_key = False
            qualifier_paths: tuple[tuple[str, ...], ...] = ()
            for attribute in tokens[position:]:
                key, _, value = attribute.partition("=")
                if key == "req":
                    requires.append(tuple(tuple(alt.split("+")) for alt in value.split(",")))
                elif key == "ex":
                    excludes.extend(value.split(","))
                elif key == "dlpkey":
                    primary_key = True
                    if value:
                        qualifier_paths = tuple(tuple(p.split(",")) for p in value.split("|"))
                else:
                    raise ValueError(f"unknown attribute {attribute!r}")
        except (IndexError, ValueError) as error:
            raise ValueError(f"syntax dictionary line {number}: {error}: {raw_line!r}") from error
        if not components:
            raise ValueError(f"syntax dictionary line {number}: no data format: {raw_line!r}")
        for ai in ais:
            entries[ai] = ApplicationIdentifier(
                ai=ai,
                title=title.strip(),
                components=tuple(components),
                predefined_length="*" in flags,
                digital_link_attribute="?" in flags,
                requires=tuple(requires),
                excludes=tuple(excludes),
                digital_link_primary_key=primary_key,
                digital_link_qualifier_paths=qualifier_paths,
            )
    return SyntaxDictionary(entries)


def _expand_ai_range(token: str) -> list[str]:
    first, _, last = token.partition("-")
    if not first.isdigit() or (last and (not last.isdigit() or len(last) != len(first))):
        raise ValueError(f"bad AI {token!r}")
    if not last:
        return [first]
    return [str(n).zfill(len(first)) for n in range(int(first), int(last) + 1)]


def _component(match: re.Match[str]) -> Component:
    length = int(match["length"])
    return Component(
        charset=match["charset"],  # type: ignore[arg-type]  # the pattern admits only NXYZ
        min_length=1 if match["range"] else length,
        max_length=length,
        optional=bool(match["open"]),
        linters=tuple(name for name in match["linters"].split(",") if name),
    )


def matches_pattern(ai: str, pattern: str) -> bool:
    """Whether ``ai`` matches a dictionary pattern, where ``n`` stands for any digit.

    >>> matches_pattern("3103", "310n"), matches_pattern("3203", "310n")
    (True, False)
    """
    return len(ai) == len(pattern) and all(p in ("n", a) for a, p in zip(ai, pattern, strict=True))


def _load_bundled() -> SyntaxDictionary:
    text = (
        resources.files("unitrace.gs1")
        .joinpath("data/gs1-syntax-dictionary.txt")
        .read_text(encoding="utf-8")
    )
    return parse_syntax_dictionary(text)


#: The syntax dictionary release that unitrace ships.
SYNTAX_DICTIONARY = _load_bundled()
