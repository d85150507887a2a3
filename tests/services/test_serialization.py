"""Issuing serials as a service: whole requests and their codes, every refusal (and that it
changes nothing), the guess rule at its edge, collisions redrawn, commissioning on request,
and two processes issuing for one GTIN at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import random
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from unitrace.gs1 import Gtin
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, LotStatus, Role, SerialFormat
from unitrace.serials import draw_serials
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.serialization import (
    IssuedCode,
    SerialDraw,
    SerialRequest,
    code_file,
    get_request,
    issue_serials,
    request_codes,
)
from unitrace.store import schema
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"  # the default format: 12 of 32 characters
DIGITS_GTIN = "04012345000009"  # 6 digits: 1,000,000 possible, so 100 may ever be issued
UNKNOWN_GTIN = "09506000134369"
DEFAULT_POSSIBLE = 32**12
ADMIN = Actor("ada", Role.ADMIN)
LINE = Actor("line-1", Role.LINE)
TODAY = dt.date(2026, 3, 2)
EXPIRY = dt.date(2027, 6, 30)
A_TIME = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


@pytest.fixture
def registry(database: Database) -> Database:
    """Two products; a released lot L1 of each, and a recalled, a withdrawn and an expired
    lot of the first."""
    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN, name="Vitamin C", actor=ADMIN, company_prefix_length=7)
        register_product(
            uow,
            gtin=DIGITS_GTIN,
            name="Zinc",
            actor=ADMIN,
            serial_length=6,
            serial_alphabet="0123456789",
        )
        for gtin in (GTIN, DIGITS_GTIN):
            register_lot(uow, gtin=gtin, lot="L1", expiry=EXPIRY, actor=ADMIN, today=TODAY)
        for lot, status in (("LR", LotStatus.RECALLED), ("LW", LotStatus.WITHDRAWN)):
            register_lot(uow, gtin=GTIN, lot=lot, expiry=EXPIRY, actor=ADMIN, today=TODAY)
            lot_id = uow.lots.id_of(Gtin(GTIN), lot)
            assert lot_id is not None
            uow.lots.set_status(lot_id, status, "contamination")
        register_lot(
            uow,
            gtin=GTIN,
            lot="LX",
            expiry=dt.date(2026, 3, 1),
            actor=ADMIN,
            today=dt.date(2026, 1, 1),
        )
        uow.commit()
    return database


def seeded(seed: int) -> SerialDraw:
    """A reproducible stand-in for the CSPRNG: one seeded stream for all of a request's draws."""
    source = random.Random(seed)

    def draw(serial_format: SerialFormat, count: int) -> Sequence[str]:
        return draw_serials(serial_format, count, random_bytes=source.randbytes)

    return draw


def issue(database: Database, **request: Any) -> SerialRequest:
    request = {"actor": LINE, "today": TODAY, "lot": "L1", **request}
    with database.unit_of_work() as uow:
        issued = issue_serials(uow, **request)
        uow.commit()
    return issued


def codes(database: Database, request_id: int) -> list[IssuedCode]:
    with database.unit_of_work(read_only=True) as uow:
        return list(request_codes(uow, request_id))


def footprint(database: Database) -> tuple[Any, ...]:
    """Everything issuing writes: units, requests, audit lines, and the issued counters."""
    with database.unit_of_work(read_only=True) as uow:
        connection = uow.connection
        return (
            *(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (
                    schema.units,
                    schema.serial_requests,
                    schema.audit_trail,
                    schema.epcis_events,
                )
            ),
            tuple(
                connection.execute(
                    select(schema.products.c.issued).order_by(schema.products.c.id)
                ).scalars()
            ),
            tuple(
                connection.execute(
                    select(schema.lots.c.issued).order_by(schema.lots.c.id)
                ).scalars()
            ),
        )


# --- whole requests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "issued", "rows"),
    [
        (
            {"gtin": GTIN, "count": 3, "draw": seeded(1)},
            SerialRequest(
                1, Gtin(GTIN), "L1", 3, 1, 3, False, 3 / DEFAULT_POSSIBLE, DEFAULT_POSSIBLE, A_TIME
            ),
            [
                {
                    "seq": 1,
                    "serial": "PK74CSRKZCKS",
                    "hri": "(01)09506000134352(17)270630(10)L1(21)PK74CSRKZCKS",
                    "element_string": "01095060001343521727063010L1\x1d21PK74CSRKZCKS",
                    "digital_link": "https://id.example.com/01/09506000134352/10/L1/21/PK74CSRKZCKS?17=270630",
                },
                {
                    "seq": 2,
                    "serial": "JY3F6V85K69J",
                    "hri": "(01)09506000134352(17)270630(10)L1(21)JY3F6V85K69J",
                    "element_string": "01095060001343521727063010L1\x1d21JY3F6V85K69J",
                    "digital_link": "https://id.example.com/01/09506000134352/10/L1/21/JY3F6V85K69J?17=270630",
                },
                {
                    "seq": 3,
                    "serial": "WNE3BDHYVPNY",
                    "hri": "(01)09506000134352(17)270630(10)L1(21)WNE3BDHYVPNY",
                    "element_string": "01095060001343521727063010L1\x1d21WNE3BDHYVPNY",
                    "digital_link": "https://id.example.com/01/09506000134352/10/L1/21/WNE3BDHYVPNY?17=270630",
                },
            ],
        ),
        (
            {"gtin": "4012345000009", "count": 2, "draw": seeded(2), "actor": ADMIN},
            SerialRequest(1, Gtin(DIGITS_GTIN), "L1", 2, 1, 2, False, 2e-6, 10**6, A_TIME),
            [
                {
                    "seq": 1,
                    "serial": "590437",
                    "hri": "(01)04012345000009(17)270630(10)L1(21)590437",
                    "element_string": "01040123450000091727063010L1\x1d21590437",
                    "digital_link": "https://id.example.com/01/04012345000009/10/L1/21/590437?17=270630",
                },
                {
                    "seq": 2,
                    "serial": "403042",
                    "hri": "(01)04012345000009(17)270630(10)L1(21)403042",
                    "element_string": "01040123450000091727063010L1\x1d21403042",
                    "digital_link": "https://id.example.com/01/04012345000009/10/L1/21/403042?17=270630",
                },
            ],
        ),
    ],
)
def test_a_request_is_issued_and_its_codes_read_back(
    registry: Database,
    request_: dict[str, Any],
    issued: SerialRequest,
    rows: list[dict[str, int | str]],
) -> None:
    before = dt.datetime.now(dt.UTC)
    request = issue(registry, **request_)
    assert before <= request.created_at <= dt.datetime.now(dt.UTC)
    assert dataclasses.replace(request, created_at=A_TIME) == issued
    with registry.unit_of_work(read_only=True) as uow:
        assert get_request(uow, request.id) == request
    assert [code.row("https://id.example.com") for code in codes(registry, request.id)] == rows
    with registry.unit_of_work(read_only=True) as uow:
        states = uow.connection.execute(select(schema.units.c.state).distinct()).scalars().all()
        audit = uow.audit.of(f"{issued.gtin}/L1")
    assert states == ["issued"]
    assert [(line.actor, line.action, line.details) for line in audit][-1] == (
        request_.get("actor", LINE).name,
        "serials.issued",
        {
            "request_id": 1,
            "count": issued.count,
            "seq_from": 1,
            "seq_to": issued.count,
            "redrawn": 0,
        },
    )


def test_requests_continue_the_lot_seqs_and_the_gtin_count(registry: Database) -> None:
    first = issue(registry, gtin=DIGITS_GTIN, count=10)
    second = issue(registry, gtin=DIGITS_GTIN, count=30)
    assert (first.seq_from, first.seq_to, first.guess_probability) == (1, 10, 10 / 10**6)
    assert (second.seq_from, second.seq_to, second.guess_probability) == (11, 40, 40 / 10**6)
    with registry.unit_of_work(read_only=True) as uow:
        # each request keeps the figure as it stood once it was issued
        assert get_request(uow, first.id).guess_probability == 10 / 10**6
    first_codes, second_codes = codes(registry, first.id), codes(registry, second.id)
    assert [code.seq for code in first_codes + second_codes] == list(range(1, 41))
    assert len({code.serial for code in first_codes + second_codes}) == 40


def test_real_serials_come_from_the_csprng(registry: Database) -> None:
    request = issue(registry, gtin=GTIN, count=1_000)
    serials = [code.serial for code in codes(registry, request.id)]
    assert len(set(serials)) == 1_000
    assert all(
        len(serial) == 12 and set(serial) <= set(SerialFormat().alphabet) for serial in serials
    )


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "refusal", "message"),
    [
        (
            {"gtin": "123"},
            InvalidRequest,
            "gtin: AI (01): a GTIN has 8, 12, 13 or 14 digits, got '123'",
        ),
        (
            {"gtin": "09506000134353"},
            InvalidRequest,
            "gtin: AI (01): check digit 2 expected, got 3",
        ),
        ({"gtin": UNKNOWN_GTIN}, NotFound, f"gtin: {UNKNOWN_GTIN} is not a registered product"),
        ({"lot": "NOPE"}, NotFound, f"lot: NOPE of {GTIN} is not a registered lot"),
        (
            {"count": 0},
            InvalidRequest,
            "count: 0 is not between 1 and the maximum of 1,000,000 serials per request",
        ),
        (
            {"count": -3},
            InvalidRequest,
            "count: -3 is not between 1 and the maximum of 1,000,000 serials per request",
        ),
        (
            {"count": 1_000_001},
            InvalidRequest,
            "count: 1,000,001 is not between 1 and the maximum of 1,000,000 serials per request",
        ),
        (
            {"count": 11, "maximum_per_request": 10},
            InvalidRequest,
            "count: 11 is not between 1 and the maximum of 10 serials per request",
        ),
        (
            {"lot": "LR"},
            Conflict,
            f"lot: LR of {GTIN} is recalled (contamination); no serials are issued for a recalled lot",
        ),
        (
            {"lot": "LW"},
            Conflict,
            f"lot: LW of {GTIN} is withdrawn (contamination); no serials are issued for a withdrawn lot",
        ),
        (
            {"lot": "LX"},
            InvalidRequest,
            f"expiry: lot LX of {GTIN} expired on 2026-03-01; no serials are issued for an expired lot",
        ),
        (
            {"gtin": DIGITS_GTIN, "count": 101},
            InvalidRequest,
            f"count: issuing 101 more would make 1 in 9,900 serials of {DIGITS_GTIN} guessable, above "
            "the limit of 1 in 10,000; at most 100 more can be issued",
        ),
        (
            {"gtin": DIGITS_GTIN, "count": 1_500_000, "maximum_per_request": 2_000_000},
            InvalidRequest,
            f"count: issuing 1,500,000 more would take more serials of {DIGITS_GTIN} than the "
            "1,000,000 its format can express, above the limit of 1 in 10,000; at most 100 more "
            "can be issued",
        ),
        (
            {"actor": Actor("vera", Role.VERIFIER)},
            Forbidden,
            "role: a verifier may not issue serials; needs admin or line",
        ),
        (
            {"actor": Actor("anna", Role.DISTRIBUTOR, "dist-a")},
            Forbidden,
            "role: a distributor may not issue serials; needs admin or line",
        ),
    ],
)
def test_refusals_name_the_field_and_rule_and_change_nothing(
    registry: Database, request_: dict[str, Any], refusal: type[Refused], message: str
) -> None:
    issue(registry, gtin=GTIN, count=5)
    before = footprint(registry)
    request = {"gtin": GTIN, "lot": "L1", "count": 5, "actor": LINE, "today": TODAY, **request_}
    with registry.unit_of_work() as uow:
        with pytest.raises(refusal, match=f"^{re.escape(message)}$"):
            issue_serials(uow, **request)
        uow.commit()  # a refusal must have written nothing a commit could keep
    assert footprint(registry) == before


def test_the_guess_rule_allows_its_limit_exactly_and_not_one_more(registry: Database) -> None:
    issue(registry, gtin=DIGITS_GTIN, count=60)
    with (
        registry.unit_of_work() as uow,
        pytest.raises(InvalidRequest, match=r"at most 40 more can be issued$"),
    ):
        issue_serials(uow, gtin=DIGITS_GTIN, lot="L1", count=41, actor=LINE, today=TODAY)
    at_limit = issue(registry, gtin=DIGITS_GTIN, count=40)
    assert (at_limit.seq_to, at_limit.guess_probability) == (100, 1 / 10_000)
    before = footprint(registry)
    with registry.unit_of_work() as uow, pytest.raises(InvalidRequest) as refused:
        issue_serials(uow, gtin=DIGITS_GTIN, lot="L1", count=1, actor=LINE, today=TODAY)
    assert str(refused.value) == (
        f"count: issuing 1 more would make 1 in 9,900 serials of {DIGITS_GTIN} guessable, above "
        "the limit of 1 in 10,000; no more can be issued"
    )
    assert footprint(registry) == before


def test_unknown_requests_are_not_found(registry: Database) -> None:
    with registry.unit_of_work(read_only=True) as uow:
        with pytest.raises(NotFound, match=r"^request: serial request 42 does not exist$"):
            get_request(uow, 42)
        # refused when asked, not when the first code is read
        with pytest.raises(NotFound, match=r"^request: serial request 42 does not exist$"):
            request_codes(uow, 42)


# --- collisions -----------------------------------------------------------------------------


def test_serials_issued_already_are_redrawn(registry: Database) -> None:
    first = issue(registry, gtin=GTIN, count=3, draw=seeded(1))
    taken = [code.serial for code in codes(registry, first.id)]
    fresh = seeded(99)

    def repeating(serial_format: SerialFormat, count: int) -> Sequence[str]:
        """First the serials issued already (and one of them twice), then fresh ones."""
        nonlocal taken
        if taken:
            repeated, taken = [*taken, taken[0]][:count], []
            return repeated
        return fresh(serial_format, count)

    second = issue(registry, gtin=GTIN, count=4, draw=repeating)
    issued_first, issued_second = codes(registry, first.id), codes(registry, second.id)
    assert [code.seq for code in issued_second] == [4, 5, 6, 7]
    assert not {code.serial for code in issued_first} & {code.serial for code in issued_second}
    assert len({code.serial for code in issued_second}) == 4
    with registry.unit_of_work(read_only=True) as uow:
        assert uow.audit.of(f"{GTIN}/L1")[-1].details["redrawn"] == 4


# --- commissioning --------------------------------------------------------------------------


def lifecycle_commission() -> Callable[..., object]:
    try:
        from unitrace.services.lifecycle import commission
    except ImportError:
        pytest.skip("unitrace.services.lifecycle.commission does not exist yet")
    return commission


def test_commissioning_on_request_makes_the_units_active(registry: Database) -> None:
    lifecycle_commission()
    request = issue(registry, gtin=GTIN, count=5, commission=True)
    assert request.commissioned
    with registry.unit_of_work(read_only=True) as uow:
        assert get_request(uow, request.id).commissioned
        states = uow.connection.execute(select(schema.units.c.state).distinct()).scalars().all()
        events = uow.connection.execute(select(schema.epcis_events.c.biz_step)).scalars().all()
    assert states == ["active"]
    assert [step.rsplit(":", 1)[-1] for step in events] == ["commissioning"]


def test_a_refused_commissioning_leaves_no_units_issued(registry: Database) -> None:
    """Issuing checks the lot's expiry against the day it is given; commissioning against
    the clock. A request dated before the lot expired passes the one and fails the other."""
    lifecycle_commission()
    before = footprint(registry)
    with registry.unit_of_work() as uow:
        with pytest.raises(Conflict, match="expired on 2026-03-01"):
            issue_serials(
                uow,
                gtin=GTIN,
                lot="LX",
                count=5,
                actor=LINE,
                commission=True,
                today=dt.date(2026, 1, 1),
            )
        uow.commit()
    assert footprint(registry) == before


# --- two processes at once ------------------------------------------------------------------


REFUSED_EXIT = 3


def issue_in_another_process(url: str, lot: str, count: int, start: Any) -> None:
    """Issue with the same seeded stream as the other process, so that whichever goes second
    draws exactly the serials the first issued, and must redraw every one. A refusal exits
    with :data:`REFUSED_EXIT`."""
    engine = open_database(url)
    try:
        start.wait()
        with Database(engine).unit_of_work() as uow:
            issue_serials(
                uow, gtin=DIGITS_GTIN, lot=lot, count=count, actor=LINE, draw=seeded(7), today=TODAY
            )
            uow.commit()
    except Refused:
        sys.exit(REFUSED_EXIT)
    finally:
        engine.dispose()


def run_side_by_side(database_engine: Engine, requests: list[tuple[str, int]]) -> list[int | None]:
    """Issue the (lot, count) requests in processes of their own, released at once; their
    exit codes are returned."""
    url = database_engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(requests))
    processes = [
        context.Process(target=issue_in_another_process, args=(url, lot, count, start))
        for lot, count in requests
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    return [process.exitcode for process in processes]


@pytest.mark.parametrize("lots", [("L1", "L1"), ("L1", "L2")])
def test_two_processes_issuing_for_one_gtin_never_issue_the_same_serial(
    registry: Database, database_engine: Engine, lots: tuple[str, str]
) -> None:
    with registry.unit_of_work() as uow:
        register_lot(uow, gtin=DIGITS_GTIN, lot="L2", expiry=EXPIRY, actor=ADMIN, today=TODAY)
        uow.commit()
    assert run_side_by_side(database_engine, [(lot, 50) for lot in lots]) == [0, 0]

    with registry.unit_of_work(read_only=True) as uow:
        issued = uow.connection.execute(
            select(schema.units.c.serial, schema.lots.c.lot, schema.units.c.seq)
            .join(schema.lots, schema.lots.c.id == schema.units.c.lot_id)
            .join(schema.products, schema.products.c.id == schema.units.c.product_id)
            .where(schema.products.c.gtin == DIGITS_GTIN)
        ).all()
        redrawn = [
            line.details["redrawn"]
            for lot in ("L1", "L2")
            for line in uow.audit.of(f"{DIGITS_GTIN}/{lot}")
            if line.action == "serials.issued"
        ]
        product = uow.products.get(Gtin(DIGITS_GTIN))
    assert len({serial for serial, _, _ in issued}) == len(issued) == 100
    seqs = {lot: sorted(seq for _, at, seq in issued if at == lot) for lot in set(lots)}
    if lots[0] == lots[1]:
        assert seqs == {"L1": list(range(1, 101))}
    else:
        assert seqs == {"L1": list(range(1, 51)), "L2": list(range(1, 51))}
    # the same stream in both: whichever went second found all 50 of its first draw taken
    assert sorted(redrawn) == [0, 50]
    assert product is not None
    assert product.issued == 100


def test_two_processes_never_issue_more_than_the_guess_rule_allows_together(
    registry: Database, database_engine: Engine
) -> None:
    """60 each of the 100 the format allows: the second to take the product row sees the
    first's 60 and is refused."""
    exit_codes = run_side_by_side(database_engine, [("L1", 60), ("L1", 60)])
    assert sorted(exit_codes, key=str) == [0, REFUSED_EXIT]
    with registry.unit_of_work(read_only=True) as uow:
        product = uow.products.get(Gtin(DIGITS_GTIN))
        units = uow.connection.execute(select(func.count()).select_from(schema.units)).scalar_one()
    assert product is not None
    assert product.issued == units == 60


CODE_ROWS = [
    {"seq": 1, "serial": "A1", "hri": "(01)09506000134352(21)A1", "element_string": "010950600013435221A1", "digital_link": "https://r.example/01/09506000134352/21/A1"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("file_format", "text"),
    [
        ("csv", "seq,serial,hri,element_string,digital_link\n1,A1,(01)09506000134352(21)A1,010950600013435221A1,https://r.example/01/09506000134352/21/A1\n"),
        ("json", '[{"seq": 1, "serial": "A1", "hri": "(01)09506000134352(21)A1", "element_string": "010950600013435221A1", "digital_link": "https://r.example/01/09506000134352/21/A1"}]\n'),
    ],
)  # fmt: skip
def test_code_files(file_format: str, text: str) -> None:
    assert code_file(CODE_ROWS, file_format) == text


def test_a_code_file_of_another_format_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="format: 'xml' is not csv or json"):
        code_file(CODE_ROWS, "xml")
