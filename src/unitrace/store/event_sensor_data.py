"""What stored events' sensor data writes besides the events themselves, in the storing
transaction and set-wise however many events come at once (:func:`record_sensor_data`, from
:class:`~unitrace.store.events.EventRepository`):

- every ``sensorMetadata`` and ``sensorReport`` into the index the EPCIS sensor query
  parameters search (``event_sensor_reports``, :func:`sensor_index_rows`);
- every temperature report (:func:`~unitrace.coldchain.epcis_reports.temperature_reports`)
  into the cold chain's readings, under its device (added to ``sensor_devices`` where new); a
  reading the device has at that instant already is kept, the event's skipped;
- each device, for the span of its readings in the event, attached to what the event names:
  each EPC of ``epcList``, ``parentID``, ``childEPCs``, ``inputEPCList`` and ``outputEPCList``
  (``container`` for an SSCC or a case or pallet of the registry, ``unit`` for any other);
  an event naming none is about its place: its ``bizLocation``, else its ``readPoint``
  (``location``, by its GLN; a place with none is not attached to). A span of one instant lasts one
  millisecond (an attachment ends after it starts).

An event captured with an ``errorDeclaration`` is indexed but feeds no readings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from unitrace.coldchain.epcis_reports import (
    TemperatureReport,
    comparable,
    comparable_spread,
    temperature_reports,
)
from unitrace.epcis import EpcNaming
from unitrace.epcis.sensor_reports import SensorRow, sensor_rows
from unitrace.gs1 import Gtin, InvalidCode, parse
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import (
    event_sensor_reports,
    products,
    sensor_attachments,
    sensor_devices,
    sensor_readings,
)
from unitrace.store.times import now
from unitrace.store.units import UnitRepository
from unitrace.store.units.selections import CHUNK, among

__all__ = ["record_sensor_data", "sensor_index_rows"]

#: The event's lists of objects a device's readings are attached to.
_OBJECT_LISTS: Final = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
#: A Digital Link whose primary key is an SSCC (AI 00), after any path of the resolver's.
_SSCC_LINK: Final = re.compile(r"(?i)https?://[^/?#]+(?:/[^?#]*)?/00/\d{18}(?:[?#].*)?")


def record_sensor_data(
    connection: Connection,
    events: Sequence[tuple[int, Mapping[str, Any], str | None, str | None]],
) -> None:
    """Index the sensor data of ``events`` (each its key, its JSON-LD with every EPC list,
    who recorded it and the party it concerns) and feed their temperatures to the cold
    chain."""
    sensing = [event for event in events if event[1].get("sensorElementList")]
    if not sensing:
        return
    read = [
        (pk, document, recorded_by, party, sensor_rows(document))
        for pk, document, recorded_by, party in sensing
    ]
    _INSERT_ROWS.execute_many(
        connection, [row for pk, *_, rows in read for row in _index_rows(pk, rows)]
    )
    # an event sent as declared in error measured nothing the cold chain should weigh
    readings = [
        (pk, document, recorded_by, party, reports)
        for pk, document, recorded_by, party, rows in read
        if not document.get("errorDeclaration") and (reports := temperature_reports(document, rows))
    ]
    if readings:
        _feed_cold_chain(connection, readings)


def sensor_index_rows(event_pk: int, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``event_sensor_reports`` rows of one event's sensor data."""
    return _index_rows(event_pk, sensor_rows(document))


def _index_rows(event_pk: int, read: Sequence[SensorRow]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row in read:
        unit, value = comparable(row.value, row.uom)
        rows.append(
            {
                "event_pk": event_pk,
                "element": row.element,
                "position": row.position,
                "type": row.type,
                "exception": row.exception,
                "device_id": row.device_id,
                "data_processing_method": row.data_processing_method,
                "biz_rules": row.biz_rules,
                "microorganism": row.microorganism,
                "chemical_substance": row.chemical_substance,
                "string_value": row.string_value,
                "boolean_value": row.boolean_value,
                "hex_binary_value": row.hex_binary_value,
                "uri_value": row.uri_value,
                "time": row.time,
                "start_time": row.start_time,
                "end_time": row.end_time,
                "uom": row.uom,
                "unit": unit,
                "value": value,
                "min_value": comparable(row.min_value, row.uom)[1],
                "max_value": comparable(row.max_value, row.uom)[1],
                "mean_value": comparable(row.mean_value, row.uom)[1],
                "s_dev": comparable_spread(row.s_dev, row.uom),
                "perc_rank": row.perc_rank,
                "perc_value": comparable(row.perc_value, row.uom)[1],
            }
        )
    return rows


# the index's bulk insert, run on the driver's executemany
_INSERT_ROWS = DriverStatement(
    insert(event_sensor_reports).values(
        {column.name: bindparam(column.name) for column in event_sensor_reports.c}
    )
)
Reported = tuple[int, Mapping[str, Any], str | None, str | None, list[TemperatureReport]]


def _feed_cold_chain(connection: Connection, events: Sequence[Reported]) -> None:
    created = now()
    devices = _device_ids(
        connection,
        {(report.device, party) for _, _, _, party, reports in events for report in reports},
        created,
    )
    # a device takes the readings of the party that registered it only
    events = [
        (pk, document, recorded_by, party, kept)
        for pk, document, recorded_by, party, reports in events
        if (kept := [found for found in reports if devices[found.device][1] == party])
    ]
    readings: dict[tuple[int, int], dict[str, Any]] = {}
    for pk, _, _, _, reports in events:
        for report in reports:
            key = (devices[report.device][0], report.at_ms)
            readings.setdefault(
                key,
                {
                    "device_id": key[0],
                    "at_ms": report.at_ms,
                    "celsius": report.celsius,
                    "until_ms": report.until_ms,
                    "min_c": report.min_c,
                    "max_c": report.max_c,
                    "event_pk": pk,
                },
            )
    if not readings:
        return
    connection.execute(
        _insert(connection, sensor_readings).on_conflict_do_nothing(),
        [readings[key] for key in sorted(readings)],
    )
    ranged = {
        device_id
        for (device_id, _), reading in readings.items()
        if any(reading[field] is not None for field in ("until_ms", "min_c", "max_c"))
    }
    if ranged:
        connection.execute(
            update(sensor_devices)
            .where(sensor_devices.c.id.in_(sorted(ranged)))
            .values(ranged=True)
        )
    naming = _naming(connection)
    events = [
        (pk, _named_as_the_registry(naming, document), recorded_by, party, reports)
        for pk, document, recorded_by, party, reports in events
    ]
    containers = _containers(connection, events)
    attachments = [
        {
            "device_id": devices[device][0],
            "target_kind": kind,
            "target": target,
            "from_ms": start,
            "until_ms": end,
            "event_pk": pk,
            "created_at": created,
            "created_by": recorded_by,
        }
        for pk, document, recorded_by, _, reports in events
        for device, (start, end) in _spans(reports).items()
        for kind, target in _targets(document, containers)
    ]
    if attachments:
        connection.execute(insert(sensor_attachments), attachments)


def _device_ids(
    connection: Connection, named: set[tuple[str, str | None]], created: dt.datetime
) -> dict[str, tuple[int, str | None]]:
    """The key and the registering party of each device ``named`` (its name, and the party
    of the event naming it, which registers it where it is new)."""
    first = dict(sorted(named, key=lambda pair: (pair[0], pair[1] or "")))
    wanted = sorted(first)
    connection.execute(
        _insert(connection, sensor_devices).on_conflict_do_nothing(
            index_elements=[sensor_devices.c.device]
        ),
        [{"device": name, "created_at": created, "party_id": first[name]} for name in wanted],
    )
    found: dict[str, tuple[int, str | None]] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = connection.execute(
            select(sensor_devices.c.device, sensor_devices.c.id, sensor_devices.c.party_id).where(
                among(connection, sensor_devices.c.device, chunk)
            )
        )
        found.update((row.device, (row.id, row.party_id)) for row in rows)
    return found


def _spans(reports: Sequence[TemperatureReport]) -> dict[str, tuple[int, int]]:
    """Each device's span in ``reports``: from its first reading to the end of its last
    (one millisecond where that is one instant)."""
    spans: dict[str, tuple[int, int]] = {}
    for report in reports:
        end = report.at_ms if report.until_ms is None else report.until_ms
        start, until = spans.get(report.device, (report.at_ms, end))
        spans[report.device] = (min(start, report.at_ms), max(until, end))
    return {device: (start, max(end, start + 1)) for device, (start, end) in spans.items()}


def _objects(document: Mapping[str, Any]) -> Iterator[str]:
    if isinstance(document.get("parentID"), str):
        yield document["parentID"]
    for key in _OBJECT_LISTS:
        for epc in document.get(key) or ():
            if isinstance(epc, str):
                yield epc


def _named_as_the_registry(naming: EpcNaming, document: Mapping[str, Any]) -> Mapping[str, Any]:
    """``document`` with the objects the cold chain attaches devices to named as the
    registry names them."""
    renamed: dict[str, Any] = dict(document)
    if isinstance(document.get("parentID"), str):
        renamed["parentID"] = _as_registry_names(naming, document["parentID"])
    for key in _OBJECT_LISTS:
        listed = document.get(key)
        if isinstance(listed, list):
            renamed[key] = [
                _as_registry_names(naming, epc) if isinstance(epc, str) else epc for epc in listed
            ]
    return renamed


def _naming(connection: Connection) -> EpcNaming:
    """The registry's EPC naming: its products' company prefixes."""
    rows = connection.execute(select(products.c.gtin, products.c.company_prefix_length))
    return EpcNaming.of((Gtin(row.gtin), row.company_prefix_length) for row in rows)


def _as_registry_names(naming: EpcNaming, epc: str) -> str:
    """An object an event names, as the registry names it: a unit or a case by its SGTIN, a
    pallet by its SSCC, under the company prefix the registry knows, however the event spelled
    it (a GS1 Digital Link, say); what is no unit, case or pallet, as it is.

    >>> naming = EpcNaming.of([(Gtin("09506000134352"), 7)])
    >>> _as_registry_names(naming, "https://id.gs1.org/01/09506000134352/21/S1")
    'urn:epc:id:sgtin:9506000.013435.S1'
    >>> _as_registry_names(naming, "https://id.gs1.org/00/195060000000000012")
    'urn:epc:id:sscc:9506000.1000000001'
    >>> _as_registry_names(naming, "urn:example:thing")
    'urn:example:thing'
    """
    if epc.startswith("urn:epc:id:"):
        return epc
    try:
        scan = parse(epc)
    except InvalidCode:
        return epc
    if scan.sscc is not None:
        return naming.sscc(scan.sscc)
    if scan.gtin is not None and scan.serial is not None:
        return naming.sgtin(scan.gtin, scan.serial)
    return epc


def _containers(connection: Connection, events: Sequence[Reported]) -> set[str]:
    """The EPCs ``events`` name that are cases or pallets of the registry."""
    named = {epc for _, document, *_ in events for epc in _objects(document)}
    return set(UnitRepository(connection).containers_by_epc(named)) if named else set()


def _targets(document: Mapping[str, Any], containers: set[str]) -> list[tuple[str, str]]:
    named = list(dict.fromkeys(_objects(document)))
    if named:
        return [
            ("container" if epc in containers or _is_sscc(epc) else "unit", epc) for epc in named
        ]
    for key in ("bizLocation", "readPoint"):
        place = document.get(key)
        if isinstance(place, Mapping) and isinstance(place.get("id"), str):
            gln = _gln(place["id"])
            return [] if gln is None else [("location", gln)]
    return []


def _gln(place: str) -> str | None:
    """The GLN a place names (an SGLN URI, a Digital Link), as the cold chain keys places.

    >>> _gln("urn:epc:id:sgln:9506000.00001.0"), _gln("urn:example:nowhere")
    ('9506000000015', None)
    """
    try:
        found = parse(place).gln
    except InvalidCode:
        return None
    return None if found is None else found.value


def _is_sscc(epc: str) -> bool:
    """An SSCC, as an EPC URI or a GS1 Digital Link (application identifier 00).

    >>> _is_sscc("urn:epc:id:sscc:4012345.0000000001"), _is_sscc("https://id.gs1.org/00/340123450000000016")
    (True, True)
    """
    if epc.startswith("urn:epc:id:sscc:"):
        return True
    return _SSCC_LINK.match(epc) is not None


def _insert(connection: Connection, table: Any) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
