"""A small catalog for the console's product, lot and serial request pages, with a console
user of each role signed in through ``/console/login``.

Vitamin C has lot L1 (10 units, commissioned: 4 shipped to Distributor A, 2 to Distributor B,
1 destroyed, 3 with the brand; one of Distributor A's scanned) and lot L2 (none issued);
Zinc has lot L1 (5 units with the brand).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role, UnitState
from unitrace.services import catalog, console_users, lifecycle
from unitrace.services.console_users import create_user
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.verification import ScanRequest, verify
from unitrace.store.unit_of_work import Database

VITAMIN, ZINC = "09506000134352", "09506000134369"
EXPIRY = dt.date(2030, 12, 31)
SETUP = Actor("test-setup", Role.ADMIN)
PASSWORD = "console test password"
RESOLVER = "https://id.brand.example"
#: console users by name: (email, role, party)
USERS = {
    "admin": ("admin@brand.example", "admin", None),
    "line": ("line@brand.example", "line", None),
    "verifier": ("verifier@brand.example", "verifier", None),
    "dist-a": ("orders@dist-a.example", "distributor", "dist-a"),
    "dist-b": ("orders@dist-b.example", "distributor", "dist-b"),
}

SignIn = Callable[[str], TestClient]


@pytest.fixture
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords hashed at argon2's least cost: these tests are about pages, not hashes
    (the service's own cost takes 0.4 s a hash, five users a test)."""
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(console_users, "_hasher", lambda: quick)


@pytest.fixture
def catalog_world(database: Database, quick_passwords: None) -> Database:
    with database.unit_of_work() as uow:
        for gtin, name in ((VITAMIN, "Vitamin C 500 mg"), (ZINC, "Zinc lozenges")):
            catalog.register_product(
                uow, gtin=gtin, name=name, company_prefix_length=7, actor=SETUP
            )
        for lot, gtin in (("L1", VITAMIN), ("L2", VITAMIN), ("L1", ZINC)):
            catalog.register_lot(uow, gtin=gtin, lot=lot, expiry=EXPIRY, actor=SETUP)
        for party, name, territory in (
            ("dist-a", "Distributor A", ["MY-14"]),
            ("dist-b", "Distributor B", ["SG"]),
        ):
            catalog.register_party(
                uow, id=party, name=name, role="distributor", territory=territory, actor=SETUP
            )
        first = issue_serials(uow, gtin=VITAMIN, lot="L1", count=10, commission=True, actor=SETUP)
        issue_serials(uow, gtin=ZINC, lot="L1", count=5, commission=True, actor=SETUP)
        for party, (seq_from, seq_to) in (("dist-a", (1, 4)), ("dist-b", (5, 6))):
            lifecycle.allocate(
                uow, party=party, gtin=VITAMIN, lot="L1", seq_from=seq_from, seq_to=seq_to,
                actor=SETUP,
            )  # fmt: skip
        codes = [code.identity.hri() for code in request_codes(uow, first.id)]
        lifecycle.change_state(uow, codes=codes[9:10], to=UnitState.DESTROYED, actor=SETUP)
        verify(uow, ScanRequest(code=codes[0], latitude=3.139, longitude=101.6869, client="p-1"))
        for email, role, party in USERS.values():
            create_user(uow, email=email, password=PASSWORD, role=role, party=party, actor=SETUP)
        uow.commit()
    return database


@pytest.fixture
def console_app(catalog_world: Database) -> Iterator[FastAPI]:
    """The service on the catalog; the thread issuing its serial requests stopped after."""
    app = create_app(catalog_world, Settings(resolver_base=RESOLVER))
    yield app
    app.state.serial_request_runner.shutdown(wait=10)


@pytest.fixture
def sign_in(console_app: FastAPI) -> SignIn:
    """A test client of the service signed in as the user named (see :data:`USERS`)."""
    app = console_app

    def signed_in(user: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={
                "email": USERS[user][0],
                "password": PASSWORD,
                "csrf": client.cookies["unitrace_sign_in"],
                "next": "/console",
            },
        )
        assert answer.status_code == 303, answer.text
        return client

    return signed_in


@pytest.fixture
def anonymous(console_app: FastAPI) -> TestClient:
    return TestClient(console_app, follow_redirects=False)


def form_token(client: TestClient, page: str = "/console") -> str:
    """The form token of ``client``'s session, read off a console page."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found.group(1)


def page_text(page: str) -> str:
    """What the page's main part says, its markup taken out and its spaces squeezed."""
    found = re.search(r'<main id="content">(.*)</main>', page, re.DOTALL)
    body = found.group(1) if found else page
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())


def field_errors(page: str) -> dict[str, str]:
    """The messages shown next to a form's fields, by the id of the field."""
    found = re.findall(r'<span class="field-error" id="([\w-]+)-error">([^<]*)</span>', page)
    return {field: html.unescape(message) for field, message in found}


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The text of each cell of each body row of the table ``table_id``."""
    found = re.search(rf'<table[^>]*id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', page, re.DOTALL)
    assert found is not None, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.DOTALL)
    return [
        [page_text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)]
        for row in rows
    ]
