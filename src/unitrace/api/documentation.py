"""The API documentation pages, ``/docs`` (Swagger UI), its OAuth2 redirect and ``/redoc``, as
FastAPI writes them, each with a Content-Security-Policy of its own.

Swagger UI and ReDoc are served by unitrace itself (``web.assets``, from the ``fastapi-offline``
package, which ships them): the pages load nothing from any other host, not even fonts, and
work on a network with no way out. They start with an inline script (and ReDoc's page has an
inline style); their policy allows exactly the inline script and style the page carries, by
their SHA-256 hashes, computed from the page as sent: no ``'unsafe-inline'``, and an inline
script injected into the page would not run.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

from unitrace.web.assets import asset_url

#: Swagger UI's icons are ``data:`` images in its style sheet.
IMAGE_SOURCES = ("'self'", "data:")
#: Swagger UI does not check the API description with swagger.io's validator (it would send the
#: description out, and show a broken badge offline).
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def hash_source(text: str) -> str:
    """The CSP source allowing an inline element whose text is ``text``, as a browser hashes
    it (SHA-256 of its UTF-8).

    >>> hash_source("go()")
    "'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"
    """
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: ReDoc styles its page as it runs by making empty ``<style>`` elements and filling them
#: through the CSSOM, which a policy does not govern: the hash of the empty text lets those
#: elements in, and no style element with anything in it.
EMPTY_STYLE = hash_source("")
#: ReDoc also writes one style element with its text in it: the style of the scroll bars of its
#: side menu (perfect-scrollbar's), the same text for a given ReDoc; the browser test of
#: ``/redoc`` fails if a new ReDoc writes another.
REDOC_SCROLLBAR_STYLE = "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"

_INLINE = {
    kind: re.compile(rf"<{kind}(?![^>]*\ssrc=)[^>]*>(.*?)</{kind}>", re.DOTALL | re.IGNORECASE)
    for kind in ("script", "style")
}


def inline_hashes(page: str, kind: str) -> list[str]:
    """The hash sources of the inline ``<script>`` or ``<style>`` elements of ``page``.

    >>> inline_hashes("<script src='x.js'></script><script>go()</script>", "script")
    ["'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"]
    """
    return [hash_source(body) for body in _INLINE[kind].findall(page)]


def documentation_policy(page: str, *, styles: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy of one documentation page; ``styles`` are the hashes of
    the style elements its script writes."""
    return "; ".join(
        (
            "default-src 'none'",
            " ".join(("script-src 'self'", *inline_hashes(page, "script"))),
            " ".join(("style-src 'self'", *inline_hashes(page, "style"), EMPTY_STYLE, *styles)),
            "font-src 'self' data:",
            " ".join(("img-src", *IMAGE_SOURCES)),
            "connect-src 'self'",
            # ReDoc searches the API description in a worker it starts from a blob
            "worker-src blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def with_policy(page: HTMLResponse, *, styles: tuple[str, ...] = ()) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = documentation_policy(
        bytes(page.body).decode(), styles=styles
    )
    return page


def install_documentation(app: FastAPI, *, docs_url: str, redoc_url: str) -> None:
    """Routes for the documentation pages, in place of FastAPI's own (create the app with
    ``docs_url=None, redoc_url=None``)."""
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url

    def root(request: Request) -> str:
        # where the service is mounted, behind a proxy that strips a prefix
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return with_policy(
            get_swagger_ui_html(
                openapi_url=root(request) + str(app.openapi_url),
                title=f"{app.title} - Swagger UI",
                swagger_js_url=root(request) + asset_url("swagger-ui-bundle.js"),
                swagger_css_url=root(request) + asset_url("swagger-ui.css"),
                swagger_favicon_url=root(request) + asset_url("favicon.png"),
                oauth2_redirect_url=(
                    root(request) + oauth2_redirect_url if oauth2_redirect_url else None
                ),
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters={
                    **SWAGGER_UI_PARAMETERS,
                    **(app.swagger_ui_parameters or {}),
                },
            )
        )

    if oauth2_redirect_url:

        @app.get(oauth2_redirect_url, include_in_schema=False)
        async def swagger_ui_redirect() -> HTMLResponse:
            return with_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return with_policy(
            get_redoc_html(
                openapi_url=root(request) + str(app.openapi_url),
                title=f"{app.title} - ReDoc",
                redoc_js_url=root(request) + asset_url("redoc.standalone.js"),
                redoc_favicon_url=root(request) + asset_url("favicon.png"),
                with_google_fonts=False,
            ),
            styles=(REDOC_SCROLLBAR_STYLE,),
        )
