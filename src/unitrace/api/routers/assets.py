"""The pages' style sheet and script (``web.assets``), served from memory with their media
type, an ETag, and a cache rule: kept for good under the URL that names their digest, asked
for again otherwise."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from unitrace.api.problems import problem
from unitrace.web.assets import ASSET_PATH, ASSETS

router = APIRouter(tags=["pages"], include_in_schema=False)

#: A URL naming the asset's digest never changes its content.
FOR_GOOD = "public, max-age=31536000, immutable"
#: Any other may be kept, but is checked (by its ETag) before each use.
ASK_AGAIN = "public, no-cache"


@router.api_route(ASSET_PATH + "/{name}", methods=["GET", "HEAD"])
async def asset(name: str, request: Request) -> Response:
    found = ASSETS.get(name)
    if found is None:
        return problem(404, "not-found", "Not found", f"{name}: unitrace serves no such asset")
    headers = {
        "ETag": found.etag,
        "Cache-Control": FOR_GOOD if request.query_params.get("v") == found.digest else ASK_AGAIN,
    }
    if found.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)
