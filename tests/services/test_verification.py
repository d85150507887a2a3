"""Verification: verdicts, the scan log, the detectors and the alert workflow, played as the
stories of the design (Kuala Lumpur, the 42 clones, Distributor A's leak, the guesser, the
recall), on SQLite and PostgreSQL. Results are compared whole."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from tests.services.issued_units import ADMIN, DIST_A, GTIN, LINE, VERIFIER, issue, serial_of
from unitrace.gs1 import Gtin
from unitrace.places import UNKNOWN_PLACE, Place
from unitrace.registry.detection import ProductRules
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.alert_workflow import get_alert, list_alerts, update_alert
from unitrace.services.catalog import (
    effective_rules,
    register_lot,
    register_party,
    register_product,
    set_detection_rules,
)
from unitrace.services.lifecycle import allocate, commission, inspect, set_lot_status
from unitrace.services.pharmacy import dispense_pack, verify_pack
from unitrace.services.verification import (
    DetectionRules,
    FirstScan,
    ProductInfo,
    ScanRequest,
    Verdict,
    VerificationResult,
    client_is_throttled,
    verify,
)
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

EXPIRY = dt.date(2030, 12, 31)
T1 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
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


def test_a_guesser_is_known_by_its_address_whatever_client_ids_it_sends(world: Database) -> None:
    """A public scan's caller is its address: counterfeit answers are counted per address, so
    ids rotated from one address add up, and an id sent from many addresses adds up nowhere."""

    def guess(n: int, client: str, address: str) -> VerificationResult:
        with world.unit_of_work() as uow:
            request = ScanRequest(
                code(1).replace("S00001", f"G{n:05d}"),
                client=client,
                address=address,
                at=T1 + n * dt.timedelta(seconds=5),
            )
            result = verify(uow, request)
            uow.commit()
        return result

    rotating = [guess(n, f"app-{n}", "ip:guesser") for n in range(11)]
    assert [g.throttled for g in rotating] == [False] * 9 + [True] * 2
    spread = [guess(100 + n, "brand-app", f"ip:phone-{n}") for n in range(11)]
    assert not any(g.throttled for g in spread)
    later = T1 + 2 * dt.timedelta(minutes=1)
    with world.unit_of_work() as uow:
        assert client_is_throttled(uow, "anything", later, address="ip:guesser")
        assert not client_is_throttled(uow, "brand-app", later, address="ip:phone-1")
        assert not client_is_throttled(uow, "app-3", later, address="ip:phone-1")
        (guessing,) = list_alerts(uow, actor=ADMIN, type="guessing")
    assert guessing.subject == "client:ip:guesser"


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


@pytest.mark.parametrize(
    ("failed", "passed"),
    [
        (code(5), code(5)),
        ("(01)09506000134352(10)L1", "(01)09506000134352(10)L1"),
    ],
)
def test_a_unit_on_hold_is_answered_inactive_until_a_pass_releases_it(
    world: Database, failed: str, passed: str
) -> None:
    with world.unit_of_work() as uow:
        inspect(uow, targets=[failed], result="fail", actor=ADMIN, at=T1 - HOUR)
        uow.commit()
    held = scan(world, code(5))
    assert (held.verdict, held.reasons, held.message) == (
        Verdict.INACTIVE,
        ("on_hold",),
        "This pack is on hold after a failed inspection. Do not use it; contact the brand.",
    )
    with world.unit_of_work() as uow:
        (alert,) = list_alerts(uow, actor=ADMIN, type="lifecycle")
        inspect(uow, targets=[passed], result="pass", actor=ADMIN, at=T1)
        uow.commit()
    assert alert.evidence["hold"] == "inspection"
    assert scan(world, code(5), at=T1 + MINUTE).verdict is Verdict.GENUINE


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


# --- detection rules per product ---------------------------------------------------------------

#: A scan of unit 85 (Distributor B's, no territory): where, by whom, minutes after T1.
Sighted = tuple[tuple[float, float], str, int]
FOUR_STATES: list[Sighted] = [
    (KUALA_LUMPUR, "a", 0), (PENANG, "b", 360), (JOHOR_BAHRU, "c", 720), (IPOH, "d", 1080)
]  # fmt: skip
THREE_PHONES_IN_KL: list[Sighted] = [(KUALA_LUMPUR, "a", 0), (KUALA_LUMPUR, "b", 60),
                                     (KUALA_LUMPUR, "c", 120)]  # fmt: skip
KL_THEN_PENANG_IN_AN_HOUR: list[Sighted] = [(KUALA_LUMPUR, "a", 0), (PENANG, "b", 60)]
KL_THEN_PENANG_IN_TEN_MINUTES: list[Sighted] = [(KUALA_LUMPUR, "a", 0), (PENANG, "b", 10)]


@pytest.mark.parametrize(
    ("trail", "product_rules", "service_rules", "reasons"),
    [
        (FOUR_STATES, {}, None, ("too_many_places",)),
        (FOUR_STATES, {"max_places": 4}, None, ()),
        (FOUR_STATES, {"history": 2}, None, ()),
        (THREE_PHONES_IN_KL, {}, None, ()),
        (THREE_PHONES_IN_KL, {"max_clients": 2}, None, ("too_many_scans",)),
        (THREE_PHONES_IN_KL, {}, DetectionRules(max_clients=2), ("too_many_scans",)),
        (THREE_PHONES_IN_KL, {"max_clients": 3}, DetectionRules(max_clients=2), ()),
        (THREE_PHONES_IN_KL, {"max_places": 8}, DetectionRules(max_clients=2), ("too_many_scans",)),
        (KL_THEN_PENANG_IN_AN_HOUR, {}, None, ()),
        (KL_THEN_PENANG_IN_AN_HOUR, {"max_speed_kmh": 250}, None, ("impossible_travel",)),
        (KL_THEN_PENANG_IN_TEN_MINUTES, {}, None, ("impossible_travel",)),
        (KL_THEN_PENANG_IN_TEN_MINUTES, {"min_travel_km": 400}, None, ()),
        (KL_THEN_PENANG_IN_TEN_MINUTES, {"max_speed_kmh": 2000}, None, ()),
    ],
)
def test_the_same_scans_are_judged_by_the_products_own_rules(
    world: Database,
    trail: list[Sighted],
    product_rules: dict[str, object],
    service_rules: DetectionRules | None,
    reasons: tuple[str, ...],
) -> None:
    with world.unit_of_work() as uow:
        set_detection_rules(uow, gtin=GTIN.value, rules=product_rules, actor=ADMIN)
        uow.commit()
    results = [
        scan(world, code(85), where, client=client, at=T1 + minutes * MINUTE, rules=service_rules)
        for where, client, minutes in trail
    ]
    assert [r.reasons for r in results[:-1]] == [()] * (len(trail) - 1)
    verdict = Verdict.SUSPICIOUS if reasons else Verdict.GENUINE
    assert (results[-1].verdict, results[-1].reasons) == (verdict, reasons)
    assert bool(results[-1].alerts) == bool(reasons)


@pytest.mark.parametrize(
    ("before_shipping", "verdict"), [(True, Verdict.SUSPICIOUS), (False, Verdict.GENUINE)]
)
def test_a_product_may_be_scanned_before_shipping(
    world: Database, before_shipping: bool, verdict: Verdict
) -> None:
    with world.unit_of_work() as uow:
        set_detection_rules(
            uow, gtin=GTIN.value, rules={"before_shipping": before_shipping}, actor=ADMIN
        )
        uow.commit()
    # unit 120 is commissioned and was never shipped
    assert scan(world, code(120)).verdict is verdict


@pytest.mark.parametrize("evidence_scans", [2, 5])
def test_an_alert_keeps_as_many_scans_as_the_product_says(
    world: Database, evidence_scans: int
) -> None:
    with world.unit_of_work() as uow:
        set_detection_rules(
            uow, gtin=GTIN.value, rules={"evidence_scans": evidence_scans}, actor=ADMIN
        )
        uow.commit()
    results = [
        scan(world, code(85), where, client=f"phone-{n}", at=T1 + 6 * n * HOUR)
        for n, where in enumerate([KUALA_LUMPUR, PENANG, JOHOR_BAHRU, IPOH, KUCHING] * 2)
    ]
    with world.unit_of_work() as uow:
        (alert,) = list_alerts(uow, actor=ADMIN, type="clone")
    # the clone alert is raised on the 4th scan, and 7 scans add to it
    assert [s["scan_id"] for s in alert.evidence["scans"]] == [r.scan_id for r in results[3:]][
        -evidence_scans:
    ]


def test_a_products_rules_cost_no_query(world: Database) -> None:
    """The rules come with the product, which the hot path reads anyway."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        scan(world, code(85))
        without = len(statements)
        with world.unit_of_work() as uow:
            set_detection_rules(uow, gtin=GTIN.value, rules={"max_places": 9}, actor=ADMIN)
            uow.commit()
        statements.clear()
        scan(world, code(86))
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    assert len(statements) == without


BAD_PRODUCT_RULES = [
    ({"guess_limit": 3}, "detection_rules.guess_limit: is service-wide"),
    ({"guess_window": 60}, "detection_rules.guess_window: is service-wide"),
    ({"max_speed": 100}, "detection_rules.max_speed: is not a detection rule (max_clients, max_places, max_speed_kmh, min_travel_km, history, before_shipping, evidence_scans, block_flagged_units)"),
    ({"max_clients": True}, "detection_rules.max_clients: True is not a whole number from 1"),
    ({"max_clients": 2.0}, "detection_rules.max_clients: 2.0 is not a whole number from 1"),
    ({"max_places": 0}, "detection_rules.max_places: 0 is not a whole number from 1"),
    ({"history": 5000}, "detection_rules.history: 5000 is not a whole number from 1 to 1,000"),
    ({"max_speed_kmh": float("nan")}, "detection_rules.max_speed_kmh: nan is not a number above 0"),
    ({"max_speed_kmh": float("inf")}, "detection_rules.max_speed_kmh: inf is not a number above 0"),
    ({"max_speed_kmh": "fast"}, "detection_rules.max_speed_kmh: 'fast' is not a number"),
    ({"min_travel_km": -0.5}, "detection_rules.min_travel_km: -0.5 is not a number from 0"),
    ({"before_shipping": 1}, "detection_rules.before_shipping: 1 is not true or false"),
    ({"block_flagged_units": "yes"}, "detection_rules.block_flagged_units: 'yes' is not true or false"),
    ({"max_clients": 2, "history": 0}, "detection_rules.history: 0 is not a whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("rules", "message"), BAD_PRODUCT_RULES)
def test_bad_product_rules_are_refused_and_change_nothing(
    world: Database, rules: dict[str, object], message: str
) -> None:
    with world.unit_of_work() as uow:
        set_detection_rules(uow, gtin=GTIN.value, rules={"max_clients": 7}, actor=ADMIN)
        uow.commit()
    for replace_all in (True, False):
        with world.unit_of_work() as uow:
            with pytest.raises(InvalidRequest) as refused:
                set_detection_rules(
                    uow, gtin=GTIN.value, rules=rules, actor=ADMIN, replace_all=replace_all
                )
            assert str(refused.value).startswith(message)
            uow.commit()
    with world.unit_of_work() as uow:
        with pytest.raises(InvalidRequest):
            register_product(
                uow, gtin="04012345000009", name="Zinc", actor=ADMIN, detection_rules=rules
            )
        uow.commit()
    with world.unit_of_work(read_only=True) as uow:
        found = uow.products.get(GTIN)
        assert found is not None
        assert found.detection_rules.given == {"max_clients": 7}
        assert uow.products.get(Gtin("04012345000009")) is None
        assert [row.action for row in uow.audit.of(GTIN.value)][-1] == "product.detection_rules_set"
        assert len(uow.audit.of(GTIN.value)) == 2


def test_changing_some_rules_keeps_the_others(world: Database) -> None:
    with world.unit_of_work() as uow:
        set_detection_rules(uow, gtin=GTIN.value, rules={"max_clients": 7}, actor=ADMIN)
        merged = set_detection_rules(
            uow, gtin=GTIN.value, rules={"max_places": 2}, actor=ADMIN, replace_all=False
        )
        uow.commit()
    with world.unit_of_work(read_only=True) as uow:
        assert uow.products.get(GTIN) == merged
    assert merged.detection_rules == ProductRules(max_clients=7, max_places=2)
    assert effective_rules(merged) == {
        "max_clients": 7, "max_places": 2, "max_speed_kmh": 900.0, "min_travel_km": 50.0,
        "history": 50, "before_shipping": True, "evidence_scans": 50, "block_flagged_units": False,
    }  # fmt: skip


# --- impossible travel between places sent as codes -------------------------------------------

#: Places as a scanner sends them: coordinates, or codes.
Sent = dict[str, object]
KL_CITY: Sent = {"city": "Kuala Lumpur", "country": "MY"}
PARIS: Sent = {"city": "Paris", "country": "FR"}


def sent(lat_lon: tuple[float, float]) -> Sent:
    return {"latitude": lat_lon[0], "longitude": lat_lon[1]}


@pytest.mark.parametrize(
    ("first", "second", "minutes", "approximate"),
    [
        # the story: a city sent by code, then Paris an hour later
        (KL_CITY, PARIS, 60, True),
        (KL_CITY, {"country": "FR"}, 60, True),
        (PARIS, KL_CITY, 10 * 60, True),
        # the same large country twice, a minute apart: no proof of travel at all
        ({"country": "US"}, {"country": "US"}, 1, None),
        ({"country": "MY"}, {"region": "MY-12"}, 1, None),
        ({"country": "MY"}, sent(KUCHING), 1, None),
        # neighbouring states: the least distance between them is short
        ({"region": "MY-14"}, {"region": "MY-07"}, 10, None),
        ({"region": "MY-14"}, {"country": "SG"}, 10, None),
        (sent(KUALA_LUMPUR), {"country": "SG"}, 10, None),
        # a region against measured coordinates 300 km off, ten minutes later
        ({"region": "MY-14"}, sent(PENANG), 10, True),
        ({"region": "MY-14"}, sent(PENANG), 30, None),
        # countries half the world apart: within the hour, not within twelve
        ({"country": "FR"}, {"country": "MY"}, 60, True),
        ({"country": "FR"}, {"country": "MY"}, 12 * 60, None),
        # a city name shared across a country: wide, yet not wide enough to hide an ocean
        (PARIS, {"city": "Paris", "country": "US"}, 120, True),
        # a city unknown in its country counts as the country
        ({"city": "Atlantis", "country": "SG"}, {"region": "MY-12"}, 30, True),
        # nowhere on the map: nothing to measure
        (sent(KUALA_LUMPUR), {"country": "AQ"}, 1, None),
        ({"city": "Paris"}, KL_CITY, 1, None),
        # both measured, as before
        (sent(KUALA_LUMPUR), sent(PENANG), 10, False),
    ],
)
def test_travel_between_places_sent_as_codes(
    world: Database, first: Sent, second: Sent, minutes: int, approximate: bool | None
) -> None:
    """``approximate`` None: no travel finding; else impossible travel, on positions that
    were (or were not) approximate."""
    scans = []
    for n, where in enumerate((first, second)):
        with world.unit_of_work() as uow:
            request = ScanRequest(
                code(88), client=f"phone-{n}", at=T1 + n * minutes * MINUTE, **where
            )  # type: ignore[arg-type]
            scans.append(verify(uow, request))
            uow.commit()
    # the product is sold in MY and SG only: scans elsewhere are grey market besides
    travel_found = ["impossible_travel" in result.reasons for result in scans]
    if approximate is None:
        assert travel_found == [False, False]
        return
    assert travel_found == [False, True]
    with world.unit_of_work() as uow:
        travel = get_alert(uow, scans[1].alerts[0], ADMIN).evidence["travel"]
    assert travel["approximate"] is approximate
    assert (travel["from"], travel["to"]) == (scans[0].place.label, scans[1].place.label)
    assert travel["km_per_hour"] > 900
    uncertainty = travel["uncertainty_km"]
    assert (uncertainty["from"] + uncertainty["to"] > 0) is approximate


def test_an_approximate_place_between_does_not_hide_a_measured_one(world: Database) -> None:
    """Kuala Lumpur measured, then "somewhere in Malaysia" (it could be either city), then
    George Town measured ten minutes after the first: Malaysia alone proves nothing, the
    measured Kuala Lumpur 300 km away does."""
    trail: list[tuple[Sent, int]] = [
        (sent(KUALA_LUMPUR), 0),
        ({"country": "MY"}, 1),
        (sent(PENANG), 10),
    ]
    results = []
    for n, (where, minutes) in enumerate(trail):
        with world.unit_of_work() as uow:
            request = ScanRequest(code(89), client=f"p{n}", at=T1 + minutes * MINUTE, **where)  # type: ignore[arg-type]
            results.append(verify(uow, request))
            uow.commit()
    assert ["impossible_travel" in r.reasons for r in results] == [False, False, True]
