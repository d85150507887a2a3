"""``python -m unitrace``: the command line."""

from unitrace.cli import app

app()
