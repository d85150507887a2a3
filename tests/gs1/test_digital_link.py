"""GS1 Digital Link URIs: reading and building, against the URIs GS1's Barcode Syntax Engine
tests itself with (values quoted from its test suite and the Digital Link standard)."""

from __future__ import annotations

import pytest

from unitrace.gs1 import (
    ElementString,
    InvalidCode,
    InvalidCombination,
    InvalidDigitalLink,
    InvalidLength,
    UnknownApplicationIdentifier,
    build_digital_link,
    format_hri,
    parse_hri,
)
from unitrace.gs1.digital_link import parse_digital_link

VALID = [
    ("http://a/00/006141411234567890", "(00)006141411234567890"),
    ("HTTP://a/00/006141411234567890", "(00)006141411234567890"),
    ("https://a/00/006141411234567890", "(00)006141411234567890"),
    ("HTTPS://a/00/006141411234567890", "(00)006141411234567890"),
    ("https://a/01/12312312312333", "(01)12312312312333"),
    ("https://xn--fsq.xn--0zwm56d/01/12312312312333", "(01)12312312312333"),
    ("https://a./01/12312312312333", "(01)12312312312333"),
    ("https://a:65535/01/12312312312333", "(01)12312312312333"),
    ("https://192.0.2.1/01/12312312312333", "(01)12312312312333"),
    ("https://3232235777/01/12312312312333", "(01)12312312312333"),
    ("https://[2001:db8::1]/01/12312312312333", "(01)12312312312333"),
    ("https://a/stem/00/006141411234567890", "(00)006141411234567890"),
    ("https://a/more/stem/00/006141411234567890", "(00)006141411234567890"),
    ("https://a/00/faux/00/006141411234567890", "(00)006141411234567890"),
    # deprecated short names: read, never written
    ("https://a/gtin/12312312312333", "(01)12312312312333"),
    ("https://a/gtin/12312312312333/ser/ABC123", "(01)12312312312333(21)ABC123"),
    ("https://a/sscc/006141411234567890", "(00)006141411234567890"),
    ("https://a/gtin/12312312312333/lot/L1/ser/S1?exp=261200", "(01)12312312312333(10)L1(21)S1(17)261200"),
    # zero-suppressed GTINs are padded on reading
    ("https://a/01/2112345678900", "(01)02112345678900"),
    ("https://a/01/416000336108", "(01)00416000336108"),
    ("https://a/01/02345673", "(01)00000002345673"),
    ("https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ", "(01)12312312312333(22)TEST(10)ABC(21)XYZ"),
    ("https://a/01/12312312312333/235/TEST", "(01)12312312312333(235)TEST"),
    ("https://a/253/1231231231232", "(253)1231231231232"),
    ("https://a/253/1231231231232TEST5678901234567", "(253)1231231231232TEST5678901234567"),
    ("https://a/8018/123456789012345675/8019/123", "(8018)123456789012345675(8019)123"),
    ("https://a/stem/00/006141411234567890?", "(00)006141411234567890"),
    ("https://a/stem/00/006141411234567890?99=ABC", "(00)006141411234567890(99)ABC"),
    ("https://a/stem/401/12345678?99=ABC", "(401)12345678(99)ABC"),
    ("https://a/01/12312312312333?99=ABC&98=XYZ", "(01)12312312312333(99)ABC(98)XYZ"),
    ("https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&", "(01)12312312312333(99)ABC(98)XYZ"),
    ("https://a/01/12312312312333?99=ABC&unknown=666&98=XYZ", "(01)12312312312333(99)ABC(98)XYZ"),
    ("https://a/01/12312312312333?singleton&99=ABC&98=XYZ", "(01)12312312312333(99)ABC(98)XYZ"),
    ("https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3", "(01)12312312312333(99)ABC(98)XYZ"),
    ("https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987", "(01)12312312312333(22)ABC-123(99)ABC(98)XYZ/987"),
    ("https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987", "(01)12312312312333(22)ABC+123(99)ABC(98)XYZ/987"),
    ("https://a/01/12312312312333/22/test/10/abc/21/xyz#", "(01)12312312312333(22)test(10)abc(21)xyz"),
    ("https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment", "(01)12312312312333(22)test(10)abc(21)xyz"),
    ("https://a/stem/00/006141411234567890?99=ABC#fragment", "(00)006141411234567890(99)ABC"),
    ("https://id.gs1.org/01/09520123456788/22/2A", "(01)09520123456788(22)2A"),
    ("https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426", "(01)09520123456788(10)ABC1(21)12345(17)180426"),
    ("https://id.gs1.org/01/09520123456788?3103=000195", "(01)09520123456788(3103)000195"),
    ("https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225", "(01)09520123456788(3103)000195(3922)0299(17)201225"),
    ("https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123", "(00)952012345678912345(02)09520123456788(37)25(10)ABC123"),
    ("https://id.gs1.org/414/9520123456788/254/32a%2Fb", "(414)9520123456788(254)32a/b"),
    ("https://example.com/8004/9520614141234567?01=9520123456788", "(8004)9520614141234567(01)09520123456788"),
    ("https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123", "(01)09520123456788(235)XYZ(10)ABC123"),
    ("https://a/01/12312312312333?99=A;98=B", "(01)12312312312333(99)A;98=B"),
]  # fmt: skip


@pytest.mark.parametrize(("uri", "hri"), VALID)
def test_valid_digital_links_give_the_element_strings_of_the_engine(uri: str, hri: str) -> None:
    assert format_hri(parse_digital_link(uri).elements) == hri


INVALID = [
    ("", InvalidDigitalLink, "must start with http:// or https://"),
    ("ftp://a/01/12312312312333", InvalidDigitalLink, "must start with http:// or https://"),
    ("http://", InvalidDigitalLink, "needs a domain and a path"),
    ("http:///", InvalidDigitalLink, "'' is not a domain"),
    ("http://a", InvalidDigitalLink, "needs a domain and a path"),
    ("http://a/", InvalidDigitalLink, "may not end with '/'"),
    ("http://a/b", InvalidDigitalLink, "no primary key"),
    ("http://a/b/", InvalidDigitalLink, "may not end with '/'"),
    ("HtTp://a/b/00/006141411234567890", InvalidDigitalLink, "must start with http"),
    ("https://00/006141411234567890", InvalidDigitalLink, "no primary key"),
    ("https://[fe80::1%25lo]/01/12312312312333", InvalidDigitalLink, "is not a domain"),
    ("https://$a/00/006141411234567890", InvalidDigitalLink, "is not a domain"),
    ("https://user@a/00/006141411234567890", InvalidDigitalLink, "is not a domain"),
    ("https://a/01/1231231231 2333", InvalidDigitalLink, "character ' ' may not stand in a URI"),
    ("https://a/01/12312312312333/21/é", InvalidDigitalLink, "character 'é' may not stand"),
    ("https://a/01/123123123123", InvalidCode, "AI (01): check digit"),
    ("https://a/01/1231231231233", InvalidCode, "AI (01): check digit"),
    ("https://a/253/1231231231232TEST56789012345678", InvalidLength, "AI (253)"),
    ("https://a/stem/00/006141411234567890/", InvalidDigitalLink, "may not end with '/'"),
    ("https://a/01/12312312312333?99=", InvalidDigitalLink, "AI (99) has an empty value in the query"),
    ("https://a/01//21/X", InvalidDigitalLink, "AI (01) has an empty value in the path"),
    ("https://a/01/12312312312333?99=ABC&999=faux", UnknownApplicationIdentifier, "999"),
    ("https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987", InvalidCode, "AI (98): ' ' at position 4"),
    ("https://a/01/12312312312333/21/A%00B", InvalidDigitalLink, "null character"),
    ("https://a/01/12312312312333/21/A%C3", InvalidDigitalLink, "not percent-encoded UTF-8"),
    ("https://a/01/12312312312333/21/A?10=%FF", InvalidDigitalLink, "not percent-encoded UTF-8"),
    ("https://example.com/01/09520123456788?10=ABC123", InvalidDigitalLink, "(10) is a qualifier of (01) and belongs in the path"),
    ("https://example.com/01/09520123456788/21/S?10=ABC123", InvalidDigitalLink, "belongs in the path"),
    ("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788", InvalidDigitalLink, "AI (01) appears more than once"),
    ("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123", InvalidDigitalLink, "AI (10) appears more than once"),
    ("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789", InvalidDigitalLink, "AI (99) appears more than once"),
    ("https://example.com/01/09520123456788/89/ABC123?99=XYZ", InvalidDigitalLink, "no primary key"),
    ("https://example.com/01/09520123456788?99=XYZ&89=ABC123", UnknownApplicationIdentifier, "89"),
    ("https://example.com/01/09506000134352/21/X1/10/ABC", InvalidDigitalLink, "qualifier (21) must come after (10)"),
    ("https://a/01/12312312312333/10/Y/22/Z", InvalidDigitalLink, "qualifier (10) must come after (22)"),
    ("https://a/01/12312312312333/22/A/10/B/235/C", InvalidDigitalLink, "may not be mixed"),
    ("https://a/01/12312312312333/10/A/10/B", InvalidDigitalLink, "AI (10) appears more than once in the path"),
    ("https://a/01/12312312312333/17/261231", InvalidDigitalLink, "(17) is not a qualifier of (01); its qualifiers are (22), (10), (21) or (235)"),
    ("https://a/00/006141411234567890/21/X", InvalidDigitalLink, "(00) takes no qualifiers"),
    ("https://a/01/12312312312333/22", InvalidDigitalLink, "no primary key"),
    ("https://a/01/12312312312333?21=X", InvalidDigitalLink, "AI (21) may not stand in the query string"),
    ("https://a/8018/123456789012345675?8019=1", InvalidDigitalLink, "AI (8019) may not stand in the query"),
    ("https://a/01/12312312312333?17=261331", InvalidCode, "AI (17): month 13"),
    ("https://a/00/006141411234567890?37=25", InvalidCombination, "AI (37) requires"),
    ("https://a/01/12312312312333?255=1231231231232", InvalidCombination, "may not be combined"),
]  # fmt: skip


@pytest.mark.parametrize(("uri", "error", "message"), INVALID)
def test_invalid_digital_links_are_refused_naming_the_rule(
    uri: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        parse_digital_link(uri)
    assert message in str(raised.value)
    assert str(raised.value).startswith(("Digital Link:", "AI ("))


def test_non_ai_parameters_are_kept_for_the_resolver() -> None:
    link = parse_digital_link(
        "https://brand.example/p/01/09506000134352/21/X1?linkType=gs1:pip&context=dscsa&flag"
    )
    assert (link.domain, link.stem, link.parameters) == (
        "brand.example",
        "/p",
        (("linkType", "gs1:pip"), ("context", "dscsa"), ("flag", "")),
    )
    assert link.parameter("linkType") == "gs1:pip"


BUILT = [
    ("(01)12312312312326(21)abc123", None, "https://id.gs1.org/01/12312312312326/21/abc123"),
    ("(01)12312312312326(21)abc123", "https://example.com", "https://example.com/01/12312312312326/21/abc123"),
    ("(01)12312312312326(22)ABC(10)DEF(21)GHI", "https://example.com/", "https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI"),
    ("(01)12312312312326(22)ABC(10)DEF(21)GHI(95)INT", "https://example.com", "https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI?95=INT"),
    ("(21)XYZ(01)12312312312333(10)ABC123(99)XYZ", "https://example.com", "https://example.com/01/12312312312333/10/ABC123/21/XYZ?99=XYZ"),
    ("(01)12312312312333(10)ABC+123(99)XYZ+QWERTY", "https://example.com", "https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY"),
    ("(253)9526064000028000001(99)000001(8017)795260646688514634", "https://example.com", "https://example.com/253/9526064000028000001?99=000001&8017=795260646688514634"),
    ("(01)09506000134352(17)261231(10)ABC(21)X1", "https://brand.example/r", "https://brand.example/r/01/09506000134352/10/ABC/21/X1?17=261231"),
    ("(01)09506000134352(21)A/B%C", "https://b.example", "https://b.example/01/09506000134352/21/A%2FB%25C"),
]  # fmt: skip


@pytest.mark.parametrize(("hri", "base", "uri"), BUILT)
def test_building_puts_key_and_qualifiers_in_the_path_in_standard_order(
    hri: str, base: str | None, uri: str
) -> None:
    elements = parse_hri(hri)
    built = build_digital_link(elements) if base is None else build_digital_link(elements, base)
    assert built == uri
    assert sorted(parse_digital_link(built).elements) == sorted(elements)


BUILD_REFUSED = [
    ([("01", "12312312312326"), ("99", "000001"), ("8200", "http://example.com")], "https://e.com", "AI (8200) is neither a qualifier"),
    ([("01", "12312312312326"), ("235", "TPX9526064"), ("22", "ABC")], "https://e.com", "AI (235) is neither"),
    ([("99", "X")], "https://e.com", "needs a primary key"),
    ([("01", "12312312312326")], "ftp://e.com", "resolver base 'ftp://e.com' must be an http or https URL"),
    ([("01", "12312312312326")], "https://e.com/?x=1", "may not have a query"),
]  # fmt: skip


@pytest.mark.parametrize(("elements", "base", "message"), BUILD_REFUSED)
def test_building_refuses_what_a_digital_link_cannot_carry(
    elements: list[tuple[str, str]], base: str, message: str
) -> None:
    with pytest.raises(InvalidDigitalLink, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_digital_link([ElementString(*e) for e in elements], base)
