"""Benchmark: the memory of streaming 100,000 PostgreSQL reports as CSV, GeoJSON and NDJSON.

Seeds the reports inside PostgreSQL (`generate_series`, so the seeding holds nothing in this
process), then drives the real app's export route as ASGI, throwing each chunk away as a socket
would, and prints for each format and size the rows, bytes and time, the peak of Python's heap
during the stream (tracemalloc) and the process's resident memory growth. Constant memory shows as
the same peak for 10,000 and 100,000 rows.

    python -m bench.exports [--reports 100000] [--formats csv,geojson,ndjson]

Each format streams its rows twice (10% and all of them): a few minutes on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import orjson

from bench.databases import drop_database, fresh_database, pg
from server.app import create_app
from server.database import connect, disconnect
from server.settings import Settings

SEED = """
INSERT INTO reports (code, title, description, category_id, agency_id, latitude, longitude,
    public_latitude, public_longitude, address, status, created_at, updated_at,
    acknowledge_due_at, due_at, dispute_count, reporter_follows, channel)
SELECT 'B' || n, 'Laporan ' || n, 'Tumpukan sampah belum diangkut sejak tiga hari, bau menyengat.',
       c.id, c.agency_id, -10.2 + (n % 1000) * 0.0001, 123.6 + (n / 1000) * 0.0001,
       CASE WHEN c.is_sensitive THEN round(-10.2 + (n % 1000) * 0.0001, 2)
            ELSE -10.2 + (n % 1000) * 0.0001 END,
       CASE WHEN c.is_sensitive THEN round(123.6 + (n / 1000) * 0.0001, 2)
            ELSE 123.6 + (n / 1000) * 0.0001 END,
       'Jl. El Tari ' || n, 'SUBMITTED', now() - n * interval '1 minute', now(),
       now() + interval '1 day', now() + interval '3 days', 0, true, 'APP'
FROM generate_series(1, $1) AS n
JOIN LATERAL (SELECT id, agency_id, is_sensitive FROM categories ORDER BY id OFFSET n % 13 LIMIT 1) c ON true
"""


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def stream(app: Any, kind: str, limit: int | None) -> tuple[int, int]:
    """Bytes and lines of one export, read as a client would and thrown away."""
    query = (
        b""
        if limit is None
        else urlencode({"filter": orjson.dumps({"createdAfter": _SINCE[limit]})}).encode()
    )
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": f"/exports/reports.{kind}", "raw_path": f"/exports/reports.{kind}".encode(),
        "query_string": query, "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 5000),
        "server": ("localhost", 80), "root_path": "", "state": {},
    }  # fmt: skip
    counted = [0, 0]
    status = [0]

    requested = [False]
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not requested[0]:
            requested[0] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # the client stays connected until the stream ends
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            counted[0] += len(body)
            counted[1] += body.count(b"\n")

    await app(scope, receive, send)
    finished.set()
    assert status[0] == 200, status
    return counted[0], counted[1]


_SINCE: dict[int, str] = {}  # rows -> the createdAfter that selects the newest so many


async def run(count: int, formats: list[str]) -> None:
    name = "sigap_bench_exports"
    url = await fresh_database(name)
    raw = await asyncpg.connect(pg(url))
    try:
        started = time.perf_counter()
        # Without the triggers that count the map's cells row by row (minutes for 100,000 rows):
        # an export reads none of those counts.
        await raw.execute("ALTER TABLE reports DISABLE TRIGGER USER")
        await raw.execute(SEED, count)
        await raw.execute("ALTER TABLE reports ENABLE TRIGGER USER")
        await raw.execute("ANALYZE")
        print(f"seeded {count:,} reports in PostgreSQL in {time.perf_counter() - started:.1f} s")
        small = count // 10
        since = await raw.fetchval(
            "SELECT min(created_at) FROM"
            " (SELECT created_at FROM reports ORDER BY created_at DESC LIMIT $1) newest",
            small,
        )
        _SINCE[small] = since.isoformat()
        await connect(url)
        app = create_app(Settings(database_url=url, query_points_per_hour=10_000_000))
        print("format   rows      bytes         time    heap peak   RSS growth")
        for kind in formats:
            for limit in (small, None):
                tracemalloc.start()
                before = resident_kib()
                started = time.perf_counter()
                size, lines = await stream(app, kind, limit)
                elapsed = time.perf_counter() - started
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                rows = limit or count
                print(
                    f"{kind:<8} {rows:>7,} {size / 1e6:8.1f} MB {elapsed:8.1f} s {peak / 2**20:8.1f} MiB"
                    f" {(resident_kib() - before) / 1024:8.1f} MiB  ({lines:,} lines)"
                )
    finally:
        await raw.close()
        await disconnect()
        await drop_database(name)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument(
        "--formats", default="csv,geojson,ndjson", help="comma-separated: csv, geojson, ndjson"
    )
    args = parser.parse_args()
    asyncio.run(run(args.reports, args.formats.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
