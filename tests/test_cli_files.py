"""The files the command line writes are 0644 whatever the umask, and a command never leaves
an empty database where it was run: only init and demo create one."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import demo_registry
from tests.test_cli_epcis import WORKED
from unitrace.cli import app

runner = CliRunner()
CODE = "(01)09506000134352(17)281231(10)ABC(21)X1"


@pytest.fixture
def strict_umask() -> Iterator[None]:
    """A umask that would leave new files readable by their owner only."""
    before = os.umask(0o077)
    yield
    os.umask(before)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_template: Path) -> Path:
    demo_registry(demo_template, tmp_path, monkeypatch)
    return tmp_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_written_is_0644_whatever_the_umask(demo: Path, strict_umask: None) -> None:
    (demo / "codes.txt").write_text(CODE + "\n")
    (demo / "document.jsonld").write_text(json.dumps(WORKED))
    (demo / "taken.svg").write_text("an older file, made private")
    (demo / "taken.svg").chmod(0o600)
    writers = {
        "symbol.svg": ["code", "render", CODE, "--out", "symbol.svg"],
        "taken.svg": ["code", "render", CODE, "--out", "taken.svg"],
        "symbol.png": ["code", "render", CODE, "--out", "symbol.png"],
        "sheet.pdf": ["code", "sheet", "codes.txt", "--out", "sheet.pdf"],
        "codes.csv": ["serials", "codes", "1", "--out", "codes.csv"],
        "codes.json": ["serials", "codes", "1", "--out", "codes.json"],
        "issued.csv": ["serials", "request", "--gtin", "09506000134352", "--lot", "L2611A",
                       "--count", "3", "--out", "issued.csv"],
        "labels.pdf": ["labels", "pdf", "1", "--out", "labels.pdf"],
        "symbols.zip": ["labels", "svg", "1", "--out", "symbols.zip"],
        "document.xml": ["epcis", "convert", "document.jsonld", "--to", "xml", "--out", "document.xml"],
        "again.jsonld": ["epcis", "convert", "document.xml", "--to", "json", "--out", "again.jsonld"],
    }  # fmt: skip
    for written, arguments in writers.items():
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, (arguments, result.output)
        assert oct(mode(demo / written)) == oct(0o644), written


NO_DATABASE = [
    ["tokens", "list"],
    ["tokens", "create", "--role", "line"],
    ["products", "list"],
    ["lots", "list", "09506000134352"],
    ["parties", "list"],
    ["units", "show", CODE],
    ["scan", CODE],
    ["serials", "codes", "1", "--out", "codes.csv"],
    ["alerts", "list"],
    ["epcis", "events"],
]


@pytest.mark.parametrize("arguments", NO_DATABASE)
def test_no_database_is_an_error_naming_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    monkeypatch.delenv("UNITRACE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: no database at {tmp_path / 'unitrace.db'} (where unitrace looks when "
        "UNITRACE_DATABASE_URL is not set): set UNITRACE_DATABASE_URL to the registry's "
        "database, or run unitrace init to create one here\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_database_named_but_missing_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "elsewhere" / "registry.db"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["products", "list"])
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: database sqlite:///{missing} is not initialised: run unitrace init\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_init_creates_the_database_where_it_is_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNITRACE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert (tmp_path / "unitrace.db").is_file()
    listed = runner.invoke(app, ["products", "list", "--json"])
    assert (listed.exit_code, json.loads(listed.stdout)) == (0, [])


def test_a_link_at_the_output_path_keeps_its_targets_mode(
    tmp_path: Path, strict_umask: None
) -> None:
    """Writing through a link (or to a device) never changes the mode of what it points to: a
    private file stays private, and ``--out /dev/null`` leaves the device as it is."""
    private = tmp_path / "private.txt"
    private.write_text("secret")
    private.chmod(0o600)
    (tmp_path / "link.png").symlink_to(private)
    result = runner.invoke(app, ["code", "render", CODE, "--out", str(tmp_path / "link.png")])
    assert result.exit_code == 0
    assert mode(private) == 0o600
    before = mode(Path("/dev/null"))
    (tmp_path / "null.svg").symlink_to("/dev/null")
    result = runner.invoke(app, ["code", "render", CODE, "--out", str(tmp_path / "null.svg")])
    assert result.exit_code == 0
    assert mode(Path("/dev/null")) == before


@pytest.mark.parametrize(
    ("database_url", "arguments", "said"),
    [
        ("garbage", ["parties", "list"], "error: UNITRACE_DATABASE_URL 'garbage': "),
        ("mysql://host/db", ["parties", "list"], "error: database mysql://host/db: no driver"),
        (None, ["alerts", "show", str(2**64)], "error: a number too large"),
        (None, ["labels", "pdf", str(2**64), "--out", "x.pdf"], "error: a number too large"),
    ],
)
def test_a_database_url_or_number_out_of_reach_is_one_line(
    demo: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str | None,
    arguments: list[str],
    said: str,
) -> None:
    if database_url is not None:
        monkeypatch.setenv("UNITRACE_DATABASE_URL", database_url)
    result = runner.invoke(app, arguments)
    assert (result.exit_code, result.stderr.startswith(said)) == (2, True), result.stderr
