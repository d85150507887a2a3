"""The pages' assets (``web.assets``), served from memory with their media type, an ETag, and
a cache rule: kept for good under the URL that names their digest, asked for again otherwise.
A browser that accepts gzip gets a compressed asset compressed (``Vary: Accept-Encoding`` tells
caches the answer depends on it)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from unitrace.api.problems import problem
from unitrace.web.assets import ASSET_PATH, ASSETS

router = APIRouter(tags=["pages"], include_in_schema=False)

#: A URL naming the asset's digest never changes its content.
FOR_GOOD = "public, max-age=31536000, immutable"
#: Any other may be kept, but is checked (by its ETag) before each use.
ASK_AGAIN = "public, no-cache"


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header lets the answer be gzip-compressed: ``gzip`` (or
    ``*``) listed without ``q=0``; a ``gzip;q=0`` refuses it whatever ``*`` says.

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1.0, *;q=0.5")
    (True, True)
    >>> accepts_gzip(""), accepts_gzip("identity"), accepts_gzip("*, gzip;q=0")
    (False, False, False)
    """
    weights = {}
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.strip()] = weight
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


@router.api_route(ASSET_PATH + "/{name:path}", methods=["GET", "HEAD"])
async def asset(name: str, request: Request) -> Response:
    found = ASSETS.get(name)
    if found is None:
        return problem(404, "not-found", "Not found", f"{name}: unitrace serves no such asset")
    gzipped = found.gzipped if accepts_gzip(request.headers.get("accept-encoding", "")) else None
    headers = {
        "ETag": found.etag if gzipped is None else found.gzipped_etag,
        "Cache-Control": FOR_GOOD if request.query_params.get("v") == found.digest else ASK_AGAIN,
    }
    if found.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    # either validator names this content (the weak one matches by its digest too)
    if found.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if gzipped is not None:
        headers["Content-Encoding"] = "gzip"
        return Response(gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)
