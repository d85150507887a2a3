"""Demo data for a first look: a supplements brand with three products, two lots each, two
distributors with territories and a pharmacy, a few thousand units issued and commissioned,
some packed into cases on a pallet and shipped, some allocated by seq range, some sent to the
pharmacy, and a few scans that raised alerts (a unit of Singapore's distributor scanned in
Kuala Lumpur; a unit scanned in Kuala Lumpur and in London minutes apart); the admin token to
try it with, a new one each time, the one made before revoked; and the units worth opening."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from unitrace.gs1 import Gtin
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, UnitState
from unitrace.services import catalog, lifecycle
from unitrace.services.console_users import create_user, set_password
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.tokens import create_token, list_tokens, revoke_token
from unitrace.services.verification import ScanRequest, verify
from unitrace.store.alerts import AlertFilter
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
PARTIES = (
    ("sunrise", "Sunrise Nutrition Sdn Bhd", "brand", (), "9506000000008"),
    ("dist-a", "Distributor A (Kuala Lumpur & Selangor)", "distributor", ("MY-14", "MY-10"),
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
#: The steps :func:`seed_demo` reports to its ``progress``.
DEMO_STEPS = 9
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
    scans = (
        (first[GREY_MARKET_SEQ - 1], KUALA_LUMPUR, "demo-phone-1"),
        (first[CLONED_SEQ - 1], KUALA_LUMPUR, "demo-phone-2"),
        (first[CLONED_SEQ - 1], LONDON, "demo-phone-3"),
    )
    for code, (latitude, longitude), client in scans:
        verify(uow, ScanRequest(code=code, latitude=latitude, longitude=longitude, client=client))
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
