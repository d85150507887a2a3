"""Recalls in a real browser on the demo data: the admin traces a lot, follows "recall what
it reaches", sees the affected count, confirms, and lands on the progress page with its bars
and map drawn; a distributor's user sees the recall with its own line only."""

from __future__ import annotations

from typing import Any

from tests.web.console_browser import (
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    signed_in_page,
)

LOT = "(01)09506000134352(10)L2611A"


def test_a_recall_from_a_trace_to_its_progress(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with signed_in_page(chromium, site, "admin", then=f"/console/trace?code={LOT}") as page:
        page.locator("#recall-from-trace").click()
        page.wait_for_url("**/console/recalls?*")
        assert page.get_by_label("Code from a trace").input_value() == LOT
        page.get_by_label("Reason").fill("Label misprint")
        page.get_by_label("Instructions to parties and consumers").fill("Return every pack")
        page.get_by_role("button", name="Count the affected units").click()
        assert page.locator("#affected-preview").inner_text() == "1,000 units will be recalled."
        assert_accessible(page)
        page.get_by_role("button", name="Confirm the recall of 1,000 units").click()
        page.wait_for_url("**/console/recalls/1")
        assert page.locator("#affected-count").inner_text() == "1,000"
        page.wait_for_selector("figure[data-chart-state=drawn]")
        page.wait_for_selector("#units-out[data-map-state=drawn]")
        parties = page.locator("#parties tbody th").all_inner_texts()
        assert parties == ["dist-a", "dist-b", "pharmacy-bangsar"]
        assert_accessible(page)
    with signed_in_page(chromium, site, "dist-b", then="/console/recalls") as page:
        assert page.locator("#recalls tbody td a").all_inner_texts() == ["Recall 1"]
        page.locator("#recalls tbody td a").click()
        page.wait_for_url("**/console/recalls/1")
        assert page.locator("#parties tbody th").all_inner_texts() == ["dist-b"]
        assert page.locator("#affected-count").inner_text() == "300"
        assert_accessible(page)
