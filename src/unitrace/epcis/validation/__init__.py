"""What makes an EPCIS 2.0 JSON-LD document acceptable: the official JSON Schema, and the rules
the schema cannot say.

**The schema.** Every rule of ``EPCIS-JSON-Schema.json`` (EPCIS 2.0, draft 7, with its ``uri``
and ``date-time`` formats) is coded here directly, field by field, instead of run through a
general JSON Schema validator: the validator takes milliseconds per event, this takes
microseconds, and capture must keep up with packaging lines. The tests hold the two to the same
verdict on the official examples and on every broken document they build.

**The rules beyond the schema**, checked by :func:`document_problems` with ``rules=True``:

- EPC URIs and GS1 Digital Links that name objects, classes, places and parties (``epcList``,
  ``parentID``, ``childEPCs``, inputs, outputs, ``epcClass``, ``readPoint``, ``bizLocation``,
  sources, destinations) are read through :mod:`unitrace.gs1`: a malformed
  ``urn:epc:id:sgtin:…`` or a Digital Link with a bad check digit is refused; EPC schemes the
  code layer does not read (``giai``, ``pgln``, ``idpat``…) and other URIs (``urn:uuid:…``,
  ``https://example.com/…`` without a GS1 key in its path) pass, as EPCIS allows any URI;
- ``eventTimeZoneOffset`` lies within -12:00…+14:00, the offsets in use on Earth (the schema
  lets -13:59 through);
- a prefixed extension field (``ext1:float``, at any depth) has its prefix declared in the
  document's ``@context`` or in the EPCIS context;
- the event type is one of the five of EPCIS 2.0 (the schema admits any URI as a type, which
  a repository cannot index);
- an aggregation or association names each child once, and never its parent as a child; a
  TransformationEvent carries ILMD only with outputs, which it creates;
- a sensor report's ``uom`` is a UN/CEFACT Recommendation 20 code, as a quantity's is.

Where the checks live: :mod:`.formats` (URIs, date-times, offsets), :mod:`.identifiers` (EPC
URIs and Digital Links through the code layer), :mod:`.checks` (the problems, the report that
collects them and the checks of the schema's building blocks), :mod:`.words` (actions and CBV
words), :mod:`.events` (each event type's fields and rules) and :mod:`.documents` (a whole
document, then each of its events).

Each problem names the event (its index in ``eventList``, from 0, and its eventID where it has
one), the field (a path such as ``sourceList[1].source``) and the rule.

>>> import json
>>> event = {"type": "ObjectEvent", "eventID": "urn:uuid:1", "action": "OBSERVE",
...          "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+25:00",
...          "epcList": [], "bizStep": "shiping"}
>>> for problem in event_problems(event, {}, index=3):
...     print(problem)
event 3 (urn:uuid:1): eventTimeZoneOffset: "+25:00" is not an offset ±HH:MM within -12:00…+14:00
event 3 (urn:uuid:1): bizStep: "shiping" is not a CBV 2.0 business step
"""

from unitrace.epcis.validation.checks import EventProblem, InvalidDocument, Report
from unitrace.epcis.validation.documents import document_problems
from unitrace.epcis.validation.events import EVENT_TYPES, event_problems
from unitrace.epcis.validation.formats import (
    STANDARD_PREFIXES,
    in_utc_years,
    is_date_time,
    is_uri,
)
from unitrace.epcis.validation.identifiers import PLAIN_EPC, identifier_problem

__all__ = [
    "EVENT_TYPES",
    "PLAIN_EPC",
    "STANDARD_PREFIXES",
    "EventProblem",
    "InvalidDocument",
    "Report",
    "document_problems",
    "event_problems",
    "identifier_problem",
    "in_utc_years",
    "is_date_time",
    "is_uri",
]
