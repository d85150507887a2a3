"""Creating and migrating the database with Alembic, from the first table on.

The migration scripts live in ``migrations/`` at the project root.

Every command that opens the registry first checks that its schema is current
(:func:`is_current`). Alembic answers that by importing itself (and Mako, and Pygments) and
running every script, some 0.35 s of a command that may take a second in all; the scripts'
own ``revision`` and ``down_revision`` lines say the same, read as text. They are read so
where they name one line of revisions, each script after one other, as unitrace's do; any
other shape (a merge, branches, a revision not written as one quoted string) is left to
Alembic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
#: ``revision = "0029"`` or ``down_revision = None`` (a quoted string or None), at a line's start
_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(?:\"([^\"\n]+)\"|'([^'\n]+)'|(None))\s*$",
    re.MULTILINE,
)
_ASSIGNED = re.compile(r"^(down_revision|revision)\b", re.MULTILINE)


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


def is_current(engine: Engine) -> bool:
    """Whether the database has the newest schema."""
    head = newest_revision()
    if head is None:
        return _is_current_by_alembic(engine)
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return list(stamped) == [head]


def newest_revision(folder: Path = MIGRATIONS / "versions") -> str | None:
    """The head revision the scripts in ``folder`` name, read from their text; None where
    they are not one line of revisions, each after one other (Alembic then says)."""
    revisions: dict[str, str | None] = {}
    for script in folder.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found: dict[str, str | None] = {}
        for match in _REVISION_LINE.finditer(source):
            found[match[1]] = match[2] or match[3]
        if len(_ASSIGNED.findall(source)) != 2 or set(found) != {"revision", "down_revision"}:
            return None
        revision = found["revision"]
        if revision is None or revision in revisions:
            return None
        revisions[revision] = found["down_revision"]
    parents = list(revisions.values())
    heads = set(revisions) - set(parents)
    if len(heads) != 1 or len(set(parents)) != len(parents) or parents.count(None) != 1:
        return None
    if any(parent is not None and parent not in revisions for parent in parents):
        return None
    return heads.pop()


def _is_current_by_alembic(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
