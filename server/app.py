"""The Starlette application: /graphql (HTTP, SSE, websockets), /health, /live, /wall, and the
lifespan that opens the database and runs the live feed."""

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
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from tortoise import Tortoise

from models.seed import load_seed
from resolvers import idempotency, mail, rate_limits
from resolvers.photo_storage import LocalPhotoStorage, PhotoStorage, S3PhotoStorage
from resolvers.photo_urls import PhotoUrls
from resolvers.tokens import TokenSigner
from schema import build_schema
from schema.subgraphs import build_subgraph
from server.database import apply_migrations, connect, disconnect
from server.graphql_view import SigapGraphQL
from server.http_guards import AmbiguousHostGuard, BodySizeLimit, CrossSiteRequestGuard, JsonCharsetGuard
from server.jobs import periodic_jobs
from server.live.service import LiveService, live_stats, running_live_service
from server.live.sse import wants_event_stream
from server.live.transport_ws import ABORT_KEY
from server.photo_route import PhotoEndpoint
from server.settings import Settings
from server.upload_limits import MAX_UPLOAD_REQUEST_BYTES
from server.wall import WALL_ASSETS, wall_page
from server.wall_map import wall_map

log = logging.getLogger("sigap")


async def health(request: Request) -> JSONResponse:
    """For load balancers: 200 while the database answers, 503 otherwise."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        log.warning("health check failed: %r", exc)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


class GraphQLOverHTTP:
    """/graphql over HTTP: SSE requests go to the live engine, everything else to Strawberry."""

    def __init__(self, view: SigapGraphQL) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if wants_event_stream(request):
            live: LiveService = request.app.state.live
            response = await live.event_stream(request)
            await response(scope, receive, send)
        else:
            await self.view(scope, receive, send)


async def graphql_websocket(websocket: WebSocket) -> None:
    live: LiveService = websocket.app.state.live
    await live.websocket(websocket)


class ExposeTransport:
    """ASGI cannot abort a connection, and a client that never reads never takes a close frame
    either. Where the server is uvicorn, keep a handle on its transport so such a client can be
    cut off (the websocket handler falls back to the close handshake elsewhere)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None and hasattr(transport, "abort"):
                scope = {**scope, ABORT_KEY: transport.abort}
        await self.app(scope, receive, send)


def photo_storage_for(settings: Settings) -> PhotoStorage:
    if settings.photo_storage == "s3":
        assert settings.s3_bucket is not None  # Settings.from_env refuses s3 without a bucket
        return S3PhotoStorage.connect(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            prefix=settings.s3_prefix,
        )
    return LocalPhotoStorage(settings.photo_dir)


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
    # One process serves the whole API (the embedded default) or one subgraph behind a gateway.
    limits = settings.operation_limits
    served = build_subgraph(settings.subgraph, limits) if settings.subgraph else build_schema(limits)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.migrate_on_start:
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
            async with (
                periodic_jobs(settings.jobs_interval_s),
                running_live_service(settings, served) as live,
            ):
                app.state.live = live
                yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            await rate_limits.close()
            await disconnect()

    rate_limits.configure(settings.redis_url, settings.rate_limits)
    mail.configure(settings.smtp_url, settings.mail_from, production=settings.is_production)
    photo_storage = photo_storage_for(settings)
    photo_urls = PhotoUrls.from_secret(settings.photo_address_base, settings.jwt_secret)
    graphql = GraphQLOverHTTP(
        SigapGraphQL(served, settings, photo_storage=photo_storage, photo_urls=photo_urls)
    )
    photos = PhotoEndpoint(photo_storage, photo_urls, TokenSigner(settings.jwt_secret))
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_websocket),
            Route("/live", live_stats, methods=["GET"]),
            Route("/wall", wall_page, methods=["GET"]),
            Route("/wall/map.json", wall_map, methods=["GET"]),
            Mount("/wall/assets", StaticFiles(directory=WALL_ASSETS), name="wall-assets"),
            Route("/photos/{name}", photos.serve, methods=["GET", "HEAD"]),
        ],
        middleware=[
            Middleware(ExposeTransport),
            Middleware(AmbiguousHostGuard),
            Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts), www_redirect=False),
            Middleware(
                BodySizeLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=MAX_UPLOAD_REQUEST_BYTES
            ),
            Middleware(CrossSiteRequestGuard),
            Middleware(JsonCharsetGuard),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


def app_from_env() -> Starlette:
    """For uvicorn's worker processes, which read the settings again from the environment."""
    return create_app()
