"""The checks of one event: each event type's fields as the JSON Schema has them (and the
XSD, which is wider in two places), the fields nested in them (quantities, places, business
transactions, sources and destinations, persistent dispositions, ILMD, error declarations,
sensor elements), and the event's own rules beyond the schema (what names its objects,
families of parent and children, transformations).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unitrace.epcis.scoped_contexts import event_namespaces
from unitrace.epcis.validation.checks import (
    Check,
    EventProblem,
    Report,
    check_array,
    check_certification_info,
    check_closed_fields,
    check_context,
    check_identifier,
    check_items,
    check_number,
    check_object,
    check_open_fields,
    check_required,
    check_string,
    check_time,
    check_unique,
    check_uri,
    quoted,
)
from unitrace.epcis.validation.formats import HEX, SCHEMA_OFFSET, UOM, URI, offset_in_use
from unitrace.epcis.validation.identifiers import instance_problem
from unitrace.epcis.validation.words import (
    check_action,
    check_biz_step,
    check_biz_transaction_type,
    check_component,
    check_disposition,
    check_error_reason,
    check_measurement_type,
    check_sensor_alert_type,
    check_source_dest_type,
)


def _offset(value: Any, path: str, report: Report) -> None:
    if (
        not isinstance(value, str)
        or SCHEMA_OFFSET.fullmatch(value) is None
        or (report.rules and not offset_in_use(value))
    ):
        report(path, f"{quoted(value)} is not an offset ±HH:MM within -12:00…+14:00")


def _error_declaration(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    check_required(value, ("declarationTime",), f"{path}.", report)
    check_open_fields(value, _ERROR_DECLARATION_FIELDS, f"{path}.", report)


def _corrective_event_ids(value: Any, path: str, report: Report) -> None:
    if check_array(value, path, report):
        for number, item in enumerate(value):
            check_uri(item, f"{path}[{number}]", report)


_ERROR_DECLARATION_FIELDS: dict[str, Check] = {
    "declarationTime": check_time,
    "reason": check_error_reason,
    "correctiveEventIDs": _corrective_event_ids,
}


def _epc_list(unique: bool) -> Check:
    def check(value: Any, path: str, report: Report) -> None:
        if not check_array(value, path, report):
            return
        for number, item in enumerate(value):
            check_identifier(item, f"{path}[{number}]", report)
        if unique:
            check_unique(value, path, report)

    return check


def _quantity_element(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    check_required(value, ("epcClass",), f"{path}.", report)
    check_closed_fields(value, _QUANTITY_FIELDS, f"{path}.", report)


def _uom(value: Any, path: str, report: Report) -> None:
    if not isinstance(value, str) or UOM.fullmatch(value) is None:
        report(path, f"{quoted(value)} is not a UN/CEFACT Recommendation 20 unit code")


def _epc_class(value: Any, path: str, report: Report) -> None:
    before = len(report.problems)
    check_identifier(value, path, report)
    if report.rules and len(report.problems) == before and isinstance(value, str):
        problem = instance_problem(value)
        if problem is not None:
            report(path, f"{quoted(value)}: {problem}")


_QUANTITY_FIELDS: dict[str, Check] = {
    "epcClass": _epc_class,
    "quantity": check_number,
    "uom": _uom,
}


def _place(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    if "id" not in value:
        report(f"{path}.id", "is required, and missing")
    for key, item in value.items():
        if key == "id":
            check_identifier(item, f"{path}.id", report)
        elif ":" in key:
            report.extension(key, item, f"{path}.{key}")


def _biz_transaction(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    check_required(value, ("bizTransaction",), f"{path}.", report)
    check_closed_fields(value, _BIZ_TRANSACTION_FIELDS, f"{path}.", report)


_BIZ_TRANSACTION_FIELDS: dict[str, Check] = {
    "type": check_biz_transaction_type,
    "bizTransaction": check_uri,
}


def _source_dest(role: str) -> Check:
    fields = {"type": check_source_dest_type, role: check_identifier}

    def check(value: Any, path: str, report: Report) -> None:
        if not check_object(value, path, report):
            return
        check_required(value, ("type", role), f"{path}.", report)
        check_closed_fields(value, fields, f"{path}.", report)

    return check


def _persistent_disposition(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    if "set" not in value and "unset" not in value:
        report(path, "needs set, unset or both")
    check_closed_fields(value, _PERSISTENT_FIELDS, f"{path}.", report)


def _dispositions(value: Any, path: str, report: Report) -> None:
    if check_array(value, path, report, 1):
        for number, item in enumerate(value):
            check_disposition(item, f"{path}[{number}]", report)
        check_unique(value, path, report)


_PERSISTENT_FIELDS: dict[str, Check] = {
    "set": _dispositions,
    "unset": _dispositions,
}


def _ilmd(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    for key, item in value.items():
        if URI.fullmatch(key) is None:
            report(f"{path}.{key}", "is not a master-data attribute (prefix:name or a URI)")
        else:
            report.extension(key, item, f"{path}.{key}")


def check_boolean(value: Any, path: str, report: Report) -> None:
    if not isinstance(value, bool):
        report(path, f"must be true or false, not {quoted(value)}")


def _hex_binary(value: Any, path: str, report: Report) -> None:
    if not isinstance(value, str) or HEX.fullmatch(value) is None:
        report(path, f"{quoted(value)} is not hexadecimal")


def _sensor_uom(value: Any, path: str, report: Report) -> None:
    if check_string(value, path, report) and report.rules and UOM.fullmatch(value) is None:
        report(path, f"{quoted(value)} is not a UN/CEFACT Recommendation 20 unit code")


_SENSOR_METADATA_FIELDS: dict[str, Check] = {
    "time": check_time,
    "deviceID": check_uri,
    "deviceMetadata": check_uri,
    "rawData": check_uri,
    "startTime": check_time,
    "endTime": check_time,
    "dataProcessingMethod": check_uri,
    "bizRules": check_uri,
}
_SENSOR_REPORT_FIELDS: dict[str, Check] = {
    "type": check_measurement_type,
    "exception": check_sensor_alert_type,
    "deviceID": check_uri,
    "deviceMetadata": check_uri,
    "rawData": check_uri,
    "dataProcessingMethod": check_uri,
    "bizRules": check_uri,
    "time": check_time,
    "microorganism": check_uri,
    "chemicalSubstance": check_uri,
    "coordinateReferenceSystem": check_uri,
    "value": check_number,
    "component": check_component,
    "stringValue": check_string,
    "booleanValue": check_boolean,
    "hexBinaryValue": _hex_binary,
    "uriValue": check_uri,
    "minValue": check_number,
    "maxValue": check_number,
    "meanValue": check_number,
    "sDev": check_number,
    "percRank": check_number,
    "percValue": check_number,
    "uom": _sensor_uom,
}


def _sensor_metadata(value: Any, path: str, report: Report) -> None:
    if check_object(value, path, report):
        check_open_fields(value, _SENSOR_METADATA_FIELDS, f"{path}.", report)


def _sensor_report(value: Any, path: str, report: Report) -> None:
    if check_object(value, path, report):
        if not report.from_xml:  # the XSD lets a sensor report leave its type out
            check_required(value, ("type",), f"{path}.", report)
        check_open_fields(value, _SENSOR_REPORT_FIELDS, f"{path}.", report)


_SENSOR_ELEMENT_FIELDS: dict[str, Check] = {
    "sensorMetadata": _sensor_metadata,
    "sensorReport": check_items(_sensor_report, 1),
}


def _sensor_element(value: Any, path: str, report: Report) -> None:
    if check_object(value, path, report):
        check_required(value, ("sensorReport",), f"{path}.", report)
        check_open_fields(value, _SENSOR_ELEMENT_FIELDS, f"{path}.", report)


# The fields of each event type and their checks (the schema's properties and propertyNames).
_COMMON: dict[str, Check] = {
    "@context": check_context,
    "type": check_string,
    "eventTime": check_time,
    "recordTime": check_time,
    "eventTimeZoneOffset": _offset,
    "eventID": check_uri,
    "certificationInfo": check_certification_info,
    "errorDeclaration": _error_declaration,
}
_WHY_WHERE: dict[str, Check] = {
    "bizStep": check_biz_step,
    "disposition": check_disposition,
    "readPoint": _place,
    "bizLocation": _place,
    "bizTransactionList": check_items(_biz_transaction),
    "sourceList": check_items(_source_dest("source")),
    "destinationList": check_items(_source_dest("destination")),
    "sensorElementList": check_items(_sensor_element),
}
_QUANTITIES = check_items(_quantity_element)
_FIELDS: dict[str, dict[str, Check]] = {
    "ObjectEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "action": check_action,
        "epcList": _epc_list(unique=True),
        "quantityList": _QUANTITIES,
        "persistentDisposition": _persistent_disposition,
        "ilmd": _ilmd,
    },
    "AggregationEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "action": check_action,
        "parentID": check_identifier,
        "childEPCs": _epc_list(unique=False),
        "childQuantityList": _QUANTITIES,
    },
    "TransactionEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "bizTransactionList": check_items(_biz_transaction, 1),
        "action": check_action,
        "parentID": check_identifier,
        "epcList": _epc_list(unique=False),
        "quantityList": _QUANTITIES,
    },
    "TransformationEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "inputEPCList": _epc_list(unique=True),
        "inputQuantityList": _QUANTITIES,
        "outputEPCList": _epc_list(unique=True),
        "outputQuantityList": _QUANTITIES,
        "transformationID": check_uri,
        "persistentDisposition": _persistent_disposition,
        "ilmd": _ilmd,
    },
    "AssociationEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "action": check_action,
        "parentID": check_identifier,
        "childEPCs": _epc_list(unique=False),
        "childQuantityList": _QUANTITIES,
    },
}
#: persistentDisposition on every event type, as the EPCIS 2.0 XSD allows. The JSON Schema
#: leaves it out of AggregationEvent, TransactionEvent and AssociationEvent, following the table
#: of section 7.3.6.2.2, whose sentence before it only advises; GS1 EPCIS issue 440 and pull
#: request 447 would make that binding. Until the standard says so, an event is accepted in
#: either binding when the other accepts it, so a partner's XML and JSON-LD mean the same.
for _type in ("AggregationEvent", "TransactionEvent", "AssociationEvent"):
    _FIELDS[_type]["persistentDisposition"] = _persistent_disposition
_REQUIRED = {
    "ObjectEvent": ("eventTime", "eventTimeZoneOffset", "action"),
    "AggregationEvent": ("eventTime", "eventTimeZoneOffset", "action"),
    "TransactionEvent": ("eventTime", "eventTimeZoneOffset", "action", "bizTransactionList"),
    "TransformationEvent": ("eventTime", "eventTimeZoneOffset"),
    "AssociationEvent": ("eventTime", "eventTimeZoneOffset", "action", "parentID"),
}
#: The five event types of EPCIS 2.0.
EVENT_TYPES = tuple(_FIELDS)


def _filled(event: dict[str, Any], key: str) -> bool:
    value = event.get(key)
    return isinstance(value, list) and len(value) > 0


def event_problems(
    event: Any,
    namespaces: Mapping[str, str],
    *,
    index: int | None = None,
    rules: bool = True,
    from_xml: bool = False,
) -> list[EventProblem]:
    """Everything wrong with one event dict: the schema's rules, and (``rules=True``) the
    rules beyond it. ``namespaces`` are the ``{prefix: URI}`` of the document's ``@context``;
    ``index`` the event's place in its ``eventList``. An event read from XML (``from_xml``)
    is held to the XSD where it is wider than the JSON Schema: a sensor report may leave out
    its type. ``namespaces`` are
    extended by the event's own ``@context``."""
    if not isinstance(event, dict):
        return [EventProblem(index, None, "event", f"must be an object, not {quoted(event)}")]
    event_id = event.get("eventID")
    # the event's own @context declares prefixes for it, over the document's
    report = Report(
        index,
        event_id if isinstance(event_id, str) else None,
        event_namespaces(namespaces, event),
        rules,
        from_xml,
    )
    type_ = event.get("type")
    fields = _FIELDS.get(type_) if isinstance(type_, str) else None
    if fields is None:
        _unknown_type(event, type_, report)
        return report.problems
    for key, value in event.items():
        check = fields.get(key)
        if check is not None:
            check(value, key, report)
        elif key == "action":
            report("action", "a TransformationEvent has no action")
        elif URI.fullmatch(key) is None:
            report(key, f"is not a field of a {type_} in EPCIS 2.0, nor an extension (prefix:name)")
        else:
            report.extension(key, value, key)
    for key in _REQUIRED[str(type_)]:
        if key not in event:
            report(key, "is required, and missing")
    action = event.get("action")
    if type_ == "ObjectEvent":
        if not (
            "epcList" in event
            or _filled(event, "quantityList")
            or (_filled(event, "sensorElementList") and "readPoint" in event)
        ):
            report(
                "epcList",
                "an ObjectEvent names its objects: epcList, quantityList, or sensor readings "
                "with a readPoint",
            )
        if "ilmd" in event and action != "ADD" and isinstance(action, str):
            report(
                "ilmd",
                f"only an ADD event, which creates the objects, carries ILMD; this one is {action}",
            )
    elif type_ in ("AggregationEvent", "AssociationEvent"):
        if not (
            _filled(event, "childEPCs") or _filled(event, "childQuantityList") or action == "DELETE"
        ):
            report(
                "childEPCs",
                f"an {action} {type_} names its children (childEPCs or childQuantityList)",
            )
        if report.rules:
            _family_rules(event, report)
    elif type_ == "TransactionEvent":
        if not ("epcList" in event or _filled(event, "quantityList") or action == "DELETE"):
            report("epcList", f"an {action} TransactionEvent names its objects")
    else:
        _transformation_rules(event, report)
    return report.problems


def _unknown_type(event: dict[str, Any], type_: Any, report: Report) -> None:
    if "type" not in event:
        report("type", "is required, and missing")
        return
    known = ", ".join(EVENT_TYPES)
    if not isinstance(type_, str) or URI.fullmatch(type_) is None:
        report("type", f"{quoted(type_)} is not an EPCIS 2.0 event type ({known})")
        return
    # the schema's Extended-Event: only what every event has
    for key in ("eventTime", "eventTimeZoneOffset"):
        if key not in event:
            report(key, "is required, and missing")
    for key, value in event.items():
        check = _COMMON.get(key)
        if check is not None:
            check(value, key, report)
    if report.rules:
        report("type", f'"{type_}" is not an event type unitrace keeps ({known})')


def _family_rules(event: dict[str, Any], report: Report) -> None:
    children = event.get("childEPCs")
    if not isinstance(children, list):
        return
    parent = event.get("parentID")
    if parent is not None and parent in children:
        report("childEPCs", f"{quoted(parent)} cannot be a child of itself")
    check_unique(children, "childEPCs", report)


def _transformation_rules(event: dict[str, Any], report: Report) -> None:
    inputs = _filled(event, "inputEPCList") or _filled(event, "inputQuantityList")
    outputs = _filled(event, "outputEPCList") or _filled(event, "outputQuantityList")
    if not (inputs and outputs) and not ((inputs or outputs) and "transformationID" in event):
        report(
            "inputEPCList",
            "a TransformationEvent names inputs and outputs, or one of them and a transformationID",
        )
    if report.rules and "ilmd" in event and not outputs:
        report("ilmd", "only outputs, which the transformation creates, get ILMD")
