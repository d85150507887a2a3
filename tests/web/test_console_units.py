"""Finding a unit by its code and reading a distributor's page, in a real browser on the demo
data: the search box takes a pasted Digital Link (or a code read by the camera, where the
browser can) and lands on the unit's page; a distributor's user sees its own party's page and
no other."""

from __future__ import annotations

from typing import Any

from tests.web.console_browser import (
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    signed_in_page,
)
from unitrace.services.demo import demo_units

#: A camera and a barcode reader for a browser that has neither (headless Chromium on Linux):
#: the camera is a blank canvas, the reader "sees" the code the test puts in ``window.shown``.
FAKE_CAMERA = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code", "data_matrix", "ean_13"]); }
  constructor(options) { window.askedFormats = options.formats; }
  detect() { return Promise.resolve(window.shown ? [{rawValue: window.shown}] : []); }
};
Object.defineProperty(navigator, "mediaDevices", {value: {
  getUserMedia: () => {
    const canvas = document.createElement("canvas");
    canvas.getContext("2d").fillRect(0, 0, 10, 10);
    return Promise.resolve(canvas.captureStream(5));
  }
}});
"""


def test_a_pasted_digital_link_lands_on_the_units_page(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with site.database.unit_of_work(read_only=True) as uow:
        demo = demo_units(uow, site.base)
    assert demo is not None
    with signed_in_page(chromium, site, "admin") as page:
        # no barcode reader in this browser: the camera button stays hidden, the script is quiet
        assert page.evaluate("'BarcodeDetector' in window") is False
        assert page.locator("#console-scan").is_hidden()
        # a code that is no code: the reason beside the box, the code kept in it
        box = page.get_by_role("searchbox", name="Find a unit by its code")
        box.fill("(01)09506000134353(21)X1")
        page.get_by_role("button", name="Find", exact=True).click()
        assert page.get_by_role("alert").inner_text() == (
            "code: AI (01): check digit 2 expected, got 3"
        )
        assert box.input_value() == "(01)09506000134353(21)X1"
        assert box.get_attribute("aria-invalid") == "true"
        assert_accessible(page)
        box.fill(demo.genuine)
        page.get_by_role("button", name="Find", exact=True).click()
        page.wait_for_url(f"{site.base}/console/units/{demo.gtin}/{demo.serial}")
        assert page.locator("h1").inner_text() == f"Unit (01){demo.gtin}(21){demo.serial}"
        assert page.locator("[data-state]").inner_text() == "active"
        assert page.locator("[data-field=lot]").inner_text() == "L2611A"
        assert page.locator("[data-field=custodian]").inner_text() == (
            "Distributor A (Kuala Lumpur & Selangor)"
        )
        steps = page.locator("ol.timeline li strong").all_inner_texts()
        assert steps == ["shipping", "packing", "commissioning"]
        assert page.locator("ul.packing li").all_inner_texts() == [
            "case (01)19506000134359(21)C0002 (50 units inside)",
            "SSCC (00)095060001234567893 (500 units inside)",
        ]
        assert "This unit has never been scanned." in page.locator("main").inner_text()
        assert_accessible(page)
        # the custodian's page is one click away
        page.get_by_role("link", name="Distributor A (Kuala Lumpur & Selangor)").click()
        page.wait_for_url(f"{site.base}/console/parties/dist-a")


def test_a_code_read_by_the_camera_is_searched_for(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with site.database.unit_of_work(read_only=True) as uow:
        demo = demo_units(uow, site.base)
    assert demo is not None
    with signed_in_page(chromium, site, "dist-a") as page:
        page.add_init_script(FAKE_CAMERA)
        page.reload()
        scan = page.get_by_role("button", name="Scan with the camera")
        assert scan.is_visible()
        scan.click()
        dialog = page.get_by_role("dialog", name="Scan a code with the camera")
        assert dialog.is_visible()
        assert page.evaluate("window.askedFormats") == ["qr_code", "data_matrix"]
        assert_accessible(page)
        page.evaluate(f"window.shown = {demo.genuine!r}")
        page.wait_for_url(f"{site.base}/console/units/{demo.gtin}/{demo.serial}")
        assert page.locator("[data-state]").inner_text() == "active"


def test_a_distributors_user_sees_its_own_party_page_and_no_other(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with signed_in_page(chromium, site, "dist-a", then="/console") as page:
        page.get_by_role("link", name="Parties").click()
        page.wait_for_url(f"{site.base}/console/parties/dist-a")
        assert page.locator("h1").inner_text() == "Distributor A (Kuala Lumpur & Selangor)"
        assert page.locator("[data-field=territory]").inner_text() == "MY-14, MY-10"
        figures = {
            name: page.locator(f"[data-figure={name}]").inner_text()
            for name in ("units-held", "shipments", "open-alerts", "scans-outside")
        }
        assert figures == {
            "units-held": "700",
            "shipments": "2",
            "open-alerts": "1",
            "scans-outside": "1",
        }
        holdings = page.locator("table.holdings tbody tr").all_inner_texts()
        assert [row.split("\t")[2:] for row in holdings] == [
            ["L2611A", "500", "500"],
            ["L2611A", "200", "200"],
        ]
        areas = [
            row.split("\t")[:3] for row in page.locator("table.areas tbody tr").all_inner_texts()
        ]
        # the clone's scan in London is the one outside; the demo's weeks of sales are inside
        assert [row for row in areas if row[1] == "outside"] == [["GB-ENG", "outside", "1"]]
        assert {row[0] for row in areas if row[1] == "inside"} == {"MY-14", "MY-10"}
        assert_accessible(page)
        page.goto(f"{site.base}/console/parties/dist-b")
        assert page.locator("h1").inner_text() == "Not found"
        assert page.get_by_role("alert").inner_text() == "party: 'dist-b' is not registered"
