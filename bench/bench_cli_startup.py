"""How fast the command line starts: ``unitrace --version``, ``unitrace code parse`` and
``python -m unitrace --version``, each against a bare ``python -c "import unitrace"``, run in
turns (the two alternated, so that the machine's load falls on both alike), as the median of
the rounds' wall times and their ratio. Target: ``unitrace --version`` within 2x of the bare
import.

``UNITRACE_BENCH_ROUNDS`` (default 21) sets the rounds.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = int(os.environ.get("UNITRACE_BENCH_ROUNDS", "21"))
PYTHON = sys.executable
SCRIPT = shutil.which("unitrace", path=str(Path(PYTHON).parent)) or shutil.which("unitrace")
SOURCE = str(Path(__file__).resolve().parents[1] / "src")


def wall_time(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started


def compare(name: str, command: list[str], environment: dict[str, str]) -> float:
    bare = [PYTHON, "-c", "import unitrace"]
    for warm_up in (bare, command):
        wall_time(warm_up, environment)
    bare_times, command_times = [], []
    for _ in range(ROUNDS):
        bare_times.append(wall_time(bare, environment))
        command_times.append(wall_time(command, environment))
    bare_median = statistics.median(bare_times)
    command_median = statistics.median(command_times)
    ratio = command_median / bare_median
    print(
        f"{name:<34} {command_median * 1000:7.1f} ms   import unitrace "
        f"{bare_median * 1000:6.1f} ms   ratio {ratio:4.2f}"
    )
    return ratio


def main() -> None:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [SOURCE, *filter(None, [environment.get("PYTHONPATH")])]
    )
    print(f"median of {ROUNDS} rounds, each command alternated with the bare import")
    commands: list[tuple[str, list[str]]] = [
        ("python -m unitrace --version", [PYTHON, "-m", "unitrace", "--version"]),
        ("python -m unitrace code parse", [PYTHON, "-m", "unitrace", "code", "parse", "(01)09506000134352(21)X1"]),
    ]  # fmt: skip
    if SCRIPT is not None:
        commands.insert(0, ("unitrace --version", [SCRIPT, "--version"]))
    ratios = {name: compare(name, command, environment) for name, command in commands}
    version = ratios.get("unitrace --version", ratios["python -m unitrace --version"])
    print(f"unitrace --version: {version:.2f}x a bare import (target: within 2x)")


if __name__ == "__main__":
    main()
