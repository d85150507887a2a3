"""unitrace's configuration, read from the environment by the faces (CLI, HTTP) only.

| variable | meaning | default |
| --- | --- | --- |
| ``UNITRACE_RESOLVER_BASE`` | the resolver domain (and path) printed in GS1 Digital Link URIs | ``https://id.gs1.org`` |
| ``UNITRACE_SCAN_RATE_LIMIT`` | scans per minute per client on the public routes, then ``/BURST`` | ``120/30`` |
| ``UNITRACE_WEBHOOK_ALLOWED_NETWORKS`` | comma-separated networks (CIDR) EPCIS subscription webhooks may reach although they are private, loopback or link-local | none |
| ``UNITRACE_CAPTURE_MAX_BYTES`` | the largest EPCIS document (or event) ``/epcis/capture`` and ``/epcis/events`` read, in bytes; a larger one is a 413 before it is read whole | 67108864 (64 MiB) |
| ``UNITRACE_BODY_MAX_BYTES`` | the largest body any other request may send, in bytes (a scan's is 8 KiB whatever this says); a larger one is a 413 before it is read whole | 1048576 (1 MiB) |
| ``UNITRACE_CAPTURE_HASH_WORKERS`` | worker processes ``unitrace epcis capture`` names a large document's events in (by their CBV 2.0 hash); 0 hashes in its own process, which on two cores shared with other work is as fast (see unitrace.services.epcis_capture.event_names) | 0 |
| ``UNITRACE_TRUSTED_PROXIES`` | comma-separated addresses or networks (CIDR) of the proxies in front of unitrace whose ``X-Forwarded-For`` is believed; from any other peer the header is ignored | none |
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from unitrace.gs1 import DEFAULT_RESOLVER_BASE

#: The largest body of a request other than a scan or a capture, unless the operator says.
BODY_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    resolver_base: str = DEFAULT_RESOLVER_BASE
    scans_per_minute: int = 120
    scan_burst: int = 30
    webhook_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: the largest capture body read, in bytes; None for the capture service's own limit
    capture_max_bytes: int | None = None
    #: the largest body of any other request, in bytes (scans have their own, smaller limit)
    body_max_bytes: int = BODY_MAX_BYTES
    #: the proxies whose ``X-Forwarded-For`` names the caller; none by default
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: worker processes the command line's captures hash events in; 0: in its own process
    capture_hash_workers: int = 0

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environment is None else environment
        per_minute, burst = _rate_limit(env.get("UNITRACE_SCAN_RATE_LIMIT") or "120/30")
        return cls(
            resolver_base=env.get("UNITRACE_RESOLVER_BASE") or DEFAULT_RESOLVER_BASE,
            scans_per_minute=per_minute,
            scan_burst=burst,
            webhook_allowed_networks=_networks(
                "UNITRACE_WEBHOOK_ALLOWED_NETWORKS",
                env.get("UNITRACE_WEBHOOK_ALLOWED_NETWORKS") or "",
            ),
            capture_max_bytes=_byte_count(
                "UNITRACE_CAPTURE_MAX_BYTES", env.get("UNITRACE_CAPTURE_MAX_BYTES")
            ),
            body_max_bytes=_byte_count(
                "UNITRACE_BODY_MAX_BYTES", env.get("UNITRACE_BODY_MAX_BYTES")
            )
            or BODY_MAX_BYTES,
            trusted_proxies=_networks(
                "UNITRACE_TRUSTED_PROXIES", env.get("UNITRACE_TRUSTED_PROXIES") or ""
            ),
            capture_hash_workers=_workers(
                "UNITRACE_CAPTURE_HASH_WORKERS", env.get("UNITRACE_CAPTURE_HASH_WORKERS")
            ),
        )


def _rate_limit(text: str) -> tuple[int, int]:
    rate, _, burst = text.partition("/")
    try:
        per_minute = int(rate)
        return per_minute, int(burst) if burst else max(1, per_minute // 4)
    except ValueError:
        raise ValueError(
            f"UNITRACE_SCAN_RATE_LIMIT: {text!r} is not PER_MINUTE or PER_MINUTE/BURST"
        ) from None


def _networks(name: str, text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            # a network written with its host bits set ("10.1.2.3/8") means the network
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"{name}: {item!r} is not a network such as 10.20.0.0/16, 192.168.1.5 or fd00::/8"
            ) from None
    return tuple(networks)


def _byte_count(name: str, text: str | None) -> int | None:
    """A size in bytes from the environment, or None where it is not set.

    >>> _byte_count("X", "1048576"), _byte_count("X", None)
    (1048576, None)
    """
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(f"{name}: {text!r} is not a number of bytes such as 67108864")
    return int(text)


def _workers(name: str, text: str | None) -> int:
    """A number of worker processes from the environment, 0 where it is not set.

    >>> _workers("X", "2"), _workers("X", None)
    (2, 0)
    """
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or int(text) > 64:
        raise ValueError(f"{name}: {text!r} is not a number of worker processes from 0 to 64")
    return int(text)
