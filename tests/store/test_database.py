"""Opening the database: the bound on lock waits reaches every connection, beside whatever
options the URL itself gives."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL
from unitrace.store.database import open_database


@pytest.mark.parametrize(("lock_wait", "shown"), [(10.0, "10s"), (0.25, "250ms")])
def test_postgresql_sessions_wait_for_locks_no_longer_than_the_bound_and_keep_url_options(
    lock_wait: float, shown: str
) -> None:
    if not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("UNITRACE_TEST_DATABASE_URL names no PostgreSQL database")
    url = make_url(TEST_DATABASE_URL).update_query_dict(
        {"options": "-c search_path=elsewhere,public -c application_name=checked"}
    )
    engine = open_database(url.render_as_string(hide_password=False), lock_wait=lock_wait)
    try:
        with engine.connect() as connection:
            settings = [
                connection.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("lock_timeout", "search_path", "application_name")
            ]
    finally:
        engine.dispose()
    assert settings == [shown, "elsewhere,public", "checked"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_opens(url: str) -> None:
    engine = open_database(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
