"""The filters of the console's figure pages (the overview and the scans map), read from the
query string: a period (``from``/``to``, UTC days, or ``days`` back from today), a product
(``gtin``), a ``lot``, a ``verdict`` and a distributor (``custodian``: a party id, or
``brand`` for the brand's own units). A value that cannot be a filter is named next to its
field and the figures are not shown; a distributor's user is always held to its own units.

>>> shown, errors = read_filters({"days": "7", "verdict": "genuine"}, party=None)
>>> (shown.days, shown.verdict, errors)
(7, 'genuine', {})
>>> read_filters({"from": "2026-02-30"}, party=None)[1]
{'from': "from: '2026-02-30' is not a date (YYYY-MM-DD)"}
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final
from urllib.parse import urlencode

from unitrace.api.console.session import Signed
from unitrace.services.scan_figure_filter import (
    BRAND,
    DEFAULT_DAYS,
    MAX_DAYS,
    VERDICTS,
    Brand,
    FigureFilter,
)
from unitrace.store.unit_of_work import UnitOfWork

#: The periods offered as links above the figures.
PERIODS: Final = (7, 30, 90, 365)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The days a period may start and end on: scans are of this age, and a period's arithmetic
#: never runs off the calendar.
FIRST_DAY: Final = dt.date(2000, 1, 1)
LAST_DAY: Final = dt.date(2999, 12, 31)
#: The query parameters the figure pages read.
NAMES: Final = ("days", "from", "to", "gtin", "lot", "verdict", "custodian")


@dataclass(frozen=True, slots=True)
class ShownFilters:
    """The filters as the person gave them (kept in the form as typed)."""

    days: int | None = None
    first_day: str | None = None
    last_day: str | None = None
    gtin: str | None = None
    lot: str | None = None
    verdict: str | None = None
    custodian: str | None = None

    def query(self, **changes: str | int | None) -> str:
        """The query string of these filters with ``changes`` (None drops a filter)."""
        given: dict[str, str | int | None] = {
            "days": self.days,
            "from": self.first_day,
            "to": self.last_day,
            "gtin": self.gtin,
            "lot": self.lot,
            "verdict": self.verdict,
            "custodian": self.custodian,
        }
        given.update(changes)
        return urlencode({name: value for name, value in given.items() if value not in (None, "")})


def read_filters(
    query: Mapping[str, str], *, party: str | None
) -> tuple[ShownFilters, dict[str, str]]:
    """The filters ``query`` gives, and a message per field that is not a filter."""
    errors: dict[str, str] = {}

    def given(name: str, longest: int = 64) -> str | None:
        value = (query.get(name) or "").strip()
        if len(value) > longest:
            errors[name] = f"{name}: at most {longest} characters"
            return None
        return value or None

    days = None
    days_text = given("days", 8)
    if days_text is not None:
        if days_text.isascii() and days_text.isdigit() and 1 <= int(days_text) <= MAX_DAYS:
            days = int(days_text)
        else:
            errors["days"] = f"days: {days_text!r} is not a number of days from 1 to {MAX_DAYS}"
    first = _day(given("from", 10) if "from" not in errors else None, "from", errors)
    last = _day(given("to", 10) if "to" not in errors else None, "to", errors)
    verdict = given("verdict", 16)
    if verdict is not None and verdict not in VERDICTS:
        errors["verdict"] = f"verdict: {verdict!r} is not one of {', '.join(VERDICTS)}"
    shown = ShownFilters(
        days=days,
        # a date that is not one stays in its box, as typed, beside its message
        first_day=first.isoformat() if first else _typed(query, "from", errors),
        last_day=last.isoformat() if last else _typed(query, "to", errors),
        gtin=given("gtin", 14),
        lot=given("lot", 20),
        verdict=verdict,
        custodian=None if party is not None else given("custodian"),
    )
    return shown, errors


def figure_filter(
    shown: ShownFilters, *, party: str | None, today: dt.date | None = None
) -> FigureFilter:
    """The figures' filter for ``shown``, held to ``party``'s units for a distributor's user."""
    today = today or dt.datetime.now(dt.UTC).date()
    first = dt.date.fromisoformat(shown.first_day) if shown.first_day else None
    last = dt.date.fromisoformat(shown.last_day) if shown.last_day else None
    if shown.days is not None and first is None:
        last = last or today
        first = last - dt.timedelta(days=shown.days - 1)
    elif first is None and last is not None:
        first = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    custodian: str | Brand | None = shown.custodian
    if shown.custodian == BRAND.value:
        custodian = BRAND
    chosen = FigureFilter(
        first_day=first,
        last_day=last if first is not None else None,
        gtin=shown.gtin,
        lot=shown.lot,
        verdict=shown.verdict,
        custodian=custodian,
        party=party,
    )
    if chosen.first_day is not None and chosen.last_day is None:
        chosen = replace(chosen, last_day=today)
    return chosen


def refusal_field(message: str) -> str:
    """The field a figures service's refusal names (``"gtin: …"``), else ``days``.

    >>> refusal_field("gtin: check digit 2 expected"), refusal_field("party: nobody")
    ('gtin', 'days')
    """
    field = message.partition(":")[0].strip()
    aliases = {"first_day": "from", "last_day": "to", "period": "to", "product": "gtin"}
    field = aliases.get(field, field)
    return field if field in NAMES else "days"


def _day(text: str | None, name: str, errors: dict[str, str]) -> dt.date | None:
    if text is None:
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{name}: {text[:40]!r} is not a date (YYYY-MM-DD)"
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = f"{name}: {text} is not between {FIRST_DAY} and {LAST_DAY}"
        return None
    return day


def _typed(query: Mapping[str, str], name: str, errors: dict[str, str]) -> str | None:
    """What was typed for the date ``name`` that is not one (None where nothing was, or it
    is no error)."""
    return (query.get(name) or "").strip()[:40] or None if name in errors else None


def product_choices(uow: UnitOfWork) -> list[tuple[str, str]]:
    """The products a filter may name: (GTIN, name)."""
    return [(product.gtin.value, product.name) for product in uow.products.all()]


def custodian_choices(uow: UnitOfWork, signed: Signed) -> list[tuple[str, str]]:
    """The custodians a filter may name (none for a distributor's user, held to its own)."""
    if signed.party is not None:
        return []
    parties = [(party.id, party.name) for party in uow.parties.all() if party.role != "brand"]
    return [("brand", "The brand's own units"), *parties]
