"""The console's alert pages over HTTP: who may open them (the API's rules: an admin sees
every alert, a distributor's user its own party's and no other's, the other roles none), the
filters and their messages, an alert's evidence and scans, and the triage form: a reason for
each move, the API's messages next to the field, nothing changed on a refusal or a forged
form."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.api.console import alerts as alert_pages
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog, lifecycle
from unitrace.services.console_users import create_user
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.tokens import create_token
from unitrace.services.verification import ScanRequest, verify
from unitrace.store.unit_of_work import Database

SYSTEM = Actor("test-setup", Role.ADMIN)
GTIN = "09506000134352"
PASSWORD = "console test password"
USERS = {
    "admin": ("admin", None),
    "line": ("line", None),
    "verifier": ("verifier", None),
    "dist-a": ("distributor", "dist-a"),
    "dist-b": ("distributor", "dist-b"),
}
#: The alerts the scans below raise, by id: (type, party).
ALERTS = {1: ("grey_market", "dist-b"), 2: ("clone", "dist-a"), 3: ("grey_market", "dist-a")}
KUALA_LUMPUR, LONDON = (3.139, 101.6869), (51.5072, -0.1276)
SignedIn = Callable[[str], TestClient]


@pytest.fixture
def scanned_at(database: Database) -> dt.datetime:
    """Six units, three at Distributor A (Kuala Lumpur & Selangor), three at Distributor B
    (Singapore); one of B's scanned in Kuala Lumpur (alert 1), one of A's in Kuala Lumpur and
    14 minutes later in London (alerts 2, the clone, and 3): the time of the first scan."""
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(
        hour=12, minute=3, second=0, microsecond=0
    )  # noon, so the scans 14 minutes apart fall on one day whenever the suite runs
    with database.unit_of_work() as uow:
        catalog.register_product(
            uow, gtin=GTIN, name="Vitamin C", company_prefix_length=7,
            target_markets=("MY", "SG"), actor=SYSTEM,
        )  # fmt: skip
        for party, name, territory in (
            ("dist-a", "Distributor A", ("MY-14", "MY-10")),
            ("dist-b", "Distributor B", ("SG",)),
        ):
            catalog.register_party(
                uow, id=party, name=name, role="distributor", territory=territory, actor=SYSTEM
            )
        catalog.register_lot(uow, gtin=GTIN, lot="L1", expiry=dt.date(2030, 1, 31), actor=SYSTEM)
        issued = issue_serials(uow, gtin=GTIN, lot="L1", count=6, commission=True, actor=SYSTEM)
        for party, (first, last) in (("dist-a", (1, 3)), ("dist-b", (4, 6))):
            lifecycle.allocate(
                uow, party=party, gtin=GTIN, lot="L1", seq_from=first, seq_to=last, actor=SYSTEM
            )
        codes = [code.identity.hri() for code in request_codes(uow, issued.id)]
        for code, (lat, lon), client, minutes in (
            (codes[3], KUALA_LUMPUR, "phone-1", 0),
            (codes[0], KUALA_LUMPUR, "phone-2", 1),
            (codes[0], LONDON, "phone-3", 15),
        ):
            when = at + dt.timedelta(minutes=minutes)
            verify(uow, ScanRequest(code=code, latitude=lat, longitude=lon, client=client, at=when))
        uow.commit()
    return at


@pytest.fixture
def signed_in(database: Database, scanned_at: dt.datetime) -> SignedIn:
    """A client of the console signed in as one of :data:`USERS`."""

    def sign_in(name: str) -> TestClient:
        role, party = USERS[name]
        with database.unit_of_work() as uow:
            if uow.console_users.by_email(f"{name}@console.example") is None:
                create_user(
                    uow, email=f"{name}@console.example", password=PASSWORD, role=role,
                    party=party, actor=SYSTEM,
                )  # fmt: skip
                uow.commit()
        client = TestClient(create_app(database, Settings()))
        client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={
                "email": f"{name}@console.example",
                "password": PASSWORD,
                "csrf": client.cookies["unitrace_sign_in"],
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return client

    return sign_in


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def alert_links(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'<a href="/console/alerts/(\d+)">', page)]


def field_error(page: str, field: str) -> str | None:
    found = re.search(rf'<span class="field-error" id="{field}-error"[^>]*>([^<]*)</span>', page)
    return None if found is None else found.group(1)


def api_alert(database: Database, client: TestClient, alert_id: int) -> dict[str, Any]:
    with database.unit_of_work() as uow:
        token = create_token(uow, role="admin", actor=SYSTEM)
        uow.commit()
    answer = client.get(f"/api/alerts/{alert_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "listing", "alert_1", "alert_2"),
    [
        ("admin", 200, 200, 200),
        ("dist-a", 200, 404, 200),
        ("dist-b", 200, 200, 404),
        ("line", 403, 403, 403),
        ("verifier", 403, 403, 403),
    ],
)
def test_each_role_opens_the_alert_pages_the_api_would_show_it(
    signed_in: SignedIn, user: str, listing: int, alert_1: int, alert_2: int
) -> None:
    client = signed_in(user)
    statuses = [client.get(path).status_code for path in ("/console/alerts", *ALERT_PATHS)]
    assert statuses == [listing, alert_1, alert_2]
    # the navigation offers the section to those it opens for
    offered = '<a href="/console/alerts"' in client.get("/console").text
    assert offered is (listing == 200)


ALERT_PATHS = ("/console/alerts/1", "/console/alerts/2")


@pytest.mark.parametrize("path", ["/console/alerts", *ALERT_PATHS])
def test_a_stranger_is_sent_to_sign_in(database: Database, path: str) -> None:
    client = TestClient(create_app(database, Settings()))
    answer = client.get(path, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/console/login?next={path}",
    )


def test_a_distributors_user_lists_only_its_own_partys_alerts(signed_in: SignedIn) -> None:
    dist_a, dist_b = signed_in("dist-a"), signed_in("dist-b")
    assert alert_links(dist_a.get("/console/alerts").text) == [3, 2]
    assert alert_links(dist_b.get("/console/alerts").text) == [1]
    # another party's alerts are none of its own, as the API answers such a filter
    asked = dist_a.get("/console/alerts", params={"party": "dist-b"})
    assert (asked.status_code, alert_links(asked.text)) == (200, [])
    assert "No alerts match these filters." in asked.text
    # nor does the page offer a party filter
    assert 'name="party"' not in dist_a.get("/console/alerts").text


def test_another_partys_alert_is_not_found_and_shows_nothing_of_it(signed_in: SignedIn) -> None:
    dist_a = signed_in("dist-a")
    page = dist_a.get("/console/alerts/1")
    assert page.status_code == 404
    assert "alert: 1 does not exist" in page.text
    assert "dist-b" not in page.text.replace("dist-b@console.example", "")
    assert "Singapore" not in page.text
    assert "phone-1" not in page.text
    # nor may it move it (404, as reading), nor its own (403: only the brand's admins do)
    form = csrf_of(dist_a.get("/console/alerts/3").text)
    refused = [
        dist_a.post(f"/console/alerts/{n}", data={"csrf": form, "status": "closed", "reason": "x"})
        for n in (1, 3)
    ]
    assert [answer.status_code for answer in refused] == [404, 403]
    assert "a distributor may not update alerts; needs admin" in refused[1].text
    own = dist_a.get("/console/alerts/3").text
    assert "Move this alert on" not in own
    assert "Only the brand's admins" in own


# --- the list, its filters and their messages -----------------------------------------------


def test_the_list_counts_the_filtered_alerts_by_status_and_type(
    signed_in: SignedIn, scanned_at: dt.datetime
) -> None:
    admin = signed_in("admin")
    page = admin.get("/console/alerts").text
    assert alert_links(page) == [3, 2, 1]
    assert '<p class="figure">3</p>' in page
    assert counts(page) == {"new": 3, "investigating": 0, "closed": 0, "Grey market": 2, "Clone": 1}
    assert '<a class="code" href="/console/units/09506000134352/' in page
    assert '<a href="/console/parties/dist-b">dist-b</a>' in page
    day = scanned_at.strftime("%-d %b %Y")
    assert f"{day}, {scanned_at:%H:%M} UTC" in page
    for params, shown in [
        ({"type": "clone"}, [2]),
        ({"type": "grey_market", "party": "dist-a"}, [3]),
        ({"status": "closed"}, []),
        ({"gtin": GTIN, "status": "new"}, [3, 2, 1]),
        ({"gtin": "09506000134369"}, []),
        ({"from": f"{scanned_at:%Y-%m-%d}", "to": f"{scanned_at:%Y-%m-%d}"}, [3, 2, 1]),
        ({"to": f"{scanned_at - dt.timedelta(days=1):%Y-%m-%d}"}, []),
        ({"from": f"{scanned_at + dt.timedelta(days=2):%Y-%m-%d}"}, []),
    ]:
        answer = admin.get("/console/alerts", params=params)
        assert (answer.status_code, alert_links(answer.text)) == (200, shown), params
    filtered = admin.get("/console/alerts", params={"party": "dist-a"}).text
    assert counts(filtered) == {
        "new": 2, "investigating": 0, "closed": 0, "Grey market": 1, "Clone": 1,
    }  # fmt: skip


def counts(page: str) -> dict[str, int]:
    found = re.findall(r"<li>(?:<span class=\"badge [^\"]+\">)?([\w ]+?)(?:</span>)? "
                       r"<span class=\"count\">([\d,]+)</span></li>", page)  # fmt: skip
    return {name: int(count.replace(",", "")) for name, count in found}


def test_the_list_is_paged(signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alert_pages, "PAGE_SIZE", 2)
    admin = signed_in("admin")
    first = admin.get("/console/alerts", params={"gtin": GTIN}).text
    assert alert_links(first) == [3, 2]
    assert "Alerts 1\u20132 of 3" in first
    assert f'href="/console/alerts?gtin={GTIN}&amp;page=2" rel="next"' in first
    second = admin.get("/console/alerts", params={"gtin": GTIN, "page": "2"}).text
    assert alert_links(second) == [1]
    assert f'href="/console/alerts?gtin={GTIN}" rel="prev"' in second
    beyond = admin.get("/console/alerts", params={"page": "9"}).text
    assert "No alerts on this page" in beyond
    assert alert_links(beyond) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"type": "cloned"}, "type", "type: &#39;cloned&#39; is not an alert type (clone, "),
        ({"status": "open"}, "status", "status: &#39;open&#39; is not new, investigating or"),
        ({"gtin": "123"}, "gtin", "gtin: "),
        ({"party": "dist-z"}, "party", "party: &#39;dist-z&#39; is not a registered party"),
        ({"from": "yesterday"}, "from", "from: &#39;yesterday&#39; is not a date (YYYY-MM-DD)"),
        ({"to": "2026-02-30"}, "to", "to: &#39;2026-02-30&#39; is not a date (YYYY-MM-DD)"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to", "to: 2026-03-01 is before from"),
        ({"to": "9999-12-31", "from": "0001-01-01"}, None, None),
        ({"type": "<script>alert(1)</script>"}, "type", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
def test_a_filter_not_understood_is_named_next_to_its_field(
    signed_in: SignedIn, params: dict[str, str], field: str | None, message: str | None
) -> None:
    answer = signed_in("admin").get("/console/alerts", params=params)
    if field is None:
        assert (answer.status_code, alert_links(answer.text)) == (200, [3, 2, 1])
        return
    assert answer.status_code == 400
    assert message is not None
    assert message in (field_error(answer.text, field) or "")
    assert f'aria-describedby="{field}-error"' in answer.text
    assert "<script>alert" not in answer.text
    # no alert is listed under filters not understood
    assert alert_links(answer.text) == []


@pytest.mark.parametrize("page", ["0", "-1", "two", "99999999999999999999", "²"])
def test_a_page_number_not_understood_is_said_not_failed(signed_in: SignedIn, page: str) -> None:
    answer = signed_in("admin").get("/console/alerts", params={"page": page})
    assert answer.status_code == 400
    assert "is not a page number from 1 to 1,000,000" in answer.text


# --- an alert's page ------------------------------------------------------------------------


def test_the_clones_page_tells_its_evidence_and_draws_its_trail(
    signed_in: SignedIn, scanned_at: dt.datetime
) -> None:
    page = signed_in("admin").get("/console/alerts/2").text
    assert (
        f"Scanned in Kuala Lumpur (MY-14) at {scanned_at + dt.timedelta(minutes=1):%H:%M} UTC"
        f" on {scanned_at:%-d %b %Y}, then in London (GB-ENG) 14 minutes later: 10,546 km "
        "apart, faster than any flight."
    ) in page
    drawn = re.search(r'<div data-map[^>]*>\s*<script type="application/json">(.*?)</script>', page)
    assert drawn is not None
    data = json.loads(drawn.group(1))
    assert data["trail"] is True
    assert "territory" not in data
    assert data["areas"] == {"GB-ENG": 1, "MY-14": 1}
    assert [(p["lat"], p["lon"], p["verdict"]) for p in data["points"]] == [
        (*KUALA_LUMPUR, "genuine"),
        (*LONDON, "suspicious"),
    ]
    timeline = page[page.index('<ol class="timeline scans">') :]
    assert timeline.index("Kuala Lumpur (MY-14)") < timeline.index("London (GB-ENG)")


def test_the_grey_market_page_sets_the_scan_against_the_territory(signed_in: SignedIn) -> None:
    page = signed_in("dist-b").get("/console/alerts/1").text
    assert (
        "Scanned in Kuala Lumpur (MY-14), outside the territory of Distributor B (SG), the "
        "distributor holding it: the pack left its market."
    ) in page
    drawn = re.search(r'<script type="application/json">(.*?)</script>', page)
    assert drawn is not None
    assert '"territory": ["SG"]' in drawn.group(1)
    assert '"trail": false' in drawn.group(1)
    assert '<td>MY-14</td><td class="number">1</td>' in page
    assert "<strong>no</strong>" in page


@pytest.mark.parametrize(
    "number", ["abc", "0", "99", "99999999999999999999", "%3Cscript%3E", "-1", "%C2%B2", "1.0"]
)
def test_an_alert_that_is_not_is_a_404_page(signed_in: SignedIn, number: str) -> None:
    answer = signed_in("admin").get(f"/console/alerts/{number}")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "does not exist" in answer.text
    assert "<script>" not in answer.text


# --- triage ---------------------------------------------------------------------------------


def test_an_admin_moves_an_alert_on_with_a_reason_each_time(
    database: Database, signed_in: SignedIn
) -> None:
    admin = signed_in("admin")
    token = csrf_of(admin.get("/console/alerts/2").text)
    empty = admin.post("/console/alerts/2", data={"csrf": token, "status": "investigating"})
    assert empty.status_code == 400
    assert field_error(empty.text, "reason") == (
        "reason: moving an alert to investigating needs a reason"
    )
    assert api_alert(database, admin, 2)["status"] == "new"
    moved = admin.post(
        "/console/alerts/2",
        data={"csrf": token, "status": "investigating", "reason": "asked Distributor A"},
        follow_redirects=False,
    )
    assert (moved.status_code, moved.headers["location"]) == (
        303,
        "/console/alerts/2?moved=investigating",
    )
    page = admin.get(moved.headers["location"]).text
    assert '<p class="notice" role="status">Alert 2 moved to investigating.</p>' in page
    assert 'by admin@console.example: <q class="reason">asked Distributor A</q>' in page
    # the form offers what is left: closing
    assert re.findall(r'<option value="(\w+)"', page[page.index("move-status") :]) == ["closed"]
    again = admin.post(
        "/console/alerts/2", data={"csrf": token, "status": "investigating", "reason": "again"}
    )
    assert again.status_code == 409
    assert field_error(again.text, "status") == (
        "alert 2 is investigating: it is investigating already"
    )
    blank = admin.post("/console/alerts/2", data={"csrf": token, "status": "closed", "reason": " "})
    assert field_error(blank.text, "reason") == "reason: closing an alert needs a reason"
    long = admin.post(
        "/console/alerts/2", data={"csrf": token, "status": "closed", "reason": "x" * 1001}
    )
    assert field_error(long.text, "reason") == "reason: longer than 1000 characters"
    closed = admin.post(
        "/console/alerts/2",
        data={"csrf": token, "status": "closed", "reason": "a <b>copied</b> label"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    page = admin.get("/console/alerts/2").text
    assert "a &lt;b&gt;copied&lt;/b&gt; label" in page
    assert "<b>copied" not in page
    assert "Move this alert on" not in page
    seen = api_alert(database, admin, 2)
    assert (seen["status"], seen["closed_reason"]) == ("closed", "a <b>copied</b> label")
    # a closed alert stays closed
    reopened = admin.post("/console/alerts/2", data={"csrf": token, "status": "new", "reason": "x"})
    assert reopened.status_code == 409
    assert "alert 2 is closed: a closed alert stays closed" in reopened.text


@pytest.mark.parametrize("status", ["reopened", "", "<i>x</i>"])
def test_a_move_to_no_status_is_refused_next_to_the_field(
    database: Database, signed_in: SignedIn, status: str
) -> None:
    admin = signed_in("admin")
    token = csrf_of(admin.get("/console/alerts/1").text)
    answer = admin.post("/console/alerts/1", data={"csrf": token, "status": status, "reason": "r"})
    assert answer.status_code == 400
    assert "is not new, investigating or closed" in (field_error(answer.text, "status") or "")
    assert "<i>x" not in answer.text
    assert api_alert(database, admin, 1)["status"] == "new"


@pytest.mark.parametrize("csrf", [None, "", "forged"])
def test_a_move_without_the_forms_token_is_refused_and_changes_nothing(
    database: Database, signed_in: SignedIn, csrf: str | None
) -> None:
    admin = signed_in("admin")
    data = {"status": "closed", "reason": "closing"} | ({"csrf": csrf} if csrf is not None else {})
    answer = admin.post("/console/alerts/1", data=data)
    assert answer.status_code == 403
    assert api_alert(database, admin, 1)["status"] == "new"


def test_a_move_of_an_alert_that_is_not_is_a_404_page(signed_in: SignedIn) -> None:
    admin = signed_in("admin")
    token = csrf_of(admin.get("/console/alerts").text)
    for path in ("/console/alerts/x", "/console/alerts/42", "/console/alerts/2147483648"):
        answer = admin.post(path, data={"csrf": token, "status": "closed", "reason": "r"})
        assert answer.status_code == 404, path
