"""Map aggregates: reports counted on a grid whose cells follow the map's zoom.

A cell is a quarter of a web-map tile on each side (64 px on 256-px tiles, models.map_cells), so a
zoomed-out map of the city draws a few hundred clusters instead of every dot. Each report counts
where the caller may see it: its exact point for the caller's agency's and own reports, its public
point (rounded for sensitive categories, resolvers.privacy) for everything else, exactly as the
`reports` filter searches (resolvers.report_queries). A cluster therefore never places a sensitive
report finer than the public sees it. The SQL is in resolvers.cluster_rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from models import PublicGroup
from models.map_cells import FINEST_ZOOM, cell_degrees
from resolvers.cluster_rows import GROUP_COLUMNS, Row, cluster_rows
from resolvers.errors import ErrorCode, fail
from resolvers.geo import BoundingBox
from resolvers.report_queries import ReportFilter, check_box

MIN_ZOOM, MAX_ZOOM = 0, FINEST_ZOOM
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


def check_grid(box: BoundingBox, zoom: int) -> float:
    """The cell size for `zoom`, after refusing a zoom out of range or a box spanning too many cells."""
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise fail(
            ErrorCode.INVALID_INPUT,
            f"zoom harus antara {MIN_ZOOM} dan {MAX_ZOOM}",
            f"zoom must be between {MIN_ZOOM} and {MAX_ZOOM}",
            "zoom",
        )
    check_box(box, "boundingBox")
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
        check_box(own, "filter")
        box = BoundingBox(
            max(own.min_lat, box.min_lat),
            max(own.min_lon, box.min_lon),
            min(own.max_lat, box.max_lat),
            min(own.max_lon, box.max_lon),
        )
    return replace(flt, bounding_box=box)


def categories_in_range(first: int) -> bool:
    """Whether `byCategory(first:)` asks for an allowed number of categories per cluster."""
    return 0 <= first <= MAX_CATEGORIES_PER_CLUSTER


async def report_clusters(
    flt: ReportFilter, box: BoundingBox, zoom: int, *, categories_per_cluster: int = 0
) -> list[Cluster]:
    """The non-empty cells of `box` at `zoom` with what `flt` matches, by row then column;
    with each cell's `categories_per_cluster` most frequent categories when asked."""
    check_grid(box, zoom)
    if not categories_in_range(categories_per_cluster):
        raise fail(
            ErrorCode.INVALID_PAGE_SIZE,
            f"first harus antara 0 dan {MAX_CATEGORIES_PER_CLUSTER}",
            f"first must be between 0 and {MAX_CATEGORIES_PER_CLUSTER}",
            "first",
        )
    narrowed = _within(flt, box)
    if not narrowed.bounding_box or not narrowed.bounding_box.is_valid():
        return []  # the filter's box and the map's do not meet
    rows = await cluster_rows(narrowed, zoom, categories=categories_per_cluster)
    return [_cluster(row) for row in rows]


def _cluster(row: Row) -> Cluster:
    count = int(row["count"])
    return Cluster(
        int(row["at_row"]),
        int(row["at_col"]),
        count,
        float(row["lat_total"]) / count,
        float(row["lon_total"]) / count,
        {group: int(row[column] or 0) for group, column in GROUP_COLUMNS.items()},
        _most_first(row.get("top_categories")),
    )


def _most_first(top_categories: str | None) -> list[tuple[int, int]]:
    """`id:count,...` as (category id, count) pairs, most first, ties by id."""
    if not top_categories:
        return []
    pairs = (pair.split(":") for pair in top_categories.split(","))
    return sorted(((int(id_), int(count)) for id_, count in pairs), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class HeatCell:
    row: int
    col: int
    count: int
    lat: float
    lon: float
    weight: float  # the count against the busiest cell of the view, (0, 1]


async def report_heatmap(flt: ReportFilter, box: BoundingBox, zoom: int) -> list[HeatCell]:
    """The same cells as the clusters, each weighted by its count against the busiest one: the
    intensity a heatmap layer draws at the cell's centroid."""
    found = await report_clusters(flt, box, zoom)
    busiest = max((cell.count for cell in found), default=1)
    return [HeatCell(c.row, c.col, c.count, c.lat, c.lon, c.count / busiest) for c in found]
