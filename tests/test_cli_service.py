"""The service side of the command line: init (idempotent, first admin token once) and
tokens create (the token alone on stdout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.services.tokens import authenticate
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "registry.db"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_init_is_idempotent_and_shows_the_first_admin_token_once(database_file: Path) -> None:
    first = runner.invoke(app, ["init"])
    second = runner.invoke(app, ["init"])
    assert (first.exit_code, second.exit_code) == (0, 0)
    lines = first.stdout.splitlines()
    # a database it has just made is said to be created, not up to date
    assert lines[0] == f"database sqlite:///{database_file} created"
    assert lines[1].startswith("first admin token (shown once, keep it safe): ut_")
    assert second.stdout.splitlines() == [f"database sqlite:///{database_file} is up to date"]
    token = lines[1].rsplit(" ", 1)[1]
    with Database(open_database(f"sqlite:///{database_file}")).unit_of_work() as uow:
        actor = authenticate(uow, token)
    assert actor is not None
    assert actor.role.value == "admin"


def test_tokens_create_prints_the_token_alone(database_file: Path) -> None:
    runner.invoke(app, ["init"])
    result = runner.invoke(app, ["tokens", "create", "--role", "verifier", "--label", "kiosk"])
    assert result.exit_code == 0
    (token,) = result.stdout.splitlines()
    assert token.startswith("ut_")
    assert len(token) == 46


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["tokens", "create", "--role", "pirate"], "error: role: 'pirate' is not one of admin, line, distributor, verifier"),
        (["tokens", "create", "--role", "distributor"], "error: party: a distributor token must name its party"),
        (["tokens", "create", "--role", "distributor", "--party", "ghost"], "error: party: ghost is not a registered party"),
    ],
)  # fmt: skip
def test_bad_token_requests_exit_2(database_file: Path, arguments: list[str], line: str) -> None:
    runner.invoke(app, ["init"])
    result = runner.invoke(app, arguments)
    assert (result.exit_code, result.stdout, result.stderr.strip()) == (2, "", line)


def test_commands_refuse_an_uninitialised_database(database_file: Path) -> None:
    result = runner.invoke(app, ["tokens", "create", "--role", "line"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: database sqlite:///{database_file} is not initialised: run unitrace init"
    )


def test_tokens_revoke_takes_the_token_or_its_id_and_refuses_a_dead_one(
    database_file: Path,
) -> None:
    runner.invoke(app, ["init"])
    first = runner.invoke(app, ["tokens", "create", "--role", "verifier"]).stdout.strip()
    second = runner.invoke(app, ["tokens", "create", "--role", "line"]).stdout.strip()
    by_value = runner.invoke(app, ["tokens", "revoke", first])
    by_id = runner.invoke(app, ["tokens", "revoke", "3"])  # the first admin's is 1
    again = runner.invoke(app, ["tokens", "revoke", first])
    assert (by_value.exit_code, by_value.stdout) == (0, "token 2 revoked\n")
    assert (by_id.exit_code, by_id.stdout) == (0, "token 3 revoked\n")
    assert (again.exit_code, again.stderr.strip()) == (
        2,
        "error: token: not a live token (unknown, or revoked already)",
    )
    with Database(open_database(f"sqlite:///{database_file}")).unit_of_work() as uow:
        assert (authenticate(uow, first), authenticate(uow, second)) == (None, None)
