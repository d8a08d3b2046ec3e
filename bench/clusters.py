"""Benchmark: `reportClusters` on 100,000 PostgreSQL reports, against the plain SQL aggregate.

Seeds the reports with COPY across Kupang's service area (every category, a year of statuses;
sensitive categories with their rounded public point), then times, in the same run, the plain
`GROUP BY` of the grid cells through asyncpg and the GraphQL query through the schema (with and
without the categories of each cluster), and prints the median and slowest of several runs.

    python -m bench.clusters [--reports 100000] [--repeat 9] [--zoom 12]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.databases import drop_database, fresh_database, pg
from bench.statistics import timed
from resolvers.clusters import cell_degrees
from resolvers.geo import KUPANG_SERVICE_AREA as AREA
from resolvers.privacy import public_point
from resolvers.public_code import new_public_code
from schema import schema
from schema.context import Context
from server.database import connect, disconnect

BOX = {"minLat": AREA.min_lat, "minLon": AREA.min_lon, "maxLat": AREA.max_lat, "maxLon": AREA.max_lon}
QUERY = """query($box: BoundingBoxInput!, $zoom: Int!) { reportClusters(boundingBox: $box, zoom: $zoom) {
  key count centroid { lat lon } waiting inProcess done %s } }"""
STATUSES = ["SUBMITTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED", "REJECTED"]


async def seed(url: str, count: int, now: datetime) -> None:
    connection = await asyncpg.connect(pg(url))
    categories = await connection.fetch("SELECT id, agency_id, is_sensitive FROM categories")
    rng = random.Random(14)
    # Reports crowd around a few neighbourhoods, as in a city, with a thin spread everywhere.
    centres = [
        (rng.uniform(AREA.min_lat, AREA.max_lat), rng.uniform(AREA.min_lon, AREA.max_lon)) for _ in range(12)
    ]
    rows = []
    step = timedelta(days=365) / count
    for n in range(count):
        category = rng.choice(categories)
        if rng.random() < 0.8:
            c_lat, c_lon = rng.choice(centres)
            lat = min(max(rng.gauss(c_lat, 0.01), AREA.min_lat), AREA.max_lat)
            lon = min(max(rng.gauss(c_lon, 0.01), AREA.min_lon), AREA.max_lon)
        else:
            lat, lon = rng.uniform(AREA.min_lat, AREA.max_lat), rng.uniform(AREA.min_lon, AREA.max_lon)
        public_lat, public_lon = public_point(category["is_sensitive"], lat, lon)
        created = now - step * (n + 1)
        status = rng.choices(STATUSES, weights=[5, 5, 10, 10, 65, 5])[0]
        rows.append(
            (
                new_public_code(), "Laporan", "Deskripsi", category["id"], category["agency_id"],
                lat, lon, public_lat, public_lon, status, created, created,
                created + timedelta(hours=24), created + timedelta(hours=72), 0, True,
            )
        )  # fmt: skip
    columns = [
        "code", "title", "description", "category_id", "agency_id", "latitude", "longitude",
        "public_latitude", "public_longitude", "status", "created_at", "updated_at",
        "acknowledge_due_at", "due_at", "dispute_count", "reporter_follows",
    ]  # fmt: skip
    await connection.copy_records_to_table("reports", records=rows, columns=columns)
    await connection.execute("ANALYZE")
    await connection.close()


def plain_sql(zoom: int, by_category: bool = False) -> str:
    """The aggregate a hand-written map backend would run: the grid cells of the public points."""
    size = cell_degrees(zoom)
    category = ", category_id" if by_category else ""
    return f"""SELECT FLOOR((public_latitude + 90) / {size!r}) AS cell_row,
                      FLOOR((public_longitude + 180) / {size!r}) AS cell_col,
                      COUNT(*), SUM(public_latitude), SUM(public_longitude){category},
                      SUM(CASE WHEN status = 'SUBMITTED' THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status IN ('ACKNOWLEDGED', 'IN_PROGRESS') THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status IN ('ACKNOWLEDGED', 'IN_PROGRESS', 'SUBMITTED')
                               THEN 0 ELSE 1 END)
               FROM reports
               WHERE public_latitude BETWEEN $1 AND $2 AND public_longitude BETWEEN $3 AND $4
               GROUP BY cell_row, cell_col{category}"""


async def run(count: int, repeat: int, zoom: int) -> None:
    name = "sigap_bench_clusters"
    url = await fresh_database(name)
    await connect(url)
    raw = await asyncpg.connect(pg(url))
    try:
        started = time.perf_counter()
        await seed(url, count, datetime.now(UTC))
        print(f"seeded {count:,} reports with COPY in {time.perf_counter() - started:.1f} s")
        variables = {"box": BOX, "zoom": zoom}
        clusters = 0

        async def graphql(selection: str) -> None:
            nonlocal clusters
            result = await schema.execute(
                QUERY % selection, variable_values=variables, context_value=Context()
            )
            assert not result.errors, result.errors
            assert result.data is not None
            clusters = len(result.data["reportClusters"])

        box = (AREA.min_lat, AREA.max_lat, AREA.min_lon, AREA.max_lon)
        cases = [
            (
                "baseline: plain SQL GROUP BY of the grid cells (asyncpg)",
                lambda: raw.fetch(plain_sql(zoom), *box),
            ),
            ("reportClusters through GraphQL", lambda: graphql("")),
            (
                "plain SQL GROUP BY of the cells and categories (asyncpg)",
                lambda: raw.fetch(plain_sql(zoom, by_category=True), *box),
            ),
            (
                "reportClusters with byCategory(first: 3)",
                lambda: graphql("byCategory { categoryCode count }"),
            ),
        ]
        print(f"{count:,} reports, the whole city at zoom {zoom}, median and slowest of {repeat} runs:")
        baseline = None
        for label, work in cases:
            median, slowest = await timed(repeat, work)
            baseline = baseline or median
            print(
                f"  {label:<60} {median:7.1f} ms  (max {slowest:6.1f} ms, {median / baseline:4.1f}x baseline)"
            )
        print(f"  clusters drawn: {clusters}")
    finally:
        await raw.close()
        await disconnect()
        await drop_database(name)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--zoom", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(run(args.reports, args.repeat, args.zoom))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
