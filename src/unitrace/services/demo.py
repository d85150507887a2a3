"""Demo data for a first look: a supplements brand with three products, two lots each, two
distributors with territories and a pharmacy, a few thousand units issued and commissioned,
some packed into cases on a pallet and shipped, some allocated by seq range; and the admin
token to try it with, a new one each time, the one made before revoked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from unitrace.gs1 import Gtin
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, UnitState
from unitrace.services import catalog, lifecycle
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.tokens import create_token, list_tokens, revoke_token
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
    ("dist-a", "Distributor A (Kuala Lumpur & Selangor)", "distributor", ("MY-14", "MY-10"),
     "9520123456788"),
    ("dist-b", "Distributor B (Singapore)", "distributor", ("SG",), None),
    ("pharmacy-bangsar", "Bangsar Community Pharmacy", "pharmacy", ("MY-14",), None),
)  # fmt: skip
UNITS_PER_LOT = 1000
CASES, UNITS_PER_CASE = 10, 50
#: The label of the admin token the demo makes (``make run`` prints it).
DEMO_TOKEN_LABEL = "make run"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    products: int
    lots: int
    parties: int
    units: int
    shipped: int


def demo_seeded(uow: UnitOfWork) -> bool:
    return uow.products.get(Gtin(PRODUCTS[0][0])) is not None


def seed_demo(
    uow: UnitOfWork, *, actor: Actor, progress: Callable[[int], None] | None = None
) -> DemoSummary:
    """Fill an empty registry with the demo brand; ``progress`` hears the steps done (of 8)."""
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
    shipped += lifecycle.allocate(
        uow, party="dist-b", gtin=PRODUCTS[0][0], lot=LOTS[0][0], seq_from=501, seq_to=800,
        actor=actor,
    ).units  # fmt: skip
    shipped += lifecycle.allocate(
        uow, party="dist-a", gtin=PRODUCTS[1][0], lot=LOTS[0][0], seq_from=1, seq_to=200,
        actor=actor,
    ).units  # fmt: skip
    lifecycle.change_state(uow, codes=first[900:903], to=UnitState.DESTROYED, actor=actor)
    done()
    return DemoSummary(
        products=len(PRODUCTS),
        lots=len(PRODUCTS) * len(LOTS),
        parties=len(PARTIES),
        units=len(requests) * UNITS_PER_LOT,
        shipped=shipped,
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


def sample_unit(uow: UnitOfWork) -> tuple[str, str] | None:
    """The GTIN and serial of the first demo unit, to show a person where to look."""
    product = uow.products.get(Gtin(PRODUCTS[0][0]))
    if product is None:
        return None
    code = next(request_codes(uow, 1), None)
    return None if code is None else (code.identity.gtin.value, code.serial)


def case_code(number: int) -> str:
    return f"(01){CASE_GTIN}(21)C{number:04d}"


def sscc(payload: str) -> str:
    """The SSCC code of a pallet: extension digit, company prefix and serial reference."""
    return f"(00){payload}{gs1_check_digit(payload)}"
