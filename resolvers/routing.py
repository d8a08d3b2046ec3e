"""Which agency and which area a report goes to: the one routing function."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from models import Area, AreaLevel, Category

# More specific levels win when areas nest (a kelurahan inside its kecamatan).
_SPECIFICITY = {AreaLevel.KELURAHAN: 2, AreaLevel.KECAMATAN: 1}


@dataclass(frozen=True)
class Route:
    agency_id: int
    area_id: int | None


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

    async def locate(self, lat: float, lon: float) -> int | None:
        point = Point(lon, lat)  # GeoJSON order: x = longitude
        hits = [s for s in await self.refresh() if s.geometry.contains(point)]
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


async def route_report(category: Category, lat: float, lon: float) -> Route:
    return Route(agency_id=category.agency_id, area_id=await area_index.locate(lat, lon))
