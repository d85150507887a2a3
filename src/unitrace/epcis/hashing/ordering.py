"""The pre-hash string of an event (CBV 2.0 section 8.9): its fields in the standard's
canonical order, each written ``key=value`` by the rule for its kind of value (times, URIs,
CBV words, lists sorted, objects field by field), then ILMD and the extensions, sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from unitrace.epcis import cbv
from unitrace.epcis.hashing.canonical import canonical_text
from unitrace.epcis.hashing.extensions import (
    EXTENSION_POINTS,
    Context,
    extension,
    extension_members,
)
from unitrace.epcis.hashing.json_values import (
    Refused,
    as_list,
    as_object,
    scalar_text,
    sorted_join,
    utc_time,
)

# Fields that say how the event was recorded, named, corrected, certified or annotated.
_NOT_HASHED = frozenset(
    {"type", "eventID", "recordTime", "errorDeclaration", "certificationInfo", "@context"}
)
_COMMENT = "{http://www.w3.org/2000/01/rdf-schema#}comment"


def event_name(index: int | None, event_id: Any) -> str:
    name = "event" if index is None else f"event {index}"
    return f"{name} ({event_id})" if isinstance(event_id, str) and event_id else name


def pre_hash(event: Mapping[str, Any], context: Context) -> str:
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise Refused("an event needs its type, such as ObjectEvent", "type")
    parts = ["eventType=", event_type.strip()]
    for key, write in _CANONICAL_ORDER:
        value = event.get(key)
        if value is None:
            continue
        try:
            written = write(value, context)
        except Refused as refused:
            raise refused.within(key) from None
        if written:
            parts.append(written)
    parts.extend(_trailing_parts(event, context))
    return "".join(parts)


def _trailing_parts(event: Mapping[str, Any], context: Context) -> list[str]:
    """ILMD, then the extensions nested in standard fields, then the event's own extensions
    (CBV 2.0 section 8.9, rules 19 to 21).

    The canonical property order puts ILMD (24) before the user extensions (25). An extension
    nested in readPoint, bizLocation or a sensor element goes with the user extensions, after
    ILMD, under its field's name, the fields in their canonical order (rule 21: "at the end of
    its enclosing parent's regular fields"); the event's own extensions follow, sorted (rule
    20). GS1's expected values order them so (TransformationEventWithUserExtensions, where a
    lexical sort of all of them would put bizLocation before ilmd and readPoint).
    """
    ilmd: list[str] = []
    nested: dict[str, list[str]] = {}
    own: list[str] = []
    for key, value in event.items():
        if key in _ORDERED_KEYS:
            if key in EXTENSION_POINTS:
                try:
                    nested[key] = sorted(EXTENSION_POINTS[key](value, context))
                except Refused as refused:
                    raise refused.within(key) from None
            continue
        if key in _NOT_HASHED or key.startswith("@"):
            continue
        try:
            if key == "ilmd":
                ilmd.append("ilmd" + sorted_join(extension_members(value, context)))
                continue
            name = context.expanded_name(key)
            if name is None or name == _COMMENT:
                continue  # JSON-LD drops a term its context does not define
            own.extend(extension(name, value, context))
        except Refused as refused:
            raise refused.within(key) from None
    for key in EXTENSION_POINTS:
        ilmd.extend(nested.get(key, ()))
    own.sort()
    return ilmd + own


def _plain(name: str) -> Callable[[Any, Context], str]:
    def write(value: Any, context: Context) -> str:
        text = canonical_text(scalar_text(value))
        return f"{name}={text}" if text else ""

    return write


def _time(name: str) -> Callable[[Any, Context], str]:
    def write(value: Any, context: Context) -> str:
        return f"{name}={utc_time(value)}"

    return write


def _identifier(name: str) -> Callable[[Any, Context], str]:
    def write(value: Any, context: Context) -> str:
        text = scalar_text(value)
        return f"{name}={context.uri(text)}" if text else ""

    return write


def _vocabulary(name: str, vocabulary: str) -> Callable[[Any, Context], str]:
    def write(value: Any, context: Context) -> str:
        text = scalar_text(value)
        return f"{name}={context.term(text, vocabulary)}" if text else ""

    return write


def _each(write: Callable[[Any, Context], str]) -> Callable[[Any, Context], list[str]]:
    """``write`` applied to every member of an array, each error naming the member's index."""

    def write_all(value: Any, context: Context) -> list[str]:
        written = []
        for position, member in enumerate(as_list(value)):
            try:
                text = write(member, context)
            except Refused as refused:
                raise refused.within(f"[{position}]") from None
            if text:
                written.append(text)
        return written

    return write_all


def _listed(name: str, write: Callable[[Any, Context], str]) -> Callable[[Any, Context], str]:
    """A list field: its name once, then its members' texts sorted (rule 11)."""
    members = _each(write)

    def write_list(value: Any, context: Context) -> str:
        written = members(value, context)
        return name + sorted_join(written) if written else ""

    return write_list


def _fields(
    name: str, order: Sequence[tuple[str, Callable[[Any, Context], str]]]
) -> Callable[[Any, Context], str]:
    """An object of standard fields: its name, then its fields in ``order``."""

    def write(value: Any, context: Context) -> str:
        entries = as_object(value)
        parts = []
        for key, write_field in order:
            member = entries.get(key)
            if member is None:
                continue
            try:
                text = write_field(member, context)
            except Refused as refused:
                raise refused.within(key) from None
            if text:
                parts.append(text)
        return name + "".join(parts) if parts else ""

    return write


def _typed(name: str, vocabulary: str) -> Callable[[Any, Context], str]:
    """A business transaction, source or destination: its type, then its identifier, as the
    reference implementation writes them."""
    write_type = _vocabulary("type", vocabulary)
    write_value = _identifier(name)

    def write(value: Any, context: Context) -> str:
        entry = as_object(value)
        parts = []
        for key, write_field in (("type", write_type), (name, write_value)):
            member = entry.get(key)
            if member is not None:
                try:
                    parts.append(write_field(member, context))
                except Refused as refused:
                    raise refused.within(key) from None
        return "".join(parts)

    return write


def _repeated(write: Callable[[Any, Context], str]) -> Callable[[Any, Context], str]:
    """A field that may hold one value or an array of them, each written, sorted."""
    members = _each(write)

    def write_all(value: Any, context: Context) -> str:
        if isinstance(value, list | tuple):
            return sorted_join(members(value, context))
        return write(value, context)

    return write_all


_QUANTITY = _fields(
    "quantityElement",
    (
        ("epcClass", _identifier("epcClass")),
        ("quantity", _plain("quantity")),
        ("uom", _plain("uom")),
    ),
)
_SENSOR_METADATA = _fields(
    "sensorMetadata",
    (
        ("time", _time("time")),
        ("startTime", _time("startTime")),
        ("endTime", _time("endTime")),
        ("deviceID", _identifier("deviceID")),
        ("deviceMetadata", _identifier("deviceMetadata")),
        ("rawData", _identifier("rawData")),
        ("dataProcessingMethod", _identifier("dataProcessingMethod")),
        ("bizRules", _identifier("bizRules")),
    ),
)
_SENSOR_REPORT = _fields(
    "sensorReport",
    (
        ("type", _vocabulary("type", cbv.MEASUREMENT_TYPE.web)),
        ("exception", _vocabulary("exception", cbv.SENSOR_ALERT_TYPE.web)),
        ("deviceID", _identifier("deviceID")),
        ("deviceMetadata", _identifier("deviceMetadata")),
        ("rawData", _identifier("rawData")),
        ("dataProcessingMethod", _identifier("dataProcessingMethod")),
        ("time", _time("time")),
        ("microorganism", _identifier("microorganism")),
        ("chemicalSubstance", _identifier("chemicalSubstance")),
        ("value", _plain("value")),
        ("component", _vocabulary("component", cbv.COMPONENT.web)),
        ("stringValue", _plain("stringValue")),
        ("booleanValue", _plain("booleanValue")),
        ("hexBinaryValue", _plain("hexBinaryValue")),
        ("uriValue", _identifier("uriValue")),
        ("minValue", _plain("minValue")),
        ("maxValue", _plain("maxValue")),
        ("meanValue", _plain("meanValue")),
        ("sDev", _plain("sDev")),
        ("percRank", _plain("percRank")),
        ("percValue", _plain("percValue")),
        ("uom", _plain("uom")),
        ("coordinateReferenceSystem", _identifier("coordinateReferenceSystem")),
    ),
)
_SENSOR_REPORTS = _listed("", _SENSOR_REPORT)


def _sensor_element(value: Any, context: Context) -> str:
    element = as_object(value)
    parts = []
    metadata = element.get("sensorMetadata")
    if metadata is not None:
        try:
            parts.append(_SENSOR_METADATA(metadata, context))
        except Refused as refused:
            raise refused.within("sensorMetadata") from None
    reports = element.get("sensorReport")
    if reports is not None:
        try:
            parts.append(_SENSOR_REPORTS(reports, context))
        except Refused as refused:
            raise refused.within("sensorReport") from None
    written = "".join(parts)
    return "sensorElement" + written if written else ""


# CBV 2.0 writes each sensor element without the name of its list: "sensorElementList" does not
# stand in the pre-hash string (the CBV 2.1 draft adds it, as the released reference
# implementation 1.9.3 already does; docs/event-hash.md).
_SENSOR_ELEMENTS = _listed("", _sensor_element)

#: CBV 2.0 section 8.9, the canonical property order, for every event type (fields an event
#: type does not have are simply absent).
_CANONICAL_ORDER: tuple[tuple[str, Callable[[Any, Context], str]], ...] = (
    ("eventTime", _time("eventTime")),
    ("eventTimeZoneOffset", _plain("eventTimeZoneOffset")),
    ("epcList", _listed("epcList", _identifier("epc"))),
    ("parentID", _identifier("parentID")),
    ("inputEPCList", _listed("inputEPCList", _identifier("epc"))),
    ("childEPCs", _listed("childEPCs", _identifier("epc"))),
    ("quantityList", _listed("quantityList", _QUANTITY)),
    ("childQuantityList", _listed("childQuantityList", _QUANTITY)),
    ("inputQuantityList", _listed("inputQuantityList", _QUANTITY)),
    ("outputEPCList", _listed("outputEPCList", _identifier("epc"))),
    ("outputQuantityList", _listed("outputQuantityList", _QUANTITY)),
    ("action", _plain("action")),
    ("transformationID", _identifier("transformationID")),
    ("bizStep", _vocabulary("bizStep", cbv.BIZ_STEP.web)),
    ("disposition", _vocabulary("disposition", cbv.DISPOSITION.web)),
    (
        "persistentDisposition",
        _fields(
            "persistentDisposition",
            (
                ("set", _repeated(_vocabulary("set", cbv.DISPOSITION.web))),
                ("unset", _repeated(_vocabulary("unset", cbv.DISPOSITION.web))),
            ),
        ),
    ),
    ("readPoint", _fields("readPoint", (("id", _identifier("id")),))),
    ("bizLocation", _fields("bizLocation", (("id", _identifier("id")),))),
    (
        "bizTransactionList",
        _listed("bizTransactionList", _typed("bizTransaction", cbv.BIZ_TRANSACTION_TYPE.web)),
    ),
    ("sourceList", _listed("sourceList", _typed("source", cbv.SOURCE_DEST_TYPE.web))),
    (
        "destinationList",
        _listed("destinationList", _typed("destination", cbv.SOURCE_DEST_TYPE.web)),
    ),
    ("sensorElementList", _SENSOR_ELEMENTS),
)
_ORDERED_KEYS = frozenset(key for key, _ in _CANONICAL_ORDER)
