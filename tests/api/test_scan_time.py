"""When a scan happened, over ``POST /api/scans``: ``at`` is taken only from an authenticated
scanner (verifier, distributor, admin) and only within bounds (not in the future, not before
the unit was commissioned); otherwise the scan is logged at the service's time, which the
answer's ``scanned_at`` says. A token given must be live. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.services.issued_units import ADMIN, GTIN, LINE, issue, serial_of
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.lifecycle import allocate, commission
from unitrace.services.tokens import create_token, live_token_id, revoke_token
from unitrace.services.verification import DEFAULT_RULES
from unitrace.store import schema
from unitrace.store.times import utc
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
#: The units were commissioned ten days before the tests run.
COMMISSIONED = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=10)
FAR_TIMES = [
    "9999-12-31T23:59:59-12:00",  # no time in UTC: past year 9999
    "0001-01-01T00:00:00+14:00",  # no time in UTC: before year 1
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
]


@pytest.fixture
def world(database: Database) -> Database:
    """Ten units of lot L1, commissioned ten days ago and held by Distributor A (Malaysia);
    units 11-12 only issued."""
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN.value, name="Vitamin C", actor=ADMIN, company_prefix_length=7
        )
        register_lot(uow, gtin=GTIN.value, lot="L1", expiry=dt.date(2040, 12, 31), actor=ADMIN)
        register_party(
            uow, id="dist-a", name="A", role="distributor", actor=ADMIN, territory=["MY"]
        )
        issue(uow, GTIN, "L1", 12)
        commission(uow, gtin=GTIN, lot="L1", seq_from=1, seq_to=10, actor=LINE, at=COMMISSIONED)
        allocate(
            uow,
            party="dist-a",
            actor=ADMIN,
            gtin=GTIN.value,
            lot="L1",
            seq_from=1,
            seq_to=10,
            at=COMMISSIONED + dt.timedelta(hours=1),
        )
        uow.commit()
    return database


def code(seq: int) -> str:
    return f"(01){GTIN.value}(21){serial_of(GTIN, seq)}"


def scan(api: TestClient, seq: int, headers: Headers | None = None, **fields: Any) -> Any:
    answer = api.post(
        "/api/scans", json={"code": code(seq), "country": "MY", **fields}, headers=headers or {}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def time_of(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def is_now(text: str) -> bool:
    """Whether ``text`` is the service's time of a scan just made."""
    return abs(time_of(text) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def iso(at: dt.datetime) -> str:
    return at.isoformat()


def scans_logged(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        count: int = uow.connection.execute(
            select(func.count()).select_from(schema.scans)
        ).scalar_one()
    return count


def test_an_anonymous_backdated_scan_is_logged_now_and_is_no_first_scan_of_2001(
    world: Database, client: TestClient
) -> None:
    backdated = scan(client, 1, at="2001-01-01T00:00:00Z", client="faker")
    later = scan(client, 1, client="consumer")
    assert (later["verdict"], later["first_scan"], later["scan_count"]) == ("genuine", False, 2)
    assert "2001" not in later["message"]
    assert is_now(later["first_scanned"]["at"])
    assert is_now(backdated["scanned_at"])


@pytest.mark.parametrize("at", FAR_TIMES)
@pytest.mark.parametrize("role", [None, "verifier"])
def test_a_time_out_of_the_range_of_dates_is_logged_now_not_a_server_error(
    world: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    role: str | None,
    at: str,
) -> None:
    headers = token_for(role) if role else {}
    for seq in (1, 999):  # a unit of ours, and a code naming none
        answer = client.post("/api/scans", json={"code": code(seq), "at": at}, headers=headers)
        assert answer.status_code == 200, answer.text
        assert is_now(answer.json()["scanned_at"])
    assert scans_logged(world) == 2


SCANNERS = [("verifier", None), ("distributor", "dist-a"), ("admin", None)]


@pytest.mark.parametrize(("role", "party"), SCANNERS)
def test_a_scanner_with_a_token_says_when_it_scanned(
    world: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    role: str,
    party: str | None,
) -> None:
    when = COMMISSIONED + dt.timedelta(days=3, hours=2)
    offline = scan(
        client,
        2,
        token_for(role, party),
        at=iso(when.astimezone(dt.timezone(dt.timedelta(hours=8)))),
    )
    assert time_of(offline["scanned_at"]) == when
    later = scan(client, 2, client="consumer")
    assert time_of(later["first_scanned"]["at"]) == when
    assert (later["first_scan"], later["scan_count"]) == (False, 2)


def test_a_time_just_ahead_of_the_services_clock_is_taken(
    world: Database, client: TestClient, token_for: Callable[..., Headers]
) -> None:
    # within the skew the service allows a scanner's clock (services.scan_time.CLOCK_SKEW)
    ahead = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=2)
    answer = scan(client, 3, token_for("verifier"), at=iso(ahead))
    assert time_of(answer["scanned_at"]) == ahead


OUT_OF_BOUNDS = [
    ("an hour ahead", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), 4),
    ("a year ahead", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=365), 4),
    ("before commissioning", lambda: COMMISSIONED - dt.timedelta(minutes=1), 4),
    ("in 2001", lambda: dt.datetime(2001, 1, 1, tzinfo=dt.UTC), 4),
    ("a unit never commissioned", lambda: COMMISSIONED + dt.timedelta(days=1), 11),
]


@pytest.mark.parametrize(
    ("when", "seq"),
    [(when, seq) for _, when, seq in OUT_OF_BOUNDS],
    ids=[i for i, *_ in OUT_OF_BOUNDS],
)
def test_a_scanners_time_out_of_bounds_is_the_services(
    world: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    when: Callable[[], dt.datetime],
    seq: int,
) -> None:
    answer = scan(client, seq, token_for("verifier"), at=iso(when()))
    later = scan(client, seq, client="consumer")
    assert is_now(later["first_scanned"]["at"])
    assert is_now(answer["scanned_at"])


def test_a_code_naming_no_unit_is_logged_when_it_came(
    world: Database, client: TestClient, token_for: Callable[..., Headers]
) -> None:
    """A scanner's time for a code that names no unit would move its counterfeit answers out
    of the window the guessing detector counts: such a scan is logged when it came, and a
    scanner backdating its guesses is held as any other guesser is."""
    verifier = token_for("verifier")
    answers = [
        client.post(
            "/api/scans",
            json={"code": code(999 + n), "at": iso(dt.datetime(2001, 1, 1 + n, tzinfo=dt.UTC))},
            headers=verifier,
        )
        for n in range(DEFAULT_RULES.guess_limit + 1)
    ]
    assert [answer.status_code for answer in answers[:-1]] == [200] * DEFAULT_RULES.guess_limit
    assert all(is_now(answer.json()["scanned_at"]) for answer in answers[:-1])
    assert answers[-1].status_code == 429
    with world.unit_of_work(read_only=True) as uow:
        logged = uow.connection.execute(select(schema.scans.c.at))
        assert all(is_now(utc(at).isoformat()) for at in logged.scalars())


def test_a_packaging_lines_time_is_not_taken(
    world: Database, client: TestClient, token_for: Callable[..., Headers]
) -> None:
    when = COMMISSIONED + dt.timedelta(days=1)
    answer = scan(client, 5, token_for("line"), at=iso(when))
    later = scan(client, 5, client="consumer")
    assert is_now(later["first_scanned"]["at"])
    assert is_now(answer["scanned_at"])


def test_a_token_that_is_not_live_is_a_401_and_logs_nothing(
    world: Database, client: TestClient
) -> None:
    with world.unit_of_work() as uow:
        token = create_token(uow, role="verifier", actor=ADMIN)
        revoke_token(uow, live_token_id(uow, token), actor=ADMIN)
        uow.commit()
    for header in (f"Bearer {token}", "Bearer ut_not-a-token", "Basic dXNlcjpwYXNz", "Bearer"):
        answer = client.post(
            "/api/scans",
            json={"code": code(6), "at": iso(COMMISSIONED + dt.timedelta(days=1))},
            headers={"Authorization": header},
        )
        assert answer.status_code == 401, header
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
    assert scans_logged(world) == 0


@pytest.mark.parametrize("role", [None, "verifier"])
def test_a_time_without_an_offset_is_refused_whoever_sends_it(
    world: Database, client: TestClient, token_for: Callable[..., Headers], role: str | None
) -> None:
    answer = client.post(
        "/api/scans",
        json={"code": code(7), "at": "2026-03-01T10:00:00"},
        headers=token_for(role) if role else {},
    )
    assert answer.status_code == 422
    assert scans_logged(world) == 0
