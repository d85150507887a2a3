"""Demo data for a first look: a supplements brand with three products, two lots each, two
distributors with territories and a pharmacy, a few thousand units issued and commissioned,
some packed into cases on a pallet and shipped, some allocated by seq range, some sent to the
pharmacy, and a few scans that raised alerts (a unit of Singapore's distributor scanned in
Kuala Lumpur; a unit scanned in Kuala Lumpur and in London minutes apart); the admin token to
try it with, a new one each time, the one made before revoked; and the units worth opening."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from unitrace.gs1 import Gtin
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.places import Place, locate
from unitrace.registry.model import Actor, UnitState
from unitrace.services import catalog, lifecycle
from unitrace.services.console_users import create_user, set_password
from unitrace.services.serialization import IssuedCode, issue_serials, request_codes
from unitrace.services.tokens import create_token, list_tokens, revoke_token
from unitrace.services.verification import ScanRequest, verify
from unitrace.store.alerts import AlertFilter
from unitrace.store.scans import ScanEntry
from unitrace.store.unit_of_work import UnitOfWork

PRODUCTS = (
    ("09506000134352", "Vitamin C 500 mg, 60 tablets"),
    ("09506000134369", "Omega-3 fish oil 1000 mg, 90 capsules"),
    ("09506000134376", "Zinc + D3 lozenges, 30"),
)
#: The case a unit of the first product ships in: indicator digit 1 of the same item.
CASE_GTIN = "19506000134359"
COMPANY_PREFIX_LENGTH = 7
LOTS = (("L2611A", dt.date(2028, 6, 30)), ("L2612B", dt.date(2028, 12, 31)))
DIST_A_TERRITORY = ("MY-14", "MY-10")
PARTIES = (
    ("sunrise", "Sunrise Nutrition Sdn Bhd", "brand", (), "9506000000008"),
    ("dist-a", "Distributor A (Kuala Lumpur & Selangor)", "distributor", DIST_A_TERRITORY,
     "9520123456788"),
    ("dist-b", "Distributor B (Singapore)", "distributor", ("SG",), None),
    ("pharmacy-bangsar", "Bangsar Community Pharmacy", "pharmacy", ("MY-14",), None),
)  # fmt: skip
UNITS_PER_LOT = 1000
CASES, UNITS_PER_CASE = 10, 50
#: The seq ranges of the first lot of the first product that go to Distributor B and to the
#: pharmacy (the first 500 are packed on the pallet shipped to Distributor A).
DIST_B_SEQS = (501, 800)
PHARMACY_SEQS = (801, 850)
#: The units whose scans raise the demo's alerts, by seq: one of Distributor B's (Singapore),
#: scanned in Kuala Lumpur, and one of Distributor A's, scanned in Kuala Lumpur then London.
GREY_MARKET_SEQ, CLONED_SEQ = 501, 2
KUALA_LUMPUR, LONDON = (3.139, 101.6869), (51.5072, -0.1276)
#: The demo's scan history: the consumers' scans of the past weeks, as a brand with this
#: traffic would have them (the console's overview and map show them): Distributor A's units of
#: the second product in Kuala Lumpur and Selangor, the brand's own units of the third across
#: Malaysia and Singapore, and a few counterfeit codes.
HISTORY_DAYS = 60
HISTORY_PLACES = {
    "dist-a": ((3.139, 101.6869), (3.0733, 101.5185), (2.92, 101.65)),
    "brand": ((5.4141, 100.3288), (1.4927, 103.7414), (4.5975, 101.0901), (3.139, 101.6869),
              (1.3521, 103.8198)),
}  # fmt: skip
#: The steps :func:`seed_demo` reports to its ``progress``.
DEMO_STEPS = 10
#: The label of the admin token the demo makes (``make run`` prints it).
DEMO_TOKEN_LABEL = "make run"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    products: int
    lots: int
    parties: int
    units: int
    shipped: int
    alerts: int


def demo_seeded(uow: UnitOfWork) -> bool:
    return uow.products.get(Gtin(PRODUCTS[0][0])) is not None


def seed_demo(
    uow: UnitOfWork, *, actor: Actor, progress: Callable[[int], None] | None = None
) -> DemoSummary:
    """Fill an empty registry with the demo brand; ``progress`` hears the steps done (of
    :data:`DEMO_STEPS`)."""
    step = 0

    def done() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step)

    for gtin, name in PRODUCTS:
        catalog.register_product(
            uow,
            gtin=gtin,
            name=name,
            company_prefix_length=COMPANY_PREFIX_LENGTH,
            target_markets=("MY", "SG"),
            storage_conditions="Store below 25 °C",
            actor=actor,
        )
    for party_id, name, role, territory, gln in PARTIES:
        catalog.register_party(
            uow, id=party_id, name=name, role=role, territory=territory, gln=gln, actor=actor
        )
    done()
    requests = []
    for gtin, _ in PRODUCTS:
        for lot, expiry in LOTS:
            catalog.register_lot(
                uow, gtin=gtin, lot=lot, expiry=expiry, site="Penang plant", actor=actor
            )
            requests.append(
                issue_serials(
                    uow, gtin=gtin, lot=lot, count=UNITS_PER_LOT, commission=True, actor=actor
                )
            )
            done()
    first = [code.identity.hri() for code in request_codes(uow, requests[0].id)]
    pallet = sscc("09506000123456789")
    for case in range(CASES):
        units = first[case * UNITS_PER_CASE : (case + 1) * UNITS_PER_CASE]
        lifecycle.aggregate(uow, parent=case_code(case + 1), children=units, actor=actor)
    lifecycle.aggregate(
        uow, parent=pallet, children=[case_code(n + 1) for n in range(CASES)], actor=actor
    )
    shipped = lifecycle.ship(uow, codes=[pallet], party="dist-a", actor=actor).units
    for party, (seq_from, seq_to) in (("dist-b", DIST_B_SEQS), ("pharmacy-bangsar", PHARMACY_SEQS)):
        shipped += lifecycle.allocate(
            uow, party=party, gtin=PRODUCTS[0][0], lot=LOTS[0][0], seq_from=seq_from,
            seq_to=seq_to, actor=actor,
        ).units  # fmt: skip
    shipped += lifecycle.allocate(
        uow, party="dist-a", gtin=PRODUCTS[1][0], lot=LOTS[0][0], seq_from=1, seq_to=200,
        actor=actor,
    ).units  # fmt: skip
    lifecycle.change_state(uow, codes=first[900:903], to=UnitState.DESTROYED, actor=actor)
    done()
    # the weeks before: logged first, as they came first
    scan_history(uow, held_by_dist_a=requests[2].id, brands_own=requests[4].id)
    done()
    scans = (
        (first[GREY_MARKET_SEQ - 1], KUALA_LUMPUR, "demo-phone-1"),
        (first[CLONED_SEQ - 1], KUALA_LUMPUR, "demo-phone-2"),
        (first[CLONED_SEQ - 1], LONDON, "demo-phone-3"),
    )
    for code, (latitude, longitude), client in scans:
        verify(uow, ScanRequest(code=code, latitude=latitude, longitude=longitude, client=client))
    # every scan counted now: no service may run to count them for a while
    uow.scan_counts.count_now()
    done()
    alerts = len(uow.alerts.find(AlertFilter()))
    return DemoSummary(
        products=len(PRODUCTS),
        lots=len(PRODUCTS) * len(LOTS),
        parties=len(PARTIES),
        units=len(requests) * UNITS_PER_LOT,
        shipped=shipped,
        alerts=alerts,
    )


def scan_history(uow: UnitOfWork, *, held_by_dist_a: int, brands_own: int) -> int:
    """Log the demo's scan history (:data:`HISTORY_DAYS` days up to yesterday, a little more
    each week), straight into the scan log as verification logs a genuine scan;
    returns how many. Its units are none that the demo's alerts or pages point at."""
    chance = random.Random(2611)
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    pools = {
        "dist-a": list(request_codes(uow, held_by_dist_a))[:200],
        "brand": list(request_codes(uow, brands_own))[:400],
    }
    scanned: set[str] = set()
    logged = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        for _ in range(3 + (HISTORY_DAYS - days_ago) // 7 + chance.randrange(4)):
            holder = "dist-a" if chance.random() < 0.4 else "brand"
            latitude, longitude = chance.choice(HISTORY_PLACES[holder])
            place = locate(lat=latitude + chance.uniform(-0.05, 0.05),
                           lon=longitude + chance.uniform(-0.05, 0.05))  # fmt: skip
            if holder == "dist-a" and place.region not in DIST_A_TERRITORY:
                # within its territory, as a distributor's genuine sales are
                place = locate(lat=latitude, lon=longitude)
            at = day + dt.timedelta(seconds=chance.randrange(8 * 3600, 22 * 3600))
            if chance.random() < 0.03:
                _log_counterfeit(uow, chance, at, place)
            else:
                code = chance.choice(pools[holder])
                _log_genuine(uow, code, at, place, holder, first=code.serial not in scanned)
                scanned.add(code.serial)
            logged += 1
    return logged


def _log_genuine(
    uow: UnitOfWork, code: IssuedCode, at: dt.datetime, place: Place, holder: str, *, first: bool
) -> None:
    gtin = code.identity.gtin
    product_id = uow.products.id_of(gtin)
    uow.scans.add(
        ScanEntry(
            at=at, raw=code.identity.digital_link(DEMO_RESOLVER), verdict="genuine",
            reasons=(), known=True, place=place,
            product_id=product_id, serial=code.serial, gtin=gtin.value, lot=code.identity.lot,
            unit_lot=code.identity.lot, expiry=code.identity.expiry.date if code.identity.expiry
            else None, custodian_id=None if holder == "brand" else holder,
            first_scan=first, client="demo-history",
        )
    )  # fmt: skip


def _log_counterfeit(uow: UnitOfWork, chance: random.Random, at: dt.datetime, place: Place) -> None:
    serial = "".join(chance.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))
    gtin = PRODUCTS[2][0]
    uow.scans.add(
        ScanEntry(
            at=at, raw=f"(01){gtin}(21){serial}", verdict="counterfeit",
            reasons=("not_issued",), known=False, place=place, product_id=uow.products.id_of(
                Gtin(gtin)), serial=serial, gtin=gtin, client="demo-history",
        )
    )  # fmt: skip


#: The resolver the demo history's scans name (their raw code, as a phone would send it).
DEMO_RESOLVER = "https://id.gs1.org"


@dataclass(frozen=True, slots=True)
class DemoToken:
    token: str
    #: the demo's earlier tokens, revoked in its place
    revoked: tuple[int, ...]


def demo_token(uow: UnitOfWork, *, actor: Actor) -> DemoToken:
    """A new admin token for the demo, the ones it made before revoked: a token is kept as a
    hash, so the one printed last time cannot be shown again, and each ``make run`` would
    otherwise leave one more admin token alive. Tokens made any other way are left alone."""
    earlier = tuple(
        token.id
        for token in list_tokens(uow)
        if token.label == DEMO_TOKEN_LABEL and token.role == "admin" and token.revoked_at is None
    )
    for token_id in earlier:
        revoke_token(uow, token_id, actor=actor)
    return DemoToken(create_token(uow, role="admin", label=DEMO_TOKEN_LABEL, actor=actor), earlier)


#: The console users the demo signs in as: the brand's admin, and Distributor A's user, who
#: sees only what Distributor A holds.
DEMO_USERS = (
    ("admin@sunrise.example", "admin", None),
    ("orders@dist-a.example", "distributor", "dist-a"),
)


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    role: str
    party: str | None
    #: new each run (the one before no longer signs in)
    password: str


def demo_console_users(uow: UnitOfWork, *, actor: Actor) -> list[DemoUser]:
    """The demo's console users, each with a new password: made the first time, given a new
    password (their sessions ended) each time after, as the demo's token is replaced."""
    made = []
    for email, role, party in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        if uow.console_users.by_email(email) is None:
            create_user(uow, email=email, password=password, role=role, party=party, actor=actor)
        else:
            set_password(uow, email, password, actor=actor)
        made.append(DemoUser(email, role, party, password))
    return made


@dataclass(frozen=True, slots=True)
class DemoUnits:
    """Units of the demo worth opening, each as its Digital Link on the service's address."""

    #: on the pallet shipped to Distributor A, never scanned by the demo: a genuine answer
    genuine: str
    #: at the pharmacy, for the pharmacist's verify and dispense
    pharmacy: str
    #: the GTIN and serial of the genuine unit, for the API's unit view
    gtin: str
    serial: str


def demo_units(uow: UnitOfWork, resolver_base: str) -> DemoUnits | None:
    """The demo's units to show a person, their Digital Links on ``resolver_base`` (the address
    the service is reached at); ``None`` where the demo data is not there."""
    if not demo_seeded(uow):
        return None
    codes = list(request_codes(uow, 1))
    genuine, pharmacy = codes[UNITS_PER_CASE], codes[PHARMACY_SEQS[0] - 1]
    return DemoUnits(
        genuine=genuine.identity.digital_link(resolver_base),
        pharmacy=pharmacy.identity.digital_link(resolver_base),
        gtin=genuine.identity.gtin.value,
        serial=genuine.serial,
    )


def case_code(number: int) -> str:
    return f"(01){CASE_GTIN}(21)C{number:04d}"


def sscc(payload: str) -> str:
    """The SSCC code of a pallet: extension digit, company prefix and serial reference."""
    return f"(00){payload}{gs1_check_digit(payload)}"
