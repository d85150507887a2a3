"""The FSMA 204 spreadsheet has one row per critical tracking event of a lot as FDA sees it:
the events naming the lot that agree on every key data element but the quantity are one row,
their quantities summed. Compared, for any events, with the rows of each event read one by
one and grouped here by brute force."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.conftest import emptied
from tests.services.fsma_scene import DIST_A_PARTY, DIST_A_PLACE, DIST_B_PARTY, PLANT, document
from tests.services.issued_units import ADMIN, DIST_A, GTIN, LOT, build_registry, issue
from tests.services.lifecycle.scenes import epc
from unitrace.services.epcis_capture import capture
from unitrace.services.exports import fsma204
from unitrace.services.exports.fsma204 import Fsma204Row, _Reader
from unitrace.services.lifecycle.targets import Context
from unitrace.store import lot_events as index
from unitrace.store.held_epcs import unit_uri_prefixes
from unitrace.store.party_view import PartyView
from unitrace.store.unit_of_work import Database

UNITS = 8
#: the lot's units, all packed at once before the events drawn
PACKED = {"step": "packing", "at": "2026-03-01T09:00:00+08:00", "place": PLANT, "order": None,
          "to": None, "kilos": None}  # fmt: skip
MADE = "urn:uuid:f5a20400-0000-4000-8000-100000000000"
CLASS = "urn:epc:class:lgtin:9506000.013435.L1"
ORDER = "urn:epcglobal:cbv:bt:9506000000046:"
STEPS = {
    "packing": ("commissioning", "ADD"),
    "storing": ("storing", "OBSERVE"),
    "shipping": ("shipping", "OBSERVE"),
    "receiving": ("receiving", "OBSERVE"),
}
#: within a minute, an hour apart, a day's last minute, the next day at another offset (the
#: same instant as the next day's first hour at +08:00 is still the 2nd at +00:00), the
#: first's minute at another offset
TIMES = (
    "2026-03-02T09:00:00+08:00",
    "2026-03-02T09:00:40+08:00",
    "2026-03-02T10:00:00+08:00",
    "2026-03-02T23:59:00+08:00",
    "2026-03-02T16:30:00+00:00",
    "2026-03-02T01:00:20+00:00",
    "2026-03-03T08:00:00+08:00",
)
EVENTS = st.fixed_dictionaries(
    {
        "units": st.sets(st.integers(1, UNITS), min_size=1, max_size=3),
        "step": st.sampled_from(["storing", "shipping", "receiving"]),
        # mostly alike, so that rows merge
        "at": st.sampled_from(TIMES[:1] * 6 + TIMES),
        "place": st.sampled_from([PLANT, PLANT, PLANT, DIST_A_PLACE]),
        "order": st.sampled_from([None, None, None, "PO-1", "PO-2"]),
        "to": st.sampled_from([DIST_A_PARTY, DIST_B_PARTY]),
        "kilos": st.sampled_from([None] * 6 + [2, 3.5]),
    }
)


def _event(n: int, drawn: dict[str, Any]) -> dict[str, Any]:
    step, action = STEPS[drawn["step"]]
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:f5a20400-0000-4000-8000-{n:012d}",
        "eventTime": drawn["at"],
        "eventTimeZoneOffset": drawn["at"][-6:],
        "action": action,
        "bizStep": step,
        "epcList": [epc(seq) for seq in sorted(drawn["units"])],
        "bizLocation": {"id": drawn["place"]},
    }
    if drawn["kilos"] is not None:
        event["quantityList"] = [{"epcClass": CLASS, "quantity": drawn["kilos"], "uom": "KGM"}]
    if drawn["order"] is not None:
        event["bizTransactionList"] = [{"type": "po", "bizTransaction": ORDER + drawn["order"]}]
    if drawn["to"] is not None:
        # a shipment names the party it moves the units' custody to
        event["destinationList"] = [{"type": "owning_party", "destination": drawn["to"]}]
    return event


def _captured(engine: Engine, events: list[dict[str, Any]]) -> Database:
    return captured(emptied(engine), events)


def captured(database: Database, events: list[dict[str, Any]]) -> Database:
    """The registry, the lot's units packed, and ``events`` (:data:`EVENTS`) captured."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, UNITS)
        uow.commit()
    with database.unit_of_work() as uow:
        made = {**_event(0, {**PACKED, "units": set(range(1, UNITS + 1))}), "eventID": MADE}
        assert capture(uow, document(made), actor=ADMIN).captured
        uow.commit()
    for n, drawn in enumerate(events):
        # an event the units' lifecycle refuses (a receipt of units not shipped) is left out
        with database.unit_of_work() as uow:
            if capture(uow, document(_event(n + 1, drawn)), actor=ADMIN).captured:
                uow.commit()
    return database


def _each_event(
    database: Database, actor: Any, request: fsma204.Fsma204Request
) -> list[Fsma204Row]:
    """The rows of the lot's events read one by one, as the spreadsheet had them before."""
    with database.unit_of_work(read_only=True) as uow:
        connection = uow.connection
        (known,) = index.registered_lots(connection, GTIN.value, LOT)
        prefix = {found[0]: found for found in unit_uri_prefixes(connection)}[known.product_id]
        view = None if actor.party_id is None else PartyView(connection, actor.party_id)
        counts = index.lot_unit_counts(
            connection,
            lot_id=known.lot_id,
            prefix=prefix,
            steps=fsma204.STEPS,
            holder=None if view is None else view.party_id,
        )
        for pk in index.class_event_pks(connection, (CLASS,)):
            counts.setdefault(pk, {})
        events = index.lot_events(connection, counts, None if view is None else view.events())
        reader = _Reader(uow, Context.of(uow), view)
        return reader.lot_rows(GTIN.value, LOT, known, events, request)


def _brute_force(rows: list[Fsma204Row]) -> list[tuple[object, ...]]:
    """Rows grouped by every column but time (2), quantity (6) and event ID (19)."""
    groups: dict[tuple[object, ...], list[Fsma204Row]] = {}
    for row in rows:
        values = row.values()
        groups.setdefault(values[:2] + values[3:6] + values[7:19], []).append(row)
    merged = []
    for same in groups.values():
        first = min(same, key=lambda row: row.sort_key)
        ids = sorted(row.event_id for row in same)
        amounts = [str(row.quantity).split("; ") for row in same]
        totals = [sum(float(amount[n]) for amount in amounts) for n in range(len(amounts[0]))]
        shown = [int(total) if total.is_integer() else total for total in totals]
        values = list(first.values())
        values[6] = shown[0] if len(shown) == 1 else "; ".join(str(total) for total in shown)
        values[19] = ids[0] if len(ids) == 1 else f"{ids[0]} (+{len(ids) - 1} more)"
        merged.append(tuple(values))
    return sorted(merged, key=lambda values: (values[1], values[2], values[19]))


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(EVENTS, min_size=1, max_size=12),
    distributor=st.booleans(),
    days=st.sampled_from(
        [(None, None), (None, None), (None, "2026-03-02"), ("2026-03-03", None),
         ("2026-03-02", "2026-03-02")]
    ),
)  # fmt: skip
def test_the_rows_are_the_events_grouped_by_their_key_data_elements(
    database_engine: Engine,
    events: list[dict[str, Any]],
    distributor: bool,
    days: tuple[str | None, str | None],
) -> None:
    database = _captured(database_engine, events)
    actor = DIST_A if distributor else ADMIN
    request = fsma204.read_request(gtin=GTIN.value, lot=LOT, first=days[0], last=days[1])
    with database.unit_of_work(read_only=True) as uow:
        rows = fsma204.fsma204_rows(uow, request, actor=actor)
    found = sorted((row.values() for row in rows), key=lambda v: (v[1], v[2], v[19]))
    event(f"{len({row.cte for row in rows})} kinds of event")
    event("some rows merged" if any("more)" in row.event_id for row in rows) else "none merged")
    assert found == _brute_force(_each_event(database, actor, request))


@pytest.mark.parametrize(
    ("apart", "rows"),
    [
        ({}, 1),
        ({"at": "2026-03-03T09:00:00+08:00"}, 2),  # another day
        ({"place": DIST_A_PLACE}, 2),  # another place
        ({"order": "PO-2"}, 2),  # another reference document
        ({"to": DIST_B_PARTY}, 2),  # shipped elsewhere
        ({"at": "2026-03-02T09:59:59+08:00"}, 1),  # the same day, a later time
    ],
    ids=["alike", "day", "place", "document", "ship-to", "time"],
)
def test_a_units_shipments_on_one_day_at_one_place_are_one_row(
    database_engine: Engine, apart: dict[str, Any], rows: int
) -> None:
    """Six units shipped one by one under PO-1 are one row of quantity 6; a seventh
    shipment differing in one key data element is a row of its own, whatever else alike."""
    alike = {"step": "shipping", "at": "2026-03-02T09:00:00+08:00", "place": PLANT,
             "order": "PO-1", "to": DIST_A_PARTY, "kilos": None}  # fmt: skip
    events = [{**alike, "units": {seq}} for seq in range(1, 7)]
    events.append({**alike, **apart, "units": {7}})
    database = _captured(database_engine, events)
    request = fsma204.read_request(gtin=GTIN.value, lot=LOT, first=None, last=None)
    with database.unit_of_work(read_only=True) as uow:
        found = fsma204.fsma204_rows(uow, request, actor=ADMIN)
    first = "urn:uuid:f5a20400-0000-4000-8000-000000000001"
    packed = ("Initial Packing", 8, MADE)
    if rows == 1:
        assert [(row.cte, row.quantity, row.event_id) for row in found] == [
            packed,
            ("Shipping", 7, f"{first} (+6 more)"),
        ]
    else:
        assert [(row.cte, row.quantity, row.event_id) for row in found] == [
            packed,
            ("Shipping", 6, f"{first} (+5 more)"),
            (found[2].cte, 1, "urn:uuid:f5a20400-0000-4000-8000-000000000007"),
        ]
        assert (
            found[2].values()[:6] + found[2].values()[7:19]
            != found[1].values()[:6] + found[1].values()[7:19]
        )
