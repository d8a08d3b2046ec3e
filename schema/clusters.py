"""Map aggregates: `reportClusters`, the reports of a map view counted on a grid that follows its
zoom, and `reportHeatmap`, the same cells weighted for a heatmap layer."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from models import PublicGroup
from resolvers import clusters
from resolvers.geo import BoundingBox
from schema.context import Context, Info
from schema.descriptions import FILTER_HELP
from schema.ids import to_global_id
from schema.query_cost import LIST_SIZE
from schema.report_pages import BoundingBoxInput, ReportFilter, visible_filter
from schema.reports import Location

DEFAULT_CATEGORIES = 3


@strawberry.type(description="How many reports of a cluster are in one category")
class CategoryCount:
    category_id: strawberry.ID = strawberry.field(description="ID kategori / The category's ID")
    category_code: str = strawberry.field(description="Kode kategori, mis. SAMPAH / The category's code")
    count: int = strawberry.field(
        description="Jumlah laporan di sel ini / Reports of this category in the cell"
    )


@strawberry.type(
    description="The reports in one grid cell of the map: where they are on average and what they are. "
    "Each report counts at the point the caller may see (rounded ~1 km for sensitive categories, "
    "except for its reporter and the handling agency)"
)
class ReportCluster:
    key: str = strawberry.field(description="The cell, `zoom/row/col`: stable while the map moves")
    count: int = strawberry.field(description="Jumlah laporan di sel ini / Reports in the cell")
    centroid: Location = strawberry.field(description="The average of its reports' points")
    waiting: int = strawberry.field(description="Reports in the public group WAITING")
    in_process: int = strawberry.field(description="Reports in the public group IN_PROCESS")
    done: int = strawberry.field(description="Reports in the public group DONE")
    categories: strawberry.Private[list[CategoryCount]]

    @strawberry.field(
        description="Its most frequent categories, most first (first: 0..50)",
    )
    def by_category(
        self,
        first: Annotated[
            int, strawberry.argument(description="Berapa kategori teratas (0..50) / How many top categories")
        ] = DEFAULT_CATEGORIES,
    ) -> list[CategoryCount]:
        return self.categories[:first]


@strawberry.type(
    description="Satu sel peta panas: titik dan bobotnya / One cell of a heatmap: its point and weight"
)
class HeatCell:
    key: str = strawberry.field(description="Sel, `zoom/baris/kolom` / The cell, `zoom/row/col`")
    point: Location = strawberry.field(
        description="Rata-rata titik laporannya / The average of its reports' points"
    )
    count: int = strawberry.field(description="Jumlah laporan di sel ini / Reports in the cell")
    weight: float = strawberry.field(
        description="Jumlah dibanding sel tersibuk di tampilan, (0, 1] / "
        "The count against the busiest cell of the view, (0, 1]"
    )


MapBox = Annotated[
    BoundingBoxInput, strawberry.argument(description="Wilayah peta yang tampil / The map view")
]
MapZoom = Annotated[int, strawberry.argument(description="Zoom peta web / The web map's zoom level")]
MapFilter = Annotated[ReportFilter | None, strawberry.argument(description=FILTER_HELP)]


async def clusters_of(
    context: Context,
    bounding_box: BoundingBoxInput,
    zoom: int,
    flt: ReportFilter | None,
    categories_per_cluster: int,
) -> list[ReportCluster]:
    """`reportClusters`' answer, with each cluster's `categories_per_cluster` top categories (the
    compiled path, schema.compiled, answers from the same objects)."""
    found = await clusters.report_clusters(
        visible_filter(context, flt),
        _box(bounding_box),
        zoom,
        categories_per_cluster=categories_per_cluster,
    )
    if categories_per_cluster:
        await context.loaders.prefetch("category", (c for cell in found for c, _ in cell.by_category))
    codes = {row["id"]: row["code"] for row in context.loaders.known_rows("category")}
    return [
        ReportCluster(
            key=f"{zoom}/{found_cell.row}/{found_cell.col}",
            count=found_cell.count,
            centroid=Location(lat=found_cell.lat, lon=found_cell.lon),
            waiting=found_cell.by_group[PublicGroup.WAITING],
            in_process=found_cell.by_group[PublicGroup.IN_PROCESS],
            done=found_cell.by_group[PublicGroup.DONE],
            categories=[
                CategoryCount(
                    category_id=strawberry.ID(to_global_id("Category", category_id)),
                    category_code=codes.get(category_id, ""),
                    count=count,
                )
                for category_id, count in found_cell.by_category
            ],
        )
        for found_cell in found
    ]


def _box(bounding_box: BoundingBoxInput) -> BoundingBox:
    return BoundingBox(bounding_box.min_lat, bounding_box.min_lon, bounding_box.max_lat, bounding_box.max_lon)


@strawberry.type
class ClusterQuery:
    @strawberry.field(
        description="Reports of a map view counted on a grid of 64-px cells at `zoom` (web-map zoom "
        f"{clusters.MIN_ZOOM}..{clusters.MAX_ZOOM}), with the same filter as `reports`; only non-empty "
        f"cells, by row then column. The box may span at most {clusters.MAX_CELLS} cells at its zoom",
        metadata={LIST_SIZE: clusters.MAX_CELLS},
    )
    async def report_clusters(
        self, info: Info, bounding_box: MapBox, zoom: MapZoom, filter: MapFilter = None
    ) -> list[ReportCluster]:
        return await clusters_of(info.context, bounding_box, zoom, filter, _categories_wanted(info))

    @strawberry.field(
        description="Peta panas laporan: sel yang sama dengan reportClusters, masing-masing berbobot "
        "jumlahnya dibanding sel tersibuk / A heatmap layer of the reports: the cells of "
        "`reportClusters`, each weighted by its count against the busiest cell of the view, to draw "
        "at its point (a heatmap layer blurs them together). Same arguments, privacy and limits",
        metadata={LIST_SIZE: clusters.MAX_CELLS},
    )
    async def report_heatmap(
        self, info: Info, bounding_box: MapBox, zoom: MapZoom, filter: MapFilter = None
    ) -> list[HeatCell]:
        return await heat_cells_of(info.context, bounding_box, zoom, filter)


async def heat_cells_of(
    context: Context, bounding_box: BoundingBoxInput, zoom: int, flt: ReportFilter | None
) -> list[HeatCell]:
    """`reportHeatmap`'s answer (the compiled path's too)."""
    found = await clusters.report_heatmap(visible_filter(context, flt), _box(bounding_box), zoom)
    return [
        HeatCell(
            key=f"{zoom}/{cell.row}/{cell.col}",
            point=Location(lat=cell.lat, lon=cell.lon),
            count=cell.count,
            weight=cell.weight,
        )
        for cell in found
    ]


def _categories_wanted(info: Info) -> int:
    """How many categories per cluster the query selects (`byCategory(first:)`), 0 when none:
    the second GROUP BY runs only for callers who ask for it. Out of range: the resolver refuses it."""
    wanted = 0
    pending: list[Selection] = [s for selected in info.selected_fields for s in selected.selections]
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            if selection.name == "byCategory":
                given = selection.arguments.get("first")  # None: a variable left out
                # A literal comes as its text; validation has made sure it is an Int.
                first = DEFAULT_CATEGORIES if given is None else int(given)
                if not clusters.categories_in_range(first):
                    return -1
                wanted = max(wanted, first)
        else:
            pending.extend(selection.selections)  # fragments
    return wanted
