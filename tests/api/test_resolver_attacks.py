"""The resolver attacked: what a brand link's target may hold (it becomes a Location header),
and whether the resolver's answers, which say whether a serial exists, are rate-limited."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.api import test_resolver
from tests.api.test_resolver import BRAND, ORIGIN, UNIT, add, located
from tests.services.issued_units import ADMIN, GTIN, LOT, issue
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.gs1.digital_link import build_digital_link
from unitrace.gs1.elements import ElementString
from unitrace.services import lifecycle
from unitrace.store.unit_of_work import Database

world = test_resolver.world


@pytest.mark.parametrize(
    "href",
    [
        f"{BRAND}/\x00x",
        f"{BRAND}/\x1b[31mx",
        f"{BRAND}/\x7fx",
        f"{BRAND}/x\r\nSet-Cookie: a=b",
        f"{BRAND}/日本",
        f"{BRAND}/\u2028x",
        "javascript:alert(1)//https://brand.example",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_a_target_that_cannot_be_a_location_header_is_refused(
    world: TestClient, token_for: Any, href: str
) -> None:
    admin = token_for("admin")
    body = {"link_type": "gs1:pip", "href": href, "title": "P", "default": True}
    answer = world.post(f"/api/products/{GTIN.value}/links", json=body, headers=admin)
    assert (answer.status_code, answer.json()["detail"][:6]) == (422, "href: ")
    assert world.get(f"/api/products/{GTIN.value}/links", headers=admin).json() == []
    assert world.get(UNIT, follow_redirects=False).headers["location"] == f"{ORIGIN}/verify{UNIT}"


def test_a_percent_encoded_target_is_kept_as_given(world: TestClient, database: Database) -> None:
    add(database, link_type="gs1:pip", href=f"{BRAND}/%E6%97%A5?a=1#x", title="P", default=True)
    answer = world.get(UNIT + "?17=281231", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (
        307,
        f"{BRAND}/%E6%97%A5?a=1#x&17=281231",
    )


def test_the_resolvers_answers_are_rate_limited_apart_from_scans(
    database: Database, world: TestClient
) -> None:
    """The answers say whether a serial exists (its lot's links, its recall): a caller asking
    about serials one after another is limited as one scanning them is; a scan's redirect and
    the page it leads to are counted in two buckets, so a person is not counted twice."""
    add(database, link_type="gs1:instructions", href=f"{BRAND}/leaflet", title="Leaflet")
    client = TestClient(
        create_app(database, Settings(resolver_base=ORIGIN, scans_per_minute=60, scan_burst=3)),
        base_url=ORIGIN,
    )
    asked = [
        client.get(f"/01/{GTIN.value}/21/S{n:05}?linkType=gs1:instructions", follow_redirects=False)
        for n in range(4)
    ]
    assert [answer.status_code for answer in asked] == [307, 307, 307, 429]
    assert asked[-1].headers["retry-after"] == "1"
    head = client.head(f"/01/{GTIN.value}/21/S00009?linkType=gs1:instructions")
    assert head.status_code == 429
    # the scans' own bucket is untouched: three pages still answer
    pages = [client.get(f"/verify{UNIT}").status_code for _ in range(4)]
    assert pages == [200, 200, 200, 429]


def test_a_serial_with_percent_encoded_characters_is_the_unit_it_names(
    world: TestClient, database: Database
) -> None:
    """'/', '>' and '"' are in a serial's character set and are percent-encoded in its
    Digital Link: the resolver reads them as the serial's, not as the path's."""
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 1, ['AB/1>"'])
        uow.commit()
    path = f"/01/{GTIN.value}/10/{LOT}/21/AB%2F1%3E%22"
    redirect = world.get(path + "?17=281231", follow_redirects=False)
    assert (redirect.status_code, redirect.headers["location"]) == (
        307,
        f"{ORIGIN}/verify{path}?17=281231",
    )
    assert redirect.headers["link"].startswith(f"<{ORIGIN}{path}?linkType=linkset>")
    scans = [
        world.get(path, headers={"Accept": "application/json"}),
        world.get(f"/verify{path}", headers={"Accept": "application/json"}),
    ]
    assert [(scan.status_code, scan.json()["product"]["serial"]) for scan in scans] == [
        (200, 'AB/1>"'),
        (200, 'AB/1>"'),
    ]
    assert [scan.json()["scan_count"] for scan in scans] == [1, 2]
    lms = world.get(f"/verify/lms{path}").json()
    assert lms.get("verificationFailureReason") != "No_match_GTIN_Serial"
    # serial "AB/" is not serial "AB" (a decoded path's trailing '/', tolerated)
    assert located(world, f"/01/{GTIN.value}/21/AB%2F") == (
        307,
        f"{ORIGIN}/verify/01/{GTIN.value}/21/AB%2F",
    )


def test_a_unit_of_a_recalled_lot_whose_code_names_another_lot_sees_the_recall(
    world: TestClient, database: Database
) -> None:
    add(database, link_type="gs1:pip", href=f"{BRAND}/pip", title="Vitamin C", default=True)
    with database.unit_of_work() as uow:
        lifecycle.set_lot_status(
            uow, gtin=GTIN.value, lot=LOT, status="recalled", reason="mould", actor=ADMIN
        )
        uow.commit()
    # S00001 was issued in the recalled lot; its code says L2, which is not recalled
    mislabelled = f"/01/{GTIN.value}/10/L2/21/S00001"
    assert [located(world, mislabelled), located(world, f"/01/{GTIN.value}/10/L2/21/S00002")] == [
        (307, f"{ORIGIN}/verify{mislabelled}"),
        (307, f"{BRAND}/pip"),
    ]


def test_the_description_file_answers_the_methods_its_cors_headers_name(world: TestClient) -> None:
    got = world.get("/.well-known/gs1resolver")
    head = world.head("/.well-known/gs1resolver")
    assert got.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert (head.status_code, head.content, head.headers["content-length"]) == (
        200,
        b"",
        got.headers["content-length"],
    )


CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# a serial of dots alone is a dot-segment, which an HTTP client removes from the path before
# sending it (RFC 3986 section 5.2.4): such a code cannot reach any resolver as written
@given(
    serial=st.text(alphabet=CSET82, min_size=1, max_size=20).filter(
        lambda serial: serial not in (".", "..")
    )
)
@example(serial="0.")
@example(serial="...")
def test_any_serial_is_redirected_to_its_own_verification_page(
    database: Database, serial: str
) -> None:
    """Whatever a serial's characters, the resolver sends it to its own page, the serial
    encoded as the Digital Link has it (nothing decoded into the path on the way)."""
    client = TestClient(
        create_app(database, Settings(resolver_base=ORIGIN, scan_burst=10_000)), base_url=ORIGIN
    )
    uri = build_digital_link([ElementString("01", GTIN.value), ElementString("21", serial)], ORIGIN)
    path = uri[len(ORIGIN) :]
    assert located(client, path) == (307, f"{ORIGIN}/verify{path}")
    assert located(client, path + "/") == (307, f"{ORIGIN}/verify{path}")
