"""A test client of the unitrace service on the test database, and tokens for each role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.tokens import create_token
from unitrace.store.unit_of_work import Database

SYSTEM = Actor("test-setup", Role.ADMIN)
RESOLVER = "https://id.brand.example"


@pytest.fixture
def client(database: Database) -> TestClient:
    return TestClient(create_app(database, Settings(resolver_base=RESOLVER)))


@pytest.fixture
def token_for(database: Database) -> Callable[..., dict[str, str]]:
    """Authorization headers for a new token of ``role`` (and ``party``)."""

    def make(role: str, party: str | None = None) -> dict[str, str]:
        with database.unit_of_work() as uow:
            token = create_token(uow, role=role, party=party, actor=SYSTEM)
            uow.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def admin(token_for: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token_for("admin")
