"""Findings merged are the findings added one after the other: the verdict gathers the
detectors' findings so, in the order the detectors run."""

from __future__ import annotations

from typing import Any

import pytest

from unitrace.services.verification.findings import AlertType, Findings

Added = tuple[str, AlertType | None, dict[str, Any]]
CLONE, GREY = AlertType.CLONE, AlertType.GREY_MARKET

# (what is found first, what another detector finds after)
CASES: dict[str, tuple[list[Added], list[Added]]] = {
    "nothing after nothing": ([], []),
    "something after nothing": ([], [("too_many_places", CLONE, {"distinct_places": ["MY"]})]),
    "nothing after something": ([("supplied", AlertType.LIFECYCLE, {"state": "supplied"})], []),
    "another alert": (
        [("too_many_scans", CLONE, {"distinct_clients": 6})],
        [("before_shipping", GREY, {"scanned_in": "SG"})],
    ),
    "the same alert, its evidence newer": (
        [("too_many_scans", CLONE, {"sources": ["a"], "distinct_clients": 6})],
        [("impossible_travel", CLONE, {"sources": ["b"]}), ("too_many_scans", CLONE, {})],
    ),
    "a reason without an alert": ([("flagged_clone", None, {})], [("flagged_clone", CLONE, {})]),
}


def found(added: list[Added]) -> Findings:
    findings = Findings()
    for reason, alert, evidence in added:
        findings.add(reason, alert, **evidence)
    return findings


@pytest.mark.parametrize(("first", "then"), CASES.values(), ids=CASES.keys())
def test_merged_findings_are_the_findings_added_in_turn(
    first: list[Added], then: list[Added]
) -> None:
    merged = found(first)
    merged.merge(found(then))
    assert merged == found(first + then)
    assert list(merged.alerts) == list(found(first + then).alerts)
