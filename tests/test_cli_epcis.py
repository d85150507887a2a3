"""unitrace epcis hash|validate|convert|capture|events on the official example documents and on
broken ones: the figures, the exit codes, one line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.epcis.hashing import event_hash

runner = CliRunner()
#: the standard's worked example of the event hash (GS1's reference implementation)
WORKED = {
    "@context": [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"example": "https://ns.example.com/epcis/"},
    ],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2020-03-04T11:00:30.000+01:00",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": "2020-03-04T11:00:30.000+01:00",
                "eventTimeZoneOffset": "+01:00",
                "recordTime": "2020-03-04T11:00:30.999+01:00",
                "epcList": [
                    "urn:epc:id:sscc:4012345.0000000333",
                    "urn:epc:id:sscc:4012345.0000000111",
                ],
                "action": "OBSERVE",
                "bizStep": "departing",
                "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
                "example:myField2": "0",
            }
        ]
    },
}


def test_hash_prints_each_events_hash_and_pre_hash(tmp_path: Path) -> None:
    (tmp_path / "worked.jsonld").write_text(json.dumps(WORKED))
    printed = runner.invoke(app, ["epcis", "hash", str(tmp_path / "worked.jsonld")])
    assert printed.exit_code == 0, printed.output
    first, pre_hash = printed.stdout.splitlines()
    expected = event_hash(
        WORKED["epcisBody"]["eventList"][0], {"example": "https://ns.example.com/epcis/"}
    )
    assert first == f"0\t{expected}"
    assert pre_hash.startswith("\teventType=ObjectEventeventTime=2020-03-04T10:00:30.000Z")
    assert "https://id.gs1.org/00/040123450000001112" in pre_hash


@pytest.mark.conformance
def test_the_same_event_in_json_and_xml_gets_one_hash(conformance: Path, tmp_path: Path) -> None:
    examples = conformance / "epcis"
    json_rows = json.loads(
        runner.invoke(
            app,
            ["epcis", "hash", str(examples / "JSON/Example_9.6.1-ObjectEvent.jsonld"), "--json"],
        ).stdout
    )
    # the JSON example written as XML by the converter, then hashed from the XML
    xml = runner.invoke(
        app,
        [
            "epcis",
            "convert",
            str(examples / "JSON/Example_9.6.1-ObjectEvent.jsonld"),
            "--to",
            "xml",
            "--out",
            str(tmp_path / "same.xml"),
        ],
    )
    assert xml.exit_code == 0, xml.output
    xml_rows = json.loads(
        runner.invoke(app, ["epcis", "hash", str(tmp_path / "same.xml"), "--json"]).stdout
    )
    assert [row["hash"] for row in xml_rows] == [row["hash"] for row in json_rows]
    assert len(json_rows) == 2


@pytest.mark.conformance
def test_validate_accepts_the_official_examples_and_names_what_is_broken(
    conformance: Path, tmp_path: Path
) -> None:
    good = conformance / "epcis" / "JSON" / "Example_9.6.3-AggregationEvent.jsonld"
    assert runner.invoke(app, ["epcis", "validate", str(good)]).exit_code == 0
    broken = json.loads(good.read_text())
    broken["epcisBody"]["eventList"][0]["bizStep"] = "shiping"
    del broken["epcisBody"]["eventList"][0]["eventTimeZoneOffset"]
    (tmp_path / "broken.jsonld").write_text(json.dumps(broken))
    answer = runner.invoke(app, ["epcis", "validate", str(tmp_path / "broken.jsonld")])
    assert answer.exit_code == 2
    assert answer.stderr.count("\n") == 2  # the second problem, then the one-line error
    assert answer.stderr.splitlines()[-1].startswith("error: 2 problems: event 0")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("{nope", "bad.jsonld", "error: document: not JSON"),
        ("<EPCISDocument>", "bad.xml", "error: document:"),
        ('{"type": "EPCISDocument"}', "empty.jsonld", "error: epcisBody.eventList"),
    ],
)
def test_unreadable_documents_are_one_line(
    tmp_path: Path, content: str, name: str, message: str
) -> None:
    (tmp_path / name).write_text(content)
    answer = runner.invoke(app, ["epcis", "hash", str(tmp_path / name)])
    assert answer.exit_code == 2
    assert answer.stderr.startswith(message)
    assert answer.stderr.count("\n") == 1


@pytest.mark.conformance
def test_capture_stores_a_partners_document(
    conformance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    example = conformance / "epcis" / "XML" / "Example_9.6.1-ObjectEvent-2020_06_18a.xml"
    captured = runner.invoke(app, ["epcis", "capture", str(example)])
    assert captured.exit_code == 0, captured.output
    assert captured.stdout.strip().endswith("2 of 2 events captured")
    # sent again (a retry after a timeout): told its events are captured already, no error
    again = runner.invoke(app, ["epcis", "capture", str(example)])
    assert again.exit_code == 0, again.output
    lines = again.stdout.strip().splitlines()
    assert [line.split(": ", 1)[1] for line in lines[:2]] == [
        "eventID: captured already: the same event, sent again, is not stored twice"
    ] * 2
    assert lines[-1].endswith("0 of 2 events captured")


@pytest.fixture
def captured_worked_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A registry holding the standard's worked example and two more events; their ids."""
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    events = []
    for n, (step, epc) in enumerate(
        [
            ("departing", "urn:epc:id:sscc:4012345.0000000333"),
            ("arriving", "urn:epc:id:sscc:4012345.0000000333"),
            ("arriving", "urn:epc:id:sscc:4012345.0000000444"),
        ]
    ):
        event = dict(WORKED["epcisBody"]["eventList"][0])  # type: ignore[index]
        event.update(
            eventID=f"urn:uuid:00000000-0000-4000-8000-00000000000{n}",
            eventTime=f"2020-03-04T1{n}:00:30.000+01:00",
            bizStep=step,
            epcList=[epc],
        )
        events.append(event)
    document = {**WORKED, "epcisBody": {"eventList": events}}
    (tmp_path / "three.jsonld").write_text(json.dumps(document))
    assert runner.invoke(app, ["epcis", "capture", str(tmp_path / "three.jsonld")]).exit_code == 0
    return {step: event["eventID"] for step, event in zip(["d", "a1", "a2"], events, strict=True)}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ([], ["d", "a1", "a2"]),
        (["EQ_bizStep=arriving"], ["a1", "a2"]),
        (["MATCH_epc=urn:epc:id:sscc:4012345.0000000333"], ["d", "a1"]),
        (["MATCH_epc=urn:epc:id:sscc:4012345.0000000333", "EQ_bizStep=arriving"], ["a1"]),
        (
            ["EQ_bizStep=departing,arriving", "orderBy=eventTime", "orderDirection=DESC"],
            ["a2", "a1", "d"],
        ),
        (["--limit", "2"], ["d", "a1"]),
        (["EQ_bizStep=shipping"], []),
    ],
)
def test_events_answers_as_the_query_interface_does(
    captured_worked_example: dict[str, str], arguments: list[str], expected: list[str]
) -> None:
    answer = runner.invoke(app, ["epcis", "events", *arguments, "--json"])
    assert answer.exit_code == 0, answer.output
    document = json.loads(answer.stdout)
    assert document["type"] == "EPCISQueryDocument"
    listed = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [event["eventID"] for event in listed] == [
        captured_worked_example[name] for name in expected
    ]


def test_events_prints_a_table_and_says_when_more_match(
    captured_worked_example: dict[str, str],
) -> None:
    answer = runner.invoke(app, ["epcis", "events", "--limit", "2"], env={"COLUMNS": "200"})
    assert answer.exit_code == 0, answer.output
    rows = [line for line in answer.stdout.splitlines() if "urn:epc:id:sscc" in line]
    assert len(rows) == 2
    assert "departing" in rows[0]
    assert "arriving" in rows[1]
    assert "urn:epc:id:sgln:4012345.00011.987" in rows[0]
    assert answer.stdout.splitlines()[-1] == "2 event(s), more match: raise --limit"
    xml = runner.invoke(app, ["epcis", "events", "EQ_bizStep=departing", "--xml"])
    assert xml.exit_code == 0
    assert "<bizStep>urn:epcglobal:cbv:bizstep:departing</bizStep>" in xml.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["eventType=Bogus"], "error: eventType: 'Bogus' is not an event type"),
        (["bizStep"], "error: 'bizStep': give each query parameter as NAME=VALUE"),
        (["EQ_colour=red"], "error: EQ_colour:"),
        (["GE_eventTime=yesterday"], "error: GE_eventTime:"),
        (["--json", "--xml"], "error: --json and --xml: choose one"),
    ],
)
def test_events_refuses_a_bad_query_in_one_line(
    captured_worked_example: dict[str, str], arguments: list[str], message: str
) -> None:
    answer = runner.invoke(app, ["epcis", "events", *arguments])
    assert answer.exit_code == 2
    assert answer.stderr.startswith(message), answer.stderr
    assert answer.stderr.count("\n") == 1


@pytest.mark.conformance
def test_capture_holds_an_xml_document_to_the_xsd(
    conformance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sensor report without a type is valid XML (the XSD makes the type optional), though
    the JSON Schema would refuse it: a file read as XML is captured."""
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    example = conformance / "epcis" / "XML" / "WithSensorData" / "SensorDataExamples.xml"
    captured = runner.invoke(app, ["epcis", "capture", str(example)])
    assert captured.exit_code == 0, captured.output
    assert captured.stdout.strip().endswith("events captured")
