"""The verification page in a real browser (Debian's Chromium driven by Playwright), against
the running service: it shows the unit, shares the phone's location on consent, and breaks
no rule of its Content-Security-Policy, throws no JavaScript error and asks nothing of any
host but unitrace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.web.chromium import CHROMIUM, CHROMIUM_ARGUMENTS, free_port, serving, sync_api
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog, lifecycle
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.store.unit_of_work import Database

SYSTEM = Actor("test-setup", Role.ADMIN)
GTIN = "09506000134352"


def report_troubles(page: Any, troubles: list[str]) -> None:
    """Every console message and uncaught JavaScript error of ``page`` into ``troubles``."""
    page.on("console", lambda m: troubles.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda error: troubles.append(f"JavaScript error: {error}"))


@pytest.fixture
def service(database: Database) -> Iterator[str]:
    """The service, running on a free port of 127.0.0.1, its resolver base its own address."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(create_app(database, Settings(resolver_base=base)), port) as served:
        yield served


@pytest.fixture
def shipped_unit(database: Database, service: str) -> str:
    """The Digital Link URI of a unit shipped to a distributor in Kuala Lumpur."""
    with database.unit_of_work() as uow:
        catalog.register_product(
            uow, gtin=GTIN, name="Vitamin C 500 mg", company_prefix_length=7,
            target_markets=("MY",), actor=SYSTEM,
        )  # fmt: skip
        catalog.register_party(
            uow, id="dist-a", name="Distributor A", role="distributor", territory=("MY-14",),
            actor=SYSTEM,
        )  # fmt: skip
        catalog.register_lot(uow, gtin=GTIN, lot="L1", expiry=dt.date(2030, 6, 30), actor=SYSTEM)
        request = issue_serials(uow, gtin=GTIN, lot="L1", count=1, commission=True, actor=SYSTEM)
        (code,) = request_codes(uow, request.id)
        lifecycle.allocate(
            uow, party="dist-a", gtin=GTIN, lot="L1", seq_from=1, seq_to=1, actor=SYSTEM
        )
        uow.commit()
    return code.identity.digital_link(service)


def test_the_verification_page_works_under_its_policy_and_shares_the_location(
    service: str, shipped_unit: str
) -> None:
    troubles: list[str] = []
    elsewhere: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            context = browser.new_context(
                geolocation={"latitude": 3.139, "longitude": 101.6869},
                permissions=["geolocation"],
            )
            page = context.new_page()
            report_troubles(page, troubles)
            page.on(
                "response",
                lambda r: troubles.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on(
                "request",
                lambda r: (
                    None if urlsplit(r.url).hostname == "127.0.0.1" else elsewhere.append(r.url)
                ),
            )
            # a violation is reported on the document before any script of the page runs
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => console.error("
                "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
            )
            answer = page.goto(shipped_unit)
            assert answer is not None
            assert answer.status == 200
            assert page.locator("h1").inner_text() == "Authentic product"
            assert page.locator("section.verdict").get_attribute("data-verdict") == "genuine"
            # the style sheet applied: the verdict's colour comes from it alone
            assert (
                page.locator("section.verdict").evaluate("e => getComputedStyle(e).backgroundColor")
                == "rgb(27, 127, 59)"
            )
            first_message = page.locator("#message").inner_text()
            with page.expect_response(f"{service}/api/scans") as posted:
                page.locator("#share").click()
            assert posted.value.status == 200
            place = posted.value.json()["place"]
            page.locator("#share").filter(has_text="Thank you").wait_for(timeout=5000)
            shared = page.locator("#message").inner_text()
        finally:
            browser.close()
    assert troubles == []
    assert elsewhere == []
    # the second scan carried the phone's position, and the page shows its answer
    assert (place["city"], place["country"]) == ("Kuala Lumpur", "MY")
    assert first_message == "Authentic. First scan."
    assert shared.startswith("Authentic. Scanned 2 times; first scanned on ")


def test_the_front_door_verifies_a_code_typed_into_its_box(service: str, shipped_unit: str) -> None:
    """A person at ``/`` types the text under a barcode and lands on the unit's page."""
    elements = dict(parse_digital_link(shipped_unit).elements)
    gtin, serial = elements["01"], elements["21"]
    troubles: list[str] = []
    elsewhere: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page()
            report_troubles(page, troubles)
            page.on(
                "request",
                lambda r: (
                    None if urlsplit(r.url).hostname == "127.0.0.1" else elsewhere.append(r.url)
                ),
            )
            answer = page.goto(f"{service}/")
            assert answer is not None
            assert answer.status == 200
            assert page.locator("h1").inner_text() == "unitrace"
            page.locator("#code").fill(f"(01){gtin}(10)L1(21){serial}")
            page.locator("button[type=submit]").click()
            page.locator("section.verdict").wait_for(timeout=10000)
            landed = urlsplit(page.url).path
            headline = page.locator("h1").inner_text()
        finally:
            browser.close()
    assert troubles == []
    assert elsewhere == []
    # the resolver sends the browser on (307) to the unit's verification page, its default link
    assert landed == "/verify" + urlsplit(shipped_unit).path
    assert headline == "Authentic product"


@pytest.mark.skipif(
    TEST_DATABASE_URL is not None,
    reason="the documentation pages read no database: they are opened in the SQLite pass",
)
@pytest.mark.parametrize(
    ("path", "shown"),
    [
        # Swagger UI's heading names the API and its version; its operations are listed
        ("/docs", ".swagger-ui .info .title"),
        # ReDoc's heading names the API
        ("/redoc", "h1"),
    ],
)
def test_the_documentation_pages_work_with_no_network_beyond_the_machine(
    service: str, path: str, shown: str
) -> None:
    """``/docs`` and ``/redoc`` load everything they need from unitrace: with every request to
    another host refused, as on an offline packaging line, they render the API description."""
    troubles: list[str] = []
    elsewhere: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page()
            report_troubles(page, troubles)

            def only_this_machine(route: Any) -> None:
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort("internetdisconnected")

            page.route("**/*", only_this_machine)
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => console.error("
                "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
            )
            answer = page.goto(f"{service}{path}")
            assert answer is not None
            assert answer.status == 200
            heading = page.locator(shown).first
            heading.wait_for(timeout=20000)
            title = heading.inner_text()
            operations = page.get_by_text("/api/scans", exact=False).count()
        finally:
            browser.close()
    assert troubles == []
    assert elsewhere == []
    assert title.startswith("unitrace")
    assert operations > 0
