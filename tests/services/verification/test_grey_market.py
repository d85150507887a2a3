"""The grey-market detector, as a table: where an active unit is scanned, against its
custodian's territory, its product's target markets, and whether it ever left the brand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from tests.services.verification.builders import (
    GTIN,
    KUALA_LUMPUR,
    SINGAPORE,
    evidence,
    unit,
)
from unitrace.places import UNKNOWN_PLACE, Place
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.registry.model import Party, PartyRole, Product, UnitState
from unitrace.services.verification.findings import AlertType
from unitrace.services.verification.grey_market import grey_market, within

MALAYSIA_ONLY = Party("dist-a", "Distributor A", PartyRole.DISTRIBUTOR, territory=("MY",))
SELANGOR_ONLY = Party("dist-s", "Distributor S", PartyRole.DISTRIBUTOR, territory=("MY-10",))
ANYWHERE = Party("dist-w", "Distributor W", PartyRole.DISTRIBUTOR)
FOR_MALAYSIA = Product(GTIN, "Paracetamol 500 mg", target_markets=("MY",))
MALAYSIA = Place(country="MY")

# (custodian, product, where scanned, unit state, rules) → (reasons, the alert's evidence)
Case = tuple[
    Party | None, Product | None, Place, UnitState, DetectionRules, list[str], dict[str, Any]
]
CASES: dict[str, Case] = {
    "in its territory": (
        MALAYSIA_ONLY, None, KUALA_LUMPUR, UnitState.ACTIVE, DEFAULT_RULES, [], {},
    ),
    "outside its territory": (
        MALAYSIA_ONLY, None, SINGAPORE, UnitState.ACTIVE, DEFAULT_RULES, ["outside_territory"],
        {"party": "dist-a", "party_name": "Distributor A", "territory": ["MY"],
         "scanned_in": SINGAPORE.label},
    ),
    "in another region of the country": (
        SELANGOR_ONLY, None, KUALA_LUMPUR, UnitState.ACTIVE, DEFAULT_RULES,
        ["outside_territory"], {"territory": ["MY-10"]},
    ),
    # in the right country, region unknown: no proof either way
    "in the country, region unknown": (
        SELANGOR_ONLY, None, MALAYSIA, UnitState.ACTIVE, DEFAULT_RULES, [], {},
    ),
    "nowhere known": (MALAYSIA_ONLY, None, UNKNOWN_PLACE, UnitState.ACTIVE, DEFAULT_RULES, [], {}),
    "a custodian without a territory": (
        ANYWHERE, None, SINGAPORE, UnitState.ACTIVE, DEFAULT_RULES, [], {},
    ),
    "outside the product's markets": (
        ANYWHERE, FOR_MALAYSIA, SINGAPORE, UnitState.ACTIVE, DEFAULT_RULES,
        ["outside_target_markets"], {"target_markets": ["MY"], "scanned_in": SINGAPORE.label},
    ),
    "outside both": (
        MALAYSIA_ONLY, FOR_MALAYSIA, SINGAPORE, UnitState.ACTIVE, DEFAULT_RULES,
        ["outside_territory", "outside_target_markets"],
        {"territory": ["MY"], "target_markets": ["MY"]},
    ),
    "in the product's markets": (
        ANYWHERE, FOR_MALAYSIA, KUALA_LUMPUR, UnitState.ACTIVE, DEFAULT_RULES, [], {},
    ),
    "never shipped": (
        None, FOR_MALAYSIA, KUALA_LUMPUR, UnitState.ACTIVE, DEFAULT_RULES, ["before_shipping"],
        {"scanned_in": KUALA_LUMPUR.label},
    ),
    "never shipped, by a product that allows it": (
        None, None, KUALA_LUMPUR, UnitState.ACTIVE, DetectionRules(before_shipping=False), [], {},
    ),
    # a pack no longer for sale is the lifecycle detector's
    "dispensed, outside its territory": (
        MALAYSIA_ONLY, FOR_MALAYSIA, SINGAPORE, UnitState.SUPPLIED, DEFAULT_RULES, [], {},
    ),
    "recalled, never shipped": (
        None, None, KUALA_LUMPUR, UnitState.RECALLED, DEFAULT_RULES, [], {},
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("custodian", "product", "place", "state", "rules", "reasons", "alert"),
    CASES.values(),
    ids=CASES.keys(),
)
def test_where_a_saleable_unit_is_scanned_shows_a_grey_market_or_not(
    custodian: Party | None,
    product: Product | None,
    place: Place,
    state: UnitState,
    rules: DetectionRules,
    reasons: list[str],
    alert: dict[str, Any],
) -> None:
    found = grey_market(
        evidence(
            unit=unit(state=state), custodian=custodian, product=product, place=place, rules=rules
        )
    )
    assert found.reasons == reasons
    if not reasons:
        assert found.alerts == {}
        return
    grey = found.alerts[AlertType.GREY_MARKET]
    assert grey["reasons"] == reasons
    assert {key: grey[key] for key in alert} == alert


WITHIN = [
    (KUALA_LUMPUR, ["MY"], True),
    (KUALA_LUMPUR, ["SG", "MY-14"], True),
    (KUALA_LUMPUR, ["MY-10"], False),
    (KUALA_LUMPUR, ["SG"], False),
    (MALAYSIA, ["MY"], True),
    (MALAYSIA, ["MY-14"], None),
    (MALAYSIA, ["SG"], False),
    (UNKNOWN_PLACE, ["MY"], None),
    (KUALA_LUMPUR, [], False),
]


@pytest.mark.parametrize(("place", "territory", "inside"), WITHIN)
def test_a_place_lies_within_a_territory_or_not_or_cannot_tell(
    place: Place, territory: Iterable[str], inside: bool | None
) -> None:
    assert within(place, territory) is inside
