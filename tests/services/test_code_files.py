"""Code files written as they are read: the rows built from a lot's template are, byte for
byte, the rows and files :meth:`IssuedCode.row` and :func:`code_file` make of each unit; a
request's file is every unit in seq order; a failure half-way leaves no file at the path."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gs1.strategies import CSET82, cset82_values, expiries, gtins, resolver_bases
from unitrace.gs1 import Expiry, Gtin, InvalidCode, UnitIdentity
from unitrace.gs1.identity_template import IdentityTemplate
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.code_files import CodeForms, code_file_texts, write_code_file
from unitrace.services.serialization import (
    CODE_COLUMNS,
    IssuedCode,
    code_file,
    issue_serials,
    request_codes,
)
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
LINE = Actor("line-1", Role.LINE)
ADMIN = Actor("ada", Role.ADMIN)
BASE = "https://id.brand.example"
#: Characters every form writes otherwise: a bracket (HRI), those a URI percent-encodes, and
#: those a CSV quotes or JSON escapes.
AWKWARD = "(/%\"',&?=+"

serials = st.text(alphabet=CSET82, min_size=1, max_size=20) | st.text(
    alphabet=AWKWARD + "AZ09", min_size=1, max_size=20
)


def expected_file(
    gtin: Gtin, lot: str, expiry: Expiry, base: str, units: list[tuple[int, str]], form: str
) -> str:
    identities = [(seq, UnitIdentity(gtin, serial, lot, expiry)) for seq, serial in units]
    return code_file(
        [IssuedCode(seq, unit.serial, unit).row(base) for seq, unit in identities], form
    )


@settings(max_examples=300, deadline=None)
@given(
    gtin=gtins,
    lot=cset82_values,
    expiry=expiries(),
    base=resolver_bases,
    units=st.lists(serials, min_size=0, max_size=12, unique=True),
    split=st.integers(1, 5),
)
def test_a_file_of_template_rows_is_the_file_of_each_units_row(
    gtin: Gtin, lot: str, expiry: Expiry, base: str, units: list[str], split: int
) -> None:
    fetch = list(enumerate(units, start=1))
    fetches = [fetch[i : i + split] for i in range(0, len(fetch), split)]
    for form in ("csv", "json"):
        forms = CodeForms.of(gtin, lot, expiry, base, file_format=form)
        written = "".join(text for text, _ in code_file_texts(map(forms.rows, fetches), form))
        assert written == expected_file(gtin, lot, expiry, base, fetch, form)
    rows = CodeForms.of(gtin, lot, expiry, base).rows(fetch)
    assert rows == [
        tuple(IssuedCode(seq, serial, UnitIdentity(gtin, serial, lot, expiry)).row(base).values())
        for seq, serial in fetch
    ]


@given(gtin=gtins, lot=st.none() | cset82_values, expiry=st.none() | expiries(), serial=serials)
def test_a_template_fills_in_each_form_as_the_unit_gives_it(
    gtin: Gtin, lot: str | None, expiry: Expiry | None, serial: str
) -> None:
    template = IdentityTemplate.of(gtin, lot, expiry, BASE)
    unit = UnitIdentity(gtin, serial, lot, expiry)
    assert (
        template.hri.fill([serial]),
        template.element_string.fill([serial]),
        template.digital_link.fill([serial]),
    ) == ([unit.hri()], [unit.element_string()], [unit.digital_link(BASE)])


def test_a_lot_that_looks_like_the_stand_in_serial_is_no_trouble() -> None:
    # the first stand-ins occur in the lot, so the template takes a later one
    template = IdentityTemplate.of(Gtin(GTIN), "Q0Z0XQ1Z1X", Expiry("281231"), BASE)
    unit = UnitIdentity(Gtin(GTIN), "Q0Z0X", "Q0Z0XQ1Z1X", Expiry("281231"))
    assert template.hri.fill(["Q0Z0X"]) == [unit.hri()]
    assert template.digital_link.fill(["Q0Z0X"]) == [unit.digital_link(BASE)]


def test_a_character_no_serial_may_hold_is_refused_as_the_unit_refuses_it() -> None:
    template = IdentityTemplate.of(Gtin(GTIN), "L1", Expiry("281231"), BASE)
    with pytest.raises(InvalidCode):
        template.hri.fill(["A\x1dB"])


@pytest.fixture
def issued(database: Database) -> Database:
    """2,500 units of a product whose serials are drawn from all of CSET 82, in a lot whose
    name a CSV quotes, a JSON escapes and an HRI and a Digital Link escape."""
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN, name="Tea", actor=ADMIN,
            serial_length=8, serial_alphabet=CSET82,
        )  # fmt: skip
        register_lot(
            uow, gtin=GTIN, lot='L,1"(', expiry=dt.date(2031, 1, 31),
            actor=ADMIN, today=dt.date(2026, 3, 2),
        )  # fmt: skip
        issue_serials(uow, gtin=GTIN, lot='L,1"(', count=2_500, actor=LINE)
        uow.commit()
    return database


def before(database: Database, form: str) -> str:
    """The request's code file as it was made before it streamed: a row per unit."""
    with database.unit_of_work(read_only=True) as uow:
        return code_file([code.row(BASE) for code in request_codes(uow, 1)], form)


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_requests_code_file_is_every_unit_in_seq_order(
    issued: Database, tmp_path: Path, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("unitrace.store.issuance._ROWS_PER_FETCH", 1_000)
    seen: list[int] = []
    with issued.unit_of_work(read_only=True) as uow:
        written = write_code_file(
            uow, 1, tmp_path / f"codes.{form}", form, resolver_base=BASE, progress=seen.append
        )
    text = (tmp_path / f"codes.{form}").read_text(encoding="utf-8")
    assert (written, seen, text) == (2_500, [1_000, 2_000, 2_500], before(issued, form))
    rows = (
        json.loads(text)
        if form == "json"
        else [dict(row, seq=int(row["seq"])) for row in csv.DictReader(io.StringIO(text))]
    )
    assert [row["seq"] for row in rows] == list(range(1, 2_501))
    assert list(rows[0]) == list(CODE_COLUMNS)
    assert [path.name for path in tmp_path.iterdir()] == [f"codes.{form}"]


def test_a_code_file_goes_to_an_open_file_as_well(issued: Database) -> None:
    out = io.BytesIO()
    with issued.unit_of_work(read_only=True) as uow:
        write_code_file(uow, 1, out, "csv", resolver_base=BASE)
    assert out.getvalue().decode() == before(issued, "csv")


def test_a_failure_half_way_leaves_no_file_and_the_old_one_as_it_was(
    issued: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("unitrace.store.issuance._ROWS_PER_FETCH", 1_000)
    out = tmp_path / "codes.csv"
    out.write_text("the file of yesterday")

    def failing(done: int) -> None:
        if done >= 2_000:
            raise OSError("disk full")

    with issued.unit_of_work(read_only=True) as uow, pytest.raises(OSError, match="disk full"):
        write_code_file(uow, 1, out, "csv", resolver_base=BASE, progress=failing)
    assert [path.name for path in tmp_path.iterdir()] == ["codes.csv"]
    assert out.read_text() == "the file of yesterday"
    missing = tmp_path / "new.json"
    with issued.unit_of_work(read_only=True) as uow, pytest.raises(OSError, match="disk full"):
        write_code_file(uow, 1, missing, "json", resolver_base=BASE, progress=failing)
    assert not missing.exists()
    assert [path.name for path in tmp_path.iterdir()] == ["codes.csv"]


def test_an_unknown_request_or_format_is_refused_and_writes_nothing(
    issued: Database, tmp_path: Path
) -> None:
    with issued.unit_of_work(read_only=True) as uow:
        with pytest.raises(NotFound, match="serial request 42 does not exist"):
            write_code_file(uow, 42, tmp_path / "codes.csv", "csv")
        with pytest.raises(InvalidRequest, match="'xml' is not csv or json"):
            write_code_file(uow, 1, tmp_path / "codes.xml", "xml")
    assert list(tmp_path.iterdir()) == []


def test_a_link_at_the_path_keeps_pointing_at_the_file_it_replaces(
    issued: Database, tmp_path: Path
) -> None:
    target = tmp_path / "private.csv"
    target.write_text("older codes")
    target.chmod(0o600)
    (tmp_path / "link.csv").symlink_to(target)
    with issued.unit_of_work(read_only=True) as uow:
        write_code_file(uow, 1, tmp_path / "link.csv", "csv", resolver_base=BASE)
        write_code_file(uow, 1, Path("/dev/null"), "csv", resolver_base=BASE)
    assert (tmp_path / "link.csv").is_symlink()
    assert target.read_text(encoding="utf-8") == before(issued, "csv")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link.csv", "private.csv"]
