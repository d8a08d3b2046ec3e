"""The Starlette application: /graphql, /health, and the lifespan that opens the database."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import Tortoise

from models.seed import load_seed
from resolvers import idempotency, rate_limits
from schema import build_schema
from server.database import apply_migrations, connect, disconnect
from server.graphql_view import SigapGraphQL
from server.http_guards import AmbiguousHostGuard, BodySizeLimit, CrossSiteRequestGuard, JsonCharsetGuard
from server.settings import Settings

log = logging.getLogger("sigap")


async def health(request: Request) -> JSONResponse:
    """For load balancers: 200 while the database answers, 503 otherwise."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        log.warning("health check failed: %r", exc)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


async def purge_expired_keys_hourly() -> None:
    while True:
        try:
            purged = await idempotency.purge_expired()
            if purged:
                log.info("purged %d expired idempotency keys", purged)
        except Exception as exc:  # noqa: BLE001 - a failed purge is retried next hour
            log.warning("purging idempotency keys failed: %r", exc)
        await asyncio.sleep(3600)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await apply_migrations(settings.database_url)
        await connect(settings.database_url, settings.statement_timeout_s)
        if settings.seed_on_start:
            created = await load_seed()
            if any(created.values()):
                log.info("seeded the launch directory: %s", created)
        # Everything loaded so far lives as long as the process: out of the garbage collector's
        # sight, full collections (pauses that land on requests' p99) walk only what requests make.
        gc.freeze()
        purger = asyncio.create_task(purge_expired_keys_hourly())
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            await rate_limits.close()
            await disconnect()

    rate_limits.configure(settings.redis_url, settings.rate_limits)
    graphql = SigapGraphQL(build_schema(settings.operation_limits), settings)
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        middleware=[
            Middleware(AmbiguousHostGuard),
            Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts), www_redirect=False),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
            Middleware(CrossSiteRequestGuard),
            Middleware(JsonCharsetGuard),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
