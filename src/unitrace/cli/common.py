"""What the commands share: the consoles, the exit statuses, one line for bad input, JSON and
tables on stdout, progress bars, the files they write, and the registry they open.

Only light modules are imported here; each command imports the heavy ones it uses (the
database, the symbols, the EPCIS bindings) inside its own function, so that a command starts
as fast as its own work allows.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.table import Table

    from unitrace.registry.model import Actor
    from unitrace.store.unit_of_work import Database

stdout = Console()
stderr = Console(stderr=True)

BAD_INPUT = 2
"""Exit status for bad input: a value, file or code that is wrong, or names nothing known."""
REFUSED = 3
"""Exit status for a change the registry's state table refuses (the rule is printed)."""

EXIT_STATUSES = (
    "Exit status: 0 done; 2 bad input (one line on stderr saying what was wrong); "
    "3 refused by the registry's rules (the rule is printed)."
)

ProgressCallback = Callable[[int], None]

CODE_HELP = (
    "The code as a scanner or phone gives it: a GS1 Digital Link URI, an element string "
    "(write FNC1 as ^, as GS1's syntax engine does, or pass - to read raw data with GS "
    "characters from standard input), a (01)…(21)… string, or an EPC URI."
)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def say(line: str) -> None:
    """One line for people on stdout, never wrapped, so that scripts can read it too."""
    stdout.print(line, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, status: int = BAD_INPUT) -> NoReturn:
    """One line on stderr, exit status 2: the contract for bad input."""
    stderr.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(status)


# the errors that are the user's bad input, by module: a module not imported yet cannot have
# raised one, so none of them is imported only to be caught
_BAD_INPUT_ERRORS = (
    ("unitrace.gs1.errors", ("InvalidCode",)),
    ("unitrace.symbols.errors", ("UnreadableImage", "InvalidSheetLayout")),
    ("unitrace.registry.errors", ("Refused",)),
)


def _bad_input_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = []
    for module_name, names in _BAD_INPUT_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None:
            found += [getattr(module, name) for name in names]
    return tuple(found)


def _is_refused_by_rule(error: BaseException) -> bool:
    errors = sys.modules.get("unitrace.registry.errors")
    return errors is not None and isinstance(error, errors.TransitionRefused)


@contextmanager
def bad_input_is_one_line() -> Iterator[None]:
    """Bad input (an invalid code, an unreadable image, what the registry refuses, a file that
    cannot be read or written) becomes one line on stderr and exit status 2; a change the
    state table refuses exits 3."""
    try:
        yield
    except OSError as error:
        fail(f"{error.filename or 'file'}: {error.strerror or error}")
    except OverflowError:
        fail("a number too large for any id or count unitrace gives out")
    except Exception as error:
        if not isinstance(error, _bad_input_errors()):
            raise
        fail(str(error), REFUSED if _is_refused_by_rule(error) else BAD_INPUT)


def read_code_argument(text: str) -> str:
    """The code a user gave on the command line: ``-`` reads standard input; a leading ``^``
    marks GS1 syntax-engine notation, where ``^`` stands for FNC1 (``^`` is outside CSET 82,
    so it cannot be data).

    >>> read_code_argument("^0109506000134352^21X1") == "0109506000134352\\x1d21X1"
    True
    """
    if text == "-":
        text = sys.stdin.read().rstrip("\r\n")
    if text.startswith("^"):
        return text[1:].replace("^", "\x1d")
    return text


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def printed_as_json(answer: Any, as_json: bool) -> bool:
    """With ``--json``, print ``answer`` (an API answer model, or a list of them) as the API
    serves it, and say so."""
    if as_json:
        if isinstance(answer, list):
            print_json([item.model_dump(mode="json") for item in answer])
        else:
            print_json(answer.model_dump(mode="json"))
    return as_json


def table(title: str | None = None) -> Table:
    """A table for people, which rich fits to the terminal's width by wrapping the columns
    that may wrap (see :func:`identifier_column`)."""
    from rich.table import Table

    return Table(title=title, title_justify="left")


def identifier_column(table: Table, header: str) -> None:
    """A column of codes (a serial, GTIN, SSCC, EPC URI, time): never cut nor ellipsised; a
    value wider than the terminal folds onto the next line whole."""
    table.add_column(header, overflow="fold", no_wrap=False, min_width=len(header))


def prose_column(table: Table, header: str) -> None:
    """A column of words (a name, a reason, a label), which wraps between words."""
    table.add_column(header, overflow="fold", ratio=1)


@contextmanager
def progress_bar(what: str, total: int) -> Iterator[ProgressCallback]:
    """A progress bar on stderr for long work; the callback takes the count done so far."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(f"{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    ) as progress:
        task = progress.add_task(what, total=total)
        yield lambda done: progress.update(task, completed=done)


FILE_MODE = 0o644
"""The mode of every file the command line writes, whatever the umask: the owner writes,
everyone reads (a label sheet goes to the printer's account, a code file to the line)."""


def readable(path: Path) -> Path:
    """``path``, written by a command, made ``0644`` whatever the umask was: a regular file
    only, never what a link at ``path`` points to nor a device (``--out /dev/null``), whose
    modes are their owners' to choose."""
    if stat.S_ISREG(os.stat(path, follow_symlinks=False).st_mode):
        os.chmod(path, FILE_MODE, follow_symlinks=False)
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a ``0644`` file."""
    path.write_bytes(data)
    readable(path)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in UTF-8 as a ``0644`` file."""
    path.write_text(text, encoding="utf-8")
    readable(path)


class SymbologyName(StrEnum):
    """The symbols unitrace draws, by the names of :class:`unitrace.symbols.Symbology` (whose
    package is imported only by the commands that draw)."""

    DATAMATRIX = "datamatrix"
    GS1_QR = "gs1-qr"
    DL_QR = "dl-qr"
    GS1_128 = "gs1-128"


SymbologyOption = Annotated[
    SymbologyName,
    typer.Option("--symbology", "-s", help="Symbol to draw."),
]

ResolverBase = Annotated[
    str | None,
    typer.Option(
        "--resolver-base",
        help="Domain for Digital Link URIs [default: $UNITRACE_RESOLVER_BASE or https://id.gs1.org].",
    ),
]


def resolver_base_or_default(resolver_base: str | None) -> str:
    from unitrace.config import Settings

    return resolver_base or Settings.from_environment().resolver_base


def cli_actor() -> Actor:
    """Who the command line acts as: the brand's administrator, at the registry's own
    machine."""
    from unitrace.registry.model import Actor, Role

    return Actor("cli", Role.ADMIN)


def _sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names, or None for another database or an in-memory one."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def open_registry() -> Database:
    """The database ``UNITRACE_DATABASE_URL`` names, which must exist and have been
    initialised: a command never leaves an empty database where it was run."""
    from sqlalchemy.exc import SQLAlchemyError

    from unitrace.store.database import database_url, open_database
    from unitrace.store.migrations import is_current
    from unitrace.store.unit_of_work import Database

    url = database_url()
    try:
        file = _sqlite_file(url)
    except SQLAlchemyError as error:
        fail(f"UNITRACE_DATABASE_URL {url!r}: {str(error).splitlines()[0]}")
    if file is not None and not file.exists():
        if os.environ.get("UNITRACE_DATABASE_URL"):
            fail(f"database {url} is not initialised: run unitrace init")
        fail(
            f"no database at {file.absolute()} (where unitrace looks when UNITRACE_DATABASE_URL "
            "is not set): set UNITRACE_DATABASE_URL to the registry's database, or run "
            "unitrace init to create one here"
        )
    try:
        engine = open_database(url)
        if not is_current(engine):
            fail(f"database {engine.url.render_as_string()} is not initialised: run unitrace init")
    except ImportError as error:
        fail(f"database {url}: no driver for it here ({error})")
    except SQLAlchemyError as error:
        fail(f"database {url}: {error.__class__.__name__}: {str(error).splitlines()[0]}")
    return Database(engine)


def migrated_registry() -> tuple[Database, str]:
    """The database ``UNITRACE_DATABASE_URL`` names, created or migrated to the current
    schema, and which of the two was done: ``"created"``, ``"migrated"`` or ``"up to date"``."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from unitrace.store.database import database_url, open_database
    from unitrace.store.migrations import is_current, upgrade
    from unitrace.store.unit_of_work import Database

    url = database_url()
    try:
        engine = open_database(url)
        if not inspect(engine).get_table_names():
            done = "created"
        else:
            done = "up to date" if is_current(engine) else "migrated"
        upgrade(engine)
    except ImportError as error:
        fail(f"database {url}: no driver for it here ({error})")
    except SQLAlchemyError as error:
        fail(f"database {url}: {error.__class__.__name__}: {str(error).splitlines()[0]}")
    return Database(engine), done


def absolute_url(database: Database) -> str:
    """The database's URL as another folder would name it (a SQLite file by its full path)."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)
