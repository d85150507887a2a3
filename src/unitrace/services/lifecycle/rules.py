"""The refusal rules every use case shares: which role may call which entry point, and what a
distributor may touch (only what its party holds); what moves with a shipment or a receipt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from unitrace.registry.errors import Conflict, Forbidden
from unitrace.registry.model import Actor, Party, Role, UnitState
from unitrace.services.lifecycle.holds import refuse_held
from unitrace.services.lifecycle.targets import Context, GroupNames, resolve, unit_name
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.containers import ContainerRecord
from unitrace.store.units.selections import UnitSelection

_ADMIN, _LINE, _DISTRIBUTOR = Role.ADMIN, Role.LINE, Role.DISTRIBUTOR

#: Which roles may call each entry point.
MAY: Final[Mapping[str, frozenset[Role]]] = {
    "commission": frozenset({_ADMIN, _LINE}),
    "aggregate": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
    "disaggregate": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
    "ship": frozenset({_ADMIN, _DISTRIBUTOR}),
    "allocate": frozenset({_ADMIN, _DISTRIBUTOR}),
    "receive": frozenset({_ADMIN, _DISTRIBUTOR}),
    "change_state": frozenset({_ADMIN, _DISTRIBUTOR}),
    "set_lot_status": frozenset({_ADMIN}),
    "view": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
    "assemble": frozenset({_ADMIN, _LINE}),
    "inspect": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
    "recall": frozenset({_ADMIN}),
    "answer_recall": frozenset({_DISTRIBUTOR}),
    "judge_cold_chain": frozenset({_ADMIN}),
}


def allow(actor: Actor, entry: str) -> None:
    if actor.role not in MAY[entry]:
        roles = ", ".join(sorted(role.value for role in MAY[entry]))
        raise Forbidden(f"a {actor.role.value} may not {entry.replace('_', ' ')}; needs {roles}")
    if actor.role is Role.DISTRIBUTOR and actor.party_id is None:
        raise Forbidden(f"distributor {actor.name} is bound to no party")


def check_custody(actor: Actor, custodian: str | None, what: object) -> None:
    """A distributor handles only what is in its own party's custody."""
    if actor.role is Role.DISTRIBUTOR and custodian != actor.party_id:
        raise Forbidden(f"{what}: not in the custody of {actor.party_id}")


def not_held_elsewhere(actor: Actor, party: Party, custodian: str | None, what: object) -> None:
    if custodian == party.id:
        raise Conflict(f"{what}: in the custody of {party.id} already")
    if custodian is not None and custodian != actor.party_id:
        raise Conflict(
            f"{what}: in the custody of {custodian} already; a shipment may not overlap units "
            "shipped elsewhere"
        )


def top_level(uow: UnitOfWork, chosen: Sequence[ContainerRecord], verb: str) -> None:
    for container in chosen:
        if container.parent_id is not None:
            holder = uow.units.container(container.parent_id)
            outer = holder.epc if holder else "another container"
            raise Conflict(
                f"container {container.epc} is packed in {outer}: {verb} {outer}, or unpack "
                f"{container.epc} first"
            )


def units_on_the_move(
    uow: UnitOfWork,
    selections: Sequence[UnitSelection],
    loose: UnitSelection | None,
    actor: Actor,
    verb: tuple[str, str],
    receiver: Party | None = None,
    also: frozenset[UnitState] = frozenset(),
) -> int:
    """How many units ``selections`` hold, once every group of them is known to move: active
    (or in one of the states ``also`` lets move), in the actor's custody, not named one by one
    while packed (the container moves them), and for a shipment to ``receiver`` not held by
    another party."""
    present, past = verb
    units = 0
    for selection in selections:
        for group in uow.units.groups(selection):
            names = GroupNames(uow, selection, group)
            if group.packed and selection is loose:
                raise Conflict(
                    f"{names} is packed in a container: {present} the container, or unpack "
                    "the unit first"
                )
            check_custody(actor, group.custodian_id, names)
            if receiver is not None:
                not_held_elsewhere(actor, receiver, group.custodian_id, names)
            if group.state is not UnitState.ACTIVE and group.state not in also:
                raise Conflict(f"{names} is {group.state}: only active units are {past}")
            units += group.count
    if receiver is not None:
        refuse_held(uow, selections, past)
    return units


def check_held(uow: UnitOfWork, *, codes: Sequence[str], actor: Actor, field: str) -> None:
    """Refuse (:class:`Forbidden`) a distributor an event about units or containers of
    unitrace that are not in its party's custody: an observation or an inspection of its own
    stock is its to record, the history of another's is not. Other roles pass."""
    if actor.role is not Role.DISTRIBUTOR or not codes:
        return
    targets = resolve(uow, Context.of(uow), codes, field, actor=actor)
    for unit in targets.units.values():
        check_custody(actor, unit.custodian_id, f"unit {unit_name(unit.gtin, unit.serial)}")
    for container in targets.containers:
        check_custody(actor, container.custodian_id, f"container {container.epc}")
