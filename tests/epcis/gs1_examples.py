"""GS1's example documents for the event hash (vendored in ``reference_examples/``, see its
README), their expected hashes, and each document hashed by unitrace and by GS1's reference
implementation 1.9.3 (PyPI ``epcis-event-hash-generator``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path
from typing import Any

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing import pre_hash_string
from unitrace.epcis.xml_read import document_from_xml

EXAMPLES = Path(__file__).parent / "reference_examples"
DOCUMENTS = sorted((EXAMPLES / "documents").iterdir())

#: The EPCIS 2.0 context under the address without its version, which the reference would
#: fetch over the network; it holds a copy of the 2.0.0 one, the same context.
_CONTEXT_ALIASES = {
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld": (
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    ),
}


def digest(pre_hash: str) -> str:
    return "ni:///sha-256;" + hashlib.sha256(pre_hash.encode()).hexdigest()


def expected(path: Path, revision: str = "CBV2.0") -> tuple[list[str], str] | None:
    """The expected hashes (without ``?ver=``) of a document's events in order, and the file
    they come from: the revision's ``.hashes``, else the SHA-256 of its ``.prehashes``; for
    CBV 2.0, the CBV 2.1 file where the reference repository held no CBV 2.0 one (see the
    README)."""
    folders = [revision] + (["CBV2.1"] if revision == "CBV2.0" else [])
    for folder in folders:
        hashes = EXAMPLES / "expected" / folder / f"{path.stem}.hashes"
        if hashes.exists():
            return [line.split("?")[0] for line in hashes.read_text().split()], hashes.name
        pre_hashes = EXAMPLES / "expected" / folder / f"{path.stem}.prehashes"
        if pre_hashes.exists():
            lines = pre_hashes.read_text().splitlines()
            return [digest(line) for line in lines if line], pre_hashes.name
    return None


def expected_pre_hashes(path: Path) -> list[str] | None:
    for folder in ("CBV2.0", "CBV2.1"):
        pre_hashes = EXAMPLES / "expected" / folder / f"{path.stem}.prehashes"
        if pre_hashes.exists():
            return pre_hashes.read_text().splitlines()
    return None


def unitrace_events(path: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The events of a document as unitrace reads it (the XML binding through its reader,
    which validates against the EPCIS 2.0 XSD), and its namespaces."""
    if path.suffix == ".xml":
        document = document_from_xml(path.read_bytes())
    else:
        document = json.loads(path.read_text())
    body = document["epcisBody"]
    events = body.get("eventList")
    if events is None:
        events = body["queryResults"]["resultsBody"]["eventList"]
    return events, namespaces_of(document["@context"])


def unitrace_pre_hashes(path: Path) -> list[str]:
    events, namespaces = unitrace_events(path)
    return [pre_hash_string(event, namespaces, index=i) for i, event in enumerate(events)]


def reference_pre_hashes(path: Path) -> list[str]:
    """The reference 1.9.3's pre-hash strings of the document, read by its own readers; the
    versionless EPCIS context is served from its bundled 2.0.0 copy (no network here)."""
    from epcis_event_hash_generator import events_from_file_reader, hash_generator
    from pyld import jsonld

    loader = jsonld.get_document_loader()
    jsonld.set_document_loader(
        lambda url, options={}: loader(_CONTEXT_ALIASES.get(url, url), options)
    )
    logging.getLogger().setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            events = events_from_file_reader.event_list_from_file(str(path))
            return list(hash_generator.derive_prehashes_from_events(events))
    finally:
        jsonld.set_document_loader(loader)
