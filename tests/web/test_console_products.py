"""The console's products and lots in a real browser, on the demo data: an admin tightens a
product's detection rules (refused first, beside the rule, then saved) and the API reads them
back; a lot's units by state and by custodian as the demo made them, for the brand and for
Distributor A."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.web.console_browser import (
    SYSTEM,
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    signed_in_page,
)
from unitrace.services.tokens import create_token

VITAMIN = "09506000134352"
TIMES = "\N{MULTIPLICATION SIGN}"


def cells(page: Any, table: str) -> list[list[str]]:
    """The text of each cell of each body row of the table ``table`` (a CSS selector)."""
    rows = page.locator(f"{table} tbody tr")
    return [
        [cell.strip() for cell in rows.nth(row).locator("td, th").all_inner_texts()]
        for row in range(rows.count())
    ]


def api_product(site: ConsoleSite, gtin: str) -> dict[str, Any]:
    with site.database.unit_of_work() as uow:
        token = create_token(uow, role="admin", actor=SYSTEM)
        uow.commit()
    asked = urllib.request.Request(
        f"{site.base}/api/products/{gtin}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(asked, timeout=10) as answer:
        found: dict[str, Any] = json.load(answer)
    return found


def test_an_admin_sets_a_products_detection_rules_and_the_api_agrees(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    with signed_in_page(chromium, console_site, "admin", then="/console/products") as page:
        listed = cells(page, "table#products")
        assert [row[:2] + row[3:5] for row in listed] == [
            [gtin, name, "2,000", f"1 in 5.76 {TIMES} 10¹⁴"]
            for gtin, name in (
                (VITAMIN, "Vitamin C 500 mg, 60 tablets"),
                ("09506000134369", "Omega-3 fish oil 1000 mg, 90 capsules"),
                ("09506000134376", "Zinc + D3 lozenges, 30"),
            )
        ]
        assert_accessible(page)
        page.get_by_role("link", name=VITAMIN).click()
        page.wait_for_url(f"{console_site.base}/console/products/{VITAMIN}")
        assert page.locator("#units-issued").inner_text() == "2,000"
        page.get_by_label("Most clients").fill("8")
        page.get_by_label("Scanned before shipping").select_option("off")
        page.get_by_label("Scans looked at").fill("0")
        page.get_by_role("button", name="Save the detection rules").click()
        # refused beside the rule, what was typed kept, nothing saved
        assert page.locator("#rule-history-error").inner_text() == (
            "detection_rules.history: 0 is not a whole number from 1 to 1,000"
        )
        assert page.get_by_label("Most clients").input_value() == "8"
        assert api_product(console_site, VITAMIN)["own_detection_rules"] == {}
        assert_accessible(page)
        page.get_by_label("Scans looked at").fill("20")
        page.get_by_role("button", name="Save the detection rules").click()
        assert page.get_by_role("status").inner_text() == "The detection rules were saved."
        assert page.get_by_label("Scans looked at").input_value() == "20"
        answer = api_product(console_site, VITAMIN)
        assert answer["own_detection_rules"] == {
            "max_clients": 8,
            "history": 20,
            "before_shipping": False,
        }
        assert answer["detection_rules"]["max_speed_kmh"] == 900.0


def test_a_lot_shows_the_demos_units_by_state_and_custodian_to_each_as_it_may(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    lot = f"/console/lots/{VITAMIN}/L2611A"
    with signed_in_page(
        chromium, console_site, "verifier", then=f"/console/products/{VITAMIN}"
    ) as page:
        page.get_by_role("link", name="L2611A").click()
        page.wait_for_url(f"{console_site.base}{lot}")
        assert page.locator("#lot-units").inner_text() == "1,000"
        assert cells(page, "#units-by-state") == [
            ["active", "997", "99.7%"],
            ["destroyed", "3", "0.3%"],
        ]
        assert cells(page, "#units-by-custodian") == [
            ["Distributor A (Kuala Lumpur & Selangor)", "500", "50.0%"],
            ["Distributor B (Singapore)", "300", "30.0%"],
            ["brand (not shipped)", "150", "15.0%"],
            ["Bangsar Community Pharmacy", "50", "5.0%"],
        ]
        assert page.locator("#lot-scans-30-days").inner_text() == (
            "3 scans in the last 30 days (UTC): 1 genuine 2 suspicious"
        )
        # the demo's three scans, newest first: the clone's trail, then the grey-market scan
        scans = cells(page, "#lot-scans")
        assert [(row[1], row[3]) for row in scans] == [
            ("suspicious", "London, GB-ENG, GB"),
            ("genuine", "Kuala Lumpur, MY-14, MY"),
            ("suspicious", "Kuala Lumpur, MY-14, MY"),
        ]
        assert page.get_by_role("link", name="Distributor B (Singapore)").get_attribute("href") == (
            "/console/parties/dist-b"
        )
        assert_accessible(page)
    with signed_in_page(chromium, console_site, "dist-a", then=lot) as page:
        assert cells(page, "#units-by-state") == [["active", "500", "100.0%"]]
        assert cells(page, "#units-by-custodian") == [
            ["Distributor A (Kuala Lumpur & Selangor)", "500", "100.0%"]
        ]
        # the clone's two scans are of its unit; the grey-market scan is of Distributor B's
        assert len(cells(page, "#lot-scans")) == 2
        assert page.locator("#lot-scans-30-days").inner_text() == (
            "2 scans in the last 30 days (UTC): 1 genuine 1 suspicious"
        )
        assert_accessible(page)
        page.goto(f"{console_site.base}/console/lots/{VITAMIN}/L2612B")
        assert page.locator("main h1").inner_text() == "Not found"
