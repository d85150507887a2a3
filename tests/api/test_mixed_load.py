"""The running service with two workers under a mixed load for a bounded time, on the test
database (SQLite, or PostgreSQL in CI): every request is answered, /health keeps answering
while a 100,000-event document is captured, and the service stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.api.conftest import SYSTEM
from tests.api.test_worker_liveness import database_url_of
from tests.mixed_load import percentile, run_mixed_load
from tests.running_service import RunningService
from unitrace.services import catalog
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.tokens import create_token
from unitrace.store.unit_of_work import Database

#: It measures the service under load: no other test runs meanwhile (tests/conftest.py).
pytestmark = pytest.mark.alone

GTIN = "09506000134352"
LOT = "L-LOAD"
#: The large document's events (UNITRACE_LOAD_EVENTS for a smaller run while developing).
CAPTURE_EVENTS = int(os.environ.get("UNITRACE_LOAD_EVENTS", "100000"))


def test_two_workers_answer_every_request_of_a_mixed_load_and_stop_on_sigterm(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.unit_of_work() as uow:
        catalog.register_product(
            uow, gtin=GTIN, name="Load test", company_prefix_length=7, actor=SYSTEM
        )
        catalog.register_lot(uow, gtin=GTIN, lot=LOT, expiry=dt.date(2030, 12, 31), actor=SYSTEM)
        catalog.register_party(
            uow, id="dist-a", name="Distributor A", role="distributor", actor=SYSTEM
        )
        request = issue_serials(uow, gtin=GTIN, lot=LOT, count=300, commission=True, actor=SYSTEM)
        codes = [code.identity.element_string() for code in request_codes(uow, request.id)]
        tokens = {
            "admin": create_token(uow, role="admin", actor=SYSTEM),
            "line": create_token(uow, role="line", actor=SYSTEM),
            "distributor": create_token(uow, role="distributor", party="dist-a", actor=SYSTEM),
        }
        uow.commit()
    service = RunningService(database_url_of(database), workers=2).start(tmp_path / "serve.log")
    try:
        report = run_mixed_load(
            service,
            admin=tokens["admin"],
            line=tokens["line"],
            distributor=tokens["distributor"],
            scan_codes=[*codes, "(01)09506000134352(21)NOTOURS1"],
            gtin=GTIN,
            lot=LOT,
            capture_events=CAPTURE_EVENTS,
            serials_per_request=50_000,
        )
        status, seconds = service.terminate(within=30)
    finally:
        service.kill()
    with capsys.disabled():
        print(f"\nmixed load on {database.dialect}: {report.summary()}; SIGTERM: exit "
              f"{status} in {seconds:.1f} s")  # fmt: skip
    assert report.unanswered == [], report.unanswered[:3]
    assert report.unexpected == [], [(s.kind, s.answer.status, s.answer.body[:300]) for s in report.unexpected[:5]]  # fmt: skip
    kinds = report.statuses()
    assert {kind for kind, found in kinds.items() if not set(found) - {503}} <= {"capture job"}
    assert (report.capture_job["captured"], report.capture_job["errors"]) == (CAPTURE_EVENTS, [])
    health = report.health_during_capture()
    assert len(health) > 20
    assert percentile(health, 99) < 1.0
    assert (status, seconds < 15) == (0, True), service.output()[-3000:]
