"""Where unitrace may POST a subscription's events, and the POST itself.

A subscriber names its webhook; unitrace then makes requests to it from inside the operator's
network. So that a token holder cannot point those requests at the database, a cloud metadata
service or any other internal system, a destination must be ``http``/``https`` without
credentials in the URL, and every address its host is or resolves to must be publicly
routable: loopback, private, link-local, multicast, reserved, unspecified and shared
(carrier-grade NAT) addresses are refused, in IPv4 and IPv6, IPv4 embedded in IPv6
(``::ffff:a.b.c.d``, 6to4, NAT64) judged as the IPv4 it carries. Networks the operator lists
(``UNITRACE_WEBHOOK_ALLOWED_NETWORKS``) are allowed even though private.

The check runs when a subscription is made and again right before each delivery (a name may
resolve elsewhere by then), and the delivery connects to the very address that was checked,
so that a second DNS answer cannot swap it. Redirects are not followed: a 3xx answer is a
failed delivery, as a redirect could lead anywhere.

>>> destinations = WebhookDestinations(resolve=lambda host, port: ["10.0.0.7"])
>>> destinations.check("https://hooks.partner.example/epcis")
Traceback (most recent call last):
...
unitrace.services.webhooks.DestinationRefused: hooks.partner.example resolves to an address that is not publicly routable
>>> WebhookDestinations.allowing("10.0.0.0/8", resolve=lambda host, port: ["10.0.0.7"]).check(
...     "https://hooks.partner.example/epcis").address
'10.0.0.7'
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from unitrace.registry.errors import InvalidRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: (host, port) → the addresses it resolves to.
Resolve = Callable[[str, int], Sequence[str]]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE: Final = ipaddress.IPv6Network("::/96")


class DestinationRefused(InvalidRequest):
    """A webhook destination unitrace will not POST to; the message says why."""


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to for a TCP connection, in the resolver's order."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise DestinationRefused(f"{host} does not resolve ({error})") from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, socket_address in found:
        address = str(socket_address[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A checked destination: the URL as given, and what a delivery connects to: one of
    ``addresses`` (all checked, tried in the resolver's order) on ``port``, asking for
    ``host`` (Host header and TLS name)."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]

    @property
    def address(self) -> str:
        """The address tried first."""
        return self.addresses[0]


@dataclass(frozen=True, slots=True)
class WebhookDestinations:
    """The destination rule, with the operator's ``allowed_networks`` (empty: only publicly
    routable addresses)."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    resolve: Resolve = resolve_host

    @classmethod
    def allowing(cls, *networks: str, resolve: Resolve = resolve_host) -> WebhookDestinations:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks), resolve)

    def check(self, url: str) -> WebhookTarget:
        """The target ``url`` may be POSTed to, resolved now; :class:`DestinationRefused`
        saying why not."""
        scheme, host, port, path = parse_destination(url)
        literal = _address(host)
        names = [str(literal)] if literal is not None else list(self.resolve(host, port))
        if not names:
            raise DestinationRefused(f"{host} resolves to no address")
        for name in names:
            address = _address(name)
            if address is None:
                raise DestinationRefused(f"{host} resolves to {name!r}, not an IP address")
            refusal = self.refusal(address)
            if refusal is not None:
                # one refused address refuses the host: the connection may go to any of them
                if literal is not None:
                    raise DestinationRefused(f"{host} is {refusal}")
                # which internal address a name has is not told to whoever asked
                raise DestinationRefused(
                    f"{host} resolves to an address that is not publicly routable"
                )
        return WebhookTarget(url, scheme, host, port, path, tuple(names))

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be a webhook's (None when it may)."""
        judged = _embedded_ipv4(address) or address
        if any(address in network or judged in network for network in self.allowed_networks):
            return None
        kind = _special_kind(judged)
        if kind is None:
            return None
        article = "an" if kind[0] in "aeiou" else "a"
        carrying = f" (it carries {judged})" if judged is not address else ""
        return f"{article} {kind} address{carrying}"


def parse_destination(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, request path) of a destination URL, without looking the host up;
    :class:`DestinationRefused` for anything but a plain ``http``/``https`` URL."""
    if any(character.isspace() or ord(character) < 0x20 for character in url):
        raise DestinationRefused("the URL holds white space or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise DestinationRefused(f"not a URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise DestinationRefused(f"{parts.scheme or 'no'} scheme: only http:// and https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise DestinationRefused("credentials in the URL are refused; use signatureToken")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise DestinationRefused("the URL names no host")
    if "\\" in parts.netloc or "%" in host:
        raise DestinationRefused(f"{parts.netloc!r} is not a host name")
    if _address(host) is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise DestinationRefused(f"{host!r} is not a host name") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or _DEFAULT_PORTS[scheme], path


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64, IPv4-compatible)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    plain = address.__class__(int(address))  # without a zone (scope id)
    if plain in _NAT64 or (plain in _IPV4_COMPATIBLE and int(plain) > 1):
        return ipaddress.IPv4Address(int(plain) & 0xFFFFFFFF)
    return None


def _special_kind(address: IPAddress) -> str | None:
    """What kind of address not to reach ``address`` is, most telling name first."""
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"  # deprecated (fec0::/10), yet still routed inside some networks
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-public"
    return None


def post(target: WebhookTarget, body: bytes, headers: Mapping[str, str], *, timeout: float) -> int:
    """POST ``body`` to ``target`` at the first of its checked addresses that takes the
    connection (a dual-stack host's IPv6 may be out of reach where its IPv4 is not); the
    HTTP status (no address connecting is an ``OSError``, a broken answer an
    :class:`http.client.HTTPException`). ``timeout`` bounds each wait, and three times it
    the whole exchange once connected: a subscriber answering a byte at a time would
    otherwise hold the delivery of every other subscription."""
    unreachable: OSError | None = None
    for address in target.addresses:
        connection = (
            _PinnedHTTPSConnection(target, address, timeout)
            if target.scheme == "https"
            else _PinnedHTTPConnection(target, address, timeout)
        )
        try:
            try:
                connection.connect()
            except OSError as error:
                unreachable = error
                continue
            cut_off = threading.Timer(3 * timeout, _hang_up, (connection,))
            cut_off.start()
            try:
                connection.request("POST", target.path, body=body, headers=dict(headers))
                with connection.getresponse() as response:
                    return int(response.status)
            finally:
                cut_off.cancel()
        finally:
            connection.close()
    assert unreachable is not None  # a target has at least one address
    raise unreachable


def _hang_up(connection: http.client.HTTPConnection) -> None:
    """End an exchange that has taken too long: the read waiting on it fails at once."""
    if connection.sock is not None:
        with contextlib.suppress(OSError):  # closed meanwhile
            connection.sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: WebhookTarget, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: WebhookTarget, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        # the certificate is checked against the host the subscriber named, not the address
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
