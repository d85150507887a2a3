"""EPCIS 2.0 events as typed values, written in the JSON-LD binding, and the URIs they name
things by.

Pure, like :mod:`unitrace.gs1`: no database, no network. A later part builds the full EPCIS
repository (capture, query, the CBV 2.0 event hash) on these.
"""

from unitrace.epcis.events import (
    EPCIS_CONTEXT,
    AggregationEvent,
    EpcisEvent,
    Ilmd,
    InvalidEvent,
    ObjectEvent,
    SourceDest,
    epcis_document,
    event_time_text,
    new_event_id,
    time_zone_offset,
)
from unitrace.epcis.identifiers import GS1_RESOLVER, EpcNaming, SerialUriTemplate
from unitrace.epcis.vocabulary import Action, BizStep, Disposition, SourceDestType

__all__ = [
    "EPCIS_CONTEXT",
    "GS1_RESOLVER",
    "Action",
    "AggregationEvent",
    "BizStep",
    "Disposition",
    "EpcNaming",
    "EpcisEvent",
    "Ilmd",
    "InvalidEvent",
    "ObjectEvent",
    "SerialUriTemplate",
    "SourceDest",
    "SourceDestType",
    "epcis_document",
    "event_time_text",
    "new_event_id",
    "time_zone_offset",
]
