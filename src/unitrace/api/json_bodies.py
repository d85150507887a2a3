"""JSON request bodies read strictly: text in them is valid Unicode.

JSON may spell half of a surrogate pair alone (``"\\ud800"``), which Python's own parser
turns into a string no database and no UTF-8 answer can hold: stored, it failed the
request with a fault; echoed in an error, it failed the error. unitrace reads bodies with
pydantic's parser, which refuses such text as a JSON error (a 422, or an EPCIS 400), and is
faster besides. Routers take :class:`StrictJsonRoute` as their route class.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.routing import APIRoute


def strict_json(body: bytes) -> Any:
    """``body`` read as JSON; :class:`json.JSONDecodeError` for a body that is not JSON, or
    holds text that is not valid Unicode.

    >>> strict_json(b'{"a": "\\\\ud83d\\\\ude00"}')
    {'a': '😀'}
    >>> strict_json(b'{"a": "\\\\ud800"}')
    Traceback (most recent call last):
    json.decoder.JSONDecodeError: not JSON or not valid Unicode: unexpected end of hex escape at line 1 column 14: line 1 column 1 (char 0)
    """
    try:
        return pydantic_core.from_json(body)
    except ValueError as error:
        raise json.JSONDecodeError(f"not JSON or not valid Unicode: {error}", "", 0) from None


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """A route whose JSON body is read by :func:`strict_json`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
