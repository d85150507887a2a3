"""Every console route asks for a signed-in person first: a stranger is sent to the sign-in
page (never shown a figure, never told whether what the URL names exists), and a post is
refused before anything changes. The table is built from the application's own routes, so a
new console page is covered the day it is added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

#: What each path parameter of a console route is filled with.
SAMPLES = {"gtin": "09506000134352", "serial": "ABC123", "lot": "L2611A", "party_id": "dist-a"}
#: The routes a stranger may open.
OPEN = {("GET", "/console/login"), ("POST", "/console/login")}


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    """The application's routes, those of included routers too (FastAPI keeps an included
    router whole, under ``original_router``; the console adds none under a prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)


def _console_routes() -> list[tuple[str, str]]:
    app = create_app(Database(open_database("sqlite://")), Settings())
    found = set()
    for route in _walk(app.routes):
        if isinstance(route, APIRoute) and route.path.startswith("/console"):
            for method in route.methods:
                if method != "HEAD" and (method, route.path) not in OPEN:
                    found.add((method, route.path))
    return sorted(found)


ROUTES = _console_routes()


def _filled(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES.get(m.group(1), "1"), path)


def test_the_console_has_routes_to_guard() -> None:
    assert ("GET", "/console") in ROUTES
    assert ("POST", "/console/logout") in ROUTES


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_stranger_is_sent_to_sign_in(database: Database, method: str, path: str) -> None:
    client = TestClient(create_app(database, Settings()))
    answer = client.request(method, _filled(path), follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    if method == "GET":
        assert location.startswith("/console/login?next=/console")
    else:
        assert location == "/console/login?next=/console"
