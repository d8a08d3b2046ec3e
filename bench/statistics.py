"""Benchmark: the statistics queries on 100,000 PostgreSQL reports, against a plain COUNT(*).

Seeds the reports with COPY (a year of filings across every category, with acknowledgements,
resolutions, outcomes and ratings), then times each statistics computation several times and
prints its median and slowest run next to the baseline: `SELECT COUNT(*)` over the same rows.

    python -m bench.statistics [--reports 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics as stats
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.databases import drop_database, fresh_database, pg
from models import Role, User
from resolvers import statistics
from resolvers.identity import principal_for_user
from resolvers.public_code import new_public_code
from schema import schema
from schema.context import Context
from server.database import connect, disconnect

QUERY = """query($since: DateTime!, $until: DateTime!) { reportStatistics(since: $since, until: $until) {
  figures { filed byStatus { status count } medianHoursToAcknowledge medianHoursToResolve
            resolvedWithinTargetShare averageRating openOverdue }
  daily { day filed resolved }
  league { rank agency { code }
           figures { filed resolvedWithinTargetShare medianHoursToResolve averageRating } }
} }"""


async def seed(url: str, count: int, now: datetime) -> None:
    connection = await asyncpg.connect(pg(url))
    categories = await connection.fetch(
        "SELECT id, agency_id, response_hours, resolution_hours FROM categories"
    )
    rng = random.Random(11)
    rows = []
    step = timedelta(days=365) / count
    for n in range(count):
        category = rng.choice(categories)
        created = now - step * (n + 1)
        acknowledged = resolved = outcome = rating = None
        status = rng.choices(["SUBMITTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED", "REJECTED"],
                             weights=[5, 5, 10, 10, 65, 5])[0]  # fmt: skip
        if status not in {"SUBMITTED", "REJECTED"}:
            acknowledged = created + timedelta(hours=rng.expovariate(1 / category["response_hours"]))
        if status in {"RESOLVED", "CLOSED"}:
            resolved = created + timedelta(hours=rng.expovariate(1 / (category["resolution_hours"] * 0.7)))
        if status == "CLOSED":
            outcome = rng.choices(
                ["CONFIRMED", "AUTO_CLOSED", "CLOSED_DESPITE_DISPUTE"], weights=[50, 40, 10]
            )[0]
            rating = rng.randint(1, 5) if outcome != "AUTO_CLOSED" else None
        rows.append(
            (
                new_public_code(), "Laporan", "Deskripsi", category["id"], category["agency_id"],
                -10.2, 123.6, -10.2, 123.6, status, created, created, acknowledged, resolved,
                resolved if status == "CLOSED" else None,
                created + timedelta(hours=category["response_hours"]),
                created + timedelta(hours=category["resolution_hours"]), outcome, rating,
                int(outcome == "CLOSED_DESPITE_DISPUTE"), True, "APP",
            )
        )  # fmt: skip
    columns = [
        "code", "title", "description", "category_id", "agency_id", "latitude", "longitude",
        "public_latitude", "public_longitude", "status", "created_at", "updated_at", "acknowledged_at",
        "resolved_at", "closed_at", "acknowledge_due_at", "due_at", "resolution_outcome", "rating",
        "dispute_count", "reporter_follows", "channel",  # the ORM's defaults live in Python, not in the table
    ]  # fmt: skip
    await connection.copy_records_to_table("reports", records=rows, columns=columns)
    await connection.execute("ANALYZE")
    await connection.close()


async def timed(repeat: int, work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    await work()  # warm the caches once, as a live command center would
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
    return stats.median(times), max(times)


async def run(count: int, repeat: int) -> None:
    name = "sigap_bench_statistics"
    url = await fresh_database(name)
    await connect(url)
    try:
        now = datetime.now(UTC)
        started = time.perf_counter()
        await seed(url, count, now)
        print(f"seeded {count:,} reports with COPY in {time.perf_counter() - started:.1f} s")
        scope = statistics.Scope(statistics.Window(now - timedelta(days=366), now))
        dlh = await _agency_id(url, "DLH")
        agency_scope = statistics.Scope(scope.window, agency_id=dlh)
        raw = await asyncpg.connect(pg(url))
        admin_user = await User.create(name="Bench", role=Role.CITY_ADMIN, email="bench@kupang.test")
        context_args = {"principal": principal_for_user(admin_user)}
        variables = {"since": scope.window.start.isoformat(), "until": scope.window.end.isoformat()}

        async def graphql() -> None:
            result = await schema.execute(
                QUERY, variable_values=variables, context_value=Context(**context_args)
            )
            assert not result.errors, result.errors

        cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("baseline: SELECT COUNT(*) over the window", lambda: raw.fetchval(
                "SELECT COUNT(*) FROM reports WHERE created_at >= $1 AND created_at < $2",
                scope.window.start, scope.window.end)),
            ("city totals (5 queries: status, outcome, aggregates, 2 medians)",
             lambda: statistics.totals(scope, now=now)),
            ("one agency's totals (DLH)", lambda: statistics.totals(agency_scope, now=now)),
            ("league: figures by agency", lambda: statistics.figures_by(scope, "agency_id", now=now)),
            ("daily series, 367 days in Asia/Makassar",
             lambda: statistics.daily_series(scope, "Asia/Makassar")),
            ("reportStatistics through GraphQL (figures + daily + league)", graphql),
        ]  # fmt: skip
        print(f"{count:,} reports, window of 366 days, median and slowest of {repeat} runs:")
        baseline = None
        for label, work in cases:
            median, slowest = await timed(repeat, work)
            baseline = baseline or median
            print(
                f"  {label:<68} {median:8.1f} ms  (max {slowest:7.1f} ms, {median / baseline:5.1f}x baseline)"
            )
        await raw.close()
    finally:
        await disconnect()
        await drop_database(name)


async def _agency_id(url: str, code: str) -> int:
    connection = await asyncpg.connect(pg(url))
    try:
        return int(await connection.fetchval("SELECT id FROM agencies WHERE code = $1", code))
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(run(args.reports, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
