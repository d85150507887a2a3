"""The console's overview and scans map over HTTP, on the demo data: the figures shown equal
the scan log's own counts, filters narrow them, a distributor's user sees its units' scans
only, and a filter that is not one is named beside its field with no figures shown."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api.console_demo import Demo, demo, signed_in, text_of  # noqa: F401
from unitrace.services.demo import PRODUCTS
from unitrace.store.schema import scans
from unitrace.store.unit_of_work import Database

TODAY = dt.datetime.now(dt.UTC).date()
#: the demo's second product: every unit of it scanned is Distributor A's
HELD_BY_DIST_A = PRODUCTS[1][0]


def _log_counts(demo: Demo, *, days: int = 30, **where: str) -> dict[str, int]:  # noqa: F811
    """Scans by verdict in the scan log itself, over the last ``days`` days."""
    database: Database = demo.app.state.database
    since = dt.datetime.combine(TODAY - dt.timedelta(days=days - 1), dt.time(), dt.UTC)
    query = select(scans.c.verdict, func.count()).where(scans.c.at >= since)
    for column, value in where.items():
        query = query.where(scans.c[column] == value)
    with database.unit_of_work(read_only=True) as uow:
        return dict(uow.connection.execute(query.group_by(scans.c.verdict)).all())  # type: ignore[arg-type]


def _figure(page: str, name: str) -> str:
    (found,) = text_of(page, rf'id="{name}">(.*?)</div>')
    return found


def test_the_overview_shows_the_scan_logs_own_counts(
    signed_in: Callable[[str], TestClient],  # noqa: F811
    demo: Demo,  # noqa: F811
) -> None:
    page = signed_in("admin").get("/console")
    assert page.status_code == 200
    logged = _log_counts(demo)
    total = sum(logged.values())
    assert total > 250  # the demo's history
    assert _figure(page.text, "scans-total") == f"{total:,}"
    share = 100 * logged["counterfeit"] / total
    assert _figure(page.text, "share-counterfeit") == f"{share:.1f} %"
    assert text_of(page.text, r'<section class="card" id="alerts-by-type">.*?<tbody>(.*?)</tbody>') == [
        "Grey market 2 Clone 1"
    ]  # fmt: skip
    products = text_of(page.text, r'id="top-products">.*?<tbody>(.*?)</tbody>')[0]
    held = sum(_log_counts(demo, gtin=HELD_BY_DIST_A).values())
    assert f"Omega-3 fish oil 1000 mg, 90 capsules {HELD_BY_DIST_A} {held:,}" in products
    assert "chart.umd.min.js" in page.text
    assert page.text.count('data-chart="stacked-bars"') == 1


@pytest.mark.parametrize(
    ("query", "where", "days"),
    [
        ("verdict=counterfeit", {"verdict": "counterfeit"}, 30),
        (f"gtin={HELD_BY_DIST_A}", {"gtin": HELD_BY_DIST_A}, 30),
        ("days=7", {}, 7),
        ("days=365&verdict=genuine", {"verdict": "genuine"}, 365),
    ],
)
def test_filters_narrow_the_figures(
    signed_in: Callable[[str], TestClient],  # noqa: F811
    demo: Demo,  # noqa: F811
    query: str,
    where: dict[str, str],
    days: int,
) -> None:
    page = signed_in("admin").get(f"/console?{query}")
    assert page.status_code == 200
    total = sum(_log_counts(demo, days=days, **where).values())
    assert _figure(page.text, "scans-total") == f"{total:,}"
    first = TODAY - dt.timedelta(days=days - 1)
    assert f"{first} to {TODAY} (UTC)" in page.text


def test_a_distributors_user_sees_its_own_units_scans_only(
    signed_in: Callable[[str], TestClient],  # noqa: F811
    demo: Demo,  # noqa: F811
) -> None:
    page = signed_in("dist-a").get("/console?custodian=dist-b")
    assert page.status_code == 200
    # Distributor A's: the second product's history, and the demo's cloned unit (scanned in
    # Kuala Lumpur and London, Distributor A's since its pallet was shipped)
    held = sum(_log_counts(demo, gtin=HELD_BY_DIST_A).values())
    cloned = sum(_log_counts(demo, serial=demo.units[2].serial).values())
    assert _figure(page.text, "scans-total") == f"{held + cloned:,}"
    assert 'name="custodian"' not in page.text
    assert "Distributor B" not in page.text
    scans_page = signed_in("dist-a").get("/console/scans")
    assert f'id="scans-total">{held + cloned:,}<' in scans_page.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("days=0", "days", "days: '0' is not a number of days from 1 to 366"),
        ("days=abc", "days", "days: 'abc' is not a number of days from 1 to 366"),
        ("days=99999999999", "days", "days: at most 8 characters"),
        ("from=2026-02-30", "from", "from: '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("from=2026-03-02&to=2026-03-01", "to", "period: 2026-03-02 is after 2026-03-01"),
        ("from=2024-01-01&to=2026-01-01", "to", "period: 2024-01-01 to 2026-01-01 is 732 days; at most 366"),
        ("verdict=bogus", "verdict", "verdict: 'bogus' is not one of genuine, suspicious, counterfeit, recalled, expired, inactive"),
        ("gtin=09506000134353", "gtin", "gtin: "),
        ("lot=<script>alert(1)</script>x", "lot", "lot: at most 20 characters"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("path", ["/console", "/console/scans"])
def test_a_filter_that_is_not_one_is_named_beside_its_field(
    signed_in: Callable[[str], TestClient],  # noqa: F811
    path: str,
    query: str,
    field: str,
    message: str,
) -> None:
    page = signed_in("admin").get(f"{path}?{query}")
    assert page.status_code == 400
    errors = dict(
        re.findall(r'<(?:span|p) class="field-error" id="([a-z]+)-error">(.*?)</', page.text)
    )
    assert list(errors) == [field]
    assert html.unescape(errors[field]).startswith(message)
    assert 'id="scans-total"' not in page.text
    assert "<script>alert(1)</script>" not in page.text


def test_the_scans_map_places_every_scan_and_shows_the_latest_points(
    signed_in: Callable[[str], TestClient],  # noqa: F811
    demo: Demo,  # noqa: F811
) -> None:
    page = signed_in("admin").get("/console/scans?verdict=genuine")
    assert page.status_code == 200
    total = _log_counts(demo)["genuine"]
    assert f'id="scans-total">{total:,}<' in page.text
    by_country = text_of(page.text, r'id="by-country">.*?<tbody>(.*?)</tbody>')[0].split()
    counted = {
        by_country[i]: int(by_country[i + 1].replace(",", "")) for i in range(0, len(by_country), 3)
    }
    assert sum(counted.values()) == total
    assert set(counted) <= {"MY", "SG", "GB", "unknown"}
    latest = text_of(page.text, r'id="latest">.*?<tbody>(.*?)</tbody>')[0]
    assert latest.count("genuine") == 20
    assert "suspicious" not in latest
