"""An alert's evidence in words: the sentences a brand protection manager reads on the
console's alert page ("scanned in Kuala Lumpur (MY-14) at 09:12 UTC, then in London (GB-ENG)
14 minutes later: 10,546 km apart, faster than any flight"), built from the evidence the
detectors stored (:mod:`unitrace.services.verification.alerts`).

Evidence is read defensively: an alert raised by an older unitrace, or a reason this module
does not know yet, gives a plainer sentence, never an error."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = [
    "ALERT_TYPE_NAMES",
    "duration_words",
    "evidence_sentences",
    "parse_time",
    "place_words",
    "time_words",
    "when_words",
]

#: Each alert type as people call it.
ALERT_TYPE_NAMES: Final = {
    "clone": "Clone",
    "grey_market": "Grey market",
    "counterfeit_probe": "Counterfeit probe",
    "guessing": "Guessing",
    "lifecycle": "Not for sale",
    "temperature_excursion": "Temperature excursion",
}
#: Faster than this, no airliner carries a pack (km/h).
FLIGHT_KMH: Final = 1000
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
#: What a unit in each state that may not be sold is, in words.
_STATES: Final = {
    "not_commissioned": "scanned before it was commissioned: it was never put on sale",
    "voided": "scanned although its serial was voided",
    "recalled": "scanned while it is recalled",
    "withdrawn": "scanned while it is withdrawn from the market",
}


def evidence_sentences(alert_type: str, evidence: Mapping[str, Any]) -> list[str]:
    """What the evidence of an alert of ``alert_type`` says, a sentence per finding, then
    how many scans made it, when and by how many callers."""
    if alert_type == "temperature_excursion":
        return _excursion_sentences(evidence)
    reasons = [str(reason) for reason in _list(evidence.get("reasons"))]
    scans = [scan for scan in _list(evidence.get("scans")) if isinstance(scan, Mapping)]
    sentences = [_sentence(reason, evidence, scans) for reason in reasons]
    if alert_type == "guessing" and "guessing" not in reasons:
        sentences.append(_sentence("guessing", evidence, scans))
    sentences.append(_scans_sentence(evidence))
    return [sentence for sentence in sentences if sentence]


def _sentence(reason: str, evidence: Mapping[str, Any], scans: list[Mapping[str, Any]]) -> str:
    scanned_in = place_words(evidence.get("scanned_in"))
    if reason == "impossible_travel":
        return _travel_sentence(evidence.get("travel"), scans)
    if reason == "too_many_scans":
        count = _number(evidence.get("distinct_clients")) or len(_list(evidence.get("sources")))
        return (
            f"Scanned by {count:,} different callers (phones, scanners or addresses): more "
            "hands than one genuine pack passes through."
        )
    if reason == "too_many_places":
        places = [str(place) for place in _list(evidence.get("distinct_places"))]
        return (
            f"Scanned in {len(places):,} different areas ({', '.join(places)}): more places "
            "than one genuine pack travels to."
        )
    if reason == "outside_territory":
        name = evidence.get("party_name") or evidence.get("party") or "its distributor"
        territory = ", ".join(str(area) for area in _list(evidence.get("territory")))
        return (
            f"Scanned in {scanned_in}, outside the territory of {name}"
            + (f" ({territory})" if territory else "")
            + ", the distributor holding it: the pack left its market."
        )
    if reason == "outside_target_markets":
        markets = ", ".join(str(area) for area in _list(evidence.get("target_markets")))
        return f"Scanned in {scanned_in}, outside the product's target markets ({markets})."
    if reason == "before_shipping":
        return f"Scanned in {scanned_in} before the brand ever shipped it."
    if reason == "guessing":
        count = _number(evidence.get("counterfeit_answers"))
        window = _number(evidence.get("window_minutes"))
        return (
            f"One caller was answered “counterfeit” {count:,} times within {window:,} minutes: "
            "taken for someone guessing codes, and slowed down."
        )
    if reason == "not_issued":
        return "A serial the brand never issued was scanned with this product's GTIN."
    if reason == "lot_mismatch":
        return (
            f"The code scanned named lot {evidence.get('lot_scanned')}, not the lot the unit "
            "was made in: a copied or relabelled pack."
        )
    if reason == "expiry_mismatch":
        return (
            f"The code scanned named expiry {evidence.get('expiry_scanned')}, not the unit's "
            "own: a copied or relabelled pack."
        )
    if reason == "expired":
        return f"Scanned after its expiry date ({evidence.get('expiry')})."
    if reason in _STATES:
        lot = evidence.get("lot_status")
        lot_words = f" (its lot is {lot})" if lot and reason in ("recalled", "withdrawn") else ""
        return f"The unit was {_STATES[reason]}{lot_words}."
    state = evidence.get("state")
    if state == reason:
        return f"The unit was scanned after it was taken off the market: its state is {state}."
    return f"Found: {reason.replace('_', ' ')}."


def _travel_sentence(travel: Any, scans: list[Mapping[str, Any]]) -> str:
    if not isinstance(travel, Mapping):
        return "Scanned in two places too far apart for the time between them."
    hours = min(abs(_figure(travel.get("hours"))), 24 * 365 * 100)
    km = _number(travel.get("km"))
    # the scan that found it is the latest that says so; the other was made ``hours`` before
    finder = next(
        (scan for scan in reversed(scans) if "impossible_travel" in _list(scan.get("reasons"))),
        None,
    )
    arrived = parse_time(finder.get("at")) if finder is not None else None
    # the evidence keeps the hours to 3 decimals (3.6 s): the time it gives is to the minute
    left = _to_the_minute(arrived - dt.timedelta(hours=hours)) if arrived is not None else None
    start = place_words(travel.get("from"))
    if left is not None:
        start += f" at {time_words(left)}"
    speed = travel.get("km_per_hour")
    if speed is None or _number(speed) > FLIGHT_KMH:
        fast = "faster than any flight"
    else:
        fast = f"{_number(speed):,} km/h, faster than this product's rules allow"
    least = "at least " if travel.get("approximate") else ""
    return (
        f"Scanned in {start}, then in {place_words(travel.get('to'))} "
        f"{duration_words(dt.timedelta(hours=hours))}: {least}{km:,} km apart, {fast}."
    )


def _to_the_minute(at: dt.datetime) -> dt.datetime:
    return (at + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)


def _scans_sentence(evidence: Mapping[str, Any]) -> str:
    count = _number(evidence.get("scan_count"))
    if count <= 0:
        return ""
    first, last = parse_time(evidence.get("first_seen")), parse_time(evidence.get("last_seen"))
    callers = len(_list(evidence.get("sources")))
    names = f"; its evidence names {callers:,} caller{'s' if callers != 1 else ''}"
    by = names if callers else ""
    if count == 1:
        at = f", on {when_words(first)}" if first else ""
        return f"1 scan raised this alert{at}{by}."
    between = f", from {when_words(first)} to {when_words(last)}" if first and last else ""
    return f"{count:,} scans raised this alert or added to it{between}{by}."


def place_words(label: Any) -> str:
    """A place label as people say it: ``Kuala Lumpur, MY-14, MY`` → ``Kuala Lumpur (MY-14)``.

    >>> place_words("Kuala Lumpur, MY-14, MY"), place_words("London, GB"), place_words("SG")
    ('Kuala Lumpur (MY-14)', 'London (GB)', 'SG')
    >>> place_words("MY-14, MY"), place_words(None), place_words("unknown place")
    ('MY-14', 'an unknown place', 'an unknown place')
    """
    if not isinstance(label, str) or not label or label == "unknown place":
        return "an unknown place"
    parts = label.split(", ")
    country = parts.pop() if len(parts) > 1 and _COUNTRY.match(parts[-1]) else None
    region = parts.pop() if parts and _REGION.match(parts[-1]) else None
    city = ", ".join(parts)
    if city:
        return f"{city} ({region or country})" if region or country else city
    return region or country or label


def duration_words(span: dt.timedelta) -> str:
    """How long after, in words.

    >>> duration_words(dt.timedelta(seconds=20)), duration_words(dt.timedelta(hours=0.233))
    ('less than a minute later', '14 minutes later')
    >>> duration_words(dt.timedelta(hours=5, minutes=3)), duration_words(dt.timedelta(days=3))
    ('5 hours 3 minutes later', '3 days later')
    """
    minutes = round(span.total_seconds() / 60)
    if minutes < 1:
        return "less than a minute later"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} later"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        rest = f" {minutes} minute{'s' if minutes != 1 else ''}" if minutes else ""
        return f"{hours} hour{'s' if hours != 1 else ''}{rest} later"
    return f"{hours // 24:,} days later"


def time_words(at: dt.datetime) -> str:
    """``09:12 UTC on 4 Dec 2026``."""
    return f"{at.astimezone(dt.UTC):%H:%M} UTC on {when_date(at)}"


def when_words(at: dt.datetime) -> str:
    """``4 Dec 2026, 09:12 UTC``: a time on the console, its zone named."""
    return f"{when_date(at)}, {at.astimezone(dt.UTC):%H:%M} UTC"


def when_date(at: dt.datetime) -> str:
    utc = at.astimezone(dt.UTC)
    return f"{utc.day} {utc:%b %Y}"


def parse_time(text: Any) -> dt.datetime | None:
    """A time the evidence holds (ISO 8601 with an offset), or None."""
    if not isinstance(text, str):
        return None
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.utcoffset() is not None else at.replace(tzinfo=dt.UTC)


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> int:
    """A count or a figure of the evidence, rounded; 0 where it holds none."""
    try:
        return round(_figure(value))
    except (OverflowError, ValueError):
        return 0


def _figure(value: Any) -> float:
    """A figure of the evidence; 0 where it holds none (or not a finite one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    try:
        figure = float(value)
    except OverflowError:
        return 0.0
    return figure if math.isfinite(figure) else 0.0


def _excursion_sentences(evidence: Mapping[str, Any]) -> list[str]:
    """A cold chain breach: where it was measured, by which logger, when, how warm (or cold)
    and for how long; why it breaches; how many units it put on hold."""
    period = evidence.get("period")
    period = period if isinstance(period, Mapping) else {}
    start, end = parse_time(period.get("from")), parse_time(period.get("until"))
    device = str(evidence.get("device") or "unknown")
    where = f"{evidence.get('target_kind') or 'source'} {evidence.get('target') or 'unknown'}"
    when = (
        f" from {time_words(start)} to {time_words(end)}"
        if start is not None and end is not None
        else ""
    )
    sentences = [
        f"Logger {device} on {where} read a peak of {_figure(evidence.get('peak_c')):g} °C"
        f"{when}, {_figure(evidence.get('minutes')):,.0f} minutes out of the product's range."
    ]
    sentences.extend(f"{reason}." for reason in _list(evidence.get("reasons")) if reason)
    held = _number(evidence.get("units_held"))
    if held:
        sentences.append(f"{held:,} units put on hold: shipping and dispensing are refused.")
    return sentences
