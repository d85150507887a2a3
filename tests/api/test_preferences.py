"""Accept and Accept-Language headers ranked as RFC 9110 §12.4.2 reads them: the resolver's
link choice and the EPCIS query's media type both follow this order."""

from __future__ import annotations

import pytest

from unitrace.api.preferences import ranked_preferences


@pytest.mark.parametrize(
    ("header", "ranked"),
    [
        ("", []),
        ("application/json", ["application/json"]),
        ("text/html, application/json", ["text/html", "application/json"]),
        ("text/html;q=0.5, application/json", ["application/json", "text/html"]),
        ("a;q=0.2, b;q=0.9, c;q=0.9", ["b", "c", "a"]),
        ("application/xml;q=0, */*", ["*/*"]),
        ("text/html;q=abc, text/plain", ["text/plain"]),
        ("Application/LD+JSON", ["application/ld+json"]),
        (" , ;q=1, en", ["en"]),
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", ["fr-ch", "fr", "en", "de", "*"]),
        ("text/html; level=1; q=0.4, text/plain", ["text/plain", "text/html"]),
    ],
)
def test_preferences_rank_by_quality_then_position(header: str, ranked: list[str]) -> None:
    assert ranked_preferences(header) == ranked
