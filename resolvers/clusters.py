"""Map aggregates: reports counted on a grid whose cells follow the map's zoom, in one SQL GROUP BY.

A cell is a quarter of a web-map tile on each side (64 px on 256-px tiles), so a zoomed-out map of
the city draws a few hundred clusters instead of every dot. Each report counts where the caller may
see it: its exact point for the caller's agency's and own reports, its public point (rounded for
sensitive categories, resolvers.privacy) for everything else, exactly as the `reports` filter
searches (resolvers.report_queries). A cluster therefore never places a sensitive report finer than
the public sees it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from tortoise.expressions import RawSQL
from tortoise.functions import Count, Sum

from models import PublicGroup
from models.lifecycle import statuses_in_group
from resolvers.errors import ErrorCode, fail
from resolvers.geo import BoundingBox
from resolvers.raw_sql import default_connection, is_postgres
from resolvers.report_queries import ExactPlaces, ReportFilter, filtered_reports

MIN_ZOOM, MAX_ZOOM = 0, 22
CELLS_PER_TILE_SIDE = 4  # 64-px cells on 256-px tiles
MAX_CELLS = 1_000  # cells a box may span at its zoom: a full-HD map shows about 500
MAX_CATEGORIES_PER_CLUSTER = 50


@dataclass
class Cluster:
    row: int
    col: int
    count: int
    lat: float
    lon: float
    by_group: dict[PublicGroup, int]
    by_category: list[tuple[int, int]] = field(default_factory=list)  # (category id, count), most first


def cell_degrees(zoom: int) -> float:
    """The side of a cell in degrees at `zoom` (a tile spans 360 / 2**zoom degrees of longitude)."""
    return 360.0 / (2**zoom * CELLS_PER_TILE_SIDE)


def _check_box(box: BoundingBox, field_name: str) -> None:
    if (
        not all(map(math.isfinite, (box.min_lat, box.min_lon, box.max_lat, box.max_lon)))
        or not box.is_valid()
    ):
        raise fail(
            ErrorCode.INVALID_COORDINATES,
            "Kotak batas tidak valid",
            "The bounding box is not a valid rectangle",
            field_name,
        )


def check_grid(box: BoundingBox, zoom: int) -> float:
    """The cell size for `zoom`, after refusing a zoom out of range or a box spanning too many cells."""
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"zoom harus antara {MIN_ZOOM} dan {MAX_ZOOM}",
            f"zoom must be between {MIN_ZOOM} and {MAX_ZOOM}",
            "zoom",
        )
    _check_box(box, "boundingBox")
    size = cell_degrees(zoom)
    rows = math.floor((box.max_lat + 90) / size) - math.floor((box.min_lat + 90) / size) + 1
    cols = math.floor((box.max_lon + 180) / size) - math.floor((box.min_lon + 180) / size) + 1
    if rows * cols > MAX_CELLS:
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"Kotak ini mencakup {rows * cols} sel pada zoom {zoom} (maksimum {MAX_CELLS}); "
            "perkecil kotak atau zoom",
            f"The box spans {rows * cols} cells at zoom {zoom} (at most {MAX_CELLS}); "
            "ask for a smaller box or a lower zoom",
            "boundingBox",
        )
    return size


def _within(flt: ReportFilter, box: BoundingBox) -> ReportFilter:
    """The filter narrowed to `box` (intersected with the filter's own box, if it has one)."""
    own = flt.bounding_box
    if own is not None:
        _check_box(own, "filter")
        box = BoundingBox(
            max(own.min_lat, box.min_lat),
            max(own.min_lon, box.min_lon),
            min(own.max_lat, box.max_lat),
            min(own.max_lon, box.max_lon),
        )
    return replace(flt, bounding_box=box)


def _visible_point_sql(exact_places: ExactPlaces, column: str) -> str:
    """The column of the point the caller sees: exact for their agency's and own reports."""
    conditions = []
    if exact_places.agency_id is not None:
        conditions.append(f"agency_id = {int(exact_places.agency_id)}")
    if exact_places.reporter_id is not None:
        conditions.append(f"reporter_id = {int(exact_places.reporter_id)}")
    if not conditions:
        return f"public_{column}"
    return f"CASE WHEN {' OR '.join(conditions)} THEN {column} ELSE public_{column} END"


def _cell_sql(point: str, offset: int, size: float, *, postgres: bool) -> str:
    # Offset to non-negative first, so that SQLite's CAST (which truncates) is a floor too.
    scaled = f"(({point}) + {offset}) / {size!r}"
    return f"FLOOR({scaled})" if postgres else f"CAST({scaled} AS INTEGER)"


async def report_clusters(
    flt: ReportFilter, box: BoundingBox, zoom: int, *, categories_per_cluster: int = 0
) -> list[Cluster]:
    """The non-empty cells of `box` at `zoom` with what `flt` matches, by row then column;
    with each cell's `categories_per_cluster` most frequent categories when asked."""
    size = check_grid(box, zoom)
    if not 0 <= categories_per_cluster <= MAX_CATEGORIES_PER_CLUSTER:
        raise fail(
            ErrorCode.INVALID_PAGE_SIZE,
            f"first harus antara 0 dan {MAX_CATEGORIES_PER_CLUSTER}",
            f"first must be between 0 and {MAX_CATEGORIES_PER_CLUSTER}",
            "first",
        )
    narrowed = _within(flt, box)
    if not narrowed.bounding_box or not narrowed.bounding_box.is_valid():
        return []  # the filter's box and the map's do not meet
    query = await filtered_reports(narrowed)
    postgres = is_postgres(default_connection())
    lat = _visible_point_sql(flt.exact_places, "latitude")
    lon = _visible_point_sql(flt.exact_places, "longitude")
    cells = query.annotate(
        cell_row=RawSQL(_cell_sql(lat, 90, size, postgres=postgres)),
        cell_col=RawSQL(_cell_sql(lon, 180, size, postgres=postgres)),
    )
    group_counts = {f"n_{group.value.lower()}": _sum(_in_group_sql(group)) for group in PublicGroup}
    # One scan either way: by cell, or by cell and category (folded into cells below) when asked.
    keys = ["cell_row", "cell_col", *(["category_id"] if categories_per_cluster else [])]
    rows = (
        await cells.annotate(n=Count("id"), lat_sum=_sum(lat), lon_sum=_sum(lon), **group_counts)
        .group_by(*keys)
        .values(*keys, "n", "lat_sum", "lon_sum", *group_counts)
    )
    sums: dict[tuple[int, int], _CellSums] = defaultdict(_CellSums)
    for row in rows:
        cell = sums[int(row["cell_row"]), int(row["cell_col"])]
        count = int(row["n"])
        cell.count += count
        cell.lat_sum += float(row["lat_sum"])
        cell.lon_sum += float(row["lon_sum"])
        for group in PublicGroup:
            cell.by_group[group] += int(row[f"n_{group.value.lower()}"] or 0)
        if categories_per_cluster:
            cell.by_category.append((row["category_id"], count))
    clusters = {key: cell.cluster(*key, categories_per_cluster) for key, cell in sums.items()}
    return [clusters[key] for key in sorted(clusters)]


def _sum(sql: str) -> Sum:
    # Tortoise's aggregates take any SQL term at run time; its annotations name only fields.
    return Sum(RawSQL(sql))  # type: ignore[arg-type]


@dataclass
class _CellSums:
    count: int = 0
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    by_group: dict[PublicGroup, int] = field(default_factory=lambda: dict.fromkeys(PublicGroup, 0))
    by_category: list[tuple[int, int]] = field(default_factory=list)

    def cluster(self, row: int, col: int, categories: int) -> Cluster:
        most_first = sorted(self.by_category, key=lambda pair: (-pair[1], pair[0]))
        return Cluster(
            row, col, self.count, self.lat_sum / self.count, self.lon_sum / self.count,
            self.by_group, most_first[:categories],
        )  # fmt: skip


def _in_group_sql(group: PublicGroup) -> str:
    statuses = ", ".join(f"'{status.value}'" for status in sorted(statuses_in_group(group)))
    return f"CASE WHEN status IN ({statuses}) THEN 1 ELSE 0 END"
