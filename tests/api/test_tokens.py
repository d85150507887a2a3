"""GET /api/tokens (admin): every token with who it is for and when it was last used, never
its secret; a token's use recorded off the request and the event loop, at most once per few
minutes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from unitrace.services import tokens
from unitrace.store.schema import api_tokens
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
FIELDS = ["id", "role", "party", "label", "created_at", "last_used_at", "revoked_at"]


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """Each last-use write the service makes: the token's id, and whether it ran with an
    event loop running in its thread."""
    writes: list[tuple[int, bool]] = []
    record_use = tokens.record_use

    def spying(database: Database, token_id: int, at: dt.datetime) -> None:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        writes.append((token_id, on_loop))
        record_use(database, token_id, at)

    monkeypatch.setattr(tokens, "record_use", spying)
    return writes


def test_tokens_are_listed_for_an_admin_without_their_secret(
    client: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    made = client.post("/api/tokens", json={"role": "line", "label": "line 2"}, headers=admin)
    line_token = made.json()["token"]
    assert client.delete(f"/api/tokens/{made.json()['id']}", headers=admin).status_code == 204
    settle(client)
    answer = client.get("/api/tokens", headers=admin)
    assert answer.status_code == 200
    listed: list[dict[str, Any]] = answer.json()
    assert [list(t) for t in listed] == [FIELDS, FIELDS]
    assert [
        (t["id"], t["role"], t["party"], t["label"], t["revoked_at"] is None) for t in listed
    ] == [(1, "admin", None, None, True), (2, "line", None, "line 2", False)]
    # the admin token was used (it made this very list); the line token never
    assert [t["last_used_at"] is not None for t in listed] == [True, False]
    assert line_token not in answer.text
    assert admin["Authorization"].split()[1] not in answer.text


@pytest.mark.parametrize(("role", "status"), [("line", 403), ("verifier", 403), (None, 401)])
def test_only_an_admin_lists_tokens(
    client: TestClient, token_for: Callable[..., Headers], role: str | None, status: int
) -> None:
    headers = token_for(role) if role else {}
    answer = client.get("/api/tokens", headers=headers)
    assert (answer.status_code, answer.headers["content-type"]) == (
        status,
        "application/problem+json",
    )


def test_a_tokens_use_is_recorded_once_per_five_minutes_off_the_event_loop(
    client: TestClient,
    database: Database,
    token_for: Callable[..., Headers],
    recorded: list[tuple[int, bool]],
) -> None:
    reader = token_for("admin")
    answers = [client.get("/api/alerts", headers=reader).status_code for _ in range(10)]
    assert answers == [200] * 10
    settle(client)
    assert recorded == [(1, False)]  # one write for ten reads, in a worker thread
    # five minutes on, the next read records the use again
    with database.engine.begin() as connection:
        connection.execute(
            update(api_tokens).values(
                last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5, seconds=1)
            )
        )
    client.get("/api/alerts", headers=reader)
    settle(client)
    client.get("/api/alerts", headers=reader)
    settle(client)
    assert recorded == [(1, False), (1, False)]
    with database.unit_of_work(read_only=True) as uow:
        (row,) = uow.tokens.listed()
    last = (
        row.last_used_at.replace(tzinfo=dt.UTC)
        if row.last_used_at.tzinfo is None
        else row.last_used_at
    )
    assert dt.datetime.now(dt.UTC) - last < dt.timedelta(seconds=30)


def test_an_unknown_or_revoked_token_records_nothing(
    client: TestClient, admin: Headers, recorded: list[tuple[int, bool]]
) -> None:
    made = client.post("/api/tokens", json={"role": "verifier"}, headers=admin).json()
    client.delete(f"/api/tokens/{made['id']}", headers=admin)
    recorded.clear()
    for token in ("ut_unknown", made["token"]):
        answer = client.get("/api/alerts", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
    settle(client)
    assert recorded == []


def settle(client: TestClient) -> None:
    """Wait for the uses the service was handed to be written."""
    uses: tokens.TokenUses = client.app.state.token_uses  # type: ignore[attr-defined]
    uses.settle()
