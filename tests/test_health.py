"""Liveness (/health) apart from readiness (/ready) on a real server: losing the bus or the
database makes a process not ready, never not live."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import redis

from server.app import create_app
from server.live.service import running_live_service
from server.settings import Settings
from tests.conftest import Database
from tests.databases import drop_postgres_database
from tests.live_clients import wait_until
from tests.loopback_http import HTTP
from tests.redis_server import private_redis
from tests.server_process import TEST_JWT_SECRET, server_database, sigap_server


def status(url: str, path: str) -> tuple[int, dict[str, str]]:
    response = HTTP.get(url + path, timeout=10)
    return response.status_code, response.json()


def test_a_server_without_its_redis_bus_is_live_but_not_ready(tmp_path: Path) -> None:
    with private_redis(tmp_path) as redis_url, sigap_server(tmp_path, REDIS_URL=redis_url) as server:
        assert status(server.url, "/ready") == (200, {"status": "ok", "database": "up", "bus": "up"})
        redis.Redis.from_url(redis_url).shutdown(nosave=True)
        wait_until(lambda: status(server.url, "/ready")[0] == 503, what="not ready without Redis")
        assert status(server.url, "/ready") == (
            503,
            {"status": "unavailable", "database": "up", "bus": "down"},
        )
        assert status(server.url, "/health") == (200, {"status": "ok"})


def test_a_server_without_its_database_is_live_but_not_ready(tmp_path: Path) -> None:
    with (
        server_database(tmp_path, "postgres") as database_url,
        sigap_server(tmp_path, DATABASE_URL=database_url) as server,
    ):
        assert status(server.url, "/ready")[0] == 200
        asyncio.run(drop_postgres_database(database_url))  # FORCE: its connections are cut
        wait_until(lambda: status(server.url, "/ready")[0] == 503, what="not ready without PostgreSQL")
        body = status(server.url, "/ready")[1]
        assert body == {"status": "unavailable", "database": "down", "bus": "up"}
        assert status(server.url, "/health") == (200, {"status": "ok"})


async def test_a_draining_server_is_not_ready(db: Database, tmp_path: Path) -> None:
    settings = Settings(jwt_secret=TEST_JWT_SECRET, database_url=db.url, photo_dir=tmp_path)
    app = create_app(settings)  # its lifespan would connect anew: the test's connection is used
    transport = httpx.ASGITransport(app=app)
    async with (
        running_live_service(settings) as app.state.live,
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        ready = await client.get("/ready")
        app.state.drain.draining = True  # what SIGTERM sets first (tests/test_graceful_shutdown.py)
        draining = await client.get("/ready")
        alive = await client.get("/health")
    assert ready.status_code == 200
    assert draining.status_code == 503
    assert draining.json() == {"status": "unavailable", "database": "up", "bus": "up", "shutdown": "draining"}
    assert alive.status_code == 200
