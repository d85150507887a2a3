"""The cold chain section of a unit's, a container's and a lot's console page: the verdict in
words over the chart (``/console/cold-chain/chart.svg``), or, plainly, that the product has no
storage conditions set or that no reading covers it. The section asks the service the API asks
(``GET /api/cold-chain``), with the signed-in person's actor: what it refuses, the section says.
"""

from __future__ import annotations

from dataclasses import dataclass

from unitrace.api.console.cold_chain import chart_path
from unitrace.api.console.session import Signed
from unitrace.coldchain import StorageConditions
from unitrace.coldchain.chart import counted
from unitrace.coldchain.exposure import Verdict
from unitrace.registry.errors import Refused
from unitrace.registry.model import Actor, Role
from unitrace.services.cold_chain.charts import worst_group
from unitrace.services.cold_chain.exposure import cold_chain_of
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.store.unit_of_work import Database

#: A verdict as the section's badge says it.
BADGES = {
    "within": "kept within",
    "allowed_excursion": "allowed excursion",
    "breach": "breach",
    "none": "not judged",
}


@dataclass(frozen=True, slots=True)
class ColdChainSection:
    """What the section shows: the verdict (``within``, ``allowed_excursion``, ``breach`` or
    ``none``), a sentence, a few more, and the chart's path (None: nothing to draw)."""

    verdict: str
    headline: str
    details: tuple[str, ...] = ()
    chart: str | None = None

    @property
    def badge(self) -> str:
        return BADGES[self.verdict]


def page_section(database: Database, signed: Signed, code: str) -> ColdChainSection | None:
    """The section of ``code``'s page for ``signed``: None for a role the cold chain is not
    shown to (a verifier, as the navigation has it)."""
    if not signed.may(Role.LINE, Role.DISTRIBUTOR):
        return None
    return cold_chain_section(database, code, signed.actor)


def cold_chain_section(database: Database, code: str, actor: Actor) -> ColdChainSection:
    """The section of ``code``'s page (a unit, a container or a lot)."""
    try:
        with database.unit_of_work(read_only=True) as uow:
            answer = cold_chain_of(uow, code=code, actor=actor)
    except Refused as refusal:
        return ColdChainSection("none", f"The cold chain cannot be shown: {refusal}")
    if isinstance(answer, LotExposure):
        return _lot_section(answer, chart_path(code))
    return _exposure_section(answer, chart_path(code))


def _exposure_section(exposure: Exposure, chart: str) -> ColdChainSection:
    judged = exposure.judgement
    readings = sum(period.readings for period in judged.periods)
    conditions = exposure.conditions
    if conditions is None:
        if readings == 0:
            return ColdChainSection("none", "No storage conditions set, and no readings.")
        return ColdChainSection(
            "none",
            "No storage conditions set for this product: its readings are shown, nothing is "
            "judged.",
            chart=chart,
        )
    if readings == 0:
        return ColdChainSection(
            "none", f"No readings: no logger measured where this {exposure.subject} was."
        )
    details = [
        f"{counted(readings, 'reading')} from "
        f"{counted(len({period.source for period in judged.periods}), 'source')}"
        + (
            f", {_degrees(judged.min_c)} to {_degrees(judged.max_c)}"
            if judged.min_c is not None and judged.max_c is not None
            else ""
        )
        + (
            f", mean kinetic temperature {_degrees(judged.mkt_c)}."
            if judged.mkt_c is not None
            else "."
        )
    ]
    details += [
        f"{'Allowed excursion' if found.allowed else 'Breach'}: peak {_degrees(found.peak_c)} "
        f"for {found.minutes:,.0f} min, measured by {found.source.label()}."
        for found in judged.excursions
    ]
    details += list(judged.reasons)
    if judged.gaps:
        minutes = sum(gap.minutes for gap in judged.gaps)
        details.append(
            f"{counted(len(judged.gaps), 'gap')} with no reading, {minutes:,.0f} min in all "
            "(hatched on the chart)."
        )
    verdict = judged.verdict
    headline = {
        Verdict.WITHIN: f"Kept within {_band(conditions)} wherever it was measured.",
        Verdict.ALLOWED_EXCURSION: (
            f"Out of {_band(conditions)} for {judged.minutes_out_of_range:,.0f} min in all, "
            "within the excursion the product allows."
        ),
        Verdict.BREACH: "Breach: the storage conditions were not kept.",
        None: "Not judged.",
    }[verdict]
    return ColdChainSection(
        verdict.value if verdict else "none", headline, tuple(details), chart=chart
    )


def _lot_section(lot: LotExposure, chart: str) -> ColdChainSection:
    by_verdict = {
        ("none" if key is None else str(key)): count for key, count in lot.verdicts.items()
    }
    breached, allowed = by_verdict.get("breach", 0), by_verdict.get("allowed_excursion", 0)
    within, unjudged = by_verdict.get("within", 0), by_verdict.get("none", 0)
    chosen = worst_group(lot)
    drawn = chart if chosen is not None else None
    if lot.conditions is None:
        return ColdChainSection("none", "No storage conditions set for this product.", chart=drawn)
    if chosen is None:
        return ColdChainSection("none", "No readings: no logger measured where its units were.")
    details = (
        f"{lot.units:,} units: {within:,} kept within {_band(lot.conditions)}, {allowed:,} "
        f"with an allowed excursion, {breached:,} breached, {unjudged:,} with no reading.",
        f"The chart shows the worst exposure its units shared (by {counted(chosen[1], 'unit')}).",
    )
    if breached:
        verdict, headline = "breach", f"{breached:,} of {lot.units:,} units breached."
    elif allowed:
        verdict = "allowed_excursion"
        headline = f"{allowed:,} of {lot.units:,} units had an allowed excursion; none breached."
    else:
        verdict = "within" if within else "none"
        headline = f"{within:,} of {lot.units:,} units kept within {_band(lot.conditions)}."
    return ColdChainSection(verdict, headline, details, chart=drawn)


def _band(conditions: StorageConditions) -> str:
    return f"{_degrees(conditions.min_c, unit=False)} to {_degrees(conditions.max_c)}"


def _degrees(celsius: float | None, *, unit: bool = True) -> str:
    text = "—" if celsius is None else f"{celsius:.1f}".removesuffix(".0")
    return f"{text} °C" if unit else text
