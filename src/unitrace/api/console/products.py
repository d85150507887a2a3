"""``/console/products``, ``/console/products/{gtin}`` and ``/console/lots/{gtin}/{lot}``: the
catalog with its serial formats and guess probabilities, a product's lots and detection rules
(which an admin edits here, through the service and the checks of
``PUT /api/products/{gtin}/detection-rules``), and a lot's units by state and custodian with its
latest scans.

Who sees what is :mod:`unitrace.services.product_figures`'s rule: the brand's people see the
whole catalog; a distributor's user the products and lots its party holds units of, and no
other ("not found", as an unknown one).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.answers import BrandLinkOut
from unitrace.api.console.cold_chain_words import page_section
from unitrace.api.console.figures import big_number
from unitrace.api.console.pages import NO_STORE, console_page, console_problem
from unitrace.api.console.session import Signed, SignedIn
from unitrace.api.problems import problem_for
from unitrace.registry.detection import DEFAULT_RULES, PRODUCT_RULES
from unitrace.registry.errors import Refused
from unitrace.registry.model import Role
from unitrace.services import brand_links, catalog
from unitrace.services.product_figures import (
    ProductView,
    lot_view,
    product_page,
    product_view,
)
from unitrace.store.unit_of_work import Database

router = APIRouter(include_in_schema=False)

#: How each detection rule is named and explained on the product's page.
RULE_LABELS: dict[str, tuple[str, str]] = {
    "max_clients": ("Most clients", "clone: more distinct clients than this scan one code"),
    "max_places": ("Most places", "clone: more distinct regions (else countries) than this"),
    "max_speed_kmh": ("Fastest travel (km/h)", "clone: faster than this between two scans"),
    "min_travel_km": ("Least travel (km)", "distances below this are never travel"),
    "history": ("Scans looked at", "a unit's last scans the detectors read, 1 to 1,000"),
    "before_shipping": (
        "Scanned before shipping",
        "grey market: a unit scanned by the public before it ever left the brand",
    ),
    "evidence_scans": ("Evidence kept", "scans an alert's evidence keeps, 1 to 1,000"),
    "block_flagged_units": (
        "Block flagged units",
        "a unit under an open clone or grey-market alert answers counterfeit until closed",
    ),
}
#: The rules that are on or off (a choice of default, on, off in the form).
SWITCHES = frozenset({"before_shipping", "block_flagged_units"})
NOT_ALLOWED_TO_EDIT = "only an admin may change a product's detection rules"


@router.get("/console/products")
def products(
    request: Request,
    signed: SignedIn,
    after: Annotated[str | None, Query(max_length=14)] = None,
) -> HTMLResponse:
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            page = product_page(uow, actor=signed.actor, after=after)
    except Refused as refusal:
        return console_problem(request, signed, problem_for(refusal).status, str(refusal))
    return console_page(
        request, signed, "products.html", title="Products", page=page, after=after, big=big_number
    )


@router.get("/console/products/{gtin}")
def product(
    request: Request,
    signed: SignedIn,
    gtin: str,
    saved: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    try:
        view = _product_view(request, signed, gtin)
    except Refused as refusal:
        return console_problem(request, signed, _hidden(refusal), str(refusal))
    return _product_page(request, signed, view, saved=saved == "rules")


@router.post("/console/products/{gtin}/detection-rules")
async def set_detection_rules(request: Request, signed: SignedIn, gtin: str) -> Response:
    """Replace the product's own detection rules, as ``PUT /api/products/{gtin}/detection-
    rules`` does: a field left empty (or at "default") follows the service's default."""
    if signed.role is not Role.ADMIN:
        return console_problem(request, signed, 403, NOT_ALLOWED_TO_EDIT)
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in PRODUCT_RULES}
    rules = {name: _rule_value(name, text) for name, text in typed.items() if text}
    rules = {name: value for name, value in rules.items() if value is not None}
    database: Database = request.app.state.database
    try:
        with database.unit_of_work() as uow:
            catalog.set_detection_rules(uow, gtin=gtin, rules=rules, actor=signed.actor)
            uow.commit()
    except Refused as refusal:
        message = str(refusal)
        field = message.partition(":")[0].removeprefix("detection_rules.")
        if field not in PRODUCT_RULES:
            return console_problem(request, signed, _hidden(refusal), message)
        view = _product_view(request, signed, gtin)
        return _product_page(
            request, signed, view, typed=typed, errors={field: message}, status=422
        )
    key = catalog.parse_gtin(gtin).value
    where = f"/console/products/{key}?saved=rules#detection-rules"
    return Response(status_code=303, headers={"Location": where, **NO_STORE})


@router.get("/console/lots/{gtin}/{lot:path}")
def lot(request: Request, signed: SignedIn, gtin: str, lot: str) -> HTMLResponse:
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            view = lot_view(uow, actor=signed.actor, gtin=gtin, lot=lot)
    except Refused as refusal:
        return console_problem(request, signed, _hidden(refusal), str(refusal))
    expired = view.lot.expiry < dt.date.today()
    title = f"Lot {view.lot.lot}"
    cold_chain = page_section(database, signed, f"(01){view.product.gtin.value}(10){view.lot.lot}")
    return console_page(
        request,
        signed,
        "lot.html",
        title=title,
        view=view,
        expired=expired,
        cold_chain=cold_chain,
    )


def _product_view(request: Request, signed: Signed, gtin: str) -> ProductView:
    database: Database = request.app.state.database
    with database.unit_of_work(read_only=True) as uow:
        return product_view(uow, actor=signed.actor, gtin=gtin)


def _resolver_links(request: Request, view: ProductView) -> list[BrandLinkOut]:
    """The links the resolver serves for the product and its lots, for the brand's people."""
    if not view.brand_view:
        return []
    database: Database = request.app.state.database
    with database.unit_of_work(read_only=True) as uow:
        found = brand_links.list_links(uow, gtin=view.line.product.gtin.value)
    return [BrandLinkOut.of(link) for link in found]


def _product_page(
    request: Request,
    signed: Signed,
    view: ProductView,
    *,
    saved: bool = False,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    own = view.own_rules
    shown = typed or {name: _as_typed(own[name]) if name in own else "" for name in PRODUCT_RULES}
    rules = [
        {
            "name": name,
            "label": RULE_LABELS[name][0],
            "help": RULE_LABELS[name][1],
            "switch": name in SWITCHES,
            "default": _as_typed(getattr(DEFAULT_RULES, name)),
            "applied": _as_typed(view.rules[name]) if view.rules is not None else None,
            "own": name in own,
            "typed": shown[name],
            "error": (errors or {}).get(name),
        }
        for name in PRODUCT_RULES
    ]
    return console_page(
        request,
        signed,
        "product.html",
        status=status,
        title=view.line.product.name,
        view=view,
        rules=rules,
        editable=signed.role is Role.ADMIN and view.brand_view,
        saved=saved,
        refused=bool(errors),
        big=big_number,
        links=_resolver_links(request, view),
    )


def _rule_value(name: str, text: str) -> Any:
    """A rule's value as typed into the form, for the service to check as it checks the API's
    JSON: a whole number, a number, on or off, or the text itself where it is none of these
    (the service then says what the rule takes). "default" or nothing leaves it unset."""
    if text == "default":
        return None
    if name in SWITCHES:
        return {"on": True, "off": False}.get(text, text)
    if not text.isascii():
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _as_typed(value: int | float | bool) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _hidden(refusal: Refused) -> int:
    """A refusal's status on a page: a GTIN or lot that does not parse names nothing, so it
    is not found, as an unknown one."""
    status = problem_for(refusal).status
    return 404 if status == 422 else status
