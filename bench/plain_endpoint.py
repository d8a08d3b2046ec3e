"""The baseline: a plain Starlette endpoint answering the bench queries with one SQL statement each
and orjson: `/reports` (the page of bench.reports_page), and for bench.other_reads the same rows as
`reports(filter: {near})` (`/near?lat=&lon=`), `report(code:)` (`/code?code=`), `agencyQueue`
(`/agency-queue?agency=`), `myQueue` (`/my-queue?user=`) and a partner's page with timelines
(`/timelines`), and, for the mutations, a plain INSERT (`POST /insert`) and UPDATE (`POST /update`).

Run as `python -m bench.plain_endpoint PORT DATABASE_URL`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SQL = """
SELECT r.id, r.title, r.status, r.latitude, r.longitude, r.created_at,
       c.code AS category_code, c.name AS category_name, a.code AS agency_code, a.name AS agency_name
FROM reports r JOIN categories c ON c.id = r.category_id JOIN agencies a ON a.id = r.agency_id
ORDER BY r.created_at DESC, r.id DESC LIMIT 50
"""

METRES_PER_DEGREE_LAT = 111_132.0  # as resolvers.geo
_PAGE_COLUMNS = """r.id, r.title, r.status, r.latitude AS lat, r.longitude AS lon, r.created_at,
       c.code AS category_code, c.name AS category_name"""
# 20 newest reports within 1 km of a point (the same flat-earth distance as resolvers.geo, on the
# public places with the box prefilter, as Sigap searches for an anonymous caller).
NEAR_SQL = f"""
WITH centre AS (
  SELECT $1::float8 AS lat, $2::float8 AS lon, $3::float8 AS kx, {METRES_PER_DEGREE_LAT}::float8 AS ky)
SELECT {_PAGE_COLUMNS} FROM reports r JOIN categories c ON c.id = r.category_id, centre p
WHERE r.public_latitude BETWEEN p.lat - 1000 / p.ky AND p.lat + 1000 / p.ky
  AND r.public_longitude BETWEEN p.lon - 1000 / p.kx AND p.lon + 1000 / p.kx
  AND ((r.public_latitude - p.lat) * p.ky) ^ 2 + ((r.public_longitude - p.lon) * p.kx) ^ 2 <= 1000 ^ 2
ORDER BY r.created_at DESC, r.id DESC LIMIT 20
"""
CODE_SQL = f"""
SELECT {_PAGE_COLUMNS}, a.code AS agency_code, a.name AS agency_name
FROM reports r JOIN categories c ON c.id = r.category_id JOIN agencies a ON a.id = r.agency_id
WHERE r.code = $1
"""
# 20 open reports of an agency or an assignee, soonest due first (the queues' defaults).
QUEUE_SQL = """
SELECT r.id, r.title, r.status, r.due_at, c.code AS category_code
FROM reports r JOIN categories c ON c.id = r.category_id
WHERE r.{who} = $1 AND r.status IN ('SUBMITTED', 'ACKNOWLEDGED', 'IN_PROGRESS')
ORDER BY r.due_at, r.id LIMIT 20
"""
# 10 newest reports, each with its last 10 public events and comments.
TIMELINES_SQL = """
SELECT r.id, r.title,
  (SELECT coalesce(json_agg(json_build_object('kind', e.kind, 'createdAt', e.created_at) ORDER BY e.id), '[]')
   FROM (SELECT id, kind, created_at FROM report_events WHERE report_id = r.id AND NOT is_internal
         ORDER BY id DESC LIMIT 10) e) AS timeline,
  (SELECT coalesce(json_agg(json_build_object('body', e.note) ORDER BY e.id), '[]')
   FROM (SELECT id, note FROM report_events WHERE report_id = r.id AND kind = 'COMMENTED' AND NOT is_internal
         ORDER BY id DESC LIMIT 10) e) AS comments
FROM reports r ORDER BY r.created_at DESC, r.id DESC LIMIT 10
"""
INSERT_SQL = """
INSERT INTO reports (code, title, description, category_id, agency_id, latitude, longitude,
  public_latitude, public_longitude, status, created_at, updated_at, acknowledge_due_at, due_at,
  dispute_count, reporter_follows, channel)
SELECT 'PLAIN-' || substr(md5(random()::text), 1, 10), $1, 'Deskripsi', c.id, c.agency_id, $2, $3, $2, $3,
  'SUBMITTED', now(), now(), now() + interval '1 hour', now() + interval '3 days', 0, TRUE, 'APP'
FROM categories c WHERE c.code = 'SAMPAH' RETURNING id, code
"""
UPDATE_SQL = "UPDATE reports SET status = $2, updated_at = now() WHERE id = $1 RETURNING id, status"


def build(database_url: str) -> Starlette:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(database_url, min_size=4, max_size=10)
        yield
        await pool.close()

    async def reports(request: Request) -> Response:
        assert pool is not None
        rows = await pool.fetch(SQL)
        payload = [
            {
                "id": row["id"],
                "title": row["title"],
                "status": row["status"],
                "location": {"lat": row["latitude"], "lon": row["longitude"]},
                "createdAt": row["created_at"].isoformat(),
                "category": {"code": row["category_code"], "name": row["category_name"]},
                "agency": {"code": row["agency_code"], "name": row["agency_name"]},
            }
            for row in rows
        ]
        return Response(orjson.dumps({"data": {"reports": payload}}), media_type="application/json")

    async def answer(sql: str, *values: Any) -> Response:
        assert pool is not None
        rows = await pool.fetch(sql, *values)
        return Response(orjson.dumps({"data": [dict(row) for row in rows]}), media_type="application/json")

    async def near(request: Request) -> Response:
        lat, lon = float(request.query_params["lat"]), float(request.query_params["lon"])
        return await answer(NEAR_SQL, lat, lon, math.cos(math.radians(lat)) * METRES_PER_DEGREE_LAT)

    async def by_code(request: Request) -> Response:
        return await answer(CODE_SQL, request.query_params["code"])

    async def agency_queue(request: Request) -> Response:
        return await answer(QUEUE_SQL.format(who="agency_id"), int(request.query_params["agency"]))

    async def my_queue(request: Request) -> Response:
        return await answer(QUEUE_SQL.format(who="assignee_id"), int(request.query_params["user"]))

    async def timelines(request: Request) -> Response:
        return await answer(TIMELINES_SQL)

    async def insert(request: Request) -> Response:
        body = orjson.loads(await request.body())
        return await answer(INSERT_SQL, body["title"], body["lat"], body["lon"])

    async def update(request: Request) -> Response:
        body = orjson.loads(await request.body())
        return await answer(UPDATE_SQL, body["id"], body["status"])

    return Starlette(
        routes=[
            Route("/reports", reports),
            Route("/near", near),
            Route("/code", by_code),
            Route("/agency-queue", agency_queue),
            Route("/my-queue", my_queue),
            Route("/timelines", timelines),
            Route("/insert", insert, methods=["POST"]),
            Route("/update", update, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


if __name__ == "__main__":
    port, url = int(sys.argv[1]), sys.argv[2]
    app = build(url.replace("postgres://", "postgresql://", 1))
    uvicorn.run(app, port=port, log_level="warning", access_log=False)
