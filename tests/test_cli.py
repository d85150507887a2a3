"""The command line: whole JSON answers, exit status 0 on success and 2 with one line on bad
input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from unitrace.cli import app

runner = CliRunner()


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin, env=env)


PARSED = [
    (
        ["https://example.com/01/09506000134352/10/ABC/21/X1?17=261231"],
        {
            "form": "digital_link",
            "symbology": None,
            "ais": {"01": "09506000134352", "10": "ABC", "21": "X1", "17": "261231"},
            "gtin": "09506000134352",
            "serial": "X1",
            "lot": "ABC",
            "expiry": "2026-12-31",
            "sscc": None,
            "hri": "(01)09506000134352(10)ABC(21)X1(17)261231",
            "element_string": "0109506000134352" + "10ABC\x1d21X1\x1d17261231",
            "digital_link": "https://resolver.example/01/09506000134352/10/ABC/21/X1?17=261231",
        },
    ),
    (
        ["^01095060001343521726120010ABC^21X1", "--company-prefix-length", "7"],
        {
            "form": "element_string",
            "symbology": None,
            "ais": {"01": "09506000134352", "17": "261200", "10": "ABC", "21": "X1"},
            "gtin": "09506000134352",
            "serial": "X1",
            "lot": "ABC",
            "expiry": "2026-12-31",
            "sscc": None,
            "hri": "(01)09506000134352(17)261200(10)ABC(21)X1",
            "element_string": "01095060001343521726120010ABC\x1d21X1",
            "digital_link": "https://resolver.example/01/09506000134352/10/ABC/21/X1?17=261200",
            "epc_uri": "urn:epc:id:sgtin:9506000.013435.X1",
        },
    ),
    (
        ["urn:epc:id:sscc:0614141.1234567890"],
        {
            "form": "epc_uri",
            "symbology": None,
            "ais": {"00": "106141412345678908"},
            "gtin": None,
            "serial": None,
            "lot": None,
            "expiry": None,
            "sscc": "106141412345678908",
            "hri": "(00)106141412345678908",
            "element_string": "00106141412345678908",
            "digital_link": "https://resolver.example/00/106141412345678908",
            "epc_uri": "urn:epc:id:sscc:0614141.1234567890",
        },
    ),
]


@pytest.mark.parametrize(("arguments", "expected"), PARSED)
def test_code_parse_json_is_the_whole_description(
    arguments: list[str], expected: dict[str, Any]
) -> None:
    result = run(
        "code",
        "parse",
        *arguments,
        "--json",
        env={"UNITRACE_RESOLVER_BASE": "https://resolver.example"},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


def test_code_parse_reads_raw_barcode_data_from_standard_input() -> None:
    result = run("code", "parse", "-", "--json", stdin="]d2010950600013435210ABC\x1d21X1\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hri"] == "(01)09506000134352(10)ABC(21)X1"


def test_code_parse_table_for_people() -> None:
    result = run(
        "code", "parse", "(01)09506000134352(21)X1", "--resolver-base", "https://r.example"
    )
    assert result.exit_code == 0
    for fragment in ("GS1 human-readable text", "(01)", "GTIN", "09506000134352", "SERIAL",
                     "https://r.example/01/09506000134352/21/X1"):  # fmt: skip
        assert fragment in result.stdout


BAD = [
    (["code", "parse", "(01)09506000134353(21)X1"], "error: AI (01): check digit 2 expected, got 3"),
    (["code", "parse", "https://e.com/01/09506000134352/21/X1/10/A"], "error: Digital Link: qualifier (21) must come after (10)"),
    (["code", "parse", "(01)09506000134352(17)261301"], "error: AI (17): month 13"),
    (["code", "parse", "nonsense"], "error: code: not a GS1 Digital Link URI, element string, (01)… string or EPC URI: 'nonsense'"),
    (["code", "parse", "(01)09506000134352", "--resolver-base", "ftp://x"], "error: Digital Link: resolver base 'ftp://x' must be an http or https URL with a domain"),
    (["code", "parse", "(01)09506000134352", "--company-prefix-length", "7"], "error: EPC URI: the AIs (01) name no EPC"),
    (["code", "epc", "(01)09506000134352(21)7"], "error: EPC: the company prefix length (6-12) is needed to encode this code; give --company-prefix-length"),
    (["code", "epc", "(01)09506000134352(21)A7", "--company-prefix-length", "7", "--scheme", "sgtin-96"], "error: SGTIN-96: serial 'A7' is not all digits"),
    (["code", "epc", "(01)09506000134352(21)7", "--company-prefix-length", "5"], "error: SGTIN-96"),
    (["code", "epc", "(01)09506000134352(21)7", "--company-prefix-length", "7", "--filter", "8"], "error: SGTIN-96: filter value 8 is not one of 0 to 7"),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "line"), BAD)
def test_bad_input_exits_2_with_one_line(arguments: list[str], line: str) -> None:
    result = run(*arguments)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(line)


EPC = [
    (["(01)09506000134352(21)7", "--company-prefix-length", "7"], {"scheme": "sgtin-96", "filter": 1, "company_prefix_length": 7, "hri": "(01)09506000134352(21)7", "epc_uri": "urn:epc:id:sgtin:9506000.013435.7", "tag_uri": "urn:epc:tag:sgtin-96:1.9506000.013435.7", "hex": "30364433400D1EC000000007"}),
    (["3074257BF7194E4000001A85"], {"scheme": "sgtin-96", "filter": 3, "company_prefix_length": 7, "hri": "(01)80614141123458(21)6789", "epc_uri": "urn:epc:id:sgtin:0614141.812345.6789", "tag_uri": "urn:epc:tag:sgtin-96:3.0614141.812345.6789", "hex": "3074257BF7194E4000001A85"}),
    (["urn:epc:id:sgtin:0614141.712345.32a%2Fb"], {"scheme": "sgtin-198", "filter": 1, "company_prefix_length": 7, "hri": "(01)70614141123451(21)32a/b", "epc_uri": "urn:epc:id:sgtin:0614141.712345.32a%2Fb", "tag_uri": "urn:epc:tag:sgtin-198:1.0614141.712345.32a%2Fb", "hex": "3634257BF6B7A659B2C2BF100000000000000000000000000000"}),
    (["(00)106141412345678908", "--company-prefix-length", "7", "--filter", "2"], {"scheme": "sscc-96", "filter": 2, "company_prefix_length": 7, "hri": "(00)106141412345678908", "epc_uri": "urn:epc:id:sscc:0614141.1234567890", "tag_uri": "urn:epc:tag:sscc-96:2.0614141.1234567890", "hex": "3154257BF4499602D2000000"}),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "expected"), EPC)
def test_code_epc_encodes_units_and_decodes_tags(
    arguments: list[str], expected: dict[str, Any]
) -> None:
    result = run("code", "epc", *arguments, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


def test_every_command_has_help() -> None:
    for command in (
        [],
        ["code"],
        *(["code", c] for c in ("parse", "render", "read", "epc", "sheet")),
    ):
        result = run(*command, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.stdout


UNIT = "(01)09506000134352(17)261231(10)ABC(21)X1"


@pytest.mark.parametrize("symbology", ["datamatrix", "gs1-qr", "dl-qr", "gs1-128"])
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_render_then_read_gives_the_unit_back(tmp_path: Any, symbology: str, suffix: str) -> None:
    out = tmp_path / f"unit{suffix}"
    result = run("code", "render", UNIT, "--symbology", symbology, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out} ({symbology}: {UNIT})"
    if suffix == ".svg":
        assert out.read_text().startswith("<svg") or "<svg" in out.read_text()[:200]
    read = run("code", "read", str(out), "--json")
    assert read.exit_code == 0, read.output
    (scan,) = json.loads(read.stdout)
    assert (scan["gtin"], scan["lot"], scan["serial"], scan["expiry"]) == (
        "09506000134352",
        "ABC",
        "X1",
        "2026-12-31",
    )


def test_label_sheet_from_a_file_of_codes(tmp_path: Any) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("\n".join(f"(01)09506000134352(10)L1(21)S{n}" for n in range(30)) + "\n\n")
    out = tmp_path / "labels.pdf"
    result = run("code", "sheet", str(codes), "--out", str(out), "--label", "50x25")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out}: 30 labels on 1 page"
    assert out.read_bytes().startswith(b"%PDF")
    info = PdfReader(out).metadata
    assert info is not None
    assert (info.title, info.author) == ("labels.pdf", "unitrace")


BAD_FILES = [
    (["code", "render", UNIT, "--out", "unit.gif"], "error: --out: unit.gif must end in .svg or .png"),
    (["code", "render", UNIT, "--out", "unit.png", "--module-size", "2.5"], "error: --module-size: a PNG module is a whole number of pixels, got 2.5"),
    (["code", "render", "(01)09506000134352(10)" + "L" * 20 + "(21)" + "S" * 20, "-s", "gs1-128", "--out", "u.svg"], "error: gs1-128: 61 data characters, at most 48 fit"),
    (["code", "read", "missing.png"], "error: missing.png: No such file or directory"),
    (["code", "sheet", "codes.txt", "--out", "s.pdf", "--label", "60"], "error: "),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "line"), BAD_FILES)
def test_bad_files_and_options_exit_2_and_write_nothing(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, arguments: list[str], line: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "codes.txt").write_text(UNIT + "\n")
    result = run(*arguments)
    assert result.exit_code == 2
    assert result.stderr.startswith(line)
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codes.txt"]


def test_a_bad_line_in_a_sheet_names_the_line_and_writes_nothing(tmp_path: Any) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text(UNIT + "\n(01)09506000134353(21)X2\n")
    out = tmp_path / "labels.pdf"
    result = run("code", "sheet", str(codes), "--out", str(out))
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"error: {codes}: line 2: AI (01): check digit 2 expected, got 3"
    )
    assert not out.exists()


def test_reading_an_svg_that_is_not_one_is_one_line(tmp_path: Any) -> None:
    bogus = tmp_path / "unit.svg"
    bogus.write_text("<html><body>a label</body></html>")
    result = run("code", "read", str(bogus))
    assert (result.exit_code, result.stderr.strip().splitlines()) == (
        2,
        [
            f"error: image {str(bogus)!r}: XML, but not an SVG: its root element is <html>, "
            "not <svg> in the SVG namespace"
        ],
    )


def test_reading_an_image_that_is_not_one(tmp_path: Any) -> None:
    bogus = tmp_path / "photo.png"
    bogus.write_bytes(b"not an image")
    result = run("code", "read", str(bogus))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
