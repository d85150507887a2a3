"""Migration 0003: products get their own detection rules, in a nullable JSON column that the
products registered before read as "the defaults"; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, make_url, text

from unitrace.gs1 import Gtin
from unitrace.registry.detection import NO_PRODUCT_RULES, ProductRules
from unitrace.store.database import open_database
from unitrace.store.migrations import alembic_config
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

GTIN = Gtin("09506000134352")


def test_the_migrated_products_table_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "products" in repr(d)] == []


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    database_engine: Engine,
) -> Iterator[Engine]:
    """An empty database of its own: a SQLite file, or a schema of its own in the PostgreSQL
    test database (never the schema the other tests share)."""
    if request.param == "sqlite":
        engine = open_database(f"sqlite:///{tmp_path_factory.mktemp('migration') / 'old.db'}")
        yield engine
        engine.dispose()
        return
    if database_engine.dialect.name != "postgresql":
        pytest.skip("UNITRACE_TEST_DATABASE_URL names no PostgreSQL database")
    schema = f"migration_{uuid.uuid4().hex[:12]}"
    url = database_engine.url.render_as_string(hide_password=False)
    admin = open_database(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = open_database(in_schema.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def migrate(engine: Engine, to: str, *, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, to)


def test_products_registered_before_keep_the_defaults_and_downgrade_keeps_them(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0002")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO products (gtin, name, serial_length, serial_alphabet, "
                "target_markets, issued, created_at) "
                "VALUES (:gtin, 'Vitamin C', 12, 'ABCDEFGH', '[]', 0, :at)"
            ),
            {"gtin": GTIN.value, "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        )
    migrate(blank_engine, "0003")
    database = Database(blank_engine)
    with database.unit_of_work() as uow:
        before = uow.products.with_id(GTIN)
        assert before is not None
        assert before[1].detection_rules == NO_PRODUCT_RULES
        uow.products.set_detection_rules(before[0], ProductRules(max_places=6))
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        product = uow.products.get(GTIN)
        assert product is not None
        assert product.detection_rules == ProductRules(max_places=6)
    migrate(blank_engine, "0002", down=True)
    columns = {column["name"] for column in inspect(blank_engine).get_columns("products")}
    assert "detection_rules" not in columns
    with blank_engine.connect() as connection:
        assert connection.execute(text("SELECT gtin, name FROM products")).all() == [
            (GTIN.value, "Vitamin C")
        ]
