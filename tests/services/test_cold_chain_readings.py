"""Reading an upload of loggers' readings: whatever readings a logger writes, in CSV or JSON,
read back as the same instants and the same temperatures in °C; a row that breaks a rule
names itself wherever it is; and what an upload writes is its unit of work's, kept only when
committed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from unitrace.coldchain import to_celsius
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, Role
from unitrace.services.cold_chain.readings import ingest, read_csv, read_json
from unitrace.store.schema import sensor_devices, sensor_readings
from unitrace.store.unit_of_work import Database

devices = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=20,
).filter(lambda name: name.strip() and name.isprintable())
offsets = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
instants = st.builds(
    lambda seconds, offset: (
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC).astimezone(offset)
        + dt.timedelta(milliseconds=seconds)
    ),
    st.integers(0, 10 * 365 * 86_400_000),
    offsets,
)
values = {
    "CEL": st.floats(-273.15, 1_000, allow_nan=False),
    "FAH": st.floats(-459.67, 2_000, allow_nan=False),
    "KEL": st.floats(0, 1_300, allow_nan=False),
}
reading = st.sampled_from(sorted(values)).flatmap(
    lambda uom: st.tuples(devices, instants, values[uom], st.just(uom))
)


def as_csv(rows: list[tuple[str, dt.datetime, float, str]]) -> io.StringIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["device", "time", "value", "uom"])
    writer.writerows(
        [(device, at.isoformat(), repr(value), uom) for device, at, value, uom in rows]
    )
    text.seek(0)
    return text


@given(st.lists(reading, min_size=1, max_size=30))
def test_readings_read_back_as_written_in_both_formats(
    rows: list[tuple[str, dt.datetime, float, str]],
) -> None:
    read = read_csv(as_csv(rows))
    expected_devices = tuple(dict.fromkeys(device for device, *_ in rows))
    assert read.devices == expected_devices
    assert [read.devices[index] for index in read.device_of] == [row[0] for row in rows]
    assert list(read.times_ms) == [
        (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)
        for _, at, _, _ in rows
    ]
    assert list(read.celsius) == [to_celsius(value, uom) for _, _, value, uom in rows]
    document = {
        "readings": [
            {"device": device, "time": at.isoformat(), "value": value, "uom": uom}
            for device, at, value, uom in rows
        ]
    }
    assert read_json(document) == read


@given(st.lists(reading, min_size=1, max_size=30), st.data())
def test_a_time_without_its_offset_is_refused_naming_its_row(
    rows: list[tuple[str, dt.datetime, float, str]], data: st.DataObject
) -> None:
    bad = data.draw(st.integers(0, len(rows) - 1))
    device, at, value, uom = rows[bad]
    rows[bad] = (device, at.replace(tzinfo=None), value, uom)
    naive = at.replace(tzinfo=None).isoformat()
    with pytest.raises(InvalidRequest, match=re.escape(f"row {bad + 1}, time: '{naive}' has no")):
        read_csv(as_csv(rows))


@pytest.mark.parametrize("committed", [False, True])
def test_an_upload_not_committed_leaves_nothing_and_one_committed_its_readings(
    database: Database, committed: bool
) -> None:
    rows = [
        ("A", dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC), 4.0, "CEL"),
        ("B", dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC), 40.0, "FAH"),
        ("A", dt.datetime(2026, 3, 1, 7, 1, tzinfo=dt.UTC), 5.0, "CEL"),
    ]
    with database.unit_of_work() as uow:
        landed = ingest(uow, read_csv(as_csv(rows)), actor=Actor("logger", Role.LINE))
        if committed:
            uow.commit()
    assert (landed.stored, landed.skipped, landed.devices) == (3, 0, ("A", "B"))
    with database.unit_of_work(read_only=True) as uow:
        found = [
            tuple(row)
            for row in uow.connection.execute(
                select(sensor_devices.c.device, sensor_readings.c.at_ms, sensor_readings.c.celsius)
                .join(sensor_devices, sensor_devices.c.id == sensor_readings.c.device_id)
                .order_by(sensor_devices.c.device, sensor_readings.c.at_ms)
            )
        ]
        devices = uow.connection.execute(select(sensor_devices.c.device)).scalars().all()
    expected = [("A", 1772348400000, 4.0), ("A", 1772348460000, 5.0), ("B", 1772348400000, 4.444)]
    assert (found, sorted(devices)) == ((expected, ["A", "B"]) if committed else ([], []))
