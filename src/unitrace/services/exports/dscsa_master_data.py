"""The master data a DSCSA exchange carries beside its events (GS1 US's DSCSA guideline, CBV
master-data attributes): each product shipped (its NDC, read from a US GTIN, its name, dosage
form and strength), each lot (number and expiry) and each place the events name (name and
address).

Values come from the registry (a product's name, a lot's expiry, a party's or a place's name
and area), completed and overridden by master data partners or the brand captured over EPCIS
for the same element (a dosage form, a strength, an address): the registry holds no dosage
form, and what was captured is the more particular.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.epcis import Attribute, EpcNaming, Vocabulary, VocabularyElement
from unitrace.gs1 import Gtin
from unitrace.gs1.epc import parse_epc_uri
from unitrace.gs1.errors import InvalidCode
from unitrace.gs1.ndc import ndc_of
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT
from unitrace.store.shipment_events import PlaceRecord, ShipmentEvents
from unitrace.store.unit_of_work import UnitOfWork

#: The namespace of CBV master-data attributes, as EPCIS 1.2 and GS1 US's guideline write them.
MDA: Final = "urn:epcglobal:cbv:mda#"
EPC_CLASS: Final = "urn:epcglobal:epcis:vtype:EPCClass"
#: The type code GS1 gives an NDC of 10 digits as a GTIN carries it.
NDC_TYPE_CODE: Final = "FDA_NDC_10"
_OTHER_MDA_SPELLINGS = ("cbvmda:", "urn:epcglobal:cbv:mda:", "urn:epcglobal:cbv:mda#")
_DIGITAL_LINK_GLN = re.compile(r"/414/(\d{13})(?:[/?#]|$)")


@dataclass(frozen=True, slots=True)
class ShippedLot:
    """A lot some of whose units a shipment sends, as its commissioning events say."""

    gtin: Gtin
    lot: str
    expiry: dt.date | None


def product_class_id(naming: EpcNaming, gtin: Gtin) -> str:
    """The EPC class of a product as master data names it: the SGTIN pattern of every serial
    (``urn:epc:idpat:sgtin:…*``), or the GTIN's Digital Link where no company prefix is known.

    >>> product_class_id(EpcNaming.of([(Gtin("09506000134352"), 7)]), Gtin("09506000134352"))
    'urn:epc:idpat:sgtin:9506000.013435.*'
    >>> product_class_id(EpcNaming(), Gtin("09506000134352"))
    'https://id.gs1.org/01/09506000134352'
    """
    unit = naming.sgtin(gtin, "0")
    if unit.startswith("urn:epc:id:sgtin:"):
        return "urn:epc:idpat:sgtin:" + unit[len("urn:epc:id:sgtin:") : -1] + "*"
    return f"https://id.gs1.org/01/{gtin.value}"


def gln_of_place(uri: str) -> str | None:
    """The GLN of a place named by its SGLN or its Digital Link, None for any other name.

    >>> gln_of_place("urn:epc:id:sgln:9506000.00001.0"), gln_of_place("https://id.gs1.org/414/9506000000015")
    ('9506000000015', '9506000000015')
    """
    if uri.startswith("urn:epc:id:sgln:"):
        try:
            elements, _ = parse_epc_uri(uri)
        except InvalidCode:
            return None
        return next((element.value for element in elements if element.ai == "414"), None)
    found = _DIGITAL_LINK_GLN.search(uri)
    return found.group(1) if found else None


def product_vocabulary(
    uow: UnitOfWork, naming: EpcNaming, gtins: Iterable[Gtin], lots: Iterable[ShippedLot]
) -> Vocabulary:
    """The EPCClass master data of the products and lots shipped, products first."""
    elements: list[VocabularyElement] = []
    for gtin in sorted(set(gtins), key=lambda gtin: gtin.value):
        registered = uow.products.get(gtin)
        values: dict[str, Any] = {}
        ndc = ndc_of(gtin.value)
        if ndc is not None:
            values[MDA + "additionalTradeItemIdentification"] = ndc
            values[MDA + "additionalTradeItemIdentificationTypeCode"] = NDC_TYPE_CODE
        if registered is not None:
            values[MDA + "regulatedProductName"] = registered.name
        element_id = product_class_id(naming, gtin)
        values.update(
            _captured(uow, EPC_CLASS, (element_id, f"https://id.gs1.org/01/{gtin.value}"))
        )
        elements.append(_element(element_id, values))
    for shipped in sorted(set(lots), key=lambda lot: (lot.gtin.value, lot.lot)):
        registered_lot = uow.lots.get(shipped.gtin, shipped.lot)
        expiry = registered_lot.expiry if registered_lot is not None else shipped.expiry
        element_id = naming.lgtin(shipped.gtin, shipped.lot)
        values = {MDA + "lotNumber": shipped.lot}
        if expiry is not None:
            values[MDA + "itemExpirationDate"] = expiry.isoformat()
        values.update(_captured(uow, EPC_CLASS, (element_id,)))
        elements.append(_element(element_id, values))
    return Vocabulary(EPC_CLASS, tuple(elements))


def location_vocabulary(uow: UnitOfWork, place_ids: Iterable[str]) -> Vocabulary:
    """The BusinessLocation master data of the places the events name, by ID."""
    wanted = sorted(set(place_ids))
    glns = {place: gln for place in wanted if (gln := gln_of_place(place)) is not None}
    known = ShipmentEvents(uow.connection).places(glns.values())
    elements = []
    for place in wanted:
        gln = glns.get(place)
        values = _place_values(known[gln]) if gln in known and gln is not None else {}
        values.update(_captured(uow, BUSINESS_LOCATION, (place,)))
        values.update(_captured(uow, READ_POINT, (place,)))
        elements.append(_element(place, values))
    return Vocabulary(BUSINESS_LOCATION, tuple(elements))


def _place_values(place: PlaceRecord) -> dict[str, Any]:
    """A place's name and area: its own, else those of the party registered at its GLN (a
    territory of one area)."""
    values: dict[str, Any] = {}
    name = place.name or place.party_name
    if name:
        values[MDA + "name"] = name
    if place.city:
        values[MDA + "city"] = place.city
    region = place.region or (None if place.country else place.party_area)
    country, _, subdivision = (region or "").partition("-")
    if subdivision:
        # an ISO 3166-2 code: the state is the subdivision after the country (US-NJ: NJ)
        values[MDA + "state"] = subdivision
    country = place.country or country
    if country:
        values[MDA + "countryCode"] = country
    return values


def _captured(uow: UnitOfWork, vocabulary_type: str, element_ids: Iterable[str]) -> dict[str, Any]:
    """The attributes captured for any of ``element_ids``, under the CBV master-data spelling
    of their IDs."""
    values: dict[str, Any] = {}
    for element_id in element_ids:
        element = uow.master_data.element(vocabulary_type, element_id)
        if element is None:
            continue
        for attribute in element.attributes:
            if isinstance(attribute, Mapping) and isinstance(attribute.get("id"), str):
                values[_attribute_id(attribute["id"])] = attribute.get("attribute")
    return values


def _attribute_id(written: str) -> str:
    for spelling in _OTHER_MDA_SPELLINGS:
        if written.startswith(spelling):
            return MDA + written[len(spelling) :]
    return written


def _element(element_id: str, values: Mapping[str, Any]) -> VocabularyElement:
    return VocabularyElement(
        element_id, tuple(Attribute(key, value) for key, value in values.items())
    )
