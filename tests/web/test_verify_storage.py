"""The verification page in a real browser says the product's storage conditions, in words,
under the product, once the brand has set them."""

from __future__ import annotations

from tests.web.chromium import CHROMIUM, CHROMIUM_ARGUMENTS, sync_api
from tests.web.test_browser import GTIN, SYSTEM, report_troubles, service, shipped_unit
from unitrace.services.cold_chain.conditions import set_conditions
from unitrace.store.unit_of_work import Database

__all__ = ["service", "shipped_unit"]  # the fixtures, used here


def test_the_verification_page_shows_the_storage_conditions(
    database: Database, service: str, shipped_unit: str
) -> None:
    with database.unit_of_work() as uow:
        set_conditions(
            uow,
            gtin=GTIN,
            min_c=2,
            max_c=8,
            excursion={"min_c": 0, "max_c": 25, "max_minutes": 120},
            actor=SYSTEM,
        )
        uow.commit()
    troubles: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page()
            report_troubles(page, troubles)
            answer = page.goto(shipped_unit)
            assert answer is not None
            shown = page.locator("#storage")
            storage = shown.inner_text()
            label = page.locator("dt", has_text="Storage").count()
        finally:
            browser.close()
    assert troubles == []
    assert storage == (
        "Store at 2 °C to 8 °C. Down to 0 °C and up to 25 °C is allowed for 2 hours at most."
    )
    assert label == 1
