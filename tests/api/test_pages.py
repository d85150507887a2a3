"""What a browser is told with each answer: every page (the verification page, the bad-code
page, the API documentation) sends a Content-Security-Policy without 'unsafe-inline',
refuses framing and sends no referrer; every answer says nosniff; the pages' style sheet
and script are served by unitrace with their media type and a cache rule; and the
templates hold no inline script or style."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unitrace.api.documentation import REDOC_SCROLLBAR_STYLE, documentation_policy, inline_hashes
from unitrace.web.assets import ASSETS

GTIN = "09506000134352"
Headers = dict[str, str]

#: unitrace's own pages: their style sheet and script from unitrace, scans posted back to it
PAGE_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
EMPTY_TEXT = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def policy_of(answer: Any) -> dict[str, list[str]]:
    """A Content-Security-Policy header as directive → sources."""
    directives = [part.split() for part in answer.headers["content-security-policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


@pytest.fixture
def unit_path(client: TestClient, admin: Headers) -> str:
    """The Digital Link path of a commissioned unit (not shipped yet: a scan finds it
    suspicious)."""
    for path, body in [
        ("/api/products", {"gtin": GTIN, "name": "Vitamin C 500 mg", "company_prefix_length": 7}),
        ("/api/lots", {"gtin": GTIN, "lot": "L1", "expiry": "2028-06-30"}),
        ("/api/serial-requests", {"gtin": GTIN, "lot": "L1", "count": 2, "commission": True}),
    ]:
        assert client.post(path, json=body, headers=admin).status_code == 201
    rows = client.get("/api/serial-requests/1/codes", headers=admin).json()
    return "/" + str(rows[0]["digital_link"]).split("/", 3)[3]


PAGE_ANSWERS = [
    # (what, status)
    ("verification page", 200),
    ("bad-code page", 400),
]


@pytest.mark.parametrize(("page", "status"), PAGE_ANSWERS)
def test_unitraces_own_pages_send_the_strict_policy_and_no_referrer(
    client: TestClient, unit_path: str, page: str, status: int
) -> None:
    path = unit_path if page == "verification page" else "/01/09506000134353/21/X1"
    answer = client.get(path, headers={"Accept": "text/html"})
    assert (answer.status_code, answer.headers["content-type"]) == (
        status,
        "text/html; charset=utf-8",
    )
    assert policy_of(answer) == PAGE_POLICY
    assert {
        name: answer.headers.get(name)
        for name in ("x-frame-options", "referrer-policy", "x-content-type-options")
    } == {"x-frame-options": "DENY", "referrer-policy": "no-referrer", "x-content-type-options": "nosniff"}  # fmt: skip


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_the_documentation_pages_have_a_policy_naming_exactly_their_inline_code(
    client: TestClient, path: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    policy = policy_of(answer)
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
    assert (policy["frame-ancestors"], policy["default-src"]) == (["'none'"], ["'none'"])
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-content-type-options"] == "nosniff"
    # each inline script and style of the page, and nothing else inline, by its hash
    for kind in ("script", "style"):
        bodies = re.findall(rf"<{kind}>(.*?)</{kind}>", answer.text, re.DOTALL)
        hashes = [
            "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
            for b in bodies
        ]
        named = [s for s in policy[f"{kind}-src"] if s.startswith("'sha256-")]
        written = [EMPTY_TEXT, *([REDOC_SCROLLBAR_STYLE] if path == "/redoc" else [])]
        assert sorted(named) == sorted(hashes + (written if kind == "style" else []))
    # nothing is loaded from another host: every script, style sheet and icon is unitrace's
    loaded = re.findall(r'<(?:script src|link[^>]*href)="([^"]+)"', answer.text)
    assert all(url.startswith("/static/") for url in loaded), loaded
    assert [client.get(url).status_code for url in loaded] == [200] * len(loaded)
    assert "https://" not in answer.text
    assert (policy["font-src"], policy["img-src"]) == (["'self'", "data:"], ["'self'", "data:"])


def test_an_inline_script_added_to_a_documentation_page_is_not_allowed() -> None:
    page = "<script src='https://cdn.jsdelivr.net/x.js'></script><script>start()</script>"
    allowed = documentation_policy(page)
    injected = inline_hashes(page + "<script>steal()</script>", "script")[-1]
    assert inline_hashes(page, "script")[0] in allowed
    assert injected not in allowed


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/health", {}),
        ("/api/products", {}),  # 401 problem+json
        ("/openapi.json", {}),
        ("/01/09506000134353/21/X1", {"Accept": "application/json"}),
    ],
)
def test_every_answer_says_nosniff_and_only_pages_carry_a_page_policy(
    client: TestClient, path: str, headers: Headers
) -> None:
    answer = client.get(path, headers=headers)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert not answer.headers["content-type"].startswith("text/html")
    assert "content-security-policy" not in answer.headers


# --- the pages' assets -------------------------------------------------------------------------

ASSET_TYPES = [
    ("unitrace.css", "text/css; charset=utf-8"),
    ("verify.js", "text/javascript; charset=utf-8"),
    ("favicon.svg", "image/svg+xml"),
    # Swagger UI and ReDoc, for /docs and /redoc
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("redoc.standalone.js", "text/javascript; charset=utf-8"),
    ("favicon.png", "image/png"),
]


@pytest.mark.parametrize(("name", "media_type"), ASSET_TYPES)
def test_assets_are_served_with_their_type_and_cached_for_good_under_their_digest(
    client: TestClient, name: str, media_type: str
) -> None:
    asset = ASSETS[name]
    # as sent, not compressed (tests/web/test_assets.py has the compressed answers)
    identity = {"Accept-Encoding": "identity"}
    versioned = client.get(asset.url, headers=identity)
    plain = client.get(f"/static/{name}", headers=identity)
    assert [
        (a.status_code, a.headers["content-type"], a.headers["cache-control"], a.headers["etag"])
        for a in (versioned, plain)
    ] == [
        (200, media_type, "public, max-age=31536000, immutable", f'"{asset.digest}"'),
        (200, media_type, "public, no-cache", f'"{asset.digest}"'),
    ]
    assert versioned.content == plain.content == asset.body
    assert hashlib.sha256(versioned.content).hexdigest()[:16] == asset.digest
    assert versioned.headers["x-content-type-options"] == "nosniff"
    again = client.get(f"/static/{name}", headers={"If-None-Match": f'"{asset.digest}"'})
    assert (again.status_code, again.content) == (304, b"")
    head = client.head(asset.url, headers=identity)
    assert (head.status_code, head.headers["content-type"]) == (200, media_type)


@pytest.mark.parametrize("name", ["nothing.js", "verify.py", "..%2fpages.py"])
def test_an_asset_unitrace_does_not_ship_is_a_404(client: TestClient, name: str) -> None:
    answer = client.get(f"/static/{name}")
    assert (answer.status_code, answer.headers["content-type"]) == (404, "application/problem+json")


def test_the_verification_page_loads_its_assets_and_hands_its_script_the_code(
    client: TestClient, unit_path: str
) -> None:
    page = client.get(unit_path, headers={"Accept": "text/html"}).text
    loaded = re.findall(r'<(?:script src|link rel="(?:stylesheet|icon)" href)="([^"]+)"', page)
    assert loaded == [ASSETS[name].url for name in ("favicon.svg", "unitrace.css", "verify.js")]
    assert [client.get(url).status_code for url in loaded] == [200, 200, 200]
    assert 'data-scan-url="/api/scans"' in page
    assert f'data-code="http://testserver{unit_path}"' in page
    assert re.findall(r"<section class=\"(verdict[^\"]*)\" data-verdict=\"(\w+)\"", page) == [
        ("verdict verdict-suspicious", "suspicious")
    ]


# --- no inline script or style in the templates -----------------------------------------------


def _templates(folder: Traversable, prefix: str = "") -> list[str]:
    """Every template under ``folder``, by its path from the templates folder."""
    found = []
    for entry in folder.iterdir():
        if entry.is_dir():
            found += _templates(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".html"):
            found.append(prefix + entry.name)
    return found


TEMPLATES = sorted(_templates(files("unitrace.web").joinpath("templates")))
INLINE_CODE = [
    # a data block (the console's charts and maps read their figures from one) runs nothing
    (
        "an inline <script> body",
        re.compile(r'<script(?![^>]*\s(?:src=|type="application/json"))[^>]*>', re.IGNORECASE),
    ),
    ("a <style> element", re.compile(r"<style[\s>]", re.IGNORECASE)),
    ("a style= attribute", re.compile(r"\sstyle\s*=", re.IGNORECASE)),
    ("an event handler attribute", re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)),
    ("a javascript: URL", re.compile(r"javascript:", re.IGNORECASE)),
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_hold_no_inline_script_or_style(template: str) -> None:
    source = files("unitrace.web").joinpath("templates", *template.split("/")).read_text()
    found = [what for what, pattern in INLINE_CODE if pattern.search(source)]
    assert found == []


def test_every_template_is_checked() -> None:
    # the console's are read from their folder too
    assert TEMPLATES[:2] == ["bad_code.html", "base.html"]
    assert {"console/base.html", "console/frame.html", "console/alert.html"} <= set(TEMPLATES)
    assert {"home.html", "verify.html", "console/login.html"} <= set(TEMPLATES)


def test_the_pages_as_rendered_hold_no_inline_script_or_style(
    client: TestClient, unit_path: str
) -> None:
    pages = [
        client.get(unit_path, headers={"Accept": "text/html"}).text,
        client.get("/01/09506000134353/21/X1").text,
        client.get("/", headers={"Accept": "text/html"}).text,
    ]
    found = [[what for what, pattern in INLINE_CODE if pattern.search(page)] for page in pages]
    assert found == [[], [], []]
