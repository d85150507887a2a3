"""API tokens: created once and shown once, stored as hashes, resolved to an :class:`Actor`;
revoked for good, which also ends the EPCIS subscriptions a token made."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.store.epcis_query import EpcisQueries
from unitrace.store.unit_of_work import UnitOfWork

TOKEN_PREFIX = "ut_"
#: How an actor authenticated by a token is named: ``token:<id>``.
ACTOR_PREFIX = "token:"


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
    row = uow.tokens.find(hash_token(token))
    if row is None:
        return None
    return Actor(f"{ACTOR_PREFIX}{row.id}", Role(row.role), row.party_id)


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
