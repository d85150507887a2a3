"""A scan as a face hands it over (:class:`ScanRequest`), and what the scan log keeps of what
a client sends: text cleaned and bounded, a time with its UTC offset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from unitrace.registry.errors import InvalidRequest

__all__ = [
    "ADDRESS_MAX",
    "CLIENT_MAX",
    "CODE_MAX",
    "ERROR_MAX",
    "RAW_MAX",
    "USER_AGENT_MAX",
    "ScanRequest",
    "clean_text",
    "scan_time_of",
]

#: The longest code parsed; anything longer is malformed at once (a Digital Link with every
#: AI a unit can carry stays far below it).
CODE_MAX: Final = 2048
#: What the scan log keeps of free text sent by clients.
RAW_MAX: Final = 512
CLIENT_MAX: Final = 128
ADDRESS_MAX: Final = 24
USER_AGENT_MAX: Final = 256
ERROR_MAX: Final = 512


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """A scan as a face hands it over: the code as scanned, where, by whom, when."""

    code: str
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    #: a client id, or a hash of the caller's IP address (the face hashes it)
    client: str | None = None
    user_agent: str | None = None
    at: dt.datetime | None = None
    #: the time a scanner says the scan was made (only a face that authenticated the scanner
    #: passes it on): taken within bounds, else the scan is logged at ``at`` (see
    #: :mod:`~unitrace.services.scan_time`)
    claimed_at: dt.datetime | None = None
    #: the hash of the address a public scan came from: the guessing detector counts a
    #: caller's counterfeit answers by it, whatever client ids the caller sends
    address: str | None = None
    #: whether the face authenticated the scan's sender as a scanner (a pharmacy's or a
    #: distributor's token): what it saw corroborates an alert (see
    #: :func:`~unitrace.services.flagged_units.corroborated`)
    scanner: bool = False


def scan_time_of(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidRequest("at: needs a UTC offset")
    return at


def clean_text(value: str | None, limit: int) -> str | None:
    """Free text from a client as it may be stored: valid UTF-8 (a lone surrogate would stop
    the database driver), no NUL (PostgreSQL text refuses it), at most ``limit`` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    clean = value[: limit * 2].encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return clean[:limit]
