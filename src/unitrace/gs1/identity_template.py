"""The printed forms of a lot's units with the serial left open, for writing a million of them.

Every unit of a lot shares its GTIN, lot and expiry, so each of its forms is the same text
around its serial, written as that form writes a serial: the HRI escapes ``(``, the Digital
Link percent-encodes, the element string takes it as it is. A template learns that text and
that writing from :class:`~unitrace.gs1.identity.UnitIdentity` itself, once per lot, so that the
filled-in forms are always the ones a :class:`UnitIdentity` gives; filling one in is string
work, with no value object per unit.

>>> template = IdentityTemplate.of(
...     Gtin("09506000134352"), "ABC", Expiry("261231"), "https://id.example.com"
... )
>>> template.hri.fill(["X(1"])
['(01)09506000134352(17)261231(10)ABC(21)X\\\\(1']
>>> template.digital_link.fill(["A/1"])
['https://id.example.com/01/09506000134352/10/ABC/21/A%2F1?17=261231']
>>> template.digital_link.as_json().fill(['"'])
['https://id.example.com/01/09506000134352/10/ABC/21/%22?17=261231']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from unitrace.gs1.digital_link import DEFAULT_RESOLVER_BASE
from unitrace.gs1.identity import UnitIdentity
from unitrace.gs1.keys import Expiry, Gtin

#: Stand-ins for the serial while the fixed text is learned: valid serials that every form
#: writes as they are. The first that occurs once only in every form is the one used.
_STAND_INS = tuple(f"Q{n}Z{n}X" for n in range(100))


class Escapes(dict[int, str]):
    """How a form writes each character of a serial, a table for :meth:`str.translate`:
    each character is learned from ``write`` the first time it is met."""

    def __init__(self, write: Callable[[str], str]) -> None:
        super().__init__()
        self.write = write

    def __missing__(self, code: int) -> str:
        written = self[code] = self.write(chr(code))
        return written


def _json_text(text: str) -> str:
    """``text`` as it stands between the quotes of a JSON string (``ensure_ascii=False``)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


@dataclass(frozen=True, slots=True)
class FormTemplate:
    """One form of a lot's units: the text before the serial, how the form writes each
    character of a serial, and the text after it."""

    before: str
    escapes: Escapes
    after: str

    def fill(self, serials: Sequence[str], characters: Iterable[str] | None = None) -> list[str]:
        """The form of each unit of ``serials``, in order; ``characters`` are those the
        serials hold, where the caller knows them already."""
        before, after, escapes = self.before, self.after, self.escapes
        held = set("".join(serials)) if characters is None else characters
        if all(escapes[ord(c)] == c for c in held):
            # the usual batch: no character of any serial is written otherwise
            return [before + serial + after for serial in serials]
        return [before + serial.translate(escapes) + after for serial in serials]

    def as_json(self) -> FormTemplate:
        """This form as it stands inside a JSON string: each piece JSON-escaped, which is
        the escaped whole, since JSON escapes character by character."""
        write = self.escapes.write
        return FormTemplate(
            _json_text(self.before),
            Escapes(lambda c: _json_text(write(c))),
            _json_text(self.after),
        )


def serial_template() -> FormTemplate:
    """A serial as it is (a field of its own in a code file)."""
    return FormTemplate("", Escapes(lambda c: c), "")


@dataclass(frozen=True, slots=True)
class IdentityTemplate:
    """The HRI, element string and Digital Link of the units of one lot (and expiry)."""

    hri: FormTemplate
    element_string: FormTemplate
    digital_link: FormTemplate

    @classmethod
    def of(
        cls,
        gtin: Gtin,
        lot: str | None,
        expiry: Expiry | None,
        resolver_base: str = DEFAULT_RESOLVER_BASE,
    ) -> IdentityTemplate:
        def unit(serial: str) -> UnitIdentity:
            return UnitIdentity(gtin, serial, lot, expiry)

        forms: tuple[Callable[[UnitIdentity], str], ...] = (
            UnitIdentity.hri,
            UnitIdentity.element_string,
            lambda identity: identity.digital_link(resolver_base),
        )
        stand_in, texts = next(
            (stand_in, texts)
            for stand_in in _STAND_INS
            for texts in [[form(unit(stand_in)) for form in forms]]
            if all(text.count(stand_in) == 1 for text in texts)
        )

        def written(form: Callable[[UnitIdentity], str]) -> Callable[[str], str]:
            return lambda c: form(unit(c))

        hri, element_string, digital_link = (
            _learned(text.partition(stand_in), written(form))
            for form, text in zip(forms, texts, strict=True)
        )
        return cls(hri, element_string, digital_link)

    def as_json(self) -> IdentityTemplate:
        """The forms as they stand inside JSON strings."""
        return IdentityTemplate(
            self.hri.as_json(), self.element_string.as_json(), self.digital_link.as_json()
        )


def _learned(parts: tuple[str, str, str], written: Callable[[str], str]) -> FormTemplate:
    """The template of a form whose text is ``parts`` around the stand-in serial, and which
    writes a one-character serial ``c`` as ``written(c)``."""
    before, _, after = parts

    def write(c: str) -> str:
        # a character a serial may not hold is refused here, as UnitIdentity refuses it
        whole = written(c)
        return whole[len(before) : len(whole) - len(after)]

    return FormTemplate(before, Escapes(write), after)
