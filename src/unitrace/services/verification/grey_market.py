"""The grey-market detector: a saleable unit where it should not be, outside its custodian's
territory, outside its product's target markets, or out of the factory without ever being
shipped. Pure: a function of the :class:`~.evidence.Evidence`."""

from __future__ import annotations

from collections.abc import Iterable

from unitrace.places import Place
from unitrace.registry.model import UnitState
from unitrace.services.verification.evidence import Evidence
from unitrace.services.verification.findings import AlertType, Findings

__all__ = ["grey_market", "within"]


def grey_market(evidence: Evidence) -> Findings:
    """``outside_territory``, ``outside_target_markets`` or ``before_shipping``, for an
    active unit only."""
    findings = Findings()
    unit, product, custodian = evidence.unit, evidence.product, evidence.custodian
    place, rules = evidence.place, evidence.rules
    if unit.state is not UnitState.ACTIVE:
        return findings
    if custodian is None:
        if rules.before_shipping:
            findings.add("before_shipping", AlertType.GREY_MARKET, scanned_in=place.label)
        return findings
    if custodian.territory and within(place, custodian.territory) is False:
        findings.add(
            "outside_territory",
            AlertType.GREY_MARKET,
            party=custodian.id,
            party_name=custodian.name,
            territory=list(custodian.territory),
            scanned_in=place.label,
        )
    if (
        product is not None
        and product.target_markets
        and within(place, product.target_markets) is False
    ):
        findings.add(
            "outside_target_markets",
            AlertType.GREY_MARKET,
            target_markets=list(product.target_markets),
            scanned_in=place.label,
        )
    return findings


def within(place: Place, territory: Iterable[str]) -> bool | None:
    """Whether ``place`` lies in ``territory`` (countries match any of their regions, a
    region only itself); None where the place is not known well enough to tell.

    >>> within(Place(region="MY-14", country="MY"), ["MY"])
    True
    >>> within(Place(country="MY"), ["MY-14"]) is None
    True
    """
    if place.country is None:
        return None
    entries = list(territory)
    for entry in entries:
        if entry == place.country or (place.region is not None and entry == place.region):
            return True
    if place.region is None and any(e.startswith(place.country + "-") for e in entries):
        return None  # in the right country, region unknown: no proof either way
    return False
