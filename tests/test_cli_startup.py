"""A command imports what its own work needs: ``unitrace --version`` nothing of the command
line, ``unitrace code parse`` neither the database nor the web framework nor the symbol and
XML libraries, ``unitrace scan`` the database but none of the rest. Each is run in a fresh
interpreter with ``-X importtime``, whose report names every module imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = str(Path(__file__).resolve().parents[1] / "src")
WEB = {"fastapi", "starlette", "uvicorn", "jinja2", "unitrace.api.routers", "unitrace.api.app"}
FILES = {"lxml", "reportlab", "zxingcpp", "PIL", "unitrace.symbols", "unitrace.epcis.xml_read"}
DATABASE = {"sqlalchemy", "psycopg", "unitrace.store"}


def imported(arguments: list[str], tmp_path: Path, *, via: str = "-m") -> set[str]:
    """The modules (and each one's packages) a run of ``unitrace`` imports."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([SOURCE, environment.get("PYTHONPATH", "")])
    environment["UNITRACE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'registry.db'}"
    command = [sys.executable, "-X", "importtime", "-m", "unitrace", *arguments]
    if via == "script":
        launcher = "import sys; sys.argv = ['unitrace', *sys.argv[1:]]; "
        launcher += "from unitrace.cli import app; app()"
        command = [sys.executable, "-X", "importtime", "-c", launcher, *arguments]
    run = subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120
    )
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            parts = name.split(".")
            names |= {".".join(parts[:depth]) for depth in range(1, len(parts) + 1)}
    assert "unitrace" in names, run.stderr[-2000:]
    return names


@pytest.mark.parametrize("via", ["-m", "script"])
def test_version_imports_nothing_of_the_command_line(tmp_path: Path, via: str) -> None:
    names = imported(["--version"], tmp_path, via=via)
    assert not names & (WEB | FILES | DATABASE | {"typer", "click", "rich", "pydantic"})
    assert not names & {"unitrace.gs1", "unitrace.cli.main"}


def test_code_parse_imports_no_database_web_or_files(tmp_path: Path) -> None:
    names = imported(["code", "parse", "(01)09506000134352(21)X1", "--json"], tmp_path)
    assert "unitrace.services.codes" in names
    assert not names & (WEB | FILES | DATABASE)


def test_scan_imports_the_database_but_no_web_or_files(tmp_path: Path) -> None:
    environment = dict(os.environ, PYTHONPATH=SOURCE)
    environment["UNITRACE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'registry.db'}"
    subprocess.run(
        [sys.executable, "-m", "unitrace", "init"], env=environment, check=True, timeout=120,
        capture_output=True,
    )  # fmt: skip
    names = imported(["scan", "(01)09506000134352(21)X1"], tmp_path)
    assert {"sqlalchemy", "unitrace.services.verification"} <= names
    assert not names & (WEB | FILES | {"unitrace.api.answers"})
