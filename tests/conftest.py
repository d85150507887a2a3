"""Shared test set-up: the official GS1 conformance material, and the test database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from unitrace.store.caller_limits import limits_file
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

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


# --- the database every registry test runs against ----------------------------------------

TEST_DATABASE_URL = os.environ.get("UNITRACE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The test database, migrated once for the session: PostgreSQL where
    UNITRACE_TEST_DATABASE_URL names it (CI), else a SQLite file. A PostgreSQL that does not
    answer skips the database tests locally and fails them in CI."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'unitrace.db'}"
    engine = open_database(url)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        message = f"test database {engine.url.render_as_string()} does not answer: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database(database_engine: Engine) -> Database:
    """The test database, emptied before each test."""
    return emptied(database_engine)


def emptied(engine: Engine) -> Database:
    """The test database with every table emptied (for a fixture of a wider scope)."""
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    forget_caller_limits(engine)
    return Database(engine)


def forget_caller_limits(engine: Engine) -> None:
    """Empty the rate limits a service on a SQLite file keeps beside it (PostgreSQL's are a
    table, emptied with the others): each test's callers start with a full bucket."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or not limits_file(path).exists():
        return
    with contextlib.closing(sqlite3.connect(limits_file(path), timeout=5)) as limits:
        limits.execute("DELETE FROM caller_limits")
        limits.commit()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo data, as ``unitrace demo`` makes it, made once: the
    command-line tests that need the demo start from a copy of it (:func:`demo_registry`)
    rather than seeding 6,000 units each."""
    from typer.testing import CliRunner

    from unitrace.cli import app

    made = tmp_path_factory.mktemp("demo-template") / "registry.db"
    result = CliRunner().invoke(app, ["demo"], env={"UNITRACE_DATABASE_URL": f"sqlite:///{made}"})
    assert result.exit_code == 0, result.output
    return made


def demo_registry(template: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo's database in ``folder`` (``registry.db``), which the command line is
    pointed at and run in."""
    copy = folder / "registry.db"
    with (
        contextlib.closing(sqlite3.connect(template)) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.chdir(folder)
    return copy
