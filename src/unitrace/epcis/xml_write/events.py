"""Events written as EPCIS 2.0 XML: each event type's fields in the order of the official XSD,
CBV words as the CBV URNs, quantities, places, business transactions, sources and
destinations, persistent dispositions, ILMD, error declarations and sensor data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    CbvTerms,
)
from unitrace.epcis.xml_write.extensions import ExtensionWriter
from unitrace.epcis.xml_write.values import (
    Fault,
    array_of,
    fault_at,
    number_text,
    object_of,
    string_of,
    term_uri,
)


class EventWriter(ExtensionWriter):
    """Writes the events of one document."""

    def _event_list(self, parent: etree._Element, events: Any, path: str) -> None:
        for index, event in enumerate(array_of(events, path)):
            try:
                self._event(parent, object_of(event, f"{path}[{index}]"))
            except Fault as fault:
                event_id = event.get("eventID") if isinstance(event, Mapping) else None
                kind = event.get("type") if isinstance(event, Mapping) else None
                named = f", eventID {event_id}" if isinstance(event_id, str) else ""
                raise Fault(f"{path}[{index}] ({kind}{named}), {fault}") from None

    def _event(self, parent: etree._Element, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        fields = EVENT_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None:
            raise fault_at("type", f"{kind!r} is not an event type the XML binding has")
        for required in ("eventTime", "eventTimeZoneOffset"):
            if required not in event:
                raise fault_at(required, "is missing")
        if kind != "TransformationEvent" and "action" not in event:
            raise fault_at("action", "is missing")
        known = set(COMMON_FIELDS).union(fields)
        for key in event:
            if key not in known and key not in ("type", "@context") and ":" not in key:
                raise fault_at(key, f"is not a field of a {kind}")
        element = etree.SubElement(parent, str(kind))
        for name in (*COMMON_FIELDS, *fields):
            if name in event:
                _FIELD_WRITERS[name](self, element, name, event[name])
        for key, value in event.items():
            if ":" in key and key not in known:
                self._extension(element, key, value, key, 1)

    def _text(self, parent: etree._Element, name: str, value: Any) -> None:
        text = string_of(value, name)
        if name == "action" and text not in ACTIONS:
            raise fault_at(name, f"must be ADD, OBSERVE or DELETE, not {text!r}")
        etree.SubElement(parent, name).text = text

    def _certification(self, parent: etree._Element, name: str, value: Any) -> None:
        if isinstance(value, list):
            if len(value) != 1:
                raise fault_at(
                    name,
                    f"the XML binding carries exactly one certificationInfo, not {len(value)}",
                )
            value = value[0]
        etree.SubElement(parent, name).text = string_of(value, name)

    def _biz_step(self, parent: etree._Element, name: str, value: Any) -> None:
        etree.SubElement(parent, name).text = term_uri(BIZ_STEPS, value, name)

    def _disposition(self, parent: etree._Element, name: str, value: Any) -> None:
        etree.SubElement(parent, name).text = term_uri(DISPOSITIONS, value, name)

    def _epcs(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for index, epc in enumerate(array_of(value, name)):
            etree.SubElement(element, "epc").text = string_of(epc, f"{name}[{index}]")

    def _quantities(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for index, item in enumerate(array_of(value, name)):
            where = f"{name}[{index}]"
            item = object_of(item, where)
            unknown = sorted(set(item) - {"epcClass", "quantity", "uom"})
            if unknown:
                raise fault_at(f"{where}.{unknown[0]}", "is not part of a quantity element")
            if "epcClass" not in item:
                raise fault_at(f"{where}.epcClass", "is missing")
            quantity = etree.SubElement(element, "quantityElement")
            etree.SubElement(quantity, "epcClass").text = string_of(
                item["epcClass"], f"{where}.epcClass"
            )
            if "quantity" in item:
                etree.SubElement(quantity, "quantity").text = number_text(
                    item["quantity"], f"{where}.quantity"
                )
            if "uom" in item:
                if "quantity" not in item:
                    raise fault_at(f"{where}.uom", "needs a quantity")
                etree.SubElement(quantity, "uom").text = string_of(item["uom"], f"{where}.uom")

    def _place(self, parent: etree._Element, name: str, value: Any) -> None:
        place = object_of(value, name)
        if "id" not in place:
            raise fault_at(f"{name}.id", "is missing")
        element = etree.SubElement(parent, name)
        etree.SubElement(element, "id").text = string_of(place["id"], f"{name}.id")
        for key, item in place.items():
            if key != "id":
                self._extension(element, key, item, f"{name}.{key}", 1)

    def _biz_transactions(self, parent: etree._Element, name: str, value: Any) -> None:
        self._typed_ids(parent, name, value, "bizTransaction", BIZ_TRANSACTION_TYPES, False)

    def _sources(self, parent: etree._Element, name: str, value: Any) -> None:
        self._typed_ids(parent, name, value, "source", SOURCE_DEST_TYPES, True)

    def _destinations(self, parent: etree._Element, name: str, value: Any) -> None:
        self._typed_ids(parent, name, value, "destination", SOURCE_DEST_TYPES, True)

    def _typed_ids(
        self,
        parent: etree._Element,
        name: str,
        value: Any,
        key: str,
        terms: CbvTerms,
        type_required: bool,
    ) -> None:
        element = etree.SubElement(parent, name)
        for index, item in enumerate(array_of(value, name)):
            where = f"{name}[{index}]"
            item = object_of(item, where)
            unknown = sorted(set(item) - {"type", key})
            if unknown:
                raise fault_at(f"{where}.{unknown[0]}", f"is not part of a {key}")
            if key not in item:
                raise fault_at(f"{where}.{key}", "is missing")
            child = etree.SubElement(element, key)
            child.text = string_of(item[key], f"{where}.{key}")
            if "type" in item:
                child.set("type", term_uri(terms, item["type"], f"{where}.type"))
            elif type_required:
                raise fault_at(f"{where}.type", "is missing")

    def _persistent_disposition(self, parent: etree._Element, name: str, value: Any) -> None:
        changes = object_of(value, name)
        unknown = sorted(set(changes) - {"set", "unset"})
        if unknown:
            raise fault_at(f"{name}.{unknown[0]}", "is neither set nor unset")
        element = etree.SubElement(parent, name)
        for change in ("unset", "set"):
            for index, item in enumerate(array_of(changes.get(change, []), f"{name}.{change}")):
                etree.SubElement(element, change).text = term_uri(
                    DISPOSITIONS, item, f"{name}.{change}[{index}]"
                )

    def _ilmd(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for key, item in object_of(value, name).items():
            self._extension(element, key, item, f"{name}.{key}", 1)

    def _error_declaration(self, parent: etree._Element, name: str, value: Any) -> None:
        declaration = object_of(value, name)
        element = etree.SubElement(parent, name)
        if "declarationTime" in declaration:
            etree.SubElement(element, "declarationTime").text = string_of(
                declaration["declarationTime"], f"{name}.declarationTime"
            )
        if "reason" in declaration:
            etree.SubElement(element, "reason").text = term_uri(
                ERROR_REASONS, declaration["reason"], f"{name}.reason"
            )
        if "correctiveEventIDs" in declaration:
            where = f"{name}.correctiveEventIDs"
            ids = etree.SubElement(element, "correctiveEventIDs")
            for index, event_id in enumerate(array_of(declaration["correctiveEventIDs"], where)):
                etree.SubElement(ids, "correctiveEventID").text = string_of(
                    event_id, f"{where}[{index}]"
                )
        for key, item in declaration.items():
            if key not in ("declarationTime", "reason", "correctiveEventIDs"):
                self._extension(element, key, item, f"{name}.{key}", 1)

    def _sensor_elements(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for index, item in enumerate(array_of(value, name)):
            where = f"{name}[{index}]"
            sensor = object_of(item, where)
            child = etree.SubElement(element, "sensorElement")
            if "sensorMetadata" in sensor:
                self._sensor_attributes(
                    etree.SubElement(child, "sensorMetadata"),
                    object_of(sensor["sensorMetadata"], f"{where}.sensorMetadata"),
                    SENSOR_METADATA_FIELDS,
                    f"{where}.sensorMetadata",
                )
            reports = array_of(sensor.get("sensorReport"), f"{where}.sensorReport")
            for number, report in enumerate(reports):
                self._sensor_attributes(
                    etree.SubElement(child, "sensorReport"),
                    object_of(report, f"{where}.sensorReport[{number}]"),
                    SENSOR_REPORT_FIELDS,
                    f"{where}.sensorReport[{number}]",
                )
            for key, item in sensor.items():
                if key not in ("sensorMetadata", "sensorReport"):
                    self._extension(child, key, item, f"{where}.{key}", 1)

    def _sensor_attributes(
        self,
        element: etree._Element,
        values: Mapping[str, Any],
        known: frozenset[str],
        path: str,
    ) -> None:
        for key, value in values.items():
            where = f"{path}.{key}"
            if ":" in key:
                if isinstance(value, Mapping | list):
                    raise fault_at(where, "the XML binding carries it as an attribute: no objects")
                element.set(self._qualified(key, where), self._scalar(value, where))
                continue
            if key not in known:
                raise fault_at(where, "is not a sensor field")
            if key in SENSOR_NUMBERS:
                text = number_text(value, where)
            elif key == "booleanValue":
                if not isinstance(value, bool):
                    raise fault_at(where, f"must be true or false, not {value!r}")
                text = "true" if value else "false"
            elif key == "type":
                text = term_uri(MEASUREMENT_TYPES, value, where)
            elif key == "exception":
                text = term_uri(SENSOR_ALERT_TYPES, value, where)
            elif key == "component":
                text = term_uri(COMPONENTS, value, where)
            else:
                text = string_of(value, where)
            element.set(key, text)


_FIELD_WRITERS: dict[str, Callable[[EventWriter, etree._Element, str, Any], None]] = {
    **dict.fromkeys(
        (
            [
                "eventTime",
                "recordTime",
                "eventTimeZoneOffset",
                "eventID",
                "action",
                "parentID",
                "transformationID",
            ]
        ),
        EventWriter._text,
    ),
    "certificationInfo": EventWriter._certification,
    "bizStep": EventWriter._biz_step,
    "disposition": EventWriter._disposition,
    **dict.fromkeys(("epcList", "childEPCs", "inputEPCList", "outputEPCList"), EventWriter._epcs),
    **dict.fromkeys(
        ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"),
        EventWriter._quantities,
    ),
    "readPoint": EventWriter._place,
    "bizLocation": EventWriter._place,
    "bizTransactionList": EventWriter._biz_transactions,
    "sourceList": EventWriter._sources,
    "destinationList": EventWriter._destinations,
    "sensorElementList": EventWriter._sensor_elements,
    "persistentDisposition": EventWriter._persistent_disposition,
    "ilmd": EventWriter._ilmd,
    "errorDeclaration": EventWriter._error_declaration,
}
