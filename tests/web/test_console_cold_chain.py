"""The cold chain in a real browser, on the cold chain's trip with its excursions judged: the
admin follows the navigation to the excursions page, filters it to the breaches, opens unit 3's
page and sees its verdict over a chart that loads; a distributor's user sees only the
excursions of what its party holds or held."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.cold_chain_pictures import warm_trip
from tests.api.test_console_cold_chain import SOURCES, excursions
from tests.web.console_browser import (
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    serving_console,
    signed_in_page,
)
from unitrace.store.unit_of_work import Database

UNIT_3 = "/console/units/09506000134352/S00003"


@pytest.fixture
def cold_chain_site(database: Database) -> Iterator[ConsoleSite]:
    """The service on a free port, on the warm trip with its excursions judged."""
    warm_trip(database)
    excursions(database)
    with serving_console(database) as site:
        yield site


def sources(page: Any) -> list[str]:
    return [
        text.strip()
        for text in page.locator("#cold-chain-excursions tbody td:nth-child(3)").all_inner_texts()
    ]


def test_the_excursions_filtered_and_a_units_chart(
    chromium: Any,  # noqa: F811
    cold_chain_site: ConsoleSite,
) -> None:
    with signed_in_page(chromium, cold_chain_site, "admin") as page:
        page.get_by_role("link", name="Cold chain").click()
        page.wait_for_url("**/console/cold-chain")
        assert len(sources(page)) == 6
        assert page.locator("#cold-chain-lots tbody tr").count() == 1
        assert_accessible(page)
        page.get_by_label("Verdict").select_option("breach")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/console/cold-chain?verdict=breach")
        assert sources(page)[0] == SOURCES["unit 3"][1]
        assert len(sources(page)) == 3
        assert set(
            page.locator("#cold-chain-excursions tbody tr").evaluate_all(
                "rows => rows.map(row => row.dataset.verdict)"
            )
        ) == {"breach"}
        page.get_by_role("link", name=SOURCES["unit 3"][1]).click()
        page.wait_for_url(f"**{UNIT_3}")
        assert page.locator("#cold-chain-verdict").get_attribute("data-verdict") == "breach"
        chart = page.locator("#cold-chain-chart")
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => { const img = document.getElementById('cold-chain-chart');"
            " return img.complete && img.naturalWidth > 0; }"
        )
        assert chart.evaluate("img => img.naturalWidth") > 0
        assert_accessible(page)


def test_a_distributor_sees_only_its_own(
    chromium: Any,  # noqa: F811
    cold_chain_site: ConsoleSite,
) -> None:
    with signed_in_page(chromium, cold_chain_site, "dist-b", then="/console/cold-chain") as page:
        assert sources(page) == [SOURCES["dist-b's place"][1]]
        assert_accessible(page)
