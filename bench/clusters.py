"""Benchmark: `reportClusters` on 100,000 PostgreSQL reports, against the plain SQL aggregate.

Seeds the reports with COPY across Kupang's service area (every category, a year of statuses;
sensitive categories with their rounded public point), then times, in the same run, the plain
`GROUP BY` of the grid cells through asyncpg and the GraphQL query through the schema (with and
without the categories of each cluster), and prints the median and slowest of several runs, and the
median CPU time of this process per GraphQL request (Strawberry, the resolver, asyncpg's decoding).

`--against REF` (a git ref, e.g. `main`) also times that ref's resolvers (resolvers/clusters.py and
cluster_rows.py, read with `git show`) through the schema answering field by field, as before the
compiled path (schema.compiled) answered clusters: first on the index it migrates to
(the map counts' unique index without its sums, if REF lacks migration 0023), then on this branch's
index, taking turns request by request with this branch's code; the load average is printed
before and after.

    python -m bench.clusters [--reports 100000] [--repeat 9] [--zoom 12] [--against main]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import asyncpg
from strawberry import Schema

from bench.databases import drop_database, fresh_database, pg
from models.map_cells import cell_degrees
from resolvers.geo import KUPANG_SERVICE_AREA as AREA
from resolvers.privacy import public_point
from resolvers.public_code import new_public_code
from schema import build_schema, schema
from schema import clusters as schema_clusters
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
                created + timedelta(hours=24), created + timedelta(hours=72), 0, True, "APP",
            )
        )  # fmt: skip
    columns = [
        "code", "title", "description", "category_id", "agency_id", "latitude", "longitude",
        "public_latitude", "public_longitude", "status", "created_at", "updated_at",
        "acknowledge_due_at", "due_at", "dispute_count", "reporter_follows", "channel",
    ]  # fmt: skip
    # Loaded as a database migrated with its reports already there: COPY without the triggers that
    # count the map's cells row by row, then the migration's own backfill of those counts.
    await connection.execute("ALTER TABLE reports DISABLE TRIGGER USER")
    await connection.copy_records_to_table("reports", records=rows, columns=columns)
    await connection.execute("ALTER TABLE reports ENABLE TRIGGER USER")
    await connection.execute("UPDATE reports SET public_cell_row = NULL")  # the cells, by trigger
    await connection.execute(import_module("models.migrations.0020_map_cells").backfill_sql())
    # What autovacuum does after a bulk load: statistics, and the visibility map that lets an
    # index answer without reading rows.
    await connection.execute("VACUUM ANALYZE")
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


WITH_CATEGORIES = "byCategory { categoryCode count }"
# A ref's code is answered as before the compiled path knew the clusters: field by field.
FIELD_BY_FIELD = build_schema(compiled_reads=False)
COVERING_MIGRATION = "models/migrations/0023_map_cells_covering.py"
# The map counts' unique index as migration 0020 made it: no sums, so a read visits the table.
UNCOVERED_INDEX = """
ALTER TABLE report_map_cells DROP CONSTRAINT uid_report_map__zoom_da4b85;
ALTER TABLE report_map_cells ADD CONSTRAINT uid_report_map__zoom_da4b85
  UNIQUE (zoom, cell_row, cell_col, category_id, status);
"""


@dataclass
class Timing:
    walls: list[float] = field(default_factory=list)  # ms
    cpus: list[float] = field(default_factory=list)  # ms of this process

    async def add(self, work: Callable[[], Awaitable[Any]]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        await work()
        self.walls.append((time.perf_counter() - wall) * 1000)
        self.cpus.append((time.process_time() - cpu) * 1000)

    def line(self, label: str, baseline: float) -> str:
        median = statistics.median(self.walls)
        return (
            f"  {label:<64} {median:7.1f} ms  (max {max(self.walls):6.1f} ms, "
            f"{median / baseline:5.2f}x baseline, CPU {statistics.median(self.cpus):5.1f} ms)"
        )


async def timed_in_turn(repeat: int, *works: Callable[[], Awaitable[Any]]) -> list[Timing]:
    """Each work once to warm up, then all of them in turn `repeat` times: a load that comes and
    goes falls on each alike."""
    timings = [Timing() for _ in works]
    for work in works:
        await work()
    for _ in range(repeat):
        for timing, work in zip(timings, works, strict=True):
            await timing.add(work)
    return timings


def _git(*arguments: str) -> subprocess.CompletedProcess[str]:
    """git in this checkout."""
    command = [shutil.which("git") or "git", "-C", str(Path(__file__).resolve().parent.parent), *arguments]
    return subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - our own arguments


def resolvers_at(ref: str) -> types.ModuleType:
    """`ref`'s resolvers.clusters, importing `ref`'s resolvers.cluster_rows (the rest as here)."""

    def load(path: str, name: str) -> types.ModuleType:
        shown = _git("show", f"{ref}:{path}")
        shown.check_returncode()
        text = shown.stdout
        module = sys.modules[name] = types.ModuleType(name)
        exec(compile(text, f"{ref}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own history
        return module

    ours = sys.modules["resolvers.cluster_rows"]
    sys.modules["resolvers.cluster_rows"] = load("resolvers/cluster_rows.py", f"{ref}_cluster_rows")
    try:
        return load("resolvers/clusters.py", f"{ref}_clusters")
    finally:
        sys.modules["resolvers.cluster_rows"] = ours


def has_covering_index(ref: str) -> bool:
    return _git("cat-file", "-e", f"{ref}:{COVERING_MIGRATION}").returncode == 0


@contextlib.contextmanager
def answering_with(resolvers: types.ModuleType) -> Iterator[None]:
    """The schema's `reportClusters` calls `resolvers` while the block runs."""
    ours = schema_clusters.clusters
    schema_clusters.clusters = resolvers  # type: ignore[assignment]
    try:
        yield
    finally:
        schema_clusters.clusters = ours


def load_average() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


async def run(count: int, repeat: int, zoom: int, against: str | None) -> None:
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

        async def graphql(selection: str, on: Schema = schema) -> None:
            nonlocal clusters
            result = await on.execute(QUERY % selection, variable_values=variables, context_value=Context())
            assert not result.errors, result.errors
            assert result.data is not None
            clusters = len(result.data["reportClusters"])

        def theirs(resolvers: types.ModuleType, selection: str) -> Callable[[], Awaitable[None]]:
            async def work() -> None:
                with answering_with(resolvers):
                    await graphql(selection, on=FIELD_BY_FIELD)

            return work

        box = (AREA.min_lat, AREA.max_lat, AREA.min_lon, AREA.max_lon)
        print(f"load average before: {load_average()}")
        print(f"{count:,} reports, the whole city at zoom {zoom}, median and slowest of {repeat} runs:")
        if against:
            old = resolvers_at(against)
            if not has_covering_index(against):
                await raw.execute(UNCOVERED_INDEX)
                await raw.execute("VACUUM ANALYZE report_map_cells")
            timings = await timed_in_turn(
                repeat,
                lambda: raw.fetch(plain_sql(zoom), *box),
                theirs(old, ""),
                theirs(old, WITH_CATEGORIES),
            )
            baseline = statistics.median(timings[0].walls)
            print(f"  {against}'s code on {against}'s index, in turn:")
            print(timings[0].line("baseline: plain SQL GROUP BY of the grid cells (asyncpg)", baseline))
            print(timings[1].line(f"{against}: reportClusters through GraphQL", baseline))
            print(timings[2].line(f"{against}: reportClusters with byCategory(first: 3)", baseline))
            if not has_covering_index(against):
                await raw.execute(import_module("models.migrations.0023_map_cells_covering").POSTGRES_SQL)
                await raw.execute("VACUUM ANALYZE report_map_cells")
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
            ("reportClusters with byCategory(first: 3)", lambda: graphql(WITH_CATEGORIES)),
        ]
        if against:
            cases += [
                (f"{against}'s code: reportClusters through GraphQL", theirs(old, "")),
                (f"{against}'s code: reportClusters with byCategory(first: 3)", theirs(old, WITH_CATEGORIES)),
            ]
        if against:
            print("  this branch's index, in turn:")
        timings = await timed_in_turn(repeat, *(work for _, work in cases))
        baseline = statistics.median(timings[0].walls)
        for (label, _), timing in zip(cases, timings, strict=True):
            print(timing.line(label, baseline))
        print(f"  clusters drawn: {clusters}")
        print(f"load average after: {load_average()}")
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
    parser.add_argument("--against", metavar="REF", help="also time this git ref's resolvers (e.g. main)")
    args = parser.parse_args()
    asyncio.run(run(args.reports, args.repeat, args.zoom, args.against))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
