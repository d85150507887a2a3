"""The brand's own links for a product or a lot, which the resolver serves beside the
verification page and service (GS1-Conformant Resolver standard: "brand-managed links").

A link has a type from the GS1 Web Vocabulary (or another namespace's URI), a target, a title,
and optionally a language, a context and a media type; one link per product or lot, language
and context may be the default, which the resolver redirects to when no link type is asked.
Links of a lot take the place of the product's links of the same type for that lot.
"""

from __future__ import annotations

from unitrace.gs1.link_types import (
    GS1_VOCABULARY,
    RESERVED_LINK_TYPES,
    InvalidLink,
    check_context,
    check_language,
    check_media_type,
    check_target,
    link_type_uri,
)
from unitrace.registry.errors import Conflict, InvalidRequest, NotFound
from unitrace.registry.model import Actor
from unitrace.services.catalog import parse_gtin
from unitrace.store.brand_links import BrandLink, LinkClash, NewBrandLink
from unitrace.store.unit_of_work import UnitOfWork

TITLE_LENGTH = 200


def add_link(
    uow: UnitOfWork,
    *,
    gtin: str,
    link_type: str,
    href: str,
    title: str,
    actor: Actor,
    lot: str | None = None,
    hreflang: str | None = None,
    context: str | None = None,
    media_type: str | None = None,
    default: bool = False,
) -> BrandLink:
    """Add a link for the product ``gtin`` (or its ``lot``); checked whole before anything is
    written, and audited."""
    key = parse_gtin(gtin)
    try:
        uri = link_type_uri(link_type)
        new = NewBrandLink(
            lot=lot or None,
            link_type=uri,
            href=check_target(href),
            title=_title(title),
            hreflang=check_language(hreflang) if hreflang else None,
            context=check_context(context) if context else None,
            media_type=check_media_type(media_type) if media_type else None,
            is_default=default,
        )
    except InvalidLink as error:
        raise InvalidRequest(str(error)) from None
    if uri.startswith(GS1_VOCABULARY) and uri[len(GS1_VOCABULARY) :] in RESERVED_LINK_TYPES:
        raise InvalidRequest(
            f"link_type: {link_type} is the resolver's own; give the link a descriptive type "
            "(gs1:pip, gs1:instructions …) and set default: true to make it the default"
        )
    product_id = uow.products.id_of(key, for_update=True)
    if product_id is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    if new.lot is not None and uow.lots.id_of(key, new.lot) is None:
        raise NotFound(f"lot: {new.lot} of {key} is not registered")
    try:
        link_id = uow.brand_links.add(product_id, new)
    except LinkClash:
        raise Conflict(_clash(key.value, new)) from None
    uow.audit.record(
        actor.name,
        "product.link_added",
        key.value,
        {"id": link_id, "lot": new.lot, "link_type": uri, "href": new.href, "default": default},
    )
    (added,) = (link for link in uow.brand_links.of_product(product_id) if link.id == link_id)
    return added


def list_links(uow: UnitOfWork, *, gtin: str, lot: str | None = None) -> list[BrandLink]:
    """The product's links (with every lot's), or only the product's own and ``lot``'s."""
    key = parse_gtin(gtin)
    product_id = uow.products.id_of(key)
    if product_id is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    if lot is not None and uow.lots.id_of(key, lot) is None:
        raise NotFound(f"lot: {lot} of {key} is not registered")
    return uow.brand_links.of_product(product_id, None if lot is None else ["", lot])


def remove_link(uow: UnitOfWork, *, gtin: str, link_id: int, actor: Actor) -> BrandLink:
    """Remove the product's link ``link_id``, audited."""
    key = parse_gtin(gtin)
    product_id = uow.products.id_of(key, for_update=True)
    if product_id is None:
        raise NotFound(f"gtin: {key} is not a registered product")
    removed = uow.brand_links.remove(product_id, link_id)
    if removed is None:
        raise NotFound(f"link: {link_id} is not a link of {key}")
    uow.audit.record(
        actor.name,
        "product.link_removed",
        key.value,
        {"id": link_id, "link_type": removed.link_type, "href": removed.href},
    )
    return removed


def _title(title: str) -> str:
    text = title.strip()
    if not text or len(text) > TITLE_LENGTH:
        raise InvalidLink(f"title: must be 1-{TITLE_LENGTH} characters that say what the link is")
    return text


def _clash(gtin: str, link: NewBrandLink) -> str:
    where = f"lot {link.lot} of {gtin}" if link.lot else f"product {gtin}"
    if link.is_default:
        slot = ", ".join(
            part
            for part in (
                f"language {link.hreflang}" if link.hreflang else "",
                f"context {link.context}" if link.context else "",
            )
            if part
        )
        return (
            f"default: {where} has a default link{' for ' + slot if slot else ''} already, or "
            "this link; remove it first (one default per product or lot, language and context)"
        )
    return f"href: {where} has this link already (same type, target, language and context)"
