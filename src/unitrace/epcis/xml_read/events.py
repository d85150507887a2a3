"""The events of an EPCIS XML document read into JSON-LD event dicts: each event type's fields,
CBV words as the bare words of the EPCIS context, quantities, places, business transactions,
sources and destinations, persistent dispositions, error declarations and sensor data.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from unitrace.epcis.xml import (
    ACTIONS,
    BIZ_STEPS,
    BIZ_TRANSACTION_TYPES,
    COMMON_FIELDS,
    COMPONENTS,
    DISPOSITIONS,
    ERROR_REASONS,
    EVENT_FIELDS,
    MEASUREMENT_TYPES,
    SENSOR_ALERT_TYPES,
    SENSOR_METADATA_FIELDS,
    SENSOR_NUMBERS,
    SENSOR_REPORT_FIELDS,
    SOURCE_DEST_TYPES,
    XSI_NS,
    CbvTerms,
    InvalidXml,
    local_name,
)
from unitrace.epcis.xml_read.elements import (
    XSI_NIL,
    attributes_of,
    boolean_of,
    element_text,
    number_of,
    where,
)
from unitrace.epcis.xml_read.extensions import ExtensionReader

_EVENT_FIELD_SETS = {kind: frozenset(COMMON_FIELDS + names) for kind, names in EVENT_FIELDS.items()}
_TEXT_FIELDS = frozenset(
    [
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "action",
        "parentID",
        "transformationID",
        "certificationInfo",
    ]
)
_EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)


class EventReader(ExtensionReader):
    """Reads the events of one document."""

    def _events(self, event_list: etree._Element, events: list[dict[str, Any]]) -> None:
        for element in event_list:
            namespace, kind = local_name(element.tag)
            if namespace is None and kind == "extension":
                # EPCIS 1.x keeps TransformationEvent (and room for later types) in here.
                self._events(element, events)
                continue
            if namespace is not None or kind not in EVENT_FIELDS:
                index = len(events)
                if kind == "QuantityEvent":
                    reason = (
                        "QuantityEvent was deprecated by EPCIS 1.1 and removed in 2.0; send it "
                        "as an ObjectEvent with a quantityList"
                    )
                else:
                    reason = f"unknown event type {kind!r} ({namespace or 'no namespace'})"
                raise InvalidXml(f"eventList[{index}], line {element.sourceline}: {reason}")
            try:
                events.append(self._event(element, kind))
            except InvalidXml as error:
                event_id = element.findtext("eventID") or element.findtext("baseExtension/eventID")
                named = f", eventID {event_id.strip()}" if event_id else ""
                raise InvalidXml(
                    f"eventList[{len(events)}] ({kind}{named}), {error}", error.problems
                ) from None

    def _event(self, element: etree._Element, kind: str) -> dict[str, Any]:
        event: dict[str, Any] = {"type": kind}
        self._foreign_attributes(element, event)
        self._event_fields(element, event, _EVENT_FIELD_SETS[kind], kind)
        for required in ("eventTime", "eventTimeZoneOffset"):
            if required not in event:
                raise InvalidXml(f"line {element.sourceline}: <{kind}> has no <{required}>")
        if kind != "TransformationEvent" and "action" not in event:
            raise InvalidXml(f"line {element.sourceline}: <{kind}> has no <action>")
        return event

    def _event_fields(
        self, element: etree._Element, event: dict[str, Any], fields: frozenset[str], kind: str
    ) -> None:
        for child in element:
            tag = child.tag
            if tag[:1] == "{":
                self._extension(child, event, 1)
                continue
            if tag in ("extension", "baseExtension"):
                # The 1.x wrappers around later fields (eventID, quantityList, ilmd, …) and the
                # 2.0 ones around user extensions: either way the content belongs to the event.
                self._foreign_attributes(child, event)
                self._event_fields(child, event, fields, kind)
                continue
            if tag not in fields:
                raise InvalidXml(f"{where(child)} is not part of a {kind}")
            if tag in event:
                raise InvalidXml(f"{where(child)} appears twice")
            event[tag] = self._field(tag, child)

    def _field(self, name: str, element: etree._Element) -> Any:
        if name in _TEXT_FIELDS:
            value = element_text(element)
            if name == "action" and value not in ACTIONS:
                raise InvalidXml(f"{where(element)} must be ADD, OBSERVE or DELETE, not {value!r}")
            return value
        if name == "bizStep":
            return BIZ_STEPS.word(element_text(element))
        if name == "disposition":
            return DISPOSITIONS.word(element_text(element))
        if name in _EPC_LISTS:
            return self._ids(element, "epc")
        if name in _QUANTITY_LISTS:
            return [self._quantity(item) for item in self._items(element, "quantityElement")]
        if name in ("readPoint", "bizLocation"):
            return self._place(element)
        if name == "bizTransactionList":
            return [
                self._typed_id(item, "bizTransaction", BIZ_TRANSACTION_TYPES, required=False)
                for item in self._items(element, "bizTransaction")
            ]
        if name == "sourceList":
            return [
                self._typed_id(item, "source", SOURCE_DEST_TYPES, required=True)
                for item in self._items(element, "source")
            ]
        if name == "destinationList":
            return [
                self._typed_id(item, "destination", SOURCE_DEST_TYPES, required=True)
                for item in self._items(element, "destination")
            ]
        if name == "sensorElementList":
            return [self._sensor_element(item) for item in self._items(element, "sensorElement")]
        if name == "persistentDisposition":
            return self._persistent_disposition(element)
        if name == "ilmd":
            ilmd: dict[str, Any] = {}
            self._extensions_only(element, ilmd)
            return ilmd
        # errorDeclaration: the last field with its own handling.
        return self._error_declaration(element)

    def _items(self, element: etree._Element, item: str) -> list[etree._Element]:
        items = []
        for child in element:
            tag = child.tag
            if tag == item:
                items.append(child)
            elif tag != "extension":
                raise InvalidXml(f"{where(child)} does not belong in <{element.tag}>")
        return items

    def _ids(self, element: etree._Element, item: str) -> list[str]:
        return [element_text(child) for child in self._items(element, item)]

    def _quantity(self, element: etree._Element) -> dict[str, Any]:
        quantity: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag == "epcClass" or tag == "uom":
                quantity[tag] = element_text(child)
            elif tag == "quantity":
                if child.get(XSI_NIL) not in ("true", "1"):
                    quantity["quantity"] = number_of(element_text(child), child)
            else:
                raise InvalidXml(f"{where(child)} does not belong in <quantityElement>")
        if "epcClass" not in quantity:
            raise InvalidXml(f"{where(element)} has no <epcClass>")
        return quantity

    def _place(self, element: etree._Element) -> dict[str, Any]:
        place: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag == "id":
                place["id"] = element_text(child)
            elif tag[:1] == "{":
                self._extension(child, place, 1)
            elif tag == "extension":
                self._extensions_only(child, place)
            else:
                raise InvalidXml(f"{where(child)} does not belong in <{element.tag}>")
        if "id" not in place:
            raise InvalidXml(f"{where(element)} has no <id>")
        return place

    def _typed_id(
        self, element: etree._Element, key: str, terms: CbvTerms, *, required: bool
    ) -> dict[str, str]:
        entry: dict[str, str] = {}
        kind = element.get("type")
        if kind is not None:
            entry["type"] = terms.word(kind.strip())
        elif required:
            raise InvalidXml(f"{where(element)} has no type attribute")
        entry[key] = element_text(element)
        return entry

    def _persistent_disposition(self, element: etree._Element) -> dict[str, list[str]]:
        changes: dict[str, list[str]] = {}
        for child in element:
            if child.tag not in ("set", "unset"):
                raise InvalidXml(f"{where(child)} does not belong in <persistentDisposition>")
            changes.setdefault(str(child.tag), []).append(DISPOSITIONS.word(element_text(child)))
        return changes

    def _error_declaration(self, element: etree._Element) -> dict[str, Any]:
        declaration: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag[:1] == "{":
                self._extension(child, declaration, 1)
            elif tag == "declarationTime":
                declaration["declarationTime"] = element_text(child)
            elif tag == "reason":
                declaration["reason"] = ERROR_REASONS.word(element_text(child))
            elif tag == "correctiveEventIDs":
                declaration["correctiveEventIDs"] = self._ids(child, "correctiveEventID")
            elif tag == "extension":
                self._extensions_only(child, declaration)
            else:
                raise InvalidXml(f"{where(child)} does not belong in <errorDeclaration>")
        return declaration

    def _sensor_element(self, element: etree._Element) -> dict[str, Any]:
        sensor: dict[str, Any] = {}
        reports: list[dict[str, Any]] = []
        for child in element:
            tag = child.tag
            if tag == "sensorReport":
                reports.append(self._sensor_attributes(child, SENSOR_REPORT_FIELDS))
            elif tag == "sensorMetadata":
                sensor["sensorMetadata"] = self._sensor_attributes(child, SENSOR_METADATA_FIELDS)
            elif tag[:1] == "{":
                self._extension(child, sensor, 1)
            elif tag == "extension":
                self._extensions_only(child, sensor)
            else:
                raise InvalidXml(f"{where(child)} does not belong in <sensorElement>")
        sensor["sensorReport"] = reports
        return sensor

    def _sensor_attributes(self, element: etree._Element, known: frozenset[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, raw in attributes_of(element):
            value = raw.strip()
            if name[:1] == "{":
                namespace, local = local_name(name)
                if namespace != XSI_NS:
                    values[self._key(namespace, local, element)] = value
            elif name not in known:
                raise InvalidXml(f"{where(element)} has an unknown attribute {name!r}")
            elif name in SENSOR_NUMBERS:
                values[name] = number_of(value, element)
            elif name == "booleanValue":
                values[name] = boolean_of(value, element)
            elif name == "type":
                values[name] = MEASUREMENT_TYPES.word(value)
            elif name == "exception":
                values[name] = SENSOR_ALERT_TYPES.word(value)
            elif name == "component":
                values[name] = COMPONENTS.word(value)
            else:
                values[name] = value
        if len(element) or (element.text or "").strip():
            raise InvalidXml(f"{where(element)} carries its data in attributes, not content")
        return values
