"""Products' storage conditions: the band a product is kept in, the excursion it may bear and
the limit on its mean kinetic temperature (USP <1079.2>'s defaults for what is left out)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from unitrace.api.dependencies import Admin, Reader, Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.routers.catalog import GtinPath
from unitrace.registry.model import Actor
from unitrace.services.cold_chain import conditions

router = APIRouter(prefix="/api", tags=["cold chain"], route_class=StrictJsonRoute)

Celsius = StrictFloat | StrictInt


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExcursionIn(Strict):
    min_c: Celsius = Field(description="The coldest the product may be, briefly; at most min_c.")
    max_c: Celsius = Field(description="The warmest the product may be, briefly; at least max_c.")
    max_minutes: StrictInt = Field(description="Minutes out of the band allowed in all, 1-525600.")


class MktIn(Strict):
    max_c: Celsius | None = Field(None, description="The MKT's limit [default: max_c]")
    window: Literal["24h", "30d"] | None = Field(
        None, description="[default: 24h when max_c <= 8 °C, else 30d]"
    )
    delta_h_over_r: Celsius | None = Field(
        None, description="ΔH/R in kelvin, 1000-100000 [default: 10000]"
    )


class StorageIn(Strict):
    min_c: Celsius = Field(examples=[2])
    max_c: Celsius = Field(examples=[8])
    excursion: ExcursionIn | None = None
    mkt: MktIn | None = None


class ExcursionOut(BaseModel):
    min_c: float
    max_c: float
    max_minutes: int


class MktOut(BaseModel):
    max_c: float
    window: str
    delta_h_over_r: float


class StorageOut(BaseModel):
    gtin: str
    min_c: float
    max_c: float
    excursion: ExcursionOut | None
    mkt: MktOut
    in_words: str = Field(description="As the verify page says it.")
    updated_at: dt.datetime
    updated_by: str | None

    @classmethod
    def of(cls, found: conditions.ProductConditions) -> StorageOut:
        stored = found.stored
        return cls(
            gtin=found.gtin.value,
            **conditions.conditions_document(stored.conditions),
            in_words=conditions.in_words(stored.conditions),
            updated_at=stored.updated_at,
            updated_by=stored.updated_by,
        )


@router.put("/products/{gtin}/storage", response_model=StorageOut)
def set_storage(gtin: GtinPath, body: StorageIn, actor: Admin, uow: Writer) -> StorageOut:
    """Set the product's storage conditions, replacing those it had."""
    found = conditions.set_conditions(
        uow,
        gtin=gtin,
        min_c=body.min_c,
        max_c=body.max_c,
        excursion=body.excursion.model_dump() if body.excursion else None,
        mkt=body.mkt.model_dump(exclude_none=True) if body.mkt else None,
        actor=actor,
    )
    uow.commit()
    return StorageOut.of(found)


@router.get("/products/{gtin}/storage", response_model=StorageOut)
def get_storage(gtin: GtinPath, _: Annotated[Actor, Depends(caller)], uow: Reader) -> StorageOut:
    """The product's storage conditions (404 when none are set)."""
    return StorageOut.of(conditions.product_conditions(uow, gtin))
