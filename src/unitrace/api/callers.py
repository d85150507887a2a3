"""Who is calling a public route: the caller's address, as the rate limits and the scan log
know it.

The address is the TCP peer's, unless that peer is one of the proxies the operator named in
``UNITRACE_TRUSTED_PROXIES``: then it is the right-most address of ``X-Forwarded-For`` that is
not a trusted proxy's, the last hop a trusted proxy saw. Anything further left was written by
the caller itself and proves nothing. From any other peer ``X-Forwarded-For`` is ignored, so a
caller cannot pick the address its limits are kept under.

The address is kept hashed (``ip:`` and 16 hex digits), never in the clear: the scan log and
the limit store hold no personal data.

>>> import ipaddress
>>> proxies = (ipaddress.ip_network("10.0.0.0/8"),)
>>> caller_address("10.0.0.5", ["203.0.113.9, 10.0.0.7"], proxies)
'203.0.113.9'
>>> caller_address("198.51.100.1", ["203.0.113.9"], proxies)
'198.51.100.1'
>>> caller_address("10.0.0.5", ["6.6.6.6, 203.0.113.9"], proxies)
'203.0.113.9'
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import Request

from unitrace.config import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The address of a peer the server could not name (a Unix socket, a test transport).
UNKNOWN = "unknown"


def caller_address(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The caller's address: ``peer``, or from a trusted peer the right-most untrusted hop of
    the ``X-Forwarded-For`` headers (all of them, in order). Where every hop is trusted the
    left-most is the caller; an entry that is no address ends the walk at the hop after it."""
    if not trusted or not trusted_peer(peer, trusted):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    caller = peer
    for hop in reversed([hop for hop in hops if hop]):
        address = _address(hop)
        if address is None:
            break
        caller = str(address)
        if not any(address in network for network in trusted):
            break
    return caller


def hashed_address(address: str) -> str:
    """The address as the limits and the scan log keep it.

    >>> hashed_address("203.0.113.9")
    'ip:d861b7e91033ebc1'
    """
    return "ip:" + hashlib.sha256(address.encode()).hexdigest()[:16]


def caller_of(request: Request) -> str:
    """The calling address of ``request``, hashed."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else UNKNOWN
    forwarded = request.headers.getlist("x-forwarded-for") if settings.trusted_proxies else ()
    return hashed_address(caller_address(peer, forwarded, settings.trusted_proxies))


def trusted_peer(peer: str, trusted: Sequence[Network]) -> bool:
    address = _address(peer)
    return address is not None and any(address in network for network in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.removeprefix("[").split("]", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
