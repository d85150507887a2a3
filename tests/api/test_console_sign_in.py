"""The console's sign-in, session cookie and form tokens over HTTP."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api.console_client import PASSWORD, SYSTEM, form_token, signed_in_client
from unitrace.api.app import create_app
from unitrace.api.callers import trusted_peer
from unitrace.config import Settings
from unitrace.services.console_users import FAILURES_PER_EMAIL, create_user
from unitrace.store.schema import console_sessions
from unitrace.store.unit_of_work import Database

EMAIL = "ana@example.com"


@pytest.fixture
def client(database: Database) -> TestClient:
    with database.unit_of_work() as uow:
        create_user(uow, email=EMAIL, password=PASSWORD, role="admin", party=None, actor=SYSTEM)
        uow.commit()
    return TestClient(create_app(database, Settings()), base_url="http://127.0.0.1:8000")


def _cookie(answer: object, name: str) -> SimpleCookie:
    headers = answer.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie set: {headers}"
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(found[0])
    return cookie


def _sessions(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(select(func.count()).select_from(console_sessions)).scalar_one()
        )


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/console", "/console/login?next=/console"),
        ("/console?period=7&product=09506000134352", "/console/login?next=/console%3Fperiod%3D7%26product%3D09506000134352"),
    ],
)  # fmt: skip
def test_a_stranger_is_sent_to_sign_in_and_back(
    client: TestClient, path: str, location: str
) -> None:
    answer = client.get(path, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, location)


def test_signing_in_sets_a_session_cookie_only_the_console_gets(
    client: TestClient, database: Database
) -> None:
    page = client.get("/console/login?next=/console%3Fperiod%3D7")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'name="next" value="/console?period=7"' in page.text
    answer = client.post(
        "/console/login",
        data={"email": " ANA@example.com", "password": PASSWORD, "csrf": form_token(page.text),
              "next": "/console?period=7"},
        follow_redirects=False,
    )  # fmt: skip
    assert (answer.status_code, answer.headers["location"]) == (303, "/console?period=7")
    session = _cookie(answer, "unitrace_session")["unitrace_session"]
    assert (session["path"], session["httponly"], session["samesite"], session["secure"]) == (
        "/console", True, "lax", ""
    )  # fmt: skip
    assert int(session["max-age"]) == 12 * 3600
    assert _sessions(database) == 1
    overview = client.get("/console")
    assert overview.status_code == 200
    assert EMAIL in overview.text
    assert overview.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("peer_trusted", "forwarded", "secure"),
    [(True, "https", True), (True, "http", False), (False, "https", False)],
)
def test_the_cookie_is_secure_behind_an_https_proxy_the_operator_trusts(
    database: Database, peer_trusted: bool, forwarded: str, secure: bool
) -> None:
    networks = "127.0.0.1/32" if peer_trusted else "10.9.9.0/24"
    settings = Settings.from_environment({"UNITRACE_TRUSTED_PROXIES": networks})
    # the test client's peer is "testclient", so the trust is asked of a real address
    assert trusted_peer("127.0.0.1", settings.trusted_proxies) is peer_trusted
    with database.unit_of_work() as uow:
        create_user(uow, email=EMAIL, password=PASSWORD, role="admin", party=None, actor=SYSTEM)
        uow.commit()
    client = TestClient(
        create_app(database, settings), base_url="http://127.0.0.1:8000", client=("127.0.0.1", 5000)
    )
    page = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf": form_token(page.text)},
        headers={"X-Forwarded-Proto": forwarded},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    session = _cookie(answer, "unitrace_session")["unitrace_session"]
    assert bool(session["secure"]) is secure


@pytest.mark.parametrize(
    ("form", "with_cookie", "status", "message"),
    [
        ({"email": EMAIL, "password": PASSWORD}, False, 403, "the sign-in form had expired"),
        ({"email": EMAIL, "password": PASSWORD, "csrf": "forged"}, True, 403, "the sign-in form had expired"),
        ({"email": EMAIL, "password": "wrong password!"}, True, 401, "the email or password is not right"),
        ({"email": "", "password": PASSWORD}, True, 400, "give your email and your password"),
        ({"email": EMAIL, "password": ""}, True, 400, "give your email and your password"),
        ({"email": "<script>alert(1)</script>@x.example", "password": PASSWORD}, True, 401, "the email or password is not right"),
    ],
)  # fmt: skip
def test_a_failed_sign_in_says_why_and_opens_no_session(
    client: TestClient,
    database: Database,
    form: dict[str, str],
    with_cookie: bool,
    status: int,
    message: str,
) -> None:
    page = client.get("/console/login")
    data = dict(form)
    if with_cookie:
        data.setdefault("csrf", form_token(page.text))
    else:
        client.cookies.clear()
        data["csrf"] = form_token(page.text)
    answer = client.post("/console/login", data=data, follow_redirects=False)
    assert answer.status_code == status
    assert message in answer.text
    assert "<script>alert(1)</script>" not in answer.text
    assert "unitrace_session=" not in answer.headers.get("set-cookie", "")
    assert _sessions(database) == 0


@pytest.mark.parametrize(
    "next_page",
    ["https://evil.example/console", "//evil.example/console", "/console/../docs", "/console/%2e%2e/docs", "/docs",
     "/console\\@evil.example", "/console/login?next=https://evil.example"],
)  # fmt: skip
def test_signing_in_never_sends_the_browser_off_the_console(
    client: TestClient, next_page: str
) -> None:
    page = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf": form_token(page.text), "next": next_page},
        follow_redirects=False,
    )  # fmt: skip
    location = answer.headers["location"]
    assert location == "/console" or (
        location.startswith("/console/") and ".." not in location and "login" not in location
    )


def test_failed_sign_ins_are_held_back_with_retry_after(client: TestClient) -> None:
    statuses = []
    for _ in range(FAILURES_PER_EMAIL + 1):
        page = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={"email": EMAIL, "password": "wrong password!", "csrf": form_token(page.text)},
        )
        statuses.append(answer.status_code)
    assert statuses == [401] * FAILURES_PER_EMAIL + [429]
    assert 800 < int(answer.headers["retry-after"]) <= 900
    assert "too many failed sign-ins: try again in 15 minutes" in answer.text


def test_signing_out_needs_the_form_token_and_ends_the_session(database: Database) -> None:
    console = signed_in_client(database)
    refused = console.post("/console/logout", {}, token=False)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "nothing was changed" in refused.text  # type: ignore[attr-defined]
    assert console.client.get("/console", follow_redirects=False).status_code == 200
    forged = console.client.post("/console/logout", data={"csrf": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    done = console.post("/console/logout", {})
    assert (done.status_code, done.headers["location"]) == (303, "/console/login")  # type: ignore[attr-defined]
    assert _sessions(database) == 0
    assert console.client.get("/console", follow_redirects=False).status_code == 303


def test_a_disabled_users_session_ends_at_once(database: Database) -> None:
    from unitrace.services.console_users import disable_user

    console = signed_in_client(database)
    with database.unit_of_work() as uow:
        disable_user(uow, "admin-brand@example.com", actor=SYSTEM)
        uow.commit()
    assert console.client.get("/console", follow_redirects=False).status_code == 303
