"""The resolver's answers, in-process (FastAPI's test client, SQLite in a temporary folder),
one request after another: p50, p99 and the slowest in milliseconds for each kind of request,
2,000 requests each, over 20,000 units of a product whose brand set eight links.

- the default redirect (a phone scanning the code: 307 to the brand's default link);
- a link type asked for (307, chosen among links by language);
- the linkset (200, three levels);
- a compressed URI's redirect (decompressed first);
- the GS1 Lightweight Verification response in place (``linkType=gs1:verificationService``,
  ``Accept: application/json``), a DSCSA requester's question;
- the reference: the scan JSON in place (``Accept: application/json``), which verifies and
  logs the scan, as every scan did before the resolver redirected.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from timing import time_each
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services import brand_links, catalog
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
UNITS = 20_000
REQUESTS = 2_000
ADMIN = Actor("bench", Role.ADMIN)
ORIGIN = "https://id.brand.example"
LINKS = [
    ("gs1:pip", "https://brand.example/pip/en", "en", None, True),
    ("gs1:pip", "https://brand.example/pip/fr", "fr", None, False),
    ("gs1:instructions", "https://brand.example/leaflet", "en", None, False),
    ("gs1:instructions", "https://brand.example/leaflet/L1", "en", "L1", False),
    ("gs1:certificationInfo", "https://brand.example/gmp.pdf", None, None, False),
    ("gs1:registerProduct", "https://brand.example/register", "en", None, False),
    ("gs1:recallStatus", "https://brand.example/recalls", None, None, False),
    ("gs1:safetyInfo", "https://brand.example/safety", "en", None, False),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        database = Database(engine)
        with database.unit_of_work() as uow:
            catalog.register_product(uow, gtin=GTIN, name="Vitamin C", actor=ADMIN)
            catalog.register_lot(uow, gtin=GTIN, lot="L1", expiry=dt.date(2031, 1, 1), actor=ADMIN)
            for link_type, href, language, lot, default in LINKS:
                brand_links.add_link(uow, gtin=GTIN, link_type=link_type, href=href,
                                     title="T", hreflang=language, lot=lot, default=default,
                                     actor=ADMIN)  # fmt: skip
            uow.commit()
        with database.unit_of_work() as uow:
            request = issue_serials(uow, gtin=GTIN, lot="L1", count=UNITS, actor=ADMIN)
            uow.commit()
        with database.unit_of_work(read_only=True) as uow:
            rows = [code.row(ORIGIN) for code in request_codes(uow, request.id)]
        paths = ["/" + str(row["digital_link"]).split("/", 3)[3] for row in rows]
        rng = random.Random(7)
        sample = [rng.choice(paths) for _ in range(REQUESTS)]
        app = create_app(
            database, Settings(resolver_base=ORIGIN, scans_per_minute=10**9, scan_burst=10**9)
        )
        client = TestClient(app, base_url=ORIGIN)

        def redirected(answer: object) -> None:
            assert getattr(answer, "status_code", None) == 307, answer

        def ok(answer: object) -> None:
            assert getattr(answer, "status_code", None) == 200, answer

        kinds = [
            ("default redirect (307)", lambda p: client.get(p, follow_redirects=False), redirected),
            ("linkType=gs1:pip, French (307)",
             lambda p: client.get(p + "&linkType=gs1:pip" if "?" in p else p + "?linkType=gs1:pip",
                                  headers={"Accept-Language": "fr"}, follow_redirects=False),
             redirected),
            ("linkset (200)", lambda p: client.get(p, headers={"Accept": "application/linkset+json"}), ok),
            ("compressed URI (307)",
             lambda _: client.get("/AQnYUc1gmiCNV4JGLo3DY", follow_redirects=False), redirected),
            ("verification response in place (200)",
             lambda p: client.get(p + "&linkType=gs1:verificationService" if "?" in p
                                  else p + "?linkType=gs1:verificationService",
                                  headers={"Accept": "application/json"}), ok),
            ("reference: scan JSON in place (200)",
             lambda p: client.get(p, headers={"Accept": "application/json"}), ok),
        ]  # fmt: skip
        print(f"{REQUESTS} requests each, {UNITS:,} units, {len(LINKS)} brand links, SQLite")
        for name, call, check in kinds:
            figures = time_each(sample, call, check)
            print(
                f"  {name:40} p50 {figures.p50:6.2f} ms  p99 {figures.p99:6.2f} ms  "
                f"max {figures.max:6.2f} ms"
            )
        client.close()
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
