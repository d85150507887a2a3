"""The overview and the scans map in a real browser: the figures, the chart and the maps drawn
from them, a period chosen, a distributor's user held to its own units."""

from __future__ import annotations

from typing import Any

from tests.web.console_browser import (
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    signed_in_page,
)


def test_a_manager_reads_the_overview_and_the_map(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    with signed_in_page(chromium, console_site, "admin") as page:
        total = int(page.locator("#scans-total").inner_text().replace(",", ""))
        assert total > 250
        page.locator("#daily[data-chart-state=drawn]").wait_for()
        page.locator("#first-scans [data-map-state=drawn]").wait_for()
        # first scans shade Malaysia's and Singapore's regions
        shaded = page.locator("#first-scans [data-area]").evaluate_all(
            "areas => areas.map(a => a.dataset.area)"
        )
        assert {"MY-14", "MY-10"} <= set(shaded)
        assert page.locator("#alerts-by-type tbody tr").all_inner_texts() == [
            "Grey market\t2",
            "Clone\t1",
        ]
        assert_accessible(page)
        page.get_by_role("link", name="Last 7 days").click()
        page.wait_for_url("**/console?days=7")
        week = int(page.locator("#scans-total").inner_text().replace(",", ""))
        assert 0 < week < total
        page.get_by_role("link", name="Scans", exact=True).click()
        page.wait_for_url("**/console/scans")
        page.locator("[data-map-state=drawn]").wait_for()
        points = page.locator("[data-point]").count()
        assert points > 100
        page.get_by_label("Verdict").select_option("counterfeit")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(lambda url: "verdict=counterfeit" in url)
        counterfeit = int(page.locator("#scans-total").inner_text().replace(",", ""))
        assert 0 < counterfeit < total
        assert set(page.locator("#latest .badge").all_inner_texts()) == {"counterfeit"}
        assert_accessible(page)


def test_a_distributors_user_sees_its_own_figures(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    with signed_in_page(chromium, console_site, "dist-b") as page:
        # Distributor B's one scanned unit: the demo's grey-market scan in Kuala Lumpur
        assert page.locator("#scans-total").inner_text() == "1"
        assert page.locator("#share-suspicious").inner_text() == "100.0 %"
        assert page.get_by_label("Distributor").count() == 0
        assert page.locator("#custodians tbody tr").all_inner_texts() == [
            "Distributor B (Singapore)\t1\t1\t0\t1"
        ]
