"""The baseline: a plain Starlette endpoint answering the bench query with one SQL query and orjson.

Run as `python -m bench.plain_endpoint PORT DATABASE_URL`.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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

    return Starlette(routes=[Route("/reports", reports)], lifespan=lifespan)


if __name__ == "__main__":
    port, url = int(sys.argv[1]), sys.argv[2]
    app = build(url.replace("postgres://", "postgresql://", 1))
    uvicorn.run(app, port=port, log_level="warning", access_log=False)
