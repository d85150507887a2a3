"""Alerts raised by the detectors (clone, grey market, counterfeit probe, guessing, lifecycle),
and their workflow: new → investigating → closed with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from unitrace.api.dependencies import Reader, RowId, Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.registry.model import Actor
from unitrace.services import alert_workflow

router = APIRouter(prefix="/api/alerts", tags=["alerts"], route_class=StrictJsonRoute)
Caller = Annotated[Actor, Depends(caller)]


class AlertOut(BaseModel):
    id: int
    type: str
    status: str
    code: str | None
    gtin: str | None
    serial: str | None
    lot: str | None
    party: str | None
    details: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_reason: str | None

    @classmethod
    def of(cls, alert: Any) -> AlertOut:
        return cls(
            id=alert.id,
            type=str(alert.type),
            status=str(alert.status),
            code=alert.code,
            gtin=alert.gtin,
            serial=alert.serial,
            lot=alert.lot,
            party=alert.party,
            details=dict(alert.details),
            created_at=alert.created_at,
            updated_at=alert.updated_at,
            closed_reason=alert.closed_reason,
        )


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
