"""The excursions judged, as the console's cold chain page lists them: the lots they fell in,
counted, and the excursions themselves, newest judged first, a page at a time, of one verdict
or both.

Who may look is who may ask ``GET /api/cold-chain`` (the brand's admin and line people, and
distributors; not a verifier, who sees no unit's trail); a distributor is shown the excursions
of what its party holds or held alone (the containers and units in its custody or its events,
its shipments, its own locations:
:meth:`~unitrace.store.excursions_judged.ExcursionsJudged.seen_by`), and its lots counted
from those alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from unitrace.coldchain.exposure import Verdict
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle.rules import allow
from unitrace.store.excursions_judged import ExcursionsJudged, JudgedExcursion, LotExcursions
from unitrace.store.unit_of_work import UnitOfWork

#: Excursions on a page, and lots counted above them.
EXCURSIONS_PER_PAGE: Final = 50
LOTS_SHOWN: Final = 50
#: The verdicts an excursion is judged to have (a unit within its band has no excursion).
VERDICTS: Final = (Verdict.ALLOWED_EXCURSION.value, Verdict.BREACH.value)


@dataclass(frozen=True, slots=True)
class ExcursionListing:
    """A page of excursions and the lots they fell in. ``next_page`` is where the next page
    starts (None on the last); ``more_lots`` says lots were left out of the count."""

    verdict: str | None
    lots: tuple[LotExcursions, ...]
    more_lots: bool
    excursions: tuple[JudgedExcursion, ...]
    next_page: str | None


def excursion_listing(
    uow: UnitOfWork, *, actor: Actor, verdict: str | None = None, page: str | None = None
) -> ExcursionListing:
    """The excursions ``actor`` may see, of ``verdict`` (``allowed_excursion`` or ``breach``;
    None: both), from ``page`` on (a :attr:`ExcursionListing.next_page`; None: the newest)."""
    allow(actor, "view")
    if verdict is not None and verdict not in VERDICTS:
        raise InvalidRequest(f"verdict: {verdict!r} is none of {', '.join(VERDICTS)}")
    before = _page_start(page) if page else None
    judged = ExcursionsJudged(uow.connection)
    seen = None
    if actor.role is Role.DISTRIBUTOR and actor.party_id is not None:
        seen = judged.seen_by(actor.party_id)
    found = judged.page(limit=EXCURSIONS_PER_PAGE + 1, verdict=verdict, before=before, seen=seen)
    shown = found[:EXCURSIONS_PER_PAGE]
    lots = judged.lots(limit=LOTS_SHOWN + 1, verdict=verdict, seen=seen)
    return ExcursionListing(
        verdict=verdict,
        lots=tuple(lots[:LOTS_SHOWN]),
        more_lots=len(lots) > LOTS_SHOWN,
        excursions=tuple(shown),
        next_page=_page_mark(shown[-1]) if len(found) > EXCURSIONS_PER_PAGE else None,
    )


def _page_mark(last: JudgedExcursion) -> str:
    """Where the page after ``last`` starts: its judging time in microseconds and its id.

    >>> import datetime as dt
    >>> _page_start(_page_mark(JudgedExcursion(
    ...     7, "", "", "", "", "", "", 0, 0, 0.0, 0.0, "", 0, False,
    ...     dt.datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=dt.UTC))))
    (datetime.datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=datetime.timezone.utc), 7)
    """
    micros = (last.judged_at - _EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}-{last.id}"


def _page_start(page: str) -> tuple[dt.datetime, int]:
    micros, _, excursion_id = page.partition("-")
    try:
        at = _EPOCH + dt.timedelta(microseconds=int(micros))
        excursion = int(excursion_id)
        if not 0 <= excursion <= _LARGEST_ID:
            # a number no database integer holds would fail the query, not the page
            raise ValueError(excursion_id)
        return at, excursion
    except (ValueError, OverflowError):
        raise InvalidRequest(
            f"page: {page[:40]!r} is not a page of this list (follow its next link)"
        ) from None


_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: The largest id an excursion can have: a signed 64-bit integer's.
_LARGEST_ID: Final = 2**63 - 1
