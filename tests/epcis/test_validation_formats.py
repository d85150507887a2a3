"""The formats the EPCIS validation reads (unitrace.epcis.validation.formats and
.identifiers): URIs and date-times as the official schema reads them, and EPC URIs and GS1
Digital Links read through the code layer, with the fast path for plain EPCs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.epcis.official import schema_errors
from tests.epcis.test_validation import OBJECT, events_of, example
from unitrace.epcis import identifier_problem
from unitrace.epcis.validation import PLAIN_EPC, is_date_time, is_uri
from unitrace.gs1.epc import parse_epc_uri

# --- formats and identifiers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", True),
        ("https://id.gs1.org/01/09506000134352/21/1?17=261231#top", True),
        (
            "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0",
            True,
        ),
        ("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", True),
        ("ext1:float", True),
        ("http://[::1]:8080/x", True),
        ("shipping", False),
        ("", False),
        ("1abc:x", False),
        ("urn:epc:id:sgtin:0614141.107346.20 17", False),
        ("https://example.com/a%2", False),
        ("https://exa mple.com/", False),
        ("http://a@b@c/", False),
    ],
)
def test_uris(text: str, expected: bool) -> None:
    assert is_uri(text) is expected


@pytest.mark.conformance
@pytest.mark.parametrize(
    "text",
    [
        "urn:epc:id:sgtin:0614141.107346.2017",
        "https://id.gs1.org/01/09506000134352/21/1?17=261231#top",
        "ni:///sha-256;df7bb3c3?ver=CBV2.0",
        "ext1:float",
        "http://[::1]:8080/x",
        "shipping",
        "1abc:x",
        "https://example.com/a%2",
        "https://exa mple.com/",
        "http://a@b@c/",
        "mailto:someone@example.com",
        "a:b:c//d",
        "a://",
    ],
)
def test_uris_as_the_official_schema_reads_them(conformance: Path, text: str) -> None:
    document = example(conformance, OBJECT)
    events_of(document)[0]["eventID"] = text
    assert is_uri(text) is not bool(schema_errors(conformance, document))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2005-04-03T20:33:31.116-06:00", True),
        ("2005-04-03T20:33:31Z", True),
        ("2005-07-11T11:30:47.0Z", True),
        ("2024-02-29T00:00:00.123456789+14:00", True),
        ("2023-02-29T00:00:00Z", False),
        ("2005-04-03T20:33:31.116", False),
        ("2005-04-03 20:33:31Z", False),
        ("2005-04-03t20:33:31z", False),
        ("2005-04-03T24:00:00Z", False),
        ("0000-01-01T00:00:00Z", False),
    ],
)
def test_date_times(text: str, expected: bool) -> None:
    assert is_date_time(text) is expected


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", None),
        ("urn:epc:id:sgtin:0614141.107346.a%2Fb", None),
        (
            "urn:epc:id:sgtin:0614141.107346.a/b",
            "EPC URI: serial: '/' at position 2 must be written %2F",
        ),
        ("urn:epc:id:sscc:0614141.1234567890", None),
        (
            "urn:epc:id:sscc:0614141.123456789",
            "EPC URI: company prefix and serial reference have 16 digits together; an SSCC needs 17",
        ),
        ("urn:epc:id:sgln:0614141.00001.0", None),
        ("urn:epc:class:lgtin:4012345.012345.998877", None),
        ("urn:epc:id:giai:4000001.111", None),
        ("urn:epc:id:pgln:4012345.00225", None),
        ("urn:epc:idpat:sgtin:4012345.098765.*", None),
        ("https://id.gs1.org/01/70614141123451/21/2017", None),
        ("https://id.gs1.org/01/70614141123452/21/2017", "AI (01): check digit 1 expected, got 2"),
        ("https://id.example.com/414/4012345000054", None),
        ("https://id.example.com/414/4012345000055", "AI (414): check digit 4 expected, got 5"),
        ("https://example.com/products/shoe-42", None),
        ("http://transaction.acme.com/po/12345678", None),
        ("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", None),
    ],
)
def test_identifiers(uri: str, problem: str | None) -> None:
    assert identifier_problem(uri) == problem


@st.composite
def plain_epcs(draw: st.DrawFn) -> str:
    prefix = draw(st.integers(6, 12))
    digits = draw(st.text("0123456789", min_size=17, max_size=17))
    serial = draw(st.text("abcXYZ0123456789", min_size=1, max_size=20))
    scheme = draw(st.sampled_from(["sgtin", "sscc", "sgln"]))
    if scheme == "sgtin":
        return f"urn:epc:id:sgtin:{digits[:prefix]}.{digits[prefix:13]}.{serial}"
    if scheme == "sscc":
        return f"urn:epc:id:sscc:{digits[:prefix]}.{digits[prefix:17]}"
    return f"urn:epc:id:sgln:{digits[:prefix]}.{digits[prefix:12]}.{serial}"


@settings(max_examples=500)
@given(plain_epcs())
def test_the_fast_path_takes_only_epcs_the_code_layer_reads(uri: str) -> None:
    assert PLAIN_EPC.fullmatch(uri) is not None
    parse_epc_uri(uri)  # raises for an EPC the fast path should not have taken


@settings(max_examples=500)
@given(st.text("urn:epcidsgtlc0123456789.abX%/", max_size=50))
def test_the_fast_path_takes_nothing_the_code_layer_refuses(text: str) -> None:
    candidate = "urn:epc:id:" + text
    if PLAIN_EPC.fullmatch(candidate) is not None:
        parse_epc_uri(candidate)
