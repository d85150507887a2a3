"""The ``unitrace`` command line (Typer + rich), one module per group of commands:

- ``common``: what the commands share: the consoles, exit statuses, one line for bad input,
  JSON and tables, progress bars, the files written (0644), the registry opened;
- ``code``: ``unitrace code`` (parse, epc, render, read, sheet), no database;
- ``service``: ``init``, ``serve`` and ``demo``, the only commands that create a database;
- ``tokens``: ``unitrace tokens``, the HTTP service's API tokens;
- ``serials``: ``unitrace serials`` and ``unitrace labels``, serials issued and printed;
- ``scan``: ``unitrace scan``, a code verified, its verdict the exit status;
- ``catalog``: ``unitrace products``, ``lots`` (and their recall) and ``parties``;
- ``units``: ``unitrace units`` (commission, pack, ship, allocate, receive, state, show) and
  ``unitrace containers``;
- ``alerts``: ``unitrace alerts``; ``epcis``: ``unitrace epcis``;
- ``main``: the app that puts them together.

Each command imports what its work needs inside its own function, so that ``unitrace
--version`` answers before any of it is imported, and ``unitrace code parse`` never loads the
database, the web framework or the symbol libraries.
"""

import sys

# not typing.TYPE_CHECKING: ``unitrace --version`` imports nothing it does not need
TYPE_CHECKING = False
if TYPE_CHECKING:
    from unitrace.cli.main import app as app


def print_version() -> int:
    """``unitrace --version``, answered without building the command line."""
    from unitrace import __version__

    sys.stdout.write(f"unitrace {__version__}\n")
    return 0


def asks_only_version(arguments: list[str]) -> bool:
    return arguments == ["--version"]


def __getattr__(name: str) -> object:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    program = sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".exe")
    if program == "unitrace" and asks_only_version(sys.argv[1:]):
        # the console script imports ``app`` and calls it: the version needs none of it
        return print_version
    from unitrace.cli.main import app

    globals()["app"] = app
    return app
