"""Statements of the verification hot path, run on the database driver's own cursor.

Executing a statement through SQLAlchemy costs some 50 µs of Python around the driver's own
work (cache lookups, parameter and result set-up, events); a verification runs a handful, and
that was more than the rest of the scan together. A :class:`DriverStatement` is compiled once
per dialect and run on the DBAPI cursor of the unit of work's connection, inside its
transaction, with the column types' own bind and result processors: it reads and writes the
same values SQLAlchemy would, as tests check statement by statement.

>>> import datetime as dt
>>> from sqlalchemy import bindparam, create_engine, select
>>> from unitrace.store.schema import metadata, parties
>>> engine = create_engine("sqlite://")
>>> metadata.create_all(engine)
>>> by_id = DriverStatement(select(parties.c.id, parties.c.territory)
...                         .where(parties.c.id == bindparam("id")))
>>> with engine.begin() as connection:
...     _ = connection.execute(parties.insert().values(
...         id="dist-a", name="A", role="distributor", territory=["MY-14"],
...         created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
...     by_id.rows(connection, {"id": "dist-a"})
[Row(id='dist-a', territory=['MY-14'])]
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Insert, Select, Update
from sqlalchemy.engine import Dialect

_Processor = Callable[[Any], Any] | None


@dataclass(slots=True)
class _Compiled:
    sql: str
    #: bind names in placeholder order, for drivers with positional placeholders (SQLite)
    positions: tuple[str, ...] | None
    compiled: Any
    binders: Mapping[str, _Processor]
    columns: tuple[Any, ...]
    #: per column, known at the first execution: some need the driver's type code of it
    readers: tuple[_Processor, ...] | None
    #: a row: a named tuple of the statement's columns
    row: Callable[..., tuple[Any, ...]]
    #: each placeholder's name and bind processor, in placeholder order, when every name is
    #: the parameter's own (no renaming, no default): rows of a bulk insert are then turned
    #: into driver arguments without SQLAlchemy's parameter set-up
    plain: tuple[tuple[str, _Processor], ...] | None
    #: ``COPY … FROM STDIN`` into the insert's columns, where its rows go in so
    copy: str | None


class DriverStatement:
    """``statement`` (a select, an insert with ``RETURNING``, or an update), ready to run on
    the driver's cursor of any connection.

    ``copied`` (an insert whose every value is a parameter named as its column): on
    PostgreSQL, :meth:`execute_many` writes the rows with ``COPY … FROM STDIN`` instead, in
    the same transaction. The server then takes them as one stream instead of a statement
    each: 42,000 rows of a capture's EPC index went in some ten times as fast. Columns the
    insert leaves out take their defaults either way."""

    def __init__(
        self,
        statement: Select[Any] | CompoundSelect[Any] | Insert | Update,
        *,
        copied: bool = False,
    ) -> None:
        self.statement = statement
        self.copied = copied
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params``, named tuples of its columns, their values as
        SQLAlchemy would give them."""
        compiled = self._compiled(connection)
        arguments = self._arguments(compiled, params)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, arguments)
            description = cursor.description
            fetched = cursor.fetchall() if description is not None else []
        finally:
            cursor.close()
        readers = compiled.readers
        if readers is None:
            dialect = connection.dialect
            readers = compiled.readers = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(compiled.columns, description or (), strict=True)
            )
        make = compiled.row
        if not any(readers):
            return [make(*row) for row in fetched]
        return [
            make(
                *(
                    value if reader is None or value is None else reader(value)
                    for reader, value in zip(readers, row, strict=True)
                )
            )
            for row in fetched
        ]

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement (an insert without ``RETURNING``) once per row of ``rows``, in
        one call of the driver's ``executemany``: a bulk insert without SQLAlchemy's work per
        row. Every row names the same parameters."""
        if not rows:
            return
        compiled = self._compiled(connection)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if compiled.copy is not None and compiled.plain is not None:
                plain = compiled.plain
                with cursor.copy(compiled.copy) as copy:
                    for row in rows:
                        copy.write_row(
                            [row[name] if bind is None else bind(row[name]) for name, bind in plain]
                        )
            else:
                cursor.executemany(compiled.sql, self._many_arguments(compiled, rows))
        finally:
            cursor.close()

    def _compiled(self, connection: Connection) -> _Compiled:
        compiled = self._by_dialect.get(connection.dialect.name)
        return compiled if compiled is not None else self._compile(connection.dialect)

    @staticmethod
    def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
        values = compiled.compiled.construct_params(params)
        for name, binder in compiled.binders.items():
            if binder is not None:
                values[name] = binder(values[name])
        return values if compiled.positions is None else [values[n] for n in compiled.positions]

    @classmethod
    def _many_arguments(cls, compiled: _Compiled, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        plain = compiled.plain
        if plain is None:
            return [cls._arguments(compiled, row) for row in rows]
        if compiled.positions is not None:
            return [
                [row[name] if bind is None else bind(row[name]) for name, bind in plain]
                for row in rows
            ]
        return [
            {name: row[name] if bind is None else bind(row[name]) for name, bind in plain}
            for row in rows
        ]

    def _copy_sql(
        self, dialect: Dialect, plain: tuple[tuple[str, _Processor], ...] | None
    ) -> str | None:
        statement = self.statement
        if not self.copied or dialect.name != "postgresql":
            return None
        if not isinstance(statement, Insert) or plain is None:
            raise ValueError("only an insert whose values are its columns' parameters is copied")
        table = statement.table
        names = [name for name, _ in plain]
        if any(name not in table.c for name in names):
            raise ValueError("only an insert whose values are its columns' parameters is copied")
        quote = dialect.identifier_preparer.quote
        return (
            f"COPY {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(quote(name) for name in names)}) FROM STDIN"
        )

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binders = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        columns = (
            self.statement.selected_columns
            if isinstance(self.statement, Select | CompoundSelect)
            else self.statement.exported_columns
        )
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        row = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]
        names = positions if positions is not None else tuple(compiled.binds)
        plain = (
            tuple((name, binders[name]) for name in names)
            if not compiled.escaped_bind_names
            and all(
                bind.key == name and bind.value is None and bind.callable is None
                for name, bind in compiled.binds.items()
            )
            else None
        )
        built = _Compiled(
            compiled.string,
            positions,
            compiled,
            binders,
            tuple(columns),
            None,
            row,
            plain,
            self._copy_sql(dialect, plain),
        )
        self._by_dialect[dialect.name] = built
        return built
