"""The life of a unit once its serial is issued: commissioned on a pack, packed into cases and
pallets, shipped to a party, received, sold or otherwise decommissioned, recalled.

Each entry point records one EPCIS 2.0 event, updates the projection of the units it touches
and writes an audit line, all in the caller's unit of work; a refusal
(:class:`~unitrace.registry.errors.Refused`) changes nothing. Units are always changed by set-based
statements over a selection (a seq range of a lot, the units inside some containers, a list of
codes), and every rule is checked once per group of alike units, never once per unit, so a
pallet or a lot of a million moves at the speed of the database.

Codes may be given in any form a scanner produces (Digital Link, element string, ``(01)…(21)…``,
EPC URI): GTIN + serial names a unit, or a case if a case was packed under that code; an SSCC
names a pallet. A lot or expiry in a code must match the unit's.

The events, in CBV 2.0 words (``—``: the event has none):

==================  ==========  ==========================================  ====================
change              action      bizStep                                     disposition
==================  ==========  ==========================================  ====================
commissioned        ADD         commissioning (ILMD: lot, expiry)           active
packed / unpacked   ADD/DELETE  packing / unpacking (AggregationEvent)      —
shipped             OBSERVE     shipping (destinationList: owning_party,    in_transit
                                location)
received            OBSERVE     receiving                                   in_progress
→ supplied          OBSERVE     dispensing; retail_selling when the         dispensed;
                                actor's party is a retailer                 retail_sold
→ destroyed         DELETE      destroying                                  destroyed
→ stolen            OBSERVE     —                                           stolen
→ sample            OBSERVE     sampling                                    non_sellable_other
→ free_sample       OBSERVE     sampling                                    dispensed
→ exported          OBSERVE     departing                                   non_sellable_other
→ locked            OBSERVE     holding                                     non_sellable_other
→ checked_out       OBSERVE     repackaging                                 inactive
→ active (undo)     OBSERVE     —                                           active
→ recalled          OBSERVE     —                                           recalled
→ withdrawn         OBSERVE     —                                           non_sellable_other
→ expired           OBSERVE     —                                           expired
→ voided            DELETE      decommissioning                             —
transformed         —           TransformationEvent: inputs → checked_out;  active (outputs)
                                outputs commissioning (issued → active)
assembled           —           TransformationEvent assembling: components  —
                                (inputs) → checked_out, device (output)
                                stays active
inspected           OBSERVE     inspecting (certificationInfo); a fail      conformant /
                                holds the units covered, a pass releases    non_conformant
==================  ==========  ==========================================  ====================

CBV has no word for a withdrawal, a free sample, an export or a parallel importer's check-out;
the table uses the nearest CBV disposition, and the unit's exact state is in the projection.

Who may do what (the HTTP and CLI faces check the role too; this is the rule itself):
``admin`` everything; ``line`` commission, pack and unpack, assemble and inspect; ``distributor`` pack, unpack, ship,
allocate, receive, inspect and change state of units in its own party's custody, and see
only those.

The rooms, one use case each, over three shared ones:

- :mod:`~unitrace.services.lifecycle.commissioning`: issued serials become active units
  (:func:`commission` by a lot's seq range, :func:`commission_units` one by one);
- :mod:`~unitrace.services.lifecycle.packing`: :func:`aggregate` and :func:`disaggregate`;
- :mod:`~unitrace.services.lifecycle.shipping`: :func:`ship` and :func:`allocate`, which move
  custody to a party (:class:`Shipment`);
- :mod:`~unitrace.services.lifecycle.receiving`: :func:`receive`;
- :mod:`~unitrace.services.lifecycle.state_changes`: :func:`change_state` (supplied,
  destroyed, stolen, …, and the undo), with the CBV words of each state (:data:`STATE_EVENTS`);
- :mod:`~unitrace.services.lifecycle.transformation`: :func:`transform`;
- :mod:`~unitrace.services.lifecycle.lot_status`: :func:`set_lot_status` (recall, withdrawal);
- :mod:`~unitrace.services.lifecycle.assembly`: :func:`assemble` (components into a device);
- :mod:`~unitrace.services.lifecycle.inspection`: :func:`inspect`, whose failure puts units
  on hold (:mod:`~unitrace.services.lifecycle.holds`: what a hold keeps them from);
- :mod:`~unitrace.services.lifecycle.views`: :func:`unit_view` and :func:`container_view`;
- shared: :mod:`~unitrace.services.lifecycle.targets` (what a request's codes name),
  :mod:`~unitrace.services.lifecycle.rules` (who may do what, custody, :func:`check_held`) and
  :mod:`~unitrace.services.lifecycle.recording` (writing the event and the projection, all or
  nothing).
"""

from __future__ import annotations

from unitrace.services.lifecycle.assembly import MOST_OF_A_LOT, Assembly, LotComponent, assemble
from unitrace.services.lifecycle.commissioning import commission, commission_units
from unitrace.services.lifecycle.holds import HOLD_WORDS, hold_words
from unitrace.services.lifecycle.inspection import (
    DISPOSITION_RESULTS,
    Certification,
    Inspection,
    InspectionResult,
    inspect,
)
from unitrace.services.lifecycle.lot_status import set_lot_status
from unitrace.services.lifecycle.packing import aggregate, disaggregate
from unitrace.services.lifecycle.receiving import receive
from unitrace.services.lifecycle.rules import MAY, check_held
from unitrace.services.lifecycle.shipping import PARTY_URN_PREFIX, Shipment, allocate, ship
from unitrace.services.lifecycle.state_changes import (
    RETAIL_SUPPLY,
    STATE_EVENTS,
    StateEvent,
    change_state,
)
from unitrace.services.lifecycle.transformation import transform
from unitrace.services.lifecycle.views import ContainerView, UnitView, container_view, unit_view

__all__ = [
    "DISPOSITION_RESULTS",
    "HOLD_WORDS",
    "MAY",
    "MOST_OF_A_LOT",
    "PARTY_URN_PREFIX",
    "RETAIL_SUPPLY",
    "STATE_EVENTS",
    "Assembly",
    "Certification",
    "ContainerView",
    "Inspection",
    "InspectionResult",
    "LotComponent",
    "Shipment",
    "StateEvent",
    "UnitView",
    "aggregate",
    "allocate",
    "assemble",
    "change_state",
    "check_held",
    "commission",
    "commission_units",
    "container_view",
    "disaggregate",
    "hold_words",
    "inspect",
    "receive",
    "set_lot_status",
    "ship",
    "transform",
    "unit_view",
]
