"""``unitrace code``: read, convert and draw GS1 codes (Digital Link, element strings, HRI,
EPC), with no database."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    CODE_HELP,
    AsJson,
    ResolverBase,
    SymbologyName,
    SymbologyOption,
    bad_input_is_one_line,
    fail,
    identifier_column,
    print_json,
    progress_bar,
    prose_column,
    read_code_argument,
    readable,
    resolver_base_or_default,
    say,
    stdout,
    table,
    write_bytes,
    write_text,
)

if TYPE_CHECKING:
    from unitrace.services.codes import CodeDescription
    from unitrace.symbols import SheetLayout

code_app = typer.Typer(
    help="Read, convert and draw GS1 codes: Digital Link, element strings, HRI, EPC.",
    no_args_is_help=True,
)


class TagSchemeName(StrEnum):
    """The RFID tag encodings, by the names of :class:`unitrace.gs1.epc.TagScheme`."""

    SGTIN_96 = "sgtin-96"
    SGTIN_198 = "sgtin-198"
    SSCC_96 = "sscc-96"


FORM_NAMES = {
    "digital_link": "GS1 Digital Link URI",
    "element_string": "GS1 element string",
    "hri": "GS1 human-readable text",
    "epc_uri": "EPC URI",
    "gtin": "retail barcode (GTIN)",
}


def print_description(description: CodeDescription) -> None:
    scan = description.scan
    shown = table(FORM_NAMES[scan.form.value])
    shown.add_column("AI", style="bold cyan", no_wrap=True)
    prose_column(shown, "meaning")
    identifier_column(shown, "value")
    shown.columns[-1].style = "bold"
    for ai, title, value in description.rows():
        shown.add_row(f"({ai})", title, value)
    stdout.print(shown)
    facts: list[tuple[str, str | None]] = [
        ("expiry", scan.expiry.date.isoformat() if scan.expiry else None),
        ("HRI", scan.hri()),
        ("Digital Link", description.digital_link),
        ("EPC URI", description.epc_uri),
    ]
    for label, fact in facts:
        if fact is not None:
            stdout.print(f"[dim]{label:>13}[/dim]  {fact}", highlight=False, soft_wrap=True)


@code_app.command("parse")
def code_parse(
    code: Annotated[str, typer.Argument(help=CODE_HELP)],
    as_json: AsJson = False,
    resolver_base: ResolverBase = None,
    company_prefix_length: Annotated[
        int | None,
        typer.Option(help="GS1 company prefix length (6-12), to print the EPC URI too."),
    ] = None,
) -> None:
    """Show the AIs in a code and its other forms (HRI, Digital Link, EPC URI)."""
    from unitrace.services.codes import describe_code

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


TAG_FACT_NAMES = {
    "scheme": "scheme",
    "filter": "filter value",
    "company_prefix_length": "company prefix length",
    "hri": "HRI",
    "epc_uri": "EPC URI",
    "tag_uri": "tag URI",
    "hex": "hex",
}


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
        TagSchemeName | None,
        typer.Option(
            help="Tag encoding [default: sgtin-96 where the serial fits, else sgtin-198; sscc-96 for an SSCC].",
        ),
    ] = None,
    filter_value: Annotated[
        int | None,
        typer.Option("--filter", help="Filter value 0-7 [default: 1 for a unit, 0 for an SSCC]."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Encode a unit or SSCC for an RFID tag (EPC URI, tag URI, hex), or decode a tag's hex."""
    from unitrace.gs1 import format_hri
    from unitrace.gs1.epc import TagScheme
    from unitrace.services.codes import epc_tag

    with bad_input_is_one_line():
        tag = epc_tag(
            read_code_argument(code),
            company_prefix_length=company_prefix_length,
            scheme=None if scheme is None else TagScheme(scheme.value),
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


@code_app.command("render")
def code_render(
    code: Annotated[str, typer.Argument(help=CODE_HELP)],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write: .svg or .png.")],
    symbology: SymbologyOption = SymbologyName.DATAMATRIX,
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
        from unitrace.gs1 import parse
        from unitrace.gs1.digital_link import check_resolver_base
        from unitrace.symbols import Symbology, draw_png, draw_svg, encode_symbol

        check_resolver_base(base)
        elements = parse(read_code_argument(code)).elements
        symbol = encode_symbol(elements, Symbology(symbology.value), resolver_base=base)
        if suffix == ".svg":
            write_text(out, draw_svg(symbol, module_size=module_size or 0.5))
        else:
            if module_size is not None and (module_size < 1 or module_size != int(module_size)):
                fail(f"--module-size: a PNG module is a whole number of pixels, got {module_size}")
            write_bytes(out, draw_png(symbol, module_size=int(module_size or 4)))
    say(f"wrote {out} ({symbology.value}: {symbol.hri})")


@code_app.command("read")
def code_read(
    image: Annotated[Path, typer.Argument(help="A PNG, JPEG or SVG picture of symbols.")],
    as_json: AsJson = False,
    resolver_base: ResolverBase = None,
) -> None:
    """Read the GS1 symbols in an image and show what each one holds."""
    base = resolver_base_or_default(resolver_base)
    with bad_input_is_one_line():
        from unitrace.services.codes import describe_scan
        from unitrace.symbols import read

        descriptions = [describe_scan(scan, resolver_base=base) for scan in read(image)]
    if as_json:
        print_json([description.as_json() for description in descriptions])
        return
    for description in descriptions:
        print_description(description)


PageOption = Annotated[str, typer.Option(help="a4, letter, or WIDTHxHEIGHT in mm.")]
LabelOption = Annotated[str, typer.Option(help="Label size, WIDTHxHEIGHT in mm.")]


def sheet_layout(page: str, label: str, *, outlines: bool) -> SheetLayout:
    from unitrace.symbols import PageSize, SheetLayout

    label_size = PageSize.parse(label)
    return SheetLayout(
        page=PageSize.parse(page),
        label_width_mm=label_size.width_mm,
        label_height_mm=label_size.height_mm,
        outlines=outlines,
    )


@code_app.command("sheet")
def code_sheet(
    codes: Annotated[
        Path,
        typer.Argument(help="Text file of codes, one unit per line in any form; - for stdin."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write.")],
    symbology: SymbologyOption = SymbologyName.DATAMATRIX,
    page: PageOption = "a4",
    label: LabelOption = "60x30",
    outlines: Annotated[bool, typer.Option(help="Outline each label (proofs).")] = False,
    resolver_base: ResolverBase = None,
) -> None:
    """Lay out a PDF sheet of labels: a symbol and GTIN, lot, expiry and serial per unit."""
    base = resolver_base_or_default(resolver_base)
    with bad_input_is_one_line():
        from unitrace.gs1 import InvalidCode, parse
        from unitrace.gs1.digital_link import check_resolver_base
        from unitrace.symbols import SheetMetadata, Symbology, write_label_sheet

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
                units,
                out,
                layout,
                symbology=Symbology(symbology.value),
                resolver_base=base,
                progress=advance,
                metadata=SheetMetadata(title=out.name),
            )
        readable(out)
    pages = "1 page" if summary.pages == 1 else f"{summary.pages} pages"
    say(f"wrote {out}: {summary.labels} labels on {pages}")
