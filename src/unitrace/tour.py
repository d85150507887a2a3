"""A walk through unitrace's command line, run by ``make run``: each command is printed, then
run, and what it draws is left in ``out/`` to open."""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

from unitrace.gs1 import Expiry, Gtin, UnitIdentity

OUT = Path("out")
RESOLVER_BASE = "https://id.brand.example"
SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def step(title: str, *arguments: str, stdin: str | None = None) -> None:
    print(f"\n\033[1m# {title}\033[0m")
    print("$ unitrace " + " ".join(shlex.quote(a) for a in arguments))
    sys.stdout.flush()
    completed = subprocess.run(
        [sys.executable, "-m", "unitrace", *arguments], input=stdin, text=True, check=False
    )
    if completed.returncode:
        print(f"(exit status {completed.returncode})")


def demo_units(count: int) -> list[UnitIdentity]:
    gtin, expiry = Gtin("09506000134352"), Expiry("271200")
    return [
        UnitIdentity(
            gtin,
            "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(12)),
            lot="L2611A",
            expiry=expiry,
        )
        for _ in range(count)
    ]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("UNITRACE_RESOLVER_BASE", RESOLVER_BASE)
    print(f"UNITRACE_RESOLVER_BASE={os.environ['UNITRACE_RESOLVER_BASE']}")
    unit = demo_units(1)[0]
    step("What is in a code? A GS1 Digital Link URI, as a phone reads it from a QR Code",
         "code", "parse", unit.digital_link(RESOLVER_BASE))  # fmt: skip
    step("The same unit as barcode data (^ stands for FNC1), as JSON for scripts",
         "code", "parse", "^" + unit.element_string().replace("\x1d", "^"), "--json")  # fmt: skip
    step("An EPC URI from an RFID reader or an EPCIS event",
         "code", "parse", "urn:epc:id:sgtin:9506000.013435.7")  # fmt: skip
    step("A wrong check digit: one line saying what is wrong, exit status 2",
         "code", "parse", "(01)09506000134353(21)X1")  # fmt: skip
    step("A Digital Link whose qualifiers are out of order",
         "code", "parse", f"{RESOLVER_BASE}/01/09506000134352/21/X1/10/L2611A")  # fmt: skip
    for symbology, name in (("datamatrix", "unit.svg"), ("dl-qr", "unit-qr.png"),
                            ("gs1-128", "unit-128.png")):  # fmt: skip
        step(f"Draw the unit as {symbology}", "code", "render", unit.hri(),
             "--symbology", symbology, "--out", str(OUT / name))  # fmt: skip
    step("Read the QR Code back from its image", "code", "read", str(OUT / "unit-qr.png"))
    step("Encode the unit for an RFID tag (company prefix 9506000)",
         "code", "epc", "(01)09506000134352(21)7", "--company-prefix-length", "7")  # fmt: skip
    step("Decode what a reader reports from a tag", "code", "epc", "3074257BF7194E4000001A85")
    codes = OUT / "codes.txt"
    codes.write_text("\n".join(u.hri() for u in demo_units(500)) + "\n", encoding="utf-8")
    step("A PDF sheet of 500 labels for the packaging line",
         "code", "sheet", str(codes), "--out", str(OUT / "labels.pdf"), "--label", "60x30")  # fmt: skip
    print("\n\033[1mOpen what the tour drew:\033[0m")
    for name in ("unit.svg", "unit-qr.png", "unit-128.png", "labels.pdf"):
        print(f"  file://{(OUT / name).resolve()}")
    print("\nEvery command has --help:  .venv/bin/unitrace --help")


if __name__ == "__main__":
    main()
