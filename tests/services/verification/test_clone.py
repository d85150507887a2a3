"""The clone detector, as a table: the unit's latest scans and this one, by hand, place and
time, and what they show of a copied code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tests.services.verification.builders import (
    IPOH,
    JOHOR_BAHRU,
    KUALA_LUMPUR,
    KUALA_LUMPUR_NEXT_DOOR,
    PENANG,
    SINGAPORE,
    evidence,
    logged,
)
from unitrace.places import UNKNOWN_PLACE, Place
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.services.verification.clone import clones
from unitrace.services.verification.findings import AlertType
from unitrace.store.scans import ScanRecord

DAY = 24 * 60  # minutes
SINGAPORE_ROUGHLY = Place(country="SG")  # placed at the country's centre, approximately


class Case:
    def __init__(
        self,
        history: Sequence[ScanRecord],
        place: Place = KUALA_LUMPUR,
        source: str | None = "a",
        *,
        found: Sequence[str] = (),
        evidence: dict[str, Any] | None = None,
        rules: DetectionRules = DEFAULT_RULES,
    ) -> None:
        self.history, self.place, self.source = list(history), place, source
        self.found, self.evidence, self.rules = list(found), evidence or {}, rules


CASES = {
    "a first scan": Case([]),
    "five hands": Case([logged(60 * i, client=hand) for i, hand in enumerate("bcde", 1)]),
    "six hands": Case(
        [logged(60 * i, client=hand) for i, hand in enumerate("bcdef", 1)],
        found=["too_many_scans"],
        evidence={"distinct_clients": 6, "sources": ["a", "b", "c", "d", "e", "f"]},
    ),
    # a caller is its address, whatever client ids it sends
    "one address, six client ids": Case(
        [logged(60 * i, client=hand, address="a") for i, hand in enumerate("bcdef", 1)],
    ),
    "a product's own limit of hands": Case(
        [logged(60, client="b")],
        found=["too_many_scans"],
        evidence={"distinct_clients": 2},
        rules=DetectionRules(max_clients=1),
    ),
    "three areas": Case([logged(2 * DAY, PENANG), logged(4 * DAY, IPOH)]),
    "four areas": Case(
        [logged(2 * DAY, PENANG), logged(4 * DAY, IPOH), logged(6 * DAY, JOHOR_BAHRU)],
        found=["too_many_places"],
        evidence={"distinct_places": ["MY-01", "MY-07", "MY-08", "MY-14"]},
    ),
    "Kuala Lumpur to Singapore in an hour": Case([logged(60, client="b")], SINGAPORE),
    "Kuala Lumpur to Singapore in ten minutes": Case(
        [logged(10, client="b")],
        SINGAPORE,
        found=["impossible_travel"],
        evidence={"sources": ["b"]},
    ),
    "at once, in two places": Case([logged(0, client="b")], SINGAPORE, found=["impossible_travel"]),
    # one caller's scans far apart show a place it forged, not a copied code
    "one hand in two places": Case([logged(10, client="a")], SINGAPORE),
    "next door, a minute later": Case([logged(1, client="b")], KUALA_LUMPUR_NEXT_DOOR),
    "this scan placed nowhere": Case([logged(10, client="b")], UNKNOWN_PLACE),
    "the earlier scan placed nowhere": Case([logged(10, UNKNOWN_PLACE, client="b")], SINGAPORE),
    # newest first, down to the last scan measured exactly
    "a measured scan nearby ends the search": Case(
        [logged(5, JOHOR_BAHRU, client="c"), logged(10, client="b")], SINGAPORE
    ),
    "an approximate place does not hide a measured one": Case(
        [logged(5, SINGAPORE_ROUGHLY, client="c"), logged(10, client="b")],
        SINGAPORE,
        found=["impossible_travel"],
        evidence={"sources": ["b"]},
    ),
    "a scan older than any journey takes": Case([logged(2 * DAY, client="b")], SINGAPORE),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_scans_of_a_code_show_a_clone_or_not(case: Case) -> None:
    found = clones(
        evidence(history=case.history, place=case.place, source=case.source, rules=case.rules)
    )
    assert found.reasons == case.found
    if not case.found:
        assert found.alerts == {}
        return
    alert = found.alerts[AlertType.CLONE]
    assert alert["reasons"] == case.found
    assert {key: alert[key] for key in case.evidence} == case.evidence


def test_impossible_travel_names_the_journey() -> None:
    found = clones(evidence(history=[logged(10, client="b")], place=SINGAPORE, source="a"))
    travel = found.alerts[AlertType.CLONE]["travel"]
    assert (travel["from"], travel["to"], travel["hours"], travel["approximate"]) == (
        KUALA_LUMPUR.label,
        SINGAPORE.label,
        round(10 / 60, 3),
        False,
    )
    assert abs(travel["km_per_hour"] - travel["km"] * 6) < 1
