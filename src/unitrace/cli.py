"""The ``unitrace`` command line.

Every command exits 0 on success and 2 on bad input, with one line on stderr saying what was
wrong; long work shows a progress bar.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from unitrace import __version__
from unitrace.api.routers.alerts import AlertOut
from unitrace.api.routers.tokens import TokenListed
from unitrace.api.routers.verification import scan_json
from unitrace.config import Settings
from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing import event_hash, pre_hash_string
from unitrace.epcis.model import InvalidEvent
from unitrace.epcis.validation import document_problems
from unitrace.epcis.xml_write import document_to_xml
from unitrace.gs1 import GROUP_SEPARATOR, InvalidCode, ScanForm, format_hri, parse
from unitrace.gs1.digital_link import check_resolver_base
from unitrace.gs1.epc import TagScheme
from unitrace.registry.errors import Refused
from unitrace.registry.model import Actor, Role
from unitrace.services import epcis_capture, epcis_query
from unitrace.services.alert_workflow import get_alert, list_alerts, update_alert
from unitrace.services.catalog import effective_rules, get_product, set_detection_rules
from unitrace.services.codes import CodeDescription, describe_code, describe_scan, epc_tag
from unitrace.services.demo import DEMO_STEPS, demo_seeded, demo_token, demo_units, seed_demo
from unitrace.services.labels import write_request_labels, write_request_symbols
from unitrace.services.serialization import code_file, get_request, issue_serials, request_codes
from unitrace.services.tokens import create_token, list_tokens, live_token_id, revoke_token
from unitrace.services.verification import ScanRequest, verify
from unitrace.store.database import database_url, open_database
from unitrace.store.epcis_query import FoundEvent
from unitrace.store.migrations import is_current, upgrade
from unitrace.store.unit_of_work import Database
from unitrace.symbols import (
    InvalidSheetLayout,
    PageSize,
    SheetLayout,
    SheetMetadata,
    Symbology,
    UnreadableImage,
    draw_png,
    draw_svg,
    encode_symbol,
    read,
    write_label_sheet,
)

app = typer.Typer(
    name="unitrace",
    help="Unit-level serialization and traceability on GS1 standards.",
    no_args_is_help=True,
    add_completion=False,
)
code_app = typer.Typer(
    help="Read, convert and draw GS1 codes: Digital Link, element strings, HRI, EPC.",
    no_args_is_help=True,
)
app.add_typer(code_app, name="code")

stdout = Console()
stderr = Console(stderr=True)

BAD_INPUT = 2

ProgressCallback = Callable[[int], None]

CODE_HELP = (
    "The code as a scanner or phone gives it: a GS1 Digital Link URI, an element string "
    "(write FNC1 as ^, as GS1's syntax engine does, or pass - to read raw data with GS "
    "characters from standard input), a (01)…(21)… string, or an EPC URI."
)


def say(line: str) -> None:
    """One line for people on stdout, never wrapped, so that scripts can read it too."""
    stdout.print(line, markup=False, highlight=False, soft_wrap=True)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit status 2: the contract for bad input."""
    stderr.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(BAD_INPUT)


@contextmanager
def bad_input_is_one_line() -> Iterator[None]:
    try:
        yield
    except (InvalidCode, UnreadableImage, InvalidSheetLayout, Refused) as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or 'file'}: {error.strerror or error}")


def read_code_argument(text: str) -> str:
    """The code a user gave on the command line: ``-`` reads standard input; a leading ``^``
    marks GS1 syntax-engine notation, where ``^`` stands for FNC1 (``^`` is outside CSET 82,
    so it cannot be data)."""
    if text == "-":
        text = sys.stdin.read().rstrip("\r\n")
    if text.startswith("^"):
        return text[1:].replace("^", GROUP_SEPARATOR)
    return text


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


FORM_NAMES = {
    ScanForm.DIGITAL_LINK: "GS1 Digital Link URI",
    ScanForm.ELEMENT_STRING: "GS1 element string",
    ScanForm.HRI: "GS1 human-readable text",
    ScanForm.EPC_URI: "EPC URI",
    ScanForm.GTIN: "retail barcode (GTIN)",
}


def print_description(description: CodeDescription) -> None:
    scan = description.scan
    table = Table(title=FORM_NAMES[scan.form], title_justify="left")
    table.add_column("AI", style="bold cyan")
    table.add_column("meaning")
    table.add_column("value", style="bold")
    for ai, title, value in description.rows():
        table.add_row(f"({ai})", title, value)
    stdout.print(table)
    facts: list[tuple[str, str | None]] = [
        ("expiry", scan.expiry.date.isoformat() if scan.expiry else None),
        ("HRI", scan.hri()),
        ("Digital Link", description.digital_link),
        ("EPC URI", description.epc_uri),
    ]
    for label, fact in facts:
        if fact is not None:
            stdout.print(f"[dim]{label:>13}[/dim]  {fact}", highlight=False, soft_wrap=True)


ResolverBase = Annotated[
    str | None,
    typer.Option(
        "--resolver-base",
        help="Domain for Digital Link URIs [default: $UNITRACE_RESOLVER_BASE or https://id.gs1.org].",
    ),
]


def resolver_base_or_default(resolver_base: str | None) -> str:
    return resolver_base or Settings.from_environment().resolver_base


@code_app.command("parse")
def code_parse(
    code: Annotated[str, typer.Argument(help=CODE_HELP)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    resolver_base: ResolverBase = None,
    company_prefix_length: Annotated[
        int | None,
        typer.Option(help="GS1 company prefix length (6-12), to print the EPC URI too."),
    ] = None,
) -> None:
    """Show the AIs in a code and its other forms (HRI, Digital Link, EPC URI)."""
    with bad_input_is_one_line():
        description = describe_code(
            read_code_argument(code),
            resolver_base=resolver_base_or_default(resolver_base),
            company_prefix_length=company_prefix_length,
        )
    if as_json:
        print_json(description.as_json())
    else:
        print_description(description)


@code_app.command("epc")
def code_epc(
    code: Annotated[
        str,
        typer.Argument(
            help=CODE_HELP + " Or the hex an RFID reader reports (24 or 52 hex digits), to decode."
        ),
    ],
    company_prefix_length: Annotated[
        int | None,
        typer.Option(help="GS1 company prefix length (6-12); an EPC URI carries its own."),
    ] = None,
    scheme: Annotated[
        TagScheme | None,
        typer.Option(
            help="Tag encoding [default: sgtin-96 where the serial fits, else sgtin-198; sscc-96 for an SSCC]."
        ),
    ] = None,
    filter_value: Annotated[
        int | None,
        typer.Option("--filter", help="Filter value 0-7 [default: 1 for a unit, 0 for an SSCC]."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Encode a unit or SSCC for an RFID tag (EPC URI, tag URI, hex), or decode a tag's hex."""
    with bad_input_is_one_line():
        tag = epc_tag(
            read_code_argument(code),
            company_prefix_length=company_prefix_length,
            scheme=scheme,
            filter_value=filter_value,
        )
    facts = {
        "scheme": tag.scheme.value,
        "filter": tag.filter_value,
        "company_prefix_length": tag.company_prefix_length,
        "hri": format_hri(tag.elements),
        "epc_uri": tag.pure_identity_uri,
        "tag_uri": tag.tag_uri,
        "hex": tag.hex(),
    }
    if as_json:
        print_json(facts)
        return
    for key, value in facts.items():
        stdout.print(
            f"[dim]{TAG_FACT_NAMES[key]:>21}[/dim]  {value}", highlight=False, soft_wrap=True
        )


TAG_FACT_NAMES = {
    "scheme": "scheme",
    "filter": "filter value",
    "company_prefix_length": "company prefix length",
    "hri": "HRI",
    "epc_uri": "EPC URI",
    "tag_uri": "tag URI",
    "hex": "hex",
}


SymbologyOption = Annotated[
    Symbology,
    typer.Option("--symbology", "-s", help="Symbol to draw."),
]


@code_app.command("render")
def code_render(
    code: Annotated[str, typer.Argument(help=CODE_HELP)],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write: .svg or .png.")],
    symbology: SymbologyOption = Symbology.DATAMATRIX,
    module_size: Annotated[
        float | None,
        typer.Option(help="Module size: millimetres in SVG [0.5], whole pixels in PNG [4]."),
    ] = None,
    resolver_base: ResolverBase = None,
) -> None:
    """Draw a code as GS1 DataMatrix, GS1 QR, a QR of its Digital Link, or GS1-128."""
    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png"):
        fail(f"--out: {out.name} must end in .svg or .png")
    base = resolver_base_or_default(resolver_base)
    with bad_input_is_one_line():
        check_resolver_base(base)
        elements = parse(read_code_argument(code)).elements
        symbol = encode_symbol(elements, symbology, resolver_base=base)
        if suffix == ".svg":
            out.write_text(draw_svg(symbol, module_size=module_size or 0.5), encoding="utf-8")
        else:
            if module_size is not None and (module_size < 1 or module_size != int(module_size)):
                fail(f"--module-size: a PNG module is a whole number of pixels, got {module_size}")
            out.write_bytes(draw_png(symbol, module_size=int(module_size or 4)))
    say(f"wrote {out} ({symbology.value}: {symbol.hri})")


@code_app.command("read")
def code_read(
    image: Annotated[Path, typer.Argument(help="A PNG, JPEG or SVG picture of symbols.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    resolver_base: ResolverBase = None,
) -> None:
    """Read the GS1 symbols in an image and show what each one holds."""
    base = resolver_base_or_default(resolver_base)
    with bad_input_is_one_line():
        descriptions = [describe_scan(scan, resolver_base=base) for scan in read(image)]
    if as_json:
        print_json([description.as_json() for description in descriptions])
        return
    for description in descriptions:
        print_description(description)


@code_app.command("sheet")
def code_sheet(
    codes: Annotated[
        Path,
        typer.Argument(help="Text file of codes, one unit per line in any form; - for stdin."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write.")],
    symbology: SymbologyOption = Symbology.DATAMATRIX,
    page: Annotated[str, typer.Option(help="a4, letter, or WIDTHxHEIGHT in mm.")] = "a4",
    label: Annotated[str, typer.Option(help="Label size, WIDTHxHEIGHT in mm.")] = "60x30",
    outlines: Annotated[bool, typer.Option(help="Outline each label (proofs).")] = False,
    resolver_base: ResolverBase = None,
) -> None:
    """Lay out a PDF sheet of labels: a symbol and GTIN, lot, expiry and serial per unit."""
    base = resolver_base_or_default(resolver_base)
    with bad_input_is_one_line():
        check_resolver_base(base)
        layout = sheet_layout(page, label, outlines=outlines)
        lines = (sys.stdin.read() if str(codes) == "-" else codes.read_text("utf-8")).splitlines()
        units = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    units.append(parse(read_code_argument(line)).identity())
                except InvalidCode as error:
                    fail(f"{codes}: line {number}: {error}")
        if not units:
            fail(f"{codes}: no codes in it")
        with progress_bar("labels", len(units)) as advance:
            summary = write_label_sheet(
                units, out, layout, symbology=symbology, resolver_base=base, progress=advance,
                metadata=SheetMetadata(title=out.name),
            )  # fmt: skip
    pages = "1 page" if summary.pages == 1 else f"{summary.pages} pages"
    say(f"wrote {out}: {summary.labels} labels on {pages}")


@contextmanager
def progress_bar(what: str, total: int) -> Iterator[ProgressCallback]:
    """A progress bar on stderr for long work; the callback takes the count done so far."""
    with Progress(
        TextColumn(f"{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    ) as progress:
        task = progress.add_task(what, total=total)
        yield lambda done: progress.update(task, completed=done)


tokens_app = typer.Typer(help="API tokens for the HTTP service.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")

CLI_ACTOR = Actor("cli", Role.ADMIN)


def open_registry() -> Database:
    """The database ``UNITRACE_DATABASE_URL`` names, which must have been initialised."""
    url = database_url()
    try:
        engine = open_database(url)
        if not is_current(engine):
            fail(f"database {engine.url.render_as_string()} is not initialised: run unitrace init")
    except SQLAlchemyError as error:
        fail(f"database {url}: {error.__class__.__name__}: {str(error).splitlines()[0]}")
    return Database(engine)


def migrated_registry() -> Database:
    """The database ``UNITRACE_DATABASE_URL`` names, created or migrated to the current
    schema."""
    url = database_url()
    try:
        engine = open_database(url)
        upgrade(engine)
    except SQLAlchemyError as error:
        fail(f"database {url}: {error.__class__.__name__}: {str(error).splitlines()[0]}")
    return Database(engine)


@app.command("init")
def init() -> None:
    """Create or migrate the database (idempotent); the first run prints an admin token once."""
    database = migrated_registry()
    engine = database.engine
    with database.unit_of_work() as uow:
        first = uow.tokens.count() == 0
        token = (
            create_token(uow, role="admin", label="first admin", actor=CLI_ACTOR) if first else None
        )
        uow.commit()
    say(f"database {engine.url.render_as_string()} is up to date")
    if token is not None:
        say(f"first admin token (shown once, keep it safe): {token}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (a few per core under load).")
    ] = 1,
    access_log: Annotated[
        bool, typer.Option(help="Log every request on stdout (the scan log is kept apart).")
    ] = True,
) -> None:
    """Run the HTTP service: the API, its OpenAPI page at /docs, and the Digital Link routes."""
    import uvicorn

    from unitrace.api.app import create_app
    from unitrace.api.serving import GRACEFUL_SHUTDOWN

    database = open_registry()
    say(
        f"unitrace is serving on http://{host}:{port}/  (API documentation: http://{host}:{port}/docs)"
    )
    if workers == 1:
        service = create_app(database, Settings.from_environment())
        uvicorn.run(
            service,
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
            # X-Forwarded-For is believed from UNITRACE_TRUSTED_PROXIES only (api.callers)
            proxy_headers=False,
        )
        return
    # each worker process opens the database itself, from the same environment
    database.engine.dispose()
    from unitrace.api.serving import serve_workers

    serve_workers(host=host, port=port, workers=workers, access_log=access_log)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help="admin, line, distributor or verifier.")],
    party: Annotated[
        str | None, typer.Option(help="The party a distributor token acts for.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="A note on who the token is for.")] = None,
) -> None:
    """Create an API token; it is printed alone on stdout, and only its hash is kept."""
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        token = create_token(uow, role=role, party=party, label=label, actor=CLI_ACTOR)
        uow.commit()
    sys.stdout.write(token + "\n")


@tokens_app.command("list")
def tokens_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every token, live or revoked: its id, role, party, label, when it was made and last
    used (to within five minutes); never its secret."""
    database = open_registry()
    with database.unit_of_work(read_only=True) as uow:
        found = [TokenListed.model_validate(record) for record in list_tokens(uow)]
    if as_json:
        print_json([token.model_dump(mode="json") for token in found])
        return
    live = sum(token.revoked_at is None for token in found)
    table = Table(title=f"{len(found)} tokens, {live} live", title_justify="left")
    # the times never wrap (the label and party do): made and revoked to the day, the last
    # use to the minute, as precise as it is kept
    for column, wraps in [
        ("id", False), ("role", False), ("party", True), ("label", True),
        ("created", False), ("last used", False), ("revoked", False),
    ]:  # fmt: skip
        table.add_column(column, no_wrap=not wraps)

    def day(at: dt.datetime | None) -> str:
        return "" if at is None else at.strftime("%Y-%m-%d")

    for token in found:
        used = (
            "never" if token.last_used_at is None else token.last_used_at.strftime("%Y-%m-%d %H:%M")
        )
        table.add_row(
            str(token.id), token.role, token.party or "", token.label or "",
            day(token.created_at), used, day(token.revoked_at),
        )  # fmt: skip
    stdout.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The token (ut_…) or its id.")],
) -> None:
    """Revoke an API token for good; the EPCIS subscriptions it made are suspended."""
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        token_id = int(token) if token.isascii() and token.isdigit() else live_token_id(uow, token)
        revoke_token(uow, token_id, actor=CLI_ACTOR)
        uow.commit()
    say(f"token {token_id} revoked")


def absolute_url(database: Database) -> str:
    """The database's URL as another folder would name it (a SQLite file by its full path)."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)


@app.command("demo")
def demo(
    url: Annotated[
        str, typer.Option(help="Where the service will be reached.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Create or migrate the database, fill it with demo data (once), and print an admin token
    and the URLs to open: a new token each run, the one printed by the run before revoked."""
    base = url.rstrip("/")
    database = migrated_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        seeded = demo_seeded(uow)
        if not seeded:
            with progress_bar("demo data", DEMO_STEPS) as advance:
                summary = seed_demo(uow, actor=CLI_ACTOR, progress=advance)
        made = demo_token(uow, actor=CLI_ACTOR)
        units = demo_units(uow, base)
        uow.commit()
    if seeded:
        say(f"demo data: already in {database.engine.url.render_as_string()}")
    else:
        say(
            f"demo data: {summary.products} products, {summary.lots} lots, {summary.parties} "
            f"parties, {summary.units:,} units commissioned, {summary.shipped:,} shipped, "
            f"{summary.alerts} alerts raised by scans"
        )
    earlier = ", ".join(str(token_id) for token_id in made.revoked)
    replaces = f"  (replaces the demo's token {earlier}, now revoked)" if earlier else ""
    say(f"admin token: {made.token}{replaces}")
    say("open in a browser (no token needed):")
    addresses = [("unitrace", f"{base}/"), ("API documentation", f"{base}/docs  and  {base}/redoc")]
    if units is not None:
        addresses += [
            ("a genuine unit's page", units.genuine),
            ("a unit at the pharmacy", units.pharmacy),
        ]
    for label, address in addresses:
        say(f"  {label:>22}: {address}")
    # the commands of another terminal, on the same database and printing the same codes
    command = Path(sys.argv[0])
    say("in another terminal:")
    if command.name == "unitrace" and command.parent.is_dir():
        say(f'  export PATH="{command.parent.resolve()}:$PATH"')
    say(f"  export UNITRACE_DATABASE_URL={absolute_url(database)}")
    say(f"  export UNITRACE_RESOLVER_BASE={Settings.from_environment().resolver_base}")


serials_app = typer.Typer(help="Issue serial numbers and get their codes.", no_args_is_help=True)
app.add_typer(serials_app, name="serials")
labels_app = typer.Typer(help="Print files for the packaging line.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")


@serials_app.command("request")
def serials_request(
    gtin: Annotated[str, typer.Option(help="The product's GTIN.")],
    lot: Annotated[str, typer.Option(help="The lot, registered already.")],
    count: Annotated[int, typer.Option(help="How many serials.")],
    commission: Annotated[bool, typer.Option(help="Commission the units at once.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Also write the codes to a .csv or .json file.")
    ] = None,
) -> None:
    """Issue unique, unguessable serials for a lot; print the request's figures."""
    if out is not None and out.suffix.lower() not in (".csv", ".json"):
        fail(f"--out: {out.name} must end in .csv or .json")
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        request = issue_serials(
            uow, gtin=gtin, lot=lot, count=count, commission=commission, actor=CLI_ACTOR
        )
        uow.commit()
    say(
        f"serial request {request.id}: {request.count:,} serials of {request.gtin} lot "
        f"{request.lot}, seq {request.seq_from}-{request.seq_to}"
        + (", commissioned" if request.commissioned else "")
    )
    say(f"guess probability for {request.gtin}: 1 in {1 / request.guess_probability:,.0f}")
    if out is not None:
        write_codes(database, request.id, out)


@serials_app.command("codes")
def serials_codes(
    request_id: Annotated[int, typer.Argument(help="The serial request's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="A .csv or .json file.")],
) -> None:
    """Write a request's codes: seq, serial, hri, element_string, digital_link."""
    if out.suffix.lower() not in (".csv", ".json"):
        fail(f"--out: {out.name} must end in .csv or .json")
    write_codes(open_registry(), request_id, out)


def write_codes(database: Database, request_id: int, out: Path) -> None:
    base = Settings.from_environment().resolver_base
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        request = get_request(uow, request_id)
        with progress_bar("codes", request.count) as advance:
            rows = []
            for code in request_codes(uow, request_id):
                rows.append(code.row(base))
                if len(rows) % 10_000 == 0:
                    advance(len(rows))
    out.write_text(code_file(rows, out.suffix.lower().lstrip(".")), encoding="utf-8")
    say(f"wrote {out}: {len(rows):,} codes")


@labels_app.command("pdf")
def labels_pdf(
    request_id: Annotated[int, typer.Argument(help="The serial request's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write.")],
    symbology: SymbologyOption = Symbology.DATAMATRIX,
    page: Annotated[str, typer.Option(help="a4, letter, or WIDTHxHEIGHT in mm.")] = "a4",
    label: Annotated[str, typer.Option(help="Label size, WIDTHxHEIGHT in mm.")] = "60x30",
) -> None:
    """A PDF sheet with one label per unit of a serial request."""
    database = open_registry()
    base = Settings.from_environment().resolver_base
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        layout = sheet_layout(page, label, outlines=False)
        request = get_request(uow, request_id)
        with progress_bar("labels", request.count) as advance:
            summary = write_request_labels(
                uow, request_id, out, layout=layout, symbology=symbology,
                resolver_base=base, progress=advance,
            )  # fmt: skip
    pages = "1 page" if summary.pages == 1 else f"{summary.pages} pages"
    say(f"wrote {out}: {summary.labels:,} labels on {pages}")


@labels_app.command("svg")
def labels_svg(
    request_id: Annotated[int, typer.Argument(help="The serial request's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="ZIP file to write.")],
    symbology: SymbologyOption = Symbology.DATAMATRIX,
) -> None:
    """A ZIP with one SVG symbol per unit of a serial request, named <seq>-<serial>.svg."""
    database = open_registry()
    base = Settings.from_environment().resolver_base
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        request = get_request(uow, request_id)
        with progress_bar("symbols", request.count) as advance:
            written = write_request_symbols(
                uow, request_id, out, symbology=symbology, resolver_base=base, progress=advance
            )
    say(f"wrote {out}: {written:,} symbols")


def sheet_layout(page: str, label: str, *, outlines: bool) -> SheetLayout:
    label_size = PageSize.parse(label)
    return SheetLayout(
        page=PageSize.parse(page),
        label_width_mm=label_size.width_mm,
        label_height_mm=label_size.height_mm,
        outlines=outlines,
    )


VERDICT_STYLES = {
    "genuine": "bold green",
    "suspicious": "bold yellow",
    "counterfeit": "bold red",
    "recalled": "bold red",
    "expired": "bold red",
    "inactive": "bold",
}


@app.command("scan")
def scan(
    code: Annotated[str, typer.Argument(help=CODE_HELP)],
    lat: Annotated[float | None, typer.Option(help="Latitude of the scan.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude of the scan.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 country.")] = None,
    region: Annotated[str | None, typer.Option(help="ISO 3166-2 region, e.g. MY-14.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Verify a code as a scan: genuine, suspicious, counterfeit, recalled, expired, inactive."""
    if (lat is None) != (lon is None):
        fail("--lat and --lon: give both, or neither")
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        result = verify(
            uow,
            ScanRequest(
                code=read_code_argument(code),
                latitude=lat,
                longitude=lon,
                country=country,
                region=region,
                city=None,
                client="cli",
                user_agent="unitrace-cli",
                at=None,
            ),
        )
        uow.commit()
    answer = scan_json(result)
    if as_json:
        print_json(answer)
        return
    style = VERDICT_STYLES.get(answer["verdict"], "bold")
    stdout.print(f"[{style}]{answer['verdict'].upper()}[/]  {answer['message']}", highlight=False)
    if answer["product"]:
        product = answer["product"]
        say(
            f"  {product['name']}  GTIN {product['gtin']}  lot {product['lot']}  serial {product['serial']}"
        )
    if answer["reasons"]:
        say("  reasons: " + ", ".join(answer["reasons"]))
    say(f"  scan {answer['scan_count']}" + (" (first)" if answer["first_scan"] else ""))


products_app = typer.Typer(help="Products in the registry.", no_args_is_help=True)
app.add_typer(products_app, name="products")


@products_app.command("rules")
def products_rules(
    gtin: Annotated[str, typer.Argument(help="The product's GTIN.")],
    max_clients: Annotated[
        int | None, typer.Option(help="Clone: more distinct clients than this.")
    ] = None,
    max_places: Annotated[
        int | None, typer.Option(help="Clone: more distinct regions (else countries).")
    ] = None,
    max_speed_kmh: Annotated[
        float | None, typer.Option(help="Clone: faster than this between two scans.")
    ] = None,
    min_travel_km: Annotated[
        float | None, typer.Option(help="Distances below this are never travel.")
    ] = None,
    before_shipping: Annotated[
        bool | None,
        typer.Option(
            "--before-shipping/--no-before-shipping",
            help="Grey market: a unit scanned before it was ever shipped.",
        ),
    ] = None,
    block_flagged_units: Annotated[
        bool | None,
        typer.Option(
            "--block-flagged-units/--no-block-flagged-units",
            help=(
                "A unit under an open clone or grey-market alert answers counterfeit, not "
                "suspicious, until the alert is closed."
            ),
        ),
    ] = None,
    reset: Annotated[
        bool, typer.Option(help="Forget the product's own rules first: back to the defaults.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a product's detection rules, or change them: the rules given change, the others
    stay; --reset starts again from the defaults."""
    changes = {
        name: value
        for name, value in (
            ("max_clients", max_clients),
            ("max_places", max_places),
            ("max_speed_kmh", max_speed_kmh),
            ("min_travel_km", min_travel_km),
            ("before_shipping", before_shipping),
            ("block_flagged_units", block_flagged_units),
        )
        if value is not None
    }
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=not (changes or reset)) as uow:
        if changes or reset:
            product = set_detection_rules(
                uow, gtin=gtin, rules=changes, actor=CLI_ACTOR, replace_all=reset
            )
            uow.commit()
        else:
            product = get_product(uow, gtin)
    rules = effective_rules(product)
    own = product.detection_rules.given
    if as_json:
        print_json({"gtin": product.gtin.value, "detection_rules": rules, "own": own})
        return
    say(f"detection rules of {product.gtin.value} ({product.name}):")
    width = max(len(name) for name in rules)
    for name, value in rules.items():
        shown = str(value).lower() if isinstance(value, bool) else f"{value:g}"
        say(f"  {name:<{width}} {shown:>8}  {'(product)' if name in own else '(default)'}")


alerts_app = typer.Typer(help="Alerts raised by verification.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("list")
def alerts_list(
    type: Annotated[
        str | None, typer.Option(help="clone, grey_market, counterfeit_probe, guessing, lifecycle.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="new, investigating or closed.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The alerts, newest first."""
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = [
            AlertOut.of(a) for a in list_alerts(uow, actor=CLI_ACTOR, type=type, status=status)
        ]
    if as_json:
        print_json([alert.model_dump(mode="json") for alert in found])
        return
    table = Table(title=f"{len(found)} alerts", title_justify="left")
    for column in ("id", "type", "status", "code", "party", "created"):
        table.add_column(column)
    for alert in found:
        table.add_row(
            str(alert.id), alert.type, alert.status, alert.code or "", alert.party or "",
            alert.created_at.strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    stdout.print(table)


@alerts_app.command("show")
def alerts_show(alert_id: Annotated[int, typer.Argument(help="The alert's id.")]) -> None:
    """One alert with its evidence, as JSON."""
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = AlertOut.of(get_alert(uow, alert_id, CLI_ACTOR))
    print_json(found.model_dump(mode="json"))


@alerts_app.command("close")
def alerts_close(
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    reason: Annotated[str, typer.Option(help="Why it is closed (required).")],
) -> None:
    """Close an alert with a reason."""
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        update_alert(uow, alert_id, status="closed", reason=reason, actor=CLI_ACTOR)
        uow.commit()
    say(f"alert {alert_id} closed: {reason}")


epcis_app = typer.Typer(
    help="EPCIS 2.0 documents: hash, validate, convert, capture; and the events stored.",
    no_args_is_help=True,
)
app.add_typer(epcis_app, name="epcis")
EpcisFile = Annotated[
    Path, typer.Argument(help="An EPCIS document: JSON-LD, or XML (a .xml file).")
]


def read_epcis_file(path: Path) -> dict[str, Any]:
    """The EPCIS document in ``path``: XML when its name ends in .xml, else JSON-LD."""
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
        out.write_bytes(written)
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
    document = read_epcis_file(file)
    database = open_registry()
    behaviour = epcis_capture.PROCEED if proceed else epcis_capture.ROLLBACK
    with bad_input_is_one_line():
        with database.unit_of_work() as uow:
            job = epcis_capture.start_capture(uow, document, actor=CLI_ACTOR, behaviour=behaviour)
            uow.commit()
        with progress_bar("capturing events", job.events) as progress:
            finished = epcis_capture.run_capture(
                database.unit_of_work,
                job,
                document,
                actor=CLI_ACTOR,
                from_xml=file.suffix.lower() == ".xml",
                progress=progress,
            )
    for error in finished.errors:
        stderr.print(error["detail"], markup=False, highlight=False, soft_wrap=True)
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
                    actor=CLI_ACTOR,
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
    table = Table(show_lines=False)
    for column in ("event time", "type", "action", "bizStep", "disposition", "where", "what"):
        table.add_column(column, overflow="fold")
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
        table.add_row(
            document["eventTime"],
            document["type"].removesuffix("Event"),
            document.get("action", ""),
            document.get("bizStep", ""),
            document.get("disposition", ""),
            where,
            (what[0] + (f" (+{len(what) - 1} more)" if len(what) > 1 else "")) if what else "",
        )
    stdout.print(table)
    say(f"{len(found):,} event(s)" + (", more match: raise --limit" if more else ""))


def version_callback(value: bool) -> None:
    if value:
        stdout.print(f"unitrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """unitrace: give every unit its own code, follow it, verify it, trace and recall it."""
