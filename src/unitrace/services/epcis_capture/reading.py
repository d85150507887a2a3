"""Reading a document sent for capture: JSON-LD or XML into the JSON-LD form, within the
capture file size limit, and nesting no deeper than code may safely walk."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from unitrace.epcis.xml import InvalidXml
from unitrace.epcis.xml_read import document_from_xml
from unitrace.registry.errors import InvalidRequest
from unitrace.services.epcis_capture import limits

__all__ = ["MAX_NESTING", "is_xml", "read_document"]


def read_document(body: bytes, media_type: str) -> dict[str, Any]:
    """The EPCIS document a request body holds: JSON-LD (``application/json``,
    ``application/ld+json``) or XML (``application/xml``, ``text/xml``)."""
    limit = limits.CAPTURE_FILE_SIZE_LIMIT
    if len(body) > limit:
        raise InvalidRequest(f"document: {len(body):,} bytes, over the capture limit of {limit:,}")
    kind = media_type.split(";", 1)[0].strip().lower()
    if is_xml(media_type):
        try:
            return _shallow(document_from_xml(body))
        except InvalidXml as error:
            raise InvalidRequest(f"document: {error}") from None
    if kind in ("application/json", "application/ld+json", ""):
        # imported here: an XML capture (the command line's, most often) has no use for it
        import pydantic_core

        try:
            # pydantic's parser, which refuses text that is not valid Unicode (half a
            # surrogate pair), which Python's own would take and no database could store
            document = pydantic_core.from_json(body)
        except ValueError as error:
            raise InvalidRequest(f"document: not JSON ({error})") from None
        if not isinstance(document, dict):
            raise InvalidRequest("document: an EPCIS document is a JSON object")
        return _shallow(document)
    raise InvalidRequest(
        f"Content-Type: {media_type!r}: send application/ld+json, application/json or "
        "application/xml"
    )


#: How deep objects and lists may nest in a document: an EPCIS event with its sensor reports
#: and extensions needs a dozen levels; far deeper, the document is an attack on the code
#: that walks it, and is refused before anything walks it.
MAX_NESTING: Final = 64


def _shallow(document: dict[str, Any]) -> dict[str, Any]:
    """``document``, once it is known to nest no deeper than :data:`MAX_NESTING` (looked at
    without recursion)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise InvalidRequest(
                f"document: objects and lists nest deeper than {MAX_NESTING} levels"
            )
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return document


def is_xml(media_type: str) -> bool:
    """Whether a body of ``media_type`` is read as EPCIS XML."""
    return media_type.split(";", 1)[0].strip().lower().endswith("xml")
