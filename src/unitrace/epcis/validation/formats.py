"""The formats of EPCIS 2.0 JSON values as its JSON Schema reads them: RFC 3986 URIs, RFC 3339
date-times (and whether one falls within the calendar once in UTC), the offsets in use on Earth,
version numbers, unit codes and hexadecimal; and the prefixes the EPCIS context declares.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

# RFC 3986 "URI": scheme ":" hier-part [ "?" query ] [ "#" fragment ]. An IP literal is taken
# loosely (hex digits, colons, dots within brackets); nothing in EPCIS names a host by one.
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_AUTHORITY = (
    rf"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|{_PCT})*@)?"
    rf"(?:\[[0-9A-Fa-f:.vV]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|{_PCT})*)"
    r"(?::[0-9]*)?"
)
URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:"
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|(?!//)(?:{_PCHAR}|/)*)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)
# RFC 3339 date-time, as the schema's date-time format reads it (upper-case T and Z)
DATE_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
SCHEMA_OFFSET = re.compile(r"[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)")
VERSION = re.compile(r"\d+(?:\.\d+)*", re.ASCII)
UOM = re.compile(r"[A-Z0-9]{2,3}")
HEX = re.compile(r"[A-Fa-f0-9]+")

#: Prefixes the EPCIS 2.0 context declares: usable without a declaration of one's own.
STANDARD_PREFIXES = frozenset({"epcis", "cbv", "cbvmda", "gs1", "rdfs", "owl", "xsd", "dcterms"})
#: The terms the EPCIS 2.0 context defines other than its prefixes: it defines them all
#: ``@protected`` (JSON-LD 1.1, section 4.1.11), so no other context may define them again.
PROTECTED_TERMS = frozenset(
    {
        "id",
        "type",
        "baseURL",
        "ObjectEvent",
        "AggregationEvent",
        "TransformationEvent",
        "AssociationEvent",
        "TransactionEvent",
        "Collection",
        "member",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "action",
        "certificationInfo",
        "bizStep",
        "disposition",
        "bizLocation",
        "readPoint",
        "transformationID",
        "epcList",
        "sourceList",
        "destinationList",
        "persistentDisposition",
        "quantity",
        "epcClass",
        "uom",
        "quantityList",
        "bizTransactionList",
        "parentID",
        "childEPCs",
        "childQuantityList",
        "inputEPCList",
        "outputEPCList",
        "inputQuantityList",
        "outputQuantityList",
        "sensorElementList",
        "errorDeclaration",
        "eventID",
        "creationDate",
        "sender",
        "receiver",
        "instanceIdentifier",
        "schemaVersion",
        "ilmd",
        "EPCISDocument",
        "EPCISQueryDocument",
        "epcisHeader",
        "masterData",
        "vocabularyList",
        "epcisBody",
        "queryResults",
        "subscriptionID",
        "queryName",
        "resultsBody",
        "eventList",
        "children",
    }
)


def is_uri(text: str) -> bool:
    """Whether ``text`` is a URI as RFC 3986 defines one (a scheme, then the rest).

    >>> is_uri("urn:epc:id:sgtin:0614141.107346.2017"), is_uri("shipping"), is_uri("a b:c")
    (True, False, False)
    """
    return URI.fullmatch(text) is not None


def is_date_time(text: str) -> bool:
    """Whether ``text`` is an RFC 3339 date-time, with its UTC offset, on a day that exists.

    >>> is_date_time("2005-04-03T20:33:31.116-06:00"), is_date_time("2005-02-30T00:00:00Z")
    (True, False)
    """
    match = DATE_TIME.fullmatch(text)
    if match is None:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    return year > 0 and 1 <= day <= calendar.monthrange(year, month)[1]


def offset_in_use(text: str) -> bool:
    sign, hours, minutes = text[0], int(text[1:3]), int(text[4:6])
    return hours * 60 + minutes <= (14 * 60 if sign == "+" else 12 * 60)


def in_utc_years(text: str) -> bool:
    """Whether the RFC 3339 date-time ``text`` falls within the years 1 to 9999 once moved to
    UTC and rounded to the millisecond, as the event hash and the repository write it (a time
    at the very edge of the calendar, with an offset that moves it past the edge, cannot be).

    >>> in_utc_years("2026-01-01T00:00:00+14:00"), in_utc_years("9999-12-31T23:59:59-12:00")
    (True, False)
    >>> in_utc_years("0001-01-01T00:00:00+14:00"), in_utc_years("9999-12-31T23:59:59.9999Z")
    (False, False)
    >>> in_utc_years("0001-01-01T00:00:00Z"), in_utc_years("9999-12-31T23:59:59.999Z")
    (True, True)
    """
    match = DATE_TIME.fullmatch(text)
    assert match is not None, "an RFC 3339 date-time"
    if int(match[1]) not in (1, 9999):
        return True  # no offset moves a time a whole year
    seconds = dt.datetime.fromisoformat(text[:19] + (text[-6:] if text[-1] != "Z" else "+00:00"))
    fraction = text[20:].rstrip("Z").split("+")[0].split("-")[0] if text[19] == "." else ""
    milliseconds = round(float(f"0.{fraction or 0}") * 1000)
    try:
        # rounding to the millisecond may carry a fraction up to the next second
        seconds.astimezone(dt.UTC) + dt.timedelta(milliseconds=milliseconds)
    except OverflowError:
        return False
    return True
