"""The schema check every command makes (``is_current``) reads the scripts' revisions as
text, and says what Alembic says: for unitrace's scripts, for a database behind them, and
for script folders whose shape only Alembic reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from unitrace.store.migrations import MIGRATIONS, alembic_config, is_current, newest_revision
from unitrace.store.unit_of_work import Database


def test_the_newest_revision_read_from_the_scripts_is_alembics_head(database: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config(database.engine)).get_current_head()
    assert newest_revision() == head


def test_a_database_a_revision_behind_or_never_migrated_is_not_current(
    database: Database, tmp_path: Path
) -> None:
    assert is_current(database.engine)
    with database.engine.begin() as connection:
        (stamped,) = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        assert not is_current(database.engine)
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": stamped})
    assert not is_current(create_engine(f"sqlite:///{tmp_path / 'empty.db'}"))


def _script(revision: str, down: str) -> str:
    return f'"""A step."""\n\nrevision = {revision}\ndown_revision = {down}\n'


@pytest.mark.parametrize(
    ("scripts", "head"),
    [
        ({"a": ('"1"', "None"), "b": ('"2"', '"1"'), "c": ("'3'", "'2'")}, "3"),
        ({"a": ('"1"', "None")}, "1"),
        # two heads (branches): Alembic's to read
        ({"a": ('"1"', "None"), "b": ('"2"', '"1"'), "c": ('"3"', '"1"')}, None),
        # a merge: its down_revision is a tuple
        ({"a": ('"1"', "None"), "b": ('"2"', '("1", "x")')}, None),
        # no first script, a revision named twice, a parent no script has
        ({"a": ('"1"', '"0"')}, None),
        ({"a": ('"1"', "None"), "b": ('"1"', "None")}, None),
        ({"a": ('"1"', "None"), "b": ('"2"', '"9"')}, None),
        # a revision computed, not written out
        ({"a": ('"1"', "None"), "b": ('"2" if True else "3"', '"1"')}, None),
    ],
)
def test_script_folders_only_alembic_reads_are_left_to_it(
    tmp_path: Path, scripts: dict[str, tuple[str, str]], head: str | None
) -> None:
    for name, (revision, down) in scripts.items():
        (tmp_path / f"{name}.py").write_text(_script(revision, down), encoding="utf-8")
    assert newest_revision(tmp_path) == head


def test_the_scripts_are_where_the_check_reads_them() -> None:
    assert (MIGRATIONS / "versions").is_dir()
