"""The console's party pages, through the test client on the demo data: the admin's list of
every party, and a distributor's accountability at a glance, with the API's rule for who may
see it (a distributor's user gets 404 for another party's page, the line and verifier 403)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.api import console_demo
from tests.api.console_demo import GTIN, text_of
from unitrace.services import party_accountability

# the demo and its signed-in clients, once for the module
demo = console_demo.demo
signed_in = console_demo.signed_in


def figures_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', page))


def test_the_admin_lists_every_party_with_what_it_holds_and_its_open_alerts(
    signed_in: Callable[[str], TestClient],
) -> None:
    answer = signed_in("admin").get("/console/parties")
    assert answer.status_code == 200
    rows = [
        [cell.strip() for cell in text_of(row, r"<td[^>]*>(.*?)</td>")]
        for row in re.findall(r"<tr data-party=.*?</tr>", answer.text, re.DOTALL)
    ]
    assert rows == [
        ["Distributor A (Kuala Lumpur &amp; Selangor) dist-a", "distributor", "9520123456788",
         "MY-14, MY-10", "700", "1"],
        ["Distributor B (Singapore) dist-b", "distributor", "—", "SG", "300", "1"],
        ["Bangsar Community Pharmacy pharmacy-bangsar", "pharmacy", "—", "MY-14", "50", "0"],
        ["Sunrise Nutrition Sdn Bhd sunrise", "brand", "9506000000008", "—", "0", "0"],
    ]  # fmt: skip
    territory = json.loads(re.findall(r'type="application/json">(.*?)</script>', answer.text)[0])
    assert territory == {"territory": ["MY-10", "MY-14", "SG"]}


@pytest.mark.parametrize(
    ("page", "status", "message"),
    [
        ("0", 400, "page: '0' is not a page number"),
        ("two", 400, "page: 'two' is not a page number"),
        ("99999999999", 400, "is not a page number"),
        ("2", 404, "page: there are 1 pages of parties, not 2"),
    ],
)
def test_a_page_of_parties_out_of_range_is_a_page_saying_so(
    signed_in: Callable[[str], TestClient], page: str, status: int, message: str
) -> None:
    answer = signed_in("admin").get("/console/parties", params={"page": page})
    assert answer.status_code == status
    assert message in answer.text.replace("&#39;", "'")


def test_a_distributors_page_is_its_accountability_at_a_glance(
    signed_in: Callable[[str], TestClient],
) -> None:
    answer = signed_in("admin").get("/console/parties/dist-a")
    assert answer.status_code == 200
    page = answer.text
    assert text_of(page, r"<h1>(.*?)</h1>") == ["Distributor A (Kuala Lumpur &amp; Selangor)"]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', page) == ["/console/parties"]
    assert figures_of(page) == {
        "units-held": "700",
        "shipments": "2",
        "units-received": "700 units sent to it",
        "open-alerts": "1",
        "scans-outside": "1",
    }
    party_map = json.loads(re.findall(r'type="application/json">(.*?)</script>', page)[0])
    assert party_map["territory"] == ["MY-14", "MY-10"]
    # the clone's scans (Kuala Lumpur, then London) and the demo's weeks of sales in Kuala Lumpur
    # and Selangor, every one of them placed
    assert party_map["areas"]["GB-ENG"] == 1
    assert set(party_map["areas"]) == {"GB-ENG", "MY-14", "MY-10"}
    assert sum(party_map["areas"].values()) == _scans_of_units_held_by_dist_a(signed_in)
    assert [(p["lat"], p["lon"]) for p in party_map["points"]] == [(51.5072, -0.1276)]
    rows = [
        text_of(row, r"<td[^>]*>(.*?)</td>")
        for row in re.findall(r"<tr data-area=.*?</tr>", page, re.DOTALL)
    ]
    assert [row for row in rows if row[1] == "outside"] == [
        ["GB-ENG", "outside", "1", "suspicious 1"]
    ]
    assert {row[0] for row in rows if row[1] == "inside"} == {"MY-14", "MY-10"}
    holdings = text_of(page, r'<table class="data holdings">.*?<tbody>(.*?)</tbody>')[0]
    assert holdings == (
        f"Vitamin C 500 mg, 60 tablets {GTIN} L2611A 500 500 "
        "Omega-3 fish oil 1000 mg, 90 capsules 09506000134369 L2611A 200 200"
    )
    assert f'<a href="/console/lots/{GTIN}/L2611A">' in page
    alerts = re.findall(r'<a href="/console/alerts/(\d+)">#\d+</a>', page)
    assert len(alerts) == 1
    unit = re.findall(r'<table class="data alerts">.*?<a href="(/console/units/[^"]+)"', page, re.S)
    outside = text_of(page, r'<table class="data outside">.*?<tbody>(.*?)</tbody>')[0]
    assert ("London, GB-ENG, GB" in outside, "lot L2611A" in outside) == (True, True)
    assert [path.startswith(f"/console/units/{GTIN}/") for path in unit] == [True]


@pytest.mark.parametrize(
    ("user", "path", "status", "location"),
    [
        ("admin", "/console/parties/dist-b", 200, None),
        ("dist-a", "/console/parties", 303, "/console/parties/dist-a"),
        ("dist-a", "/console/parties/dist-a", 200, None),
        ("dist-a", "/console/parties/dist-b", 404, None),
        ("dist-a", "/console/parties/sunrise", 404, None),
        ("dist-b", "/console/parties/dist-a", 404, None),
        ("line", "/console/parties", 403, None),
        ("line", "/console/parties/dist-a", 403, None),
        ("verifier", "/console/parties/dist-a", 403, None),
        ("admin", "/console/parties/nobody", 404, None),
        ("admin", "/console/parties/" + quote("<script>"), 404, None),
        ("admin", "/console/parties/" + "x" * 300, 404, None),
    ],
)
def test_who_may_open_a_party_page(
    signed_in: Callable[[str], TestClient],
    user: str,
    path: str,
    status: int,
    location: str | None,
) -> None:
    answer = signed_in(user).get(path)
    assert answer.status_code == status
    assert answer.headers.get("location") == location
    if status == 404:
        # another party's page says no more than an unknown party's
        message = text_of(answer.text, r'<p class="error" role="alert">(.*?)</p>')[0]
        assert (message[:7], message[-17:]) == ("party: ", "is not registered")
        assert "Distributor" not in answer.text.split('id="content"')[1]
        assert "<script>" not in message


def test_a_distributors_user_sees_its_own_territory_and_holdings(
    signed_in: Callable[[str], TestClient],
) -> None:
    page = signed_in("dist-b").get("/console/parties/dist-b").text
    assert figures_of(page) == {
        "units-held": "300",
        "shipments": "1",
        "units-received": "300 units sent to it",
        "open-alerts": "1",
        "scans-outside": "1",
    }
    party_map = json.loads(re.findall(r'type="application/json">(.*?)</script>', page)[0])
    assert (party_map["territory"], party_map["areas"]) == (["SG"], {"MY-14": 1})


def test_where_units_were_scanned_is_read_from_the_latest_scans_and_the_page_says_so(
    signed_in: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the demo logs three scans: dist-b's unit in Kuala Lumpur, then dist-a's in Kuala
    # Lumpur and in London; a window of two reads dist-a's alone
    monkeypatch.setattr(party_accountability, "SCAN_WINDOW", 2)
    page = signed_in("admin").get("/console/parties/dist-a").text
    party_map = json.loads(re.findall(r'type="application/json">(.*?)</script>', page)[0])
    assert party_map["areas"] == {"GB-ENG": 1, "MY-14": 1}
    assert "Among the latest 2 scans of all units." in page
    monkeypatch.setattr(party_accountability, "SCAN_WINDOW", 1)
    page = signed_in("admin").get("/console/parties/dist-a").text
    party_map = json.loads(re.findall(r'type="application/json">(.*?)</script>', page)[0])
    assert party_map["areas"] == {"GB-ENG": 1}
    assert figures_of(page)["scans-outside"] == "1"
    assert "Among the latest 1 scans of all units." in page
    page = signed_in("admin").get("/console/parties/dist-b").text
    party_map = json.loads(re.findall(r'type="application/json">(.*?)</script>', page)[0])
    assert (party_map["areas"], figures_of(page)["scans-outside"]) == ({}, "0")


def _scans_of_units_held_by_dist_a(signed_in: Callable[[str], TestClient]) -> int:
    """The scans in the log of units Distributor A holds (its second product's, and the first
    product's on its pallet)."""
    from sqlalchemy import func, select

    from unitrace.store.schema import scans, units

    database = signed_in("admin").app.state.database  # type: ignore[attr-defined]
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(
                select(func.count())
                .select_from(scans)
                .join(
                    units,
                    (units.c.product_id == scans.c.product_id) & (units.c.serial == scans.c.serial),
                )
                .where(units.c.custodian_id == "dist-a")
            ).scalar_one()
        )
