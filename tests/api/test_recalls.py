"""``/api/recalls``: opening a recall from lots, unit codes and component lots, the answer's
shape, parties' answers, recovery counted from events, the units CSV, closing, the report,
and every refusal changing nothing; on the trace scene (:mod:`tests.services.trace_scene`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.services.issued_units import ADMIN, DIST_B, GTIN, LOT, OTHER_GTIN, PLANT_GLN
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.lifecycle.scenes import code, done, epc
from tests.services.trace_scene import DEVICE_CODE, RAW_CODE, build_trace_scene
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import change_state, receive
from unitrace.services.recall.notices import RecallNotices
from unitrace.store.schema import epcis_events, lots, recall_responses, recalls, units
from unitrace.store.unit_of_work import Database

Headers = Callable[..., dict[str, str]]
LOT_SCOPE = {"lots": [{"gtin": GTIN.value, "lot": LOT}]}
REASON = "Seal may leak"
INSTRUCTIONS = "Stop selling; return every pack to the brand."


@pytest.fixture
def client(client: TestClient) -> TestClient:
    """The service, sending recall notices before it answers (not on a thread of its own)."""
    client.app.state.recall_notices = RecallNotices(in_background=False)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def traced(scene: Database) -> Database:  # noqa: F811 - the scene fixture
    return build_trace_scene(scene)


def opened(client: TestClient, headers: dict[str, str], scope: Any = None, **more: Any) -> Any:
    body = {
        "scope": LOT_SCOPE if scope is None else scope,
        "reason": REASON,
        "instructions": INSTRUCTIONS,
        **more,
    }
    return client.post("/api/recalls", json=body, headers=headers)


def written(database: Database) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    with database.unit_of_work(read_only=True) as uow:
        connection = uow.connection
        return (
            connection.execute(select(func.count()).select_from(recalls)).scalar(),
            connection.execute(select(func.count()).select_from(recall_responses)).scalar(),
            connection.execute(select(func.count()).select_from(epcis_events)).scalar(),
            tuple(connection.execute(select(lots.c.status).order_by(lots.c.id)).scalars()),
            tuple(
                connection.execute(
                    select(units.c.state, func.count())
                    .group_by(units.c.state)
                    .order_by(units.c.state)
                )
            ),
        )


def test_a_lot_recall_blocks_its_units_and_lot_and_answers_in_full(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    answer = opened(client, admin, classification="I", markets=["MY", "SG-01"])
    assert answer.status_code == 201
    body = answer.json()
    line = {
        "party": "dist-b",
        "units": 5,
        "acknowledged": False,
        "on_hand": 0,
        "returned": 0,
        "destroyed": 0,
        "completed": False,
        "note": None,
        "answered_at": None,
        "recovered": 0,
        "overdue": False,
        "notice": "no_endpoint",
    }
    assert {k: body[k] for k in ("id", "status", "reason", "affected", "recovered")} == {
        "id": 1,
        "status": "open",
        "reason": REASON,
        # 30 commissioned units of L1 (one destroyed before), the kit's two outputs, the
        # device assembled from one of them; 31-40 were never on a pack
        "affected": {
            "units": 33,
            "by_state": {"recalled": 32, "destroyed": 1},
            "by_region": {"unknown": 28, "MY": 5},
            "by_custodian": [line],
            "out_by_region": {"unknown": 25, "MY": 5},
        },
        # unit 30 was destroyed, units 11 and 12 consumed into the kit before the recall
        "recovered": {"units": 3, "percent": 9.1, "returned": 0, "destroyed": 1, "consumed": 2},
    }
    assert (body["classification"], body["markets"]) == ("I", ["MY", "SG-01"])
    assert client.get("/api/recalls/1", headers=admin).json() == {**body}
    with traced.unit_of_work(read_only=True) as uow:
        assert uow.lots.get(GTIN, LOT).status.value == "recalled"  # type: ignore[union-attr]
        event = uow.events.get(body["event_id"])
    assert event is not None
    assert event.disposition in (
        "recalled",
        "https://ref.gs1.org/cbv/Disp-recalled",
    )


@pytest.mark.parametrize(
    ("scope", "units", "by_custodian"),
    [
        ({"units": [code(21)]}, 1, ["dist-b"]),
        ({"units": [f"https://id.gs1.org/01/{GTIN.value}/21/S00021"]}, 1, ["dist-b"]),
        ({"units": [epc(21)]}, 1, ["dist-b"]),
        ({"units": [epc(21), code(21), code(22)]}, 2, ["dist-b"]),
        ({"units": ["(01)19506000134359(21)C1"]}, 5, []),
        ({"component_lots": [{"gtin": "00614141123452", "lot": "RAW-7"}]}, 1, []),
        ({"units": [code(11)]}, 4, []),
    ],
)
def test_a_scope_reaches_units_in_any_spelling_and_through_the_genealogy(
    traced: Database,
    client: TestClient,
    admin: dict[str, str],
    scope: dict[str, Any],
    units: int,
    by_custodian: list[str],
) -> None:
    body = opened(client, admin, scope).json()
    assert body["affected"]["units"] == units
    assert [line["party"] for line in body["affected"]["by_custodian"]] == by_custodian
    # a unit scope marks no lot recalled
    with traced.unit_of_work(read_only=True) as uow:
        assert uow.lots.get(GTIN, LOT).status.value == "released"  # type: ignore[union-attr]


def test_a_component_lot_recalls_the_device_made_from_it(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    opened(client, admin, {"component_lots": [{"gtin": "00614141123452", "lot": "RAW-7"}]})
    rows = list(csv.reader(io.StringIO(client.get("/api/recalls/1/units", headers=admin).text)))
    assert [(row[0], row[1], row[3]) for row in rows[1:]] == [
        (OTHER_GTIN.value, DEVICE_CODE.split("(21)")[1], "recalled")
    ]
    assert RAW_CODE  # the scene's component lot, by its other spelling


@pytest.mark.parametrize(
    ("role", "party", "body", "status", "detail"),
    [
        ("admin", None, {"units": [code(35)]}, 422, "scope: reaches no unit on a pack"),
        ("admin", None, {"lots": [{"gtin": GTIN.value, "lot": "NOPE"}]}, 404, "scope.lots[0]"),
        ("admin", None, {"units": ["not a code"]}, 422, "scope.units[0]"),
        ("admin", None, {"units": [code(99)]}, 404, "scope.units[0]: "),
        ("admin", None, {"units": [f"(01){GTIN.value}(10){LOT}"]}, 422, "names a lot"),
        ("admin", None, {}, 422, "scope: names no lot"),
        ("admin", None, {"lots": [{"gtin": "123", "lot": LOT}]}, 422, "scope.lots[0]"),
        ("distributor", "dist-b", LOT_SCOPE, 403, "may not recall"),
        ("verifier", None, LOT_SCOPE, 403, "may not recall"),
        ("line", None, LOT_SCOPE, 403, "may not recall"),
    ],
)
def test_refused_recalls_change_nothing(
    traced: Database,
    client: TestClient,
    token_for: Headers,
    role: str,
    party: str | None,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    before = written(traced)
    answer = opened(client, token_for(role, party), body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert detail in answer.json()["detail"]
    assert written(traced) == before


@pytest.mark.parametrize(
    ("more", "detail"),
    [
        ({"classification": "IV"}, "classification"),
        ({"markets": ["Malaysia"]}, "markets"),
        ({"markets": ["my"]}, "markets[0]"),
        ({"reason": "  "}, "reason: must not be empty"),
        ({"instructions": ""}, "instructions: must not be empty"),
        ({"respond_within_hours": 0}, "respond_within_hours"),
        ({"colour": "red"}, "colour"),
        ({"at": "9999-12-31T23:00:00Z"}, "at: 9999-12-31T23:00:00+00:00 is in the future"),
    ],
)
def test_bad_fields_are_422_and_change_nothing(
    traced: Database, client: TestClient, admin: dict[str, str], more: dict[str, Any], detail: str
) -> None:
    before = written(traced)
    answer = opened(client, admin, **more)
    assert answer.status_code == 422
    assert detail in answer.text
    assert written(traced) == before


def test_a_recall_of_units_all_recalled_already_is_a_conflict_and_changes_nothing(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    assert opened(client, admin).status_code == 201
    before = written(traced)
    again = opened(client, admin)
    assert again.status_code == 409
    assert "every unit it reaches is recalled already" in again.json()["detail"]
    assert written(traced) == before


def test_an_anonymous_caller_is_refused(traced: Database, client: TestClient) -> None:
    assert opened(client, {}).status_code == 401
    assert client.get("/api/recalls/1").status_code == 401


def test_a_distributor_sees_only_its_own_line(
    traced: Database, client: TestClient, admin: dict[str, str], token_for: Headers
) -> None:
    opened(client, admin)
    dist_b = token_for("distributor", "dist-b")
    body = client.get("/api/recalls/1", headers=dist_b).json()
    assert body["affected"]["units"] == 5
    assert [line["party"] for line in body["affected"]["by_custodian"]] == ["dist-b"]
    # the lots recalled, not who at the brand opened it
    assert (body["scope"], body["created_by"]) == ({"lots": LOT_SCOPE["lots"]}, "the brand")
    assert [row["id"] for row in client.get("/api/recalls", headers=dist_b).json()] == [1]
    dist_a = token_for("distributor", "dist-a")
    assert client.get("/api/recalls/1", headers=dist_a).status_code == 404
    assert client.get("/api/recalls", headers=dist_a).json() == []
    assert client.get("/api/recalls/1/units", headers=dist_a).status_code == 404
    rows = list(csv.reader(io.StringIO(client.get("/api/recalls/1/units", headers=dist_b).text)))
    assert [row[1] for row in rows[1:]] == [f"S000{n}" for n in range(21, 26)]
    assert client.get("/api/recalls/1", headers=token_for("verifier")).status_code == 403


def test_a_party_answers_for_its_own_line(
    traced: Database, client: TestClient, admin: dict[str, str], token_for: Headers
) -> None:
    opened(client, admin)
    dist_b = token_for("distributor", "dist-b")
    said = {"acknowledged": True, "on_hand": 3, "returned": 1, "destroyed": 1, "note": "ok"}
    answer = client.post("/api/recalls/1/responses", json=said, headers=dist_b)
    assert answer.status_code == 200
    line = answer.json()["affected"]["by_custodian"][0]
    assert {
        k: line[k]
        for k in ("acknowledged", "on_hand", "returned", "destroyed", "completed", "note")
    } == {
        **said,
        "completed": False,
    }
    # the numbers are the party's word: recovery counts only events
    assert answer.json()["recovered"]["units"] == 0


@pytest.mark.parametrize(
    ("party", "body", "status", "detail"),
    [
        (
            "dist-b",
            {"on_hand": 6},
            422,
            "on_hand: on_hand 6 exceed the 5 affected units dist-b held",
        ),
        (
            "dist-b",
            {"returned": 7, "destroyed": 9},
            422,
            "returned: returned 7, destroyed 9 exceed the 5",
        ),
        ("dist-b", {"on_hand": 3, "returned": 3}, 422, "on_hand 3 + returned 3 = 6 exceed the 5"),
        ("dist-b", {"on_hand": -1}, 422, "on_hand"),
        ("dist-b", {"acknowledged": "yes"}, 422, "acknowledged"),
        ("dist-b", {"party": "dist-a", "acknowledged": True}, 403, "answers for dist-b only"),
        ("dist-a", {"party": "dist-b", "acknowledged": True}, 403, "answers for dist-a only"),
        ("dist-a", {"acknowledged": True}, 404, "recall 1 does not exist"),
        (None, {"acknowledged": True}, 403, "may not answer recall"),
    ],
)
def test_refused_answers_change_nothing(
    traced: Database,
    client: TestClient,
    admin: dict[str, str],
    token_for: Headers,
    party: str | None,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    opened(client, admin)
    before = written(traced)
    headers = token_for("distributor", party) if party else admin
    answer = client.post("/api/recalls/1/responses", json=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert detail in answer.text
    assert written(traced) == before


def test_recovery_counts_returns_and_destructions_from_events(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    opened(client, admin)

    def back_and_destroyed(uow: Any) -> None:
        receive(uow, codes=[code(21), code(22)], actor=ADMIN, location_gln=PLANT_GLN)
        change_state(uow, codes=[code(23)], to=UnitState.DESTROYED, actor=DIST_B)

    done(traced, back_and_destroyed)
    body = client.get("/api/recalls/1", headers=admin).json()
    assert body["recovered"] == {
        "units": 6,
        "percent": 18.2,
        "returned": 2,
        "destroyed": 2,
        "consumed": 2,
    }
    assert body["affected"]["by_custodian"][0]["recovered"] == 3
    rows = list(csv.reader(io.StringIO(client.get("/api/recalls/1/units", headers=admin).text)))
    assert rows[0] == [
        "gtin",
        "serial",
        "lot",
        "state",
        "held_at_recall",
        "custodian",
        "last_place",
        "recovered",
    ]
    by_serial = {row[1]: row for row in rows[1:]}
    assert len(by_serial) == 33
    assert by_serial["S00021"][4:] == ["dist-b", "dist-b", PLANT_GLN, "returned"]
    assert by_serial["S00023"][3:] == [
        "destroyed",
        "dist-b",
        "dist-b",
        "9506000000022",
        "destroyed",
    ]
    assert by_serial["S00024"][7] == "no"


def test_closing_is_once_and_stops_answers(
    traced: Database, client: TestClient, admin: dict[str, str], token_for: Headers
) -> None:
    opened(client, admin)
    closed = client.post("/api/recalls/1/close", json={"reason": "all accounted"}, headers=admin)
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    again = client.post("/api/recalls/1/close", json={"reason": "again"}, headers=admin)
    assert again.status_code == 409
    assert "recall 1 is closed already" in again.json()["detail"]
    late = client.post(
        "/api/recalls/1/responses",
        json={"acknowledged": True},
        headers=token_for("distributor", "dist-b"),
    )
    assert late.status_code == 409
    assert (
        client.post("/api/recalls/1/close", json={"reason": " "}, headers=admin).status_code == 422
    )
    assert (
        client.post("/api/recalls/9/close", json={"reason": "x"}, headers=admin).status_code == 404
    )
    with traced.unit_of_work(read_only=True) as uow:
        assert uow.units.get(uow.products.with_id(GTIN)[0], "S00001").state is UnitState.RECALLED  # type: ignore[index,union-attr]


def test_a_scan_and_the_linkset_carry_the_recall_notice(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    opened(client, admin, {"units": [code(21)]})
    scanned = client.post("/api/scans", json={"code": code(21)})
    assert scanned.json()["verdict"] == "recalled"
    assert scanned.json()["message"] == (
        f"This product (batch {LOT}) has been recalled: {REASON}. {INSTRUCTIONS}"
    )
    linkset = client.get(
        f"/01/{GTIN.value}/21/S00021", headers={"Accept": "application/linkset+json"}
    ).json()
    (notice,) = linkset["linkset"][0]["https://gs1.org/voc/recallStatus"]
    assert (notice["title"], notice["instructions"], notice["recall"]) == (
        f"Recalled: {REASON}",
        INSTRUCTIONS,
        1,
    )
