"""Reading EPCIS 2.0 JSON-LD into the typed model, and writing query answers.

- :func:`read_event` reads one event dict (as an ``eventList`` holds it);
- :func:`read_document` reads an EPCISDocument or EPCISQueryDocument, checking it against the
  official JSON Schema's rules only: for documents unitrace wrote itself;
- :func:`validate_document` reads one from a partner: the schema, and the rules beyond it
  (CBV words, EPCs and Digital Links through the code layer, offsets, extension prefixes);
- :func:`query_document` writes the EPCISQueryDocument the REST query interface answers with.

Whatever is read writes back as it was: ``read_event(d, ns).document() == d`` and
``read_document(d).document() == d``, extensions, unusual spellings of times and all.

>>> event = {
...     "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
...     "eventTime": "2005-04-03T20:33:31.116-06:00", "eventTimeZoneOffset": "-06:00",
...     "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
...     "example:myField": "Example of a vendor/user extension",
... }
>>> read = read_event(event, {"example": "http://ns.example.com/epcis/"})
>>> read.biz_step, read.extensions
(<BizStep.SHIPPING: 'shipping'>, {'example:myField': 'Example of a vendor/user extension'})
>>> read.document() == event
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from unitrace.epcis.documents import (
    EPCIS_DOCUMENT,
    Attribute,
    EpcisDocument,
    EpcisHeader,
    MasterData,
    QueryResults,
    Vocabulary,
    VocabularyElement,
)
from unitrace.epcis.events import (
    EPCIS_CONTEXT,
    AggregationEvent,
    AssociationEvent,
    Event,
    ObjectEvent,
    TransactionEvent,
    TransformationEvent,
)
from unitrace.epcis.model import (
    SENSOR_REPORT_FIELDS,
    BizTransaction,
    ErrorDeclaration,
    Ilmd,
    InvalidEvent,
    PersistentDisposition,
    QuantityElement,
    SensorElement,
    SensorMetadata,
    SensorReport,
    SourceDest,
    copied,
    date_written,
    time_text,
)
from unitrace.epcis.validation import (
    EventProblem,
    InvalidDocument,
    document_problems,
    event_problems,
)
from unitrace.epcis.vocabulary import Action, BizStep, Disposition

_ACTIONS = {action.value: action for action in Action}
_BIZ_STEPS = {step.value: step for step in BizStep}
_DISPOSITIONS = {disposition.value: disposition for disposition in Disposition}


def read_event(
    event: Mapping[str, Any],
    namespaces: Mapping[str, str] | None = None,
    *,
    validate: bool = False,
) -> Event:
    """The event an event dict describes, checked against the schema's rules and, with
    ``validate``, the rules beyond them that :func:`validate_document` applies (for which
    ``namespaces``, the ``{prefix: URI}`` of the ``@context`` of the document the event came
    in, say which extension prefixes are declared). :class:`InvalidDocument` names every
    field that breaks one."""
    problems = event_problems(event, namespaces or {}, rules=validate)
    if problems:
        raise InvalidDocument(problems)
    return _built(event, None)


def read_document(document: Mapping[str, Any]) -> EpcisDocument:
    """The EPCISDocument or EPCISQueryDocument ``document`` holds, checked against the
    official schema's rules; :class:`InvalidDocument` names every field that breaks one."""
    problems = document_problems(document, rules=False)
    if problems:
        raise InvalidDocument(problems)
    return _document(document)


def validate_document(document: Mapping[str, Any]) -> EpcisDocument:
    """The document a partner sent, once it is known to follow the schema and the rules
    beyond it (see :mod:`unitrace.epcis.validation`); else :class:`InvalidDocument` naming
    each event (its index and eventID), field and rule at fault."""
    problems = document_problems(document, rules=True)
    if problems:
        raise InvalidDocument(problems)
    return _document(document)


def header_vocabularies(document: Mapping[str, Any]) -> tuple[Vocabulary, ...]:
    """The master-data vocabularies of a document's header (``epcisHeader.epcisMasterData``,
    where the XML reader puts an EPCISMasterDataDocument's too), of a document that has passed
    :func:`~unitrace.epcis.validation.document_problems`; none where it carries none.

    >>> site, dock = "urn:epc:id:sgln:9506000.00001.0", "urn:epc:id:sgln:9506000.00001.1"
    >>> read_points = {"type": "urn:epcglobal:epcis:vtype:ReadPoint",
    ...                "vocabularyElementList": [{"id": site, "children": [dock]}]}
    >>> header = {"epcisMasterData": {"vocabularyList": [read_points]}}
    >>> (vocabulary,) = header_vocabularies({"epcisHeader": header})
    >>> vocabulary.elements[0].children
    ('urn:epc:id:sgln:9506000.00001.1',)
    >>> header_vocabularies({"epcisBody": {"eventList": []}})
    ()
    """
    header = document.get("epcisHeader")
    master = header.get("epcisMasterData") if isinstance(header, Mapping) else None
    if not isinstance(master, Mapping):
        return ()
    return _vocabularies(master.get("vocabularyList")) or ()


def query_document(
    events: Iterable[Event],
    *,
    query_name: str,
    created: dt.datetime,
    subscription_id: str | None = None,
    namespaces: Mapping[str, str] | None = None,
    document_id: str | None = None,
) -> dict[str, Any]:
    """The EPCISQueryDocument answering a query with ``events``, as the EPCIS 2.0 REST
    interface returns it: the EPCIS context and ``namespaces`` (those of the extensions the
    events use), and the events under ``epcisBody.queryResults.resultsBody.eventList``.

    >>> answer = query_document([], query_name="SimpleEventQuery",
    ...                         created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> answer["epcisBody"]
    {'queryResults': {'queryName': 'SimpleEventQuery', 'resultsBody': {'eventList': []}}}
    """
    context: list[Any] = [EPCIS_CONTEXT]
    context.extend({prefix: uri} for prefix, uri in (namespaces or {}).items())
    written: dict[str, Any] = {"@context": context, "type": "EPCISQueryDocument"}
    if document_id is not None:
        written["id"] = document_id
    written["schemaVersion"] = "2.0"
    written["creationDate"] = time_text(created)
    results: dict[str, Any] = {"queryName": query_name}
    if subscription_id is not None:
        results["subscriptionID"] = subscription_id
    results["resultsBody"] = {"eventList": [_in_document(event) for event in events]}
    written["epcisBody"] = {"queryResults": results}
    return written


def _in_document(event: Event) -> dict[str, Any]:
    """The event dict as a document carries it: without the EPCIS context a built event
    names, which the document's own covers (an event's context of its own is kept)."""
    written = event.document()
    if written.get("@context") == EPCIS_CONTEXT:
        del written["@context"]
    return written


# --- building the model from checked dicts ---------------------------------------------------


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _extensions(value: Mapping[str, Any], known: Iterable[str] | frozenset[str]) -> dict[str, Any]:
    return {key: copied(item) for key, item in value.items() if key not in known}


def _quantities(items: list[dict[str, Any]] | None) -> tuple[QuantityElement, ...] | None:
    if items is None:
        return None
    return tuple(
        QuantityElement(item["epcClass"], item.get("quantity"), item.get("uom")) for item in items
    )


def _strings(items: list[str] | None) -> tuple[str, ...] | None:
    return None if items is None else tuple(items)


def _word(value: str | None, words: Mapping[str, Any]) -> Any:
    """A CBV word as its enum member (a URI stays a string)."""
    if value is None:
        return None
    return words.get(value, value)


_SENSOR_METADATA_KEYS = frozenset(
    {
        "time",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "startTime",
        "endTime",
        "dataProcessingMethod",
        "bizRules",
    }
)
_TIME_KEYS = ("time", "startTime", "endTime")


def _texts(value: Mapping[str, Any], keys: Iterable[str]) -> dict[str, str]:
    return {key: value[key] for key in keys if key in value}


def _sensor_element(element: Mapping[str, Any]) -> SensorElement:
    metadata = element.get("sensorMetadata")
    reports = []
    for report in element["sensorReport"]:
        fields = {name: report[key] for key, name in SENSOR_REPORT_FIELDS.items() if key in report}
        if "time" in fields:
            fields["time"] = _at(fields["time"])
        reports.append(
            SensorReport(
                **fields,
                extensions=_extensions(report, SENSOR_REPORT_FIELDS),
                time_texts=_texts(report, ("time",)),
            )
        )
    return SensorElement(
        reports=tuple(reports),
        metadata=None
        if metadata is None
        else SensorMetadata(
            time=_optional_at(metadata.get("time")),
            device_id=metadata.get("deviceID"),
            device_metadata=metadata.get("deviceMetadata"),
            raw_data=metadata.get("rawData"),
            start_time=_optional_at(metadata.get("startTime")),
            end_time=_optional_at(metadata.get("endTime")),
            data_processing_method=metadata.get("dataProcessingMethod"),
            biz_rules=metadata.get("bizRules"),
            extensions=_extensions(metadata, _SENSOR_METADATA_KEYS),
            time_texts=_texts(metadata, _TIME_KEYS),
        ),
        extensions=_extensions(element, ("sensorMetadata", "sensorReport")),
    )


def _optional_at(text: str | None) -> dt.datetime | None:
    return None if text is None else _at(text)


def _ilmd(value: Mapping[str, Any] | None) -> Ilmd | None:
    if value is None:
        return None
    attributes = dict(value)
    lot = attributes.get("cbvmda:lotNumber")
    if isinstance(lot, str):
        del attributes["cbvmda:lotNumber"]
    else:
        lot = None
    # only a date written as Ilmd writes it moves into ``expiry``; any other spelling stays
    # an attribute, so that it is sent on as it came
    expiry = date_written(attributes.get("cbvmda:itemExpirationDate"))
    if expiry is not None:
        del attributes["cbvmda:itemExpirationDate"]
    return Ilmd(lot=lot, expiry=expiry, attributes=copied(attributes))


#: The keys every event type reads itself; the rest of an event's keys are its extensions.
_COMMON_KEYS = frozenset(
    {
        "@context",
        "type",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "recordTime",
        "certificationInfo",
        "errorDeclaration",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
    }
)
_TYPE_KEYS = {
    "ObjectEvent": _COMMON_KEYS
    | {"action", "epcList", "quantityList", "persistentDisposition", "ilmd"},
    "AggregationEvent": _COMMON_KEYS | {"action", "parentID", "childEPCs", "childQuantityList"},
    "TransactionEvent": _COMMON_KEYS | {"action", "parentID", "epcList", "quantityList"},
    "TransformationEvent": _COMMON_KEYS
    | {
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "persistentDisposition",
        "ilmd",
    },
    "AssociationEvent": _COMMON_KEYS | {"action", "parentID", "childEPCs", "childQuantityList"},
}


def _common(event: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments every event type takes, read from ``event``."""
    fields: dict[str, Any] = {
        "event_time": _at(event["eventTime"]),
        "event_time_zone_offset": event["eventTimeZoneOffset"],
        "event_id": event.get("eventID"),
        "biz_step": _word(event.get("bizStep"), _BIZ_STEPS),
        "disposition": _word(event.get("disposition"), _DISPOSITIONS),
    }
    texts = {"eventTime": event["eventTime"]}
    record_time = event.get("recordTime")
    if record_time is not None:
        fields["record_time"] = _at(record_time)
        texts["recordTime"] = record_time
    fields["time_texts"] = texts
    fields["context"] = copied(event["@context"]) if "@context" in event else None
    info = event.get("certificationInfo")
    if info is not None:
        fields["certification_info"] = info if isinstance(info, str) else tuple(info)
    declaration = event.get("errorDeclaration")
    if declaration is not None:
        ids = declaration.get("correctiveEventIDs")
        fields["error_declaration"] = ErrorDeclaration(
            _at(declaration["declarationTime"]),
            declaration.get("reason"),
            None if ids is None else tuple(ids),
            _extensions(declaration, ("declarationTime", "reason", "correctiveEventIDs")),
            {"declarationTime": declaration["declarationTime"]},
        )
    read_point = event.get("readPoint")
    if read_point is not None:
        fields["read_point"] = read_point["id"]
        if len(read_point) > 1:
            fields["read_point_extensions"] = _extensions(read_point, ("id",))
    biz_location = event.get("bizLocation")
    if biz_location is not None:
        fields["biz_location"] = biz_location["id"]
        if len(biz_location) > 1:
            fields["biz_location_extensions"] = _extensions(biz_location, ("id",))
    transactions = event.get("bizTransactionList")
    if transactions is not None:
        fields["biz_transaction_list"] = tuple(
            BizTransaction(item["bizTransaction"], item.get("type")) for item in transactions
        )
    sources = event.get("sourceList")
    if sources is not None:
        fields["source_list"] = tuple(SourceDest(item["type"], item["source"]) for item in sources)
    destinations = event.get("destinationList")
    if destinations is not None:
        fields["destination_list"] = tuple(
            SourceDest(item["type"], item["destination"]) for item in destinations
        )
    sensors = event.get("sensorElementList")
    if sensors is not None:
        fields["sensor_element_list"] = tuple(_sensor_element(element) for element in sensors)
    return fields


def _persistent(value: Mapping[str, Any] | None) -> PersistentDisposition | None:
    if value is None:
        return None
    return PersistentDisposition(tuple(value.get("set", ())), tuple(value.get("unset", ())))


def _event(event: Mapping[str, Any]) -> Event:
    type_ = event["type"]
    fields = _common(event)
    known = _TYPE_KEYS[type_]
    if not known.issuperset(event):
        fields["extensions"] = _extensions(event, known)
    if type_ == "ObjectEvent":
        return ObjectEvent(
            action=_ACTIONS[event["action"]],
            epc_list=_strings(event.get("epcList")),
            quantity_list=_quantities(event.get("quantityList")),
            persistent_disposition=_persistent(event.get("persistentDisposition")),
            ilmd=_ilmd(event.get("ilmd")),
            **fields,
        )
    if type_ == "AggregationEvent":
        return AggregationEvent(
            action=_ACTIONS[event["action"]],
            parent_id=event.get("parentID"),
            child_epcs=_strings(event.get("childEPCs")),
            child_quantity_list=_quantities(event.get("childQuantityList")),
            **fields,
        )
    if type_ == "TransactionEvent":
        return TransactionEvent(
            action=_ACTIONS[event["action"]],
            parent_id=event.get("parentID"),
            epc_list=_strings(event.get("epcList")),
            quantity_list=_quantities(event.get("quantityList")),
            **fields,
        )
    if type_ == "TransformationEvent":
        return TransformationEvent(
            input_epc_list=_strings(event.get("inputEPCList")),
            input_quantity_list=_quantities(event.get("inputQuantityList")),
            output_epc_list=_strings(event.get("outputEPCList")),
            output_quantity_list=_quantities(event.get("outputQuantityList")),
            transformation_id=event.get("transformationID"),
            persistent_disposition=_persistent(event.get("persistentDisposition")),
            ilmd=_ilmd(event.get("ilmd")),
            **fields,
        )
    return AssociationEvent(
        action=_ACTIONS[event["action"]],
        parent_id=event["parentID"],
        child_epcs=_strings(event.get("childEPCs")),
        child_quantity_list=_quantities(event.get("childQuantityList")),
        **fields,
    )


def _built(event: Mapping[str, Any], index: int | None) -> Event:
    """:func:`_event`, with what the model itself refuses named as a problem of the event."""
    event_id = event.get("eventID")
    named = event_id if isinstance(event_id, str) else None
    if event["type"] not in _TYPE_KEYS:
        # the schema admits any URI as an event type; the model has the five of EPCIS 2.0
        known = ", ".join(_TYPE_KEYS)
        message = f'"{event["type"]}" is not an event type unitrace keeps ({known})'
        raise InvalidDocument([EventProblem(index, named, "type", message)])
    try:
        return _event(event)
    except InvalidEvent as refused:
        field, _, message = str(refused).partition(": ")
        raise InvalidDocument([EventProblem(index, named, field, message)]) from None


def _vocabularies(items: list[dict[str, Any]] | None) -> tuple[Vocabulary, ...] | None:
    if items is None:
        return None
    vocabularies = []
    for item in items:
        elements = item.get("vocabularyElementList")
        vocabularies.append(
            Vocabulary(
                item["type"],
                None if elements is None else tuple(_element(element) for element in elements),
                _extensions(item, ("type", "vocabularyElementList")),
            )
        )
    return tuple(vocabularies)


def _element(element: Mapping[str, Any]) -> VocabularyElement:
    attributes = element.get("attributes")
    return VocabularyElement(
        element["id"],
        None
        if attributes is None
        else tuple(
            Attribute(
                attribute["id"],
                copied(attribute.get("attribute")),
                _extensions(attribute, ("id", "attribute")),
            )
            for attribute in attributes
        ),
        _strings(element.get("children")),
        _extensions(element, ("id", "attributes", "children")),
    )


def _header(header: Mapping[str, Any] | None) -> EpcisHeader | None:
    if header is None:
        return None
    master = header.get("epcisMasterData")
    return EpcisHeader(
        None
        if master is None
        else MasterData(
            _vocabularies(master.get("vocabularyList")),
            _extensions(master, ("vocabularyList",)),
        ),
        _extensions(header, ("epcisMasterData",)),
    )


_DOCUMENT_KEYS = frozenset(
    {
        "@context",
        "id",
        "type",
        "schemaVersion",
        "creationDate",
        "instanceIdentifier",
        "sender",
        "receiver",
        "epcisHeader",
        "epcisBody",
    }
)


def _document(document: Mapping[str, Any]) -> EpcisDocument:
    body = document["epcisBody"]
    results: QueryResults | None = None
    if document["type"] == EPCIS_DOCUMENT:
        events = body["eventList"]
        body_extensions = _extensions(body, ("eventList",))
    else:
        query = body["queryResults"]
        results_body = query["resultsBody"]
        events = results_body["eventList"]
        results = QueryResults(
            query_name=query["queryName"],
            subscription_id=query.get("subscriptionID"),
            vocabulary_list=_vocabularies(results_body.get("vocabularyList")),
            extensions=_extensions(query, ("queryName", "subscriptionID", "resultsBody")),
            body_extensions=_extensions(results_body, ("eventList", "vocabularyList")),
        )
        body_extensions = _extensions(body, ("queryResults",))
    creation = document.get("creationDate")
    return EpcisDocument(
        context=copied(document["@context"]),
        events=tuple(_built(event, index) for index, event in enumerate(events)),
        id=document.get("id"),
        schema_version=document.get("schemaVersion"),
        creation_date=None if creation is None else _at(creation),
        sender=document.get("sender"),
        receiver=document.get("receiver"),
        instance_identifier=document.get("instanceIdentifier"),
        header=_header(document.get("epcisHeader")),
        query_results=results,
        extensions=_extensions(document, _DOCUMENT_KEYS),
        body_extensions=body_extensions,
        time_texts={} if creation is None else {"creationDate": creation},
    )
