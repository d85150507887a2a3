"""The resolver with the brand's links: redirects to the default or the link type asked for,
lot links over product links, a recall's notice over the brand's default, negotiation by
context, language and media type, the linkset, the description file; and the admin routes
that keep the links."""

from __future__ import annotations

import threading
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from tests.api.gs1_resolver_schemas import LINKSET_SCHEMA
from tests.services.issued_units import (
    ADMIN,
    EXPIRY,
    GTIN,
    LOT,
    OTHER_GTIN,
    build_registry,
    issue,
)
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.errors import Conflict
from unitrace.services import brand_links, catalog, lifecycle
from unitrace.store.unit_of_work import Database

ORIGIN = "https://id.brand.example"
BRAND = "https://brand.example"
UNIT = f"/01/{GTIN.value}/10/{LOT}/21/S00001"
OTHER_LOT_UNIT = f"/01/{GTIN.value}/10/L2/21/S00002"
BARE_UNIT = f"/01/{OTHER_GTIN.value}/10/{LOT}/21/Z00001"
PIP = "https://gs1.org/voc/pip"


@pytest.fixture
def world(database: Database) -> TestClient:
    build_registry(database)
    with database.unit_of_work() as uow:
        catalog.register_lot(uow, gtin=GTIN.value, lot="L2", expiry=EXPIRY, actor=ADMIN)
        issue(uow, GTIN, LOT, 1)
        issue(uow, GTIN, "L2", 1, ["S00002"])
        issue(uow, OTHER_GTIN, LOT, 1)
        uow.commit()
    return TestClient(create_app(database, Settings(resolver_base=ORIGIN)), base_url=ORIGIN)


def add(database: Database, **link: Any) -> int:
    with database.unit_of_work() as uow:
        added = brand_links.add_link(uow, gtin=GTIN.value, actor=ADMIN, **link)
        uow.commit()
    return added.id


def located(client: TestClient, path: str, **headers: str) -> tuple[int, str | None]:
    answer = client.get(path, headers=headers, follow_redirects=False)
    return answer.status_code, answer.headers.get("location")


def test_with_no_link_of_its_own_a_unit_goes_to_its_verification_page(
    world: TestClient,
) -> None:
    answer = world.get(BARE_UNIT + "?17=301231&foo=bar", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (
        307,
        f"{ORIGIN}/verify{BARE_UNIT}?17=301231&foo=bar",
    )
    assert answer.headers["link"] == (
        f'<{ORIGIN}{BARE_UNIT}?linkType=linkset>; rel="linkset"; type="application/linkset+json"'
    )
    page = world.get(BARE_UNIT, headers={"Accept": "text/html"})
    assert (page.status_code, page.headers["content-type"][:9]) == (200, "text/html")
    assert "data-verdict=" in page.text


def test_the_brands_default_and_lot_links_over_product_links(
    world: TestClient, database: Database
) -> None:
    add(database, link_type="gs1:pip", href=f"{BRAND}/pip", title="Vitamin C", default=True)
    add(database, link_type="gs1:instructions", href=f"{BRAND}/leaflet", title="Leaflet")
    add(database, link_type="gs1:instructions", href=f"{BRAND}/leaflet/L1", title="L1", lot=LOT)
    assert [
        located(world, UNIT),
        located(world, UNIT + "?linkType=gs1:instructions"),
        located(world, OTHER_LOT_UNIT + "?linkType=gs1:instructions"),
        located(world, f"/01/{GTIN.value}/21/S00001?linkType=gs1:instructions"),
        located(world, UNIT + "?linkType=https://ref.gs1.org/voc/pip&x=1"),
        located(world, UNIT + "?linkType=gs1:verificationService"),
        located(world, UNIT + "?linkType=gs1:verificationService", Accept="text/html"),
        located(world, UNIT + "?linkType=gs1:defaultLink"),
    ] == [
        (307, f"{BRAND}/pip"),
        (307, f"{BRAND}/leaflet/L1?linkType=gs1:instructions"),
        (307, f"{BRAND}/leaflet?linkType=gs1:instructions"),
        # the unit's lot is known without /10/ in its URI
        (307, f"{BRAND}/leaflet/L1?linkType=gs1:instructions"),
        (307, f"{BRAND}/pip?linkType=https://ref.gs1.org/voc/pip&x=1"),
        (307, f"{ORIGIN}/verify/lms{UNIT}?linkType=gs1:verificationService"),
        (307, f"{ORIGIN}/verify{UNIT}?linkType=gs1:verificationService"),
        (307, f"{BRAND}/pip?linkType=gs1:defaultLink"),
    ]


def test_a_recall_takes_the_place_of_the_brands_default(
    world: TestClient, database: Database
) -> None:
    add(database, link_type="gs1:pip", href=f"{BRAND}/pip", title="Vitamin C", default=True)
    add(database, link_type="gs1:recallStatus", href=f"{BRAND}/recalls", title="Recalls")
    with database.unit_of_work() as uow:
        lifecycle.set_lot_status(
            uow, gtin=GTIN.value, lot=LOT, status="recalled", reason="mould", actor=ADMIN
        )
        uow.commit()
    assert [
        located(world, UNIT),
        located(world, UNIT + "?linkType=gs1:recallStatus"),
        located(world, OTHER_LOT_UNIT),
        located(world, OTHER_LOT_UNIT + "?linkType=gs1:recallStatus"),
    ] == [
        (307, f"{ORIGIN}/verify{UNIT}"),
        (307, f"{ORIGIN}/verify{UNIT}?linkType=gs1:recallStatus"),
        (307, f"{BRAND}/pip"),
        (307, f"{BRAND}/recalls?linkType=gs1:recallStatus"),
    ]
    (item, product) = world.get(UNIT + "?linkType=linkset").json()["linkset"]
    assert item["https://gs1.org/voc/defaultLink"] == [
        {"href": f"{ORIGIN}/verify{UNIT}", "title": "Verify Vitamin C"}
    ]
    assert "https://gs1.org/voc/defaultLink" not in product


def test_context_language_and_media_type_choose_between_links(
    world: TestClient, database: Database
) -> None:
    for language in ("en", "fr"):
        add(database, link_type="gs1:pip", href=f"{BRAND}/pip/{language}", title="P",
            hreflang=language, media_type="text/html", default=True)  # fmt: skip
    add(database, link_type="gs1:registerProduct", href=f"{BRAND}/r/us", title="R", context="US")
    add(database, link_type="gs1:registerProduct", href=f"{BRAND}/r", title="R")
    add(database, link_type="gs1:certificationInfo", href=f"{BRAND}/a.pdf", title="A")
    add(database, link_type="gs1:certificationInfo", href=f"{BRAND}/b.pdf", title="B")
    assert [
        located(world, UNIT),
        located(world, UNIT, **{"Accept-Language": "fr-CH, en;q=0.5"}),
        located(world, UNIT + "?lang=fr"),
        located(world, UNIT + "?linkType=gs1:registerProduct&context=US"),
        located(world, UNIT + "?linkType=gs1:registerProduct"),
        located(world, UNIT + "?linkType=gs1:registerProduct&context=MY"),
    ] == [
        (307, f"{BRAND}/pip/en"),
        (307, f"{BRAND}/pip/fr"),
        (307, f"{BRAND}/pip/fr?lang=fr"),
        (307, f"{BRAND}/r/us?linkType=gs1:registerProduct&context=US"),
        (307, f"{BRAND}/r?linkType=gs1:registerProduct"),
        (307, f"{BRAND}/r?linkType=gs1:registerProduct&context=MY"),
    ]
    several = world.get(UNIT + "?linkType=gs1:certificationInfo", follow_redirects=False)
    assert several.status_code == 300
    assert [link["href"] for link in several.json()["linkset"][0][
        "https://gs1.org/voc/certificationInfo"]] == [f"{BRAND}/a.pdf", f"{BRAND}/b.pdf"]  # fmt: skip
    (*_, product) = world.get(UNIT, headers={"Accept": "application/linkset+json"}).json()[
        "linkset"
    ]
    assert product["https://gs1.org/voc/defaultLink"] == [{"href": f"{BRAND}/pip/en", "title": "P"}]
    assert [link["hreflang"] for link in product["https://gs1.org/voc/defaultLinkMulti"]] == [
        ["en"],
        ["fr"],
    ]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("linkType=gs1:nosuchlt", "linkType: gs1:nosuchlt"),
        ("linkType=gs1:pip", "linkType: gs1:pip"),
        ("linkType=https://other.example/x", "linkType: https://other.example/x"),
    ],
)
def test_a_link_type_with_no_link_is_a_404_problem(
    world: TestClient, query: str, detail: str
) -> None:
    answer = world.get(f"{UNIT}?{query}", follow_redirects=False)
    assert (answer.status_code, answer.headers["content-type"]) == (
        404,
        "application/problem+json",
    )
    assert answer.json()["detail"].startswith(detail)
    assert 'rel="linkset"' in answer.headers["link"]
    assert answer.headers["access-control-allow-origin"] == "*"


def test_linkset_head_trailing_slash_json_and_the_description_file(world: TestClient) -> None:
    for asked in ("linkType=all", "linkType=linkset"):
        answer = world.get(f"{BARE_UNIT}?{asked}")
        assert (answer.status_code, answer.headers["content-type"]) == (
            200,
            "application/linkset+json",
        )
        assert answer.headers["link"].endswith(
            "<https://ref.gs1.org/standards/resolver/linkset-context>; "
            'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
        )
    head = world.head(BARE_UNIT, follow_redirects=False)
    assert (head.status_code, head.headers["location"]) == (307, f"{ORIGIN}/verify{BARE_UNIT}")
    assert located(world, BARE_UNIT + "/") == located(world, BARE_UNIT)
    scan = world.get(BARE_UNIT, headers={"Accept": "application/json"}, follow_redirects=False)
    assert (scan.status_code, scan.json()["product"]["gtin"]) == (200, OTHER_GTIN.value)
    described = world.get("/.well-known/gs1resolver")
    assert described.headers["access-control-allow-origin"] == "*"
    assert described.json() == {
        "name": "unitrace GS1-conformant resolver",
        "resolverRoot": ORIGIN,
        "supportedPrimaryKeys": ["01", "8006", "8013", "8010", "414", "415", "417", "8017",
                                 "8018", "255", "00", "253", "401", "402", "8003", "8004"],
        "supportedLinkType": [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": "https://ref.gs1.org/standards/resolver/linkset-context",
    }  # fmt: skip
    assert world.options("/.well-known/gs1resolver").status_code == 204


def test_links_are_added_listed_and_removed_by_the_admin(world: TestClient, token_for: Any) -> None:
    admin = token_for("admin")
    body = {"link_type": "https://www.gs1.org/voc/instructions", "href": f"{BRAND}/i",
            "title": "Leaflet", "lot": LOT, "hreflang": "en-gb", "context": "MY",
            "type": "Application/PDF", "default": True}  # fmt: skip
    added = world.post(f"/api/products/{GTIN.value}/links", json=body, headers=admin)
    assert added.status_code == 201
    made = added.json()
    assert {k: v for k, v in made.items() if k != "created_at"} == {
        "id": made["id"], "gtin": GTIN.value, "lot": LOT, "link_type": "gs1:instructions",
        "href": f"{BRAND}/i", "title": "Leaflet", "hreflang": "en-GB", "context": "MY",
        "type": "application/pdf", "default": True,
    }  # fmt: skip
    listed = world.get(f"/api/products/{GTIN.value}/links", headers=admin).json()
    assert listed == [made]
    assert world.get(f"/api/products/{GTIN.value}/links?lot=L2", headers=admin).json() == []
    gone = world.delete(f"/api/products/{GTIN.value}/links/{made['id']}", headers=admin)
    assert gone.status_code == 204
    again = world.delete(f"/api/products/{GTIN.value}/links/{made['id']}", headers=admin)
    assert (again.status_code, again.json()["detail"]) == (
        404,
        f"link: {made['id']} is not a link of {GTIN.value}",
    )


GOOD = {"link_type": "gs1:pip", "href": f"{BRAND}/pip", "title": "P"}


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"link_type": "gs1:brochure"}, 422,
         "link_type: gs1:brochure is not a link type of the GS1 Web Vocabulary"),
        ({"link_type": "gs1:defaultLink"}, 422, "link_type: gs1:defaultLink is the resolver's own"),
        ({"link_type": "https://gs1.org/other/pip"}, 422,
         "link_type: https://gs1.org/other/pip is not in the GS1 Web Vocabulary's namespace"),
        ({"link_type": "see also"}, 422, "link_type: 'see also' must be gs1:<type>"),
        ({"href": "javascript:alert(1)"}, 422, "href: 'javascript:alert(1)' must be an absolute"),
        ({"href": "/relative"}, 422, "href: '/relative' must be an absolute"),
        ({"title": "  "}, 422, "title: must be 1-200 characters"),
        ({"hreflang": "eng"}, 422, "hreflang: 'eng' must be a language"),
        ({"type": "pdf"}, 422, "type: 'pdf' must be a media type"),
        ({"context": "a b"}, 422, "context: 'a b' must be 1-100 letters"),
        ({"lot": "NOPE"}, 404, f"lot: NOPE of {GTIN.value} is not registered"),
        ({"default": "yes"}, 422, None),
        ({"colour": "red"}, 422, None),
    ],
)  # fmt: skip
def test_a_bad_link_is_refused_and_changes_nothing(
    world: TestClient, token_for: Any, change: dict[str, Any], status: int, detail: str | None
) -> None:
    admin = token_for("admin")
    answer = world.post(f"/api/products/{GTIN.value}/links", json=GOOD | change, headers=admin)
    assert answer.status_code == status, answer.text
    if detail is not None:
        assert answer.json()["detail"].startswith(detail)
    assert world.get(f"/api/products/{GTIN.value}/links", headers=admin).json() == []


def test_a_second_default_and_the_same_link_twice_are_conflicts(
    world: TestClient, token_for: Any
) -> None:
    admin = token_for("admin")
    path = f"/api/products/{GTIN.value}/links"
    assert world.post(path, json=GOOD | {"default": True}, headers=admin).status_code == 201
    second = world.post(path, json=GOOD | {"href": f"{BRAND}/x", "default": True}, headers=admin)
    twice = world.post(path, json=GOOD, headers=admin)
    unknown = world.post("/api/products/09506000134369/links", json=GOOD, headers=admin)
    assert [second.status_code, twice.status_code, unknown.status_code] == [409, 409, 404]
    assert second.json()["detail"].startswith(
        f"default: product {GTIN.value} has a default link already"
    )
    # a default for another language is another slot
    french = GOOD | {"href": f"{BRAND}/fr", "hreflang": "fr", "default": True}
    assert world.post(path, json=french, headers=admin).status_code == 201
    assert len(world.get(path, headers=admin).json()) == 2


def test_concurrent_writers_get_one_default(world: TestClient, database: Database) -> None:
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def write(number: int) -> None:
        barrier.wait()
        try:
            add(database, link_type="gs1:pip", href=f"{BRAND}/{number}", title="P", default=True)
            outcomes.append("added")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "conflict", "conflict", "conflict"]
    with database.unit_of_work(read_only=True) as uow:
        links = brand_links.list_links(uow, gtin=GTIN.value)
    assert [link.is_default for link in links] == [True]


def test_compressed_uris_are_answered_as_their_uncompressed_uri(world: TestClient) -> None:
    uncompressed = f"{ORIGIN}/01/05412345000013/10/ABC123?17=290331"
    for compressed in ("/AQnYUc1gmiCNV4JGLo3DY", "/01/05412345000013/EEarwSMXRuGw"):
        answer = world.get(compressed + "?x=1", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (
            307,
            f"{ORIGIN}/verify/01/05412345000013/10/ABC123?17=290331&x=1",
        )
        assert answer.headers["link"] == (
            f'<{ORIGIN}/01/05412345000013/10/ABC123?linkType=linkset>; rel="linkset"; '
            f'type="application/linkset+json", <{uncompressed}&x=1>; rel="owl:sameAs"'
        )
        (entry,) = world.get(compressed + "?linkType=linkset").json()["linkset"]
        assert entry["anchor"] == f"{ORIGIN}/01/05412345000013/10/ABC123"
    assert world.options("/AQnYUc1gmiCNV4JGLo3DY").status_code == 204
    for nothing in ("/no-such-page", "/4AAA", "/a.b"):
        missing = world.get(nothing, follow_redirects=False)
        assert (missing.status_code, missing.headers["content-type"]) == (
            404,
            "application/problem+json",
        )
    assert world.get("/health").status_code == 200
    bad = world.get("/01/05412345000013/4AAA", headers={"Accept": "application/json"})
    assert (bad.status_code, bad.json()["detail"]) == (
        400,
        "Digital Link: the compressed URI has no optimisation E0",
    )


VERIFY = "linkType=gs1:verificationService"
JSON_FIRST = "application/json, */*;q=0.1"


@pytest.mark.parametrize(
    ("accept", "query", "brand_service", "status", "answer"),
    [
        # issue 4's contract: a program that asks for JSON gets the GS1 Lightweight
        # Verification response in place, where the brand set no service of its own
        ("application/json", VERIFY, False, 200, "lms"),
        (JSON_FIRST, VERIFY, False, 200, "lms"),
        ("application/json; charset=utf-8", VERIFY, False, 200, "lms"),
        ("application/json", "linkType=https://gs1.org/voc/verificationService", False, 200, "lms"),
        # anything else is redirected: */* (GS1's test suite), a browser, JSON not first
        ("*/*", VERIFY, False, 307, f"{ORIGIN}/verify/lms{UNIT}?{VERIFY}"),
        ("", VERIFY, False, 307, f"{ORIGIN}/verify/lms{UNIT}?{VERIFY}"),
        ("application/*", VERIFY, False, 307, f"{ORIGIN}/verify/lms{UNIT}?{VERIFY}"),
        ("text/html", VERIFY, False, 307, f"{ORIGIN}/verify{UNIT}?{VERIFY}"),
        ("text/html, application/json;q=0.9", VERIFY, False, 307, f"{ORIGIN}/verify{UNIT}?{VERIFY}"),
        ("*/*", VERIFY + "&mediaType=application/json", False, 307,
         f"{ORIGIN}/verify/lms{UNIT}?{VERIFY}&mediaType=application/json"),
        # the brand's own verification service is where a JSON client is sent
        ("application/json", VERIFY, True, 307, f"{BRAND}/vrs?{VERIFY}"),
        ("*/*", VERIFY, True, 307, f"{BRAND}/vrs?{VERIFY}"),
        # other link types and none are as before
        ("application/json", "", False, 200, "scan"),
        ("application/json", "", True, 200, "scan"),
        ("application/json", "linkType=gs1:pip", False, 307, f"{BRAND}/pip?linkType=gs1:pip"),
        ("*/*", "", False, 307, f"{BRAND}/pip"),
    ],
)  # fmt: skip
def test_a_json_client_gets_the_verification_response_in_place(
    world: TestClient,
    database: Database,
    accept: str,
    query: str,
    brand_service: bool,
    status: int,
    answer: str,
) -> None:
    add(database, link_type="gs1:pip", href=f"{BRAND}/pip", title="Vitamin C", default=True)
    if brand_service:
        add(database, link_type="gs1:verificationService", href=f"{BRAND}/vrs", title="VRS",
            media_type="application/json")  # fmt: skip
    path = UNIT + (f"?{query}" if query else "")
    got = world.get(path, headers={"Accept": accept}, follow_redirects=False)
    if status == 307:
        assert (got.status_code, got.headers["location"]) == (status, answer)
        return
    kind = "lms" if "verified" in got.json() else "scan" if "verdict" in got.json() else "?"
    assert (got.status_code, got.headers["content-type"], kind) == (
        status,
        "application/json",
        answer,
    )
    assert got.headers["link"] == (
        f'<{ORIGIN}{UNIT}?linkType=linkset>; rel="linkset"; type="application/linkset+json"'
    )
    assert got.headers["access-control-allow-origin"] == "*"
    assert got.headers["vary"] == "Accept, Accept-Language"


def test_the_verification_response_in_place_is_the_one_at_verify_lms(world: TestClient) -> None:
    """Same body, and logged as one scan each, as at /verify/lms/…"""
    in_place = world.get(f"{UNIT}?{VERIFY}", headers={"Accept": "application/json"})
    redirected = world.get(f"{UNIT}?{VERIFY}", headers={"Accept": "*/*"})  # followed
    assert str(redirected.url) == f"{ORIGIN}/verify/lms{UNIT}?{VERIFY}"
    timeless = [
        {k: v for k, v in answer.json().items() if k != "verificationTimestamp"}
        for answer in (in_place, redirected)
    ]
    assert timeless[0] == timeless[1]
    assert "verified" in timeless[0]
    scan = world.get(UNIT, headers={"Accept": "application/json"}).json()
    assert scan["scan_count"] == 3
    assert world.head(f"{UNIT}?{VERIFY}", headers={"Accept": "application/json"}).status_code == 200
    assert world.get(UNIT, headers={"Accept": "application/json"}).json()["scan_count"] == 4


def test_the_brands_verification_service_takes_the_place_of_the_resolvers(
    world: TestClient, database: Database
) -> None:
    add(database, link_type="gs1:verificationService", href=f"{BRAND}/vrs", title="VRS",
        media_type="application/json")  # fmt: skip
    linkset = world.get(UNIT + "?linkType=linkset").json()
    assert jsonschema.Draft7Validator(LINKSET_SCHEMA).is_valid(linkset)
    item, product = linkset["linkset"]
    assert [set(entry) - {"anchor", "itemDescription"} for entry in (item, product)] == [
        {"https://gs1.org/voc/defaultLink"},
        {"https://gs1.org/voc/verificationService"},
    ]
    assert item["https://gs1.org/voc/defaultLink"] == [
        {"href": f"{ORIGIN}/verify{UNIT}", "title": "Verify Vitamin C"}
    ]
    assert product["https://gs1.org/voc/verificationService"][0]["href"] == f"{BRAND}/vrs"
    assert located(world, UNIT) == (307, f"{ORIGIN}/verify{UNIT}")
