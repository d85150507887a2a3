"""API tokens, created by an admin for a role and, for distributors, a party, listed (never
with their secret) and revoked by an admin (which suspends the EPCIS subscriptions the token
made)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from unitrace.api.answers import TokenListed, TokenOut
from unitrace.api.dependencies import Admin, Reader, RowId, Writer
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.services.tokens import create_token, list_tokens, live_token_id, revoke_token

router = APIRouter(prefix="/api", tags=["tokens"], route_class=StrictJsonRoute)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str
    party: str | None = None
    label: str | None = None


@router.get("/tokens", response_model=list[TokenListed])
def tokens(_: Admin, uow: Reader) -> list[TokenListed]:
    """Every token, live or revoked, oldest first: who it is for and when it was last used,
    never its secret."""
    return [TokenListed.model_validate(record) for record in list_tokens(uow)]


@router.post("/tokens", status_code=201, response_model=TokenOut)
def new_token(body: TokenIn, actor: Admin, uow: Writer) -> TokenOut:
    token = create_token(uow, role=body.role, party=body.party, label=body.label, actor=actor)
    token_id = live_token_id(uow, token)
    uow.commit()
    return TokenOut(token=token, id=token_id, role=body.role, party=body.party)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke(token_id: RowId, actor: Admin, uow: Writer) -> Response:
    """Revoke a token for good; the EPCIS subscriptions it made are suspended, the reason
    shown in each one's ``suspendedReason``."""
    revoke_token(uow, token_id, actor=actor)
    uow.commit()
    return Response(status_code=204)
