"""The tokens on the command line: `make run` prints one admin token and leaves one live demo
token however often it runs, and `unitrace tokens list` shows every token without its
secret, as a table and as JSON."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.services.tokens import authenticate
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()
PROJECT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\but_[A-Za-z0-9_-]{43}\b")


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "registry.db"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{path}")
    return path


def make_run_commands() -> list[list[str]]:
    """The unitrace commands of the Makefile's `run` recipe, up to `serve`."""
    recipe = PROJECT.joinpath("Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [
        shlex.split(line.strip().replace("$(PORT)", "8000"))[1:]
        for line in recipe.splitlines()[1:]
        if line.strip().startswith("$(BIN)/unitrace ")
    ]
    assert commands[-1][0] == "serve"
    return commands[:-1]


def test_make_run_prints_one_admin_token_and_leaves_one_live_however_often_it_runs(
    database_file: Path,
) -> None:
    printed = []
    for _ in range(3):
        output = ""
        for command in make_run_commands():
            result = runner.invoke(app, command)
            assert result.exit_code == 0, result.output
            output += result.stdout
        printed.append(TOKEN.findall(output))
    assert [len(tokens) for tokens in printed] == [1, 1, 1]
    with Database(open_database(f"sqlite:///{database_file}")).unit_of_work() as uow:
        alive = [authenticate(uow, tokens[0]) is not None for tokens in printed]
    assert alive == [False, False, True]
    listed = json.loads(runner.invoke(app, ["tokens", "list", "--json"]).stdout)
    assert [(t["id"], t["role"], t["label"], t["revoked_at"] is None) for t in listed] == [
        (1, "admin", "make run", False),
        (2, "admin", "make run", False),
        (3, "admin", "make run", True),
    ]


def test_the_demo_leaves_an_operators_tokens_alone(database_file: Path) -> None:
    first = TOKEN.findall(runner.invoke(app, ["init"]).stdout)
    runner.invoke(app, ["tokens", "create", "--role", "admin", "--label", "ops"])
    demo = [runner.invoke(app, ["demo"]).stdout for _ in range(2)]
    assert demo[1].splitlines()[1].endswith("(replaces the demo's token 3, now revoked)")
    listed = json.loads(runner.invoke(app, ["tokens", "list", "--json"]).stdout)
    assert [(t["label"], t["revoked_at"] is None) for t in listed] == [
        ("first admin", True),
        ("ops", True),
        ("make run", False),
        ("make run", True),
    ]
    assert len(first) == 1


def test_tokens_list_shows_every_token_and_never_its_secret(database_file: Path) -> None:
    init = runner.invoke(app, ["init"]).stdout
    line = runner.invoke(app, ["tokens", "create", "--role", "line", "--label", "line 2"]).stdout
    assert runner.invoke(app, ["tokens", "revoke", "2"]).exit_code == 0
    as_json = runner.invoke(app, ["tokens", "list", "--json"])
    table = runner.invoke(app, ["tokens", "list"], env={"COLUMNS": "160"})
    assert (as_json.exit_code, table.exit_code) == (0, 0)
    listed = json.loads(as_json.stdout)
    assert [
        {k: v for k, v in t.items() if k not in ("created_at", "revoked_at")} for t in listed
    ] == [
        {"id": 1, "role": "admin", "party": None, "label": "first admin", "last_used_at": None},
        {"id": 2, "role": "line", "party": None, "label": "line 2", "last_used_at": None},
    ]
    assert [t["revoked_at"] is None for t in listed] == [True, False]
    rows = [
        line.split("│")
        for line in table.stdout.replace("┃", "│").splitlines()
        if line.startswith("│")
    ]
    assert [[cell.strip() for cell in row[1:6]] for row in rows] == [
        ["id", "role", "party", "label", "created"],
        ["1", "admin", "", "first admin", listed[0]["created_at"][:10]],
        ["2", "line", "", "line 2", listed[1]["created_at"][:10]],
    ]
    assert [row[6].strip() for row in rows] == ["last used", "never", "never"]
    assert table.stdout.splitlines()[0].rstrip() == "2 tokens, 1 live"
    for secret in TOKEN.findall(init + line):
        assert secret not in as_json.stdout + table.stdout
