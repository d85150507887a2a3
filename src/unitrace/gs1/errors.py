"""The one exception family for codes that break a GS1 rule.

Every message names the Application Identifier (AI) or the part of the code at fault and the
rule it breaks, so that the person who scanned or typed it knows what to fix::

    AI (01): check digit 3 expected, got 2
    AI (17): month 13
    Digital Link: qualifier (21) must come after (10)
"""

from __future__ import annotations


class InvalidCode(ValueError):
    """A code, or a part of one, that breaks a GS1 rule."""


class UnrecognisedCode(InvalidCode):
    """Input that is none of the forms a scanner or phone produces."""


class UnknownApplicationIdentifier(InvalidCode):
    """An AI that the GS1 Barcode Syntax Dictionary does not define."""


class InvalidLength(InvalidCode):
    """A value shorter or longer than its AI allows."""


class InvalidCharacter(InvalidCode):
    """A character outside the character set of the AI (digits, CSET 82, CSET 39, CSET 64)."""


class InvalidCheckDigit(InvalidCode):
    """A GS1 key whose check digit does not match its other digits."""


class InvalidDate(InvalidCode):
    """A date or time field that names no real date or time (month 13, day 32, hour 25)."""


class InvalidValue(InvalidCode):
    """A value that breaks a content rule of its AI other than length, characters or dates."""


class InvalidCombination(InvalidCode):
    """AIs that may not stand together, are repeated, or lack an AI they require."""


class InvalidElementString(InvalidCode):
    """An element string (the data in a GS1 barcode) that cannot be split into AIs."""


class InvalidDigitalLink(InvalidCode):
    """A URI that breaks the GS1 Digital Link URI syntax."""


class InvalidEpc(InvalidCode):
    """An EPC URI or EPC tag encoding that breaks the EPC Tag Data Standard."""
