"""The registry side of the command line: demo data, serial requests, code files, labels."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle import unit_view
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()
SYSTEM = Actor("test", Role.ADMIN)
GTIN = "09506000134352"


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")
    monkeypatch.setenv("UNITRACE_RESOLVER_BASE", "https://id.brand.example")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    return tmp_path


def test_demo_seeds_once_and_prints_a_token_and_urls_each_time(registry: Path) -> None:
    first = runner.invoke(app, ["demo", "--url", "http://127.0.0.1:9000"])
    again = runner.invoke(app, ["demo", "--url", "http://127.0.0.1:9000/"])
    assert (first.exit_code, again.exit_code) == (0, 0)
    assert first.stdout.splitlines()[0] == (
        "demo data: 3 products, 6 lots, 4 parties, 6,000 units commissioned, 1,050 shipped, "
        "3 alerts raised by scans"
    )
    assert again.stdout.splitlines()[0] == (
        f"demo data: already in sqlite:///{registry / 'registry.db'}"
    )
    unit = re.compile(rf"http://127\.0\.0\.1:9000/01/{GTIN}/10/L2611A/21/(\w+)\?17=280630")
    for output in (first.stdout, again.stdout):
        lines = [line.strip() for line in output.splitlines()]
        assert lines[1].startswith("admin token: ut_")
        assert (
            lines[2] == "the brand console: http://127.0.0.1:9000/console  (new passwords each run)"
        )
        assert [line.split()[0] for line in lines[3:5]] == [
            "admin@sunrise.example",
            "orders@dist-a.example",
        ]
        opened = lines.index("open in a browser (no token needed):")
        shown = dict(line.split(": ", 1) for line in lines[opened + 1 : opened + 5])
        assert shown["unitrace"] == "http://127.0.0.1:9000/"
        assert shown["API documentation"] == (
            "http://127.0.0.1:9000/docs  and  http://127.0.0.1:9000/redoc"
        )
        genuine = unit.fullmatch(shown["a genuine unit's page"])
        at_pharmacy = unit.fullmatch(shown["a unit at the pharmacy"])
        assert genuine is not None
        assert at_pharmacy is not None
        assert lines[-2:] == [
            f"export UNITRACE_DATABASE_URL=sqlite:///{registry / 'registry.db'}",
            "export UNITRACE_RESOLVER_BASE=https://id.brand.example",
        ]
    # the genuine unit is on the pallet shipped to Distributor A, the other at the pharmacy
    database = Database(open_database(f"sqlite:///{registry / 'registry.db'}"))
    with database.unit_of_work(read_only=True) as uow:
        custodians = [
            unit_view(uow, gtin=GTIN, serial=found[1], actor=SYSTEM).custodian
            for found in (genuine, at_pharmacy)
        ]
    assert custodians == ["dist-a", "pharmacy-bangsar"]
    verdicts = [
        json.loads(runner.invoke(app, ["scan", found.group(0), "--json"]).stdout)["verdict"]
        for found in (genuine, at_pharmacy)
    ]
    assert verdicts == ["genuine", "genuine"]


def test_serials_request_writes_the_codes_file(registry: Path) -> None:
    runner.invoke(app, ["demo"])
    result = runner.invoke(
        app,
        [
            "serials",
            "request",
            "--gtin",
            GTIN,
            "--lot",
            "L2611A",
            "--count",
            "250",
            "--out",
            "codes.csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"serial request 7: 250 serials of {GTIN} lot L2611A, seq 1001-1250",
        f"guess probability for {GTIN}: 1 in 512,409,557,603,043",
        "wrote codes.csv: 250 codes",
    ]
    rows = list(csv.DictReader((registry / "codes.csv").open(encoding="utf-8")))
    assert [int(row["seq"]) for row in rows] == list(range(1001, 1251))
    assert rows[0]["digital_link"] == (
        f"https://id.brand.example/01/{GTIN}/10/L2611A/21/{rows[0]['serial']}?17=280630"
    )
    as_json = runner.invoke(app, ["serials", "codes", "7", "--out", "codes.json"])
    assert as_json.exit_code == 0
    assert [
        dict(row, seq=str(row["seq"])) for row in json.loads((registry / "codes.json").read_text())
    ] == rows


def test_labels_for_a_request(registry: Path) -> None:
    runner.invoke(app, ["demo"])
    pdf = runner.invoke(app, ["labels", "pdf", "1", "--out", "labels.pdf", "--label", "50x25"])
    svg = runner.invoke(app, ["labels", "svg", "2", "--out", "symbols.zip", "--symbology", "dl-qr"])
    assert (pdf.exit_code, svg.exit_code) == (0, 0)
    assert re.fullmatch(
        r"wrote labels\.pdf: 1,000 labels on 34 pages, \d+\.\d s, [\d,]+ labels/s",
        pdf.stdout.strip(),
    )
    assert re.fullmatch(
        r"wrote symbols\.zip: 1,000 symbols, \d+\.\d s, [\d,]+ symbols/s", svg.stdout.strip()
    )
    assert len(zipfile.ZipFile(registry / "symbols.zip").namelist()) == 1000


BAD = [
    (["serials", "request", "--gtin", GTIN, "--lot", "NOPE", "--count", "5"], "error: lot: NOPE of 09506000134352 is not a registered lot"),
    (["serials", "request", "--gtin", GTIN, "--lot", "L2611A", "--count", "0"], "error: count: 0 is not between 1 and the maximum of 1,000,000 serials per request"),
    (["serials", "request", "--gtin", "9506000134353", "--lot", "L2611A", "--count", "5"], "error: gtin: AI (01): check digit 2 expected, got 3"),
    (["serials", "request", "--gtin", GTIN, "--lot", "L2611A", "--count", "5", "--out", "x.txt"], "error: --out: x.txt must end in .csv or .json"),
    (["serials", "codes", "99", "--out", "c.csv"], "error: request: serial request 99 does not exist"),
    (["labels", "pdf", "99", "--out", "l.pdf"], "error: request: serial request 99 does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "line"), BAD)
def test_bad_requests_exit_2_with_one_line_and_write_nothing(
    registry: Path, arguments: list[str], line: str
) -> None:
    runner.invoke(app, ["demo"])
    before = files_written(registry)
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert result.stderr.startswith(line)
    assert len(result.stderr.strip().splitlines()) == 1
    assert files_written(registry) == before


def files_written(folder: Path) -> list[str]:
    """The files in ``folder``, but SQLite's write-ahead log and its index, which come and go
    with the database's connections whether anything is written or not."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))
