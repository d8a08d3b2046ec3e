"""Map clusters: counts on the zoom's grid, centroids, groups and categories, the `reports` filter,
the privacy of sensitive places, refusals and cost."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from models import Role
from resolvers.clusters import MAX_CELLS
from resolvers.identity import Principal
from resolvers.privacy import public_point
from schema import schema
from schema.query_cost import operation_cost
from tests.conftest import Database
from tests.graphql import UPDATE_STATUS, file_report, gql, run, staff

CLUSTERS = """
query($box: BoundingBoxInput!, $zoom: Int!, $filter: ReportFilter, $first: Int) {
  reportClusters(boundingBox: $box, zoom: $zoom, filter: $filter) {
    key count centroid { lat lon } waiting inProcess done
    byCategory(first: $first) { categoryCode count }
  }
}
"""
CITY = {"minLat": -10.27, "minLon": 123.50, "maxLat": -10.09, "maxLon": 123.72}
OEBOBO = (-10.1700, 123.6070)
ALAK = (-10.1950, 123.5450)


async def _clusters(
    zoom: int = 12, principal: Principal | None = None, first: int = 3, **variables: Any
) -> list[dict[str, Any]]:
    data = await gql(CLUSTERS, {"box": CITY, "zoom": zoom, "first": first, **variables}, principal=principal)
    return data["reportClusters"]  # type: ignore[no-any-return]


async def _file_at(point: tuple[float, float], **overrides: Any) -> dict[str, Any]:
    return await file_report(location={"lat": point[0], "lon": point[1]}, **overrides)


async def test_reports_are_counted_in_the_cell_of_their_place(db: Database) -> None:
    await _file_at(OEBOBO)
    await _file_at((OEBOBO[0] + 0.001, OEBOBO[1] + 0.001), categoryCode="LAMPU_RAMBU")
    acknowledged = await _file_at((OEBOBO[0] - 0.001, OEBOBO[1]))
    await _file_at(ALAK)
    officer = await staff(Role.OFFICER, "DLH")
    changed = await gql(
        UPDATE_STATUS, {"input": {"id": acknowledged["id"], "status": "ACKNOWLEDGED"}}, principal=officer
    )
    assert changed["updateReportStatus"]["errors"] == []

    clusters = await _clusters(zoom=12)

    by_count = sorted(clusters, key=lambda c: c["count"])
    assert [c["count"] for c in by_count] == [1, 3]
    alak, oebobo = by_count
    assert alak["centroid"] == {"lat": pytest.approx(ALAK[0]), "lon": pytest.approx(ALAK[1])}
    assert oebobo["centroid"]["lat"] == pytest.approx(OEBOBO[0])
    assert oebobo["centroid"]["lon"] == pytest.approx(OEBOBO[1] + 0.001 / 3)
    assert (oebobo["waiting"], oebobo["inProcess"], oebobo["done"]) == (2, 1, 0)
    assert oebobo["byCategory"] == [
        {"categoryCode": "SAMPAH", "count": 2},
        {"categoryCode": "LAMPU_RAMBU", "count": 1},
    ]
    assert len({c["key"] for c in clusters}) == 2
    assert all(c["key"].startswith("12/") for c in clusters)


async def test_higher_zoom_splits_clusters_into_finer_cells(db: Database) -> None:
    await _file_at(OEBOBO)
    await _file_at((OEBOBO[0] + 0.004, OEBOBO[1] + 0.004))  # ~600 m apart

    near_box = {"minLat": -10.18, "minLon": 123.60, "maxLat": -10.16, "maxLon": 123.62}
    assert [c["count"] for c in await _clusters(zoom=11)] == [2]
    assert [c["count"] for c in await _clusters(zoom=16, box=near_box)] == [1, 1]


async def test_the_reports_filter_applies(db: Database) -> None:
    await _file_at(OEBOBO)
    await _file_at(OEBOBO, categoryCode="LAMPU_RAMBU")
    await _file_at(ALAK)

    roads = await _clusters(filter={"statuses": ["SUBMITTED"], "text": "Sampah", "categoryIds": []})
    assert sum(c["count"] for c in roads) == 3
    only_alak = {"minLat": -10.20, "minLon": 123.54, "maxLat": -10.19, "maxLon": 123.55}
    assert [c["count"] for c in await _clusters(filter={"boundingBox": only_alak})] == [1]
    assert await _clusters(filter={"publicGroups": ["DONE"]}) == []
    outside_the_map = {"minLat": 0.0, "minLon": 0.0, "maxLat": 1.0, "maxLon": 1.0}
    assert await _clusters(filter={"boundingBox": outside_the_map}) == []


async def test_a_few_aggregate_queries_with_or_without_categories(db: Database, sql_queries: Any) -> None:
    await _file_at(OEBOBO)
    counts_only = "query($box: BoundingBoxInput!) { reportClusters(boundingBox: $box, zoom: 12) { count } }"

    for query, variables in ((counts_only, {"box": CITY}), (CLUSTERS, {"box": CITY, "zoom": 12, "first": 3})):
        sql_queries.clear()
        data = await gql(query, variables)
        assert data["reportClusters"][0]["count"] == 1
        grid = [s for s in sql_queries.statements if '"reports"' in s or '"report_map_cells"' in s]
        # the counted cells at zoom 12, the ring they leave at zoom 14 in four strips, and the four
        # edge strips of the box from the reports, added up per cell in one statement
        assert len(grid) == 1
        assert grid[0].count("UNION ALL") == 8


SENSITIVE = (-10.16637, 123.60871)  # far from the 0.01-degree grid of rounded points


async def test_sensitive_reports_count_at_their_rounded_point_for_the_public(db: Database) -> None:
    reporter_box = {"minLat": -10.1670, "minLon": 123.6080, "maxLat": -10.1660, "maxLon": 123.6090}
    await _file_at(SENSITIVE, categoryCode="PENGEMIS")
    rounded = public_point(True, *SENSITIVE)
    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")
    other_agency = await staff(Role.OFFICER, "DLH", "Officer DLH")

    for who in (None, other_agency):
        seen = await _clusters(zoom=18, principal=who, box=_around(rounded))
        assert [c["centroid"] for c in seen] == [{"lat": rounded[0], "lon": rounded[1]}]
        # the exact place finds nothing for them, however tight the box
        assert await _clusters(zoom=18, principal=who, box=reporter_box) == []
        assert await _clusters(zoom=10, principal=who, filter={"boundingBox": reporter_box}) == []

    exact = await _clusters(zoom=18, principal=dinsos, box=reporter_box)
    assert [c["centroid"] for c in exact] == [{"lat": SENSITIVE[0], "lon": SENSITIVE[1]}]


def _around(point: tuple[float, float]) -> dict[str, float]:
    return {
        "minLat": point[0] - 0.0005,
        "minLon": point[1] - 0.0005,
        "maxLat": point[0] + 0.0005,
        "maxLon": point[1] + 0.0005,
    }


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"zoom": 23}, "INVALID_INPUT", "zoom"),
        ({"zoom": -1}, "INVALID_INPUT", "zoom"),
        ({"zoom": 20}, "INVALID_INPUT", "boundingBox"),  # the city at zoom 20: far too many cells
        ({"box": {**CITY, "minLat": -9.0}}, "INVALID_COORDINATES", "boundingBox"),
        ({"box": {**CITY, "maxLon": 190.0}}, "INVALID_COORDINATES", "boundingBox"),
        ({"filter": {"boundingBox": {**CITY, "minLat": -9.0}}}, "INVALID_COORDINATES", "filter"),
        ({"first": 51}, "QUERY_TOO_COSTLY", None),  # 1,000 cells of 51 categories: refused unrun
        ({"first": -1}, "INVALID_PAGE_SIZE", "first"),
    ],
)
async def test_bad_input_is_a_typed_error(
    db: Database, variables: dict[str, Any], code: str, field: str | None
) -> None:
    await _file_at(OEBOBO)

    result = await run(CLUSTERS, {"box": CITY, "zoom": 12, "first": 3, **variables})

    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == [code]
    assert result.errors[0].extensions.get("field") == field


def test_the_cost_counts_every_cell_the_box_may_hold() -> None:
    document = parse(CLUSTERS)

    default = operation_cost(schema._schema, document, variables={"first": 3}).cost
    many_categories = operation_cost(schema._schema, document, variables={"first": 50}).cost

    assert default == MAX_CELLS * (1 + 1 + 3)  # the cluster, its centroid, its categories
    assert many_categories > 10_000  # over the maximum: refused before anything runs


async def test_the_readme_query_with_literal_arguments(db: Database) -> None:
    await _file_at(OEBOBO)
    await _file_at(OEBOBO, categoryCode="LAMPU_RAMBU")
    query = """query {
      reportClusters(
        boundingBox: { minLat: -10.27, minLon: 123.50, maxLat: -10.09, maxLon: 123.72 }
        zoom: 12
        filter: { publicGroups: [WAITING, IN_PROCESS] }
      ) {
        key count centroid { lat lon } waiting inProcess done
        byCategory(first: 1) { categoryCode count }
      }
    }"""

    [cluster] = (await gql(query))["reportClusters"]

    assert (cluster["count"], cluster["waiting"]) == (2, 2)
    assert len(cluster["byCategory"]) == 1


HEATMAP = """query($box: BoundingBoxInput!, $zoom: Int!, $filter: ReportFilter) {
  reportHeatmap(boundingBox: $box, zoom: $zoom, filter: $filter) { key point { lat lon } count weight }
}"""


async def test_the_heatmap_weighs_the_cells_against_the_busiest(db: Database) -> None:
    for _ in range(3):
        await _file_at(OEBOBO)
    await _file_at(SENSITIVE, categoryCode="PENGEMIS")

    cells = (await gql(HEATMAP, {"box": CITY, "zoom": 13}))["reportHeatmap"]

    by_count = sorted(cells, key=lambda c: c["count"])
    assert [(c["count"], c["weight"]) for c in by_count] == [(1, pytest.approx(1 / 3)), (3, 1.0)]
    rounded = public_point(True, *SENSITIVE)
    assert by_count[0]["point"] == {"lat": rounded[0], "lon": rounded[1]}  # as the public sees it
    clusters = await _clusters(zoom=13)
    assert sorted(c["key"] for c in cells) == sorted(c["key"] for c in clusters)
    assert (await gql(HEATMAP, {"box": CITY, "zoom": 13, "filter": {"publicGroups": ["DONE"]}})) == {
        "reportHeatmap": []
    }
