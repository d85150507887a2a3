"""Who is signed in to the console: the session cookie, read on every console page, and the
token every console form carries against cross-site requests.

- The cookie ``unitrace_session`` is HttpOnly, ``SameSite=Lax``, scoped to ``/console`` and
  ``Secure`` when the console is reached over https (directly, or through a proxy named in
  ``UNITRACE_TRUSTED_PROXIES`` that says so in ``X-Forwarded-Proto``).
- A page asked for without a live session sends the browser to ``/console/login``, which
  brings it back afterwards (to a console path only: never to another site).
- Every form posts a ``csrf`` field derived from the session's cookie
  (:func:`~unitrace.services.console_users.csrf_token`); a post without the right one is
  refused with 403 and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final
from urllib.parse import quote, unquote, urlsplit

import anyio.to_thread
from fastapi import Depends, Request
from starlette.responses import Response

from unitrace.api.callers import trusted_peer
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.console_users import (
    ConsoleSession,
    csrf_matches,
    record_seen,
    session_of,
)
from unitrace.store.unit_of_work import Database

#: The session cookie's name, and the path it is sent to.
SESSION_COOKIE: Final = "unitrace_session"
CONSOLE_PATH: Final = "/console"
SIGN_IN_PATH: Final = "/console/login"


class SignInNeeded(Exception):
    """A console page asked for without a live session: answered by sending the browser to
    the sign-in page (see :func:`sign_in_redirect`)."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class FormRefused(Exception):
    """A console form posted without its session's token: answered 403, nothing changed."""


@dataclass(frozen=True, slots=True)
class Signed:
    """The person behind a console request."""

    session: ConsoleSession
    #: the cookie's value (the session's secret), to end the session with
    token: str

    @property
    def actor(self) -> Actor:
        return self.session.user.actor

    @property
    def role(self) -> Role:
        return Role(self.session.user.role)

    @property
    def party(self) -> str | None:
        """The party a distributor's user acts for; None for the brand's people."""
        return self.session.user.party if self.role is Role.DISTRIBUTOR else None

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def may(self, *roles: Role) -> bool:
        """Whether the user's role is one of ``roles`` (admin may everything)."""
        return self.role is Role.ADMIN or self.role in roles


async def signed_in(request: Request) -> Signed:
    """The signed-in person, or :class:`SignInNeeded`; a post must carry the form token."""
    token = request.cookies.get(SESSION_COOKIE, "")
    database: Database = request.app.state.database
    session = await anyio.to_thread.run_sync(_live_session, database, token) if token else None
    if session is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(back_to if request.method == "GET" else CONSOLE_PATH)
    signed = Signed(session, token)
    if request.method not in ("GET", "HEAD"):
        form = await request.form()
        sent = form.get("csrf")
        if not isinstance(sent, str) or not csrf_matches(token, sent):
            raise FormRefused()
    return signed


SignedIn = Annotated[Signed, Depends(signed_in)]


def _live_session(database: Database, token: str) -> ConsoleSession | None:
    with database.unit_of_work(read_only=True) as uow:
        session, due = session_of(uow, token)
    if session is not None and due:
        with database.unit_of_work() as uow:
            record_seen(uow, token)
            uow.commit()
    return session


def sign_in_redirect(back_to: str) -> Response:
    """Send the browser to the sign-in page, which returns it to ``back_to``."""
    return Response(
        status_code=303, headers={"Location": f"{SIGN_IN_PATH}?next={quote(back_to, safe='/')}"}
    )


def safe_next(text: str | None) -> str:
    """Where to go after signing in: a console path, never another site.

    >>> safe_next("/console/alerts?status=new"), safe_next("//evil.example/console")
    ('/console/alerts?status=new', '/console')
    >>> safe_next("https://evil.example/console"), safe_next("/console\\\\@evil"), safe_next(None)
    ('/console', '/console', '/console')
    >>> safe_next("/console/../docs"), safe_next("/console/%2e%2e/docs")
    ('/console', '/console')
    >>> safe_next("/console/units/09506000134352/€")
    '/console/units/09506000134352/%E2%82%AC'
    >>> safe_next("/console/x\x7f")
    '/console/x%7F'

    """
    if not text or "\\" in text or any(ord(c) < 32 for c in text):
        return CONSOLE_PATH
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not text.startswith("/"):
        return CONSOLE_PATH
    # a browser resolves dot segments (``/console/../docs``), written plainly or escaped
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return CONSOLE_PATH
    if parts.path != CONSOLE_PATH and not parts.path.startswith(CONSOLE_PATH + "/"):
        return CONSOLE_PATH
    if parts.path.startswith(SIGN_IN_PATH):
        return CONSOLE_PATH
    # sent in a Location header: anything beyond ASCII's printable characters escaped
    return quote(text, safe="/?&=%:+,;@-._~!$'()*[]")


def over_https(request: Request) -> bool:
    """Whether the browser reached the console over https (the cookie is then ``Secure``)."""
    if request.url.scheme == "https":
        return True
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and trusted_peer(peer, settings.trusted_proxies)


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="lax",
        secure=over_https(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=CONSOLE_PATH, httponly=True, samesite="lax", secure=over_https(request)
    )
