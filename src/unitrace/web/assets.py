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
    for entry in files("unitrace.web").joinpath("static").iterdir():
        suffix = entry.name[entry.name.rfind(".") :]
        if suffix not in MEDIA_TYPES:
            continue
        body = entry.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:16]
        found[entry.name] = Asset(entry.name, body, MEDIA_TYPES[suffix], digest)
    return MappingProxyType(found)


#: Every asset by name, read when the module is first imported (a few kilobytes), so that
#: serving one never touches the disk.
ASSETS = _load()


def asset_url(name: str) -> str:
    """The URL a page names the asset ``name`` by; a name unitrace does not ship is an error
    when the template is rendered, not a 404 in a person's browser."""
    return ASSETS[name].url
