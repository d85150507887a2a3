"""Products, lots and parties: what the registry serializes, and who handles it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from unitrace.api.answers import DetectionRulesOut, LotOut, PartyOut, ProductOut
from unitrace.api.dependencies import Admin, Reader, Writer
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.gs1 import Gtin
from unitrace.registry.errors import NotFound
from unitrace.registry.model import UNAMBIGUOUS_ALPHABET
from unitrace.services import catalog

router = APIRouter(prefix="/api", tags=["catalog"], route_class=StrictJsonRoute)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DetectionRulesIn(Strict):
    """A product's own detection rules; a rule left out (or null) keeps the default."""

    max_clients: StrictInt | None = Field(
        None, description="clone: more distinct clients than this [default 5]"
    )
    max_places: StrictInt | None = Field(
        None, description="clone: more distinct regions (else countries) than this [default 3]"
    )
    max_speed_kmh: StrictFloat | StrictInt | None = Field(
        None, description="clone: travel faster than this between two scans [default 900]"
    )
    min_travel_km: StrictFloat | StrictInt | None = Field(
        None, description="distances below this are never travel [default 50]"
    )
    history: StrictInt | None = Field(
        None, description="the unit's last scans the detectors look at, 1-1000 [default 50]"
    )
    before_shipping: StrictBool | None = Field(
        None, description="grey market: a unit scanned before it was ever shipped [default true]"
    )
    evidence_scans: StrictInt | None = Field(
        None, description="scans an alert's evidence keeps, 1-1000 [default 50]"
    )
    block_flagged_units: StrictBool | None = Field(
        None,
        description=(
            "a unit under an open clone or grey-market alert answers counterfeit, not "
            "suspicious, until the alert is closed [default false]"
        ),
    )


class ProductIn(Strict):
    gtin: str = Field(examples=["09506000134352"], description="GTIN-8, -12, -13 or -14")
    name: str
    company_prefix_length: int | None = Field(None, description="6-12; needed for EPC URIs")
    serial_length: int = 12
    serial_alphabet: str = UNAMBIGUOUS_ALPHABET
    target_markets: list[str] = Field(default_factory=list, examples=[["MY", "SG"]])
    storage_conditions: str | None = None
    detection_rules: DetectionRulesIn | None = None


class LotIn(Strict):
    gtin: str
    lot: str
    expiry: dt.date = Field(description="YYYY-MM-DD")
    production_date: dt.date | None = None
    site: str | None = None


class PartyIn(Strict):
    id: str = Field(examples=["dist-a"])
    name: str
    role: str = Field(examples=["distributor"])
    territory: list[str] = Field(default_factory=list, examples=[["MY-14", "SG"]])
    gln: str | None = None


GtinPath = Annotated[str, Path(description="GTIN-14", examples=["09506000134352"])]


@router.post("/products", status_code=201, response_model=ProductOut)
def register_product(body: ProductIn, actor: Admin, uow: Writer) -> ProductOut:
    product = catalog.register_product(uow, actor=actor, **body.model_dump())
    uow.commit()
    return ProductOut.of(product)


@router.get("/products", response_model=list[ProductOut])
def list_products(_: Admin, uow: Reader) -> list[ProductOut]:
    return [ProductOut.of(product) for product in uow.products.all()]


@router.get("/products/{gtin}", response_model=ProductOut)
def get_product(gtin: GtinPath, _: Admin, uow: Reader) -> ProductOut:
    return ProductOut.of(catalog.get_product(uow, gtin))


@router.put("/products/{gtin}/detection-rules", response_model=ProductOut)
def set_detection_rules(
    gtin: GtinPath, body: DetectionRulesIn, actor: Admin, uow: Writer
) -> ProductOut:
    """Replace the product's own detection rules; ``{}`` brings back the defaults."""
    product = catalog.set_detection_rules(
        uow, gtin=gtin, rules=body.model_dump(exclude_none=True), actor=actor
    )
    uow.commit()
    return ProductOut.of(product)


@router.post("/lots", status_code=201, response_model=LotOut)
def register_lot(body: LotIn, actor: Admin, uow: Writer) -> LotOut:
    lot = catalog.register_lot(uow, actor=actor, **body.model_dump())
    uow.commit()
    return LotOut.of(lot)


@router.get("/lots/{gtin}", response_model=list[LotOut])
def list_lots(gtin: GtinPath, _: Admin, uow: Reader) -> list[LotOut]:
    return [LotOut.of(lot) for lot in uow.lots.of_product(catalog.parse_gtin(gtin))]


@router.get("/lots/{gtin}/{lot}", response_model=LotOut)
def get_lot(gtin: GtinPath, lot: str, _: Admin, uow: Reader) -> LotOut:
    found = uow.lots.get(catalog.parse_gtin(gtin), lot)
    if found is None:
        raise NotFound(f"lot: {lot} of {gtin} is not registered")
    return LotOut.of(found)


@router.post("/parties", status_code=201, response_model=PartyOut)
def register_party(body: PartyIn, actor: Admin, uow: Writer) -> PartyOut:
    party = catalog.register_party(uow, actor=actor, **body.model_dump())
    uow.commit()
    return PartyOut.of(party)


@router.get("/parties", response_model=list[PartyOut])
def list_parties(_: Admin, uow: Reader) -> list[PartyOut]:
    return [PartyOut.of(party) for party in uow.parties.all()]


__all__ = ["DetectionRulesOut", "Gtin", "LotOut", "PartyOut", "ProductOut", "router"]
