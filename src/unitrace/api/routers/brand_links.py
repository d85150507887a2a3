"""A product's links, which the resolver serves (``/api/products/{gtin}/links``): listed, added
and removed by the brand's admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from unitrace.api.answers import BrandLinkOut
from unitrace.api.dependencies import Admin, Reader, Writer
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.services import brand_links

router = APIRouter(prefix="/api", tags=["catalog"], route_class=StrictJsonRoute)

GtinPath = Annotated[str, Path(description="GTIN-14", examples=["09506000134352"])]


class BrandLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    link_type: str = Field(
        max_length=200,
        examples=["gs1:pip"],
        description=(
            "A link type of the GS1 Web Vocabulary (gs1:pip, gs1:instructions, "
            "gs1:recallStatus, gs1:registerProduct, gs1:certificationInfo …) or another "
            "namespace's absolute URI"
        ),
    )
    href: str = Field(max_length=2048, examples=["https://brand.example/vitamin-c"])
    title: str = Field(max_length=200, examples=["Product information"])
    lot: str | None = Field(None, max_length=20, description="Only for this lot")
    hreflang: str | None = Field(None, max_length=5, examples=["en"])
    context: str | None = Field(None, max_length=100, examples=["US"])
    type: str | None = Field(None, max_length=100, examples=["text/html"])
    default: StrictBool = Field(
        False, description="The link a scan is redirected to when no link type is asked"
    )


@router.get("/products/{gtin}/links", response_model=list[BrandLinkOut])
def list_links(
    gtin: GtinPath,
    _: Admin,
    uow: Reader,
    lot: Annotated[
        str | None, Query(max_length=20, description="The product's and this lot's")
    ] = None,
) -> list[BrandLinkOut]:
    return [BrandLinkOut.of(link) for link in brand_links.list_links(uow, gtin=gtin, lot=lot)]


@router.post("/products/{gtin}/links", status_code=201, response_model=BrandLinkOut)
def add_link(gtin: GtinPath, body: BrandLinkIn, actor: Admin, uow: Writer) -> BrandLinkOut:
    """Add a link the resolver serves for the product, or for one of its lots."""
    values = body.model_dump()
    media_type = values.pop("type")
    link = brand_links.add_link(uow, gtin=gtin, actor=actor, media_type=media_type, **values)
    uow.commit()
    return BrandLinkOut.of(link)


@router.delete("/products/{gtin}/links/{link_id}", status_code=204)
def remove_link(
    gtin: GtinPath, link_id: Annotated[int, Path(ge=1)], actor: Admin, uow: Writer
) -> Response:
    brand_links.remove_link(uow, gtin=gtin, link_id=link_id, actor=actor)
    uow.commit()
    return Response(status_code=204)
