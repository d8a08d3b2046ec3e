"""Map clusters agree with counting every report by hand, on both databases, whoever wrote the
reports: the ORM, a bulk insert, a queryset update, raw SQL, a move, a deletion (the counts per
cell are kept by the database's triggers, so none of these writers can leave them behind)."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from tortoise import Tortoise

from models import Category, PublicGroup, Report, ReportStatus, Role
from models.lifecycle import PUBLIC_GROUP
from models.map_cells import cell_degrees
from resolvers.identity import principal_for_user
from resolvers.privacy import public_point
from resolvers.public_code import new_public_code
from resolvers.timeline import utcnow
from tests.conftest import Database
from tests.graphql import citizen, gql, staff

CLUSTERS = """
query($box: BoundingBoxInput!, $zoom: Int!, $filter: ReportFilter) {
  reportClusters(boundingBox: $box, zoom: $zoom, filter: $filter) {
    key count centroid { lat lon } waiting inProcess done byCategory(first: 7) { categoryCode count }
  }
}
"""
CITY = {"minLat": -10.27, "minLon": 123.50, "maxLat": -10.09, "maxLon": 123.72}
# A box whose edges cut through counted cells, and one inside a single cell of zoom 12.
ODD_BOX = {"minLat": -10.2013, "minLon": 123.5337, "maxLat": -10.1171, "maxLon": 123.6999}
SMALL_BOX = {"minLat": -10.175, "minLon": 123.602, "maxLat": -10.168, "maxLon": 123.611}
GROUP_FIELD = {PublicGroup.WAITING: "waiting", PublicGroup.IN_PROCESS: "inProcess", PublicGroup.DONE: "done"}


def _nobody(agency_id: int, reporter_id: int | None) -> bool:
    return False


async def scatter(count: int) -> None:
    """Reports around two neighbourhoods and across the city, every status, some sensitive."""
    rng = random.Random(14)
    categories = await Category.all()
    now = utcnow()
    reports = []
    for n in range(count):
        category = rng.choice(categories)
        centre = rng.choice([(-10.17, 123.607), (-10.195, 123.545)])
        lat, lon = (
            (rng.gauss(centre[0], 0.01), rng.gauss(centre[1], 0.01))
            if rng.random() < 0.7
            else (rng.uniform(-10.27, -10.09), rng.uniform(123.50, 123.72))
        )
        public_lat, public_lon = public_point(category.is_sensitive, lat, lon)
        reports.append(
            Report(
                code=new_public_code(), title=f"Laporan {n}", description="-", category_id=category.id,
                agency_id=category.agency_id, latitude=lat, longitude=lon, public_latitude=public_lat,
                public_longitude=public_lon, status=rng.choice(list(ReportStatus)), created_at=now,
                updated_at=now, acknowledge_due_at=now + timedelta(hours=24), due_at=now + timedelta(days=3),
            )
        )  # fmt: skip
    await Report.bulk_create(reports, batch_size=200)


async def _change_through_every_writer() -> None:
    ids = sorted(await Report.all().values_list("id", flat=True))  # type: ignore[type-var]
    await Report.filter(id__in=ids[:40]).update(status=ReportStatus.CLOSED)
    await Tortoise.get_connection("default").execute_query(
        f"UPDATE reports SET status = 'IN_PROGRESS' WHERE id IN ({', '.join(map(str, ids[40:60]))})"
    )
    for report_id in ids[60:70]:  # moved, and rerouted to another category
        report = await Report.get(id=report_id)
        report.public_latitude += 0.013
        report.public_longitude -= 0.021
        report.category_id = (await Category.get(code="LAMPU_RAMBU")).id
        await report.save()
    await Report.filter(id__in=ids[70:80]).delete()


async def _by_hand(
    box: dict[str, float], zoom: int, flt: dict[str, Any], exact: Callable[[int, int | None], bool] = _nobody
) -> dict[str, dict[str, Any]]:
    """Every report's point floored into its cell, in Python: the exact point of the reports for
    which `exact(agency_id, reporter_id)` holds, the public point of the others."""
    size = cell_degrees(zoom)
    inner = flt.get("boundingBox", box)
    cells: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "lat": 0.0, "lon": 0.0, "groups": Counter(), "categories": Counter()}
    )
    for row in await Report.all().values(
        "latitude", "longitude", "public_latitude", "public_longitude", "status", "category_id",
        "agency_id", "reporter_id",
    ):  # fmt: skip
        prefix = "" if exact(row["agency_id"], row["reporter_id"]) else "public_"
        lat, lon = row[f"{prefix}latitude"], row[f"{prefix}longitude"]
        status, category_id = row["status"], row["category_id"]
        inside = all(
            b["minLat"] <= lat <= b["maxLat"] and b["minLon"] <= lon <= b["maxLon"] for b in (box, inner)
        )
        group = PUBLIC_GROUP[ReportStatus(status)]
        if not inside or group.value not in flt.get("publicGroups", [group.value]):
            continue
        cell = cells[f"{zoom}/{math.floor((lat + 90) / size)}/{math.floor((lon + 180) / size)}"]
        cell["count"] += 1
        cell["lat"] += lat
        cell["lon"] += lon
        cell["groups"][GROUP_FIELD[group]] += 1
        cell["categories"][category_id] += 1
    return cells


CASES: list[tuple[dict[str, float], int, dict[str, Any]]] = [
    (CITY, 12, {}),  # the counted cells, edges cut by the box
    (CITY, 9, {}),  # coarser than the counted zoom
    (ODD_BOX, 12, {}),
    (ODD_BOX, 13, {"publicGroups": ["WAITING", "IN_PROCESS"]}),  # counted at zoom 14
    (ODD_BOX, 14, {"boundingBox": {"minLat": -10.19, "minLon": 123.55, "maxLat": -10.13, "maxLon": 123.75}}),
    (CITY, 12, {"categoryIds": []}),
    (SMALL_BOX, 12, {}),  # no counted cell wholly inside: the reports themselves
    (SMALL_BOX, 17, {}),  # finer than any counted zoom
]


async def test_clusters_agree_with_counting_every_report(db: Database, sql_queries: Any) -> None:
    await scatter(600)
    await _change_through_every_writer()
    codes = dict(await Category.all().values_list("id", "code"))  # type: ignore[arg-type]

    for box, zoom, flt in CASES:
        sql_queries.clear()
        found = (await gql(CLUSTERS, {"box": box, "zoom": zoom, "filter": flt}))["reportClusters"]

        counted = any("report_map_cells" in statement for statement in sql_queries.statements)
        assert counted == (zoom <= 14 and box is not SMALL_BOX)
        _assert_agree(found, await _by_hand(box, zoom, flt), codes, (box, zoom, flt))


async def test_exact_places_agree_with_counting_every_report(db: Database) -> None:
    """An officer sees their agency's reports at their exact points, a citizen their own; the
    rest at their public points (rounded for sensitive categories), edges cut or not."""
    await scatter(600)
    await _change_through_every_writer()
    codes = dict(await Category.all().values_list("id", "code"))  # type: ignore[arg-type]
    # DINSOS handles the sensitive categories, whose public points are rounded
    officer = (await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")).user
    reporter = (await citizen()).user
    assert officer is not None
    assert reporter is not None
    ids = sorted(await Report.all().values_list("id", flat=True))  # type: ignore[type-var]
    await Report.filter(id__in=ids[::5]).update(reporter_id=reporter.id)
    callers = [
        (officer, lambda agency_id, reporter_id: agency_id == officer.agency_id),
        (reporter, lambda agency_id, reporter_id: reporter_id == reporter.id),
    ]

    for principal, exact in callers:
        for box, zoom, flt in CASES:
            variables = {"box": box, "zoom": zoom, "filter": flt}
            found = (await gql(CLUSTERS, variables, principal=principal_for_user(principal)))[
                "reportClusters"
            ]
            _assert_agree(found, await _by_hand(box, zoom, flt, exact), codes, (principal, box, zoom, flt))


def _assert_agree(
    found: list[dict[str, Any]], expected: dict[str, dict[str, Any]], codes: dict[int, str], case: Any
) -> None:
    assert sorted(c["key"] for c in found) == sorted(expected), case
    assert sum(c["count"] for c in found) > 0
    for cluster in found:
        cell = expected[cluster["key"]]
        assert cluster["count"] == cell["count"]
        assert {name: cluster[name] for name in GROUP_FIELD.values()} == {
            name: cell["groups"][name] for name in GROUP_FIELD.values()
        }
        most_first = sorted(cell["categories"].items(), key=lambda pair: (-pair[1], pair[0]))[:7]
        assert [(c["categoryCode"], c["count"]) for c in cluster["byCategory"]] == [
            (codes[category_id], count) for category_id, count in most_first
        ]
        assert cluster["centroid"]["lat"] == pytest.approx(cell["lat"] / cell["count"], abs=1e-9)
        assert cluster["centroid"]["lon"] == pytest.approx(cell["lon"] / cell["count"], abs=1e-9)


async def test_the_migration_counts_the_reports_filed_before_it(db: Database) -> None:
    await scatter(200)
    connection = Tortoise.get_connection("default")
    await connection.execute_script("DELETE FROM report_map_cells")  # as before migration 0013
    before = (await gql(CLUSTERS, {"box": CITY, "zoom": 12, "filter": {}}))["reportClusters"]

    await connection.execute_script(import_module("models.migrations.0020_map_cells").backfill_sql())

    found = (await gql(CLUSTERS, {"box": CITY, "zoom": 12, "filter": {}}))["reportClusters"]
    expected = await _by_hand(CITY, 12, {})
    assert sum(c["count"] for c in before) < 200  # only the edge strips, without the counts
    assert {c["key"]: c["count"] for c in found} == {key: cell["count"] for key, cell in expected.items()}
    assert sum(c["count"] for c in found) == 200
