"""``GET /api/cold-chain/chart.svg``: the chart of what ``GET /api/cold-chain`` answers for a
unit, a container or a lot (a lot's worst exposure), asked with the same rules (the same
refusals, for the same callers and codes), drawn as a self-contained SVG."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.api.cold_chain_pictures import UNIT_3_EPC, steady_trip, warm_trip
from tests.services.issued_units import GTIN, LOT
from tests.services.lifecycle.scenes import PALLET, code
from unitrace.store.unit_of_work import Database

SVG = "{http://www.w3.org/2000/svg}"
Tokens = Callable[..., dict[str, str]]
CHART = "/api/cold-chain/chart.svg"


@pytest.fixture
def scene(database: Database) -> Database:
    """The warm trip: unit 3 breached, every unit had an allowed excursion on the pallet."""
    return warm_trip(database)


def chart_of(client: TestClient, code_: str, headers: dict[str, str]) -> etree._Element:
    answer = client.get(CHART, params={"code": code_}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    return etree.fromstring(answer.content)


def shown(chart: etree._Element) -> dict[str, object]:
    """What a reader takes from the chart: its title, its excursions (verdict and peak), its
    periods' sources and whether it says "no reading" anywhere."""
    marks = [
        (
            mark.get("data-verdict"),
            "".join(t.text or "" for t in mark.iter(f"{SVG}text")),
        )
        for mark in chart.iter(f"{SVG}g")
        if mark.get("class") == "excursion-mark"
    ]
    periods = [
        mark.find(f"{SVG}title").text.split(",")[0]
        for mark in chart.iter(f"{SVG}g")
        if mark.get("class") == "period-mark"
    ]
    return {"title": chart.find(f"{SVG}title").text, "excursions": marks, "periods": periods}


PALLET_LOGGER = "PAL-1 on container urn:epc:id:sscc:9506000.1000000001"
PLACE_LOGGER = "WH-A at location 9506000000015"
UNIT_LOGGER = f"U3 on unit {UNIT_3_EPC}"


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (
            code(3),
            {
                "title": f"Temperature of unit (01){GTIN.value}(21)S00003",
                "excursions": [("allowed", "peak 11 °C"), ("breach", "peak 20 °C")],
                "periods": [PALLET_LOGGER, PLACE_LOGGER, UNIT_LOGGER],
            },
        ),
        (
            code(1),
            {
                "title": f"Temperature of unit (01){GTIN.value}(21)S00001",
                "excursions": [("allowed", "peak 11 °C")],
                "periods": [PALLET_LOGGER, PLACE_LOGGER],
            },
        ),
        (
            PALLET,
            {
                "title": f"Temperature of container {PALLET}",
                "excursions": [("allowed", "peak 11 °C")],
                "periods": [PALLET_LOGGER, PLACE_LOGGER],
            },
        ),
        # a lot: the worst exposure its units shared (unit 3's breach), not the most shared
        (
            f"(01){GTIN.value}(10){LOT}",
            {
                "title": f"Temperature of lot {LOT} of {GTIN.value}: the worst of 2 exposures, "
                "shared by 1 unit",
                "excursions": [("allowed", "peak 11 °C"), ("breach", "peak 20 °C")],
                "periods": [PALLET_LOGGER, PLACE_LOGGER, UNIT_LOGGER],
            },
        ),
    ],
)
def test_the_chart_draws_what_the_cold_chain_answers(
    scene: Database,
    client: TestClient,
    admin: dict[str, str],
    asked: str,
    expected: dict[str, object],
) -> None:
    chart = chart_of(client, asked, admin)
    assert shown(chart) == expected
    answer = client.get("/api/cold-chain", params={"code": asked}, headers=admin).json()
    if "excursions" in answer:
        drawn = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "excursion-mark"]
        assert len(drawn) == len(answer["excursions"])


def test_of_a_lots_exposures_of_one_verdict_the_most_shared_is_drawn(
    database: Database, client: TestClient, admin: dict[str, str]
) -> None:
    """Every unit kept within: the nine that stayed on the pallet, not unit 3 alone."""
    steady_trip(database, conditions=True, loggers=True)
    lot = f"(01){GTIN.value}(10){LOT}"
    answer = client.get("/api/cold-chain", params={"code": lot}, headers=admin).json()
    assert sorted(group["units"] for group in answer["groups"]) == [1, 9]
    chart = chart_of(client, lot, admin)
    assert chart.find(f"{SVG}title").text == (
        f"Temperature of lot {LOT} of {GTIN.value}: the worst of 2 exposures, shared by 9 units"
    )
    assert [g for g in chart.iter(f"{SVG}g") if g.get("class") == "excursion-mark"] == []
    assert chart.find(f"{SVG}desc").text.endswith("Verdict: within.")


@pytest.mark.parametrize(
    ("conditions", "loggers", "said"),
    [
        (False, True, "no storage conditions set"),
        (True, False, "no readings"),
    ],
)
def test_a_chart_with_nothing_to_judge_says_so(
    database: Database,
    client: TestClient,
    admin: dict[str, str],
    conditions: bool,
    loggers: bool,
    said: str,
) -> None:
    steady_trip(database, conditions=conditions, loggers=loggers)
    chart = chart_of(client, code(1), admin)
    assert said in [text.text for text in chart.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("role", "party", "asked", "status"),
    [
        ("admin", None, code(1), 200),
        ("line", None, code(1), 200),
        # dist-a received the pallet: its units, the pallet and the lot are its to ask of
        ("distributor", "dist-a", code(1), 200),
        ("distributor", "dist-a", PALLET, 200),
        ("distributor", "dist-a", f"(01){GTIN.value}(10){LOT}", 200),
        # dist-b never held any of it: not found, as a code unitrace does not know
        ("distributor", "dist-b", code(1), 404),
        ("distributor", "dist-b", PALLET, 404),
        # a verifier asks the API of no unit's trail
        ("verifier", None, code(1), 403),
        (None, None, code(1), 401),
    ],
)
def test_the_chart_is_refused_as_the_cold_chain_is(
    scene: Database,
    client: TestClient,
    token_for: Tokens,
    role: str | None,
    party: str | None,
    asked: str,
    status: int,
) -> None:
    headers = token_for(role, party) if role else {}
    chart = client.get(CHART, params={"code": asked}, headers=headers)
    answer = client.get("/api/cold-chain", params={"code": asked}, headers=headers)
    assert (chart.status_code, answer.status_code) == (status, status)
    if status != 200:
        assert chart.headers["content-type"] == "application/problem+json"
        assert chart.json()["detail"] == answer.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "code"),
        ({"code": ""}, "code"),
        ({"code": "(01)09506000134353(21)X"}, "code"),
        ({"code": "x" * 2049}, "code"),
        ({"code": "(01)09506000134352(21)NOSUCH"}, "code"),
    ],
)
def test_bad_codes_are_refused_naming_the_field(
    scene: Database, client: TestClient, admin: dict[str, str], params: dict[str, str], field: str
) -> None:
    chart = client.get(CHART, params=params, headers=admin)
    answer = client.get("/api/cold-chain", params=params, headers=admin)
    assert chart.status_code == answer.status_code
    assert 400 <= chart.status_code < 500
    assert chart.headers["content-type"] == "application/problem+json"
    assert field in str(chart.json())
