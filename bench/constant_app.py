"""The reference a scan route is measured against: a FastAPI application that answers
``POST /api/scans`` with the same constant JSON whatever it is sent, served as unitrace is
(``bench_scan_route.py``). What it answers per second is the most the web stack lets through
on this machine; the scan route's rate is quoted as a share of it."""

from __future__ import annotations

from fastapi import FastAPI

ANSWER = {
    "verdict": "genuine",
    "first_scan": True,
    "scan_count": 1,
    "message": "This product is genuine.",
}


def create() -> FastAPI:
    app = FastAPI()

    @app.post("/api/scans")
    async def scan() -> dict[str, object]:
        return ANSWER

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
