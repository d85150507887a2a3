"""The scene the trace tests start from: the lifecycle scene (units 1-30 of lot L1 active,
1-5 in case C1 and 6-10 in C2 on the pallet, 21-25 at dist-b, 30 destroyed), with dist-b's
units received at its place, a kit (units 31 and 32 made from units 11 and 12), and a
partner's assembly captured over EPCIS (the other product's unit 1 made from unit 31 and
2 kg of the component lot RAW-7), with inspections of unit 11 and of RAW-7."""

from __future__ import annotations

from typing import Any

from tests.services.issued_units import ADMIN, DIST_B, DIST_B_GLN, OTHER_GTIN, T0, serial_of
from tests.services.lifecycle.scenes import HOUR, code, done, epc
from unitrace.services.lifecycle import receive, transform
from unitrace.store.events import StoredEvent
from unitrace.store.unit_of_work import Database, UnitOfWork

RAW_LOT = "urn:epc:class:lgtin:0614141.012345.RAW-7"
RAW_CODE = "(01)00614141123452(10)RAW-7"
DEVICE_SERIAL = serial_of(OTHER_GTIN, 1)
DEVICE = f"https://id.gs1.org/01/{OTHER_GTIN.value}/21/{DEVICE_SERIAL}"
DEVICE_CODE = f"(01){OTHER_GTIN.value}(21){DEVICE_SERIAL}"
ASSEMBLY_ID = "urn:uuid:4a0c7c1e-0000-4000-8000-00000000a551"


def _event(event_id: str, hours: int, **fields: Any) -> StoredEvent:
    at = (T0 + hours * HOUR).isoformat()
    return StoredEvent(
        {"eventID": event_id, "eventTime": at, "eventTimeZoneOffset": "+00:00", **fields},
        recorded_by="partner",
    )


def build_trace_scene(scene: Database) -> Database:
    def build(uow: UnitOfWork) -> None:
        receive(
            uow,
            codes=[code(n) for n in range(21, 26)],
            actor=DIST_B,
            location_gln=DIST_B_GLN,
            at=T0 + 2 * HOUR,
        )
        transform(
            uow,
            inputs=[code(11), code(12)],
            outputs=[code(31), code(32)],
            commissioning=True,
            actor=ADMIN,
            at=T0 + 3 * HOUR,
        )
        uow.events.add_documents(
            [
                _event(
                    ASSEMBLY_ID,
                    4,
                    type="TransformationEvent",
                    bizStep="assembling",
                    inputEPCList=[epc(31)],
                    inputQuantityList=[{"epcClass": RAW_LOT, "quantity": 2, "uom": "KGM"}],
                    outputEPCList=[DEVICE],
                ),
                _event(
                    "urn:uuid:4a0c7c1e-0000-4000-8000-0000000015e1",
                    1,
                    type="ObjectEvent",
                    action="OBSERVE",
                    bizStep="inspecting",
                    disposition="conformant",
                    epcList=[epc(11)],
                ),
                _event(
                    "urn:uuid:4a0c7c1e-0000-4000-8000-0000000015e2",
                    1,
                    type="ObjectEvent",
                    action="OBSERVE",
                    bizStep="inspecting",
                    epcList=[],
                    quantityList=[{"epcClass": RAW_LOT, "quantity": 1, "uom": "KGM"}],
                    certificationInfo="https://cert.example/raw-7",
                ),
            ]
        )

    done(scene, build)
    return scene
