"""The console's product and lot pages: who sees which products, lots and units; the figures
they show; an admin's edit of a product's detection rules, checked as the API checks it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.console_catalog_world import (
    VITAMIN,
    ZINC,
    SignIn,
    anonymous,
    catalog_world,
    console_app,
    field_errors,
    form_token,
    page_text,
    quick_passwords,
    sign_in,
    table_rows,
)
from unitrace.services.catalog import get_product
from unitrace.store.unit_of_work import Database

__all__ = ["anonymous", "catalog_world", "console_app", "quick_passwords", "sign_in"]  # fixtures

Headers = dict[str, str]
TIMES = "\N{MULTIPLICATION SIGN}"


@pytest.mark.parametrize(
    ("user", "rows"),
    [
        # GTIN, name, serial format, issued, guess probability, room, links
        ("admin", [[VITAMIN, "Vitamin C 500 mg", "10"], [ZINC, "Zinc lozenges", "5"]]),
        ("line", [[VITAMIN, "Vitamin C 500 mg", "10"], [ZINC, "Zinc lozenges", "5"]]),
        ("verifier", [[VITAMIN, "Vitamin C 500 mg", "10"], [ZINC, "Zinc lozenges", "5"]]),
        # GTIN, name, serial format, units the party holds, links
        ("dist-a", [[VITAMIN, "Vitamin C 500 mg", "4"]]),
        ("dist-b", [[VITAMIN, "Vitamin C 500 mg", "2"]]),
    ],
)
def test_the_product_list_shows_each_role_its_products(
    sign_in: SignIn, user: str, rows: list[list[str]]
) -> None:
    answer = sign_in(user).get("/console/products")
    assert answer.status_code == 200
    shown = table_rows(answer.text, "products")
    assert [[row[0], row[1], row[3]] for row in shown] == rows
    text = page_text(answer.text)
    brand = user in ("admin", "line", "verifier")
    # the brand's figures, and only for the brand's people
    assert ("Guess probability" in text, f"1 in 1.15 {TIMES} 10¹⁷" in text) == (brand, brand)
    assert shown[0][2] == f"12 characters from 32 (1.15 {TIMES} 10¹⁸ possible)"


def test_the_product_page_shows_its_figures_lots_and_rules_to_the_brand(
    sign_in: SignIn,
) -> None:
    answer = sign_in("line").get(f"/console/products/{VITAMIN}")
    text = page_text(answer.text)
    assert answer.status_code == 200
    assert "10 units issued, for all time" in text
    assert f"1 in 1.15 {TIMES} 10¹⁷ guess probability (limit 1 in 10,000)" in text
    assert f"1.15 {TIMES} 10¹⁴ serials still to issue within the limit" in text
    assert f'href="/console/lots/{VITAMIN}/L1"' in answer.text
    # read-only for a line user: the rules applied, no form
    assert 'action="/console/products/' not in answer.text
    assert '<span data-rule="max_clients">5</span>' in answer.text
    assert '<span data-rule="max_speed_kmh">900</span>' in answer.text


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("dist-a", f"/console/products/{VITAMIN}", 200),
        ("dist-a", f"/console/products/{ZINC}", 404),  # it holds none of it
        ("dist-a", f"/console/lots/{VITAMIN}/L1", 200),
        ("dist-a", f"/console/lots/{VITAMIN}/L2", 404),  # a lot of a product it holds
        ("dist-a", f"/console/lots/{ZINC}/L1", 404),
        ("verifier", f"/console/lots/{ZINC}/L1", 200),
        ("admin", "/console/products/09506000134376", 404),  # not registered
        ("admin", f"/console/lots/{VITAMIN}/L9", 404),
        ("admin", "/console/products/abc", 404),  # no GTIN at all
        ("admin", "/console/products/09506000134353", 404),  # a wrong check digit
        ("admin", "/console/lots/123/L1", 404),
    ],
)
def test_a_product_or_lot_not_seen_is_not_found(
    sign_in: SignIn, user: str, path: str, status: int
) -> None:
    answer = sign_in(user).get(path)
    assert (answer.status_code, answer.headers["content-type"]) == (
        status,
        "text/html; charset=utf-8",
    )
    if status == 404:
        assert "Not found" in page_text(answer.text)
        assert "Vitamin" not in answer.text
        assert "Zinc" not in answer.text


def test_a_distributor_sees_only_its_units_of_a_lot_and_none_of_the_brands_figures(
    sign_in: SignIn,
) -> None:
    client = sign_in("dist-a")
    product = client.get(f"/console/products/{VITAMIN}")
    assert "4 units dist-a holds" in page_text(product.text)
    assert table_rows(product.text, "product-lots") == [
        ["L1", "2030-12-31", "released", "4", "Scans"]
    ]
    assert "Detection rules" not in product.text
    assert "units issued" not in product.text
    lot = client.get(f"/console/lots/{VITAMIN}/L1")
    assert table_rows(lot.text, "units-by-state") == [["active", "4", "100.0%"]]
    assert table_rows(lot.text, "units-by-custodian") == [["Distributor A", "4", "100.0%"]]
    assert [row[1] for row in table_rows(lot.text, "lot-scans")] == ["genuine"]
    # Distributor B holds none of the scanned unit: its lot page shows no scan
    other = page_text(sign_in("dist-b").get(f"/console/lots/{VITAMIN}/L1").text)
    assert "0 scans in the last 30 days (UTC)" in other
    assert "No scans of this lot among the latest 10,000." in other


def test_a_lot_page_counts_the_units_by_state_and_by_custodian(sign_in: SignIn) -> None:
    answer = sign_in("verifier").get(f"/console/lots/{VITAMIN}/L1")
    assert answer.status_code == 200
    assert table_rows(answer.text, "units-by-state") == [
        ["active", "9", "90.0%"],
        ["destroyed", "1", "10.0%"],
    ]
    # most first; the brand first of those holding as many
    assert table_rows(answer.text, "units-by-custodian") == [
        ["brand (not shipped)", "4", "40.0%"],
        ["Distributor A", "4", "40.0%"],
        ["Distributor B", "2", "20.0%"],
    ]
    assert 'href="/console/parties/dist-a"' in answer.text
    scans = table_rows(answer.text, "lot-scans")
    assert [(row[1], row[3], row[4]) for row in scans] == [
        ("genuine", "Kuala Lumpur, MY-14, MY", "p-1")
    ]
    assert "1 scan in the last 30 days (UTC): 1 genuine" in page_text(answer.text)
    assert f'href="/console/scans?product={VITAMIN}&amp;lot=L1"' in answer.text
    empty = sign_in("verifier").get(f"/console/lots/{VITAMIN}/L2")
    assert "No units of this lot are issued yet." in page_text(empty.text)


@pytest.mark.parametrize(
    "lot", ["<script>alert(1)</script>", "a/b", "%3Cimg src=x onerror=alert(1)%3E"]
)
def test_a_lot_typed_into_the_address_is_shown_escaped(sign_in: SignIn, lot: str) -> None:
    answer = sign_in("admin").get(f"/console/lots/{VITAMIN}/{lot}")
    assert answer.status_code == 404
    assert "<script>alert" not in answer.text
    assert "<img" not in answer.text
    assert "is not registered" in page_text(answer.text)


@pytest.mark.parametrize(
    "path",
    ["/console/products", f"/console/products/{VITAMIN}", f"/console/lots/{VITAMIN}/L1"],
)
def test_a_stranger_is_sent_to_sign_in(anonymous: TestClient, path: str) -> None:
    answer = anonymous.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login?next=")


# --- editing the detection rules ---------------------------------------------------------------

RULES = f"/console/products/{VITAMIN}/detection-rules"
BLANK = {
    "max_clients": "",
    "max_places": "",
    "max_speed_kmh": "",
    "min_travel_km": "",
    "history": "",
    "before_shipping": "default",
    "evidence_scans": "",
    "block_flagged_units": "default",
}


def api_rules(database: Database) -> dict[str, int | float | bool]:
    with database.unit_of_work(read_only=True) as uow:
        return get_product(uow, VITAMIN).detection_rules.given


def test_an_admin_sets_the_rules_and_the_api_reads_them_back(
    sign_in: SignIn, catalog_world: Database, token_for: Callable[..., Headers]
) -> None:
    client = sign_in("admin")
    page = client.get(f"/console/products/{VITAMIN}")
    assert f'action="{RULES}"' in page.text
    sent = {**BLANK, "max_clients": "7", "max_speed_kmh": "120.5", "before_shipping": "off"}
    answer = client.post(RULES, data={**sent, "csrf": form_token(client)})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/products/{VITAMIN}?saved=rules#detection-rules"
    shown = client.get(answer.headers["location"])
    assert "The detection rules were saved." in page_text(shown.text)
    assert re.search(r'id="rule-max_clients"[^>]*value="7"', shown.text)
    api = client.get(f"/api/products/{VITAMIN}", headers=token_for("admin")).json()
    assert api["own_detection_rules"] == {
        "max_clients": 7,
        "max_speed_kmh": 120.5,
        "before_shipping": False,
    }
    assert api["detection_rules"]["max_clients"] == 7
    # everything back to the defaults
    back = client.post(RULES, data={**BLANK, "csrf": form_token(client)})
    assert back.status_code == 303
    assert api_rules(catalog_world) == {}


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("max_clients", "0", "detection_rules.max_clients: 0 is not a whole number from 1 to 1,000,000"),
        ("history", "abc", "detection_rules.history: 'abc' is not a whole number from 1 to 1,000"),
        ("history", "2.5", "detection_rules.history: 2.5 is not a whole number from 1 to 1,000"),
        ("max_speed_kmh", "0", "detection_rules.max_speed_kmh: 0 is not a number above 0 and at most 1e+06"),
        ("min_travel_km", "nan", "detection_rules.min_travel_km: 'nan' is not a number"),
        ("before_shipping", "maybe", "detection_rules.before_shipping: 'maybe' is not true or false"),
        ("evidence_scans", "<b>5</b>", "detection_rules.evidence_scans: '<b>5</b>' is not a whole number from 1 to 1,000"),
    ],
)  # fmt: skip
def test_a_rule_out_of_its_range_is_refused_next_to_it_and_nothing_changes(
    sign_in: SignIn, catalog_world: Database, field: str, typed: str, message: str
) -> None:
    client = sign_in("admin")
    client.post(RULES, data={**BLANK, "max_places": "4", "csrf": form_token(client)})
    sent = {**BLANK, "max_clients": "9", field: typed, "csrf": form_token(client)}
    answer = client.post(RULES, data=sent)
    assert answer.status_code == 422
    assert field_errors(answer.text) == {f"rule-{field}": message}
    assert "The detection rules were not changed" in page_text(answer.text)
    # what was typed is kept for correcting, and escaped
    assert "<b>5</b>" not in answer.text
    assert api_rules(catalog_world) == {"max_places": 4}


@pytest.mark.parametrize(
    ("user", "with_token"), [("admin", False), ("line", True), ("dist-a", True)]
)
def test_the_rules_change_only_for_an_admins_form(
    sign_in: SignIn, catalog_world: Database, user: str, with_token: bool
) -> None:
    client = sign_in(user)
    sent = {**BLANK, "max_clients": "2"}
    if with_token:
        sent["csrf"] = form_token(client)
    answer = client.post(RULES, data=sent)
    assert answer.status_code == 403
    assert api_rules(catalog_world) == {}


def test_the_rules_of_a_product_that_is_not_registered_are_not_found(sign_in: SignIn) -> None:
    client = sign_in("admin")
    answer = client.post(
        "/console/products/09506000134376/detection-rules",
        data={**BLANK, "csrf": form_token(client)},
    )
    assert answer.status_code == 404
    assert "09506000134376 is not a registered product" in page_text(answer.text)


def test_the_product_page_lists_the_resolver_links_to_the_brand(
    sign_in: SignIn, catalog_world: Database
) -> None:
    from unitrace.registry.model import Actor, Role
    from unitrace.services.brand_links import add_link

    with catalog_world.unit_of_work() as uow:
        add_link(uow, gtin=VITAMIN, link_type="gs1:pip", href="https://brand.example/c",
                 title="Vitamin C <b>", hreflang="en", default=True,
                 actor=Actor("ada", Role.ADMIN))  # fmt: skip
        add_link(uow, gtin=VITAMIN, link_type="gs1:instructions", lot="L1", context="US",
                 href="https://brand.example/l1", title="Leaflet",
                 actor=Actor("ada", Role.ADMIN))  # fmt: skip
        uow.commit()
    page = sign_in("line").get(f"/console/products/{VITAMIN}")
    assert table_rows(page.text, "product-links") == [
        ["gs1:pip", "Vitamin C <b>", "all lots", "en", "default", "https://brand.example/c"],
        ["gs1:instructions", "Leaflet", "L1", "US", "", "https://brand.example/l1"],
    ]
    assert "Vitamin C &lt;b&gt;" in page.text
    held = sign_in("dist-a").get(f"/console/products/{VITAMIN}")
    assert 'id="resolver-links"' not in held.text
    bare = sign_in("admin").get(f"/console/products/{ZINC}")
    assert "No links: a scan goes to the unit's verification page." in page_text(bare.text)
