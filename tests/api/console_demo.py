"""The demo data for the console's TestClient tests, seeded once per module (the pages only
read it), with a signed-in test client for each role of console user."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import emptied
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.console_users import create_user
from unitrace.services.demo import PRODUCTS, seed_demo
from unitrace.services.serialization import request_codes

SYSTEM = Actor("test-setup", Role.ADMIN)
RESOLVER = "https://id.brand.example"
PASSWORD = "console test password"
USERS = {
    "admin": ("admin@sunrise.example", "admin", None),
    "line": ("line@sunrise.example", "line", None),
    "verifier": ("verifier@sunrise.example", "verifier", None),
    "dist-a": ("orders@dist-a.example", "distributor", "dist-a"),
    "dist-b": ("orders@dist-b.example", "distributor", "dist-b"),
}
GTIN = PRODUCTS[0][0]
PALLET = "(00)095060001234567893"


@dataclass(frozen=True)
class DemoUnit:
    serial: str
    digital_link: str
    hri: str
    element_string: str

    @property
    def path(self) -> str:
        return f"/console/units/{GTIN}/{self.serial}"


@dataclass(frozen=True)
class Demo:
    app: FastAPI
    #: the first lot's units by seq
    units: dict[int, DemoUnit]


@pytest.fixture(scope="module")
def demo(database_engine: Engine) -> Demo:
    """The demo data once for the module (the pages only read it), with a user of each role."""
    database = emptied(database_engine)
    with database.unit_of_work() as uow:
        seed_demo(uow, actor=SYSTEM)
        for email, role, party in USERS.values():
            create_user(uow, email=email, password=PASSWORD, role=role, party=party, actor=SYSTEM)
        units = {
            seq: DemoUnit(
                code.serial,
                code.identity.digital_link(RESOLVER),
                code.identity.hri(),
                code.identity.element_string(),
            )
            for seq, code in enumerate(request_codes(uow, 1), start=1)
        }
        uow.commit()
    return Demo(create_app(database, Settings(resolver_base=RESOLVER)), units)


@pytest.fixture(scope="module")
def signed_in(demo: Demo) -> Iterator[Callable[[str], TestClient]]:
    """A test client signed in as one of :data:`USERS` (each signs in once)."""
    clients: dict[str, TestClient] = {}

    def client(user: str) -> TestClient:
        if user not in clients:
            browser = TestClient(demo.app, follow_redirects=False)
            browser.get("/console/login")
            answer = browser.post(
                "/console/login",
                data={
                    "email": USERS[user][0],
                    "password": PASSWORD,
                    "csrf": browser.cookies["unitrace_sign_in"],
                    "next": "/console",
                },
            )
            assert answer.status_code == 303, answer.text
            clients[user] = browser
        return clients[user]

    yield client
    for browser in clients.values():
        browser.close()


def text_of(page: str, pattern: str) -> list[str]:
    """The texts ``pattern``'s group finds in ``page``, tags and runs of space removed."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", found).split())
        for found in re.findall(pattern, page, re.DOTALL)
    ]
