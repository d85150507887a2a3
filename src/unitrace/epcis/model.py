"""The parts an EPCIS 2.0 event is made of: quantities, business transactions, sources and
destinations, persistent dispositions, instance/lot master data, sensor readings, error
declarations, and the user extensions that may stand beside any of them.

Each part is a frozen value that writes itself back as the JSON-LD binding has it
(:meth:`document`), field for field, so that an event read from a partner is sent on unchanged.
Times are :class:`datetime.datetime` values; where a time was read from a document, the text it
was written in is kept beside it (``time_texts``), because EPCIS allows many spellings of one
instant (``…31.116Z``, ``…31.116000+00:00``) and a partner's document must come back as it was
sent. Two parts that differ only in how a time was spelt are equal.

>>> QuantityElement("urn:epc:class:lgtin:4012345.012345.998877", 200, "KGM").document()
{'epcClass': 'urn:epc:class:lgtin:4012345.012345.998877', 'quantity': 200, 'uom': 'KGM'}
>>> SourceDest("owning_party", "urn:epc:id:pgln:4012345.00225").document("source")
{'type': 'owning_party', 'source': 'urn:epc:id:pgln:4012345.00225'}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

#: A JSON value as :func:`json.loads` gives it: what a user extension field may hold.
JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"

#: User extension fields, ``prefix:name`` (or a full URI) to value, as written.
Extensions: TypeAlias = Mapping[str, JsonValue]


class InvalidEvent(ValueError):
    """An event EPCIS 2.0 does not allow, such as ILMD on an event that creates nothing."""


def time_text(at: dt.datetime) -> str:
    """``at`` as EPCIS writes a time: ISO 8601 to the millisecond, with its UTC offset.

    >>> time_text(dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC))
    '2026-01-02T03:04:05.678+00:00'
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidEvent("eventTime: needs a UTC offset (EPCIS records where in the world)")
    return at.isoformat(timespec="milliseconds")


def date_written(value: Any) -> dt.date | None:
    """The date ``value`` is when it is text written as XML Schema writes a date
    (``2030-12-31``), as ILMD's ``cbvmda:itemExpirationDate`` is; else None.

    >>> date_written("2030-12-31"), date_written("2030-12-31Z"), date_written(20301231)
    (datetime.date(2030, 12, 31), None, None)
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.isoformat() == value else None


def copied(value: Any) -> Any:
    """A deep copy of a JSON value: extension values handed in or out are never shared, so
    that a frozen event stays as it was read whatever the caller does to its dicts."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    return value


def _written(at: dt.datetime, texts: Mapping[str, str], key: str) -> str:
    text = texts.get(key)
    return text if text is not None else time_text(at)


@dataclass(frozen=True, slots=True)
class QuantityElement:
    """A quantity of a class of objects (EPCIS 2.0 section 7.3.3.3): ``epc_class`` is an EPC
    class URI (``urn:epc:class:lgtin:…``), an EPC pattern (``urn:epc:idpat:sgtin:…*``) or a
    Digital Link; without ``uom`` the quantity counts instances."""

    epc_class: str
    quantity: float | None = None
    uom: str | None = None

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {"epcClass": self.epc_class}
        if self.quantity is not None:
            written["quantity"] = self.quantity
        if self.uom is not None:
            written["uom"] = self.uom
        return written


@dataclass(frozen=True, slots=True)
class SourceDest:
    """One entry of a ``sourceList`` or ``destinationList``: a party (PGLN) or a place (SGLN).
    ``type`` is a CBV word (:class:`~unitrace.epcis.SourceDestType`) or a partner's URI."""

    type: str
    id: str

    def document(self, role: str) -> dict[str, Any]:
        """As a ``sourceList`` (``role="source"``) or ``destinationList`` entry."""
        return {"type": str(self.type), role: self.id}


@dataclass(frozen=True, slots=True)
class BizTransaction:
    """A business transaction the event was part of: a purchase order, a despatch advice…
    ``type`` is a CBV word (:class:`~unitrace.epcis.BizTransactionType`), a URI, or absent."""

    id: str
    type: str | None = None

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.type is not None:
            written["type"] = str(self.type)
        written["bizTransaction"] = self.id
        return written


@dataclass(frozen=True, slots=True)
class PersistentDisposition:
    """Dispositions that hold until unset, beside the one ``disposition`` of an event (EPCIS
    2.0 section 7.3.5.4): ``set`` adds them, ``unset`` takes them away."""

    set: tuple[str, ...] = ()
    unset: tuple[str, ...] = ()

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.set:
            written["set"] = [str(word) for word in self.set]
        if self.unset:
            written["unset"] = [str(word) for word in self.unset]
        return written


@dataclass(frozen=True, slots=True)
class Place:
    """A ``readPoint`` or ``bizLocation``: the ID of a place (an SGLN or a Digital Link), with
    any user extension fields the partner put beside it."""

    id: str
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        return {"id": self.id, **copied(self.extensions)} if self.extensions else {"id": self.id}


@dataclass(frozen=True, slots=True)
class Ilmd:
    """Instance/lot master data given when objects are created (EPCIS 2.0 section 7.3.6):
    their lot and expiry in the CBV master-data attributes (CBV 2.0 section 8.3), and every
    other attribute as written.

    >>> Ilmd(lot="L1", expiry=dt.date(2027, 12, 31)).document()
    {'cbvmda:lotNumber': 'L1', 'cbvmda:itemExpirationDate': '2027-12-31'}
    """

    lot: str | None = None
    expiry: dt.date | None = None
    #: every attribute other than the two above, name (``prefix:name``) to value
    attributes: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.lot is not None:
            written["cbvmda:lotNumber"] = self.lot
        if self.expiry is not None:
            written["cbvmda:itemExpirationDate"] = self.expiry.isoformat()
        written.update(copied(self.attributes))
        return written

    def as_json(self) -> dict[str, Any]:
        """The same as :meth:`document`: the name the first builders gave it."""
        return self.document()


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorMetadata:
    """What is common to the readings of one sensor element (EPCIS 2.0 section 7.3.8)."""

    time: dt.datetime | None = None
    device_id: str | None = None
    device_metadata: str | None = None
    raw_data: str | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    data_processing_method: str | None = None
    biz_rules: str | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)
    time_texts: Mapping[str, str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        for key, value in (
            ("time", self.time),
            ("deviceID", self.device_id),
            ("deviceMetadata", self.device_metadata),
            ("rawData", self.raw_data),
            ("startTime", self.start_time),
            ("endTime", self.end_time),
            ("dataProcessingMethod", self.data_processing_method),
            ("bizRules", self.biz_rules),
        ):
            if value is None:
                continue
            written[key] = (
                _written(value, self.time_texts, key) if isinstance(value, dt.datetime) else value
            )
        written.update(copied(self.extensions))
        return written


#: The attribute names of a sensor report (JSON key → field), in the order the schema lists them.
SENSOR_REPORT_FIELDS = {
    "type": "type",
    "exception": "exception",
    "deviceID": "device_id",
    "deviceMetadata": "device_metadata",
    "rawData": "raw_data",
    "dataProcessingMethod": "data_processing_method",
    "bizRules": "biz_rules",
    "time": "time",
    "microorganism": "microorganism",
    "chemicalSubstance": "chemical_substance",
    "coordinateReferenceSystem": "coordinate_reference_system",
    "value": "value",
    "component": "component",
    "stringValue": "string_value",
    "booleanValue": "boolean_value",
    "hexBinaryValue": "hex_binary_value",
    "uriValue": "uri_value",
    "minValue": "min_value",
    "maxValue": "max_value",
    "meanValue": "mean_value",
    "sDev": "s_dev",
    "percRank": "perc_rank",
    "percValue": "perc_value",
    "uom": "uom",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorReport:
    """One reading, or one alert, of a sensor (EPCIS 2.0 section 7.3.8.2): ``type`` is a GS1
    Web Vocabulary measurement type (``"Temperature"``) or a URI; ``uom`` a UN/CEFACT
    Recommendation 20 code (``"CEL"``)."""

    type: str
    exception: str | None = None
    device_id: str | None = None
    device_metadata: str | None = None
    raw_data: str | None = None
    data_processing_method: str | None = None
    biz_rules: str | None = None
    time: dt.datetime | None = None
    microorganism: str | None = None
    chemical_substance: str | None = None
    coordinate_reference_system: str | None = None
    value: float | None = None
    component: str | None = None
    string_value: str | None = None
    boolean_value: bool | None = None
    hex_binary_value: str | None = None
    uri_value: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    mean_value: float | None = None
    s_dev: float | None = None
    perc_rank: float | None = None
    perc_value: float | None = None
    uom: str | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)
    time_texts: Mapping[str, str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        for key, name in SENSOR_REPORT_FIELDS.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                value = _written(value, self.time_texts, key)
            written[key] = value
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True)
class SensorElement:
    """The readings of one sensor device, with what they have in common."""

    reports: tuple[SensorReport, ...]
    metadata: SensorMetadata | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.metadata is not None:
            written["sensorMetadata"] = self.metadata.document()
        written["sensorReport"] = [report.document() for report in self.reports]
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True)
class ErrorDeclaration:
    """The event is declared to be in error (EPCIS 2.0 section 7.4.1.2): when, why (CBV
    ``did_not_occur``, ``incorrect_data``, or a URI), and the events that correct it."""

    declaration_time: dt.datetime
    reason: str | None = None
    corrective_event_ids: tuple[str, ...] | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)
    time_texts: Mapping[str, str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {
            "declarationTime": _written(self.declaration_time, self.time_texts, "declarationTime")
        }
        if self.reason is not None:
            written["reason"] = str(self.reason)
        if self.corrective_event_ids is not None:
            written["correctiveEventIDs"] = list(self.corrective_event_ids)
        written.update(copied(self.extensions))
        return written
