"""What an FSMA 204 spreadsheet is asked for: a GTIN, a lot or every lot, the first and last
day, a format; each parameter read from its text or refused naming it and the rule.

>>> read_request(gtin="09506000134352", lot="L1", first="2026-03-01", last=None)
Fsma204Request(gtin=Gtin(value='09506000134352'), lot='L1', first_day=datetime.date(2026, 3, 1), last_day=None)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from unitrace.gs1 import Gtin, InvalidCode, validate_element
from unitrace.registry.errors import Refused

FORMATS: Final = ("csv", "xlsx")
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ExportRefused(Refused):
    """An export request that cannot be read: the faces answer it with a 400 (the command
    line exits 2), naming the parameter and the rule."""


@dataclass(frozen=True, slots=True)
class Fsma204Request:
    """Which food and which days: a GTIN, one of its lots or all of its registered lots, and
    the first and last day (each inclusive, by the date where the event happened)."""

    gtin: Gtin
    lot: str | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def read_request(
    *, gtin: str | None, lot: str | None, first: str | None, last: str | None
) -> Fsma204Request:
    """The request from its text parameters, or :class:`ExportRefused` naming the one that
    cannot be read."""
    if lot is not None and not gtin:
        raise ExportRefused("lot: a lot needs its product: give gtin as well")
    if not gtin:
        raise ExportRefused("gtin: give the GTIN of the food whose traceability lots to list")
    try:
        product = Gtin.parse(gtin)
    except InvalidCode as error:
        raise ExportRefused(f"gtin: {error}") from None
    if lot is not None and not lot.strip():
        raise ExportRefused("lot: empty; leave it out to list every lot of the product")
    if lot is not None:
        try:
            validate_element("10", lot)
        except InvalidCode as error:
            raise ExportRefused(f"lot: {error}") from None
    first_day = _day(first, "from")
    last_day = _day(last, "to")
    if first_day is not None and last_day is not None and first_day > last_day:
        raise ExportRefused(f"from: {first_day} is after to: {last_day}")
    return Fsma204Request(product, lot, first_day, last_day)


def _day(text: str | None, name: str) -> dt.date | None:
    if text is None or text == "":
        return None
    refused = ExportRefused(f"{name}: {text!r} is not a date (YYYY-MM-DD)")
    # the extended form only: fromisoformat would take 20260303 and 2026-W10-1 too
    if _DAY.fullmatch(text) is None:
        raise refused
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise refused from None


def check_format(format: str) -> str:
    if format not in FORMATS:
        raise ExportRefused(f"format: {format!r} is neither csv nor xlsx")
    return format
