"""A client's ranked preferences, as HTTP's ``Accept`` and ``Accept-Language`` headers give them
(RFC 9110 §12.4.2): most preferred first by quality, then in the order written; a value of
quality 0 (or an unreadable one) is one the client refuses, and is left out."""

from __future__ import annotations


def ranked_preferences(header: str) -> list[str]:
    """The values of an ``Accept`` or ``Accept-Language`` header, lower-cased, most preferred
    first.

    >>> ranked_preferences("text/html;q=0.5, application/json, */*;q=0")
    ['application/json', 'text/html']
    """
    ranked = []
    for position, part in enumerate(header.split(",")):
        value, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, number = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(number)
                except ValueError:
                    weight = 0.0
        if value and weight > 0:
            ranked.append((-weight, position, value.lower()))
    return [value for _, _, value in sorted(ranked)]
