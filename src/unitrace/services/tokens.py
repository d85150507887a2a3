"""API tokens: created once and shown once, stored as hashes, resolved to an :class:`Actor`."""

from __future__ import annotations

import hashlib
import secrets

from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.store.unit_of_work import UnitOfWork

TOKEN_PREFIX = "ut_"


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
    return Actor(f"token:{row.id}", Role(row.role), row.party_id)
