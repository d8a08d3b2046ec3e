"""Distances and rectangles on the city's scale (a few tens of kilometres)."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_132.0


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def is_valid(self) -> bool:
        return -90 <= self.min_lat <= self.max_lat <= 90 and -180 <= self.min_lon <= self.max_lon <= 180


# The default service area of Kupang; the SERVICE_AREA setting overrides it.
KUPANG_SERVICE_AREA = BoundingBox(min_lat=-10.27, min_lon=123.50, max_lat=-10.09, max_lon=123.72)


def valid_coordinates(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Circle:
    """A point and a radius, searchable in SQL with arithmetic only (SQLite has no trig).

    Within a city the local flat-earth (equirectangular) distance differs from the
    great-circle distance by far less than GPS error.
    """

    lat: float
    lon: float
    radius_m: float

    @property
    def metres_per_degree_lon(self) -> float:
        return METRES_PER_DEGREE_LAT * math.cos(math.radians(self.lat))

    def bounding_box(self) -> BoundingBox:
        dlat = self.radius_m / METRES_PER_DEGREE_LAT
        dlon = self.radius_m / max(self.metres_per_degree_lon, 1e-6)
        return BoundingBox(self.lat - dlat, self.lon - dlon, self.lat + dlat, self.lon + dlon)

    def squared_distance_sql(self, lat_column: str, lon_column: str) -> str:
        """SQL for the squared distance in m² from the centre; numbers are floats we made."""
        ky, kx = METRES_PER_DEGREE_LAT, self.metres_per_degree_lon
        return (
            f"(({lat_column} - ({self.lat!r})) * {ky!r}) * (({lat_column} - ({self.lat!r})) * {ky!r})"
            f" + (({lon_column} - ({self.lon!r})) * {kx!r}) * (({lon_column} - ({self.lon!r})) * {kx!r})"
        )
