"""The README's tour, run as a new user would run it: every shell example in README.md, in order,
against the demo data that ``make run`` makes and the service it starts, with the demo's
tokens and codes put in for the README's placeholders.

Each command must succeed (exit 0; for ``curl``, an answer that is not an HTTP error), except
where the README shows its error on the next line (``#   error: …``): then it must exit 2 and
print that line; and where its comment says it ``exits N``, as ``unitrace scan`` does with its
verdict's status. ``make`` itself and ``unitrace serve`` are not run again: the tour has done
what they do."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, TEST_DATABASE_URL
from tests.running_service import RunningService, free_port

README = PROJECT_ROOT / "README.md"
#: What the tour does itself, or must not do while it runs.
NOT_RUN = ("make ", "unitrace serve")
#: The demo's values the README's placeholders stand for, by placeholder.
PLACEHOLDERS = ("<a Digital Link or (01)…(21)…>", "<pharmacy serial>", "<serial>")
#: The address the README's examples name for the service.
README_SERVICE = "http://127.0.0.1:8000"

if TEST_DATABASE_URL is not None:
    pytest.skip(
        "the README's tour is the embedded SQLite database's (make run); it runs on SQLite",
        allow_module_level=True,
    )


@dataclass(frozen=True, slots=True)
class Example:
    """One shell command of the README, as written, and the error it shows, if any."""

    line: int
    command: str
    error: str | None = None

    @property
    def status(self) -> int:
        """The exit status the README says the command ends with."""
        if self.error is not None:
            return 2
        said = re.search(r"#.*\bexits (\d+)\b", self.command)
        return int(said[1]) if said else 0


def readme_examples(text: str) -> list[Example]:
    """The shell commands of the README's ``sh`` blocks: continued lines joined, comments left
    to the shell, a ``#   error: …`` line taken as what the command before it prints.

    >>> readme_examples("```sh\\nunitrace a \\\\\\n  --b   # c\\n#   error: d\\n# e\\n```\\n")
    [Example(line=2, command='unitrace a --b   # c', error='error: d')]
    """
    found: list[Example] = []
    for block in re.finditer(r"^```sh\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        first = text.count("\n", 0, block.start(1)) + 1
        pending: list[str] = []
        start = first
        for number, line in enumerate(block[1].splitlines(), first):
            stripped = line.strip()
            if not pending and (not stripped or stripped.startswith("#")):
                shown = re.fullmatch(r"#\s+(error: .*)", stripped)
                if shown and found:
                    found[-1] = Example(found[-1].line, found[-1].command, shown[1])
                continue
            if not pending:
                start = number
            pending.append(stripped.removesuffix("\\").strip())
            if not stripped.endswith("\\"):
                found.append(Example(start, " ".join(pending)))
                pending = []
    return found


def run(arguments: list[str], environment: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        arguments, env=environment, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{shlex.join(arguments)}: {done.stderr}"
    return done.stdout


@dataclass(frozen=True, slots=True)
class Demo:
    base: str
    environment: dict[str, str]
    folder: Path
    values: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """What ``make run`` does, in a folder of its own: the demo data, its admin token, and the
    service, on a free port; and the other tokens the README asks for."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "examples").symlink_to(PROJECT_ROOT / "examples")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "UNITRACE_DATABASE_URL": f"sqlite:///{folder / 'unitrace.db'}",
        "UNITRACE_RESOLVER_BASE": base,
        "COLUMNS": "80",
    }
    printed = run(["unitrace", "demo", "--url", base], environment, folder)
    pages = dict(
        re.findall(r"^\s+([a-z' ]+): (http\S+)", printed, re.MULTILINE),
    )
    genuine, at_pharmacy = pages["a genuine unit's page"], pages["a unit at the pharmacy"]
    for role, party, name in (
        ("admin", None, "T"),
        ("verifier", None, "VERIFIER_TOKEN"),
        ("distributor", "pharmacy-bangsar", "PHARMACY_TOKEN"),
    ):
        arguments = ["unitrace", "tokens", "create", "--role", role, "--label", "README tour"]
        made = run([*arguments, *(["--party", party] if party else [])], environment, folder)
        environment[name] = made.strip()
    # the default scan rate limit (an empty setting), as make run's service has it, not the
    # load tests' ceiling
    service = RunningService(
        environment["UNITRACE_DATABASE_URL"],
        environment={**environment, "UNITRACE_SCAN_RATE_LIMIT": ""},
        port=port,
    ).start(folder / "serve.log")
    try:
        yield Demo(
            base,
            environment,
            folder,
            {
                "<a Digital Link or (01)…(21)…>": genuine,
                "<pharmacy serial>": at_pharmacy.split("/21/")[1].split("?")[0],
                "<serial>": genuine.split("/21/")[1].split("?")[0],
            },
        )
    finally:
        service.terminate(within=15)


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_a_tour() -> None:
    """The README's examples are found: the shell blocks, the placeholders the tour fills."""
    text = README.read_text(encoding="utf-8")
    assert len(EXAMPLES) >= 40
    assert all(placeholder in text for placeholder in PLACEHOLDERS)
    assert any(example.error for example in EXAMPLES)


@pytest.mark.long
def test_every_readme_example_works_against_the_demo(demo: Demo) -> None:
    """The examples run in order in one shell, as a person would type them into a terminal
    (a variable one sets is there for the next)."""
    ran = [example for example in EXAMPLES if not example.command.startswith(NOT_RUN)]
    commands = []
    for example in ran:
        command = example.command.replace(README_SERVICE, demo.base)
        for placeholder, value in demo.values.items():
            command = command.replace(placeholder, value)
        commands.append(command)
    # curl answers an HTTP error with an exit status of its own, and says nothing else
    script = ['curl() { command curl -sS --fail-with-body "$@"; }']
    for number, command in enumerate(commands):
        script += ["{", command, f"}} >out.{number} 2>err.{number}", f"echo $? >status.{number}"]
    subprocess.run(
        ["bash", "-c", "\n".join(script)],
        env=demo.environment,
        cwd=demo.folder,
        check=True,
        timeout=600,
    )
    failures: list[str] = []
    for number, (example, command) in enumerate(zip(ran, commands, strict=True)):
        status = int((demo.folder / f"status.{number}").read_text())
        said = (demo.folder / f"err.{number}").read_text().strip()
        printed = (demo.folder / f"out.{number}").read_text()[-400:]
        where = f"README.md:{example.line}: {command}"
        if status != example.status:
            failures.append(f"{where}\n  exit {status}, not {example.status}: {said}\n{printed}")
        elif example.error is not None and said != example.error:
            failures.append(f"{where}\n  said {said!r}, not {example.error!r}")
    assert failures == [], "\n".join(failures)
