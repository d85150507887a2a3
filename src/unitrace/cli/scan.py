"""``unitrace scan``: a code verified as a phone's scan is, its verdict printed and given as
the exit status, so that a script can act on it."""

from __future__ import annotations

from typing import Annotated

import typer

from unitrace.cli.common import (
    CODE_HELP,
    AsJson,
    bad_input_is_one_line,
    fail,
    open_registry,
    print_json,
    read_code_argument,
    say,
    stdout,
)

VERDICT_EXIT_STATUSES = {
    "genuine": 0,
    "suspicious": 10,
    "inactive": 11,
    "expired": 12,
    "recalled": 13,
    "counterfeit": 14,
}
"""The exit status of each verdict (:class:`unitrace.services.verification.Verdict`); text
that is no code at all is a counterfeit answer, as the service gives it."""

VERDICT_STYLES = {
    "genuine": "bold green",
    "suspicious": "bold yellow",
    "counterfeit": "bold red",
    "recalled": "bold red",
    "expired": "bold red",
    "inactive": "bold",
}

SCAN_EPILOG = (
    "Exit status, the verdict: "
    + "; ".join(f"{status} {verdict}" for verdict, status in VERDICT_EXIT_STATUSES.items())
    + "; 2 bad input (a place that is not one, no database)."
)


def scan(
    code: Annotated[str, typer.Argument(help=CODE_HELP)],
    lat: Annotated[float | None, typer.Option(help="Latitude of the scan.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude of the scan.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 country.")] = None,
    region: Annotated[str | None, typer.Option(help="ISO 3166-2 region, e.g. MY-14.")] = None,
    as_json: AsJson = False,
) -> None:
    """Verify a code as a scan: genuine, suspicious, counterfeit, recalled, expired, inactive."""
    from unitrace.services.scan_answers import scan_json
    from unitrace.services.verification import ScanRequest, verify

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
        # no service may be running to count it
        uow.scan_counts.count_now()
        uow.commit()
    answer = scan_json(result)
    if as_json:
        print_json(answer)
    else:
        print_verdict(answer)
    status = VERDICT_EXIT_STATUSES[answer["verdict"]]
    if status:
        raise typer.Exit(status)


def print_verdict(answer: dict[str, object]) -> None:
    verdict = str(answer["verdict"])
    style = VERDICT_STYLES.get(verdict, "bold")
    stdout.print(f"[{style}]{verdict.upper()}[/]  {answer['message']}", highlight=False)
    product = answer["product"]
    if isinstance(product, dict):
        say(
            f"  {product['name']}  GTIN {product['gtin']}  lot {product['lot']}  serial {product['serial']}"
        )
    reasons = answer["reasons"]
    if isinstance(reasons, list) and reasons:
        say("  reasons: " + ", ".join(reasons))
    say(f"  scan {answer['scan_count']}" + (" (first)" if answer["first_scan"] else ""))
