"""Whether what a live subscription leans on still stands: the token that opened it (neither
revoked nor gone) and the named query it follows (not deleted). Asked for many at once, so
that the sockets of a worker cost one read of each table however many there are."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from unitrace.store.schema import api_tokens, epcis_queries


def live_tokens(connection: Connection, token_ids: Iterable[int]) -> frozenset[int]:
    """Those of ``token_ids`` that exist and are not revoked."""
    wanted = sorted(set(token_ids))
    if not wanted:
        return frozenset()
    rows = connection.execute(
        select(api_tokens.c.id).where(
            api_tokens.c.id.in_(wanted), api_tokens.c.revoked_at.is_(None)
        )
    ).scalars()
    return frozenset(int(pk) for pk in rows)


def existing_queries(connection: Connection, query_ids: Iterable[int]) -> frozenset[int]:
    """Those of ``query_ids`` whose named query is still there."""
    wanted = sorted(set(query_ids))
    if not wanted:
        return frozenset()
    rows = connection.execute(
        select(epcis_queries.c.id).where(epcis_queries.c.id.in_(wanted))
    ).scalars()
    return frozenset(int(pk) for pk in rows)
