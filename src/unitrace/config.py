"""unitrace's configuration, read from the environment by the faces (CLI, HTTP) only.

| variable | meaning | default |
| --- | --- | --- |
| ``UNITRACE_RESOLVER_BASE`` | the resolver domain (and path) printed in GS1 Digital Link URIs | ``https://id.gs1.org`` |
| ``UNITRACE_SCAN_RATE_LIMIT`` | scans per minute per client on the public routes, then ``/BURST`` | ``120/30`` |
| ``UNITRACE_WEBHOOK_ALLOWED_NETWORKS`` | comma-separated networks (CIDR) EPCIS subscription webhooks may reach although they are private, loopback or link-local | none |
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from unitrace.gs1 import DEFAULT_RESOLVER_BASE


@dataclass(frozen=True, slots=True)
class Settings:
    resolver_base: str = DEFAULT_RESOLVER_BASE
    scans_per_minute: int = 120
    scan_burst: int = 30
    webhook_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environment is None else environment
        per_minute, burst = _rate_limit(env.get("UNITRACE_SCAN_RATE_LIMIT") or "120/30")
        return cls(
            resolver_base=env.get("UNITRACE_RESOLVER_BASE") or DEFAULT_RESOLVER_BASE,
            scans_per_minute=per_minute,
            scan_burst=burst,
            webhook_allowed_networks=_networks(env.get("UNITRACE_WEBHOOK_ALLOWED_NETWORKS") or ""),
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


def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            # a network written with its host bits set ("10.1.2.3/8") means the network
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"UNITRACE_WEBHOOK_ALLOWED_NETWORKS: {item!r} is not a network such as "
                "10.20.0.0/16, 192.168.1.5 or fd00::/8"
            ) from None
    return tuple(networks)
