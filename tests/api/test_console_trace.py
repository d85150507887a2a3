"""The console's trace page through the test client, on the trace scene
(:mod:`tests.services.trace_scene`): forward, its charts' data over their tables, the
container tree and the genealogy graph; back, the timeline and the inspections; the unit
page's link to it; the refusals of the API as pages; the CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.api.console_client import signed_in_client
from tests.services.issued_units import DIST_A_GLN, GTIN, LOT
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.lifecycle.scenes import code
from tests.services.trace_scene import DEVICE_CODE, RAW_CODE, build_trace_scene
from unitrace.store.unit_of_work import Database

LOT_CODE = f"(01){GTIN.value}(10){LOT}"
_CHART = re.compile(
    r'<figure data-chart="doughnut" id="by-(\w+)">.*?<script type="application/json">(.*?)</script>',
    re.S,
)
_BOX = re.compile(r'<g data-kind="(\w+)"( data-subject)?>.*?<title>(.*?)</title>', re.S)


@pytest.fixture
def traced(scene: Database) -> Database:  # noqa: F811 - the scene fixture
    return build_trace_scene(scene)


def test_forward_from_a_lot_draws_its_units_containers_and_what_was_made(
    traced: Database,
) -> None:
    page = signed_in_client(traced).client.get("/console/trace", params={"code": LOT_CODE})
    assert page.status_code == 200
    assert '<div class="figure" id="units-count">41</div>' in page.text
    charts = {key: json.loads(data) for key, data in _CHART.findall(page.text)}
    assert charts == {
        "custodian": {
            "labels": ["brand", "dist-b"],
            "series": [{"name": "units", "values": [36, 5]}],
        },
        "state": {
            "labels": ["active", "issued", "checked_out", "destroyed"],
            "series": [{"name": "units", "values": [30, 8, 2, 1]}],
        },
        "region": {"labels": ["unknown", "MY"], "series": [{"name": "units", "values": [36, 5]}]},
    }
    tree = re.findall(
        r'<li class="depth-(\d)">(pallet|case) <a href="[^"]+"><code>([^<]+)', page.text
    )
    assert tree == [
        ("0", "pallet", "(00)195060000000000012"),
        ("1", "case", "(01)19506000134359(21)C1"),
        ("1", "case", "(01)19506000134359(21)C2"),
    ]
    boxes = {(kind, bool(subject), label) for kind, subject, label in _BOX.findall(page.text)}
    assert boxes == {
        ("lot", True, LOT_CODE),
        ("unit", True, code(11)),
        ("unit", True, code(12)),
        ("unit", False, code(31)),
        ("unit", False, code(32)),
        ("unit", False, DEVICE_CODE),
    }


def test_back_from_a_device_shows_its_inputs_and_their_inspections(traced: Database) -> None:
    page = signed_in_client(traced).client.get(
        "/console/trace", params={"code": DEVICE_CODE, "direction": "back"}
    )
    assert page.status_code == 200
    labels = [label for _, _, label in _BOX.findall(page.text)]
    # the deepest inputs first (the left column), the device last (the right)
    assert labels == [code(11), code(12), RAW_CODE, code(31), DEVICE_CODE]
    inspected = re.findall(
        r"<tr><td><code>([^<]+)</code></td><td>[^<]+</td><td>([^<]+)</td>", page.text
    )
    assert inspected == [(RAW_CODE, "—"), (code(11), "conformant")]
    assert "https://cert.example/raw-7" in page.text


def test_the_unit_page_links_to_its_trace(traced: Database) -> None:
    client = signed_in_client(traced).client
    unit = client.get(f"/console/units/{GTIN.value}/S00003")
    link = re.search(r'id="trace-link" href="([^"]+)"', unit.text)
    assert link is not None
    traced_page = client.get(link.group(1).replace("&amp;", "&"))
    assert traced_page.status_code == 200
    assert '<p class="muted" id="subject" data-kind="unit">Back from unit' in traced_page.text


@pytest.mark.parametrize(
    ("role", "party", "params", "status", "words"),
    [
        ("admin", None, {"code": code(99)}, 404, "names no unit, container or lot"),
        ("admin", None, {"code": f"(414){DIST_A_GLN}"}, 400, "trace needs a unit (GTIN + serial)"),
        ("admin", None, {"code": "<script>1</script>"}, 400, "&lt;script&gt;"),
        ("distributor", "dist-a", {"code": LOT_CODE}, 404, "names no unit, container or lot"),
        ("verifier", None, {"code": LOT_CODE}, 403, "a verifier may not view"),
        ("admin", None, {}, 200, 'name="code" value=""'),
    ],
)
def test_refusals_are_pages(
    traced: Database,
    role: str,
    party: str | None,
    params: dict[str, str],
    status: int,
    words: str,
) -> None:
    page = signed_in_client(traced, role, party).client.get("/console/trace", params=params)
    assert page.status_code == status
    assert words in page.text
    assert "<script>1</script>" not in page.text


def test_the_csv_of_a_distributor_lists_what_it_holds(traced: Database) -> None:
    client = signed_in_client(traced, "distributor", "dist-b").client
    answer = client.get("/console/trace.csv", params={"code": LOT_CODE})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(row["serial"], row["custodian"]) for row in rows] == [
        (f"S000{n}", "dist-b") for n in range(21, 26)
    ]
    refused = client.get("/console/trace.csv", params={"code": code(3)})
    assert refused.status_code == 404
