"""Shared test set-up: the official GS1 conformance material, and the test database."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from unitrace.store.caller_limits import limits_file
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = PROJECT_ROOT.parent / "shared" / "conformance"

# --- the suite on several cores (pytest-xdist, as make pytest runs it) ------------------------

#: The pytest-xdist worker this process is ("gw0", "gw1", …), None in a run of one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")

if WORKER is not None:
    # A worker starts with COLUMNS=80 and LINES=24 in its environment (the pytest that
    # starts it has them in its process environment, though not in its os.environ): with
    # both set when unitrace.cli is imported, the command line's consoles would keep 80
    # columns whatever COLUMNS a test gives them. A worker runs the command line as a run of
    # one process does.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    """Under pytest-xdist, a test marked ``alone`` (it measures time or load: a service's
    answers while it is loaded, how soon it stops) runs while no other worker runs a test;
    every other test runs beside any but those."""
    if WORKER is None:
        return (yield)
    # the folder of this run's workers' temporary folders (each worker's is basetemp)
    with taking_turns(
        Path(item.config.option.basetemp).parent, alone=item.get_closest_marker("alone") is not None
    ):
        return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``database_independent`` every test that asks for no test database (see
    :func:`database_engine`); under pytest-xdist, start the tests marked ``long`` first, so
    that none of them runs last while the other workers have nothing left to do."""
    for item in items:
        if "database_engine" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database_independent)
    if WORKER is not None:
        items.sort(key=lambda item: item.get_closest_marker("long") is None)


@contextlib.contextmanager
def taking_turns(folder: Path, *, alone: bool) -> Iterator[None]:
    """Hold the run's room shared, or alone: a lock file every worker takes shared for each of
    its tests and an ``alone`` test takes exclusively. The turnstile, which each worker goes
    through to enter, keeps the others out while an ``alone`` test waits for the room to
    empty, so that it is never kept waiting by tests that started after it."""
    with (
        (folder / "tests.turnstile").open("a") as turnstile,
        (folder / "tests.room").open("a") as room,
    ):
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(room, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(room, fcntl.LOCK_UN)


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


def worker_database_url(url: str | None, worker: str | None) -> str | None:
    """The database one pytest-xdist worker runs its tests against: a PostgreSQL database of
    its own beside the one ``url`` names (``<name>_<worker>``), so that the workers never
    empty each other's tables; ``url`` itself when no worker runs (``-n 0``) or for SQLite
    (whose test database is a file in each worker's own temporary folder).

    >>> worker_database_url("postgresql+psycopg://postgres@127.0.0.1:5432/test", "gw1")
    'postgresql+psycopg://postgres@127.0.0.1:5432/test_gw1'
    >>> worker_database_url("postgresql+psycopg://postgres@127.0.0.1:5432/test", None)
    'postgresql+psycopg://postgres@127.0.0.1:5432/test'
    """
    if url is None or worker is None or not url.startswith("postgresql"):
        return url
    given = make_url(url)
    return given.set(database=f"{given.database}_{worker}").render_as_string(hide_password=False)


#: The test database UNITRACE_TEST_DATABASE_URL names (CI's PostgreSQL pass), this worker's own
#: under pytest-xdist (:func:`worker_database_url`); None: a SQLite file of the session's.
TEST_DATABASE_URL = worker_database_url(os.environ.get("UNITRACE_TEST_DATABASE_URL"), WORKER)


def create_worker_database(url: str) -> None:
    """Create this worker's PostgreSQL database, where it is missing, from a connection to
    the database UNITRACE_TEST_DATABASE_URL names (it is left for the next run: the session
    empties it first)."""
    if url == os.environ.get("UNITRACE_TEST_DATABASE_URL"):
        return
    name = make_url(url).database
    base = create_engine(os.environ["UNITRACE_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    try:
        with base.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                quoted = connection.dialect.identifier_preparer.quote_identifier(str(name))
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        base.dispose()


@pytest.fixture(scope="session")
def database_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The test database, migrated once for the session: PostgreSQL where
    UNITRACE_TEST_DATABASE_URL names it (CI; a database of each pytest-xdist worker's own
    beside it), else a SQLite file. A PostgreSQL that does not answer skips the database tests
    locally and fails them in CI.

    A test that asks for no ``database_engine`` (directly or through ``database``, ``client``
    and the like) runs the same whichever database UNITRACE_TEST_DATABASE_URL names: it is
    marked ``database_independent``, and CI's PostgreSQL pass leaves it to the SQLite pass
    (``-m "not database_independent"``). A test that reads the test database some other way
    must ask for ``database_engine`` too."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'unitrace.db'}"
    engine = open_database(url)
    try:
        if engine.dialect.name == "postgresql":
            create_worker_database(url)
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
            empty_postgresql(connection, tables)
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    forget_caller_limits(engine)
    return Database(engine)


#: Rows past which a PostgreSQL table is emptied by TRUNCATE rather than DELETE.
TRUNCATE_PAST = 10_000


def empty_postgresql(connection: Connection, tables: list[str]) -> None:
    """Empty ``tables`` (children first) and restart their ids at 1, as TRUNCATE … RESTART
    IDENTITY does. TRUNCATE gives each table new files, a third of a second for all of them
    before every test; DELETE costs next to nothing on the few rows a test leaves, so it
    empties every table but the large ones (by PostgreSQL's count, which may lag: a large
    table deleted from is only slower)."""
    large = set(
        connection.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema() AND n_live_tup > :rows"
            ),
            {"rows": TRUNCATE_PAST},
        ).scalars()
    )
    truncated = [table for table in tables if table in large]
    if truncated:
        connection.execute(text(f"TRUNCATE {', '.join(truncated)} CASCADE"))
    for table in tables:
        connection.execute(text(f"DELETE FROM {table}"))
    connection.execute(
        text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, "
            "false) FROM pg_sequences WHERE schemaname = current_schema()"
        )
    )


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
