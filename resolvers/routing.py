"""Which agency and which area a report goes to, and where the public sees it: the one routing function.

The area of a report in a sensitive category is located from its rounded public point, for everyone:
a kelurahan found from the exact point could name a smaller place than the ~1 km rounding allows
(the handling agency has the exact point anyway).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from models import Area, AreaLevel, Category, Report
from resolvers.privacy import public_point

# More specific levels win when areas nest (a kelurahan inside its kecamatan).
_SPECIFICITY = {AreaLevel.KELURAHAN: 2, AreaLevel.KECAMATAN: 1}


@dataclass(frozen=True)
class Placement:
    """The stored public point (what the public sees and searches) and the area derived from it."""

    public_latitude: float
    public_longitude: float
    area_id: int | None

    def apply_to(self, report: Report) -> None:
        report.public_latitude, report.public_longitude = self.public_latitude, self.public_longitude
        report.area_id = self.area_id


@dataclass(frozen=True)
class Route:
    agency_id: int
    placement: Placement

    @property
    def area_id(self) -> int | None:
        return self.placement.area_id


@dataclass(frozen=True)
class _AreaShape:
    area_id: int
    level: AreaLevel
    updated_at: datetime
    geometry: PreparedGeometry


class AreaIndex:
    """Parsed area polygons, re-parsed only when an area's row changes."""

    def __init__(self) -> None:
        self._shapes: dict[int, _AreaShape] = {}

    async def refresh(self) -> list[_AreaShape]:
        rows = await Area.filter(polygon__not_isnull=True).values("id", "level", "updated_at")
        current = {row["id"]: row for row in rows}
        for area_id in list(self._shapes):
            if area_id not in current:
                del self._shapes[area_id]
        for area_id, row in current.items():
            cached = self._shapes.get(area_id)
            if cached is None or cached.updated_at != row["updated_at"]:
                area = await Area.get(id=area_id)
                self._shapes[area_id] = _AreaShape(
                    area_id,
                    AreaLevel(row["level"]),
                    row["updated_at"],
                    prep(parse_polygon(area.polygon or "")),
                )
        return list(self._shapes.values())


def _locate(shapes: list[_AreaShape], lat: float, lon: float) -> int | None:
    point = Point(lon, lat)  # GeoJSON order: x = longitude
    hits = [s for s in shapes if s.geometry.contains(point)]
    if not hits:
        return None
    return max(hits, key=lambda s: (_SPECIFICITY[s.level], -s.area_id)).area_id


def parse_polygon(geojson: str) -> BaseGeometry:
    """A GeoJSON Polygon/MultiPolygon (or a Feature holding one) as a valid shapely shape."""
    data = json.loads(geojson)
    if data.get("type") == "Feature":
        data = data["geometry"]
    if data.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValueError("area outlines must be a Polygon or MultiPolygon")
    geometry = shape(data)
    if not geometry.is_valid:
        raise ValueError("area outline is not a valid polygon")
    return geometry


area_index = AreaIndex()


async def place_reports(is_sensitive: bool, points: list[tuple[float, float]]) -> list[Placement]:
    """Every writer of a report's place (filing, re-routing, a category's sensitivity) calls this."""
    shapes = await area_index.refresh()
    placements = []
    for lat, lon in points:
        public_lat, public_lon = public_point(is_sensitive, lat, lon)
        placements.append(Placement(public_lat, public_lon, _locate(shapes, public_lat, public_lon)))
    return placements


async def place_report(is_sensitive: bool, lat: float, lon: float) -> Placement:
    return (await place_reports(is_sensitive, [(lat, lon)]))[0]


async def route_report(category: Category, lat: float, lon: float) -> Route:
    return Route(category.agency_id, await place_report(category.is_sensitive, lat, lon))
