"""The caller's address as the limits know it: the peer's, or from a trusted proxy the
right-most X-Forwarded-For hop that is not a trusted proxy's."""

from __future__ import annotations

import ipaddress

import pytest

from unitrace.api.callers import caller_address, hashed_address
from unitrace.config import Settings

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32"))

# peer, X-Forwarded-For headers, the caller
CASES = [
    # from a peer that is no trusted proxy the header is the caller's own say
    ("198.51.100.1", ["203.0.113.9"], "198.51.100.1"),
    ("198.51.100.1", [], "198.51.100.1"),
    # from a trusted proxy: the hop it saw, whatever the caller wrote further left
    ("10.0.0.5", ["203.0.113.9"], "203.0.113.9"),
    ("10.0.0.5", ["6.6.6.6, 203.0.113.9"], "203.0.113.9"),
    ("10.0.0.5", ["6.6.6.6, 203.0.113.9, 10.1.2.3"], "203.0.113.9"),
    ("10.0.0.5", ["6.6.6.6", "203.0.113.9, 10.1.2.3"], "203.0.113.9"),
    # a chain of trusted proxies only: the one furthest out
    ("10.0.0.5", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),
    # no header, or an empty one: the proxy itself
    ("10.0.0.5", [], "10.0.0.5"),
    ("10.0.0.5", [" , "], "10.0.0.5"),
    # an entry that is no address ends the walk at the hop after it
    ("10.0.0.5", ["203.0.113.9, junk, 10.1.2.3"], "10.1.2.3"),
    ("10.0.0.5", ["junk"], "10.0.0.5"),
    # IPv6, and IPv4 written as IPv6
    ("2001:db8::1", ["2001:db8:ffff::1, 2600::7"], "2600::7"),
    ("::ffff:10.0.0.5", ["203.0.113.9"], "203.0.113.9"),
    ("10.0.0.5", ["[2600::7]"], "2600::7"),
    # a peer that is not an address (a test transport, a Unix socket)
    ("unknown", ["203.0.113.9"], "unknown"),
]


@pytest.mark.parametrize(("peer", "headers", "caller"), CASES)
def test_the_caller_behind_trusted_proxies(peer: str, headers: list[str], caller: str) -> None:
    assert caller_address(peer, headers, PROXIES) == caller


def test_no_proxy_is_trusted_by_default() -> None:
    assert Settings().trusted_proxies == ()
    assert Settings.from_environment({}).trusted_proxies == ()
    assert caller_address("127.0.0.1", ["203.0.113.9"], ()) == "127.0.0.1"


def test_the_trusted_proxies_come_from_the_environment() -> None:
    settings = Settings.from_environment({"UNITRACE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
    assert settings.trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
    )
    with pytest.raises(ValueError, match=r"UNITRACE_TRUSTED_PROXIES: 'proxy\.example'"):
        Settings.from_environment({"UNITRACE_TRUSTED_PROXIES": "proxy.example"})


def test_the_address_is_kept_hashed() -> None:
    hashed = hashed_address("203.0.113.9")
    assert hashed.startswith("ip:")
    assert len(hashed) == 19
    assert "203.0.113.9" not in hashed
    assert hashed_address("203.0.113.10") != hashed
