"""The chart of what ``GET /api/cold-chain`` answers, for the API's picture and the console's
pages alike: a unit's or a container's exposure drawn whole, and for a lot the exposure its
units shared that stands worst — a breach before an allowed excursion before one kept within,
and of equal verdicts the one shared by the most units — since the one a reader must see is
the one that went wrong, however few units it covered. The chart's title says which it is.
"""

from __future__ import annotations

import time

from unitrace.coldchain.chart import counted, draw_exposure
from unitrace.coldchain.exposure import Judgement, Verdict
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.services.trace.subjects import code_of

#: How bad each verdict is, worst first; no verdict (no reading, or no conditions) last.
_SEVERITY = {Verdict.BREACH: 0, Verdict.ALLOWED_EXCURSION: 1, Verdict.WITHIN: 2, None: 3}
_NOTHING = Judgement((), (), None, None, None, None, 0.0, (), None)
_DAY_MS = 24 * 3600 * 1000


def worst_group(lot: LotExposure) -> tuple[Exposure, int] | None:
    """The exposure of ``lot``'s units to draw, and how many units shared it: the worst
    verdict, then the most units, then the earliest start; None where no unit has readings."""
    if not lot.groups:
        return None
    return min(
        lot.groups,
        key=lambda group: (_SEVERITY[group[0].judgement.verdict], -group[1], group[0].start_ms),
    )


def exposure_chart(answer: Exposure | LotExposure) -> str:
    """The SVG chart of ``answer`` (see the module for the lot's)."""
    if isinstance(answer, Exposure):
        return _drawn(answer, f"Temperature of {answer.subject} {code_of(answer.epc)}")
    lot = f"lot {answer.lot} of {answer.gtin}"
    chosen = worst_group(answer)
    if chosen is None:
        now_ms = int(time.time() * 1000)
        return draw_exposure(
            title=f"Temperature of {lot}",
            start_ms=now_ms - _DAY_MS,
            end_ms=now_ms,
            stretches=(),
            conditions=answer.conditions,
            judgement=_NOTHING,
        )
    exposure, units = chosen
    shared = (
        f"the worst of {len(answer.groups):,} exposures, shared by {counted(units, 'unit')}"
        if len(answer.groups) > 1
        else f"its {counted(units, 'unit')}"
    )
    return _drawn(exposure, f"Temperature of {lot}: {shared}")


def _drawn(exposure: Exposure, title: str) -> str:
    return draw_exposure(
        title=title,
        start_ms=exposure.start_ms,
        end_ms=exposure.end_ms,
        stretches=exposure.stretches,
        conditions=exposure.conditions,
        judgement=exposure.judgement,
    )
