"""Finding reports: pages, filters, orders, lookups, and a constant number of SQL queries."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from models import Agency, Area, AreaLevel, Category, Report, Role
from resolvers.geo import haversine_m
from schema.ids import to_global_id
from tests.conftest import Database, QueryLog
from tests.graphql import UPDATE_STATUS, file_report, gql, run, staff

PAGE = """
query($first: Int!, $after: String, $filter: ReportFilter, $order: ReportOrder) {
  reports(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title status location { lat lon } } }
  }
}
"""


async def _page(first: int = 20, **variables: Any) -> dict[str, Any]:
    return (await gql(PAGE, {"first": first, **variables}))["reports"]


def _titles(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in page["edges"]]


async def test_pages_walk_every_report_once_newest_first(db: Database) -> None:
    for n in range(7):
        await file_report(title=f"Laporan {n}")

    seen: list[str] = []
    after = None
    while True:
        page = await _page(3, after=after)
        seen += _titles(page)
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [f"Laporan {n}" for n in reversed(range(7))]


async def test_oldest_first_order(db: Database) -> None:
    for n in range(3):
        await file_report(title=f"Laporan {n}")

    page = await _page(order="OLDEST")

    assert _titles(page) == ["Laporan 0", "Laporan 1", "Laporan 2"]


async def test_due_soonest_puts_emergencies_first(db: Database) -> None:
    await file_report(title="sampah", categoryCode="SAMPAH")
    await file_report(title="kebakaran", categoryCode="KEBAKARAN")
    await file_report(title="macet", categoryCode="KEMACETAN")

    page = await _page(order="DUE_SOONEST")

    assert _titles(page) == ["kebakaran", "macet", "sampah"]


async def test_status_and_public_group_filters(db: Database) -> None:
    waiting = await file_report(title="menunggu")
    working = await file_report(title="diproses")
    officer = await staff(Role.OFFICER, "DLH")
    changed = await gql(
        UPDATE_STATUS, {"input": {"id": working["id"], "status": "ACKNOWLEDGED"}}, principal=officer
    )
    assert changed["updateReportStatus"]["errors"] == []

    assert _titles(await _page(filter={"statuses": ["SUBMITTED"]})) == ["menunggu"]
    assert _titles(await _page(filter={"publicGroups": ["IN_PROCESS"]})) == ["diproses"]
    assert _titles(await _page(filter={"publicGroups": ["DONE"]})) == []
    both = await _page(filter={"statuses": ["SUBMITTED"], "publicGroups": ["IN_PROCESS"]})
    assert both["totalCount"] == 0
    assert waiting["status"] == "SUBMITTED"


async def test_category_agency_and_area_filters(db: Database) -> None:
    await file_report(title="sampah", categoryCode="SAMPAH")
    await file_report(title="parkir", categoryCode="PARKIR_LIAR")
    oebobo = await Area.get(code="53.71.04")
    kelurahan = await Area.create(
        code="OEBOBO_FONTEIN", name="Fontein", level=AreaLevel.KELURAHAN, parent=oebobo
    )
    await Report.filter(title="parkir").update(area_id=kelurahan.id)
    dishub = await Agency.get(code="DISHUB")
    sampah = await Category.get(code="SAMPAH")

    assert _titles(await _page(filter={"agencyIds": [to_global_id("Agency", dishub.id)]})) == ["parkir"]
    assert _titles(await _page(filter={"categoryIds": [to_global_id("Category", sampah.id)]})) == ["sampah"]
    # A kecamatan includes the reports of its kelurahan.
    assert _titles(await _page(filter={"areaIds": [to_global_id("Area", oebobo.id)]})) == ["parkir"]


async def test_created_between(db: Database) -> None:
    await file_report(title="lama")
    await Report.filter(title="lama").update(created_at=datetime.now(UTC) - timedelta(days=10))
    await file_report(title="baru")
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    until = (datetime.now(UTC) - timedelta(days=5)).isoformat()

    assert _titles(await _page(filter={"createdAfter": since})) == ["baru"]
    assert _titles(await _page(filter={"createdBefore": until})) == ["lama"]


async def test_bounding_box_and_near(db: Database) -> None:
    centre = (-10.1700, 123.6070)
    await file_report(title="dekat", location={"lat": -10.1703, "lon": 123.6072})  # ~40 m
    await file_report(title="sedang", location={"lat": -10.1745, "lon": 123.6070})  # ~500 m
    await file_report(title="jauh", location={"lat": -10.2000, "lon": 123.5800})  # ~4.5 km
    assert 400 < haversine_m(*centre, -10.1745, 123.6070) < 600

    near = {"lat": centre[0], "lon": centre[1]}
    assert _titles(await _page(filter={"near": {**near, "radiusMeters": 100}})) == ["dekat"]
    assert sorted(_titles(await _page(filter={"near": {**near, "radiusMeters": 1000}}))) == [
        "dekat",
        "sedang",
    ]
    box = {"minLat": -10.21, "minLon": 123.57, "maxLat": -10.19, "maxLon": 123.59}
    assert _titles(await _page(filter={"boundingBox": box})) == ["jauh"]


async def test_text_search_in_title_and_description(db: Database) -> None:
    await file_report(title="Lampu jalan mati", description="Gelap sekali di malam hari")
    await file_report(title="Sampah", description="Tumpukan di dekat LAMPU merah")
    await file_report(title="Parkir", description="Mobil di trotoar")

    assert sorted(_titles(await _page(filter={"text": "lampu"}))) == ["Lampu jalan mati", "Sampah"]
    assert _titles(await _page(filter={"text": "100%_"})) == []


async def test_overdue_filter_and_flag(db: Database) -> None:
    await file_report(title="telat")
    await file_report(title="tepat")
    await Report.filter(title="telat").update(due_at=datetime.now(UTC) - timedelta(hours=1))

    page = await gql("{ reports(first: 5, filter: {overdue: true}) { edges { node { title isOverdue } } } }")

    assert [e["node"] for e in page["reports"]["edges"]] == [{"title": "telat", "isOverdue": True}]
    assert _titles(await _page(filter={"overdue": False})) == ["tepat"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 101}, "INVALID_PAGE_SIZE"),
        ({"first": 0}, "INVALID_PAGE_SIZE"),
        ({"first": -5}, "INVALID_PAGE_SIZE"),
        ({"first": 5, "after": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"first": 5, "filter": {"agencyIds": ["bogus"]}}, "INVALID_ID"),
        (
            {"first": 5, "filter": {"near": {"lat": -10.17, "lon": 123.6, "radiusMeters": -1}}},
            "INVALID_COORDINATES",
        ),
        (
            {"first": 5, "filter": {"boundingBox": {"minLat": 5, "minLon": 0, "maxLat": 1, "maxLon": 1}}},
            "INVALID_COORDINATES",
        ),
        # Circles without a rectangle around them (over a pole, over the date line), on every path.
        (
            {"first": 5, "filter": {"near": {"lat": 89.9, "lon": 0, "radiusMeters": 50000}}},
            "INVALID_COORDINATES",
        ),
        (
            {"first": 5, "filter": {"near": {"lat": -10, "lon": 179.9, "radiusMeters": 50000}}},
            "INVALID_COORDINATES",
        ),
    ],
)
async def test_bad_page_arguments_get_coded_errors(
    db: Database, variables: dict[str, Any], code: str
) -> None:
    await file_report()

    result = await run(PAGE, variables)

    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == [code]


async def test_cursor_of_another_order_is_refused(db: Database) -> None:
    await file_report()
    await file_report()
    cursor = (await _page(1))["pageInfo"]["endCursor"]

    result = await run(PAGE, {"first": 1, "after": cursor, "order": "OLDEST"})

    assert result.errors[0].extensions["code"] == "INVALID_CURSOR"


def _forged_cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(parts))).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "\u00b2",
        _forged_cursor("NEWEST", "2026-01-01T00:00:00", 1),  # no offset
        _forged_cursor("NEWEST", "2026-01-01", 1),
        _forged_cursor("NEWEST", "0001-01-01T00:00:00+14:00", 1),  # before year 1 in UTC
        _forged_cursor("NEWEST", "2026-01-01T00:00:00+00:00", 2**63),
        _forged_cursor("NEWEST", "2026-01-01T00:00:00+00:00", True),
    ],
    ids=["superscript", "naive", "date-only", "before-year-one", "huge-id", "boolean-id"],
)
async def test_forged_cursors_are_refused_with_a_code(db: Database, cursor: str) -> None:
    await file_report()

    result = await run(PAGE, {"first": 1, "after": cursor, "order": "NEWEST"})

    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == ["INVALID_CURSOR"]


async def test_node_lookup_resolves_each_type(db: Database) -> None:
    report = await file_report()
    query = "query($id: ID!) { node(id: $id) { __typename id } }"

    for global_id, typename in [
        (report["id"], "Report"),
        (to_global_id("Agency", 1), "Agency"),
        (to_global_id("Category", 1), "Category"),
        (to_global_id("Area", 1), "Area"),
        (to_global_id("ReportEvent", 1), "ReportEvent"),
    ]:
        assert (await gql(query, {"id": global_id}))["node"] == {"__typename": typename, "id": global_id}
    assert (await gql(query, {"id": to_global_id("Report", 999)}))["node"] is None


NESTED = """
query($first: Int!) {
  reports(first: $first) {
    totalCount
    edges { node { id title category { code name agency { code } } agency { code name } area { code }
                   timeline { kind } } }
  }
}
"""


async def test_a_page_costs_the_same_sql_queries_whatever_its_size(
    db: Database, sql_queries: QueryLog
) -> None:
    template = await file_report(title="r0")
    row = await Report.get(id=1)
    areas = await Area.all()
    categories = await Category.all()
    await Report.bulk_create(
        [
            Report(
                code=f"TEST-{n:04d}", title=f"r{n}", description=row.description,
                category_id=categories[n % 13].id, agency_id=categories[n % 13].agency_id,
                area_id=areas[n % len(areas)].id, latitude=row.latitude, longitude=row.longitude,
                public_latitude=row.public_latitude, public_longitude=row.public_longitude,
                created_at=row.created_at, updated_at=row.updated_at,
                acknowledge_due_at=row.acknowledge_due_at, due_at=row.due_at,
            )
            for n in range(1, 100)
        ]
    )  # fmt: skip
    assert template["status"] == "SUBMITTED"

    costs = {}
    for size in (1, 10, 100):
        sql_queries.clear()
        data = await gql(NESTED, {"first": size})
        assert len(data["reports"]["edges"]) == size
        costs[size] = sql_queries.count

    assert costs[1] == costs[10] == costs[100], costs
    # page, count, categories, agencies, areas, events
    assert costs[100] <= 6, sql_queries.statements


async def test_a_place_filter_keeps_anonymous_reports_for_signed_in_callers(db: Database) -> None:
    await file_report(title="anonim")
    officer = await staff(Role.OFFICER, "DINKES")
    box = {"minLat": -10.27, "minLon": 123.50, "maxLat": -10.09, "maxLon": 123.72}

    for principal in (None, officer):
        page = (await gql(PAGE, {"first": 5, "filter": {"boundingBox": box}}, principal=principal))["reports"]
        assert _titles(page) == ["anonim"]
