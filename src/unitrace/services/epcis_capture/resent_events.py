"""An event whose eventID is captured already: the same event sent again (a partner's retry
after a timeout), its error declaration, or another event under the same ID.

- **The same event** (the same CBV 2.0 content hash, :func:`~unitrace.epcis.hashing.event_hash`,
  which leaves out the eventID and the recordTime): captured already, which the capture job
  notes; it is no failure, so that a document sent again after a timeout is answered as the
  first was.
- **Its error declaration**: EPCIS 2.0 (section 7.4.1.2, error declaration) declares an event
  in error by capturing it again, with the same eventID and all its fields, and an
  ``errorDeclaration``; the stored event takes the declaration.
- **Another event** under the eventID (another hash): refused. An eventID names one event
  (GS1 EPCIS issue 403: a repository answers 409 Conflict).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing import event_hash

__all__ = [
    "ALREADY_CAPTURED",
    "ANOTHER_EVENT",
    "DECLARED_OTHERWISE",
    "Resent",
    "content_hash",
    "resent",
]

#: The note of an event captured already, sent again.
ALREADY_CAPTURED: Final = "captured already: the same event, sent again, is not stored twice"
#: The problem of another event under a captured eventID.
ANOTHER_EVENT: Final = (
    "is captured already for another event (another content hash): an eventID names one "
    "event; send this one under an eventID of its own, or declare the first in error"
)
#: The problem of an error declaration of an event declared in error already, otherwise.
DECLARED_OTHERWISE: Final = (
    "the event is declared in error already, with another errorDeclaration; a declaration "
    "is not changed once captured"
)
#: What the content hash leaves out, beside what the CBV hash leaves out itself: the
#: declaration, which is what an error declaration adds to the event it repeats.
_NOT_CONTENT: Final = frozenset({"errorDeclaration", "@context", "eventID", "recordTime"})


class Resent(enum.Enum):
    """What an event sent under a captured eventID is."""

    SAME = "same"
    DECLARATION = "declaration"
    ANOTHER = "another"
    DECLARED_OTHERWISE = "declared otherwise"


def content_hash(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> str:
    """The CBV 2.0 hash of what ``event`` says, apart from its error declaration."""
    return event_hash(
        {key: value for key, value in event.items() if key not in _NOT_CONTENT}, namespaces
    )


def resent(sent: Mapping[str, Any], kept: Mapping[str, Any]) -> Resent:
    """What ``sent`` is beside ``kept``, the event stored under its eventID (each with its
    own ``@context``)."""
    if content_hash(sent, namespaces_of(sent.get("@context"))) != content_hash(
        kept, namespaces_of(kept.get("@context"))
    ):
        return Resent.ANOTHER
    declared, before = sent.get("errorDeclaration"), kept.get("errorDeclaration")
    if declared is None or declared == before:
        return Resent.SAME
    if before is None:
        return Resent.DECLARATION
    return Resent.DECLARED_OTHERWISE
