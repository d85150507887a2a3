"""Shared test set-up: where the official GS1 conformance material is, and whether it must be."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = PROJECT_ROOT.parent / "shared" / "conformance"


@pytest.fixture(scope="session")
def conformance() -> Path:
    """The folder of official GS1 material beside the project: skipped with a reason where it
    is absent, a failure where UNITRACE_REQUIRE_CONFORMANCE=1 (as in CI)."""
    if not CONFORMANCE.is_dir():
        message = f"GS1 conformance material not found at {CONFORMANCE}"
        if os.environ.get("UNITRACE_REQUIRE_CONFORMANCE") == "1":
            pytest.fail(message + " and UNITRACE_REQUIRE_CONFORMANCE=1")
        pytest.skip(message)
    return CONFORMANCE
