"""Dependencies: the unit of work for a request and the caller behind its bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.tokens import TokenUses, bearer
from unitrace.store.unit_of_work import Database, UnitOfWork

#: The largest id a table of unitrace gives out (ids are 32-bit integers on PostgreSQL): a
#: larger number names nothing, and must not reach the database, which would refuse it.
MAX_ID = 2**31 - 1
#: A path parameter naming a row by its id: a number out of that range is a 422, not a fault.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def row_id(text: str) -> int | None:
    """The id ``text`` names, if it is one (ASCII digits, within :data:`MAX_ID`).

    >>> row_id("42"), row_id("2147483648"), row_id("²"), row_id("-1"), row_id("٣")
    (42, None, None, None, None)
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


_bearer = HTTPBearer(auto_error=False, description="An API token from `unitrace tokens create`.")


# The two below only read the application's state: async, so that FastAPI runs them on the
# event loop instead of handing each to a worker thread.
async def database(request: Request) -> Database:
    found: Database = request.app.state.database
    return found


async def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def unit_of_work(db: Annotated[Database, Depends(database)]) -> Iterator[UnitOfWork]:
    """A writing unit of work; the route commits it once the service has succeeded."""
    with db.unit_of_work() as uow:
        yield uow


def reading_unit_of_work(db: Annotated[Database, Depends(database)]) -> Iterator[UnitOfWork]:
    with db.unit_of_work(read_only=True) as uow:
        yield uow


def caller(
    request: Request,
    db: Annotated[Database, Depends(database)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "this route needs an 'Authorization: Bearer <token>' header")
    return actor_of(request, db, credentials.credentials)


async def optional_caller(request: Request) -> Actor | None:
    """The caller of a public route, where a token is welcome but not needed: None without
    an ``Authorization`` header. A header given must be a live bearer token (else 401): a
    token that is unknown or revoked is not taken for no token. The token is looked up on a
    worker thread, off the event loop."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "the Authorization header must be 'Bearer <token>'")
    db: Database = request.app.state.database
    return await anyio.to_thread.run_sync(actor_of, request, db, token.strip())


def actor_of(request: HTTPConnection, db: Database, token: str) -> Actor:
    """The caller behind the bearer ``token`` of ``request`` (or of a WebSocket's handshake);
    an HTTP 401 for an unknown or revoked token."""
    with db.unit_of_work(read_only=True) as uow:
        found = bearer(uow, token)
    if found is None:
        raise HTTPException(401, "the bearer token is unknown or revoked")
    if found.use_to_record is not None:
        uses: TokenUses = request.app.state.token_uses
        uses.record(found.token_id, found.use_to_record)
    return found.actor


def caller_with(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency admitting callers whose token has one of ``roles`` (admin always)."""
    allowed = {Role.ADMIN, *roles}

    def admitted(actor: Annotated[Actor, Depends(caller)]) -> Actor:
        if actor.role not in allowed:
            names = ", ".join(sorted(role.value for role in allowed))
            raise HTTPException(403, f"a {actor.role.value} token may not do this; needs {names}")
        return actor

    return admitted


Admin = Annotated[Actor, Depends(caller_with())]
Writer = Annotated[UnitOfWork, Depends(unit_of_work)]
Reader = Annotated[UnitOfWork, Depends(reading_unit_of_work)]
