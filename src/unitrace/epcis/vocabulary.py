"""The words of an EPCIS 2.0 event: its action, and the CBV 2.0 business steps, dispositions and
source/destination types, written as the JSON-LD binding writes them (the bare CBV short name,
``"shipping"``, not ``urn:epcglobal:cbv:bizstep:shipping``); :mod:`unitrace.epcis.cbv` spells
them in every other form.

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


class BizTransactionType(StrEnum):
    """CBV 2.0 section 7.3: what kind of business transaction a ``bizTransaction`` is."""

    BOL = "bol"
    CERT = "cert"
    DESADV = "desadv"
    INV = "inv"
    PEDIGREE = "pedigree"
    PO = "po"
    POC = "poc"
    PRODORDER = "prodorder"
    RECADV = "recadv"
    RMA = "rma"
    TESTPRD = "testprd"
    TESTRES = "testres"
    UPEVT = "upevt"


class ErrorReason(StrEnum):
    """CBV 2.0 section 7.5: why an event was declared in error."""

    DID_NOT_OCCUR = "did_not_occur"
    INCORRECT_DATA = "incorrect_data"


class MeasurementType(StrEnum):
    """GS1 Web Vocabulary ``gs1:MeasurementType``: what a sensor report measures (EPCIS 2.0
    section 7.3.8.2); written bare, as ``"Temperature"``."""

    ABSOLUTE_HUMIDITY = "AbsoluteHumidity"
    ABSORBED_DOSE = "AbsorbedDose"
    ABSORBED_DOSE_RATE = "AbsorbedDoseRate"
    ACCELERATION = "Acceleration"
    ALTITUDE = "Altitude"
    AMOUNT_OF_SUBSTANCE = "AmountOfSubstance"
    AMOUNT_OF_SUBSTANCE_PER_UNIT_VOLUME = "AmountOfSubstancePerUnitVolume"
    ANGLE = "Angle"
    ANGULAR_ACCELERATION = "AngularAcceleration"
    ANGULAR_MOMENTUM = "AngularMomentum"
    ANGULAR_VELOCITY = "AngularVelocity"
    AREA = "Area"
    CAPACITANCE = "Capacitance"
    CONDUCTANCE = "Conductance"
    CONDUCTIVITY = "Conductivity"
    COUNT = "Count"
    DENSITY = "Density"
    DIMENSIONLESS = "Dimensionless"
    DOSE_EQUIVALENT = "DoseEquivalent"
    DOSE_EQUIVALENT_RATE = "DoseEquivalentRate"
    DYNAMIC_VISCOSITY = "DynamicViscosity"
    ELECTRIC_CHARGE = "ElectricCharge"
    ELECTRIC_CURRENT = "ElectricCurrent"
    ELECTRIC_CURRENT_DENSITY = "ElectricCurrentDensity"
    ELECTRIC_FIELD_STRENGTH = "ElectricFieldStrength"
    ENERGY = "Energy"
    EXPOSURE = "Exposure"
    FORCE = "Force"
    FREQUENCY = "Frequency"
    ILLUMINANCE = "Illuminance"
    INDUCTANCE = "Inductance"
    IRRADIANCE = "Irradiance"
    KINEMATIC_VISCOSITY = "KinematicViscosity"
    LENGTH = "Length"
    LINEAR_MOMENTUM = "LinearMomentum"
    LUMINANCE = "Luminance"
    LUMINOUS_FLUX = "LuminousFlux"
    LUMINOUS_INTENSITY = "LuminousIntensity"
    MAGNETIC_FLUX = "MagneticFlux"
    MAGNETIC_FLUX_DENSITY = "MagneticFluxDensity"
    MAGNETIC_VECTOR_POTENTIAL = "MagneticVectorPotential"
    MASS = "Mass"
    MASS_CONCENTRATION = "MassConcentration"
    MASS_FLOW_RATE = "MassFlowRate"
    MASS_PER_AREA_TIME = "MassPerAreaTime"
    MEMORY_CAPACITY = "MemoryCapacity"
    MOLALITY_OF_SOLUTE = "MolalityOfSolute"
    MOLAR_ENERGY = "MolarEnergy"
    MOLAR_MASS = "MolarMass"
    MOLAR_VOLUME = "MolarVolume"
    POWER = "Power"
    PRESSURE = "Pressure"
    RADIANT_FLUX = "RadiantFlux"
    RADIANT_INTENSITY = "RadiantIntensity"
    RADIOACTIVITY = "Radioactivity"
    RELATIVE_HUMIDITY = "RelativeHumidity"
    RESISTANCE = "Resistance"
    RESISTIVITY = "Resistivity"
    SOLID_ANGLE = "SolidAngle"
    SPECIFIC_VOLUME = "SpecificVolume"
    SPEED = "Speed"
    SURFACE_DENSITY = "SurfaceDensity"
    SURFACE_TENSION = "SurfaceTension"
    TEMPERATURE = "Temperature"
    TIME = "Time"
    TORQUE = "Torque"
    VOLTAGE = "Voltage"
    VOLUME = "Volume"
    VOLUME_FLOW_RATE = "VolumeFlowRate"
    VOLUME_FRACTION = "VolumeFraction"
    VOLUMETRIC_FLUX = "VolumetricFlux"
    WAVENUMBER = "Wavenumber"


class SensorAlertType(StrEnum):
    """GS1 Web Vocabulary ``gs1:SensorAlertType``: the ``exception`` of a sensor report."""

    ALARM_CONDITION = "ALARM_CONDITION"
    ERROR_CONDITION = "ERROR_CONDITION"


class Component(StrEnum):
    """CBV 2.0 section 7.6: which component of a coordinate a sensor report's value is."""

    ALTITUDE = "altitude"
    AXIAL_DISTANCE = "axial_distance"
    AZIMUTH = "azimuth"
    EASTING = "easting"
    ELEVATION_ANGLE = "elevation_angle"
    HEIGHT = "height"
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    NORTHING = "northing"
    POLAR_ANGLE = "polar_angle"
    SPHERICAL_RADIUS = "spherical_radius"
    X = "x"
    Y = "y"
    Z = "z"
