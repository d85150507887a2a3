"""The service against its own OpenAPI, fuzzed by schemathesis: every operation, a few
generated requests each (``UNITRACE_FUZZ_EXAMPLES``, 8 unless set; the same requests on every
run unless ``UNITRACE_FUZZ_RANDOM=1``), on the demo brand's data, as an admin. No answer is a
server error, and every answer the OpenAPI describes has the shape it says."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.api.conftest import RESOLVER, SYSTEM
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.services.demo import seed_demo
from unitrace.services.tokens import create_token, live_token_id
from unitrace.store.database import open_database
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

EXAMPLES = int(os.environ.get("UNITRACE_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("UNITRACE_FUZZ_RANDOM") == "1"


@pytest.fixture(scope="module")
def demo_service(database_engine: Engine) -> tuple[str, int]:
    """The service on the demo brand (the test database emptied first), called by the
    fuzzer, and an admin token with its id."""
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with database_engine.begin() as connection:
        if database_engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    database = Database(database_engine)
    with database.unit_of_work() as uow:
        seed_demo(uow, actor=SYSTEM)
        token = create_token(uow, role="admin", actor=SYSTEM)
        token_id = live_token_id(uow, token)
        uow.commit()
    app = create_app(
        database,
        Settings(resolver_base=RESOLVER, scans_per_minute=1_000_000, scan_burst=1_000_000),
    )
    SERVICE.app = app
    return token, token_id


class _Service:
    """The ASGI app the fuzzer calls: the service on the demo data once the module's fixture
    has made it; before that (the schema is read as the module is imported) the service on a
    database never opened, which is all its OpenAPI needs."""

    def __init__(self) -> None:
        described = create_app(Database(open_database("sqlite://"))).openapi()
        # no lifespan: the service's background threads start only on the demo data
        self.app: Any = Starlette(
            routes=[Route("/openapi.json", lambda _: JSONResponse(described))]
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


SERVICE = _Service()
fuzzed = schemathesis.openapi.from_asgi("/openapi.json", SERVICE)


@fuzzed.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    case: schemathesis.Case, demo_service: tuple[str, int]
) -> None:
    token, token_id = demo_service
    if case.path_parameters and str(case.path_parameters.get("token_id")) == str(token_id):
        return  # the fuzzer's own token stays alive for the operations after this one
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
