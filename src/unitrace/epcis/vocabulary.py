"""The words of an EPCIS 2.0 event: its action, and the CBV 2.0 business steps, dispositions and
source/destination types, written as the JSON-LD binding writes them (the bare CBV short name,
``"shipping"``, not ``urn:epcglobal:cbv:bizstep:shipping``).

>>> BizStep("commissioning"), Disposition.IN_TRANSIT.value
(<BizStep.COMMISSIONING: 'commissioning'>, 'in_transit')
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """EPCIS 2.0 section 7.3.2: how an event relates to the life of the objects it names."""

    ADD = "ADD"  # the objects came into being, or were added (commissioning, packing)
    OBSERVE = "OBSERVE"  # the objects were seen, nothing created or removed
    DELETE = "DELETE"  # the objects ceased to exist, or were removed (destroying, unpacking)


class BizStep(StrEnum):
    """CBV 2.0 section 7.1: the business step an event was part of."""

    ACCEPTING = "accepting"
    ARRIVING = "arriving"
    ASSEMBLING = "assembling"
    COLLECTING = "collecting"
    COMMISSIONING = "commissioning"
    CONSIGNING = "consigning"
    CREATING_CLASS_INSTANCE = "creating_class_instance"
    CYCLE_COUNTING = "cycle_counting"
    DECOMMISSIONING = "decommissioning"
    DEPARTING = "departing"
    DESTROYING = "destroying"
    DISASSEMBLING = "disassembling"
    DISPENSING = "dispensing"
    ENCODING = "encoding"
    ENTERING_EXITING = "entering_exiting"
    HOLDING = "holding"
    INSPECTING = "inspecting"
    INSTALLING = "installing"
    KILLING = "killing"
    LOADING = "loading"
    OTHER = "other"
    PACKING = "packing"
    PICKING = "picking"
    RECEIVING = "receiving"
    REMOVING = "removing"
    REPACKAGING = "repackaging"
    REPAIRING = "repairing"
    REPLACING = "replacing"
    RESERVING = "reserving"
    RETAIL_SELLING = "retail_selling"
    SAMPLING = "sampling"
    SENSOR_REPORTING = "sensor_reporting"
    SHIPPING = "shipping"
    STAGING_OUTBOUND = "staging_outbound"
    STOCK_TAKING = "stock_taking"
    STOCKING = "stocking"
    STORING = "storing"
    TRANSPORTING = "transporting"
    UNLOADING = "unloading"
    UNPACKING = "unpacking"
    VOID_SHIPPING = "void_shipping"


class Disposition(StrEnum):
    """CBV 2.0 section 7.2: the business condition of the objects after the event."""

    ACTIVE = "active"
    AVAILABLE = "available"
    COMPLETENESS_INFERRED = "completeness_inferred"
    COMPLETENESS_VERIFIED = "completeness_verified"
    CONFORMANT = "conformant"
    CONTAINER_CLOSED = "container_closed"
    CONTAINER_OPEN = "container_open"
    DAMAGED = "damaged"
    DESTROYED = "destroyed"
    DISPENSED = "dispensed"
    DISPOSED = "disposed"
    ENCODED = "encoded"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"
    IN_TRANSIT = "in_transit"
    INACTIVE = "inactive"
    MISMATCH_CLASS = "mismatch_class"
    MISMATCH_INSTANCE = "mismatch_instance"
    MISMATCH_QUANTITY = "mismatch_quantity"
    NEEDS_REPLACEMENT = "needs_replacement"
    NO_PEDIGREE_MATCH = "no_pedigree_match"
    NON_CONFORMANT = "non_conformant"
    NON_SELLABLE_OTHER = "non_sellable_other"
    PARTIALLY_DISPENSED = "partially_dispensed"
    RECALLED = "recalled"
    RESERVED = "reserved"
    RETAIL_SOLD = "retail_sold"
    RETURNED = "returned"
    SELLABLE_ACCESSIBLE = "sellable_accessible"
    SELLABLE_NOT_ACCESSIBLE = "sellable_not_accessible"
    STOLEN = "stolen"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


class SourceDestType(StrEnum):
    """CBV 2.0 section 7.4: what a source or destination names."""

    OWNING_PARTY = "owning_party"  # the party that owns the objects (a PGLN)
    POSSESSING_PARTY = "possessing_party"  # the party that holds them physically
    LOCATION = "location"  # the place they leave or go to (an SGLN)
