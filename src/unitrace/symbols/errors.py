"""What can go wrong between a unit's data and ink on a label, or an image and its codes.

Data that breaks a GS1 rule is refused by :mod:`unitrace.gs1` before any symbol is drawn, with
an :class:`~unitrace.gs1.InvalidCode`; the errors here are the ones only a symbol can have.
"""

from __future__ import annotations

from unitrace.gs1 import InvalidCode


class CapacityExceeded(InvalidCode):
    """Valid GS1 data that does not fit the chosen symbology, such as more than 48 data
    characters in a GS1-128 symbol."""


class UnreadableImage(ValueError):
    """An image that cannot be opened, or in which no barcode can be found."""


class InvalidSheetLayout(ValueError):
    """A label sheet whose labels, margins and gaps do not fit its page, or a symbol that
    does not fit its label."""
