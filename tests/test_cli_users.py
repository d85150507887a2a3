"""`unitrace users`: console users made with a password read from standard input, listed
without it, and disabled; bad input is one line on stderr and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.services.console_users import sign_in
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()
PASSWORD = "a long enough password"


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "registry.db"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{path}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    made = runner.invoke(
        app, ["parties", "create", "--id", "dist-a", "--name", "Distributor A", "--role",
              "distributor", "--territory", "MY-14"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return path


def test_a_user_is_made_listed_signs_in_and_is_disabled(registry: Path) -> None:
    made = runner.invoke(
        app, ["users", "create", "--email", "Ana@Example.com", "--role", "admin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert (made.exit_code, made.stdout) == (0, "1\n")
    distributor = runner.invoke(
        app, ["users", "create", "--email", "orders@dist-a.example", "--role", "distributor",
              "--party", "dist-a"], input=PASSWORD,
    )  # fmt: skip
    assert (distributor.exit_code, distributor.stdout) == (0, "2\n")
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert listed.exit_code == 0
    users = json.loads(listed.stdout)
    assert [(u["id"], u["email"], u["role"], u["party"], u["disabled_at"]) for u in users] == [
        (1, "ana@example.com", "admin", None, None),
        (2, "orders@dist-a.example", "distributor", "dist-a", None),
    ]
    assert all("password" not in key for user in users for key in user)
    table = runner.invoke(app, ["users", "list"], env={"COLUMNS": "120"})
    assert "2 users, 2 enabled" in table.stdout
    assert "orders@dist-a.example" in table.stdout
    assert "never" in table.stdout
    database = Database(open_database(f"sqlite:///{registry}"))
    with database.unit_of_work() as uow:
        assert sign_in(uow, email="ana@example.com", password=PASSWORD, address="ip:1").user.id == 1
        uow.commit()
    changed = runner.invoke(app, ["users", "password", "1"], input="another long password\n")
    assert (changed.exit_code, changed.stdout) == (
        0,
        "user 1 (ana@example.com): new password set, its sessions ended\n",
    )
    with database.unit_of_work() as uow:
        assert sign_in(uow, email="ana@example.com", password="another long password",
                       address="ip:1").user.id == 1  # fmt: skip
        uow.commit()
    disabled = runner.invoke(app, ["users", "disable", "ana@example.com"])
    assert (disabled.exit_code, disabled.stdout) == (0, "user 1 (ana@example.com) disabled\n")
    again = runner.invoke(app, ["users", "disable", "1"])
    assert (again.exit_code, again.stderr) == (
        2,
        "error: user: ana@example.com is disabled already\n",
    )
    assert "2 users, 1 enabled" in runner.invoke(app, ["users", "list"]).stdout


@pytest.mark.parametrize(
    ("arguments", "given", "message"),
    [
        (["--email", "ana@example.com", "--role", "admin"], "", "error: password: give it on standard input (echo … | unitrace users create …)\n"),
        (["--email", "ana@example.com", "--role", "admin"], "short\n", "error: password: at least 12 characters, please\n"),
        (["--email", "not-an-email", "--role", "admin"], PASSWORD, "error: email: 'not-an-email' is not an email address\n"),
        (["--email", "ana@example.com", "--role", "boss"], PASSWORD, "error: role: 'boss' is not one of admin, line, distributor, verifier\n"),
        (["--email", "ana@example.com", "--role", "distributor"], PASSWORD, "error: party: a distributor's user must name its party\n"),
        (["--email", "ana@example.com", "--role", "distributor", "--party", "nobody"], PASSWORD, "error: party: nobody is not a registered party\n"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_makes_no_user(
    registry: Path, arguments: list[str], given: str, message: str
) -> None:
    answer = runner.invoke(app, ["users", "create", *arguments], input=given)
    assert (answer.exit_code, answer.stdout, answer.stderr) == (2, "", message)
    assert json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout) == []


def test_disabling_someone_unknown_is_one_line(registry: Path) -> None:
    answer = runner.invoke(app, ["users", "disable", "nobody@example.com"])
    assert (answer.exit_code, answer.stderr) == (
        2,
        "error: user: 'nobody@example.com' names no console user (give its id or email)\n",
    )


def test_the_demo_prints_console_users_whose_passwords_work_until_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    path = tmp_path / "demo.db"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{path}")
    printed = re.compile(r"^  (\S+@\S+)  password: (\S+)  \((.+)\)$", re.MULTILINE)
    runs = []
    for _ in range(2):
        answer = runner.invoke(app, ["demo", "--url", "http://127.0.0.1:8000"])
        assert answer.exit_code == 0, answer.output
        assert "the brand console: http://127.0.0.1:8000/console" in answer.stdout
        runs.append(printed.findall(answer.stdout))
    first, second = runs
    assert [(email, who) for email, _, who in second] == [
        ("admin@sunrise.example", "the brand's admin"),
        ("orders@dist-a.example", "dist-a: its own units only"),
    ]
    database = Database(open_database(f"sqlite:///{path}"))
    outcomes = []
    for email, password, _ in first + second:
        with database.unit_of_work() as uow:
            try:
                outcomes.append(
                    sign_in(uow, email=email, password=password, address="ip:2").user.role
                )
            except Exception as refusal:
                outcomes.append(type(refusal).__name__)
            uow.commit()
    assert outcomes == ["SignInFailed", "SignInFailed", "admin", "distributor"]
