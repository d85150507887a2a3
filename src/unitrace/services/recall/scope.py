"""What a recall covers: the request's lots, unit codes and component lots, each traced
forward (:mod:`unitrace.services.trace`) to every unit it reaches through containers and the
genealogy, gathered into one set of units.

- a **lot** must be a registered lot of ours; it reaches its units and whatever was made from
  them, and is itself marked recalled;
- a **unit code** is any spelling trace reads (a Digital Link, an element string or HRI, an
  EPC URI); a case's or pallet's code reaches what it holds;
- a **component lot** is any lot an event names, ours or a supplier's raw material: it reaches
  every finished unit made from it, at any depth of the genealogy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unitrace.gs1 import ElementString, InvalidCode
from unitrace.gs1.epc.pure_identity import epc_class_uri
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.forward import reached_units
from unitrace.services.trace.subjects import Subject, find_subject
from unitrace.store.reached_units import ReachedSet, ReachedUnits
from unitrace.store.unit_of_work import UnitOfWork

#: The parts of a scope, as the request names them.
PARTS = ("lots", "units", "component_lots")
#: The most entries a scope may list, all parts together.
MOST_ENTRIES = 1_000
#: Who traces the scope: the brand sees every unit.
_TRACER = Actor("recall-scope", Role.ADMIN)


@dataclass(frozen=True, slots=True)
class LotKey:
    gtin: str
    lot: str


@dataclass(frozen=True, slots=True)
class Scope:
    """A recall's scope as asked, in its own words."""

    lots: tuple[LotKey, ...] = ()
    units: tuple[str, ...] = ()
    component_lots: tuple[LotKey, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.lots or self.units or self.component_lots)

    def as_json(self) -> dict[str, Any]:
        return {
            "lots": [{"gtin": key.gtin, "lot": key.lot} for key in self.lots],
            "units": list(self.units),
            "component_lots": [{"gtin": key.gtin, "lot": key.lot} for key in self.component_lots],
        }


@dataclass(frozen=True, slots=True)
class ScopeReach:
    """The units a scope reaches, and the registered lots it names (to be marked recalled)."""

    units: ReachedUnits
    lot_ids: tuple[int, ...]


def read_scope(value: object) -> Scope:
    """A scope from a request's JSON: :class:`InvalidRequest` naming the field at fault."""
    if not isinstance(value, Mapping):
        raise InvalidRequest("scope: must be an object with lots, units or component_lots")
    unknown = sorted(set(value) - set(PARTS))
    if unknown:
        raise InvalidRequest(f"scope.{unknown[0]}: not a part of a scope ({', '.join(PARTS)})")
    lots = _lot_keys(value.get("lots"), "scope.lots")
    codes = _codes(value.get("units"), "scope.units")
    components = _lot_keys(value.get("component_lots"), "scope.component_lots")
    scope = Scope(lots, codes, components)
    if scope.empty:
        raise InvalidRequest("scope: names no lot, unit or component lot")
    if len(lots) + len(codes) + len(components) > MOST_ENTRIES:
        raise InvalidRequest(f"scope: lists more than {MOST_ENTRIES} entries")
    return scope


def reach(uow: UnitOfWork, context: Context, scope: Scope) -> ScopeReach:
    """Every unit ``scope`` reaches, as one set; :class:`NotFound` naming an entry unitrace
    does not know."""
    lot_ids: list[int] = []
    reached: list[ReachedSet] = []
    for index, key in enumerate(scope.lots):
        subject = _subject(uow, context, f"scope.lots[{index}]", gtin=key.gtin, lot=key.lot)
        if subject.lot_id is None:
            raise NotFound(f"scope.lots[{index}]: lot {key.lot} of {key.gtin} is not registered")
        lot_ids.append(subject.lot_id)
        reached.append(reached_units(uow, context, subject, _TRACER)[1].reached)
    for index, code in enumerate(scope.units):
        subject = _subject(uow, context, f"scope.units[{index}]", code=code)
        if subject.kind == "lot":
            raise InvalidRequest(
                f"scope.units[{index}]: {code} names a lot; give it under lots or component_lots"
            )
        reached.append(reached_units(uow, context, subject, _TRACER)[1].reached)
    for index, key in enumerate(scope.component_lots):
        subject = _component_lot(uow, context, f"scope.component_lots[{index}]", key)
        reached.append(reached_units(uow, context, subject, _TRACER)[1].reached)
    together = ReachedSet(
        lot_ids=_merged(found.lot_ids for found in reached),
        container_ids=_merged(found.container_ids for found in reached),
        unit_keys=_merged(found.unit_keys for found in reached),
    )
    return ScopeReach(ReachedUnits(uow.connection, together), tuple(sorted(set(lot_ids))))


def _subject(
    uow: UnitOfWork,
    context: Context,
    field: str,
    *,
    code: str | None = None,
    gtin: str | None = None,
    lot: str | None = None,
) -> Subject:
    try:
        return find_subject(uow, context, code=code, gtin=gtin, lot=lot, actor=_TRACER)
    except InvalidRequest as error:
        raise InvalidRequest(f"{field}: {_without_field(str(error))}") from None
    except NotFound as error:
        raise NotFound(f"{field}: {_without_field(str(error))}") from None


def _component_lot(uow: UnitOfWork, context: Context, field: str, key: LotKey) -> Subject:
    """A component lot, ours or a supplier's: a supplier's events name its lot by its LGTIN
    class, whose company prefix unitrace does not know, so each possible length is tried."""
    try:
        return _subject(uow, context, field, gtin=key.gtin, lot=key.lot)
    except NotFound:
        elements = (ElementString("01", key.gtin), ElementString("10", key.lot))
        for length in range(6, 13):
            try:
                name = epc_class_uri(elements, length)
                return find_subject(uow, context, code=name, actor=_TRACER)
            except (NotFound, InvalidRequest, InvalidCode):
                continue
        raise


def _without_field(message: str) -> str:
    for field in ("code: ", "gtin: ", "lot: "):
        if message.startswith(field):
            return message[len(field) :]
    return message


def _merged(parts: Any) -> tuple[Any, ...]:
    found: set[Any] = set()
    for part in parts:
        found.update(part)
    return tuple(sorted(found))


def _lot_keys(value: object, field: str) -> tuple[LotKey, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidRequest(f"{field}: must be a list of {{gtin, lot}}")
    keys: list[LotKey] = []
    for index, entry in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(entry, Mapping):
            raise InvalidRequest(f"{where}: must be an object {{gtin, lot}}")
        gtin, lot = entry.get("gtin"), entry.get("lot")
        if not isinstance(gtin, str) or not gtin:
            raise InvalidRequest(f"{where}.gtin: needed, as a string")
        if not isinstance(lot, str) or not lot:
            raise InvalidRequest(f"{where}.lot: needed, as a string")
        keys.append(LotKey(gtin, lot))
    return tuple(dict.fromkeys(keys))


def _codes(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidRequest(f"{field}: must be a list of codes")
    codes: list[str] = []
    for index, code in enumerate(value):
        if not isinstance(code, str) or not code.strip():
            raise InvalidRequest(f"{field}[{index}]: must be a code, as a string")
        codes.append(code.strip())
    return tuple(dict.fromkeys(codes))
