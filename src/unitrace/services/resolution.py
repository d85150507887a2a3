"""What the resolver offers for a GS1 Digital Link URI, and which link answers a request
(GS1-Conformant Resolver standard 1.1).

The links come in levels, most granular first: the item the URI names (its verification page
and service, and a recall notice where a recall reached it), its lot (the brand's lot links;
for a serialised unit the lot it was issued in), and its product (the brand's product links).
A link type is served from the most granular level that has links of that type, so a lot's
links take the place of its product's. The default link is the brand's where it set one, at the
most granular level that has one; else, and always once a recall reached the item, the
verification page, so that a person scanning a code still sees whether it is genuine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from unitrace.gs1 import Gtin
from unitrace.gs1.digital_link import DigitalLink, build_digital_link
from unitrace.gs1.elements import ElementString
from unitrace.gs1.link_types import GS1_VOCABULARY
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY
from unitrace.registry.model import LotStatus
from unitrace.store.brand_links import BrandLink
from unitrace.store.unit_of_work import UnitOfWork

DEFAULT_LINK = GS1_VOCABULARY + "defaultLink"
DEFAULT_LINK_MULTI = GS1_VOCABULARY + "defaultLinkMulti"
VERIFICATION_SERVICE = GS1_VOCABULARY + "verificationService"
RECALL_STATUS = GS1_VOCABULARY + "recallStatus"
#: Where the verification page and the GS1 Lightweight Verification service answer, on the
#: resolver's own host, before the Digital Link's path.
VERIFICATION_PAGE_PATH = "/verify"
VERIFICATION_SERVICE_PATH = "/verify/lms"


@dataclass(frozen=True, slots=True)
class Link:
    """One link of the linkset."""

    link_type: str
    href: str
    title: str
    media_type: str | None = None
    hreflang: str | None = None
    context: str | None = None
    default: bool = False
    #: Target attributes beyond RFC 8288's, kept for the recall notice.
    extra: tuple[tuple[str, Any], ...] = ()

    def target(self) -> dict[str, Any]:
        """The link's target object as the linkset writes it."""
        target: dict[str, Any] = {"href": self.href, "title": self.title}
        if self.media_type:
            target["type"] = self.media_type
        if self.hreflang:
            target["hreflang"] = [self.hreflang]
        if self.context:
            target["context"] = [self.context]
        target.update(self.extra)
        return target


@dataclass(frozen=True, slots=True)
class Level:
    """The links of one anchor: the item, its lot or its product."""

    anchor: str
    description: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Resolution:
    """Everything the resolver offers for one URI, most granular level first."""

    levels: tuple[Level, ...]
    #: The default links of the level whose defaults apply, in preference order.
    defaults: tuple[Link, ...]
    #: The link types the brand set links of for the item (its product's or its lot's).
    brand_types: frozenset[str] = frozenset()

    @property
    def anchor(self) -> str:
        return self.levels[0].anchor

    def of_type(self, link_type: str) -> list[Link]:
        """The links of ``link_type`` from the most granular level that has any."""
        for level in self.levels:
            found = [link for link in level.links if link.link_type == link_type]
            if found:
                return found
        return []

    def linkset(self) -> dict[str, Any]:
        """The RFC 9264 linkset, as the GS1 linkset schema wants it: an entry per level with
        its anchor and description, each link type's targets, and ``gs1:defaultLink`` (title
        and target only) where the default applies."""
        entries = []
        # the default is written at its own level, or the item's where no level lists it
        # (the verification page, once the brand's verification service took its place)
        home = next(
            (level for level in self.levels if self.defaults and self.defaults[0] in level.links),
            self.levels[0],
        )
        for level in self.levels:
            entry: dict[str, Any] = {"anchor": level.anchor, "itemDescription": level.description}
            for link in level.links:
                entry.setdefault(link.link_type, []).append(link.target())
            if self.defaults and level is home:
                first = self.defaults[0]
                entry[DEFAULT_LINK] = [{"href": first.href, "title": first.title}]
                if len(self.defaults) > 1:
                    entry[DEFAULT_LINK_MULTI] = [link.target() for link in self.defaults]
            entries.append(entry)
        return {"linkset": entries}


def resolution(uow: UnitOfWork, link: DigitalLink, origin: str) -> Resolution:
    """What the resolver at ``origin`` (scheme and host) offers for ``link``."""
    key = next(e for e in link.elements if SYNTAX_DICTIONARY[e.ai].digital_link_primary_key)
    path = _path_elements(link)
    values = dict(path)
    item_anchor = build_digital_link(path, origin)
    gtin = Gtin(values["01"]) if key.ai == "01" else None
    found = uow.products.with_id(gtin) if gtin is not None else None
    service, page = _verification_links(origin, item_anchor, found[1].name if found else None)
    ours: tuple[Link, ...] = (service, page)
    if gtin is None:
        return Resolution((Level(item_anchor, f"({key.ai}) {key.value}", ours),), (page,))
    if found is None:
        return Resolution((Level(item_anchor, f"GTIN {gtin.value}", ours),), (page,))
    product_id, product = found
    lot = values.get("10")
    recall_title, notice = None, None
    issued_in = None
    if "21" in values:
        unit = uow.units.get(product_id, values["21"])
        issued_in = unit.lot if unit is not None else None
        if lot is None:
            lot = issued_in
        notice = uow.recalls.notice_of_unit(product_id, values["21"])
    lot_record = uow.lots.get(gtin, lot) if lot is not None else None
    if notice is None and lot_record is not None and "21" not in values:
        lot_id = uow.lots.id_of(gtin, lot_record.lot)
        notice = uow.recalls.notice_of_lot(int(lot_id)) if lot_id is not None else None
    # the lot the unit was issued in is recalled whatever lot its code names
    issued_record = uow.lots.get(gtin, issued_in) if issued_in not in (None, lot) else None
    for record in (lot_record, issued_record):
        if notice is None and record is not None and record.status is not LotStatus.RELEASED:
            reason = record.status_reason or ""
            recall_title = f"Lot {record.lot} {record.status.value}: {reason}".strip()
            break
    if notice is not None:
        ours += (
            Link(
                RECALL_STATUS,
                page.href,
                f"Recalled: {notice.reason}",
                "text/html",
                extra=(("recall", notice.id), ("instructions", notice.instructions)),
            ),
        )
    elif recall_title is not None:
        ours += (Link(RECALL_STATUS, page.href, recall_title, "text/html"),)
    brand = uow.brand_links.of_product(product_id, ["", lot] if lot else [""])
    product_anchor = build_digital_link([ElementString("01", gtin.value)], origin)
    lot_anchor = (
        build_digital_link([ElementString("01", gtin.value), ElementString("10", lot)], origin)
        if lot
        else None
    )
    named = {product_anchor: product.name, item_anchor: _described(product.name, values)}
    if lot_anchor is not None:
        named.setdefault(lot_anchor, f"{product.name}, lot {lot}")
    by_anchor: dict[str, list[Link]] = {item_anchor: list(ours)}
    for held in brand:
        anchor = lot_anchor if held.lot else product_anchor
        assert anchor is not None
        by_anchor.setdefault(anchor, []).extend(_described_links(held))
    if notice is not None or recall_title is not None:
        # a recall notice the resolver knows of is the one a person must see: it takes the
        # place of the brand's recall links at the item's own level
        by_anchor[item_anchor] = [
            link
            for link in by_anchor[item_anchor]
            if link.link_type != RECALL_STATUS or link in ours
        ]
    if any(held.link_type == VERIFICATION_SERVICE for held in brand):
        # the brand's own verification service (its DSCSA responder) is the one served for
        # the item: the resolver's page and service stay only as the default and recall links
        by_anchor[item_anchor] = [
            link for link in by_anchor[item_anchor] if link not in (service, page)
        ]
    order = [anchor for anchor in (item_anchor, lot_anchor, product_anchor) if anchor]
    levels = tuple(
        Level(anchor, named[anchor], tuple(by_anchor[anchor]))
        for anchor in dict.fromkeys(order)
        if anchor in by_anchor
    )
    defaults: tuple[Link, ...] = (page,)
    if notice is None and recall_title is None:
        for level in levels:
            chosen = tuple(link for link in level.links if link.default)
            if chosen:
                defaults = _preferred_first(chosen)
                break
    return Resolution(levels, defaults, frozenset(held.link_type for held in brand))


def choose(
    links: Sequence[Link],
    *,
    context: str | None,
    languages: Sequence[str],
    media_types: Sequence[str],
) -> list[Link]:
    """The links that best match a request's context, languages and media types, in that
    order (standard: "SHOULD support the use of the Accept-Language … and the context keyword
    … to disambiguate between multiple links of the same linkType"). More than one is left
    only where nothing in the request tells them apart."""
    pool = list(links)
    if context is not None:
        pool = [link for link in pool if link.context == context] or _without(pool, "context")
    else:
        pool = _without(pool, "context")
    for language in languages:
        matched = [link for link in pool if _language_matches(link.hreflang, language)]
        if matched:
            pool = matched
            break
    else:
        pool = _without(pool, "hreflang")
    for media_type in media_types:
        matched = [link for link in pool if _media_type_matches(link.media_type, media_type)]
        if matched:
            pool = matched
            break
    return pool


def indistinguishable(links: Sequence[Link]) -> bool:
    """Whether ``links`` carry the same media type, language and context: nothing in a
    request could choose between them (standard: 300 Multiple Choices)."""
    keys = {(link.media_type, link.hreflang, link.context) for link in links}
    return len(links) > 1 and len(keys) == 1


def _verification_links(origin: str, anchor: str, name: str | None) -> tuple[Link, Link]:
    """The verification page and the GS1 Lightweight Verification service for the item; the
    service first, as a request for ``gs1:verificationService`` that no media type narrows
    has always had the service's JSON."""
    path = anchor[len(origin) :]
    page = Link(
        VERIFICATION_SERVICE,
        origin + VERIFICATION_PAGE_PATH + path,
        f"Verify {name}" if name else "Verify this product",
        "text/html",
    )
    service = Link(
        VERIFICATION_SERVICE,
        origin + VERIFICATION_SERVICE_PATH + path,
        "GS1 Lightweight Verification",
        "application/json",
    )
    return service, page


def _described_links(held: BrandLink) -> list[Link]:
    return [
        Link(
            held.link_type,
            held.href,
            held.title,
            held.media_type,
            held.hreflang,
            held.context,
            default=held.is_default,
        )
    ]


def _preferred_first(defaults: Iterable[Link]) -> tuple[Link, ...]:
    """The defaults with the one for no language and no context (``gs1:defaultLink``) first."""
    ordered = list(defaults)
    plain = [link for link in ordered if link.hreflang is None and link.context is None]
    return tuple(plain + [link for link in ordered if link not in plain])


def _path_elements(link: DigitalLink) -> list[ElementString]:
    """The primary key and its qualifiers: what identifies the item (the query's attributes
    only describe it)."""
    key = next(e for e in link.elements if SYNTAX_DICTIONARY[e.ai].digital_link_primary_key)
    paths = SYNTAX_DICTIONARY[key.ai].digital_link_qualifier_paths
    qualifiers = {ai for path in paths for ai in path}
    return [e for e in link.elements if e.ai == key.ai or e.ai in qualifiers]


def _described(name: str, values: dict[str, str]) -> str:
    parts = [name]
    if "10" in values:
        parts.append(f"lot {values['10']}")
    if "21" in values:
        parts.append(f"serial {values['21']}")
    return ", ".join(parts)


def _without(pool: list[Link], attribute: str) -> list[Link]:
    """The links without ``attribute`` where there are any, else all."""
    return [link for link in pool if getattr(link, attribute) is None] or pool


def _language_matches(hreflang: str | None, wanted: str) -> bool:
    if hreflang is None:
        return False
    wanted = wanted.lower()
    return hreflang.lower() == wanted or hreflang.lower().split("-")[0] == wanted.split("-")[0]


def _media_type_matches(media_type: str | None, wanted: str) -> bool:
    if media_type is None or wanted in ("*/*", ""):
        return False
    if wanted.endswith("/*"):
        return media_type.startswith(wanted[:-1])
    return media_type == wanted
