"""Serializing: issuing a lot's units their random serials, and handing the codes to the line.

A request for ``count`` serials of a lot draws them from the operating system's CSPRNG in the
product's serial format, gives them the lot's next seqs (1…N per lot), and registers the units
as issued, all in the caller's unit of work. Serials are unique per GTIN for all time (the
units table's key; a serial drawn twice is redrawn), and a request that would let a made-up
serial hit an issued one with probability above 1 in 10,000 is refused with the figure.

Concurrent requests for one GTIN queue on its product row, then its lot row (SQLite lets one
writer in at a time anyway), so that none reads counts another is changing: together they
keep the guess rule and the lot's seqs. The key on (product, serial) keeps them from ever
issuing the same serial.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from unitrace.gs1 import DEFAULT_RESOLVER_BASE, Expiry, Gtin, UnitIdentity
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, LotStatus, Role, SerialFormat
from unitrace.serials import Guessability, draw_serials, exact_probability
from unitrace.services.catalog import MAXIMUM_GUESS_PROBABILITY, parse_gtin
from unitrace.store.issuance import IssuedBatch, RequestRecord
from unitrace.store.unit_of_work import UnitOfWork

#: Serials a single request may ask for, unless the caller configures otherwise.
MAXIMUM_PER_REQUEST = 1_000_000
#: Who may issue serials.
ISSUERS = frozenset({Role.ADMIN, Role.LINE})
#: The fields of a code row, in the order a CSV of codes has them.
CODE_COLUMNS = ("seq", "serial", "hri", "element_string", "digital_link")

#: Where serials come from: ``count`` serials of a format. Tests give a seeded one.
SerialDraw = Callable[[SerialFormat, int], Sequence[str]]


@dataclass(frozen=True, slots=True)
class SerialRequest:
    """A request for serials, as issued: units ``seq_from`` … ``seq_to`` of a lot."""

    id: int
    gtin: Gtin
    lot: str
    count: int
    seq_from: int
    seq_to: int
    commissioned: bool
    #: issued ÷ possible for the GTIN once this request was issued
    guess_probability: float
    #: how many serials the product's format can express
    possible: int
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """One issued unit of a request: its seq in the lot, and its identity as printed."""

    seq: int
    serial: str
    identity: UnitIdentity

    def row(self, resolver_base: str = DEFAULT_RESOLVER_BASE) -> dict[str, int | str]:
        """The unit as a row of a JSON or CSV code file, fields as :data:`CODE_COLUMNS`.

        >>> unit = UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261231"))
        >>> IssuedCode(7, "X1", unit).row("https://id.example.com")  # doctest: +NORMALIZE_WHITESPACE
        {'seq': 7, 'serial': 'X1', 'hri': '(01)09506000134352(17)261231(10)ABC(21)X1',
         'element_string': '01095060001343521726123110ABC\\x1d21X1',
         'digital_link': 'https://id.example.com/01/09506000134352/10/ABC/21/X1?17=261231'}
        """
        return {
            "seq": self.seq,
            "serial": self.serial,
            "hri": self.identity.hri(),
            "element_string": self.identity.element_string(),
            "digital_link": self.identity.digital_link(resolver_base),
        }


def code_file(rows: Iterable[Mapping[str, int | str]], file_format: str) -> str:
    """A request's code rows (:meth:`IssuedCode.row`) as the text of a ``csv`` file (header
    first, columns as :data:`CODE_COLUMNS`) or a ``json`` file (a list of objects): the format
    :mod:`unitrace.services.code_files` streams, unit by unit, for a request of any size.

    >>> code_file([{"seq": 1, "serial": "X1"}, {"seq": 2, "serial": "X2"}], "json")
    '[{"seq": 1, "serial": "X1"}, {"seq": 2, "serial": "X2"}]\\n'
    """
    if file_format not in ("csv", "json"):
        raise InvalidRequest(f"format: {file_format!r} is not csv or json")
    if file_format == "json":
        return "[" + ", ".join(json.dumps(dict(row), ensure_ascii=False) for row in rows) + "]\n"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CODE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


def issue_serials(
    uow: UnitOfWork,
    *,
    gtin: str,
    lot: str,
    count: int,
    actor: Actor,
    commission: bool = False,
    maximum_per_request: int = MAXIMUM_PER_REQUEST,
    draw: SerialDraw = draw_serials,
    today: dt.date | None = None,
) -> SerialRequest:
    """Issue ``count`` new units of ``lot``, and commission them at once if asked (the line
    printed them already).

    ``draw`` is where serials come from (the OS CSPRNG unless a test gives another);
    ``today`` decides whether the lot has expired.
    """
    checked = _checked(
        uow, gtin, lot, count, actor, maximum_per_request, today or dt.date.today(), locking=True
    )
    key, product_id, lot_id = checked.gtin, checked.product_id, checked.lot_id
    serial_format = checked.serial_format
    after = checked.after

    with _undone_on_refusal(uow, commission):
        seq_from = uow.lots.count_issued(lot_id, count)
        uow.products.count_issued(product_id, count)
        created_at = dt.datetime.now(dt.UTC)
        request_id = uow.issuance.add_request(
            product_id=product_id,
            lot_id=lot_id,
            count=count,
            seq_from=seq_from,
            commissioned=commission,
            requested_by=actor.name,
            created_at=created_at,
        )
        redrawn = uow.issuance.issue(
            IssuedBatch(product_id, lot_id, request_id, seq_from),
            draw(serial_format, count),
            lambda missing: draw(serial_format, missing),
        )
        seq_to = seq_from + count - 1
        uow.audit.record(
            actor.name,
            "serials.issued",
            f"{key.value}/{lot}",
            {
                "request_id": request_id,
                "count": count,
                "seq_from": seq_from,
                "seq_to": seq_to,
                "redrawn": redrawn,
            },
        )
        if commission:
            # imported only when asked for: lifecycle is written alongside this module, and
            # issuing alone must not depend on it
            from unitrace.services.lifecycle import commission as commission_units

            commission_units(uow, gtin=key, lot=lot, seq_from=seq_from, seq_to=seq_to, actor=actor)
    return SerialRequest(
        id=request_id,
        gtin=key,
        lot=lot,
        count=count,
        seq_from=seq_from,
        seq_to=seq_to,
        commissioned=commission,
        guess_probability=float(after.probability),
        possible=serial_format.possible,
        created_at=created_at,
    )


def check_serial_request(
    uow: UnitOfWork,
    *,
    gtin: str,
    lot: str,
    count: int,
    actor: Actor,
    maximum_per_request: int = MAXIMUM_PER_REQUEST,
    today: dt.date | None = None,
) -> None:
    """Whether :func:`issue_serials` would issue these serials now: refused with the very
    error it would give, and nothing written. For a face that issues later, off its request
    (the console), so that a person learns at once what is wrong with what they asked."""
    _checked(
        uow, gtin, lot, count, actor, maximum_per_request, today or dt.date.today(), locking=False
    )


@dataclass(frozen=True, slots=True)
class _Checked:
    gtin: Gtin
    product_id: int
    lot_id: int
    serial_format: SerialFormat
    after: Guessability


def _checked(
    uow: UnitOfWork,
    gtin: str,
    lot: str,
    count: int,
    actor: Actor,
    maximum_per_request: int,
    today: dt.date,
    *,
    locking: bool,
) -> _Checked:
    """The request checked against every rule of issuing; ``locking`` takes the product's and
    the lot's rows for the writer that issues next."""
    if actor.role not in ISSUERS:
        raise Forbidden(f"role: a {actor.role.value} may not issue serials; needs admin or line")
    key = parse_gtin(gtin)
    if not 1 <= count <= maximum_per_request:
        raise InvalidRequest(
            f"count: {count:,} is not between 1 and the maximum of {maximum_per_request:,} "
            "serials per request"
        )
    # product row, then lot row: every writer takes them in this order, so none deadlocks
    product_id = uow.products.id_of(key, for_update=locking)
    product = uow.products.get(key)
    if product_id is None or product is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    lot_id = uow.lots.id_of(key, lot, for_update=locking)
    registered = uow.lots.get(key, lot)
    if lot_id is None or registered is None:
        raise NotFound(f"lot: {lot} of {key} is not a registered lot")
    if registered.status is not LotStatus.RELEASED:
        status = registered.status.value
        why = f" ({registered.status_reason})" if registered.status_reason else ""
        raise Conflict(
            f"lot: {lot} of {key} is {status}{why}; no serials are issued for a {status} lot"
        )
    if registered.expiry < today:
        raise InvalidRequest(
            f"expiry: lot {lot} of {key} expired on {registered.expiry.isoformat()}; no "
            "serials are issued for an expired lot"
        )
    serial_format = product.serial_format
    before = Guessability(product.issued, serial_format.possible)
    after = before.after(count)
    if not after.within(MAXIMUM_GUESS_PROBABILITY):
        raise InvalidRequest(_too_guessable(key, count, before, after))
    return _Checked(key, product_id, lot_id, serial_format, after)


def get_request(uow: UnitOfWork, request_id: int) -> SerialRequest:
    """The request as it was issued, its guess probability as it stood just after."""
    record = _record(uow, request_id)
    product = uow.products.get(record.gtin)
    assert product is not None, "a serial request's product is never deleted"
    possible = product.serial_format.possible
    return SerialRequest(
        id=record.id,
        gtin=record.gtin,
        lot=record.lot,
        count=record.count,
        seq_from=record.seq_from,
        seq_to=record.seq_to,
        commissioned=record.commissioned,
        guess_probability=float(Guessability(record.issued_through, possible).probability),
        possible=possible,
        created_at=record.created_at,
    )


def request_codes(uow: UnitOfWork, request_id: int) -> Generator[IssuedCode, None, None]:
    """The request's units in seq order, each with the lot and expiry printed beside its
    serial. An unknown request is refused at once; the codes then stream from the database
    while the unit of work is open.

    Close the generator (``contextlib.closing``) when stopping before its end: it holds a
    cursor, which must be closed inside the unit of work, not whenever it is collected.
    """
    record = _record(uow, request_id)
    registered = uow.lots.get(record.gtin, record.lot)
    assert registered is not None, "a serial request's lot is never deleted"
    return _codes(uow, record, Expiry.from_date(registered.expiry))


def _codes(
    uow: UnitOfWork, record: RequestRecord, expiry: Expiry
) -> Generator[IssuedCode, None, None]:
    for seq, serial in uow.issuance.codes(record.lot_id, record.seq_from, record.seq_to):
        yield IssuedCode(seq, serial, UnitIdentity(record.gtin, serial, record.lot, expiry))


def _record(uow: UnitOfWork, request_id: int) -> RequestRecord:
    record = uow.issuance.request(request_id)
    if record is None:
        raise NotFound(f"request: serial request {request_id} does not exist")
    return record


def _too_guessable(gtin: Gtin, count: int, before: Guessability, after: Guessability) -> str:
    limit = exact_probability(MAXIMUM_GUESS_PROBABILITY)
    room = before.room(limit)
    outcome = (
        f"make 1 in {after.one_in:,} serials of {gtin} guessable"
        if after.issued <= after.possible
        else f"take more serials of {gtin} than the {after.possible:,} its format can express"
    )
    still = f"at most {room:,} more can be issued" if room else "no more can be issued"
    return (
        f"count: issuing {count:,} more would {outcome}, above the limit of "
        f"1 in {limit.denominator // limit.numerator:,}; {still}"
    )


def _undone_on_refusal(uow: UnitOfWork, commission: bool) -> AbstractContextManager[object]:
    """A savepoint when commissioning follows: lifecycle may still refuse then, and a refusal
    must leave no units issued even if the caller commits. Issuing alone refuses nothing once
    it starts writing."""
    return uow.connection.begin_nested() if commission else nullcontext()
