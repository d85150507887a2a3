"""The front door: ``/`` is a landing page for a browser and an index for a JSON client, and
``/verify`` takes a code in any form to its page on this service's own resolver."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_at_the_front_door_gets_the_landing_page(client: TestClient) -> None:
    answer = client.get("/", headers={"Accept": BROWSER})
    assert (answer.status_code, answer.headers["content-type"]) == (200, "text/html; charset=utf-8")
    page = answer.text
    for shown in ('<form method="get" action="/verify"', 'name="code"', 'href="/docs"'):
        assert shown in page
    assert "default-src 'none'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize("accept", ["application/json", "*/*", ""])
def test_a_json_client_at_the_front_door_gets_an_index(client: TestClient, accept: str) -> None:
    answer = client.get("/", headers={"Accept": accept})
    body = answer.json()
    assert (answer.status_code, body["name"], body["links"]["docs"], body["links"]["scans"]) == (
        200,
        "unitrace",
        "/docs",
        "/api/scans",
    )


# (code as typed, where the browser is sent)
CODES = [
    ("(01)09506000134352(21)ABC/1(17)281231", "/01/09506000134352/21/ABC%2F1?17=281231"),
    ("https://id.gs1.org/01/09506000134352/21/X1", "/01/09506000134352/21/X1"),
    ("urn:epc:id:sgtin:9506000.013435.X1", "/01/09506000134352/21/X1"),
    ("(00)095060001234567893", "/00/095060001234567893"),
]


@pytest.mark.parametrize(("code", "location"), CODES)
def test_a_code_in_any_form_is_sent_to_its_page_here(
    client: TestClient, code: str, location: str
) -> None:
    answer = client.get("/verify", params={"code": code}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, location)


@pytest.mark.parametrize("code", ["hello", "(01)09506000134353(21)X1", ""])
def test_what_is_no_code_gets_the_bad_code_page(client: TestClient, code: str) -> None:
    answer = client.get("/verify", params={"code": code}, follow_redirects=False)
    assert (answer.status_code, answer.headers["content-type"]) == (
        400,
        "text/html; charset=utf-8",
    )
    assert "Not a valid product code" in answer.text
