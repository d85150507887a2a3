"""API tokens: created once and shown once, stored as hashes, resolved to an :class:`Actor`;
listed without their secret, with when each was last used; revoked for good, which also ends
the EPCIS subscriptions a token made."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import queue
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.store.epcis_query import EpcisQueries
from unitrace.store.times import utc
from unitrace.store.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

TOKEN_PREFIX = "ut_"
#: How an actor authenticated by a token is named: ``token:<id>``.
ACTOR_PREFIX = "token:"
#: How precisely a token's last use is kept: a use is written only when the one recorded is
#: older than this, so that authenticated reads do not each become a write (SQLite has one
#: writer at a time).
LAST_USE_PRECISION = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What unitrace keeps of a token and shows: never its secret nor its hash."""

    id: int
    role: str
    party: str | None
    label: str | None
    created_at: dt.datetime
    #: to within :data:`LAST_USE_PRECISION`; None for a token never used
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> TokenRecord:
        return cls(
            id=int(row.id),
            role=row.role,
            party=row.party_id,
            label=row.label,
            created_at=utc(row.created_at),
            last_used_at=None if row.last_used_at is None else utc(row.last_used_at),
            revoked_at=None if row.revoked_at is None else utc(row.revoked_at),
        )


@dataclass(frozen=True, slots=True)
class Bearer:
    """The caller behind a live token."""

    actor: Actor
    token_id: int
    #: when this use is to be recorded as the token's last (see :func:`record_use`); None
    #: where a use within :data:`LAST_USE_PRECISION` is recorded already
    use_to_record: dt.datetime | None


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is as safe as a slow password hash here.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    uow: UnitOfWork, *, role: str, actor: Actor, party: str | None = None, label: str | None = None
) -> str:
    """A new token for ``role`` (bound to ``party`` for a distributor); only its hash is kept."""
    try:
        chosen = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidRequest(f"role: {role!r} is not one of {roles}") from None
    if chosen is Role.DISTRIBUTOR and party is None:
        raise InvalidRequest("party: a distributor token must name its party")
    if party is not None and uow.parties.get(party) is None:
        raise NotFound(f"party: {party} is not a registered party")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = uow.tokens.add(hash_token(token), chosen.value, party, label)
    uow.audit.record(actor.name, "token.created", f"token:{token_id}", {"role": chosen.value})
    return token


def authenticate(uow: UnitOfWork, token: str) -> Actor | None:
    """The actor a bearer token stands for, or None for an unknown or revoked token."""
    found = bearer(uow, token)
    return None if found is None else found.actor


def bearer(uow: UnitOfWork, token: str, *, at: dt.datetime | None = None) -> Bearer | None:
    """The caller behind ``token`` (None for an unknown or revoked one), and whether its use
    at ``at`` (now) is due to be recorded, judged from the same read."""
    row = uow.tokens.find(hash_token(token))
    if row is None:
        return None
    now = at or dt.datetime.now(dt.UTC)
    last = None if row.last_used_at is None else utc(row.last_used_at)
    due = last is None or now - last >= LAST_USE_PRECISION
    actor = Actor(f"{ACTOR_PREFIX}{row.id}", Role(row.role), row.party_id)
    return Bearer(actor, int(row.id), now if due else None)


def record_use(database: Database, token_id: int, at: dt.datetime) -> None:
    """Record ``at`` as the last use of token ``token_id``, in a transaction of its own; once
    only, if several requests or workers find it due at once. Best effort: a use that cannot
    be written (the database away) is logged and left to a later one."""
    try:
        with database.unit_of_work() as uow:
            uow.tokens.record_use(token_id, at, unless_after=at - LAST_USE_PRECISION)
            uow.commit()
    except SQLAlchemyError as error:
        log.warning("the last use of token %s was not recorded: %s", token_id, error)


class TokenUses:
    """Writes the tokens' last uses on a thread of its own, never on a request's: a request
    hands over a use found due and goes on (it may itself hold the write lock the use
    waits for, until it is answered). A token with a use waiting is not queued again, so a
    burst of requests makes one write. The thread is a daemon and ends when it has had
    nothing to write for a while: a use still queued when the process stops is left to a
    later one."""

    #: How long the writer thread waits for more work before it ends.
    IDLE = 5.0

    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: queue.Queue[tuple[int, dt.datetime]] = queue.Queue()
        self._waiting: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, token_id: int, at: dt.datetime) -> None:
        with self._lock:
            if token_id in self._waiting:
                return
            self._waiting.add(token_id)
            self._queue.put((token_id, at))
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="token-uses", daemon=True)
                self._thread.start()

    def settle(self) -> None:
        """Wait until every use handed over is written."""
        self._queue.join()

    def _write(self) -> None:
        while True:
            try:
                token_id, at = self._queue.get(timeout=self.IDLE)
            except queue.Empty:
                with self._lock:
                    # uses are queued under the lock: none can slip in between
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                record_use(self._database, token_id, at)
            except Exception:
                # whatever went wrong, the thread stays to write the uses to come
                log.exception("the last use of token %s was not recorded", token_id)
            finally:
                with self._lock:
                    self._waiting.discard(token_id)
                self._queue.task_done()


def list_tokens(uow: UnitOfWork) -> list[TokenRecord]:
    """Every token, live or revoked, oldest first."""
    return [TokenRecord.of(row) for row in uow.tokens.listed()]


def token_id_of(actor: Actor) -> int | None:
    """The id of the token ``actor`` authenticated with (None for the command line and
    other actors that hold no token)."""
    number = actor.name.removeprefix(ACTOR_PREFIX)
    return int(number) if number != actor.name and number.isdigit() else None


def live_token_id(uow: UnitOfWork, token: str) -> int:
    """The id of the live token ``token``; :class:`NotFound` for an unknown or revoked one."""
    row = uow.tokens.find(hash_token(token))
    if row is None:
        raise NotFound("token: not a live token (unknown, or revoked already)")
    return int(row.id)


def revoke_token(
    uow: UnitOfWork, token_id: int, *, actor: Actor, at: dt.datetime | None = None
) -> None:
    """Revoke the token ``token_id`` for good; the EPCIS subscriptions it made are suspended
    with the reason, since they would otherwise deliver what the token may no longer see."""
    now = at or dt.datetime.now(dt.UTC)
    if not uow.tokens.revoke(token_id, now):
        raise NotFound(f"token: {token_id} is not a live token (unknown, or revoked already)")
    suspended = EpcisQueries(uow.connection).suspend_created_by(
        token_id, reason=revocation_reason(token_id, now)
    )
    uow.audit.record(
        actor.name,
        "token.revoked",
        f"{ACTOR_PREFIX}{token_id}",
        {"subscriptions_suspended": suspended},
    )


def revocation_reason(token_id: int, at: dt.datetime) -> str:
    """Why a subscription made by the revoked token ``token_id`` is no longer delivered."""
    when = at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return f"the token that made it ({ACTOR_PREFIX}{token_id}) was revoked at {when}"
