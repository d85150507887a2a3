"""Tracing in a real browser on the demo data, with a partner's assembly captured over EPCIS
(the demo's genuine unit made from another unit and a raw lot): from a unit's page to its
trace back (the genealogy graph, inputs on the left), then a lot forward from the trace form
(its three charts drawn over their tables); a distributor's user reaches only its own units."""

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
from unitrace.store.events import StoredEvent

LOT = "(01)09506000134352(10)L2611A"
RAW = "urn:epc:class:lgtin:0614141.012345.RAW-7"


def _assembled(site: ConsoleSite) -> tuple[str, str]:
    """The demo's genuine unit, assembled from another demo unit and the raw lot: its GTIN
    and serial."""
    with site.database.unit_of_work() as uow:
        demo = demo_units(uow, site.base)
        assert demo is not None
        other = uow.connection.exec_driver_sql(
            "SELECT serial FROM units WHERE serial <> ? ORDER BY serial LIMIT 1"
            if uow.connection.dialect.name == "sqlite"
            else "SELECT serial FROM units WHERE serial <> %s ORDER BY serial LIMIT 1",
            (demo.serial,),
        ).scalar_one()
        prefix = "urn:epc:id:sgtin:9506000.013435."
        uow.events.add_documents(
            [
                StoredEvent(
                    {
                        "eventID": "urn:uuid:6c1e0f6e-0000-4000-8000-00000000a551",
                        "type": "TransformationEvent",
                        "eventTime": "2026-01-05T08:00:00+00:00",
                        "eventTimeZoneOffset": "+00:00",
                        "bizStep": "assembling",
                        "inputEPCList": [prefix + other],
                        "inputQuantityList": [{"epcClass": RAW, "quantity": 2, "uom": "KGM"}],
                        "outputEPCList": [prefix + demo.serial],
                    },
                    recorded_by="partner",
                )
            ]
        )
        uow.commit()
    return demo.gtin, demo.serial


def test_a_unit_traced_back_and_its_lot_forward(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    gtin, serial = _assembled(site)
    with signed_in_page(chromium, site, "admin", then=f"/console/units/{gtin}/{serial}") as page:
        page.get_by_role("link", name="Trace this unit").click()
        page.wait_for_url("**/console/trace?*")
        assert page.locator("#subject").get_attribute("data-kind") == "unit"
        graph = page.get_by_role("img", name=f"What went into (01){gtin}(21){serial}")
        boxes = graph.locator("g[data-kind]")
        assert boxes.count() == 3
        # the inputs on the left, the unit on the right
        subject = graph.locator("g[data-subject] rect").bounding_box()
        inputs = [boxes.nth(n).locator("rect").bounding_box() for n in range(2)]
        assert subject is not None
        assert all(box is not None for box in inputs)
        assert all(box["x"] < subject["x"] for box in inputs if box is not None)
        assert page.locator("#timeline li").count() >= 3
        assert_accessible(page)

        page.get_by_role("textbox", name="Code to trace").fill(LOT)
        page.get_by_label("Direction").select_option("forward")
        page.get_by_role("button", name="Trace", exact=True).click()
        page.wait_for_url("**/console/trace?*")
        assert page.locator("#units-count").inner_text() == "1,000"
        page.wait_for_selector("figure[data-chart-state=drawn] >> nth=2")
        drawn = page.locator("figure[data-chart]").evaluate_all(
            "figures => figures.map(f => [f.id, f.dataset.chartState])"
        )
        assert drawn == [["by-custodian", "drawn"], ["by-state", "drawn"], ["by-region", "drawn"]]
        assert page.locator("#containers li").count() == 11
        assert_accessible(page)


def test_a_distributors_user_traces_only_its_own_units(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with signed_in_page(chromium, site, "dist-a", then=f"/console/trace?code={LOT}") as page:
        assert page.locator("#units-count").inner_text() == "500"
        assert page.locator("#by-custodian table td").all_inner_texts() == ["dist-a", "500"]
