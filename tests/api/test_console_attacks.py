"""The console under attack: what a signed-in person of another role or party, a page of
another site, or a caller guessing passwords can make it do. Each test here is a weakness
found in review, kept so that it stays mended."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api import console_demo
from tests.api.console_client import PASSWORD, SYSTEM, form_token
from tests.api.console_demo import USERS, Demo, text_of
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.services.console_users import FAILURES_PER_EMAIL, create_user
from unitrace.store.schema import console_sessions
from unitrace.store.unit_of_work import Database

# the demo and its signed-in clients, once for the module
demo = console_demo.demo
signed_in = console_demo.signed_in


@pytest.fixture(scope="module")
def answering(demo: Demo) -> Iterator[Callable[[str], TestClient]]:
    """A client signed in as one of :data:`USERS` that gets a fault as the browser would: a
    500 answer, not the exception."""
    clients: dict[str, TestClient] = {}

    def client(user: str) -> TestClient:
        if user not in clients:
            browser = TestClient(demo.app, follow_redirects=False, raise_server_exceptions=False)
            page = browser.get("/console/login")
            answer = browser.post(
                "/console/login",
                data={"email": USERS[user][0], "password": PASSWORD, "csrf": form_token(page.text)},
            )
            assert answer.status_code == 303, answer.text
            clients[user] = browser
        return clients[user]

    yield client
    for browser in clients.values():
        browser.close()


# --- figure filters: a period bound that is blank or at the calendar's edge -------------------


@pytest.mark.parametrize("page", ["/console", "/console/scans"])
@pytest.mark.parametrize("query", ["from=+", "to=+", "to=%20%20&days=7"])
@pytest.mark.parametrize("user", ["admin", "dist-a"])
def test_a_blank_period_bound_is_read_as_none_not_a_fault(
    answering: Callable[[str], TestClient], page: str, query: str, user: str
) -> None:
    answer = answering(user).get(f"{page}?{query}")
    assert answer.status_code in (200, 400), answer.text[:300]


@pytest.mark.parametrize("page", ["/console", "/console/scans"])
@pytest.mark.parametrize(
    "query",
    ["to=0001-01-01", "to=9999-12-31", "from=9999-12-30&to=9999-12-31", "days=1&to=9999-12-31"],
)
def test_a_period_at_the_calendars_edge_is_answered_not_a_fault(
    answering: Callable[[str], TestClient], page: str, query: str
) -> None:
    answer = answering("dist-a").get(f"{page}?{query}")
    assert answer.status_code in (200, 400), answer.text[:300]


# --- roles: alerts shown to roles the API refuses them --------------------------------------


@pytest.mark.parametrize("user", ["line", "verifier"])
def test_roles_refused_alerts_see_no_alert_counts_on_the_overview(
    signed_in: Callable[[str], TestClient], user: str
) -> None:
    assert signed_in(user).get("/console/alerts").status_code == 403
    page = signed_in(user).get("/console")
    assert page.status_code == 200
    shown = text_of(page.text, r'<section class="card" id="alerts-by-type">.*?<tbody>(.*?)</tbody>')
    assert shown in ([], ["No open alerts."]), shown


# --- signing in -----------------------------------------------------------------------------


def _sign_in_form(app: object) -> tuple[TestClient, str]:
    browser = TestClient(
        app,  # type: ignore[arg-type]
        base_url="http://127.0.0.1:8000",
        follow_redirects=False,
        raise_server_exceptions=False,
    )
    return browser, form_token(browser.get("/console/login").text)


def _sessions(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(select(func.count()).select_from(console_sessions)).scalar_one()
        )


def test_parallel_wrong_passwords_are_throttled_after_the_limit(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write transactions begin IMMEDIATE: the sign-ins run one by one")
    with database.unit_of_work() as uow:
        create_user(
            uow, email="ana@example.com", password=PASSWORD, role="admin", party=None, actor=SYSTEM
        )
        uow.commit()
    app = create_app(database, Settings())
    browsers = [_sign_in_form(app) for _ in range(12)]
    start = threading.Barrier(len(browsers))

    def guess(browser_and_token: tuple[TestClient, str]) -> int:
        browser, token = browser_and_token
        start.wait()
        form = {"email": "ana@example.com", "password": "not the password", "csrf": token}
        return browser.post("/console/login", data=form).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        answers = list(pool.map(guess, browsers))
    # every guess past the limit is refused before its password is checked
    assert answers.count(401) <= FAILURES_PER_EMAIL, answers
    assert answers.count(429) >= len(browsers) - FAILURES_PER_EMAIL, answers


def test_signing_in_to_return_to_a_non_latin1_path_sends_the_browser_there(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        create_user(
            uow, email="ana@example.com", password=PASSWORD, role="admin", party=None, actor=SYSTEM
        )
        uow.commit()
    browser, token = _sign_in_form(create_app(database, Settings()))
    sent = browser.get("/console/units/09506000134352/%E2%82%AC")
    assert sent.status_code == 303
    back_to = "/console/units/09506000134352/€"
    assert sent.headers["location"] == f"/console/login?next={quote(back_to, safe='/')}"
    form = {"email": "ana@example.com", "password": PASSWORD, "csrf": token, "next": back_to}
    answer = browser.post("/console/login", data=form)
    assert answer.status_code == 303, answer.text
    assert unquote(answer.headers["location"]) == back_to
    assert "unitrace_session" in answer.headers.get("set-cookie", "")
    assert _sessions(database) == 1
