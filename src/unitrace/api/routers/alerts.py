"""Alerts raised by the detectors (clone, grey market, counterfeit probe, guessing, lifecycle),
and their workflow: new → investigating → closed with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from unitrace.api.answers import AlertOut
from unitrace.api.dependencies import Reader, RowId, Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.registry.model import Actor
from unitrace.services import alert_workflow

router = APIRouter(prefix="/api/alerts", tags=["alerts"], route_class=StrictJsonRoute)
Caller = Annotated[Actor, Depends(caller)]


class AlertChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str
    reason: str | None = None


@router.get("", response_model=list[AlertOut])
def alerts(
    actor: Caller,
    uow: Reader,
    type: Annotated[str | None, Query(description="clone, grey_market, …")] = None,
    status: Annotated[str | None, Query(description="new, investigating or closed")] = None,
    gtin: str | None = None,
    party: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[AlertOut]:
    found = alert_workflow.list_alerts(
        uow, actor=actor, type=type, status=status, gtin=gtin, party=party, since=since, until=until
    )
    return [AlertOut.of(alert) for alert in found]


@router.get("/{alert_id}", response_model=AlertOut)
def alert(alert_id: RowId, actor: Caller, uow: Reader) -> AlertOut:
    return AlertOut.of(alert_workflow.get_alert(uow, alert_id, actor))


@router.post("/{alert_id}", response_model=AlertOut)
def change_alert(alert_id: RowId, body: AlertChange, actor: Caller, uow: Writer) -> AlertOut:
    """Move an alert on: new → investigating → closed (closing needs a reason)."""
    changed = alert_workflow.update_alert(
        uow, alert_id, status=body.status, reason=body.reason, actor=actor
    )
    uow.commit()
    return AlertOut.of(changed)
