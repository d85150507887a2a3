"""The cold chain's picture: ``GET /api/cold-chain/chart.svg?code=CODE``, the temperature of
a unit, container or lot over time as an SVG chart, for whoever may ask ``GET /api/cold-chain``
of it (the same service answers both: a distributor only of what it holds or held)."""

from __future__ import annotations

from typing import Annotated, Final

import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from unitrace.api.dependencies import caller, database
from unitrace.registry.model import Actor
from unitrace.services.code_lookup import MAX_CODE_LENGTH
from unitrace.services.cold_chain.charts import exposure_chart
from unitrace.services.cold_chain.exposure import cold_chain_of
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api", tags=["cold chain"])

Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(database)]

#: The chart is a picture of one party's goods, drawn by unitrace: kept by no shared cache,
#: and, opened on its own, let load nothing and run nothing (its one style sheet is inline).
CHART_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}
SVG_MEDIA_TYPE: Final = "image/svg+xml"


def chart_answer(chart: str) -> Response:
    """A chart as an answer, for the API and the console alike."""
    return Response(chart, media_type=SVG_MEDIA_TYPE, headers=CHART_HEADERS)


def answer_of(db: Database, code: str, actor: Actor) -> Exposure | LotExposure:
    with db.unit_of_work(read_only=True) as uow:
        return cold_chain_of(uow, code=code, actor=actor)


@router.get(
    "/cold-chain/chart.svg",
    response_class=Response,
    responses={
        200: {
            "content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}},
            "description": "The chart: the temperature over time of each period's readings, "
            "the allowed band shaded, excursions marked, gaps hatched, periods labelled.",
        }
    },
)
async def cold_chain_chart(
    actor: Caller,
    db: Db,
    code: Annotated[
        str,
        Query(
            max_length=MAX_CODE_LENGTH,
            description="A unit, a container (SSCC or case) or a lot, as GET /api/cold-chain "
            "takes it; for a lot, the exposure its units shared that stands worst.",
        ),
    ],
) -> Response:
    """``GET /api/cold-chain``'s answer for ``code`` drawn: the temperature over time with
    the product's band shaded, excursions marked (their peak written), the time no reading
    covered hatched and what measured each period labelled. For a lot, the exposure shared by
    its units that stands worst (a breach before an allowed excursion before one kept
    within; of equal verdicts, the one shared by the most units)."""
    found = await anyio.to_thread.run_sync(answer_of, db, code, actor)
    return chart_answer(await anyio.to_thread.run_sync(exposure_chart, found))
