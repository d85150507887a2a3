"""A recall's notices to parties' endpoints (signed as EPCIS subscription deliveries are, to
destinations the webhook rule allows) and its PDF report, read back as text."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.api.test_recalls import LOT_SCOPE, opened, written
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.trace_scene import build_trace_scene
from unitrace.services.epcis_query.delivery import signature
from unitrace.services.recall.notices import RecallNotices
from unitrace.services.webhooks import WebhookDestinations, WebhookTarget
from unitrace.store.unit_of_work import Database

Headers = Callable[..., dict[str, str]]
TOKEN = "a-signing-token-of-dist-b"
PUBLIC = "93.184.216.34"


@pytest.fixture
def traced(scene: Database) -> Database:  # noqa: F811 - the scene fixture
    return build_trace_scene(scene)


@pytest.fixture
def sent(client: TestClient) -> list[tuple[str, bytes, Mapping[str, str]]]:
    """What the service POSTs, instead of POSTing it; hosts resolve to a public address."""
    posts: list[tuple[str, bytes, Mapping[str, str]]] = []

    def post(target: WebhookTarget, body: bytes, headers: Mapping[str, str]) -> int:
        posts.append((target.url, body, headers))
        return 500 if "broken" in target.url else 204

    destinations = WebhookDestinations(resolve=lambda host, port: [PUBLIC])
    state: Any = client.app.state  # type: ignore[attr-defined]
    state.webhook_destinations = destinations
    state.recall_notices = RecallNotices(destinations, post, in_background=False)
    return posts


def endpoint(client: TestClient, headers: dict[str, str], party: str, url: str | None) -> Any:
    return client.put(
        f"/api/parties/{party}/recall-endpoint",
        json={"url": url, "signature_token": TOKEN},
        headers=headers,
    )


def test_each_party_gets_its_task_signed(
    traced: Database, client: TestClient, admin: dict[str, str], sent: list[Any]
) -> None:
    assert (
        endpoint(client, admin, "dist-b", "https://hooks.dist-b.example/recalls").status_code == 204
    )
    body = opened(client, admin).json()
    ((url, data, headers),) = sent
    assert url == "https://hooks.dist-b.example/recalls"
    assert headers["GS1-Signature"] == signature(data, TOKEN)
    notice = json.loads(data)
    assert {k: notice[k] for k in ("type", "recall", "party", "units", "reason")} == {
        "type": "recall",
        "recall": 1,
        "party": "dist-b",
        "units": 5,
        "reason": "Seal may leak",
    }
    assert body["affected"]["by_custodian"][0]["notice"] == "sent"


def test_a_failed_notice_is_recorded_on_the_task(
    traced: Database, client: TestClient, admin: dict[str, str], sent: list[Any]
) -> None:
    endpoint(client, admin, "dist-b", "https://broken.example/")
    assert opened(client, admin).json()["affected"]["by_custodian"][0]["notice"] == "failed"


@pytest.mark.parametrize(
    ("role", "party", "url", "status", "detail"),
    [
        ("admin", "dist-b", "http://127.0.0.1/hook", 422, "loopback"),
        ("admin", "dist-b", "ftp://hooks.example/", 422, "only http:// and https://"),
        ("admin", "dist-b", "https://user:pw@hooks.example/", 422, "credentials"),
        ("admin", "nobody", "https://hooks.example/", 404, "party: nobody is not registered"),
        ("distributor", "dist-b", "https://hooks.example/", 403, "may not recall"),
    ],
)
def test_refused_endpoints(
    traced: Database,
    client: TestClient,
    token_for: Headers,
    sent: list[Any],
    role: str,
    party: str,
    url: str,
    status: int,
    detail: str,
) -> None:
    headers = token_for(role, "dist-b" if role == "distributor" else None)
    answer = endpoint(client, headers, party, url)
    assert answer.status_code == status
    assert detail in answer.json()["detail"]


def test_the_report_tells_scope_timeline_parties_and_effectiveness(
    traced: Database, client: TestClient, admin: dict[str, str], token_for: Headers
) -> None:
    opened(client, admin, LOT_SCOPE, classification="II", markets=["MY"])
    client.post(
        "/api/recalls/1/responses",
        json={"acknowledged": True, "on_hand": 5, "note": "quarantined"},
        headers=token_for("distributor", "dist-b"),
    )
    client.post("/api/recalls/1/close", json={"reason": "all accounted for"}, headers=admin)
    answer = client.get("/api/recalls/1/report.pdf", headers=admin)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(answer.content)).pages
    )
    for said in (
        "Recall 1: report",
        "Seal may leak",
        "Classification II",
        "Markets MY",
        "lot (01)09506000134352(10)L1",
        "Opened: 33 units blocked",
        "dist-b answered: acknowledged yes, on hand 5, returned 0, destroyed 0, completed no; "
        "quarantined",
        "Closed: all accounted for",
        "Affected 33",
        "Recovered 3 (9.1 %)",
        "destroyed (destroying events) 1",
        "Still out 30",
    ):
        assert said in text


def test_the_report_gives_texts_too_long_for_its_tables_in_full_after_them(
    traced: Database, client: TestClient, admin: dict[str, str], token_for: Headers
) -> None:
    """A note, a reason or instructions of the longest each may be, in words or one word."""
    words = " ".join(f"w{n:03d}" for n in range(800))  # 3,999 characters
    assert opened(client, admin, LOT_SCOPE, reason=words[:3990], instructions="I" * 4000)
    dist_b = token_for("distributor", "dist-b")
    for _ in range(3):
        answered = client.post(
            "/api/recalls/1/responses",
            json={"acknowledged": True, "note": "N" * 1990 + "the end"},
            headers=dist_b,
        )
        assert answered.status_code == 200, answered.text
    answer = client.get("/api/recalls/1/report.pdf", headers=admin)
    assert answer.status_code == 200
    text = "".join(
        "".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(answer.content)).pages
    )
    assert "Textsinfull" in text
    assert "".join(words[:3990].split()) in text
    assert text.count("theend") == 3


def test_the_report_is_refused_to_whom_the_recall_is_unknown(
    traced: Database, client: TestClient, admin: dict[str, str], token_for: Headers
) -> None:
    opened(client, admin)
    before = written(traced)
    dist_a = token_for("distributor", "dist-a")
    assert client.get("/api/recalls/1/report.pdf", headers=dist_a).status_code == 404
    assert client.get("/api/recalls/2/report.pdf", headers=admin).status_code == 404
    assert client.get("/api/recalls/1/report.pdf").status_code == 401
    assert written(traced) == before
