"""``GET /api/serial-requests/{id}/codes`` sends, as it reads them, the very bytes and headers
a code file of the request's rows has always had; an unknown request is a 404 before any row,
and only the line and admins may read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RESOLVER
from tests.gs1.strategies import CSET82
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.serialization import code_file, issue_serials, request_codes
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
ADMIN = Actor("ada", Role.ADMIN)
Headers = dict[str, str]


@pytest.fixture
def issued(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """2,500 units over a few fetches, serials of all of CSET 82, a lot a CSV quotes."""
    monkeypatch.setattr("unitrace.store.issuance._ROWS_PER_FETCH", 1_000)
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN, name="Tea", actor=ADMIN, serial_length=10, serial_alphabet=CSET82
        )
        register_lot(uow, gtin=GTIN, lot='L,1"(', expiry=dt.date(2031, 1, 31), actor=ADMIN)
        issue_serials(uow, gtin=GTIN, lot='L,1"(', count=2_500, actor=ADMIN)
        uow.commit()
    return database


def as_before(database: Database, form: str) -> bytes:
    """The answer's body as it was made before it streamed: every row in a list, then the
    file of them."""
    with database.unit_of_work(read_only=True) as uow:
        return code_file([code.row(RESOLVER) for code in request_codes(uow, 1)], form).encode()


@pytest.mark.parametrize(
    ("query", "form", "headers"),
    [
        ("", "json", {"content-type": "application/json"}),
        ("?format=json", "json", {"content-type": "application/json"}),
        (
            "?format=csv",
            "csv",
            {
                "content-type": "text/csv; charset=utf-8",
                "content-disposition": 'attachment; filename="serial-request-1.csv"',
            },
        ),
    ],
)
def test_the_codes_are_the_bytes_and_headers_they_always_were(
    issued: Database, client: TestClient, admin: Headers, query: str, form: str, headers: Headers
) -> None:
    answer = client.get(f"/api/serial-requests/1/codes{query}", headers=admin)
    assert answer.status_code == 200
    assert answer.content == as_before(issued, form)
    assert {name: answer.headers.get(name) for name in headers} == headers
    if form == "json":
        assert "content-disposition" not in answer.headers


def test_an_unknown_request_is_a_404_problem(
    issued: Database, client: TestClient, admin: Headers
) -> None:
    answer = client.get("/api/serial-requests/9/codes?format=csv", headers=admin)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "serial request 9 does not exist" in answer.json()["detail"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("verifier", 403), ("line", 200)])
def test_only_the_line_and_admins_read_the_codes(
    issued: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    role: str | None,
    status: int,
) -> None:
    headers = token_for(role) if role is not None else {}
    assert client.get("/api/serial-requests/1/codes", headers=headers).status_code == status
