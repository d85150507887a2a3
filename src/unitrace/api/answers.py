"""The answers of the API's resources as pydantic models, apart from the web framework: the
routers answer with them and the command line prints the same JSON with ``--json``, so both
faces give one answer for one question."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from unitrace.gs1.link_types import link_type_curie
from unitrace.registry.model import Lot, Party, Product, UnitState
from unitrace.services import catalog, lifecycle
from unitrace.store.brand_links import BrandLink
from unitrace.store.events import EventRecord


class DetectionRulesOut(BaseModel):
    max_clients: int
    max_places: int
    max_speed_kmh: float
    min_travel_km: float
    history: int
    before_shipping: bool
    evidence_scans: int
    block_flagged_units: bool


class ProductOut(BaseModel):
    gtin: str
    name: str
    company_prefix_length: int | None
    serial_length: int
    serial_alphabet: str
    target_markets: list[str]
    storage_conditions: str | None
    issued: int
    detection_rules: DetectionRulesOut = Field(
        description="the rules scans of the product are judged by: its own, else the defaults"
    )
    own_detection_rules: dict[str, int | float | bool] = Field(
        description="the rules the product sets itself"
    )

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        return cls(
            gtin=product.gtin.value,
            name=product.name,
            company_prefix_length=product.company_prefix_length,
            serial_length=product.serial_format.length,
            serial_alphabet=product.serial_format.alphabet,
            target_markets=list(product.target_markets),
            storage_conditions=product.storage_conditions,
            issued=product.issued,
            detection_rules=DetectionRulesOut.model_validate(catalog.effective_rules(product)),
            own_detection_rules=product.detection_rules.given,
        )


class LotOut(BaseModel):
    gtin: str
    lot: str
    expiry: dt.date
    production_date: dt.date | None
    site: str | None
    status: str
    status_reason: str | None
    issued: int

    @classmethod
    def of(cls, lot: Lot) -> LotOut:
        return cls(
            gtin=lot.gtin.value,
            lot=lot.lot,
            expiry=lot.expiry,
            production_date=lot.production_date,
            site=lot.site,
            status=lot.status.value,
            status_reason=lot.status_reason,
            issued=lot.issued,
        )


class PartyOut(BaseModel):
    id: str
    name: str
    role: str
    territory: list[str]
    gln: str | None

    @classmethod
    def of(cls, party: Party) -> PartyOut:
        return cls(
            id=party.id,
            name=party.name,
            role=party.role.value,
            territory=list(party.territory),
            gln=party.gln,
        )


class EventOut(BaseModel):
    event_id: str
    type: str
    action: str | None
    event_time: dt.datetime
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    party: str | None
    recorded_by: str | None

    @classmethod
    def of(cls, event: EventRecord) -> EventOut:
        return cls(
            event_id=event.event_id,
            type=event.type,
            action=event.action,
            event_time=event.event_time,
            biz_step=event.biz_step,
            disposition=event.disposition,
            read_point=event.read_point,
            biz_location=event.biz_location,
            party=event.party_id,
            recorded_by=event.recorded_by,
        )


class ShipmentOut(BaseModel):
    event: EventOut
    party: str
    units: int = Field(description="Units moved, at every depth of the containers shipped.")
    containers: list[str]

    @classmethod
    def of(cls, shipment: lifecycle.Shipment) -> ShipmentOut:
        return cls(
            event=EventOut.of(shipment.event),
            party=shipment.party,
            units=shipment.units,
            containers=list(shipment.containers),
        )


class UnitOut(BaseModel):
    gtin: str
    serial: str
    epc: str
    lot: str
    seq: int
    expiry: dt.date
    state: UnitState
    container: str | None
    custodian: str | None
    location: str | None
    state_since: dt.datetime | None
    history: list[EventOut]

    @classmethod
    def of(cls, unit: lifecycle.UnitView) -> UnitOut:
        return cls(
            gtin=unit.gtin.value,
            serial=unit.serial,
            epc=unit.epc,
            lot=unit.lot,
            seq=unit.seq,
            expiry=unit.expiry,
            state=unit.state,
            container=unit.container,
            custodian=unit.custodian,
            location=unit.location,
            state_since=unit.state_since,
            history=[EventOut.of(event) for event in unit.history],
        )


class ContainerOut(BaseModel):
    epc: str
    kind: str
    parent: str | None
    custodian: str | None
    location: str | None
    containers: list[str]
    units: list[str]
    unit_count: int = Field(description="Units inside, at every depth.")

    @classmethod
    def of(cls, container: lifecycle.ContainerView) -> ContainerOut:
        return cls(
            epc=container.epc,
            kind=container.kind,
            parent=container.parent,
            custodian=container.custodian,
            location=container.location,
            containers=list(container.containers),
            units=list(container.units),
            unit_count=container.unit_count,
        )


class AlertOut(BaseModel):
    id: int
    type: str
    status: str
    code: str | None
    gtin: str | None
    serial: str | None
    lot: str | None
    party: str | None
    details: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_reason: str | None

    @classmethod
    def of(cls, alert: Any) -> AlertOut:
        return cls(
            id=alert.id,
            type=str(alert.type),
            status=str(alert.status),
            code=alert.code,
            gtin=alert.gtin,
            serial=alert.serial,
            lot=alert.lot,
            party=alert.party,
            details=dict(alert.details),
            created_at=alert.created_at,
            updated_at=alert.updated_at,
            closed_reason=alert.closed_reason,
        )


class TokenOut(BaseModel):
    token: str
    # what DELETE /api/tokens/{id} takes
    id: int
    role: str
    party: str | None


class ConsoleUserListed(BaseModel):
    """A console user as listed: never its password or the password's hash."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    role: str
    party: str | None
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None = Field(description="Null if never signed in.")
    disabled_at: dt.datetime | None = Field(description="Null while the user is enabled.")


class TokenListed(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    role: str
    party: str | None
    label: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(
        description="When the token last authenticated, to within five minutes; null if never."
    )
    revoked_at: dt.datetime | None = Field(description="Null while the token is live.")


class BrandLinkOut(BaseModel):
    """A link the resolver serves for a product or one of its lots."""

    id: int
    gtin: str
    lot: str | None
    link_type: str = Field(description="gs1:<type> for the GS1 Web Vocabulary, else its URI")
    href: str
    title: str
    hreflang: str | None
    context: str | None
    type: str | None = Field(description="The target's media type")
    default: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, link: BrandLink) -> BrandLinkOut:
        return cls(
            id=link.id,
            gtin=link.gtin,
            lot=link.lot,
            link_type=link_type_curie(link.link_type),
            href=link.href,
            title=link.title,
            hreflang=link.hreflang,
            context=link.context,
            type=link.media_type,
            default=link.is_default,
            created_at=link.created_at,
        )
