"""Bulk issuance in the store: set-based inserts, serials taken already redrawn with the seqs
kept contiguous, serial requests, and codes read back in seq order, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence

import pytest
from sqlalchemy import func, select, text

from unitrace.gs1 import Gtin
from unitrace.registry.model import Lot, Product
from unitrace.store.issuance import IssuedBatch, RequestRecord, SerialIssuance
from unitrace.store.schema import units
from unitrace.store.unit_of_work import Database, UnitOfWork

GTIN = Gtin("09506000134352")
OTHER_GTIN = Gtin("04012345000009")
CREATED = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


class Registry:
    """Two products with a lot each, and helpers to issue into them."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.product = uow.products.add(Product(GTIN, "Vitamin C"))
        self.other_product = uow.products.add(Product(OTHER_GTIN, "Zinc"))
        self.lot = uow.lots.add(self.product, Lot(GTIN, "L1", dt.date(2030, 1, 31)))
        self.lot_2 = uow.lots.add(self.product, Lot(GTIN, "L2", dt.date(2030, 1, 31)))
        self.other_lot = uow.lots.add(
            self.other_product, Lot(OTHER_GTIN, "L1", dt.date(2030, 1, 31))
        )

    def issue(
        self,
        serials: Sequence[str],
        redraw: Callable[[int], Sequence[str]] = lambda count: [],
        *,
        lot: str = "L1",
        product_id: int | None = None,
    ) -> int:
        """Issue ``serials`` as the lot's next units; the number redrawn is returned."""
        product_id = product_id or self.product
        lot_id = (
            {"L1": self.lot, "L2": self.lot_2}[lot]
            if product_id == self.product
            else self.other_lot
        )
        seq_from = self.uow.lots.count_issued(lot_id, len(serials))
        request_id = self.uow.issuance.add_request(
            product_id=product_id,
            lot_id=lot_id,
            count=len(serials),
            seq_from=seq_from,
            commissioned=False,
            requested_by="line-1",
            created_at=CREATED,
        )
        batch = IssuedBatch(product_id, lot_id, request_id, seq_from)
        return self.uow.issuance.issue(batch, serials, redraw)

    def codes(self, lot: str = "L1") -> list[tuple[int, str]]:
        lot_id = {"L1": self.lot, "L2": self.lot_2}[lot]
        return list(self.uow.issuance.codes(lot_id, 1, 10**9))


@pytest.fixture
def registry(database: Database) -> Iterator[Registry]:
    with database.unit_of_work() as uow:
        yield Registry(uow)


def redraws(*rounds: Sequence[str]) -> Callable[[int], Sequence[str]]:
    """A redraw that answers round after round with the given serials, checking it is asked
    for as many as it has."""
    answers = iter(rounds)

    def redraw(count: int) -> Sequence[str]:
        serials = next(answers)
        assert len(serials) == count
        return serials

    return redraw


def test_a_batch_is_issued_in_seq_order(registry: Registry) -> None:
    assert registry.issue(["C3", "A1", "B2"]) == 0
    assert registry.issue(["Z9", "Y8"]) == 0
    assert registry.codes() == [(1, "C3"), (2, "A1"), (3, "B2"), (4, "Z9"), (5, "Y8")]
    rows = registry.uow.connection.execute(
        select(
            units.c.product_id,
            units.c.serial,
            units.c.lot_id,
            units.c.seq,
            units.c.request_id,
            units.c.state,
        ).order_by(units.c.seq)
    ).all()
    assert [tuple(row) for row in rows] == [
        (registry.product, "C3", registry.lot, 1, 1, "issued"),
        (registry.product, "A1", registry.lot, 2, 1, "issued"),
        (registry.product, "B2", registry.lot, 3, 1, "issued"),
        (registry.product, "Z9", registry.lot, 4, 2, "issued"),
        (registry.product, "Y8", registry.lot, 5, 2, "issued"),
    ]


@pytest.mark.parametrize(
    ("batch", "rounds", "codes", "redrawn"),
    [
        # A1 and B2 are taken (by units 1 and 2): their seqs get the redraw, in seq order
        (["A1", "N1", "B2"], [["N2", "N3"]], [(3, "N2"), (4, "N1"), (5, "N3")], 2),
        # drawn twice in the batch: the first keeps it
        (["N1", "N1", "N2"], [["N3"]], [(3, "N1"), (4, "N3"), (5, "N2")], 1),
        # a redraw that collides again is redrawn again
        (["A1", "N1"], [["B2"], ["A1"], ["N1"], ["N2"]], [(3, "N2"), (4, "N1")], 4),
        # everything taken
        (["B2", "A1"], [["N1", "N2"]], [(3, "N1"), (4, "N2")], 2),
    ],
)
def test_serials_taken_already_are_redrawn_and_seqs_stay_contiguous(
    registry: Registry,
    batch: list[str],
    rounds: list[list[str]],
    codes: list[tuple[int, str]],
    redrawn: int,
) -> None:
    registry.issue(["A1", "B2"])
    assert registry.issue(batch, redraws(*rounds)) == redrawn
    assert registry.codes() == [(1, "A1"), (2, "B2"), *codes]


def test_serials_are_unique_per_product_not_across_products(registry: Registry) -> None:
    registry.issue(["A1", "B2"])
    assert registry.issue(["A1", "B2"], product_id=registry.other_product) == 0
    # and across lots of one product they are unique
    assert registry.issue(["B2", "C3"], redraws(["D4"]), lot="L2") == 1
    assert registry.codes("L2") == [(1, "D4"), (2, "C3")]


def test_a_source_that_only_repeats_itself_is_an_error_not_a_hang(registry: Registry) -> None:
    registry.issue(["A1"])
    with pytest.raises(
        RuntimeError, match=r"^serials: 1 seqs still lack an unused serial after 32 draws"
    ):
        registry.issue(["A1"], lambda count: ["A1"] * count)


def test_serials_with_characters_copy_and_json_escape_are_stored_as_drawn(
    registry: Registry,
) -> None:
    serials = ['A"B', "C\\D", "E\tF", "G\nH", "I,J", "K'L", "%"]
    registry.issue(serials)
    assert registry.codes() == list(enumerate(serials, start=1))


def test_a_large_batch_streams_back_whole(registry: Registry) -> None:
    serials = [f"S{number:07d}" for number in range(25_000, 0, -1)]
    registry.issue(serials)
    assert registry.codes() == list(enumerate(serials, start=1))
    lot_range = list(registry.uow.issuance.codes(registry.lot, 9_999, 10_002))
    assert lot_range == [(seq, serials[seq - 1]) for seq in range(9_999, 10_003)]


def test_requests_are_recorded_with_what_was_issued_before_them(registry: Registry) -> None:
    issuance: SerialIssuance = registry.uow.issuance
    registry.issue(["A1", "B2"])
    registry.issue(["C3"], lot="L2")
    registry.issue(["Z1"], product_id=registry.other_product)
    registry.issue(["D4", "E5", "F6"])
    assert issuance.request(1) == RequestRecord(
        id=1,
        product_id=registry.product,
        lot_id=registry.lot,
        gtin=GTIN,
        lot="L1",
        count=2,
        seq_from=1,
        seq_to=2,
        commissioned=False,
        requested_by="line-1",
        created_at=CREATED,
        issued_through=2,
    )
    assert [
        (record.lot, record.seq_from, record.seq_to, record.issued_through)
        for record in map(issuance.request, (2, 3, 4))
        if record is not None
    ] == [("L2", 1, 1, 3), ("L1", 1, 1, 1), ("L1", 3, 5, 6)]
    assert issuance.request(5) is None


def test_an_empty_batch_writes_nothing(registry: Registry) -> None:
    batch = IssuedBatch(registry.product, registry.lot, 1, 1)
    assert registry.uow.issuance.issue(batch, [], redraws()) == 0
    assert registry.uow.connection.execute(select(func.count()).select_from(units)).scalar() == 0


def test_postgresql_counts_the_units_again_after_a_batch_that_grows_them(
    registry: Registry,
) -> None:
    """A batch adding a fifth or more of the units has PostgreSQL's planner count them
    again, so that the units just issued are sought by their key when a line names them
    right away (commissioning), not found by scanning every unit of the product."""
    connection = registry.uow.connection
    if connection.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")

    def counted() -> float:
        return float(
            connection.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'units'::regclass")
            ).scalar_one()
        )

    waited = connection.execute(text("SHOW lock_timeout")).scalar_one()
    registry.issue([f"S{n:05d}" for n in range(5_000)])
    assert counted() == 5_000
    # the moment the count may wait for its lock is the issue's alone
    assert connection.execute(text("SHOW lock_timeout")).scalar_one() == waited
    registry.issue([f"T{n:05d}" for n in range(100)])  # under a fifth: left to autovacuum
    assert counted() == 5_000
    registry.issue([f"U{n:05d}" for n in range(2_000)])
    assert counted() == 7_100
    # what the planner now expects of one product's units: all of them, not a handful
    plan = connection.execute(
        text("EXPLAIN SELECT * FROM units WHERE product_id = :product"),
        {"product": registry.product},
    ).scalars()
    assert " rows=7100 " in next(iter(plan))


def test_a_large_issue_does_not_wait_for_anothers_count(database: Database) -> None:
    """Two large issues at once, of different products: the second does not wait for the
    first to commit to count the units (it leaves the count to autovacuum)."""
    if database.dialect != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    with database.unit_of_work() as uow:
        registry = Registry(uow)
        uow.commit()
    first = database.unit_of_work()
    first_uow = first.__enter__()
    try:
        _registry_in(first_uow, registry).issue([f"A{n:05d}" for n in range(5_000)])
        finished = threading.Event()

        def second_issue() -> None:
            with database.unit_of_work() as uow:
                _registry_in(uow, registry).issue(
                    [f"B{n:05d}" for n in range(5_000)], product_id=registry.other_product
                )
                uow.commit()
            finished.set()

        worker = threading.Thread(target=second_issue)
        worker.start()
        assert finished.wait(timeout=10), "the second issue waited for the first's count"
        worker.join()
    finally:
        first.__exit__(None, None, None)
        worker.join(timeout=10)


def _registry_in(uow: UnitOfWork, registry: Registry) -> Registry:
    """``registry``'s products and lots, worked on in another unit of work."""
    other = object.__new__(Registry)
    other.__dict__.update(registry.__dict__)
    other.uow = uow
    return other
