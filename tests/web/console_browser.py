"""The console in a real browser: Debian's Chromium driven by Playwright against the service
running in this process on the demo data, with a console user for each role.

Every page a test opens through :func:`signed_in_page` is watched: the test fails on any
request to a host other than the service, any JavaScript error or console error, any breach
of the Content-Security-Policy and any answer of 500 or more; :func:`assert_accessible` runs
axe-core (from the npm registry, ``make`` installs it into ``.cache/npm``) and fails on serious
or critical violations.

Use it from a test module with::

    from tests.web.console_browser import *  # noqa: F403  (the fixtures and helpers)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PROJECT_ROOT
from tests.web.chromium import CHROMIUM, CHROMIUM_ARGUMENTS, free_port, serving, sync_api
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.console_users import create_user
from unitrace.services.demo import seed_demo
from unitrace.store.unit_of_work import Database

AXE = PROJECT_ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SYSTEM = Actor("test-setup", Role.ADMIN)
#: Every console user's password in these tests.
PASSWORD = "console test password"
#: The console users made for the tests, by name: (email, role, party).
USERS = {
    "admin": ("admin@sunrise.example", "admin", None),
    "line": ("line@sunrise.example", "line", None),
    "verifier": ("verifier@sunrise.example", "verifier", None),
    "dist-a": ("orders@dist-a.example", "distributor", "dist-a"),
    "dist-b": ("orders@dist-b.example", "distributor", "dist-b"),
}


@dataclass
class ConsoleSite:
    """The running service and its console users."""

    base: str
    database: Database
    users: dict[str, tuple[str, str, str | None]] = field(default_factory=lambda: dict(USERS))

    def email(self, user: str) -> str:
        return self.users[user][0]


@pytest.fixture
def console_site(database: Database) -> Iterator[ConsoleSite]:
    """The service on a free port of 127.0.0.1, on the demo data, with a user of each role."""
    with database.unit_of_work() as uow:
        seed_demo(uow, actor=SYSTEM)
        uow.commit()
    with serving_console(database) as site:
        yield site


@contextlib.contextmanager
def serving_console(database: Database) -> Iterator[ConsoleSite]:
    """The service on a free port of 127.0.0.1, on what ``database`` holds, with a console
    user of each role."""
    with database.unit_of_work() as uow:
        for email, role, party in USERS.values():
            create_user(uow, email=email, password=PASSWORD, role=role, party=party, actor=SYSTEM)
        uow.commit()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(create_app(database, Settings(resolver_base=base)), port):
        yield ConsoleSite(base, database)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for a module's tests (each test has its own context)."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What went wrong while a page was open."""

    troubles: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.elsewhere == [], f"requests that left the machine: {self.elsewhere}"
        assert self.troubles == [], f"troubles on the page: {self.troubles}"


def watched_page(
    browser: Any, *, accept_downloads: bool = False, **context: Any
) -> tuple[Any, Any, Watch]:
    """A new page in a new context of ``browser``, watched (see :class:`Watch`)."""
    opened = browser.new_context(accept_downloads=accept_downloads, **context)
    page = opened.new_page()
    watch = Watch()
    page.on(
        "console",
        lambda m: (
            watch.troubles.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") and not _expected_console(m.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: watch.troubles.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda r: watch.troubles.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )

    def leaves(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", None) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            watch.elsewhere.append(route.request.url)
            route.abort()

    opened.route("**/*", leaves)
    # a violation is reported on the document before any script of the page runs
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return opened, page, watch


def _expected_console(text: str) -> bool:
    """Console messages that are the browser's own answer to a refusal a test provokes
    (a 4xx the page was asked to show), not a fault of the page."""
    return text.startswith("Failed to load resource: the server responded with a status of 4")


def sign_in(page: Any, site: ConsoleSite, user: str, *, then: str = "/console") -> None:
    """Sign ``user`` in through the sign-in form, landing on ``then``."""
    page.goto(f"{site.base}{then}")
    page.get_by_label("Email").fill(site.email(user))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.base}{then}")


@contextlib.contextmanager
def signed_in_page(
    browser: Any, site: ConsoleSite, user: str, *, then: str = "/console", **context: Any
) -> Iterator[Any]:
    """A watched page with ``user`` signed in, on ``then``; the watch is checked on leaving."""
    opened, page, watch = watched_page(browser, **context)
    try:
        sign_in(page, site, user, then=then)
        yield page
        watch.check()
    finally:
        opened.close()


def assert_accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on ``page`` as it is now."""
    if not AXE.exists():
        message = f"axe-core not installed at {AXE} (make installs it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # injected by the test, not the page: the page's policy is not the test's concern here
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert found == [], f"accessibility violations on {page.url}: {found}"
