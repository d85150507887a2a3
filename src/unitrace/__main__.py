"""``python -m unitrace``: the command line."""

import sys

from unitrace.cli import asks_only_version, print_version

if asks_only_version(sys.argv[1:]):
    sys.exit(print_version())

from unitrace.cli.main import app

app()
