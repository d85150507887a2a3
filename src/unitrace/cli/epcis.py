"""``unitrace epcis``: EPCIS 2.0 documents hashed, validated, converted between JSON-LD and
XML and captured into the repository; and the events stored, queried as ``GET /epcis/events``
queries them."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    bad_input_is_one_line,
    cli_actor,
    fail,
    open_registry,
    print_json,
    progress_bar,
    say,
    stderr,
    stdout,
    table,
    write_bytes,
)

if TYPE_CHECKING:
    from unitrace.store.epcis_query import FoundEvent

epcis_app = typer.Typer(
    help="EPCIS 2.0 documents: hash, validate, convert, capture; and the events stored.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
EpcisFile = Annotated[
    Path, typer.Argument(help="An EPCIS document: JSON-LD, or XML (a .xml file).")
]


def read_epcis_file(path: Path) -> dict[str, Any]:
    """The EPCIS document in ``path``: XML when its name ends in .xml, else JSON-LD."""
    from unitrace.services import epcis_capture

    media_type = "application/xml" if path.suffix.lower() == ".xml" else "application/ld+json"
    with bad_input_is_one_line():
        return epcis_capture.read_document(path.read_bytes(), media_type)


def document_events(document: dict[str, Any]) -> list[Any]:
    body = document.get("epcisBody") or {}
    if "queryResults" in body:
        body = body["queryResults"].get("resultsBody") or {}
    events = body.get("eventList")
    if not isinstance(events, list):
        fail("epcisBody.eventList: the document carries no event list")
    return events


@epcis_app.command("hash")
def epcis_hash(
    file: EpcisFile,
    pre_hash: Annotated[
        bool,
        typer.Option("--pre-hash/--no-pre-hash", help="Print each event's pre-hash string too."),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The CBV 2.0 event hash of every event (ni:///sha-256;…?ver=CBV2.0), with its
    canonical pre-hash string."""
    from unitrace.epcis.documents import namespaces_of
    from unitrace.epcis.hashing import event_hash, pre_hash_string
    from unitrace.epcis.model import InvalidEvent

    document = read_epcis_file(file)
    namespaces = namespaces_of(document.get("@context"))
    rows = []
    for index, event in enumerate(document_events(document)):
        try:
            rows.append(
                {
                    "index": index,
                    "eventID": event.get("eventID") if isinstance(event, dict) else None,
                    "hash": event_hash(event, namespaces, index=index),
                    "pre_hash": pre_hash_string(event, namespaces, index=index),
                }
            )
        except InvalidEvent as error:
            fail(str(error))
    if as_json:
        print_json(rows)
        return
    for row in rows:  # plain lines, unwrapped: made to be read by other programs too
        sys.stdout.write(f"{row['index']}\t{row['hash']}\n")
        if pre_hash:
            sys.stdout.write(f"\t{row['pre_hash']}\n")


@epcis_app.command("validate")
def epcis_validate(file: EpcisFile) -> None:
    """Check a document against the EPCIS 2.0 schema and the CBV rules: every problem is
    printed, one a line, naming the event and the field."""
    from unitrace.epcis.validation import document_problems

    problems = document_problems(read_epcis_file(file), from_xml=file.suffix.lower() == ".xml")
    if problems:
        for problem in problems[1:]:
            stderr.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        fail(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}: {problems[0]}")
    say(f"{file}: a valid EPCIS 2.0 document")


@epcis_app.command("convert")
def epcis_convert(
    file: EpcisFile,
    to: Annotated[str, typer.Option(help="xml or json.")],
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """The document in the other binding: JSON-LD to XML, XML to JSON-LD."""
    from unitrace.epcis.xml_write import document_to_xml

    document = read_epcis_file(file)
    if to not in ("xml", "json"):
        fail(f"--to: {to!r}: give xml or json")
    try:
        written = (
            document_to_xml(document)
            if to == "xml"
            else (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        )
    except ValueError as error:
        fail(str(error))
    if out is None:
        sys.stdout.buffer.write(written)
        return
    with bad_input_is_one_line():
        write_bytes(out, written)
    say(f"wrote {out}")


@epcis_app.command("capture")
def epcis_capture_file(
    file: EpcisFile,
    proceed: Annotated[
        bool,
        typer.Option(
            "--proceed",
            help="Capture the events without errors even if others have some (default: all or nothing).",
        ),
    ] = False,
) -> None:
    """Capture a partner's document into the repository, as POST /epcis/capture does: events
    stored, units moved through the registry's rules."""
    # a capture builds millions of objects (the document, its rows), next to none in a
    # cycle: the collector's passes over them found nothing and took a sixth of the command
    with _collector_paused():
        _capture_file(file, proceed=proceed)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the block runs (on again after it, as it
    was): objects are still freed as their last reference goes."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _capture_file(file: Path, *, proceed: bool) -> None:
    from unitrace.config import Settings
    from unitrace.services import epcis_capture
    from unitrace.services.epcis_capture.event_names import use_hash_workers

    with bad_input_is_one_line():
        use_hash_workers(Settings.from_environment().capture_hash_workers)
    document = read_epcis_file(file)
    database = open_registry()
    behaviour = epcis_capture.PROCEED if proceed else epcis_capture.ROLLBACK
    with bad_input_is_one_line():
        with database.unit_of_work() as uow:
            job = epcis_capture.start_capture(uow, document, actor=cli_actor(), behaviour=behaviour)
            uow.commit()
        with progress_bar("capturing events", job.events) as progress:
            finished = epcis_capture.run_capture(
                database.unit_of_work,
                job,
                document,
                actor=cli_actor(),
                from_xml=file.suffix.lower() == ".xml",
                progress=progress,
            )
    for error in finished.errors:
        stderr.print(error["detail"], markup=False, highlight=False, soft_wrap=True)
    for note in finished.notes:  # no errors: what the partner should know all the same
        say(note["detail"])
    if finished.errors and not finished.captured:
        fail(
            f"nothing captured: {len(finished.errors)} error(s), the first: {finished.errors[0]['detail']}"
        )
    say(f"capture job {finished.id}: {finished.captured:,} of {finished.events:,} events captured")


@epcis_app.command("events")
def epcis_events(
    parameters: Annotated[
        list[str] | None,
        typer.Argument(
            help="Query parameters as GET /epcis/events takes them, each NAME=VALUE: "
            "MATCH_epc=urn:epc:id:sgtin:…, EQ_bizStep=shipping, GE_eventTime=2026-05-01T00:00Z, "
            "eventType=ObjectEvent, orderBy=eventTime, … (lists split at commas).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Show at most this many events.")
    ] = 100,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the EPCISQueryDocument as JSON-LD.")
    ] = False,
    as_xml: Annotated[bool, typer.Option("--xml", help="Print the EPCISQueryDocument as XML.")] = (
        False
    ),
) -> None:
    """The stored events a query matches, as GET /epcis/events answers them: a table, or the
    EPCISQueryDocument itself with --json or --xml."""
    from unitrace.epcis.xml_write import document_to_xml
    from unitrace.services import epcis_query

    if as_json and as_xml:
        fail("--json and --xml: choose one")
    pairs = []
    for parameter in parameters or ():
        name, equals, value = parameter.partition("=")
        if not equals or not name:
            fail(f"{parameter!r}: give each query parameter as NAME=VALUE")
        pairs.append((name, value))
    database = open_registry()
    with bad_input_is_one_line():
        wanted, _ = epcis_query.query_string_parameters(pairs, page_parameters=False)
        definition = epcis_query.read_query(wanted)
        found: list[FoundEvent] = []
        token: str | None = None
        with database.unit_of_work(read_only=True) as uow:
            while len(found) < limit:
                page = epcis_query.run_query(
                    uow,
                    definition,
                    actor=cli_actor(),
                    per_page=min(limit - len(found), epcis_query.MAX_PER_PAGE),
                    page_token=token,
                )
                found += page.events
                token = page.next_page_token
                if token is None:
                    break
    document = epcis_query.answer_document(
        found, query_name=epcis_query.SIMPLE_EVENT_QUERY, created=dt.datetime.now(dt.UTC)
    )
    if as_json:
        print_json(document)
        return
    if as_xml:
        sys.stdout.buffer.write(document_to_xml(document))
        return
    print_events(found, more=token is not None)


def print_events(found: list[FoundEvent], *, more: bool) -> None:
    """Events as a person reads them: when, what happened, where, and to what."""
    rows = []
    for event in found:
        document = event.document
        what = [
            *(document.get("epcList") or ()),
            *([document["parentID"]] if document.get("parentID") else []),
            *(document.get("childEPCs") or ()),
            *(document.get("inputEPCList") or ()),
            *(document.get("outputEPCList") or ()),
            *(item["epcClass"] for item in document.get("quantityList") or ()),
        ]
        where = (document.get("bizLocation") or document.get("readPoint") or {}).get("id", "")
        rows.append(
            (
                document["eventTime"],
                document["type"].removesuffix("Event"),
                document.get("action", ""),
                document.get("bizStep", ""),
                document.get("disposition", ""),
                where,
                (what[0] + (f" (+{len(what) - 1} more)" if len(what) > 1 else "")) if what else "",
            )
        )
    # seven columns in 80: every one folds (a code onto the next line whole, never cut)
    shown = table()
    for column in ("event time", "type", "action", "bizStep", "disposition", "where", "what"):
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*row)
    stdout.print(shown)
    say(f"{len(found):,} event(s)" + (", more match: raise --limit" if more else ""))
