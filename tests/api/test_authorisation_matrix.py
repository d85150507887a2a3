"""Who may do what, as one table: every route of the service (each /api resource and verb, each
/epcis resource and verb, the public scan routes and the resolver) asked by every kind of
caller, with the status each must get.

The callers are the brand's ``admin`` and ``line`` tokens, two distributors (``dist-a`` and
``dist-b``), a ``verifier``, no token, and a revoked token. Each request is one that means
something for the rule: what ``dist-b`` asks of is ``dist-a``'s (its unit, container, shipment,
capture job, named query, subscription, alert) unless the row says otherwise, so a
distributor's own answer and another's stand side by side.

A row is one line: the method, the path, the statuses in the order of :data:`CALLERS`, and the
JSON body where there is one. ``$name`` in a path or body is a value of the world below:
``$a_unit`` a unit dist-a holds, ``$new_…`` a thing made afresh for each request (a unit, a
token, a query …), so that what one request changes never decides another's answer.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.epcis_known_events import empty
from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    GTIN,
    LINE,
    LOT,
    build_registry,
    issue,
    serial_of,
)
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, Role
from unitrace.services import (
    brand_links,
    catalog,
    epcis_capture,
    epcis_named_queries,
    lifecycle,
    recall,
)
from unitrace.services.cold_chain import attachments, conditions
from unitrace.services.recall.notices import RecallNotices
from unitrace.services.tokens import create_token, live_token_id, revoke_token
from unitrace.services.webhooks import WebhookDestinations
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

#: The callers, in the order of each row's statuses.
CALLERS = ("admin", "line", "dist-a", "dist-b", "verifier", "none", "revoked")

DIST_B = Actor("bert", Role.DISTRIBUTOR, "dist-b")
CASE_GTIN = "19506000134359"
#: A public address: subscribing needs no name resolved.
HOOK = "https://93.184.215.14/hook"
FOREIGN_EPC = "urn:epc:id:sgtin:0614141.107346.2018"
EVENT = (
    '{"type": "ObjectEvent", "eventID": "$new_event_id", "eventTime": "2026-03-02T09:00:00Z",'
    f' "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["{FOREIGN_EPC}"],'
    f' "@context": "{EPCIS_CONTEXT}"}}'
)
DOCUMENT = (
    f'{{"@context": ["{EPCIS_CONTEXT}"], "type": "EPCISDocument", "schemaVersion": "2.0",'
    f' "creationDate": "2026-03-02T09:00:00Z", "epcisBody": {{"eventList": [{EVENT}]}}}}'
)
DL = f"/01/{GTIN.value}/21"


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    statuses: str
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def status_of(self, caller: str) -> int:
        return int(self.statuses.split()[CALLERS.index(caller)])


# fmt: off
ROWS = [
    #   method    path                                             admin line dist-a dist-b verifier none revoked   body
    # --- /api: the catalog, the brand's admin alone
    Row("POST",   "/api/products",                                 "201 403 403 403 403 401 401", '{"gtin": "$new_gtin", "name": "New"}'),
    Row("GET",    "/api/products",                                 "200 403 403 403 403 401 401"),
    Row("GET",    "/api/products/$gtin",                           "200 403 403 403 403 401 401"),
    Row("PUT",    "/api/products/$gtin/detection-rules",           "200 403 403 403 403 401 401", "{}"),
    Row("POST",   "/api/lots",                                     "201 403 403 403 403 401 401", '{"gtin": "$gtin", "lot": "$new_lot_name", "expiry": "2030-12-31"}'),
    Row("GET",    "/api/lots/$gtin",                               "200 403 403 403 403 401 401"),
    Row("GET",    "/api/lots/$gtin/$lot",                          "200 403 403 403 403 401 401"),
    Row("POST",   "/api/lots/$gtin/$new_lot/status",               "201 403 403 403 403 401 401", '{"status": "recalled", "reason": "test"}'),
    Row("POST",   "/api/parties",                                  "201 403 403 403 403 401 401", '{"id": "$new_party", "name": "New", "role": "distributor"}'),
    Row("GET",    "/api/parties",                                  "200 403 403 403 403 401 401"),
    # --- /api: serials, the brand's admin and line
    Row("POST",   "/api/serial-requests",                          "201 201 403 403 403 401 401", '{"gtin": "$gtin", "lot": "$lot", "count": 1}'),
    Row("GET",    "/api/serial-requests/$serial_request",          "200 200 403 403 403 401 401"),
    Row("GET",    "/api/serial-requests/$serial_request/codes",    "200 200 403 403 403 401 401"),
    Row("GET",    "/api/serial-requests/$serial_request/labels.pdf", "200 200 403 403 403 401 401"),
    Row("GET",    "/api/serial-requests/$serial_request/symbols.zip", "200 200 403 403 403 401 401"),
    # --- /api: the registry; a distributor handles what it holds
    Row("POST",   "/api/commissions",                              "201 201 403 403 403 401 401", '{"gtin": "$gtin", "lot": "$lot", "seq_from": $new_issued_seq, "seq_to": $new_issued_seq}'),
    Row("POST",   "/api/allocations",                              "201 403 403 403 403 401 401", '{"party": "dist-b", "gtin": "$gtin", "lot": "$lot", "seq_from": $new_brand_seq, "seq_to": $new_brand_seq}'),
    Row("POST",   "/api/allocations",                              "409 403 201 403 403 401 401", '{"party": "dist-b", "codes": ["$new_a_unit"]}'),
    Row("POST",   "/api/shipments",                                "201 403 403 403 403 401 401", '{"party": "dist-a", "codes": ["$new_brand_unit"]}'),
    Row("POST",   "/api/shipments",                                "409 403 201 403 403 401 401", '{"party": "dist-b", "codes": ["$new_a_unit"]}'),
    Row("POST",   "/api/receipts",                                 "201 403 201 403 403 401 401", '{"codes": ["$new_a_unit"], "location_gln": "9506000000015"}'),
    Row("POST",   "/api/aggregations",                             "201 201 201 403 403 401 401", '{"parent": "$new_case", "children": ["$new_a_unit"]}'),
    Row("POST",   "/api/disaggregations",                          "201 201 201 403 403 401 401", '{"parent": "$new_a_case", "children": null}'),
    Row("POST",   "/api/state-changes",                            "201 403 201 403 403 401 401", '{"codes": ["$new_a_unit"], "state": "sample"}'),
    Row("POST",   "/api/assemblies",                               "201 201 403 403 403 401 401", '{"device": "$new_brand_unit", "components": ["$new_brand_part"]}'),
    Row("POST",   "/api/inspections",                              "201 201 201 403 403 401 401", '{"target": "$new_a_unit", "result": "fail"}'),
    # --- /api: the cold chain; conditions are the admin's to set, anyone's to read; loggers'
    # readings come from the brand and its distributors; what a logger measured is the brand's
    Row("PUT",    "/api/products/$gtin/storage",                   "200 403 403 403 403 401 401", '{"min_c": 2, "max_c": 8}'),
    Row("GET",    "/api/products/$gtin/storage",                   "200 200 200 200 200 401 401"),
    Row("GET",    "/api/products/$gtin/links",                     "200 403 403 403 403 401 401"),
    Row("POST",   "/api/products/$gtin/links",                     "201 403 403 403 403 401 401", '{"link_type": "gs1:pip", "href": "https://brand.example/p/$new_name", "title": "P"}'),
    Row("DELETE", "/api/products/$gtin/links/$new_link",           "204 403 403 403 403 401 401"),
    Row("POST",   "/api/sensor-readings",                          "201 201 201 201 403 401 401", '{"readings": [{"device": "LOG-$new_name", "time": "2026-03-01T07:00:00Z", "value": 4, "uom": "CEL"}]}'),
    Row("POST",   "/api/sensor-devices/LOG-1/attachments",         "201 201 403 403 403 401 401", '{"to": "$a_case", "from": "2026-03-01T07:00:00Z"}'),
    Row("GET",    "/api/sensor-devices/LOG-1",                     "200 200 403 403 403 401 401"),
    Row("GET",    "/api/units/$gtin/$a_serial",                    "200 200 200 404 403 401 401"),
    Row("GET",    "/api/containers/$a_case",                       "200 200 200 404 403 401 401"),
    Row("GET",    "/api/trace?code=(01)$gtin(21)$a_serial",        "200 200 200 404 403 401 401"),
    Row("GET",    "/api/trace?code=$a_case&format=csv",            "200 200 200 404 403 401 401"),
    Row("GET",    "/api/cold-chain?code=(01)$gtin(21)$a_serial",   "200 200 200 404 403 401 401"),
    Row("GET",    "/api/cold-chain?code=$a_case",                  "200 200 200 404 403 401 401"),
    Row("GET",    "/api/cold-chain/chart.svg?code=$a_case",        "200 200 200 404 403 401 401"),
    Row("POST",   "/api/cold-chain/judgements",                    "200 403 403 403 403 401 401", '{"code": "$a_case"}'),
    Row("GET",    "/api/exports/dscsa/$a_shipment",                "200 403 200 404 403 401 401"),
    Row("GET",    "/api/exports/dscsa/$a_shipment?version=2.0",    "200 403 200 404 403 401 401"),
    Row("GET",    "/api/exports/fsma204?gtin=$gtin&lot=$lot",      "200 403 200 200 403 401 401"),
    # --- /api: recalls; the brand's admin opens and closes, a party answers for its own line
    Row("POST",   "/api/recalls",                                  "201 403 403 403 403 401 401", '{"scope": {"units": ["$new_a_unit"]}, "reason": "r", "instructions": "i"}'),
    Row("GET",    "/api/recalls",                                  "200 200 200 200 403 401 401"),
    Row("GET",    "/api/recalls/$a_recall",                        "200 200 200 404 403 401 401"),
    Row("GET",    "/api/recalls/$a_recall/units",                  "200 200 200 404 403 401 401"),
    Row("GET",    "/api/recalls/$a_recall/report.pdf",             "200 200 200 404 403 401 401"),
    Row("POST",   "/api/recalls/$a_recall/responses",              "403 403 200 404 403 401 401", '{"acknowledged": true}'),
    Row("POST",   "/api/recalls/$a_recall/responses",              "403 403 200 403 403 401 401", '{"acknowledged": true, "party": "dist-a"}'),
    Row("POST",   "/api/recalls/$new_a_recall/close",              "200 403 403 403 403 401 401", '{"reason": "done"}'),
    Row("PUT",    "/api/parties/dist-a/recall-endpoint",           "204 403 403 403 403 401 401", f'{{"url": "{HOOK}", "signature_token": "0123456789abcdef"}}'),
    # --- /api: tokens and alerts
    Row("GET",    "/api/tokens",                                   "200 403 403 403 403 401 401"),
    Row("POST",   "/api/tokens",                                   "201 403 403 403 403 401 401", '{"role": "verifier"}'),
    Row("DELETE", "/api/tokens/$new_token",                        "204 403 403 403 403 401 401"),
    Row("GET",    "/api/alerts",                                   "200 403 200 200 403 401 401"),
    Row("GET",    "/api/alerts/$a_alert",                          "200 403 200 404 403 401 401"),
    Row("POST",   "/api/alerts/$new_a_alert",                      "200 403 403 403 403 401 401", '{"status": "investigating"}'),
    # --- /api: the pharmacist's flow
    Row("POST",   "/api/units/$gtin/$a_serial/verify",             "200 403 200 200 200 401 401", "{}"),
    Row("POST",   "/api/units/$gtin/$new_a_serial/decommission",   "200 403 200 403 403 401 401", "{}"),
    # --- the public scan routes and the resolver: anyone; a token given to a scan must be live
    Row("POST",   "/api/scans",                                    "200 200 200 200 200 200 401", '{"code": "$scan_code"}'),
    Row("GET",    f"{DL}/$scan_serial",                            "200 200 200 200 200 200 200"),
    Row("GET",    f"{DL}/$scan_serial?linkType=gs1:verificationService", "200 200 200 200 200 200 200"),
    Row("GET",    f"{DL}/$scan_serial?linkType=linkset",           "200 200 200 200 200 200 200"),
    Row("HEAD",   f"{DL}/$scan_serial",                            "200 200 200 200 200 200 200"),
    Row("OPTIONS", f"{DL}/$scan_serial",                           "204 204 204 204 204 204 204"),
    Row("GET",    f"{DL}/$scan_serial?linkType=gs1:pip",           "404 404 404 404 404 404 404"),
    Row("GET",    f"/verify{DL}/$scan_serial",                     "200 200 200 200 200 200 200"),
    Row("GET",    f"/verify/lms{DL}/$scan_serial",                 "200 200 200 200 200 200 200"),
    Row("GET",    "/.well-known/gs1resolver",                      "200 200 200 200 200 200 200"),
    Row("OPTIONS", "/.well-known/gs1resolver",                     "204 204 204 204 204 204 204"),
    Row("HEAD",   "/.well-known/gs1resolver",                      "200 200 200 200 200 200 200"),
    Row("GET",    "/00/$pallet_digits",                            "200 200 200 200 200 200 200"),
    Row("GET",    "/",                                             "200 200 200 200 200 200 200"),
    Row("GET",    "/verify?code=$scan_code",                       "200 200 200 200 200 200 200"),
    Row("GET",    "/health",                                       "200 200 200 200 200 200 200"),
    Row("GET",    "/openapi.json",                                 "200 200 200 200 200 200 200"),
    # --- /epcis: capture; a verifier captures nothing and has no capture jobs
    Row("OPTIONS", "/epcis/capture",                               "204 204 204 204 204 204 204"),
    Row("POST",   "/epcis/capture",                                "202 202 202 202 403 401 401", DOCUMENT),
    Row("GET",    "/epcis/capture",                                "200 200 200 200 403 401 401"),
    Row("GET",    "/epcis/capture/$a_job",                         "200 404 200 404 403 401 401"),
    Row("GET",    "/epcis/capture/$brand_job",                     "200 200 404 404 403 401 401"),
    Row("POST",   "/epcis/events",                                 "201 201 201 201 403 401 401", EVENT),
    # --- /epcis: events and discovery, each token with its view (a verifier bound to no party sees none)
    Row("GET",    "/epcis",                                        "200 200 200 200 200 401 401"),
    Row("OPTIONS", "/epcis",                                       "204 204 204 204 204 204 204"),
    Row("GET",    "/epcis/events",                                 "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/events/$a_shipment",                     "200 200 200 404 404 401 401"),
    Row("GET",    "/epcis/eventTypes",                             "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/bizSteps",                               "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/bizLocations",                           "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/readPoints",                             "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/dispositions",                           "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/epcs",                                   "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/epcs/$a_epc",                            "200 200 200 404 404 401 401"),
    Row("GET",    "/epcis/eventTypes/ObjectEvent",                 "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/bizSteps/commissioning",                 "200 200 200 200 404 401 401"),
    Row("GET",    "/epcis/eventTypes/ObjectEvent/events",          "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/epcs/$a_epc/events",                     "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/bizSteps/shipping/events",               "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/bizLocations/$place/events",             "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/readPoints/$place/events",               "200 200 200 200 200 401 401"),
    Row("GET",    "/epcis/dispositions/active/events",             "200 200 200 200 200 401 401"),
    Row("DELETE", "/epcis/nextPageToken/anything",                 "204 204 204 204 204 401 401"),
    Row("PUT",    "/epcis/events",                                 "405 405 405 405 405 405 405", "{}"),
    # --- /epcis: named queries and subscriptions, their owner's alone (the brand's tokens share)
    Row("GET",    "/epcis/queries",                                "200 200 200 200 403 401 401"),
    Row("POST",   "/epcis/queries",                                "201 201 201 201 403 401 401", '{"name": "$new_name", "query": {}}'),
    Row("GET",    "/epcis/queries/$a_query",                       "404 404 200 404 403 401 401"),
    Row("GET",    "/epcis/queries/$brand_query",                   "200 200 404 404 403 401 401"),
    Row("GET",    "/epcis/queries/$a_query/events",                "404 404 200 404 403 401 401"),
    Row("DELETE", "/epcis/queries/$new_a_query",                   "404 404 204 404 403 401 401"),
    Row("DELETE", "/epcis/queries/$new_brand_query",               "204 204 404 404 403 401 401"),
    Row("GET",    "/epcis/queries/$a_query/subscriptions",         "404 404 200 404 403 401 401"),
    Row("POST",   "/epcis/queries/$a_query/subscriptions",         "404 404 201 404 403 401 401", f'{{"dest": "{HOOK}", "stream": true}}'),
    Row("GET",    "/epcis/queries/$a_query/subscriptions/$a_subscription", "404 404 200 404 403 401 401"),
    Row("DELETE", "/epcis/queries/$a_query/subscriptions/$new_a_subscription", "404 404 204 404 403 401 401"),
    Row("GET",    "/epcis/queries/$brand_query/subscriptions/$brand_subscription", "200 200 404 404 403 401 401"),
]
# fmt: on


class World:
    """The service on a registry where dist-a and dist-b each hold units, dist-a a case, a
    capture job, a named query with a subscription and an alert; the brand has its own. Values
    named ``new_…`` are made afresh on each use."""

    def __init__(self, engine: Engine) -> None:
        empty(engine)
        self.database = Database(engine)
        self.client = TestClient(
            create_app(self.database, Settings(scans_per_minute=100_000, scan_burst=100_000))
        )
        self._numbers = itertools.count(1)
        self.fixed: dict[str, str] = {}
        self.fresh: dict[str, Callable[[], str]] = {
            "new_gtin": self._new_gtin,
            "new_lot_name": lambda: f"N{self._number()}",
            "new_lot": self._new_lot,
            "new_party": lambda: f"party-{self._number()}",
            "new_issued_seq": lambda: str(self._new_units(commissioned=False)),
            "new_brand_seq": lambda: str(self._new_units()),
            "new_brand_unit": lambda: self._code(self._new_units()),
            "new_brand_part": lambda: self._code(self._new_units()),
            "new_a_unit": lambda: self._code(self._new_units(holder="dist-a")),
            "new_a_serial": lambda: serial_of(GTIN, self._new_units(holder="dist-a")),
            "new_case": lambda: self._case(self._number() + 1000),
            "new_a_case": self._new_a_case,
            "new_token": self._new_token,
            "new_a_alert": self._new_alert,
            "new_event_id": lambda: uuid.uuid4().urn,
            "new_name": lambda: f"q-{self._number()}",
            "new_a_query": lambda: self._query(DIST_A),
            "new_brand_query": lambda: self._query(ADMIN),
            "new_a_subscription": lambda: self._subscription(DIST_A, self.fixed["a_query"]),
            "new_a_recall": self._new_recall,
            "new_link": self._new_link,
        }
        # notices to parties' endpoints are recorded, never sent
        self.client.app.state.recall_notices = RecallNotices(  # type: ignore[attr-defined]
            post=lambda target, body, headers: 204, in_background=False
        )
        build_registry(self.database)
        self.tokens = {
            "admin": self._token("admin"),
            "line": self._token("line"),
            "dist-a": self._token("distributor", "dist-a"),
            "dist-b": self._token("distributor", "dist-b"),
            "verifier": self._token("verifier"),
            "revoked": self._revoked_token(),
        }
        with self.database.unit_of_work() as uow:
            issue(uow, GTIN, LOT, 5)
            lifecycle.commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=5, actor=LINE)
            shipment = lifecycle.allocate(
                uow, party="dist-a", gtin=GTIN.value, lot=LOT, seq_from=1, seq_to=2, actor=ADMIN
            )
            lifecycle.allocate(
                uow, party="dist-b", gtin=GTIN.value, lot=LOT, seq_from=3, seq_to=3, actor=ADMIN
            )
            lifecycle.aggregate(uow, parent=self._case(1), children=[self._code(2)], actor=DIST_A)
            conditions.set_conditions(uow, gtin=GTIN.value, min_c=2, max_c=8, actor=ADMIN)
            attachments.attach(
                uow, device="LOG-1", to=self._case(1), start=dt.datetime.now(dt.UTC), actor=ADMIN
            )
            alert = uow.alerts.add(
                type="grey_market", subject=f"{GTIN.value}/{serial_of(GTIN, 1)}",
                at=dt.datetime.now(dt.UTC), evidence={}, party_id="dist-a",
            )  # fmt: skip
            requests = uow.connection.exec_driver_sql("SELECT max(id) FROM serial_requests")
            serial_request = requests.scalar_one()
            uow.commit()
        self.fixed |= {
            "gtin": GTIN.value,
            "lot": LOT,
            "serial_request": str(serial_request),
            "a_serial": serial_of(GTIN, 1),
            "a_epc": f"urn:epc:id:sgtin:9506000.013435.{serial_of(GTIN, 1)}",
            "a_case": self._case(1),
            "a_shipment": shipment.event.event_id,
            "a_alert": str(alert),
            "a_job": self._capture_job(DIST_A),
            "brand_job": self._capture_job(ADMIN),
            "a_query": self._query(DIST_A),
            "brand_query": self._query(ADMIN),
            "scan_serial": serial_of(GTIN, 5),
            "scan_code": self._code(5),
            "pallet_digits": "195060000000000012",
            "place": "urn:epc:id:sgln:9506000.00001.0",
        }
        self.fixed["a_recall"] = self._new_recall()
        self.fixed["a_subscription"] = self._subscription(DIST_A, self.fixed["a_query"])
        self.fixed["brand_subscription"] = self._subscription(ADMIN, self.fixed["brand_query"])

    def headers(self, caller: str) -> dict[str, str]:
        return {} if caller == "none" else self.tokens[caller]

    def filled(self, template: str) -> str:
        """``template`` with each ``$name`` in it: a fixed value, or one made for it."""
        names = string.Template(template).get_identifiers()
        values = {name: self.fixed.get(name) or self.fresh[name]() for name in names}
        return string.Template(template).substitute(values)

    # --- making things -----------------------------------------------------------------------

    def _number(self) -> int:
        return next(self._numbers)

    @staticmethod
    def _code(seq: int) -> str:
        return f"(01){GTIN.value}(21){serial_of(GTIN, seq)}"

    @staticmethod
    def _case(number: int) -> str:
        return f"(01){CASE_GTIN}(21)C{number}"

    def _token(self, role: str, party: str | None = None) -> dict[str, str]:
        with self.database.unit_of_work() as uow:
            token = create_token(uow, role=role, party=party, actor=ADMIN)
            uow.commit()
        return {"Authorization": f"Bearer {token}"}

    def _revoked_token(self) -> dict[str, str]:
        headers = self._token("admin")
        with self.database.unit_of_work() as uow:
            token_id = live_token_id(uow, headers["Authorization"].removeprefix("Bearer "))
            revoke_token(uow, token_id, actor=ADMIN)
            uow.commit()
        return headers

    def _new_token(self) -> str:
        bearer = self._token("verifier")["Authorization"].removeprefix("Bearer ")
        with self.database.unit_of_work(read_only=True) as uow:
            return str(live_token_id(uow, bearer))

    def _new_recall(self) -> str:
        """A recall of a unit made afresh and shipped to dist-a: dist-a's task alone."""
        unit = self._code(self._new_units(holder="dist-a"))
        with self.database.unit_of_work() as uow:
            number = recall.open_recall(
                uow, scope={"units": [unit]}, reason="r", instructions="i", actor=ADMIN
            )
            uow.commit()
        return str(number)

    def _new_link(self) -> str:
        with self.database.unit_of_work() as uow:
            link = brand_links.add_link(
                uow,
                gtin=GTIN.value,
                link_type="gs1:instructions",
                href=f"https://brand.example/i/{self._number()}",
                title="Instructions",
                actor=ADMIN,
            )
            uow.commit()
        return str(link.id)

    def _new_gtin(self) -> str:
        payload = f"0950600{self._number() + 500_000:06d}"
        return payload + gs1_check_digit(payload)

    def _new_lot(self) -> str:
        name = f"R{self._number()}"
        with self.database.unit_of_work() as uow:
            catalog.register_lot(
                uow, gtin=GTIN.value, lot=name, expiry=dt.date(2030, 1, 1), actor=ADMIN
            )
            uow.commit()
        return name

    def _new_units(self, *, commissioned: bool = True, holder: str | None = None) -> int:
        """The seq of a unit issued afresh: commissioned, and shipped to ``holder``."""
        with self.database.unit_of_work() as uow:
            serial = issue(uow, GTIN, LOT, 1)[0]
            seq = int(serial[1:])
            if commissioned:
                lifecycle.commission(uow, gtin=GTIN, lot=LOT, seq_from=seq, seq_to=seq, actor=LINE)
            if holder is not None:
                lifecycle.allocate(uow, party=holder, codes=[self._code(seq)], actor=ADMIN)
            uow.commit()
        return seq

    def _new_a_case(self) -> str:
        case = self._case(self._number() + 2000)
        unit = self._code(self._new_units(holder="dist-a"))
        with self.database.unit_of_work() as uow:
            lifecycle.aggregate(uow, parent=case, children=[unit], actor=DIST_A)
            uow.commit()
        return case

    def _new_alert(self) -> str:
        with self.database.unit_of_work() as uow:
            alert = uow.alerts.add(
                type="clone", subject=f"matrix-{self._number()}", at=dt.datetime.now(dt.UTC),
                evidence={}, party_id="dist-a",
            )  # fmt: skip
            uow.commit()
        return str(alert)

    def _capture_job(self, actor: Actor) -> str:
        document = json.loads(self.filled(DOCUMENT))
        with self.database.unit_of_work() as uow:
            job = epcis_capture.start_capture(
                uow, document, actor=actor, behaviour=epcis_capture.ROLLBACK
            )
            uow.commit()
        epcis_capture.run_capture(self.database.unit_of_work, job, document, actor=actor)
        return str(job.id)

    def _query(self, actor: Actor) -> str:
        name = f"q-{self._number()}"
        with self.database.unit_of_work() as uow:
            epcis_named_queries.create_named_query(uow, name, {}, actor=actor)
            uow.commit()
        return name

    def _subscription(self, actor: Actor, query: str) -> str:
        with self.database.unit_of_work() as uow:
            made = epcis_named_queries.subscribe(
                uow, query, {"dest": HOOK, "stream": True}, actor=actor,
                destinations=WebhookDestinations(),
            )  # fmt: skip
            uow.commit()
        return made.subscription_id


@pytest.fixture(scope="module")
def world(database_engine: Engine) -> World:
    return World(database_engine)


@pytest.mark.parametrize(
    ("row", "caller"),
    [(row, caller) for row in ROWS for caller in CALLERS],
    ids=[f"{row.method} {row.path} {caller}" for row in ROWS for caller in CALLERS],
)
def test_each_caller_gets_the_status_its_role_allows(world: World, row: Row, caller: str) -> None:
    path = world.filled(row.path)
    body = None if row.body is None else world.filled(row.body).encode()
    headers = {**world.headers(caller), **row.headers}
    if body is not None:
        headers["Content-Type"] = "application/json"
    answer = world.client.request(row.method, path, content=body, headers=headers)
    assert answer.status_code == row.status_of(caller), (
        f"{row.method} {path} as {caller}: {answer.status_code} {answer.text[:400]}"
    )


def test_the_table_has_a_row_for_every_route() -> None:
    """A new route comes with its row: each operation the service documents is asked of."""
    app = create_app(Database(open_database("sqlite://")), Settings())
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    asked = {_operation_of(documented, row) for row in ROWS}
    assert documented - asked == set()


def _operation_of(documented: set[tuple[str, str]], row: Row) -> tuple[str, str] | None:
    """The documented operation a row asks of: of those whose path fits, the one with the
    most written out (``/epcis/epcs/{value}/events`` rather than ``/epcis/{resource}/{value}``)."""
    template = string.Template(row.path.split("?")[0])
    concrete = template.safe_substitute(dict.fromkeys(template.get_identifiers(), "x"))
    fitting = [
        (method, path)
        for method, path in documented
        if method == row.method
        and re.fullmatch(re.sub(r"\\{\w+\\}", ".+", re.escape(path)), concrete)
    ]
    return max(fitting, key=lambda found: len(re.sub(r"{\w+}", "", found[1])), default=None)
