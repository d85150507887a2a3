"""Creating and migrating the database with Alembic, from the first table on.

The migration scripts live in ``migrations/`` at the project root. Each is named after its
revision, ``NNNN_what.py`` with revision ``"NNNN"``, one after the other: so the newest
schema's revision is the highest number there, which every command checks the database
against without loading Alembic or its scripts (about a second of each command's start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
_VERSION_TABLE = "alembic_version"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; a database already there is left as it is."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def newest_revision() -> str:
    """The revision of the newest schema: the highest-numbered script's."""
    return max(script.name[:4] for script in (MIGRATIONS / "versions").glob("[0-9]" * 4 + "_*.py"))


def is_current(engine: Engine) -> bool:
    """Whether the database has the newest schema."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(_VERSION_TABLE):
            return False
        stamped = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).all()
    return [row[0] for row in stamped] == [newest_revision()]
