"""``python -m unitrace``: the command line."""

import sys

from unitrace.cli import asks_only_version, print_version

# guarded: a process multiprocessing starts (the capture's hash workers) may import the
# parent's main module again, and must not run the command a second time
if __name__ == "__main__":
    if asks_only_version(sys.argv[1:]):
        sys.exit(print_version())

    from unitrace.cli.main import app

    app()
