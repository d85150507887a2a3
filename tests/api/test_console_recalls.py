"""The console's recall pages through the test client, on the trace scene: a recall opened
from a lot and from a traced code, the affected count shown before anything is written; the
progress page's bars, map data and overdue parties; a distributor's view; the refusals."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from tests.api.console_client import ConsoleClient, signed_in_client
from tests.api.test_recalls import written
from tests.services.issued_units import ADMIN, GTIN, LOT
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.lifecycle.scenes import code
from tests.services.trace_scene import build_trace_scene
from unitrace.services import recall
from unitrace.services.recall.notices import RecallNotices
from unitrace.store.unit_of_work import Database

LOT_CODE = f"(01){GTIN.value}(10){LOT}"
_JSON = re.compile(
    r'id="(progress-by-party|units-out)".*?<script type="application/json">(.*?)</script>', re.S
)


@pytest.fixture
def traced(scene: Database) -> Database:  # noqa: F811 - the scene fixture
    return build_trace_scene(scene)


def asked(console: ConsoleClient, **form: str) -> Any:
    # the notices are sent before the page answers, not on a thread of their own
    console.client.app.state.recall_notices = RecallNotices(in_background=False)  # type: ignore[attr-defined]
    fields = {"reason": "Seal may leak", "instructions": "Return it", **form}
    return console.post("/console/recalls", fields)


@pytest.mark.parametrize(
    ("form", "count"),
    [
        ({"gtin": GTIN.value, "lot": LOT}, 33),
        ({"code": LOT_CODE}, 33),
        ({"code": code(21)}, 1),
        ({"code": "(01)19506000134359(21)C1"}, 5),
    ],
)
def test_the_affected_count_comes_before_the_recall(
    traced: Database, form: dict[str, str], count: int
) -> None:
    console = signed_in_client(traced)
    before = written(traced)
    preview = asked(console, **form)
    assert preview.status_code == 200  # type: ignore[attr-defined]
    assert f"<strong>{count}</strong> unit" in preview.text  # type: ignore[attr-defined]
    assert 'name="confirmed" value="yes"' in preview.text  # type: ignore[attr-defined]
    assert written(traced) == before
    made = asked(console, **form, confirmed="yes")
    assert (made.status_code, made.headers["location"]) == (303, "/console/recalls/1")  # type: ignore[attr-defined]
    page = console.client.get("/console/recalls/1")
    assert f'<div class="figure" id="affected-count">{count}</div>' in page.text


def test_the_progress_page_shows_parties_map_and_overdue(traced: Database) -> None:
    with traced.unit_of_work() as uow:
        recall.open_recall(
            uow,
            scope={"lots": [{"gtin": GTIN.value, "lot": LOT}]},
            reason="Seal may leak",
            instructions="Return it",
            actor=ADMIN,
            at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        )
        uow.commit()
    page = signed_in_client(traced).client.get("/console/recalls/1")
    assert page.status_code == 200
    data = {key: json.loads(value) for key, value in _JSON.findall(page.text)}
    assert data == {
        "progress-by-party": {
            "labels": ["dist-b"],
            "series": [
                {"name": "recovered", "values": [0]},
                {"name": "still out", "values": [5]},
            ],
        },
        "units-out": {"areas": {"unknown": 25, "MY": 5}, "measure": "units still out"},
    }
    assert '<tr class="overdue" data-party="dist-b">' in page.text
    assert "Overdue: dist-b has not acknowledged the recall." in page.text
    listing = signed_in_client(traced, email="other@example.com").client.get("/console/recalls")
    assert "dist-b" in listing.text
    dist_b = signed_in_client(traced, "distributor", "dist-b").client
    assert dist_b.get("/console/recalls/1").status_code == 200
    assert "Open a recall" not in dist_b.get("/console/recalls").text
    dist_a = signed_in_client(traced, "distributor", "dist-a").client
    assert dist_a.get("/console/recalls/1").status_code == 404
    assert dist_a.get("/console/recalls/1/units.csv").status_code == 404
    assert dist_a.get("/console/recalls/x").status_code == 404


@pytest.mark.parametrize(
    ("role", "party", "form", "status", "said"),
    [
        ("admin", None, {"code": code(35)}, 422, "scope: reaches no unit on a pack"),
        ("admin", None, {"code": "nonsense"}, 422, "code"),
        ("admin", None, {"gtin": GTIN.value, "lot": "NOPE"}, 422, "scope.lots[0]"),
        ("admin", None, {}, 422, "scope"),
        ("distributor", "dist-b", {"gtin": GTIN.value, "lot": LOT}, 403, "brand&#39;s admin"),
        ("line", None, {"gtin": GTIN.value, "lot": LOT, "confirmed": "yes"}, 403, "admin"),
    ],
)
def test_refusals_write_nothing(
    traced: Database,
    role: str,
    party: str | None,
    form: dict[str, str],
    status: int,
    said: str,
) -> None:
    console = signed_in_client(traced, role, party)
    before = written(traced)
    answer = asked(console, **form)
    assert answer.status_code == status  # type: ignore[attr-defined]
    assert said in answer.text  # type: ignore[attr-defined]
    assert written(traced) == before


def test_a_post_without_the_form_token_is_refused(traced: Database) -> None:
    console = signed_in_client(traced)
    before = written(traced)
    answer = console.post(
        "/console/recalls", {"gtin": GTIN.value, "lot": LOT, "confirmed": "yes"}, token=False
    )
    assert answer.status_code in (400, 403)  # type: ignore[attr-defined]
    assert written(traced) == before


def test_the_trace_page_offers_the_recall(traced: Database) -> None:
    page = signed_in_client(traced).client.get("/console/trace", params={"code": LOT_CODE})
    assert 'id="recall-from-trace"' in page.text
    dist = signed_in_client(traced, "distributor", "dist-b").client
    assert (
        'id="recall-from-trace"' not in dist.get("/console/trace", params={"code": LOT_CODE}).text
    )
