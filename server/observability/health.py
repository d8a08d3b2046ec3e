"""Liveness and readiness, apart: a load balancer or orchestrator restarts a process that is not
live, and only stops sending work to one that is not ready (its database or bus is unreachable,
or it is shutting down), which may come back by itself."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

log = logging.getLogger("sigap.health")

CHECK_TIMEOUT_S = 2.0  # a dependency slower than this is as good as down for new work


async def health(request: Request) -> JSONResponse:
    """Liveness: the process runs and its event loop answers. Deliberately checks nothing else: a
    database outage must not make every replica restart at once."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """Readiness: 200 while the database and the event bus answer and the process is not
    draining for shutdown; 503 otherwise, saying which."""
    database, bus = await asyncio.gather(_database_up(), _bus_up(request))
    drain = getattr(request.app.state, "drain", None)
    draining = drain is not None and drain.draining
    body = {
        "status": "ok" if database and bus and not draining else "unavailable",
        "database": "up" if database else "down",
        "bus": "up" if bus else "down",
    }
    if draining:
        body["shutdown"] = "draining"
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


async def _database_up() -> bool:
    try:
        connection = Tortoise.get_connection("default")
        await asyncio.wait_for(connection.execute_query("SELECT 1"), CHECK_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: database unreachable: %r", exc)
        return False
    return True


async def _bus_up(request: Request) -> bool:
    live = getattr(request.app.state, "live", None)
    if live is None:
        return False  # the live feed has not started (or has stopped)
    try:
        await asyncio.wait_for(live.bus.ping(), CHECK_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - BusUnavailable, a timeout: "not ready"
        log.warning("readiness: event bus unreachable: %r", exc)
        return False
    return True
