"""Whose the things a token makes over EPCIS are: named queries with their subscriptions, and
capture jobs.

They belong to the party of the token that made them. The brand's own tokens (``admin`` and
``line``, whatever party one is bound to) make them for the brand, which is one owner; a
``distributor`` token for its party. A ``verifier`` token owns none, so it neither makes nor
reads any. Each owner has its own query names, so one owner's names say nothing of another's.

>>> owner_of(Actor("token:1", Role.LINE, "brand-plant"), "named queries")
Owner(party_id=None)
>>> owner_of(Actor("token:2", Role.DISTRIBUTOR, "dist-a"), "named queries").label
'party:dist-a'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from unitrace.registry.errors import Forbidden
from unitrace.registry.model import Actor, Role

#: The roles that act for the brand itself.
BRAND_ROLES: Final = frozenset({Role.ADMIN, Role.LINE})


@dataclass(frozen=True, slots=True)
class Owner:
    """The brand (``party_id`` None) or a distributor's party."""

    party_id: str | None

    @property
    def label(self) -> str:
        """How the audit trail names the owner (a party id holds no ``:``)."""
        return "brand" if self.party_id is None else f"party:{self.party_id}"


BRAND: Final = Owner(None)


def owner_of(actor: Actor, things: str) -> Owner:
    """Whose ``things`` ``actor`` makes and reads; :class:`Forbidden` for a token that owns
    none (a verifier, or a distributor bound to no party)."""
    if actor.role in BRAND_ROLES:
        return BRAND
    if actor.role is Role.DISTRIBUTOR and actor.party_id is not None:
        return Owner(actor.party_id)
    if actor.role is Role.DISTRIBUTOR:
        raise Forbidden(f"distributor {actor.name} is bound to no party, so has no {things}")
    raise Forbidden(
        f"a {actor.role.value} token has no {things}; they belong to the brand's admin and "
        "line tokens and to each distributor's party"
    )
