"""Webhook subscriptions over HTTP: destinations unitrace may not POST to are a 400
SubscriptionControlsException that stores nothing, the operator's setting lets internal
webhooks through, and revoking a token (``DELETE /api/tokens/{id}``) suspends what it
subscribed."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api.test_epcis_query import (
    LOCAL,
    QUICK,
    Receiver,
    capture,
    object_event,
    receiver,
    service,
    subscribe,
)
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.services.epcis_query import SubscriptionDelivery
from unitrace.store.schema import epcis_subscriptions
from unitrace.store.unit_of_work import Database

__all__ = ["receiver"]  # fixtures

QUERY = {"name": "shipments", "query": {"eventType": ["ObjectEvent"]}}
SUBSCRIPTIONS = "/epcis/queries/shipments/subscriptions"


def stored_subscriptions(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(
                select(func.count()).select_from(epcis_subscriptions)
            ).scalar_one()
        )


@pytest.mark.parametrize(
    ("dest", "detail"),
    [
        ("http://127.0.0.1:5432/", "dest: 127.0.0.1 is a loopback address"),
        ("http://localhost:8000/hook", "dest: localhost resolves to an address that is not publicly routable"),
        ("http://169.254.169.254/latest/meta-data/", "dest: 169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/hook", "dest: 10.0.0.1 is a private address"),
        ("http://[::1]:8080/", "dest: ::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "dest: ::ffff:127.0.0.1 is a loopback address (it carries 127.0.0.1)"),
        ("http://[fd00::5]/", "dest: fd00::5 is a private address"),
        ("http://0.0.0.0/", "dest: 0.0.0.0 is an unspecified address"),
        ("ftp://93.184.215.14/x", "dest: ftp scheme: only http:// and https://"),
        ("https://user:pw@93.184.215.14/", "dest: credentials in the URL are refused; use signatureToken"),
    ],
)  # fmt: skip
def test_a_subscription_to_an_internal_address_is_refused_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str], database: Database, dest: str, detail: str
) -> None:
    assert client.post("/epcis/queries", json=QUERY, headers=admin).status_code == 201
    answer = client.post(SUBSCRIPTIONS, json={"dest": dest, "stream": True}, headers=admin)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["type"], answer.json()["detail"]) == (
        "epcisException:SubscriptionControlsException",
        detail,
    )
    assert client.get(SUBSCRIPTIONS, headers=admin).json() == []
    assert stored_subscriptions(database) == 0


@pytest.mark.parametrize(
    ("dest", "status"),
    [
        ("http://127.0.0.1:9/hook", 201),
        ("http://127.0.0.2:9/hook", 400),
        ("http://10.20.30.40/hook", 201),
        ("http://10.21.0.1/hook", 400),
    ],
)
def test_the_operators_setting_lets_webhooks_reach_its_internal_networks(
    database: Database, admin: dict[str, str], dest: str, status: int
) -> None:
    settings = Settings.from_environment(
        {"UNITRACE_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32, 10.20.0.0/16"}
    )
    assert settings.webhook_allowed_networks == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.20.0.0/16"),
    )
    client = TestClient(create_app(database, settings))
    assert client.post("/epcis/queries", json=QUERY, headers=admin).status_code == 201
    answer = client.post(SUBSCRIPTIONS, json={"dest": dest, "stream": True}, headers=admin)
    assert answer.status_code == status, answer.text
    assert stored_subscriptions(database) == (1 if status == 201 else 0)


def test_a_bad_allowed_network_setting_names_the_variable() -> None:
    with pytest.raises(ValueError, match=r"^UNITRACE_WEBHOOK_ALLOWED_NETWORKS: ") as refused:
        Settings.from_environment({"UNITRACE_WEBHOOK_ALLOWED_NETWORKS": "10.0.0.0/8,10.0.0/33"})
    assert str(refused.value) == (
        "UNITRACE_WEBHOOK_ALLOWED_NETWORKS: '10.0.0/33' is not a network such as 10.20.0.0/16, "
        "192.168.1.5 or fd00::/8"
    )


def test_revoking_a_token_suspends_its_subscriptions(
    database: Database,
    admin: dict[str, str],
    receiver: Callable[..., Receiver],
) -> None:
    client = TestClient(service(database))
    assert (
        client.post(
            "/api/parties",
            json={
                "id": "dist-1",
                "name": "Distributor",
                "role": "distributor",
                "territory": ["SG"],
            },
            headers=admin,
        ).status_code
        == 201
    )
    made = client.post(
        "/api/tokens", json={"role": "distributor", "party": "dist-1"}, headers=admin
    ).json()
    distributor = {"Authorization": f"Bearer {made['token']}"}
    hook = receiver(200)
    created = subscribe(client, distributor, {"dest": hook.url, "stream": True})
    path = f"{SUBSCRIPTIONS}/{created['subscriptionID']}"

    # only an admin revokes, and only a live token
    assert client.delete(f"/api/tokens/{made['id']}", headers=distributor).status_code == 403
    assert client.delete("/api/tokens/999999", headers=admin).status_code == 404
    assert client.delete(f"/api/tokens/{made['id']}", headers=admin).status_code == 204
    assert client.delete(f"/api/tokens/{made['id']}", headers=admin).status_code == 404

    # the subscription is dist-1's: another of its tokens reads it
    other = client.post(
        "/api/tokens", json={"role": "distributor", "party": "dist-1"}, headers=admin
    ).json()
    state = client.get(path, headers={"Authorization": f"Bearer {other['token']}"}).json()
    assert state["deliveryStatus"] == "suspended"
    assert state["suspendedReason"].startswith(
        f"the token that made it (token:{made['id']}) was revoked at "
    )
    revoked_at = dt.datetime.fromisoformat(state["suspendedReason"].rsplit(" ", 1)[1])
    assert abs(revoked_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    # the revoked token itself no longer gets in
    assert client.get(path, headers=distributor).status_code == 401
    capture(database, object_event("urn:uuid:after-revocation"))
    assert SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK).deliver_due() == 0
    assert hook.received == []
