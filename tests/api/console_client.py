"""A console user signed in through a test client: the console's pages as a browser without
JavaScript gets them (session cookie, form token)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.console_users import create_user
from unitrace.store.unit_of_work import Database

SYSTEM = Actor("test-setup", Role.ADMIN)
PASSWORD = "console test password"
_FORM_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class ConsoleClient:
    client: TestClient
    #: the form token of the signed-in session ("" before signing in)
    csrf: str = ""

    def post(self, path: str, data: dict[str, str], *, token: bool = True) -> object:
        form = {**data, "csrf": self.csrf} if token else data
        return self.client.post(path, data=form, follow_redirects=False)


def form_token(page: str) -> str:
    found = _FORM_TOKEN.search(page)
    assert found is not None, "the page holds no form token"
    return found.group(1)


def signed_in_client(
    database: Database,
    role: str = "admin",
    party: str | None = None,
    *,
    email: str | None = None,
    settings: Settings | None = None,
) -> ConsoleClient:
    """A new console user with ``role`` (and ``party``), signed in through the form."""
    email = email or f"{role}-{party or 'brand'}@example.com"
    with database.unit_of_work() as uow:
        create_user(uow, email=email, password=PASSWORD, role=role, party=party, actor=SYSTEM)
        uow.commit()
    client = TestClient(
        create_app(database, settings or Settings()), base_url="http://127.0.0.1:8000"
    )
    page = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"email": email, "password": PASSWORD, "csrf": form_token(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    console = ConsoleClient(client)
    console.csrf = form_token(client.get("/console").text)
    return console
