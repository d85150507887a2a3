"""The example EPCIS documents unitrace ships in ``examples/`` (the README's tour captures
them): each is a valid EPCIS 2.0 document, and each one shipped in both bindings says the same
in both, event by event, as their CBV 2.0 event hashes show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing import event_hash
from unitrace.epcis.validation import document_problems
from unitrace.services.epcis_capture import read_document

EXAMPLES = PROJECT_ROOT / "examples"
DOCUMENTS = sorted(EXAMPLES.glob("*.jsonld")) + sorted(EXAMPLES.glob("*.xml"))


def read(path: Path) -> dict[str, object]:
    media_type = "application/xml" if path.suffix == ".xml" else "application/ld+json"
    return dict(read_document(path.read_bytes(), media_type))


def events_of(path: Path) -> list[dict[str, object]]:
    body = read(path)["epcisBody"]
    assert isinstance(body, dict)
    return list(body["eventList"])


def test_the_examples_are_there() -> None:
    assert [path.name for path in DOCUMENTS] == [
        "receiving.jsonld",
        "unpacking.jsonld",
        "receiving.xml",
    ]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_each_example_is_a_valid_document_whose_events_carry_their_ids(path: Path) -> None:
    assert document_problems(read(path), from_xml=path.suffix == ".xml") == []
    assert [str(event["eventID"]).startswith("urn:uuid:") for event in events_of(path)] == [True]


@pytest.mark.parametrize("xml", sorted(EXAMPLES.glob("*.xml")), ids=lambda path: path.name)
def test_an_example_in_both_bindings_says_the_same_in_both(xml: Path) -> None:
    jsonld = xml.with_suffix(".jsonld")
    hashes = [
        [event_hash(event, namespaces_of(read(path).get("@context"))) for event in events_of(path)]
        for path in (jsonld, xml)
    ]
    assert hashes[0] == hashes[1]
    assert len(hashes[0]) == 1
