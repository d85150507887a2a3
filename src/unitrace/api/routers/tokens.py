"""API tokens, created by an admin for a role and, for distributors, a party, and revoked by
an admin (which suspends the EPCIS subscriptions the token made)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from unitrace.api.dependencies import Admin, RowId, Writer
from unitrace.services.tokens import create_token, live_token_id, revoke_token

router = APIRouter(prefix="/api", tags=["tokens"])


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str
    party: str | None = None
    label: str | None = None


class TokenOut(BaseModel):
    token: str
    # what DELETE /api/tokens/{id} takes
    id: int
    role: str
    party: str | None


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
