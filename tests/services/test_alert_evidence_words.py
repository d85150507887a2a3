"""An alert's evidence in words: a sentence for each finding the detectors store, and none
of the evidence, however odd (an older unitrace's, a hand-edited row), stops the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.services.alert_evidence_words import (
    duration_words,
    evidence_sentences,
    place_words,
)

LONDON_SCAN = {
    "scan_id": 3,
    "at": "2026-03-02T09:26:00+00:00",
    "place": "London, GB-ENG, GB",
    "reasons": ["impossible_travel", "outside_territory"],
}
TRAVEL = {
    "from": "Kuala Lumpur, MY-14, MY",
    "to": "London, GB-ENG, GB",
    "km": 10545.8,
    "hours": 0.233,
    "km_per_hour": 45196,
    "approximate": False,
}


@pytest.mark.parametrize(
    ("alert_type", "evidence", "sentence"),
    [
        (
            "clone",
            {"reasons": ["impossible_travel"], "travel": TRAVEL, "scans": [LONDON_SCAN]},
            "Scanned in Kuala Lumpur (MY-14) at 09:12 UTC on 2 Mar 2026, then in London "
            "(GB-ENG) 14 minutes later: 10,546 km apart, faster than any flight.",
        ),
        (
            "clone",
            {
                "reasons": ["impossible_travel"],
                "travel": TRAVEL | {"hours": 30.5, "km_per_hour": 346, "approximate": True},
            },
            "Scanned in Kuala Lumpur (MY-14), then in London (GB-ENG) 30 hours 30 minutes "
            "later: at least 10,546 km apart, 346 km/h, faster than this product's rules allow.",
        ),
        (
            "clone",
            {"reasons": ["too_many_scans"], "distinct_clients": 1200},
            "Scanned by 1,200 different callers (phones, scanners or addresses): more hands "
            "than one genuine pack passes through.",
        ),
        (
            "clone",
            {"reasons": ["too_many_places"], "distinct_places": ["GB-ENG", "MY-14", "SG"]},
            "Scanned in 3 different areas (GB-ENG, MY-14, SG): more places than one genuine "
            "pack travels to.",
        ),
        (
            "grey_market",
            {
                "reasons": ["outside_territory"],
                "party": "dist-b",
                "party_name": "Distributor B (Singapore)",
                "territory": ["SG"],
                "scanned_in": "Kuala Lumpur, MY-14, MY",
            },
            "Scanned in Kuala Lumpur (MY-14), outside the territory of Distributor B "
            "(Singapore) (SG), the distributor holding it: the pack left its market.",
        ),
        (
            "grey_market",
            {
                "reasons": ["outside_target_markets"],
                "target_markets": ["MY", "SG"],
                "scanned_in": "London, GB-ENG, GB",
            },
            "Scanned in London (GB-ENG), outside the product's target markets (MY, SG).",
        ),
        (
            "grey_market",
            {"reasons": ["before_shipping"], "scanned_in": "SG"},
            "Scanned in SG before the brand ever shipped it.",
        ),
        (
            "guessing",
            {"reasons": ["guessing"], "counterfeit_answers": 25, "window_minutes": 10.0},
            "One caller was answered “counterfeit” 25 times within 10 minutes: taken for "
            "someone guessing codes, and slowed down.",
        ),
        (
            "counterfeit_probe",
            {"reasons": ["not_issued"]},
            "A serial the brand never issued was scanned with this product's GTIN.",
        ),
        (
            "counterfeit_probe",
            {"reasons": ["lot_mismatch"], "lot_scanned": "L9"},
            "The code scanned named lot L9, not the lot the unit was made in: a copied or "
            "relabelled pack.",
        ),
        (
            "lifecycle",
            {"reasons": ["recalled"], "state": "active", "lot_status": "recalled"},
            "The unit was scanned while it is recalled (its lot is recalled).",
        ),
        (
            "lifecycle",
            {"reasons": ["expired"], "state": "active", "expiry": "2026-01-31"},
            "Scanned after its expiry date (2026-01-31).",
        ),
        (
            "lifecycle",
            {"reasons": ["destroyed"], "state": "destroyed"},
            "The unit was scanned after it was taken off the market: its state is destroyed.",
        ),
        ("lifecycle", {"reasons": ["a_new_finding"]}, "Found: a new finding."),
        (
            "grey_market",
            {
                "scan_count": 3,
                "sources": ["a", "b"],
                "first_seen": "2026-03-02T09:12:00+00:00",
                "last_seen": "2026-03-04T17:40:00+00:00",
            },
            "3 scans raised this alert or added to it, from 2 Mar 2026, 09:12 UTC to 4 Mar "
            "2026, 17:40 UTC; its evidence names 2 callers.",
        ),
        (
            "clone",
            {"scan_count": 1, "sources": ["a"], "first_seen": "2026-03-02T09:12:00+00:00"},
            "1 scan raised this alert, on 2 Mar 2026, 09:12 UTC; its evidence names 1 caller.",
        ),
    ],
)
def test_each_finding_reads_as_a_sentence(
    alert_type: str, evidence: dict[str, Any], sentence: str
) -> None:
    assert evidence_sentences(alert_type, evidence) == [sentence]


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("Kuala Lumpur, MY-14, MY", "Kuala Lumpur (MY-14)"),
        ("London, GB", "London (GB)"),
        ("MY-14, MY", "MY-14"),
        ("SG", "SG"),
        ("Springfield", "Springfield"),
        ("St. John's, Newfoundland, CA", "St. John's, Newfoundland (CA)"),
        ("", "an unknown place"),
        ("unknown place", "an unknown place"),
    ],
)
def test_a_place_reads_as_people_say_it(label: str, words: str) -> None:
    assert place_words(label) == words


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(0), "less than a minute later"),
        (dt.timedelta(minutes=1), "1 minute later"),
        (dt.timedelta(hours=1), "1 hour later"),
        (dt.timedelta(hours=47, minutes=1), "47 hours 1 minute later"),
        (dt.timedelta(days=400), "400 days later"),
    ],
)
def test_a_time_between_scans_reads_in_words(span: dt.timedelta, words: str) -> None:
    assert duration_words(span) == words


FIELDS = st.sampled_from(
    ["reasons", "travel", "scans", "scanned_in", "territory", "distinct_clients",
     "distinct_places", "counterfeit_answers", "window_minutes", "scan_count", "sources",
     "first_seen", "last_seen", "hours", "km", "from", "to", "at", "km_per_hour"]
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | FIELDS, inner, max_size=3)
    ),
    max_leaves=8,
)
REASONS = st.sampled_from(
    ["impossible_travel", "too_many_scans", "too_many_places", "outside_territory",
     "outside_target_markets", "before_shipping", "guessing", "not_issued", "lot_mismatch",
     "expiry_mismatch", "expired", "recalled", "voided", "stolen"]
)  # fmt: skip


@given(
    alert_type=st.sampled_from(["clone", "grey_market", "guessing", "lifecycle", "other"]),
    evidence=st.dictionaries(FIELDS, JSON | st.lists(REASONS, max_size=4), max_size=8),
    travel=st.dictionaries(FIELDS, JSON, max_size=6),
)
def test_no_evidence_stops_the_page(
    alert_type: str, evidence: dict[str, Any], travel: dict[str, Any]
) -> None:
    evidence.setdefault("travel", travel)
    sentences = evidence_sentences(alert_type, evidence)
    assert all(isinstance(sentence, str) and sentence for sentence in sentences)
