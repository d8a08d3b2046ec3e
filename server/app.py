"""The Starlette application: /graphql (HTTP, SSE, websockets), /health, /ready, /metrics, /live,
/wall, and the lifespan that opens the database and runs the live feed."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from models.seed import load_seed
from resolvers import idempotency, mail, password_reset, rate_limits
from resolvers.photo_storage import LocalPhotoStorage, PhotoStorage, S3PhotoStorage
from resolvers.photo_urls import PhotoUrls
from resolvers.tokens import TokenSigner
from schema import build_schema
from schema.subgraphs import build_subgraph
from server.cors import cors_middleware
from server.database import apply_migrations, connect, disconnect
from server.deliveries import configure_outbound, delivery_service, purge_old_deliveries
from server.exports import ReportExports
from server.gateway_identity import ForwardedClient
from server.graphiql import graphiql_assets_route
from server.graphql_view import SigapGraphQL
from server.http_guards import AmbiguousHostGuard, BodySizeLimit, CrossSiteRequestGuard, JsonCharsetGuard
from server.jobs import periodic_jobs
from server.live.service import LiveService, live_stats, running_live_service
from server.live.sse import wants_event_stream
from server.live.transport_ws import ABORT_KEY
from server.observability.health import health, ready
from server.observability.logs import configure_logging
from server.observability.metrics import RequestMetrics
from server.observability.metrics_endpoint import metrics
from server.observability.observed_graphql import ObservedGraphQL
from server.observability.request_ids import RequestIds
from server.observability.shutdown import Drain, GracefulShutdown, drain_on_signals
from server.observability.tracing import start_tracing, tracing_middleware
from server.open311.routes import Open311
from server.open_data import OpenDataFiles
from server.photo_route import PhotoEndpoint
from server.settings import Settings
from server.upload_limits import MAX_UPLOAD_REQUEST_BYTES
from server.wall import WALL_ASSETS, wall_page
from server.wall_map import wall_map

log = logging.getLogger("sigap")


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
    served = (
        build_subgraph(settings.subgraph, limits, compiled_reads=settings.compiled_reads)
        if settings.subgraph
        else build_schema(limits, compiled_reads=settings.compiled_reads)
    )

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
            # The relay hears commits before the first job run commits (and after the last).
            async with (
                running_live_service(settings, served) as live,
                periodic_jobs(settings, functools.partial(purge_old_deliveries, settings)),
                delivery_service(settings),
            ):
                app.state.live = live
                with drain_on_signals(drain):
                    yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            await mail.drained()  # password-reset tokens and mails handed off before the last answers
            await rate_limits.close()
            await disconnect()

    rate_limits.configure(settings.redis_url, settings.rate_limits)
    mail.configure(settings.smtp_url, settings.mail_from, production=settings.is_production)
    configure_outbound(settings)  # registrations check addresses as sends do
    password_reset.configure(settings.password_reset_lifetime)
    start_tracing(f"sigap-{settings.subgraph or 'embedded'}")  # off unless OTEL_EXPORTER_OTLP_ENDPOINT
    photo_storage = photo_storage_for(settings)
    photo_urls = PhotoUrls.from_secret(settings.photo_address_base, settings.jwt_secret)
    view = ObservedGraphQL(served, settings, photo_storage=photo_storage, photo_urls=photo_urls)
    graphql = GraphQLOverHTTP(view)
    photos = PhotoEndpoint(photo_storage, photo_urls, TokenSigner(settings.jwt_secret))
    drain = Drain()
    exports = ReportExports(limits, TokenSigner(settings.jwt_secret))
    open_data = OpenDataFiles(settings.open_data_dir)
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/ready", ready, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_websocket),
            Route("/live", live_stats, methods=["GET"]),
            Route("/wall", wall_page, methods=["GET"]),
            Route("/wall/map.json", wall_map, methods=["GET"]),
            Mount("/wall/assets", StaticFiles(directory=WALL_ASSETS), name="wall-assets"),
            Route("/photos/{name}", photos.serve, methods=["GET", "HEAD"]),
            *([graphiql_assets_route()] if settings.graphiql else []),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/exports/reports.{format}", exports.serve, methods=["GET"]),
            Route("/open-data/", open_data.index, methods=["GET", "HEAD"]),
            Route("/open-data/{name}", open_data.file, methods=["GET", "HEAD"]),
            *Open311(settings, limits, photo_urls).routes(),
        ],
        middleware=[
            Middleware(ForwardedClient, settings=settings),  # first: every limit sees the real client
            Middleware(RequestIds, settings=settings),
            *tracing_middleware(),  # inside RequestIds: the server span carries the request id
            Middleware(RequestMetrics),
            Middleware(ExposeTransport),  # before any middleware that wraps a websocket's `send`
            Middleware(GracefulShutdown, drain=drain),
            Middleware(AmbiguousHostGuard),
            Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts), www_redirect=False),
            cors_middleware(settings.allowed_origins),
            Middleware(
                BodySizeLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=MAX_UPLOAD_REQUEST_BYTES
            ),
            Middleware(CrossSiteRequestGuard),
            Middleware(JsonCharsetGuard),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.graphql_view = view  # its response cache, read by /metrics
    app.state.drain = drain  # read by /ready
    return app


def app_from_env() -> Starlette:
    """For uvicorn's worker processes, which read the settings again from the environment."""
    settings = Settings.from_env()
    configure_logging(settings)  # a worker process starts with no logging of its own
    return create_app(settings)
