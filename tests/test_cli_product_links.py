"""unitrace products links: a product's links, added, listed and removed from the command
line as over HTTP; bad input is one line and exit status 2."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.test_cli_products import GTIN, registry, runner
from unitrace.cli import app
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot
from unitrace.store.unit_of_work import Database

ADMIN = Actor("setup", Role.ADMIN)
__all__ = ["registry"]  # fixture


@pytest.fixture
def with_lot(registry: Database) -> Database:
    """The registry of ``unitrace products`` tests, its product with a lot L1."""
    with registry.unit_of_work() as uow:
        register_lot(uow, gtin=GTIN, lot="L1", expiry=dt.date(2031, 1, 1), actor=ADMIN)
        uow.commit()
    return registry


def test_links_are_added_listed_and_removed(with_lot: Database) -> None:
    added = runner.invoke(
        app,
        ["products", "links", "add", GTIN, "--type", "gs1:pip", "--href",
         "https://brand.example/pip", "--title", "Vitamin C", "--language", "en", "--default"],
    )  # fmt: skip
    assert (added.exit_code, added.stdout) == (
        0,
        "added link 1: gs1:pip https://brand.example/pip\n",
    )
    lot_link = runner.invoke(
        app,
        ["products", "links", "add", GTIN, "--type", "gs1:instructions", "--href",
         "https://brand.example/l1", "--title", "Leaflet", "--lot", "L1", "--json"],
    )  # fmt: skip
    assert json.loads(lot_link.stdout)["lot"] == "L1"
    listed = runner.invoke(app, ["products", "links", "list", GTIN, "--json"])
    assert [(row["id"], row["link_type"], row["default"]) for row in json.loads(listed.stdout)] == [
        (1, "gs1:pip", True),
        (2, "gs1:instructions", False),
    ]
    removed = runner.invoke(app, ["products", "links", "remove", GTIN, "1"])
    assert (removed.exit_code, removed.stdout) == (0, "removed link 1: https://brand.example/pip\n")
    shown = runner.invoke(app, ["products", "links", "list", GTIN], env={"COLUMNS": "200"})
    assert (shown.exit_code, "gs1:instructions" in shown.stdout, "gs1:pip" in shown.stdout) == (
        0,
        True,
        False,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["add", GTIN, "--type", "gs1:nope", "--href", "https://b.example", "--title", "T"],
         "link_type: gs1:nope is not a link type of the GS1 Web Vocabulary"),
        (["add", GTIN, "--type", "gs1:pip", "--href", "ftp://b.example", "--title", "T"],
         "href: 'ftp://b.example' must be an absolute http or https URL"),
        (["remove", GTIN, "7"], f"link: 7 is not a link of {GTIN}"),
        (["list", "09506000134369"], "gtin: 09506000134369 is not a registered product"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_status_2(
    with_lot: Database, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["products", "links", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
