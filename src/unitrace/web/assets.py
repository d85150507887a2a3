"""The files the pages load (style sheets, scripts, the console's chart and map libraries
and its map geometry), served by unitrace itself: nothing a page shows comes from another
host, so the pages work on a network with no way out.

Each is read once from the package, subfolders included (``vendor/leaflet/leaflet.js``,
``geo/regions/MY.json``), and named in the pages with its digest
(``/static/verify.js?v=…``): a browser may keep a URL naming the content for good, since a
new release names a new URL, and must ask again for one that does not. A text asset of more
than a kilobyte is also kept gzip-compressed, made once here, for browsers that accept it.

>>> asset = ASSETS["verify.js"]
>>> asset.media_type
'text/javascript; charset=utf-8'
>>> asset.url == f"/static/verify.js?v={asset.digest}"
True
>>> ASSETS["vendor/leaflet/leaflet.js"].gzipped is not None
True
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType

#: Where the assets are served.
ASSET_PATH = "/static"

#: The media type each kind of asset is served as (with ``nosniff``, a browser runs a script or
#: applies a style sheet only when it comes with the right one).
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
}

#: The kinds worth compressing (images and fonts are compressed already), and the size under
#: which compressing saves less than the header costs.
COMPRESSIBLE = frozenset({".css", ".js", ".json", ".svg"})
COMPRESS_FROM = 1024

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

#: The console map's geometry (``scripts/vendor_assets.py`` builds it): the world's countries,
#: and each country's regions in a file of its own, loaded by the map only when shown.
GEOMETRY_FOLDER = "geo"
#: The index of that geometry, made here: the versioned URL of each file, so that the map
#: script (which finds the index beside itself) loads files a browser may keep for good.
GEOMETRY_INDEX = f"{GEOMETRY_FOLDER}/index.json"


@dataclass(frozen=True, slots=True)
class Asset:
    #: its path under the assets' folder, ``/`` between folders
    name: str
    body: bytes
    media_type: str
    #: the first 16 hex digits of the body's SHA-256: its version in URLs and its ETag
    digest: str
    #: the body gzip-compressed, for a browser that accepts it; None where not worth it
    gzipped: bytes | None = None

    @property
    def url(self) -> str:
        return f"{ASSET_PATH}/{self.name}?v={self.digest}"

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'

    @property
    def gzipped_etag(self) -> str:
        """The compressed body's validator: weak, as the same content in another coding."""
        return f'W/"{self.digest}"'


def _entries(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _entries(entry, f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry


def _asset(name: str, body: bytes) -> Asset:
    suffix = name[name.rfind(".") :]
    digest = hashlib.sha256(body).hexdigest()[:16]
    gzipped = None
    if suffix in COMPRESSIBLE and len(body) >= COMPRESS_FROM:
        # no timestamp in the header: the same body always compresses to the same bytes
        gzipped = gzip.compress(body, compresslevel=6, mtime=0)
        if len(gzipped) >= len(body) * 0.9:
            gzipped = None
    return Asset(name, body, MEDIA_TYPES[suffix], digest, gzipped)


def _geometry_index(found: dict[str, Asset]) -> Asset:
    regions_folder = f"{GEOMETRY_FOLDER}/regions/"
    index = {
        "countries": found[f"{GEOMETRY_FOLDER}/countries.json"].url,
        "regions": {
            name.removeprefix(regions_folder).removesuffix(".json"): asset.url
            for name, asset in sorted(found.items())
            if name.startswith(regions_folder)
        },
    }
    body = json.dumps(index, separators=(",", ":"), sort_keys=True).encode()
    return _asset(GEOMETRY_INDEX, body)


def _load() -> MappingProxyType[str, Asset]:
    found: dict[str, Asset] = {}
    for package, folder in SOURCES:
        for name, entry in _entries(files(package).joinpath(folder)):
            suffix = name[name.rfind(".") :]
            if suffix not in MEDIA_TYPES:
                continue  # a library's licence text, kept beside it in the package
            body = entry.read_bytes()
            for shipped, served in REWRITES.get(name, ()):
                body = body.replace(shipped, served)
            found[name] = _asset(name, body)
    found[GEOMETRY_INDEX] = _geometry_index(found)
    return MappingProxyType(found)


#: Every asset by name, read when the module is first imported (unitrace's own pages' a few
#: kilobytes, the console's libraries 0.4 MB and its map geometry 4.5 MB, Swagger UI's and
#: ReDoc's 2.8 MB; about a third of that again compressed), so that serving one never touches
#: the disk.
ASSETS = _load()


def asset_url(name: str) -> str:
    """The URL a page names the asset ``name`` by (``vendor/chartjs/chart.umd.min.js``); a
    name unitrace does not ship is an error when the template is rendered, not a 404 in a
    person's browser."""
    return ASSETS[name].url
