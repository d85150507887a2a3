"""API tokens, created by an admin for a role and, for distributors, a party."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from unitrace.api.dependencies import Admin, Writer
from unitrace.services.tokens import create_token

router = APIRouter(prefix="/api", tags=["tokens"])


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str
    party: str | None = None
    label: str | None = None


class TokenOut(BaseModel):
    token: str
    role: str
    party: str | None


@router.post("/tokens", status_code=201, response_model=TokenOut)
def new_token(body: TokenIn, actor: Admin, uow: Writer) -> TokenOut:
    token = create_token(uow, role=body.role, party=body.party, label=body.label, actor=actor)
    uow.commit()
    return TokenOut(token=token, role=body.role, party=body.party)
