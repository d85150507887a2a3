"""The console's cold chain through the test client: the excursions page (lots counted,
excursions newest judged first, the verdict filter, pages of 50, a distributor's share), the
chart under the console's session, and the cold chain section of a unit's, a container's and
a lot's page (the verdict in words over the chart, or plainly that nothing can be judged)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import select

from tests.api.cold_chain_pictures import (
    UNIT_3_EPC,
    Judged,
    record,
    registered,
    shipment_to,
    steady_trip,
    warm_trip,
)
from tests.api.console_client import signed_in_client
from tests.services.issued_units import ADMIN, DIST_A_GLN, DIST_B_GLN, GTIN, LOT
from tests.services.lifecycle.scenes import PALLET, PALLET_EPC, code
from unitrace.services.cold_chain.breaches import judge_lot
from unitrace.store.schema import lots, products
from unitrace.store.unit_of_work import Database

SVG = "{http://www.w3.org/2000/svg}"
HOUR = dt.timedelta(hours=1)
LOT_CODE = f"(01){GTIN.value}(10){LOT}"
#: Somewhere none of the trip's parties ever held.
ELSEWHERE = "urn:epc:id:sscc:9506000.2000000002"


def excursions(database: Database) -> dict[str, Judged]:
    """The trip's excursions as judged, by name, and a few more (one a line, by when)."""
    found = {
        "unit 3": Judged("U3", "unit", UNIT_3_EPC, "breach", 20.0, 210, 1, 5 * HOUR, held=True),
        "pallet": Judged("PAL-1", "container", PALLET_EPC, "allowed_excursion", 11.0, 20, 10, HOUR),
        "truck": Judged(
            "TRUCK-9",
            "shipment",
            shipment_to(database, "dist-a"),
            "allowed_excursion",
            9.5,
            35,
            10,
            2 * HOUR,
        ),
        "dist-a's place": Judged(
            "WH-A", "location", DIST_A_GLN, "breach", 14.0, 90, 9, 3 * HOUR, held=True
        ),
        "dist-b's place": Judged("WH-B", "location", DIST_B_GLN, "breach", 16.0, 45, 4, 4 * HOUR),
        "elsewhere": Judged(
            "LOG-X", "container", ELSEWHERE, "allowed_excursion", 8.5, 10, 6, 6 * HOUR
        ),
    }
    record(database, list(found.values()))
    return found


@pytest.fixture
def judged(database: Database) -> dict[str, Judged]:
    warm_trip(database)
    return excursions(database)


def rows_of(page: str) -> list[tuple[str, str, str]]:
    """The excursions table: (verdict, source, peak) per row, top to bottom."""
    table = re.search(r'<table class="data" id="cold-chain-excursions">(.*?)</table>', page, re.S)
    if table is None:
        return []
    return [
        (verdict, unescape(re.sub(r"<[^>]+>", "", source)).strip(), peak)
        for verdict, source, peak in re.findall(
            r'<tr data-verdict="([^"]+)">.*?<td title="[^"]*">(.*?)</td>.*?'
            r'<td class="number">([-\d.]+)</td>',
            table.group(1),
            re.S,
        )
    ]


def lots_of(page: str) -> list[list[str]]:
    table = re.search(
        r'<table class="data" id="cold-chain-lots">.*?<tbody>(.*?)</tbody>', page, re.S
    )
    assert table is not None
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


SOURCES = {
    "unit 3": ("breach", "U3 on unit sgtin:9506000.013435.S00003", "20.0"),
    "pallet": ("allowed_excursion", "PAL-1 on container sscc:9506000.1000000001", "11.0"),
    "dist-a's place": ("breach", f"WH-A at location {DIST_A_GLN}", "14.0"),
    "dist-b's place": ("breach", f"WH-B at location {DIST_B_GLN}", "16.0"),
    "elsewhere": ("allowed_excursion", "LOG-X on container sscc:9506000.2000000002", "8.5"),
}


def expected(*names: str, truck: str = "") -> list[tuple[str, str, str]]:
    return [
        ("allowed_excursion", f"TRUCK-9 on shipment {truck}", "9.5")
        if name == "truck"
        else SOURCES[name]
        for name in names
    ]


def short(event_id: str) -> str:
    return event_id if len(event_id) <= 30 else f"{event_id[:14]}…{event_id[-12:]}"


@pytest.mark.parametrize(
    ("verdict", "names"),
    [
        ("", ["elsewhere", "unit 3", "dist-b's place", "dist-a's place", "truck", "pallet"]),
        ("breach", ["unit 3", "dist-b's place", "dist-a's place"]),
        ("allowed_excursion", ["elsewhere", "truck", "pallet"]),
    ],
)
def test_the_page_lists_excursions_newest_judged_first_by_verdict(
    database: Database, judged: dict[str, Judged], verdict: str, names: list[str]
) -> None:
    console = signed_in_client(database)
    page = console.client.get("/console/cold-chain", params={"verdict": verdict} if verdict else {})
    assert page.status_code == 200
    truck = short(judged["truck"].target)
    assert rows_of(page.text) == expected(*names, truck=truck)
    breaches = sum(1 for name in names if judged[name].verdict == "breach")
    held = sum(judged[name].units for name in names if judged[name].held)
    assert lots_of(page.text) == [
        [
            "Vitamin C",
            GTIN.value,
            LOT,
            str(len(names)),
            str(breaches),
            str(len(names) - breaches),
            str(held),
            max(judged[name].judged_at for name in names).strftime("%Y-%m-%d %H:%M UTC"),
        ]
    ]
    # every row links to its lot's page; a unit's and a container's to theirs
    assert f'href="/console/lots/{GTIN.value}/{LOT}"' in page.text
    if "pallet" in names:
        assert 'href="/console/containers/(00)195060000000000012"' in page.text


@pytest.mark.parametrize(
    ("party", "names"),
    [
        # dist-a received the pallet (and unit 3 on it), by its own shipment, at its own place
        ("dist-a", ["unit 3", "dist-a's place", "truck", "pallet"]),
        ("dist-b", ["dist-b's place"]),
        # the pharmacy holds unit 3 alone
        ("pharmacy-1", ["unit 3"]),
        ("shop-1", []),
    ],
)
def test_a_distributor_sees_the_excursions_of_what_it_holds_or_held(
    database: Database, judged: dict[str, Judged], party: str, names: list[str]
) -> None:
    console = signed_in_client(database, "distributor", party)
    page = console.client.get("/console/cold-chain")
    assert page.status_code == 200
    assert rows_of(page.text) == expected(*names, truck=short(judged["truck"].target))
    if not names:
        assert "No lot has an excursion." in page.text
        assert "No excursions." in page.text


def test_the_navigation_leads_to_the_page_for_those_it_is_shown_to(
    database: Database, judged: dict[str, Judged]
) -> None:
    link = '<a href="/console/cold-chain"'
    for role, party in (("admin", None), ("line", None), ("distributor", "dist-a")):
        page = signed_in_client(database, role, party).client.get("/console/cold-chain")
        assert f'{link} aria-current="page">Cold chain</a>' in page.text
    verifier = signed_in_client(database, "verifier")
    assert link not in verifier.client.get("/console").text
    refused = verifier.client.get("/console/cold-chain")
    assert refused.status_code == 403
    assert "verifier may not view" in refused.text


def test_pages_of_50_follow_one_another(database: Database) -> None:
    registered(database)
    record(
        database,
        [
            Judged(
                f"LOG-{n}",
                "container",
                ELSEWHERE,
                "breach",
                9.0 + n / 100,
                5,
                1,
                dt.timedelta(minutes=n),
            )
            for n in range(120)
        ],
    )
    client = signed_in_client(database).client
    seen: list[str] = []
    path: str | None = "/console/cold-chain?verdict=breach"
    sizes = []
    while path is not None:
        page = client.get(path)
        assert page.status_code == 200
        rows = rows_of(page.text)
        sizes.append(len(rows))
        seen += [source for _, source, _ in rows]
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        path = unescape(found.group(1)) if found else None
        if path:
            assert "verdict=breach" in path
    assert sizes == [50, 50, 20]
    assert seen == [f"LOG-{n} on container sscc:9506000.2000000002" for n in range(119, -1, -1)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"verdict": "within"}, "verdict: &#39;within&#39; is none of allowed_excursion, breach"),
        ({"verdict": "<b>x</b>"}, "verdict: &#39;&lt;b&gt;x&lt;/b&gt;&#39; is none of"),
        ({"page": "not-a-page"}, "page: &#39;not-a-page&#39; is not a page of this list"),
        ({"page": "9" * 70 + "-1"}, "is not a page of this list"),
        # an id no database integer holds
        ({"page": "1-" + "9" * 30}, "is not a page of this list"),
        ({"page": "1-" + "9" * 19}, "is not a page of this list"),
        ({"page": "-1--1"}, "is not a page of this list"),
    ],
)
def test_a_filter_not_understood_is_said_and_shows_nothing(
    database: Database, judged: dict[str, Judged], params: dict[str, str], message: str
) -> None:
    page = signed_in_client(database).client.get("/console/cold-chain", params=params)
    assert page.status_code == 400
    assert message in page.text
    assert rows_of(page.text) == []
    assert 'aria-invalid="true"' in page.text


def chart(client: TestClient, asked: str) -> etree._Element:
    answer = client.get("/console/cold-chain/chart.svg", params={"code": asked})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/svg+xml"
    return etree.fromstring(answer.content)


def test_the_consoles_chart_is_the_apis_under_the_session(database: Database) -> None:
    warm_trip(database)
    admin = signed_in_client(database).client
    drawn = chart(admin, code(3))
    assert drawn.find(f"{SVG}title").text == f"Temperature of unit (01){GTIN.value}(21)S00003"
    verdicts = [
        g.get("data-verdict") for g in drawn.iter(f"{SVG}g") if g.get("class") == "excursion-mark"
    ]
    assert verdicts == ["allowed", "breach"]
    # without a session: the sign-in page; of another party's unit: not found
    anonymous = TestClient(admin.app, base_url="http://127.0.0.1:8000")
    away = anonymous.get(
        "/console/cold-chain/chart.svg", params={"code": code(3)}, follow_redirects=False
    )
    assert (away.status_code, away.headers["location"].split("?")[0]) == (303, "/console/login")
    dist_b = signed_in_client(database, "distributor", "dist-b").client
    assert dist_b.get("/console/cold-chain/chart.svg", params={"code": code(3)}).status_code == 404
    for bad, status in (("", 400), ("x" * 2049, 400), ("(01)09506000134353(21)X", 400)):
        refused = admin.get("/console/cold-chain/chart.svg", params={"code": bad})
        assert refused.status_code in (status, 422), (bad, refused.status_code)
        assert "code:" in refused.text


def section(page: str) -> tuple[str, str, str | None]:
    """The cold chain section: its verdict, its headline, its chart's path."""
    found = re.search(
        r'<p id="cold-chain-verdict" data-verdict="([^"]+)"><span[^>]*>[^<]*</span> ([^<]*)</p>',
        page,
    )
    assert found is not None, "the page has no cold chain section"
    image = re.search(r'<img class="cold-chain-chart" id="cold-chain-chart" src="([^"]+)"', page)
    return found.group(1), unescape(found.group(2)), unescape(image.group(1)) if image else None


@pytest.mark.parametrize(
    ("path", "verdict", "headline", "charted"),
    [
        (
            f"/console/units/{GTIN.value}/S00003",
            "breach",
            "Breach: the storage conditions were not kept.",
            f"(01){GTIN.value}(21)S00003",
        ),
        (
            f"/console/units/{GTIN.value}/S00001",
            "allowed_excursion",
            "Out of 2 to 8 °C for 20 min in all, within the excursion the product allows.",
            f"(01){GTIN.value}(21)S00001",
        ),
        (
            f"/console/containers/{PALLET}",
            "allowed_excursion",
            "Out of 2 to 8 °C for 20 min in all, within the excursion the product allows.",
            PALLET_EPC,
        ),
        (f"/console/lots/{GTIN.value}/{LOT}", "breach", "1 of 10 units breached.", LOT_CODE),
    ],
)
def test_unit_container_and_lot_pages_show_their_cold_chain(
    database: Database, path: str, verdict: str, headline: str, charted: str
) -> None:
    warm_trip(database)
    client = signed_in_client(database).client
    page = client.get(path)
    assert page.status_code == 200
    shown = section(page.text)
    assert shown[:2] == (verdict, headline)
    assert shown[2] is not None
    assert shown[2].startswith("/console/cold-chain/chart.svg?code=")
    drawn = client.get(shown[2])
    assert drawn.headers["content-type"] == "image/svg+xml"
    assert client.get("/api/cold-chain", params={"code": charted}).status_code == 401


@pytest.mark.parametrize(
    ("conditions", "loggers", "verdict", "headline", "charted"),
    [
        (
            False,
            True,
            "none",
            "No storage conditions set for this product: its readings are "
            "shown, nothing is judged.",
            True,
        ),
        (False, False, "none", "No storage conditions set, and no readings.", False),
        (True, False, "none", "No readings: no logger measured where this unit was.", False),
        (True, True, "within", "Kept within 2 to 8 °C wherever it was measured.", True),
    ],
)
def test_a_unit_page_says_plainly_what_cannot_be_judged(
    database: Database,
    conditions: bool,
    loggers: bool,
    verdict: str,
    headline: str,
    charted: bool,
) -> None:
    steady_trip(database, conditions=conditions, loggers=loggers)
    page = signed_in_client(database).client.get(f"/console/units/{GTIN.value}/S00001")
    shown = section(page.text)
    assert shown[:2] == (verdict, headline)
    assert (shown[2] is not None) == charted


def test_a_distributor_sees_the_cold_chain_of_its_own_units(database: Database) -> None:
    warm_trip(database)
    pharmacy = signed_in_client(database, "distributor", "pharmacy-1").client
    assert section(pharmacy.get(f"/console/units/{GTIN.value}/S00003").text)[0] == "breach"
    verifier = signed_in_client(database, "verifier").client
    lot_page = verifier.get(f"/console/lots/{GTIN.value}/{LOT}")
    assert lot_page.status_code == 200
    assert 'id="cold-chain"' not in lot_page.text


def test_the_page_lists_what_judging_the_lot_recorded(database: Database) -> None:
    """End to end: the warm trip's lot judged as readings coming in judge it; the page lists
    what it recorded: the breach of unit 3's own logger (held) and the pallet's excursion,
    within the allowed band: allowed, though the units it covered breached later."""
    warm_trip(database)
    with database.unit_of_work() as uow:
        product_id, lot_id = uow.connection.execute(
            select(lots.c.product_id, lots.c.id)
            .join(products, products.c.id == lots.c.product_id)
            .where(products.c.gtin == GTIN.value, lots.c.lot == LOT)
        ).one()
        judge_lot(uow, product_id=product_id, lot_id=lot_id, actor=ADMIN)
        uow.commit()
    page = signed_in_client(database).client.get("/console/cold-chain")
    listed = {source: (verdict, peak) for verdict, source, peak in rows_of(page.text)}
    assert set(listed) == {SOURCES["unit 3"][1], SOURCES["pallet"][1]}
    assert listed[SOURCES["unit 3"][1]] == ("breach", "20.0")
    assert listed[SOURCES["pallet"][1]] == ("allowed_excursion", "11.0")
    (lot_row,) = lots_of(page.text)
    assert lot_row[:4] == ["Vitamin C", GTIN.value, LOT, "2"]
    assert "units held</span>" in page.text
