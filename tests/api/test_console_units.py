"""The console's search box, unit and container pages, through the test client on the demo
data: every form of a code lands on the page of what it names; who may see a unit is the API's
rule (a distributor's user gets 404 for another party's unit); bad input is a page saying why,
what was typed shown escaped, never a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api import console_demo
from tests.api.console_demo import (
    GTIN,
    PALLET,
    Demo,
    DemoUnit,
    text_of,
)
from unitrace.gs1 import Gtin
from unitrace.gs1.epc import encode_sgtin198
from unitrace.services.demo import CLONED_SEQ, COMPANY_PREFIX_LENGTH, DIST_B_SEQS, GREY_MARKET_SEQ

# --- the search box ----------------------------------------------------------------------------

CODE_FORMS: list[tuple[str, Callable[[DemoUnit], str]]] = [
    ("Digital Link", lambda unit: unit.digital_link),
    ("(01)…(21)… string", lambda unit: unit.hri),
    ("element string with FNC1 as GS", lambda unit: unit.element_string),
    ("barcode data with its symbology identifier", lambda unit: "]d2" + unit.element_string),
    ("syntax engine notation", lambda unit: "^" + unit.element_string.replace("\x1d", "^")),
    ("EPC URI", lambda unit: f"urn:epc:id:sgtin:9506000.013435.{unit.serial}"),
    (
        "RFID tag hex",
        lambda unit: encode_sgtin198(Gtin(GTIN), unit.serial, COMPANY_PREFIX_LENGTH, 1),
    ),
    ("a code with spaces around it", lambda unit: f"  {unit.hri}\n"),
]

# the demo and its signed-in clients, once for the module
demo = console_demo.demo
signed_in = console_demo.signed_in


@pytest.mark.parametrize(("form", "code_of"), CODE_FORMS, ids=[form for form, _ in CODE_FORMS])
def test_any_form_of_a_units_code_lands_on_its_page(
    demo: Demo, signed_in: Callable[[str], TestClient], form: str, code_of: Callable[..., str]
) -> None:
    unit = demo.units[CLONED_SEQ]
    answer = signed_in("admin").get("/console/search", params={"code": code_of(unit)})
    assert (answer.status_code, answer.headers["location"]) == (303, unit.path)


@pytest.mark.parametrize(
    ("code", "target"),
    [
        (PALLET, f"/console/containers/{PALLET}"),
        ("urn:epc:id:sscc:9506000.0123456789", f"/console/containers/{PALLET}"),
        ("(01)19506000134359(21)C0001", "/console/containers/(01)19506000134359(21)C0001"),
        (f"(01){GTIN}(10)L2611A", f"/console/lots/{GTIN}/L2611A"),
        ("urn:epc:class:lgtin:9506000.013435.L2611A", f"/console/lots/{GTIN}/L2611A"),
        (GTIN[1:], f"/console/products/{GTIN}"),
        ("(414)9520123456788", "/console/parties/dist-a"),
        # a unit not registered is the unit page's to say
        (f"(01){GTIN}(21)NOSUCHUNIT", f"/console/units/{GTIN}/NOSUCHUNIT"),
        (f"(01){GTIN}(21)A/B%C", f"/console/units/{GTIN}/{quote('A/B%C', safe='')}"),
    ],
)
def test_a_code_naming_a_container_lot_product_or_party_lands_on_its_page(
    signed_in: Callable[[str], TestClient], code: str, target: str
) -> None:
    answer = signed_in("admin").get("/console/search", params={"code": code})
    assert (answer.status_code, answer.headers["location"]) == (303, target)


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("", 400, "code: give a code"),
        ("   ", 400, "code: give a code"),
        ("<script>alert(1)</script>", 400, "code: not a GS1 Digital Link URI"),
        (f"(01){GTIN[:-1]}3(21)X1", 400, "AI (01): check digit 2 expected, got 3"),
        (f"(01){GTIN}(21){'S' * 21}", 400, "AI (21): 21 characters given, at most 20"),
        ("(01)" + "9" * 5000, 400, "code: 5,004 characters given; a code has at most 2,048"),
        ("(253)9506000000008X1", 400, "names no unit, case, pallet, lot, product or party"),
        ("(414)9506000000015", 404, "code: no party is registered with GLN 9506000000015"),
    ],
)
def test_a_code_that_cannot_be_read_is_a_page_saying_why_the_code_kept_in_the_box(
    signed_in: Callable[[str], TestClient], code: str, status: int, message: str
) -> None:
    answer = signed_in("admin").get("/console/search", params={"code": code})
    assert answer.status_code == status
    page = answer.text
    assert message.replace("'", "&#39;") in page
    assert text_of(page, r'<p class="error" role="alert" id="search-error">(.*?)</p>')[0]
    box = re.search(r'<input id="console-search"[^>]*>', page)
    assert box is not None
    assert 'aria-describedby="search-error"' in box.group(0)
    if code.strip() and len(code) < 100:
        escaped = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f'value="{escaped.strip()}' in box.group(0) or f'value="{escaped}' in box.group(0)
    assert "<script>alert" not in page


@settings(max_examples=60, deadline=None)
@given(code=st.text(max_size=80) | st.from_regex(r"\(01\)\d{14}\(21\)[!-~]{0,24}", fullmatch=True))
def test_whatever_is_typed_into_the_box_is_answered_never_with_a_fault(
    signed_in: Callable[[str], TestClient], code: str
) -> None:
    answer = signed_in("dist-a").get("/console/search", params={"code": code})
    assert answer.status_code in (303, 400, 404), answer.text
    if answer.status_code == 303:
        followed = signed_in("dist-a").get(answer.headers["location"])
        assert followed.status_code in (200, 303, 400, 403, 404), followed.text


# --- the unit page -----------------------------------------------------------------------------


def test_a_units_page_shows_its_state_lot_packing_custodian_history_and_scans(
    demo: Demo, signed_in: Callable[[str], TestClient]
) -> None:
    unit = demo.units[CLONED_SEQ]  # on the pallet shipped to dist-a; scanned in KL, then London
    answer = signed_in("admin").get(unit.path)
    assert answer.status_code == 200
    page = answer.text
    assert text_of(page, r"<h1>(.*?)</h1>") == [f"Unit (01){GTIN}(21){unit.serial}"]
    assert 'aria-current="page"' not in page  # a unit's page is in no section of the navigation
    assert re.findall(r'data-state="(\w+)"', page) == ["active"]
    assert re.findall(r'<a href="([^"]+)" data-field="lot">(\w+)</a>', page) == [
        (f"/console/lots/{GTIN}/L2611A", "L2611A")
    ]
    assert "expires 2028-06-30" in page
    assert text_of(page, r'data-field="custodian">(.*?)</div>') == [
        "Distributor A (Kuala Lumpur &amp; Selangor)"
    ]
    assert '<a href="/console/parties/dist-a">Distributor A' in page
    assert text_of(page, r'<ul class="packing">(.*?)</ul>') == [
        f"case (01)19506000134359(21)C0001 (50 units inside) SSCC {PALLET} (500 units inside)"
    ]
    # the history, newest first: shipped to dist-a (the pallet), packed in its case, commissioned
    assert re.findall(r'<li data-step="(\w+)">', page) == ["shipping", "packing", "commissioning"]
    assert text_of(page, r'<li data-step="shipping">.*?<strong>(.*?)</span>') == [
        "shipping → in_transit ObjectEvent OBSERVE · for dist-a · recorded by test-setup"
    ]
    # its scans, newest first, as a table and as the map's points, oldest first and joined
    assert text_of(page, r'<table class="data scans">.*?<tbody>(.*?)</tbody>')[0].count("UTC") == 2
    assert re.findall(r'class="badge verdict-(\w+)"', page) == ["suspicious", "genuine"]
    figures = json.loads(re.findall(r'<script type="application/json">(.*?)</script>', page)[0])
    assert figures["areas"] == {"GB-ENG": 1, "MY-14": 1}
    assert [(p["lat"], p["lon"], p["verdict"]) for p in figures["points"]] == [
        (3.139, 101.6869, "genuine"),
        (51.5072, -0.1276, "suspicious"),
    ]
    assert figures["trail"] is True
    assert 'src="/static/console-map.js?v=' in page


@pytest.mark.parametrize(
    ("user", "seq", "status"),
    [
        ("admin", CLONED_SEQ, 200),
        ("line", CLONED_SEQ, 200),
        ("dist-a", CLONED_SEQ, 200),
        ("dist-b", GREY_MARKET_SEQ, 200),
        # another party's unit, and the brand's own: as if unknown
        ("dist-b", CLONED_SEQ, 404),
        ("dist-a", GREY_MARKET_SEQ, 404),
        ("dist-a", 901, 404),
        ("verifier", CLONED_SEQ, 403),
    ],
)
def test_who_may_open_a_unit_is_the_apis_rule(
    demo: Demo, signed_in: Callable[[str], TestClient], user: str, seq: int, status: int
) -> None:
    unit = demo.units[seq]
    answer = signed_in(user).get(unit.path)
    assert answer.status_code == status
    if status == 404:
        # the same words as for a serial that was never issued: nothing says the unit exists
        unknown = signed_in(user).get(f"/console/units/{GTIN}/NEVERISSUED1")
        assert text_of(answer.text, r'<p class="error" role="alert">(.*?)</p>') == [
            f"unit (01){GTIN}(21){unit.serial} is not registered"
        ]
        assert text_of(unknown.text, r'<p class="error" role="alert">(.*?)</p>') == [
            f"unit (01){GTIN}(21)NEVERISSUED1 is not registered"
        ]
        assert "Distributor" not in answer.text.split('id="content"')[1]


def test_a_distributors_user_sees_its_own_units_custodian_linked_and_no_other_party(
    demo: Demo, signed_in: Callable[[str], TestClient]
) -> None:
    page = signed_in("dist-b").get(demo.units[DIST_B_SEQS[0]].path).text
    assert '<a href="/console/parties/dist-b">Distributor B (Singapore)</a>' in page
    # the line's users see the custodian without a link to a page they may not open
    page = signed_in("line").get(demo.units[CLONED_SEQ].path).text
    assert "/console/parties/" not in page
    assert text_of(page, r'data-field="custodian">(.*?)</div>') == [
        "Distributor A (Kuala Lumpur &amp; Selangor)"
    ]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (f"/console/units/{GTIN[:-1]}3/X1", 400, "gtin: AI (01): check digit 2 expected, got 3"),
        ("/console/units/12345/X1", 400, "gtin: "),
        (
            f"/console/units/{GTIN}/{'S' * 21}",
            400,
            "serial: AI (21): 21 characters given, at most 20",
        ),
        (f"/console/units/{GTIN}/{quote('bad serial')}", 400, "serial: "),
        (f"/console/units/{GTIN}/{quote('<script>')}", 404, "(21)&lt;script&gt; is not registered"),
        (
            "/console/units/09506000134383/X1",
            404,
            "unit (01)09506000134383(21)X1 is not registered",
        ),
        (f"/console/units/{GTIN}/{quote('A/B', safe='')}", 404, f"(01){GTIN}(21)A/B is not"),
        ("/console/containers/(00)095060001234567894", 400, "check digit"),
        ("/console/containers/(00)095060001234567909", 404, "is not registered"),
        ("/console/containers/" + quote("<b>x</b>"), 400, "&lt;b&gt;x&lt;/b&gt;"),
    ],
)
def test_a_malformed_or_unknown_unit_or_container_is_a_page_saying_so(
    signed_in: Callable[[str], TestClient], path: str, status: int, message: str
) -> None:
    answer = signed_in("admin").get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert message in answer.text.replace("&#39;", "'")
    assert "<script>" not in answer.text.split('id="content"')[1].replace(
        '<script type="application/json">', ""
    )


def test_anonymous_callers_are_sent_to_sign_in(demo: Demo) -> None:
    with TestClient(demo.app, follow_redirects=False) as stranger:
        for path in (demo.units[CLONED_SEQ].path, "/console/search?code=x", "/console/parties"):
            answer = stranger.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/console/login?next=")


# --- cases and pallets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "code", "status", "units"),
    [
        ("admin", PALLET, 200, "500"),
        ("dist-a", PALLET, 200, "500"),
        ("admin", "(01)19506000134359(21)C0001", 200, "50"),
        ("dist-b", PALLET, 404, None),
        ("verifier", PALLET, 403, None),
    ],
)
def test_a_case_or_pallet_shows_what_it_holds_to_whoever_may_see_it(
    signed_in: Callable[[str], TestClient], user: str, code: str, status: int, units: str | None
) -> None:
    answer = signed_in(user).get(f"/console/containers/{code}")
    assert answer.status_code == status
    if units is not None:
        assert re.findall(r'data-field="units">([\d,]+)<', answer.text) == [units]
