"""Reading an upload of loggers' readings: whatever readings a logger writes, in CSV or JSON,
read back as the same instants and the same temperatures in °C; and a row that breaks a rule
names itself wherever it is."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.coldchain import to_celsius
from unitrace.registry.errors import InvalidRequest
from unitrace.services.cold_chain.readings import read_csv, read_json

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
