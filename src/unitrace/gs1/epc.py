"""EPC Tag Data Standard: pure-identity URIs and RFID tag encodings (placeholder)."""

from __future__ import annotations

from unitrace.gs1.elements import ElementString
from unitrace.gs1.errors import InvalidEpc


def parse_epc_uri(uri: str) -> tuple[tuple[ElementString, ...], int]:
    """The element strings an EPC pure-identity URI names and its company prefix length."""
    raise InvalidEpc(f"EPC URI: not supported yet: {uri!r}")
