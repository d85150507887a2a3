"""How events name units, containers, places and parties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.epcis import EpcNaming, SerialUriTemplate
from unitrace.gs1 import Gln, Gtin, Sscc, parse
from unitrace.gs1.check_digits import gs1_check_digit

NAMING = EpcNaming.of([(Gtin("09506000134352"), 7), (Gtin("04012345000009"), None)])
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (NAMING.sgtin(Gtin("09506000134352"), "S1"), "urn:epc:id:sgtin:9506000.013435.S1"),
        # a case GTIN under the same company prefix is named with it
        (NAMING.sgtin(Gtin("19506000134359"), "C/1"), "urn:epc:id:sgtin:9506000.113435.C%2F1"),
        (NAMING.sscc(Sscc("195060000000000012")), "urn:epc:id:sscc:9506000.1000000001"),
        (NAMING.sgln(Gln("9506000000015")), "urn:epc:id:sgln:9506000.00001.0"),
        (NAMING.pgln(Gln("9506000000015")), "urn:epc:id:pgln:9506000.00001"),
        # under no known company prefix: GS1 Digital Link on GS1's resolver
        (
            NAMING.sgtin(Gtin("04012345000009"), "Z&1"),
            "https://id.gs1.org/01/04012345000009/21/Z%261",
        ),
        (NAMING.sscc(Sscc("340123450000000000")), "https://id.gs1.org/00/340123450000000000"),
        (NAMING.sgln(Gln("4012345000009")), "https://id.gs1.org/414/4012345000009"),
        (NAMING.pgln(Gln("4012345000009")), "https://id.gs1.org/417/4012345000009"),
    ],
)
def test_names(name: str, expected: str) -> None:
    assert name == expected


@pytest.mark.parametrize("gtin", [Gtin("09506000134352"), Gtin("04012345000009")])
def test_a_name_reads_back_as_the_same_unit(gtin: Gtin) -> None:
    scan = parse(NAMING.sgtin(gtin, "a/b%c"))
    assert (scan.gtin, scan.serial) == (gtin, "a/b%c")


def test_the_longest_known_prefix_wins() -> None:
    naming = EpcNaming(frozenset({"950600", "950600013"}))
    assert naming.company_prefix_length("950600013435") == 9
    assert naming.company_prefix_length("950600999999") == 6
    assert naming.company_prefix_length("401234500000") is None


@pytest.mark.parametrize(
    ("gtin", "alphabet", "template"),
    [
        (
            "09506000134352",
            "23456789ABCDEFGHJKLMNPQRSTUVWXYZ",
            SerialUriTemplate("urn:epc:id:sgtin:9506000.013435."),
        ),
        (
            "09506000134352",
            "AB/%&",
            SerialUriTemplate(
                "urn:epc:id:sgtin:9506000.013435.", (("%", "%25"), ("&", "%26"), ("/", "%2F"))
            ),
        ),
        (
            "04012345000009",
            "AB+/",
            SerialUriTemplate(
                "https://id.gs1.org/01/04012345000009/21/", (("+", "%2B"), ("/", "%2F"))
            ),
        ),
    ],
)
def test_serial_templates(gtin: str, alphabet: str, template: SerialUriTemplate) -> None:
    assert NAMING.serial_template(Gtin(gtin), alphabet) == template


@given(
    gtin=st.sampled_from([Gtin("09506000134352"), Gtin("04012345000009")]),
    serial=st.text(alphabet=CSET82, min_size=1, max_size=20),
)
def test_a_template_names_a_serial_as_the_naming_does(gtin: Gtin, serial: str) -> None:
    assert NAMING.serial_template(gtin, CSET82).uri(serial) == NAMING.sgtin(gtin, serial)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("urn:epc:id:sgtin:9506000.013435.S1", (Gtin("09506000134352"), "S1")),
        # a case GTIN (indicator 1) under the same prefix
        ("urn:epc:id:sgtin:9506000.113435.C1", (Gtin("19506000134359"), "C1")),
        # left to the general reader: an escaped serial, a prefix unitrace does not know,
        # a prefix cut at the wrong length, too many digits, another scheme, a Digital Link
        ("urn:epc:id:sgtin:9506000.013435.C%2F1", None),
        ("urn:epc:id:sgtin:0614141.812345.6789", None),
        ("urn:epc:id:sgtin:950600.0013435.S1", None),
        ("urn:epc:id:sgtin:9506000.0134350.S1", None),
        ("urn:epc:id:sgtin:9506000.01343\u0665.S1", None),  # an Arabic-Indic five
        ("urn:epc:id:sgtin:9506000.013435.S1.2", None),
        ("urn:epc:id:sgtin:9506000.013435.ABCDEFGHIJKLMNOPQRSTU", None),
        ("urn:epc:id:sscc:9506000.1000000001", None),
        ("https://id.gs1.org/01/09506000134352/21/S1", None),
    ],
)
def test_own_sgtin_reads_only_the_names_the_naming_gives(
    uri: str, expected: tuple[Gtin, str] | None
) -> None:
    assert NAMING.own_sgtin(uri) == expected


@given(
    gtin=st.sampled_from([Gtin("09506000134352"), Gtin("19506000134359"), Gtin("04012345000009")]),
    serial=st.text(alphabet=CSET82, min_size=1, max_size=20),
)
def test_own_sgtin_is_the_general_reader_where_it_answers(gtin: Gtin, serial: str) -> None:
    """Whatever the fast reader answers is what parsing the name gives; and every plain
    serial of a known prefix is answered by it."""
    name = NAMING.sgtin(gtin, serial)
    own = NAMING.own_sgtin(name)
    if own is not None:
        scan = parse(name)
        assert own == (scan.gtin, scan.serial) == (gtin, serial)
        assert NAMING.sgtin(*own) == name
    else:
        assert not (serial.isalnum() and serial.isascii() and name.startswith("urn:epc:id:sgtin"))


@given(
    digits=st.sampled_from(["09506000", "1950600", "30614141", "4401234567"]).flatmap(
        lambda start: st.text(
            alphabet="0123456789", min_size=17 - len(start), max_size=17 - len(start)
        ).map(lambda rest: start + rest)
    ),
    cut=st.integers(min_value=6, max_value=12),
)
def test_plain_sscc_is_the_general_reader_where_it_answers(digits: str, cut: int) -> None:
    """An SSCC URI cut at any company prefix length: where the fast reader answers, it is
    the name the general reader and the naming give; under a known prefix cut at its own
    length it always answers."""
    sscc = Sscc(digits + gs1_check_digit(digits))
    uri = f"urn:epc:id:sscc:{digits[1 : 1 + cut]}.{digits[0]}{digits[1 + cut :]}"
    named = NAMING.plain_sscc(uri)
    if named is not None:
        assert named == NAMING.sscc(sscc) == NAMING.sscc(parse(uri).sscc)
    else:
        assert NAMING.company_prefix_length(digits[1:]) not in (None, cut)


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:sscc:9506000.100000000",  # a digit short
        "urn:epc:id:sscc:9506000.10000000011",
        "urn:epc:id:sscc:95060001000000001",  # no dot
        "urn:epc:id:sscc:9506000.100000000\u0665",  # an Arabic-Indic five
        "urn:epc:id:sgtin:9506000.013435.S1",
        "https://id.gs1.org/00/195060000000000012",
    ],
)
def test_plain_sscc_leaves_what_is_not_plain_to_the_general_reader(uri: str) -> None:
    assert NAMING.plain_sscc(uri) is None
