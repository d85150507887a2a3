"""Link types of the GS1 Web Vocabulary, and the attributes of a link a GS1-conformant
resolver serves (GS1-Conformant Resolver standard 1.x; the GS1 linkset JSON schema).

A link type is written as a CURIE (``gs1:pip``), as the vocabulary's URI
(``https://gs1.org/voc/pip``, also ``https://ref.gs1.org/voc/pip`` or ``https://www.gs1.org/voc/pip``)
or, for another namespace the resolver may recognise, as an absolute ``http(s)`` URI; it is kept
and served as the full URI in the ``https://gs1.org/voc/`` namespace.

>>> link_type_uri("gs1:pip")
'https://gs1.org/voc/pip'
>>> link_type_uri("https://ref.gs1.org/voc/recallStatus")
'https://gs1.org/voc/recallStatus'
>>> link_type_curie("https://gs1.org/voc/instructions")
'gs1:instructions'
>>> link_type_uri("gs1:brochure")
Traceback (most recent call last):
...
unitrace.gs1.link_types.InvalidLink: link_type: gs1:brochure is not a link type of the GS1 Web Vocabulary
"""

from __future__ import annotations

import re

from unitrace.gs1.errors import InvalidCode

#: The GS1 Web Vocabulary's namespace, as the linkset's link relation types are written.
GS1_VOCABULARY = "https://gs1.org/voc/"
#: The other spellings of the same namespace that requests and brands use.
GS1_VOCABULARY_ALIASES = (
    "https://ref.gs1.org/voc/",
    "https://www.gs1.org/voc/",
    "http://gs1.org/voc/",
)

#: The link types of the GS1 Web Vocabulary (its ``gs1:LinkType`` terms, December 2025).
GS1_LINK_TYPES = frozenset(
    {
        "activityIdeas",
        "allergenInfo",
        "appDownload",
        "brandHomepageClinical",
        "brandHomepagePatient",
        "careersInfo",
        "certificationInfo",
        "consumerHandlingStorageInfo",
        "defaultLink",
        "defaultLinkMulti",
        "dpp",
        "epcis",
        "epil",
        "eventsInfo",
        "faqs",
        "handledBy",
        "hasRetailers",
        "homepage",
        "ingredientsInfo",
        "instructions",
        "jws",
        "leaveReview",
        "locationInfo",
        "logisticsInfo",
        "loyaltyProgram",
        "masterData",
        "menuInfo",
        "nutritionalInfo",
        "openingHoursInfo",
        "paymentLink",
        "pip",
        "productSustainabilityInfo",
        "promotion",
        "purchaseSuppliesOrAccessories",
        "quickStartGuide",
        "recallStatus",
        "recipeInfo",
        "registerProduct",
        "registryEntry",
        "relatedVideo",
        "review",
        "safetyInfo",
        "scheduleTime",
        "serviceInfo",
        "smartLabel",
        "smpc",
        "socialMedia",
        "statisticInfo",
        "subscribe",
        "support",
        "sustainabilityInfo",
        "traceability",
        "tutorial",
        "userAgreement",
        "verificationService",
        "whatsInTheBox",
    }
)

#: Link types the resolver itself gives meaning to, which a brand does not set as links:
#: the default is a flag on a link, and ``handledBy`` marks redirection to another resolver.
RESERVED_LINK_TYPES = frozenset({"defaultLink", "defaultLinkMulti", "handledBy"})

# What the GS1 linkset schema lets a link relation type, a target, a language and a media type
# be: the linkset must validate against it (standard, section "Linksets").
_RELATION_URI = re.compile(r"^https?://[a-zA-Z0-9./]+$")
_TARGET = re.compile(r"^https?://[a-zA-Z0-9./]+")
# a target becomes a redirect's Location header: printable ASCII only (RFC 3986; an IRI's other
# characters percent-encoded), no space nor control character
_URI_CHARACTERS = re.compile(r"^[!-~]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{2})?$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[-+.\w]+$")
_CONTEXT = re.compile(r"^[\w.:-]{1,100}$")


class InvalidLink(InvalidCode):
    """A link type, target, language, media type or context a resolver cannot serve."""


def link_type_uri(given: str) -> str:
    """The full URI of the link type ``given`` as a CURIE, a GS1 vocabulary URI (any of its
    spellings) or another namespace's absolute URI."""
    text = given.strip()
    name = None
    if text.startswith("gs1:"):
        name = text[4:]
    else:
        for namespace in (GS1_VOCABULARY, *GS1_VOCABULARY_ALIASES):
            if text.startswith(namespace):
                name = text[len(namespace) :]
                break
    if name is not None:
        if name not in GS1_LINK_TYPES:
            raise InvalidLink(f"link_type: {text} is not a link type of the GS1 Web Vocabulary")
        return GS1_VOCABULARY + name
    if "gs1.org/" in text:
        raise InvalidLink(f"link_type: {text} is not in the GS1 Web Vocabulary's namespace")
    if not _RELATION_URI.match(text):
        raise InvalidLink(
            f"link_type: {text!r} must be gs1:<type> or an absolute http(s) URI of letters, "
            "digits, '.' and '/'"
        )
    return text


def link_type_curie(uri: str) -> str:
    """``gs1:<name>`` for a GS1 vocabulary URI, else the URI as it is."""
    if uri.startswith(GS1_VOCABULARY):
        return "gs1:" + uri[len(GS1_VOCABULARY) :]
    return uri


def requested_link_type(given: str) -> str | None:
    """The full URI of a ``linkType`` a request names, or None where it names no link type
    this resolver could hold (an unknown ``gs1:`` name, a malformed URI): such a request is
    answered 404, as for a type no link has."""
    try:
        return link_type_uri(given)
    except InvalidLink:
        return None


def check_target(href: str) -> str:
    """``href`` once it is an absolute http(s) URL the linkset schema accepts."""
    if len(href) > 2048 or not _TARGET.match(href) or not _URI_CHARACTERS.match(href):
        raise InvalidLink(
            f"href: {href!r} must be an absolute http or https URL (2048 at most) of printable "
            "ASCII characters, others percent-encoded"
        )
    return href


def check_language(tag: str) -> str:
    """A language as the linkset schema writes ``hreflang``: ``en`` or ``en-GB``."""
    if not _LANGUAGE.match(tag):
        raise InvalidLink(f"hreflang: {tag!r} must be a language such as en or en-GB")
    language, _, region = tag.partition("-")
    return language.lower() + ("-" + region.upper() if region else "")


def check_media_type(media_type: str) -> str:
    """A media type (``text/html``, ``application/pdf``) in lower case."""
    if not _MEDIA_TYPE.match(media_type.lower()):
        raise InvalidLink(f"type: {media_type!r} must be a media type such as text/html")
    return media_type.lower()


def check_context(context: str) -> str:
    """A link's context: a short token such as a country code (``US``) or a use
    (``dscsaSaleableReturn``)."""
    if not _CONTEXT.match(context):
        raise InvalidLink(
            f"context: {context!r} must be 1-100 letters, digits, '.', ':', '_' or '-'"
        )
    return context
