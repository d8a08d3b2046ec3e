"""Which agency and which area a report goes to, and where the public sees it: the one routing function.

The area of a report in a sensitive category is located from its rounded public point, for everyone:
a kelurahan found from the exact point could name a smaller place than the ~1 km rounding allows
(the handling agency has the exact point anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shapely.geometry import Point
from shapely.prepared import PreparedGeometry

from models import Area, AreaLevel, Category, Report
from resolvers.area_outlines import parse_outline
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
    """The areas' parsed outlines (resolvers.area_outlines' one parser), re-read only when an
    area's row changes."""

    def __init__(self) -> None:
        self._shapes: dict[int, _AreaShape] = {}

    async def refresh(self) -> list[_AreaShape]:
        rows = await Area.filter(polygon__not_isnull=True).values("id", "level", "updated_at")
        current = {row["id"]: row for row in rows}
        for area_id in list(self._shapes):
            if area_id not in current:
                del self._shapes[area_id]
        changed = [
            area_id
            for area_id, row in current.items()
            if area_id not in self._shapes or self._shapes[area_id].updated_at != row["updated_at"]
        ]
        if changed:  # their outlines in one query
            for area in await Area.filter(id__in=changed).values("id", "level", "updated_at", "polygon"):
                if area["polygon"] is None:  # cleared since the first query
                    self._shapes.pop(area["id"], None)
                    continue
                self._shapes[area["id"]] = _AreaShape(
                    area["id"],
                    AreaLevel(area["level"]),
                    area["updated_at"],
                    parse_outline(area["polygon"]).prepared,
                )
        return list(self._shapes.values())


def _hits(shapes: list[_AreaShape], lat: float, lon: float) -> list[_AreaShape]:
    """The outlines containing the point, the most specific first (ties: the older area)."""
    point = Point(lon, lat)  # GeoJSON order: x = longitude
    hits = [s for s in shapes if s.geometry.contains(point)]
    return sorted(hits, key=lambda s: (-_SPECIFICITY[s.level], s.area_id))


def _locate(shapes: list[_AreaShape], lat: float, lon: float) -> int | None:
    hits = _hits(shapes, lat, lon)
    return hits[0].area_id if hits else None


async def areas_at(lat: float, lon: float) -> dict[AreaLevel, int]:
    """The area of each level whose outline contains the point (the same choice routing makes)."""
    found: dict[AreaLevel, int] = {}
    for hit in _hits(await area_index.refresh(), lat, lon):
        found.setdefault(hit.level, hit.area_id)
    return found


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
