"""The webhook destination rule: which URLs unitrace may POST a subscription's events to (a
table of URLs, with a resolver standing in for DNS), the operator's allowed networks, and the
POST going to the address that was checked."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from unitrace.services.webhooks import (
    DestinationRefused,
    WebhookDestinations,
    WebhookTarget,
    post,
)

PUBLIC = "93.184.215.14"
#: What the stand-in DNS answers; any other name does not resolve.
DNS: dict[str, list[str]] = {
    "hooks.partner.example": [PUBLIC],
    "dual.partner.example": [PUBLIC, "2606:4700::6810:84e5"],
    "internal.partner.example": ["10.1.2.3"],
    "mixed.partner.example": [PUBLIC, "192.168.0.10"],
    "localhost": ["127.0.0.1", "::1"],
    "metadata.partner.example": ["169.254.169.254"],
    "2130706433": ["127.0.0.1"],  # what a resolver makes of a decimal IPv4 address
}


def stand_in_dns(host: str, port: int) -> Sequence[str]:
    if host not in DNS:
        raise DestinationRefused(f"{host} does not resolve")
    return DNS[host]


STRICT = WebhookDestinations(resolve=stand_in_dns)

# (URL, the address a delivery connects to, the request path)
ACCEPTED: list[tuple[str, str, int, str]] = [
    ("https://hooks.partner.example/epcis", PUBLIC, 443, "/epcis"),
    ("http://hooks.partner.example:8080/in?feed=1", PUBLIC, 8080, "/in?feed=1"),
    ("HTTPS://HOOKS.partner.example", PUBLIC, 443, "/"),
    ("https://dual.partner.example/x", PUBLIC, 443, "/x"),
    (f"http://{PUBLIC}/x", PUBLIC, 80, "/x"),
    ("https://[2606:4700::1]:8443/x", "2606:4700::1", 8443, "/x"),
    (f"http://[::ffff:{PUBLIC}]/x", "::ffff:5db8:d70e", 80, "/x"),
]

# (URL, what the refusal says)
REFUSED: list[tuple[str, str]] = [
    ("ftp://hooks.partner.example/x", "ftp scheme: only http:// and https://"),
    ("file:///etc/passwd", "file scheme: only http:// and https://"),
    ("gopher://hooks.partner.example/", "gopher scheme: only http:// and https://"),
    ("hooks.partner.example/x", "no scheme: only http:// and https://"),
    ("https://user:secret@hooks.partner.example/", "credentials in the URL are refused; use signatureToken"),
    ("https://user@hooks.partner.example/", "credentials in the URL are refused; use signatureToken"),
    ("http://hooks.partner.example@127.0.0.1/", "credentials in the URL are refused; use signatureToken"),
    ("http:///x", "the URL names no host"),
    ("http://hooks partner.example/", "the URL holds white space or control characters"),
    ("http://hooks.partner.example:99999/", "not a URL (Port out of range 0-65535)"),
    ("http://127.0.0.1:5432/x", "127.0.0.1 is a loopback address"),
    ("http://127.9.9.9/x", "127.9.9.9 is a loopback address"),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://172.16.5.4/", "172.16.5.4 is a private address"),
    ("http://192.168.1.1/", "192.168.1.1 is a private address"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://255.255.255.255/", "255.255.255.255 is a reserved address"),
    ("http://100.64.0.1/", "100.64.0.1 is a non-public address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::]/", ":: is an unspecified address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://[fec0::1]/", "fec0::1 is a site-local address"),
    ("http://[fc00::1]/", "fc00::1 is a private address"),
    ("http://[fd12:3456::1]/", "fd12:3456::1 is a private address"),
    ("http://[ff02::1]/", "ff02::1 is a multicast address"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address (it carries 127.0.0.1)"),
    ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is a link-local address (it carries 169.254.169.254)"),
    ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is a private address (it carries 10.0.0.1)"),
    ("http://[2002:a00:1::]/", "2002:a00:1:: is a private address (it carries 10.0.0.1)"),
    ("http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1 is a loopback address (it carries 127.0.0.1)"),
    ("http://localhost:8000/", "localhost resolves to an address that is not publicly routable"),
    ("http://2130706433/", "2130706433 resolves to an address that is not publicly routable"),
    ("http://internal.partner.example/", "internal.partner.example resolves to an address that is not publicly routable"),
    ("http://metadata.partner.example/", "metadata.partner.example resolves to an address that is not publicly routable"),
    # one refused address refuses the host: a connection could go to any of them
    ("http://mixed.partner.example/", "mixed.partner.example resolves to an address that is not publicly routable"),
    ("http://nowhere.partner.example/", "nowhere.partner.example does not resolve"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "address", "port", "path"), ACCEPTED)
def test_a_public_destination_is_accepted_with_the_address_to_connect_to(
    url: str, address: str, port: int, path: str
) -> None:
    target = STRICT.check(url)
    assert (target.url, target.address, target.port, target.path) == (url, address, port, path)


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_destination_that_is_not_public_http_is_refused_saying_why(url: str, reason: str) -> None:
    with pytest.raises(DestinationRefused) as refused:
        STRICT.check(url)
    assert str(refused.value) == reason


# (allowed networks, URL, refusal or None when allowed)
ALLOWED_NETWORKS: list[tuple[tuple[str, ...], str, str | None]] = [
    (("10.0.0.0/8",), "http://10.200.0.1/hook", None),
    (("10.0.0.0/8",), "http://internal.partner.example/hook", None),
    (("10.0.0.0/8",), "http://[::ffff:10.1.2.3]/hook", None),
    (("10.0.0.0/8",), "http://192.168.1.1/", "192.168.1.1 is a private address"),
    (("10.0.0.0/8",), "http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    (("127.0.0.1/32",), "http://127.0.0.1:9000/", None),
    (("127.0.0.1/32",), "http://127.0.0.2:9000/", "127.0.0.2 is a loopback address"),
    (("127.0.0.1/32",), "http://localhost/", "localhost resolves to an address that is not publicly routable"),
    (("127.0.0.1/32", "::1/128"), "http://localhost/", None),
    (("fd00::/8",), "http://[fd12::1]/", None),
    # the setting widens the addresses only, never the schemes or credentials
    (("10.0.0.0/8",), "ftp://10.0.0.1/", "ftp scheme: only http:// and https://"),
    (("10.0.0.0/8",), "http://a:b@10.0.0.1/", "credentials in the URL are refused; use signatureToken"),
]  # fmt: skip


@pytest.mark.parametrize(("networks", "url", "refusal"), ALLOWED_NETWORKS)
def test_the_operators_networks_are_allowed_and_nothing_else(
    networks: tuple[str, ...], url: str, refusal: str | None
) -> None:
    destinations = WebhookDestinations.allowing(*networks, resolve=stand_in_dns)
    if refusal is None:
        assert destinations.check(url).url == url
    else:
        with pytest.raises(DestinationRefused) as refused:
            destinations.check(url)
        assert str(refused.value) == refusal


class Hook:
    """A local HTTP receiver recording each request's Host header and body."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.received.append((self.headers["Host"], self.rfile.read(length)))
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    made = Hook()
    yield made
    made.close()


def test_the_post_goes_to_the_checked_address_asking_for_the_named_host(hook: Hook) -> None:
    # the name does not resolve at all: the POST can only have gone to the address checked
    target = WebhookTarget(
        url=f"http://hooks.partner.example:{hook.port}/in",
        scheme="http",
        host="hooks.partner.example",
        port=hook.port,
        path="/in",
        # the receiver listens on 127.0.0.1 alone: 127.0.0.2 refuses the connection, and the
        # next address is tried, as for a dual-stack host whose IPv6 is out of reach
        addresses=("127.0.0.2", "127.0.0.1"),
    )
    status = post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)
    # a redirect is answered as it came, never followed
    assert status == 302
    assert hook.received == [(f"hooks.partner.example:{hook.port}", b"{}")]


def test_a_post_no_address_takes_fails_with_the_last_connection_error(hook: Hook) -> None:
    target = WebhookTarget(
        url=f"http://hooks.partner.example:{hook.port}/in",
        scheme="http",
        host="hooks.partner.example",
        port=hook.port,
        path="/in",
        addresses=("127.0.0.2", "127.0.0.3"),
    )
    with pytest.raises(ConnectionRefusedError):
        post(target, b"{}", {}, timeout=5)
    assert hook.received == []


def test_a_subscriber_answering_a_byte_at_a_time_is_cut_off() -> None:
    """Each wait is short, yet the exchange would never end: it is cut off at three times the
    timeout, so that one slow subscriber does not hold every other delivery."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        accepted, _ = server.accept()
        with accepted:
            accepted.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                if stop.wait(0.05):
                    return
                with contextlib.suppress(OSError):
                    accepted.sendall(bytes([byte]))

    worker = threading.Thread(target=drip, daemon=True)
    worker.start()
    target = WebhookTarget(
        url=f"http://hooks.partner.example:{port}/in",
        scheme="http",
        host="hooks.partner.example",
        port=port,
        path="/in",
        addresses=("127.0.0.1",),
    )
    started = time.monotonic()
    try:
        with pytest.raises((OSError, http.client.HTTPException)):
            post(target, b"{}", {}, timeout=0.2)
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        server.close()
        worker.join(timeout=5)
