"""The pharmacist's flow (EU FMD "verify" and "dispense"): a pack in hand checked as any scan
is, by a party's token, and decommissioned to supplied only when it is genuine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Final

from unitrace.places import UNKNOWN_PLACE, Place
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.registry.errors import Conflict, Forbidden, Refused
from unitrace.registry.model import Actor, Role, UnitState
from unitrace.services.lifecycle import change_state
from unitrace.services.verification.alerts import ScanSeen, UnitNamed, raise_alerts
from unitrace.services.verification.answer import VerificationResult
from unitrace.services.verification.findings import AlertType, Findings, Verdict
from unitrace.services.verification.scan_input import CLIENT_MAX, clean_text, scan_time_of
from unitrace.services.verification.verdict import verify_code
from unitrace.store.unit_of_work import UnitOfWork

_PACK_VERIFIERS: Final = frozenset({Role.ADMIN, Role.DISTRIBUTOR, Role.VERIFIER})
_DISPENSERS: Final = frozenset({Role.ADMIN, Role.DISTRIBUTOR})


@dataclass(frozen=True, slots=True)
class Dispensing(VerificationResult):
    """What came of dispensing a pack: its verification (always logged; a face may answer it
    as any scan), and whether it was decommissioned to supplied. When it was not, ``refused``
    says why and the reasons end with ``not_dispensed``; alerts it raised are in ``alerts``.
    The face commits the unit of work either way, so that the scan and the alert are kept."""

    dispensed: bool = False
    event_id: str | None = None
    refused: Refused | None = None


def verify_pack(
    uow: UnitOfWork,
    *,
    gtin: str,
    serial: str,
    lot: str | None,
    expiry: dt.date | None,
    actor: Actor,
    place: Place | None = None,
    at: dt.datetime | None = None,
    rules: DetectionRules | None = None,
) -> VerificationResult:
    """A pharmacist's or partner's check of a pack in hand (EU FMD "verify"): the same verdict
    as a consumer's scan, logged with the actor as client."""
    _may(actor, _PACK_VERIFIERS, "verify packs")
    return verify_code(
        uow,
        _pack_code(gtin, serial, lot, expiry),
        place or UNKNOWN_PLACE,
        _actor_client(actor),
        "unitrace pack verification",
        scan_time_of(at),
        rules or DEFAULT_RULES,
    )


def dispense_pack(
    uow: UnitOfWork,
    *,
    gtin: str,
    serial: str,
    lot: str | None,
    expiry: dt.date | None,
    actor: Actor,
    place: Place | None = None,
    at: dt.datetime | None = None,
    rules: DetectionRules | None = None,
) -> Dispensing:
    """Verify a pack and decommission it to supplied (EU FMD "dispense"), on the state rules
    of :func:`unitrace.services.lifecycle.change_state`. A pack that is not genuine (or merely
    suspicious) is not dispensed; one dispensed already adds ``decommissioned_twice`` to its
    lifecycle alert; a batch or expiry that is not the unit's raises a counterfeit probe."""
    _may(actor, _DISPENSERS, "dispense packs")
    when = scan_time_of(at)
    chosen = rules or DEFAULT_RULES
    result = verify_pack(
        uow,
        gtin=gtin,
        serial=serial,
        lot=lot,
        expiry=expiry,
        actor=actor,
        place=place,
        at=when,
        rules=chosen,
    )
    if result.verdict not in (Verdict.GENUINE, Verdict.SUSPICIOUS):
        alerts = result.alerts
        decommissioned = {state.value for state in UnitState if state.is_decommissioned}
        if decommissioned & set(result.reasons) and result.product is not None:
            findings = Findings()
            findings.add("decommissioned_twice", AlertType.LIFECYCLE, dispensed_again_by=actor.name)
            alerts = raise_alerts(
                uow,
                ScanSeen(
                    scan_id=result.scan_id,
                    verdict=result.verdict,
                    findings=findings,
                    place=result.place,
                    client=_actor_client(actor),
                    at=when,
                    rules=chosen,
                ),
                UnitNamed(
                    gtin=result.product.gtin,
                    serial=result.product.serial,
                    lot=result.product.lot,
                ),
            )
            result = _with_alerts(result, alerts, "decommissioned_twice")
        refused = Conflict(
            f"unit (01){gtin}(21){serial} is not dispensed: verification says {result.verdict} "
            f"({', '.join(result.reasons)})"
        )
        return _dispensing(result, None, refused)
    try:
        event = change_state(
            uow, codes=[f"(01){gtin}(21){serial}"], to=UnitState.SUPPLIED, actor=actor, at=when
        )
    except Refused as refusal:
        return _dispensing(result, None, refusal)
    return _dispensing(result, event.event_id, None)


def _dispensing(
    result: VerificationResult, event_id: str | None, refused: Refused | None
) -> Dispensing:
    answer = {part.name: getattr(result, part.name) for part in fields(result)}
    if refused is not None:
        answer["reasons"] = (*result.reasons, "not_dispensed")
    return Dispensing(**answer, dispensed=refused is None, event_id=event_id, refused=refused)


def _with_alerts(
    result: VerificationResult, alerts: Iterable[int], reason: str
) -> VerificationResult:
    merged = tuple(dict.fromkeys([*result.alerts, *alerts]))
    return replace(result, alerts=merged, reasons=(*result.reasons, reason))


def _may(actor: Actor, roles: frozenset[Role], what: str) -> None:
    if actor.role not in roles:
        names = ", ".join(sorted(role.value for role in roles))
        raise Forbidden(f"a {actor.role.value} may not {what}; needs {names}")
    if actor.role is Role.DISTRIBUTOR and actor.party_id is None:
        raise Forbidden(f"distributor {actor.name} is bound to no party")


def _actor_client(actor: Actor) -> str:
    return (
        clean_text(
            f"party:{actor.party_id}" if actor.party_id else f"user:{actor.name}", CLIENT_MAX
        )
        or "user"
    )


def _pack_code(gtin: str, serial: str, lot: str | None, expiry: dt.date | None) -> str:
    """The pack's identifiers as a ``(01)…(17)…(10)…(21)…`` string, for the parser to check
    like any scanned code."""
    parts = [f"(01){gtin}"]
    if expiry is not None:
        parts.append(f"(17){expiry:%y%m%d}")
    if lot is not None:
        parts.append(f"(10){lot}")
    parts.append(f"(21){serial}")
    return "".join(parts)
