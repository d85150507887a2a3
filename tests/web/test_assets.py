"""The console's assets as unitrace serves them: the chart and map libraries and the map
geometry from subfolders of the assets, each with its media type; text assets of any size
gzip-compressed for a browser that accepts it (made once, when unitrace loads them), with
``Vary: Accept-Encoding`` and the same digest as validator; the geometry's index naming each
file by its versioned URL; the libraries' licences shipped beside them but not served."""

from __future__ import annotations

import gzip
import json
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from unitrace.api.routers import assets
from unitrace.api.routers.assets import accepts_gzip
from unitrace.api.security_headers import SecurityHeaders
from unitrace.web.assets import ASSETS, GEOMETRY_INDEX, asset_url

JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
JSON = "application/json"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.add_middleware(SecurityHeaders)
    app.include_router(assets.router)
    return TestClient(app)


def raw(client: TestClient, url: str, headers: dict[str, str]) -> tuple[dict[str, str], bytes]:
    """An answer's headers and its body as sent, not decoded."""
    with client.stream("GET", url, headers=headers) as answer:
        assert answer.status_code == 200
        return dict(answer.headers), b"".join(answer.iter_raw())


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("console-charts.js", JS),
        ("console-map.js", JS),
        ("console.css", CSS),
        ("vendor/chartjs/chart.umd.min.js", JS),
        ("vendor/leaflet/leaflet.js", JS),
        ("vendor/leaflet/leaflet.css", CSS),
        ("vendor/leaflet/images/layers.png", "image/png"),
        ("vendor/topojson-client/topojson-client.min.js", JS),
        ("geo/countries.json", JSON),
        ("geo/regions/MY.json", JSON),
        (GEOMETRY_INDEX, JSON),
    ],
)
def test_the_console_s_assets_are_served_from_their_folders_with_their_type(
    client: TestClient, name: str, media_type: str
) -> None:
    asset = ASSETS[name]
    answer = client.get(asset_url(name), headers=IDENTITY)
    assert (answer.status_code, answer.headers["content-type"]) == (200, media_type)
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.content == asset.body


@pytest.mark.parametrize(
    "name",
    [
        "vendor/leaflet/LICENSE",
        "vendor/chartjs/LICENSE.md",
        "vendor/../assets.py",
        "vendor/leaflet/",
        "geo/regions/XX.json",
        "/etc/passwd",
    ],
)
def test_what_is_not_an_asset_is_a_404(client: TestClient, name: str) -> None:
    answer = client.get(f"/static/{name}")
    assert (answer.status_code, answer.headers["content-type"]) == (404, "application/problem+json")


@pytest.mark.parametrize(
    "licence",
    ["vendor/chartjs/LICENSE.md", "vendor/leaflet/LICENSE", "vendor/topojson-client/LICENSE"],
)
def test_each_library_ships_with_its_licence(licence: str) -> None:
    text = files("unitrace.web").joinpath("static", licence).read_text(encoding="utf-8")
    assert "Permission" in text or "permitted" in text


@pytest.mark.parametrize(
    "name", ["vendor/leaflet/leaflet.js", "geo/countries.json", "console-map.js", "unitrace.css"]
)
def test_a_browser_that_accepts_gzip_gets_the_asset_compressed(
    client: TestClient, name: str
) -> None:
    asset = ASSETS[name]
    headers, body = raw(client, asset.url, GZIP)
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert headers["etag"] == f'W/"{asset.digest}"'
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert int(headers["content-length"]) == len(body) < len(asset.body)
    assert gzip.decompress(body) == asset.body


@pytest.mark.parametrize("accept_encoding", ["identity", "", "br", "gzip;q=0, *;q=1"])
def test_a_browser_that_does_not_gets_it_as_it_is(client: TestClient, accept_encoding: str) -> None:
    asset = ASSETS["geo/countries.json"]
    headers, body = raw(client, asset.url, {"Accept-Encoding": accept_encoding})
    assert "content-encoding" not in headers
    assert headers["vary"] == "Accept-Encoding"
    assert headers["etag"] == f'"{asset.digest}"'
    assert body == asset.body


def test_a_small_or_already_compressed_asset_is_never_compressed(client: TestClient) -> None:
    for name in ("favicon.svg", "vendor/leaflet/images/layers.png"):
        headers, body = raw(client, ASSETS[name].url, GZIP)
        assert ("content-encoding" in headers, "vary" in headers) == (False, False)
        assert body == ASSETS[name].body


@pytest.mark.parametrize("etag_form", ['"{}"', 'W/"{}"'])
@pytest.mark.parametrize("headers", [GZIP, IDENTITY])
def test_either_validator_of_an_asset_answers_not_modified(
    client: TestClient, etag_form: str, headers: dict[str, str]
) -> None:
    asset = ASSETS["vendor/leaflet/leaflet.js"]
    answer = client.get(
        f"/static/{asset.name}",
        headers={**headers, "If-None-Match": etag_form.format(asset.digest)},
    )
    assert (answer.status_code, answer.content) == (304, b"")
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["cache-control"] == "public, no-cache"


def test_the_compressed_body_is_made_once_and_always_the_same() -> None:
    asset = ASSETS["vendor/chartjs/chart.umd.min.js"]
    assert asset.gzipped is not None
    # no timestamp in the gzip header: a new process compresses to the same bytes
    assert asset.gzipped[4:8] == b"\0\0\0\0"
    assert gzip.decompress(asset.gzipped) == asset.body


def test_the_geometry_index_names_every_geometry_file_by_its_versioned_url() -> None:
    index = json.loads(ASSETS[GEOMETRY_INDEX].body)
    assert index["countries"] == asset_url("geo/countries.json")
    regions = {name for name in ASSETS if name.startswith("geo/regions/")}
    assert {f"geo/regions/{country}.json" for country in index["regions"]} == regions
    assert all(url == asset_url(f"geo/regions/{c}.json") for c, url in index["regions"].items())
    assert {"MY", "SG", "FR", "US", "GB"} <= set(index["regions"])


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("*", True),
        ("x-gzip", True),
        ("identity", False),
        ("", False),
        ("gzip;q=0", False),
        ("gzip;q=0.0, br", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=nonsense", False),
        ("deflate, br", False),
    ],
)
def test_accept_encoding_is_read_as_http_says(accept_encoding: str, accepted: bool) -> None:
    assert accepts_gzip(accept_encoding) is accepted


@given(st.text(max_size=200))
def test_any_accept_encoding_is_read_without_error(accept_encoding: str) -> None:
    assert accepts_gzip(accept_encoding) in (True, False)


@given(st.text(alphabet=" ,;=.0123456789qabrz*", max_size=40))
def test_gzip_refused_with_q_zero_is_never_sent_whatever_else_is_said(rest: str) -> None:
    assert accepts_gzip(f"{rest}, gzip;q=0") is False


def test_every_asset_file_goes_into_the_package() -> None:
    """pyproject's package data names every file under ``web/static`` (subfolders too), so
    that an installed unitrace serves what a checkout does."""
    project = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["unitrace"]
    package = project / "src" / "unitrace"
    packaged = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    shipped = {path for path in (package / "web" / "static").rglob("*") if path.is_file()}
    assert shipped - packaged == set()
