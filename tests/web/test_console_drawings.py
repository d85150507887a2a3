"""The console's charts and map in a real browser (Debian's Chromium driven by Playwright), on a
page made here the way console pages are made: a Jinja template naming unitrace's assets by
``asset_url``, data in ``<script type="application/json">`` blocks, served under the pages'
Content-Security-Policy. Every request to a host other than 127.0.0.1 is refused and
recorded; the page must draw all the same, with no JavaScript error or policy violation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import TEST_DATABASE_URL
from tests.web.chromium import CHROMIUM, CHROMIUM_ARGUMENTS, serving, sync_api
from unitrace.api.routers import assets
from unitrace.api.security_headers import SecurityHeaders
from unitrace.web.assets import asset_url

pytestmark = pytest.mark.skipif(
    TEST_DATABASE_URL is not None,
    reason="the console's drawings read no database: they are opened in the SQLite pass",
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console drawings</title>
<link rel="stylesheet" href="{{ asset_url('vendor/leaflet/leaflet.css') }}">
<link rel="stylesheet" href="{{ asset_url('console.css') }}">
<script defer src="{{ asset_url('vendor/chartjs/chart.umd.min.js') }}"></script>
<script defer src="{{ asset_url('console-charts.js') }}"></script>
<script defer src="{{ asset_url('vendor/leaflet/leaflet.js') }}"></script>
<script defer src="{{ asset_url('vendor/topojson-client/topojson-client.min.js') }}"></script>
<script defer src="{{ asset_url('console-map.js') }}"></script>
</head><body>
{% for kind, data in charts %}
<figure data-chart="{{ kind }}" id="chart-{{ kind }}"><figcaption>{{ kind }}</figcaption>
<script type="application/json">{{ data | tojson }}</script>
<table><tr><th>day</th><th>genuine</th></tr><tr><td>1</td><td>2</td></tr></table>
</figure>
{% endfor %}
<div data-map id="map"><script type="application/json">{{ map | tojson }}</script>
<table><tr><th>place</th><th>scans</th></tr><tr><td>MY-14</td><td>12</td></tr></table></div>
<div data-map id="trail"><script type="application/json">{{ trail | tojson }}</script>
<table><tr><th>scan</th></tr></table></div>
</body></html>"""

DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"]
CHARTS = [
    (
        "stacked-bars",
        {
            "labels": DAYS,
            "series": [
                {"name": "genuine", "values": [12, 9, 14]},
                {"name": "suspicious", "values": [1, 0, 2]},
                {"name": "counterfeit", "values": [0, 1, 0]},
            ],
            "links": [f"/console/scans?day={day}" for day in DAYS],
        },
    ),
    ("line", {"labels": DAYS, "series": [{"name": "scans", "values": [13, 10, 16]}]}),
    (
        "doughnut",
        {
            "labels": ["genuine", "suspicious", "recalled", "<img src=x onerror=alert(1)>"],
            "series": [{"name": "scans", "values": [35, 3, 1, 1]}],
        },
    ),
]
#: regions with shapes (Kuala Lumpur; Île-de-France, merged from its départements), a
#: country, a region drawn as its country (Hong Kong), and a code nothing can place
MAP = {
    "areas": {"MY-14": 12, "MY-10": 4, "FR-IDF": 2, "SG": 3, "CN-HK": 1, "XX-99": 5},
    "points": [
        {"lat": 3.139, "lon": 101.687, "label": "Kuala Lumpur", "verdict": "genuine",
         "href": "/console/scans/1"},
        {"lat": 1.29, "lon": 103.85, "label": "<b>Singapore</b>", "verdict": "counterfeit"},
    ],
    "territory": ["MY", "SG"],
    "measure": "scans",
}  # fmt: skip
TRAIL = {
    "points": [
        {"lat": 3.139, "lon": 101.687, "label": "first scan", "verdict": "genuine"},
        {"lat": 13.75, "lon": 100.5, "label": "second scan", "verdict": "suspicious"},
        {"lat": 48.85, "lon": 2.35, "label": "third scan", "verdict": "counterfeit"},
    ],
    "trail": True,
}


def console_page_app() -> FastAPI:
    """unitrace's assets and one page using them, under the pages' security headers."""
    app = FastAPI()
    app.add_middleware(SecurityHeaders)
    app.include_router(assets.router)
    template = Environment(autoescape=True).from_string(PAGE)

    @app.get("/console/drawings")
    def drawings() -> HTMLResponse:
        page = template.render(asset_url=asset_url, charts=CHARTS, map=MAP, trail=TRAIL)
        return HTMLResponse(page)

    return app


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    with serving(console_page_app(), lifespan="auto") as served:
        yield served


#: How many pixels of a canvas are painted (Chart.js has drawn on it).
PAINTED = """canvas => {
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) painted++; }
  return painted;
}"""


#: Whether a person sees an element: the browser finds it under a point of its box.
SHOWN = """element => {
  const box = element.getBoundingClientRect();
  const found = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return element.contains(found);
}"""


@pytest.fixture(scope="module")
def drawn(service: str) -> Iterator[dict[str, Any]]:
    """The page opened in Chromium with every other host refused: what it drew, what it
    asked for, and what went wrong."""
    troubles: list[str] = []
    elsewhere: list[str] = []
    asked: list[tuple[str, str | None]] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 2400})
            page.on("console", lambda m: troubles.append(f"console {m.type}: {m.text}"))
            page.on("pageerror", lambda error: troubles.append(f"JavaScript error: {error}"))
            page.on(
                "response",
                lambda r: troubles.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on(
                "response",
                lambda r: asked.append((r.url, r.headers.get("content-encoding"))),
            )

            def only_this_machine(route: Any) -> None:
                address = urlsplit(route.request.url)
                if address.hostname == "127.0.0.1" and address.path == "/console/scans":
                    route.fulfill(status=200, body="the day's scans", content_type="text/plain")
                elif address.hostname == "127.0.0.1":
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort("internetdisconnected")

            page.route("**/*", only_this_machine)
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => console.error("
                "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
            )
            answer = page.goto(f"{service}/console/drawings")
            assert answer is not None
            assert answer.status == 200
            for selector in ("#map", "#trail"):
                page.locator(f"{selector}[data-map-state]").wait_for(timeout=20000)
            charts = {
                kind: {
                    "state": page.locator(f"#chart-{kind}").get_attribute("data-chart-state"),
                    "painted": page.locator(f"#chart-{kind} canvas").evaluate(PAINTED),
                    "table shown": page.locator(f"#chart-{kind} table").evaluate(SHOWN),
                }
                for kind, _ in CHARTS
            }
            point = page.locator("#map path[data-point='1']")
            point.hover(force=True)
            tooltips = page.locator("#map .leaflet-tooltip")
            try:
                tooltips.last.wait_for(timeout=5000)
            except PlaywrightTimeoutError:
                # a pointer moved by a busy machine can land a frame late: the mouseover the
                # hover would have sent
                point.dispatch_event("mouseover")
            tooltip = tooltips.last.inner_text()
            drawings = {
                "charts": charts,
                "tooltip": tooltip,
                "map state": page.locator("#map").get_attribute("data-map-state"),
                "areas": sorted(
                    set(page.locator("#map [data-area]").evaluate_all(
                        "es => es.map(e => e.getAttribute('data-area'))"
                    ))
                ),
                "area shades": page.locator("#map path[data-area]").evaluate_all(
                    "es => es.map(e => e.getAttribute('fill'))"
                ),
                "territory": sorted(
                    set(page.locator("#map [data-territory]").evaluate_all(
                        "es => es.map(e => e.getAttribute('data-territory'))"
                    ))
                ),
                "points": page.locator("#map path[data-point]").count(),
                "point colours": page.locator("#map path[data-point]").evaluate_all(
                    "es => es.map(e => e.getAttribute('fill'))"
                ),
                "legend": page.locator("#map .console-map-legend").inner_text(),
                "trail state": page.locator("#trail").get_attribute("data-map-state"),
                "trail points": page.locator("#trail path[data-point]").count(),
                "trail lines": page.locator("#trail path.console-map-trail").count(),
                "map table shown": page.locator("#map table").evaluate(SHOWN),
            }  # fmt: skip
            # the first day's bar, where Chart.js drew it
            bar = page.locator("#chart-stacked-bars canvas").evaluate(
                "c => { const e = Chart.getChart(c).getDatasetMeta(0).data[0];"
                " return {x: e.x, y: (e.y + e.base) / 2}; }"
            )
            page.locator("#chart-stacked-bars canvas").click(position=bar)
            page.wait_for_url("**/console/scans?*")
            clicked_to = urlsplit(page.url)
            drawings["clicked to"] = (clicked_to.path, clicked_to.query)
            yield {**drawings, "asked": asked, "troubles": troubles, "elsewhere": elsewhere}
        finally:
            browser.close()


def test_the_page_asks_nothing_of_any_other_host_and_breaks_no_rule(drawn: dict[str, Any]) -> None:
    assert drawn["troubles"] == []
    assert drawn["elsewhere"] == []


@pytest.mark.parametrize("kind", [kind for kind, _ in CHARTS])
def test_each_chart_is_drawn_on_its_canvas_and_its_table_leaves_the_view(
    drawn: dict[str, Any], kind: str
) -> None:
    chart = drawn["charts"][kind]
    assert chart["state"] == "drawn"
    assert chart["painted"] > 1000
    assert chart["table shown"] is False


def test_clicking_a_bar_follows_its_label_s_link(drawn: dict[str, Any]) -> None:
    assert drawn["clicked to"] == ("/console/scans", "day=2026-01-01")


def test_the_map_shades_each_area_it_can_place_and_names_the_one_it_cannot(
    drawn: dict[str, Any],
) -> None:
    assert drawn["map state"] == "drawn"
    assert drawn["areas"] == ["CN-HK", "FR-IDF", "MY-10", "MY-14", "SG"]
    # the most scanned area is shaded darkest
    assert "#1a4fa8" in drawn["area shades"]
    assert "not on the map: XX-99" in drawn["legend"]
    assert drawn["map table shown"] is False


def test_the_map_outlines_the_territory_and_marks_points_by_verdict(
    drawn: dict[str, Any],
) -> None:
    assert drawn["territory"] == ["MY", "SG"]
    assert drawn["points"] == 2
    assert drawn["point colours"] == ["#1b7f3b", "#c62828"]
    # a label is text: markup in it is shown, not made
    assert drawn["tooltip"] == "<b>Singapore</b>\ncounterfeit"
    for entry in ("scans", "territory", "genuine", "counterfeit"):
        assert entry in drawn["legend"]


def test_a_trail_joins_its_points_in_order(drawn: dict[str, Any]) -> None:
    assert drawn["trail state"] == "drawn"
    assert drawn["trail points"] == 3
    assert drawn["trail lines"] == 1


def test_the_map_geometry_comes_compressed_and_versioned(drawn: dict[str, Any]) -> None:
    geometry = {
        urlsplit(url).path: (urlsplit(url).query, coding)
        for url, coding in drawn["asked"]
        if "/static/geo/" in url
    }
    # the index, found beside the script, is asked for by name; what it lists, by version
    assert geometry["/static/geo/index.json"][0] == ""
    for name in ("countries", "regions/MY", "regions/FR", "regions/CN"):
        query, coding = geometry[f"/static/geo/{name}.json"]
        assert query.startswith("v=")
        assert coding == "gzip"
    assert json.dumps(sorted(geometry)).count("regions/") == 3
