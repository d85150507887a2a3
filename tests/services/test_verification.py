"""Verification: verdicts, the scan log, the detectors and the alert workflow, played as the
stories of the design (Kuala Lumpur, the 42 clones, Distributor A's leak, the guesser, the
recall), on SQLite and PostgreSQL. Results are compared whole."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.services.issued_units import ADMIN, DIST_A, GTIN, LINE, VERIFIER, issue, serial_of
from unitrace.places import UNKNOWN_PLACE, Place
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.lifecycle import allocate, commission, set_lot_status
from unitrace.services.verification import (
    DetectionRules,
    FirstScan,
    ProductInfo,
    ScanRequest,
    Verdict,
    VerificationResult,
    client_is_throttled,
    dispense_pack,
    get_alert,
    list_alerts,
    update_alert,
    verify,
    verify_pack,
)
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

EXPIRY = dt.date(2030, 12, 31)
T1 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
KL = Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY")
#: (lat, lon) of cities in five Malaysian states and in Singapore
KUALA_LUMPUR, PENANG, JOHOR_BAHRU = (3.139, 101.6869), (5.4164, 100.3327), (1.4927, 103.7414)
IPOH, KUCHING, SINGAPORE = (4.5975, 101.0901), (1.55, 110.34), (1.29, 103.85)
OTHER_DIST = Actor("olga", Role.DISTRIBUTOR, "dist-b")


def code(seq: int, lot: str = "L1") -> str:
    return f"https://brand.example/01/{GTIN.value}/10/{lot}/21/{serial_of(GTIN, seq)}?17=301231"


def scan(
    uow_database: Database,
    text: str,
    where: tuple[float, float] | None = KUALA_LUMPUR,
    *,
    client: str | None = "phone-1",
    at: dt.datetime = T1,
    rules: DetectionRules | None = None,
    user_agent: str = "test",
    **place: str,
) -> VerificationResult:
    with uow_database.unit_of_work() as uow:
        lat, lon = where if where else (None, None)
        request = ScanRequest(text, lat, lon, client=client, user_agent=user_agent, at=at, **place)
        result = verify(uow, request, rules=rules)
        uow.commit()
    return result


@pytest.fixture
def world(database: Database) -> Database:
    """Vitamin C for MY and SG. Lot L1: units 1-150 commissioned, 1-80 at Distributor A
    (territory MY-14, MY-10), 81-100 at Distributor B (no territory), 151-200 only issued. Lot L2: units 1-10 at Distributor A,
    recalled."""
    with database.unit_of_work() as uow:
        register_product(
            uow,
            gtin=GTIN.value,
            name="Vitamin C",
            actor=ADMIN,
            company_prefix_length=7,
            target_markets=["MY", "SG"],
        )
        for lot in ("L1", "L2"):
            register_lot(uow, gtin=GTIN.value, lot=lot, expiry=EXPIRY, actor=ADMIN)
        register_party(
            uow,
            id="dist-a",
            name="Distributor A",
            role="distributor",
            actor=ADMIN,
            territory=["MY-14", "MY-10"],
        )
        register_party(uow, id="dist-b", name="Distributor B", role="distributor", actor=ADMIN)
        issue(uow, GTIN, "L1", 200)
        issue(uow, GTIN, "L2", 10, [f"R{n:05d}" for n in range(1, 11)])
        at = T1 - 48 * HOUR
        commission(uow, gtin=GTIN, lot="L1", seq_from=1, seq_to=150, actor=LINE, at=at)
        commission(uow, gtin=GTIN, lot="L2", seq_from=1, seq_to=10, actor=LINE, at=at)
        for party, lot, first, last in (
            ("dist-a", "L1", 1, 80),
            ("dist-b", "L1", 81, 100),
            ("dist-a", "L2", 1, 10),
        ):
            allocate(
                uow,
                party=party,
                actor=ADMIN,
                gtin=GTIN.value,
                lot=lot,
                seq_from=first,
                seq_to=last,
                at=at + HOUR,
            )
        set_lot_status(
            uow,
            gtin=GTIN.value,
            lot="L2",
            status="recalled",
            reason="dust",
            actor=ADMIN,
            at=at + 2 * HOUR,
        )
        uow.commit()
    return database


def product(seq: int, lot: str = "L1") -> ProductInfo:
    serial = serial_of(GTIN, seq) if lot == "L1" else f"R{seq:05d}"
    return ProductInfo(GTIN.value, "Vitamin C", lot, EXPIRY, serial)


def scans_logged(database: Database) -> list[tuple[object, ...]]:
    with database.unit_of_work() as uow:
        rows = uow.connection.execute(
            select(
                schema.scans.c.raw,
                schema.scans.c.verdict,
                schema.scans.c.reasons,
                schema.scans.c.known,
                schema.scans.c.client,
            ).order_by(schema.scans.c.id)
        )
        return [tuple(row) for row in rows]


# --- the stories ----------------------------------------------------------------------------------


def test_first_scan_in_kuala_lumpur_then_a_repeat(world: Database) -> None:
    first = scan(world, code(1))
    assert first == VerificationResult(
        scan_id=first.scan_id,
        verdict=Verdict.GENUINE,
        first_scan=True,
        scan_count=1,
        first_scanned=FirstScan(T1, KL),
        reasons=(),
        message="Authentic. First scan. Verified in Kuala Lumpur.",
        product=product(1),
        place=KL,
        alerts=(),
        throttled=False,
        at=T1,
    )
    again = scan(world, code(1), (3.15, 101.7), at=T1 + HOUR)
    assert again == VerificationResult(
        scan_id=again.scan_id,
        verdict=Verdict.GENUINE,
        first_scan=False,
        scan_count=2,
        first_scanned=FirstScan(T1, KL),
        reasons=(),
        message="Authentic. Scanned 2 times; first scanned on 1 April 2026 in Kuala Lumpur.",
        product=product(1),
        place=Place(3.15, 101.7, "Bukit Bintang", "MY-14", "MY"),
        alerts=(),
        throttled=False,
        at=T1 + HOUR,
    )
    assert again.gs1_verification_response() == {
        "verificationTimestamp": "2026-04-01T11:00:00Z",
        "verified": True,
    }
    assert len(scans_logged(world)) == 2


def test_a_copied_code_across_states_raises_one_clone_alert_early(world: Database) -> None:
    """Six hours between scans: no impossible travel, so the places alone must tell."""
    trail = [KUALA_LUMPUR, PENANG, JOHOR_BAHRU, IPOH, KUCHING, PENANG]
    results = [
        scan(world, code(82), where, client=f"phone-{n}", at=T1 + 6 * n * HOUR)
        for n, where in enumerate(trail)
    ]
    assert [(r.verdict, r.reasons, r.scan_count) for r in results] == [
        (Verdict.GENUINE, (), 1),
        (Verdict.GENUINE, (), 2),
        (Verdict.GENUINE, (), 3),
        (Verdict.SUSPICIOUS, ("too_many_places",), 4),
        (Verdict.SUSPICIOUS, ("too_many_places",), 5),
        (Verdict.SUSPICIOUS, ("too_many_scans", "too_many_places"), 6),
    ]
    assert results[3].message.startswith("Warning: this code has been scanned too often")
    assert results[3].gs1_verification_response()["additionalInfo"] == "Suspect"
    with world.unit_of_work() as uow:
        alerts = list_alerts(uow, actor=ADMIN, type="clone")
    assert len(alerts) == 1
    alert = alerts[0]
    assert {r.alerts for r in results[3:]} == {(alert.id,)}
    assert (alert.status, alert.code, alert.party, alert.evidence["scan_count"]) == (
        "new",
        f"(01){GTIN.value}(10)L1(21){serial_of(GTIN, 82)}",
        "dist-b",
        3,
    )
    assert alert.evidence["places"] == ["MY-01", "MY-07", "MY-08", "MY-13", "MY-14"]
    assert alert.evidence["reasons"] == ["too_many_places", "too_many_scans"]
    assert [s["scan_id"] for s in alert.evidence["scans"]] == [r.scan_id for r in results[3:]]


def test_impossible_travel_is_caught_on_the_second_scan(world: Database) -> None:
    scan(world, code(83), KUALA_LUMPUR, client="a")
    later = scan(world, code(83), PENANG, client="b", at=T1 + dt.timedelta(minutes=10))
    assert (later.verdict, later.reasons) == (Verdict.SUSPICIOUS, ("impossible_travel",))
    with world.unit_of_work() as uow:
        travel = get_alert(uow, later.alerts[0], ADMIN).evidence["travel"]
    assert travel["from"] == "Kuala Lumpur, MY-14, MY"
    assert travel["to"] == "George Town, MY-07, MY"
    assert 290 < travel["km"] < 300
    assert travel["km_per_hour"] > 1700


def test_a_unit_of_distributor_a_scanned_in_singapore_is_grey_market(world: Database) -> None:
    result = scan(world, code(49), SINGAPORE)
    assert (result.verdict, result.reasons, result.first_scan) == (
        Verdict.SUSPICIOUS,
        ("outside_territory",),
        True,
    )
    assert result.message.startswith("Warning: this pack was not meant to be sold here.")
    with world.unit_of_work() as uow:
        (alert,) = list_alerts(uow, actor=ADMIN)
        assert list_alerts(uow, actor=DIST_A) == [alert]
        assert list_alerts(uow, actor=OTHER_DIST) == []
    assert (alert.type, alert.party, alert.id) == ("grey_market", "dist-a", result.alerts[0])
    assert {k: alert.evidence[k] for k in ("party", "party_name", "territory", "scanned_in")} == {
        "party": "dist-a",
        "party_name": "Distributor A",
        "territory": ["MY-14", "MY-10"],
        "scanned_in": "Singapore, SG",
    }
    # inside the territory, by region code: genuine
    assert scan(world, code(50), None, region="MY-10").verdict is Verdict.GENUINE
    # the right country, region unknown: no proof of leakage
    assert scan(world, code(51), None, country="MY").verdict is Verdict.GENUINE


@pytest.mark.parametrize(
    ("text", "where", "verdict", "reasons"),
    [
        (code(120), KUALA_LUMPUR, Verdict.SUSPICIOUS, ("before_shipping",)),
        (code(160), KUALA_LUMPUR, Verdict.INACTIVE, ("not_commissioned",)),
        (code(3, "L2").replace("S00003", "R00003"), KUALA_LUMPUR, Verdict.RECALLED, ("recalled",)),
        (code(4, "WRONG"), KUALA_LUMPUR, Verdict.COUNTERFEIT, ("lot_mismatch",)),
        (code(4).replace("301231", "301130"), None, Verdict.COUNTERFEIT, ("expiry_mismatch",)),
        (code(4).replace("S00004", "NOPE"), None, Verdict.COUNTERFEIT, ("not_issued",)),
        ("(01)09506000134369(21)X1", None, Verdict.COUNTERFEIT, ("unknown_product",)),
        (f"(01){GTIN.value}", None, Verdict.COUNTERFEIT, ("no_serial",)),
    ],
)
def test_verdicts(
    world: Database,
    text: str,
    where: tuple[float, float] | None,
    verdict: Verdict,
    reasons: tuple[str, ...],
) -> None:
    result = scan(world, text, where)
    assert (result.verdict, result.reasons) == (verdict, reasons)
    assert scans_logged(world) == [
        (
            text,
            verdict.value,
            list(reasons),
            verdict in (Verdict.SUSPICIOUS, Verdict.INACTIVE, Verdict.RECALLED)
            or "mismatch" in reasons[0],
            "phone-1",
        )
    ]


def test_recalled_and_expired_answers(world: Database) -> None:
    recalled = scan(world, code(3, "L2").replace("S00003", "R00003"))
    assert recalled.message == (
        "This product (batch L2) has been recalled. Do not use it; return it where you bought it."
    )
    assert recalled.gs1_verification_response()["additionalInfo"] == "Recalled"
    expired = scan(world, code(5), at=dt.datetime(2031, 1, 2, tzinfo=dt.UTC))
    assert (expired.verdict, expired.reasons, expired.message) == (
        Verdict.EXPIRED,
        ("expired",),
        "This product expired on 31 December 2030. Do not use it.",
    )
    with world.unit_of_work() as uow:
        lifecycle = list_alerts(uow, actor=ADMIN, type="lifecycle")
    assert sorted(a.evidence["reasons"][0] for a in lifecycle) == ["expired", "recalled"]


def test_a_guesser_is_answered_counterfeit_then_throttled(world: Database) -> None:
    guesses = [
        scan(
            world,
            code(1).replace("S00001", f"G{n:05d}"),
            None,
            client="bot",
            at=T1 + n * dt.timedelta(seconds=5),
        )
        for n in range(12)
    ]
    assert {(g.verdict, g.reasons[0]) for g in guesses} == {(Verdict.COUNTERFEIT, "not_issued")}
    assert [g.throttled for g in guesses] == [False] * 9 + [True] * 3
    assert guesses[0].gs1_verification_response() == {
        "verificationTimestamp": "2026-04-01T10:00:00Z",
        "verified": False,
        "verificationFailureReason": "No_match_GTIN_Serial",
    }
    with world.unit_of_work() as uow:
        assert client_is_throttled(uow, "bot", T1 + 2 * dt.timedelta(minutes=1))
        assert not client_is_throttled(uow, "bot", T1 + dt.timedelta(minutes=20))
        assert not client_is_throttled(uow, "phone-1", T1)
        assert not client_is_throttled(uow, None, T1)
        probes = list_alerts(uow, actor=ADMIN, type="counterfeit_probe")
        (guessing,) = list_alerts(uow, actor=ADMIN, type="guessing")
    assert len(probes) == 9  # one per code until the client is a known guesser
    assert (guessing.client, guessing.code, guessing.evidence["scan_count"]) == ("bot", None, 3)
    assert guessing.evidence["counterfeit_answers"] == 12


# --- bad input ---------------------------------------------------------------------------------

GARBAGE = [
    "",
    "hello",
    "x" * 100_000,
    "'; DROP TABLE units; --",
    "<script>alert(1)</script>",
    f"(01){GTIN.value[:-1]}3(21)S00001",  # wrong check digit
    f"(01){GTIN.value}(17)301331(21)S00001",  # month 13
    "https://brand.example/01/abc",
    "]d2\x00\x00\x00",
    "\ud800\udfff",
    "urn:epc:id:sgtin:nonsense",
    "(01)" + "9" * 400,
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_is_answered_counterfeit_and_logged(world: Database, text: str) -> None:
    result = scan(world, text, None, city="<img src=x onerror=alert(1)>", user_agent="\x00" * 9)
    assert (result.verdict, result.reasons, result.product, result.scan_count) == (
        Verdict.COUNTERFEIT,
        ("malformed",),
        None,
        0,
    )
    assert result.message.startswith("This is not a valid product code.")
    with world.unit_of_work() as uow:
        row = uow.scans.get(result.scan_id)
    assert row is not None
    assert (row.verdict, row.known, len(row.raw) <= 512, row.parse_error is not None) == (
        "counterfeit",
        False,
        True,
        True,
    )
    assert row.city == "<img src=x onerror=alert(1)>"
    assert row.user_agent == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "ZZ"}, "country: 'ZZ' is not an ISO 3166-1 alpha-2 country"),
        ({"region": "<b>"}, "region: '<b>' is not an ISO 3166-2 subdivision"),
        ({"latitude": 100.0, "longitude": 0.0}, "lat: 100.0 is not between -90 and 90"),
        ({"at": dt.datetime(2026, 1, 1)}, "at: needs a UTC offset"),
    ],
)
def test_bad_place_fields_are_refused_and_nothing_logged(
    world: Database, fields: dict[str, object], message: str
) -> None:
    with world.unit_of_work() as uow, pytest.raises(InvalidRequest, match=message):
        verify(uow, ScanRequest(code(1), **fields))  # type: ignore[arg-type]
    assert scans_logged(world) == []


# --- the alert workflow ------------------------------------------------------------------------


def test_alert_workflow(world: Database) -> None:
    (alert_id,) = scan(world, code(49), SINGAPORE).alerts
    with world.unit_of_work() as uow:
        with pytest.raises(Forbidden, match="a distributor may not update alerts; needs admin"):
            update_alert(uow, alert_id, status="investigating", reason=None, actor=DIST_A)
        for actor in (VERIFIER, LINE):
            with pytest.raises(Forbidden, match="may not see alerts"):
                list_alerts(uow, actor=actor)
        with pytest.raises(NotFound, match=f"alert: {alert_id} does not exist"):
            get_alert(uow, alert_id, OTHER_DIST)
        with pytest.raises(InvalidRequest, match="type: 'nope' is not an alert type"):
            list_alerts(uow, actor=ADMIN, type="nope")
        with pytest.raises(InvalidRequest, match="reason: closing an alert needs a reason"):
            update_alert(uow, alert_id, status="closed", reason="  ", actor=ADMIN)
        moved = update_alert(uow, alert_id, status="investigating", reason=None, actor=ADMIN)
        assert (moved.status, moved.closed_reason) == ("investigating", None)
        with pytest.raises(Conflict, match="is investigating: it is investigating already"):
            update_alert(uow, alert_id, status="investigating", reason=None, actor=ADMIN)
        with pytest.raises(Conflict, match="never back"):
            update_alert(uow, alert_id, status="new", reason=None, actor=ADMIN)
        closed = update_alert(uow, alert_id, status="closed", reason="parallel import", actor=ADMIN)
        assert (closed.status, closed.closed_reason) == ("closed", "parallel import")
        with pytest.raises(Conflict, match="a closed alert stays closed"):
            update_alert(uow, alert_id, status="investigating", reason=None, actor=ADMIN)
        assert [a.id for a in list_alerts(uow, actor=ADMIN, status="closed")] == [alert_id]
        assert list_alerts(uow, actor=ADMIN, status="new", gtin=GTIN.value) == []
        assert list_alerts(uow, actor=ADMIN, since=T1 + HOUR) == []
        uow.commit()
    # the same leak again after closing: a new alert, not the closed one reopened
    (again,) = scan(world, code(49), SINGAPORE, at=T1 + HOUR).alerts
    assert again != alert_id


# --- the pharmacist --------------------------------------------------------------------------------


def test_verify_and_dispense_a_pack(world: Database) -> None:
    pharmacy = Place(country="MY", region="MY-14")
    pack = {"gtin": GTIN.value, "serial": serial_of(GTIN, 7), "lot": "L1", "expiry": EXPIRY}
    with world.unit_of_work() as uow:
        checked = verify_pack(uow, **pack, actor=VERIFIER, place=pharmacy, at=T1)
        assert (checked.verdict, checked.first_scan) == (Verdict.GENUINE, True)
        with pytest.raises(Forbidden, match="a verifier may not dispense packs"):
            dispense_pack(uow, **pack, actor=VERIFIER, place=pharmacy, at=T1)
        done = dispense_pack(uow, **pack, actor=DIST_A, place=pharmacy, at=T1 + HOUR)
        assert (done.dispensed, done.refused, done.scan_count) == (True, None, 2)
        twice = dispense_pack(uow, **pack, actor=DIST_A, place=pharmacy, at=T1 + 2 * HOUR)
        assert (twice.dispensed, twice.verdict, twice.reasons) == (
            False,
            Verdict.INACTIVE,
            ("supplied", "decommissioned_twice", "not_dispensed"),
        )
        assert isinstance(twice.refused, Conflict)
        (alert,) = list_alerts(uow, actor=ADMIN, type="lifecycle")
        assert alert.evidence["reasons"] == ["decommissioned_twice", "supplied"]
        wrong = dispense_pack(
            uow,
            **{**pack, "serial": serial_of(GTIN, 8), "lot": "L9"},
            actor=DIST_A,
            place=pharmacy,
            at=T1,
        )
        assert (wrong.dispensed, wrong.reasons) == (False, ("lot_mismatch", "not_dispensed"))
        assert wrong.gs1_verification_response()["verificationFailureReason"] == (
            "No_match_GTIN_Serial_Lot"
        )
        count = uow.connection.execute(select(func.count()).select_from(schema.scans))
        assert count.scalar_one() == 4


GS1_RESPONSES = [
    (Verdict.GENUINE, (), {"verified": True}),
    (Verdict.SUSPICIOUS, ("too_many_places",), {"verified": True, "additionalInfo": "Suspect"}),
    (Verdict.RECALLED, ("recalled",), {"verified": True, "additionalInfo": "Recalled"}),
    (Verdict.EXPIRED, ("expired",), {"verified": True, "additionalInfo": "Expired"}),
    (Verdict.INACTIVE, ("supplied",), {"verified": False, "verificationFailureReason": "Not_for_re-distribution"}),
    (Verdict.COUNTERFEIT, ("not_issued",), {"verified": False, "verificationFailureReason": "No_match_GTIN_Serial"}),
    (Verdict.COUNTERFEIT, ("unknown_product",), {"verified": False, "verificationFailureReason": "No_match_GTIN_Serial"}),
    (Verdict.COUNTERFEIT, ("lot_mismatch",), {"verified": False, "verificationFailureReason": "No_match_GTIN_Serial_Lot"}),
    (Verdict.COUNTERFEIT, ("expiry_mismatch",), {"verified": False, "verificationFailureReason": "No_match_GTIN_Serial_Expiry"}),
    (Verdict.COUNTERFEIT, ("lot_mismatch", "expiry_mismatch"), {"verified": False, "verificationFailureReason": "No_match_GTIN_Serial_Lot_Expiry"}),
]  # fmt: skip


@pytest.mark.parametrize(("verdict", "reasons", "expected"), GS1_RESPONSES)
def test_the_gs1_verification_response_uses_only_the_guideline_codes(
    verdict: Verdict, reasons: tuple[str, ...], expected: dict[str, object]
) -> None:
    at = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.UTC)
    result = VerificationResult(
        scan_id=1, verdict=verdict, first_scan=True, scan_count=1, first_scanned=None,
        reasons=reasons, message="", product=None, place=UNKNOWN_PLACE, at=at,
    )  # fmt: skip
    assert result.gs1_verification_response() == {
        "verificationTimestamp": "2026-11-20T08:30:00Z",
        **expected,
    }
