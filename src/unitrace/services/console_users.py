"""The console's people: made with a password (kept as an argon2 hash), listed, disabled;
signing in (rate-limited, every attempt audited), the sessions that follow, and the token each
session's forms carry against cross-site requests.

A console user acts with one of the API's roles, under the same rules: its
:class:`~unitrace.registry.model.Actor` is ``user:<id>`` with the user's role and party, so a
distributor's user sees what a distributor's token sees, and no more.

>>> normal_email("  Ana@Example.COM ")
'ana@example.com'
>>> csrf_token("a-session") == csrf_token("a-session") != csrf_token("another")
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from unitrace.registry.errors import Conflict, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, Role
from unitrace.store.console_users import UserRecord
from unitrace.store.times import now
from unitrace.store.unit_of_work import UnitOfWork

#: How a console user is named on events and in the audit trail: ``user:<id>``.
ACTOR_PREFIX: Final = "user:"
#: The shortest and longest password taken (NIST SP 800-63B: length, not composition rules).
PASSWORD_MIN: Final = 12
PASSWORD_MAX: Final = 1024
#: Failed sign-ins within :data:`FAILURE_WINDOW` after which an email is refused for a while,
#: and after which an address is (a caller trying many emails).
FAILURES_PER_EMAIL: Final = 5
FAILURES_PER_ADDRESS: Final = 20
FAILURE_WINDOW: Final = dt.timedelta(minutes=15)
#: How long a session lasts at most, and unused.
SESSION_LIFETIME: Final = dt.timedelta(hours=12)
SESSION_IDLE: Final = dt.timedelta(hours=1)
#: How precisely a session's last use is kept (reads do not each become a write).
SEEN_PRECISION: Final = dt.timedelta(minutes=1)

#: What every failed sign-in is told, whatever failed: the email, the password or a disabled
#: user — a caller learns nothing of which addresses have users.
SIGN_IN_FAILED: Final = "the email or password is not right"


class SignInThrottled(Refused):
    """Too many failed sign-ins for this email or from this address; nothing was checked."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SignInFailed(Refused):
    """The email and password name no enabled user."""


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """A user as the console and the command line show it: never the password's hash."""

    id: int
    email: str
    role: str
    party: str | None
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None
    disabled_at: dt.datetime | None

    @classmethod
    def of(cls, record: UserRecord) -> ConsoleUser:
        return cls(
            id=record.id,
            email=record.email,
            role=record.role,
            party=record.party,
            created_at=record.created_at,
            last_sign_in_at=record.last_sign_in_at,
            disabled_at=record.disabled_at,
        )

    @property
    def actor(self) -> Actor:
        return Actor(f"{ACTOR_PREFIX}{self.id}", Role(self.role), self.party)


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A signed-in browser: who, and until when."""

    user: ConsoleUser
    expires_at: dt.datetime
    #: the token the session's forms carry (:func:`csrf_token`)
    csrf: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: ConsoleUser
    #: the session cookie's value, given once: only its hash is kept
    token: str
    expires_at: dt.datetime


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _stand_in_hash() -> str:
    """A hash checked for an email with no user, so that such an attempt costs as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def normal_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    uow: UnitOfWork, *, email: str, password: str, role: str, party: str | None, actor: Actor
) -> ConsoleUser:
    """A new user with ``role`` (a distributor's for ``party``); only the password's hash is
    kept."""
    address = _checked_email(email)
    try:
        chosen = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidRequest(f"role: {role!r} is not one of {roles}") from None
    if chosen is Role.DISTRIBUTOR and party is None:
        raise InvalidRequest("party: a distributor's user must name its party")
    if party is not None and uow.parties.get(party) is None:
        raise NotFound(f"party: {party} is not a registered party")
    _check_password(password)
    if uow.console_users.by_email(address) is not None:
        raise Conflict(f"email: {address} has a user already")
    at = now()
    user_id = uow.console_users.add(
        email=address, password_hash=_hasher().hash(password), role=chosen.value, party=party, at=at
    )
    uow.audit.record(
        actor.name,
        "console_user.created",
        f"{ACTOR_PREFIX}{user_id}",
        {"email": address, "role": chosen.value, "party": party},
    )
    record = uow.console_users.by_id(user_id)
    assert record is not None
    return ConsoleUser.of(record)


def list_users(uow: UnitOfWork) -> list[ConsoleUser]:
    return [ConsoleUser.of(record) for record in uow.console_users.listed()]


def find_user(uow: UnitOfWork, who: str) -> ConsoleUser:
    """The user ``who`` names: an id or an email."""
    text = who.strip()
    record = (
        uow.console_users.by_id(int(text))
        if text.isascii() and text.isdigit() and len(text) <= 10
        else uow.console_users.by_email(normal_email(text))
    )
    if record is None:
        raise NotFound(f"user: {who!r} names no console user (give its id or email)")
    return ConsoleUser.of(record)


def disable_user(uow: UnitOfWork, who: str, *, actor: Actor) -> ConsoleUser:
    """Disable the user ``who`` names, for good, and end its sessions."""
    user = find_user(uow, who)
    if not uow.console_users.disable(user.id, now()):
        raise Conflict(f"user: {user.email} is disabled already")
    ended = uow.console_users.close_sessions_of(user.id)
    uow.audit.record(
        actor.name, "console_user.disabled", f"{ACTOR_PREFIX}{user.id}", {"sessions_ended": ended}
    )
    return find_user(uow, str(user.id))


def set_password(uow: UnitOfWork, who: str, password: str, *, actor: Actor) -> ConsoleUser:
    """Give the user ``who`` names a new password; its sessions end (a password that got out
    is changed to shut out whoever has it)."""
    user = find_user(uow, who)
    _check_password(password)
    uow.console_users.set_password_hash(user.id, _hasher().hash(password))
    ended = uow.console_users.close_sessions_of(user.id)
    uow.audit.record(
        actor.name,
        "console_user.password_set",
        f"{ACTOR_PREFIX}{user.id}",
        {"sessions_ended": ended},
    )
    return user


def sign_in(
    uow: UnitOfWork, *, email: str, password: str, address: str, at: dt.datetime | None = None
) -> SignedIn:
    """A new session for the enabled user with ``email`` and ``password``, asked from
    ``address`` (hashed); every attempt is recorded and audited. Refused with
    :class:`SignInThrottled` (before the password is looked at) after too many failures for the
    email or from the address, else with :class:`SignInFailed`: the caller commits ``uow``
    whether it succeeded or was refused, so that the record of a failure is kept."""
    moment = at or now()
    who = normal_email(email)[:254]
    uow.console_users.take_turn(who, address)
    _refuse_if_throttled(uow, who, address, moment)
    record = uow.console_users.by_email(who)
    good = _password_matches(record.password_hash if record else None, password)
    if record is None or not good or record.disabled_at is not None:
        uow.console_users.record_attempt(email=who, address=address, succeeded=False, at=moment)
        subject = f"{ACTOR_PREFIX}{record.id}" if record else f"email:{who}"
        why = "no user" if record is None else "disabled" if good else "wrong password"
        uow.audit.record(
            "console", "console.sign_in_failed", subject, {"address": address, "why": why}
        )
        raise SignInFailed(SIGN_IN_FAILED)
    if _hasher().check_needs_rehash(record.password_hash):
        uow.console_users.set_password_hash(record.id, _hasher().hash(password))
    token = secrets.token_urlsafe(32)
    expires_at = moment + SESSION_LIFETIME
    uow.console_users.open_session(_hashed(token), record.id, at=moment, expires_at=expires_at)
    uow.console_users.record_attempt(email=who, address=address, succeeded=True, at=moment)
    uow.console_users.signed_in(record.id, moment)
    uow.console_users.close_sessions_ended(moment, idle_since=moment - SESSION_IDLE)
    uow.audit.record(
        f"{ACTOR_PREFIX}{record.id}",
        "console.signed_in",
        f"{ACTOR_PREFIX}{record.id}",
        {"address": address},
    )
    return SignedIn(ConsoleUser.of(record), token, expires_at)


def session_of(
    uow: UnitOfWork, token: str, *, at: dt.datetime | None = None
) -> tuple[ConsoleSession | None, bool]:
    """The live session the cookie ``token`` opens (None: unknown, ended, idle too long or its
    user disabled), and whether its use is due to be recorded (:func:`record_seen`)."""
    if not token or len(token) > 128:
        return None, False
    moment = at or now()
    found = uow.console_users.session(_hashed(token))
    if (
        found is None
        or found.user.disabled_at is not None
        or found.expires_at <= moment
        or moment - found.last_seen_at >= SESSION_IDLE
    ):
        return None, False
    session = ConsoleSession(ConsoleUser.of(found.user), found.expires_at, csrf_token(token))
    return session, moment - found.last_seen_at >= SEEN_PRECISION


def record_seen(uow: UnitOfWork, token: str, *, at: dt.datetime | None = None) -> None:
    uow.console_users.seen(_hashed(token), at or now())


def sign_out(uow: UnitOfWork, token: str) -> None:
    """End the session ``token`` opens, if any."""
    found = uow.console_users.session(_hashed(token))
    uow.console_users.close_session(_hashed(token))
    if found is not None:
        subject = f"{ACTOR_PREFIX}{found.user.id}"
        uow.audit.record(subject, "console.signed_out", subject, {})


def csrf_token(session_token: str) -> str:
    """The token a session's forms carry: derived from the session's secret cookie, so a page
    of another site, which cannot read the cookie, cannot make it."""
    return hmac.new(session_token.encode(), b"unitrace console form", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(csrf_token(session_token), sent)


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_matches(stored: str | None, password: str) -> bool:
    if len(password) > PASSWORD_MAX:
        return False
    try:
        return _hasher().verify(stored or _stand_in_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _refuse_if_throttled(uow: UnitOfWork, email: str, address: str, at: dt.datetime) -> None:
    window_start = at - FAILURE_WINDOW
    last_success = uow.console_users.last_success(email)
    since = max(window_start, last_success) if last_success else window_start
    for count, earliest, limit in (
        (*uow.console_users.failures_since(since, email=email), FAILURES_PER_EMAIL),
        (*uow.console_users.failures_since(window_start, address=address), FAILURES_PER_ADDRESS),
    ):
        if count >= limit and earliest is not None:
            wait = max(1, math.ceil((earliest + FAILURE_WINDOW - at).total_seconds()))
            uow.audit.record(
                "console", "console.sign_in_throttled", f"email:{email}", {"address": address}
            )
            minutes = -(-wait // 60)
            raise SignInThrottled(
                f"too many failed sign-ins: try again in {minutes} minute"
                + ("s" if minutes != 1 else ""),
                wait,
            )


def _checked_email(email: str) -> str:
    address = normal_email(email)
    local, at_sign, domain = address.rpartition("@")
    if (
        not at_sign
        or not local
        or "." not in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or len(address) > 254
        or any(c.isspace() or ord(c) < 32 for c in address)
    ):
        raise InvalidRequest(f"email: {email!r} is not an email address")
    return address


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise InvalidRequest(f"password: at least {PASSWORD_MIN} characters, please")
    if len(password) > PASSWORD_MAX:
        raise InvalidRequest(f"password: at most {PASSWORD_MAX} characters")
