"""The files the pages load (their style sheet and script), served by unitrace itself.

Each is read once from the package and named in the pages with its digest
(``/static/verify.js?v=…``): a browser may keep a URL naming the content for good, since a
new release names a new URL, and must ask again for one that does not.

>>> asset = ASSETS["verify.js"]
>>> asset.media_type
'text/javascript; charset=utf-8'
>>> asset.url == f"/static/verify.js?v={asset.digest}"
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType

#: Where the assets are served.
ASSET_PATH = "/static"

#: The media type each kind of asset is served as (with ``nosniff``, a browser runs a script or
#: applies a style sheet only when it comes with the right one).
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

#: Where each asset comes from: unitrace's own pages, and the API documentation pages' Swagger UI
#: and ReDoc, as the ``fastapi-offline`` package ships them (so ``/docs`` and ``/redoc`` work on
#: a network with no way out, as packaging lines' often are).
SOURCES = (("unitrace.web", "static"), ("fastapi_offline", "static"))

#: What an asset is served with in place of what it ships with: ReDoc's bundle shows Redocly's
#: logo from Redocly's CDN (and hides it when it does not load); it is pointed at an empty image
#: instead, so that the page asks nothing of any other host.
REWRITES = {
    "redoc.standalone.js": ((b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"data:,"),),
}


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    body: bytes
    media_type: str
    #: the first 16 hex digits of the body's SHA-256: its version in URLs and its ETag
    digest: str

    @property
    def url(self) -> str:
        return f"{ASSET_PATH}/{self.name}?v={self.digest}"

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


def _load() -> MappingProxyType[str, Asset]:
    found = {}
    entries = [
        entry for package, folder in SOURCES for entry in files(package).joinpath(folder).iterdir()
    ]
    for entry in entries:
        suffix = entry.name[entry.name.rfind(".") :]
        if suffix not in MEDIA_TYPES:
            continue
        body = entry.read_bytes()
        for shipped, served in REWRITES.get(entry.name, ()):
            body = body.replace(shipped, served)
        digest = hashlib.sha256(body).hexdigest()[:16]
        found[entry.name] = Asset(entry.name, body, MEDIA_TYPES[suffix], digest)
    return MappingProxyType(found)


#: Every asset by name, read when the module is first imported (unitrace's own a few kilobytes,
#: Swagger UI's and ReDoc's 2.8 MB), so that serving one never touches the disk.
ASSETS = _load()


def asset_url(name: str) -> str:
    """The URL a page names the asset ``name`` by; a name unitrace does not ship is an error
    when the template is rendered, not a 404 in a person's browser."""
    return ASSETS[name].url
