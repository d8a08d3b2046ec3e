"""The live feed of one process, started and stopped with the application: the bus, the relay,
the hub and the engine, and the endpoints that reach them (websocket, SSE, stats)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

import strawberry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from realtime.bus import Bus, open_bus
from realtime.hub import Hub
from realtime.notices import NoticeRelay, board, on_notified
from realtime.outbox import on_commit
from realtime.relay import Relay
from resolvers.errors import ErrorCode, fail
from resolvers.identity import ANONYMOUS, PrincipalKind
from resolvers.tokens import TokenSigner
from schema import schema
from server.authentication import Unauthenticated, authenticate
from server.gateway_identity import subscriptions_per_connection
from server.graphql_view import SigapGraphQL
from server.live.engine import LiveEngine
from server.live.limits import ClientConnections, ConnectionLimits, ConnectionStats
from server.live.results import coded_response
from server.live.sse import SseEndpoint
from server.live.transport_ws import (
    LEGACY_SUBPROTOCOL,
    SUBPROTOCOL,
    TransportWsConnection,
    refuse_subprotocol,
)
from server.settings import Settings

log = logging.getLogger("sigap.live")


@dataclass
class LiveService:
    settings: Settings
    bus: Bus
    relay: Relay
    hub: Hub
    engine: LiveEngine
    limits: ConnectionLimits
    stats: ConnectionStats
    legacy_view: SigapGraphQL
    baseline_view: SigapGraphQL
    connections: ClientConnections  # websockets and SSE streams per client address
    sse: SseEndpoint

    @property
    def signer(self) -> TokenSigner:
        return self.legacy_view.signer

    async def websocket(self, websocket: WebSocket) -> None:
        if not origin_allowed(websocket, self.settings.allowed_origins):
            await websocket.close(code=1008)  # before the handshake: an HTTP 403
            return
        client = f"ip:{websocket.client.host}" if websocket.client else "ip:unknown"
        if not self.connections.admit(client):
            log.info("refusing a websocket: %s holds %d live connections", client, self.connections.limit)
            await websocket.close(code=1008)  # before the handshake: an HTTP 403
            return
        try:
            await self._serve(websocket)
        finally:
            self.connections.release(client)

    async def _serve(self, websocket: WebSocket) -> None:
        offered = websocket.scope.get("subprotocols") or []
        if SUBPROTOCOL in offered and self.settings.live_engine == "per-subscriber":
            await self.baseline_view(websocket.scope, websocket.receive, websocket.send)
        elif SUBPROTOCOL in offered:
            limit = partial(
                subscriptions_per_connection, settings=self.settings, client_limit=self.limits.max_operations
            )
            await TransportWsConnection(
                websocket, self.engine, self.limits, self.stats, self.signer, limit
            ).serve()
        elif LEGACY_SUBPROTOCOL in offered and self.settings.legacy_graphql_ws:
            await self.legacy_view(websocket.scope, websocket.receive, websocket.send)
        else:
            await refuse_subprotocol(websocket)

    async def event_stream(self, request: Request) -> Response:
        return await self.sse.respond(request)

    def snapshot(self) -> dict[str, int]:
        groups = self.engine.groups.stats
        return {
            "connections": self.stats.connections,
            "operations": self.stats.operations,
            "dropped": self.stats.dropped,
            "groups": groups.groups,
            "members": groups.members,
            "executions": groups.executions,
            "deliveries": groups.deliveries,
            "position": self.hub.position,
            "listeners": self.hub.listener_count,
            "inboxes": board.watching(),  # myNotifications subscriptions waiting for news
        }


async def live_stats(request: Request) -> Response:
    """What the live feed of this process holds now (for operators and the benchmarks). In
    production only staff and the command center's display keys may read it."""
    service: LiveService = request.app.state.live
    if service.settings.is_production:
        address = f"ip:{request.client.host}" if request.client else "ip:unknown"
        try:
            principal = await authenticate(request.headers, client=address, signer=service.signer)
        except Unauthenticated:
            principal = ANONYMOUS
        if not (principal.is_staff or principal.kind is PrincipalKind.DISPLAY):
            anonymous = principal.kind is PrincipalKind.ANONYMOUS
            refusal = fail(
                ErrorCode.UNAUTHENTICATED if anonymous else ErrorCode.FORBIDDEN,
                "Statistik umpan langsung hanya untuk petugas dan layar pusat komando",
                "The live feed's statistics are for staff and the command center's display keys only",
            )
            return coded_response(refusal, 401 if anonymous else 403)
    return JSONResponse(service.snapshot())


@asynccontextmanager
async def running_live_service(
    settings: Settings, served: strawberry.Schema = schema
) -> AsyncIterator[LiveService]:
    bus = open_bus(settings.redis_url, settings.event_channel)
    relay = Relay(bus)
    hub = Hub(bus)
    await hub.start()
    legacy_view = SigapGraphQL(served, settings)
    baseline_view = SigapGraphQL(served, settings, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,))
    legacy_view.hub = baseline_view.hub = hub
    limits = ConnectionLimits(
        init_timeout=settings.live_init_timeout,
        keepalive=settings.live_keepalive,
        send_queue=settings.live_send_queue,
        max_operations=settings.live_max_operations,
        credentials_recheck=settings.live_credentials_recheck,
    )
    engine = LiveEngine(served, hub, settings)
    stats = ConnectionStats()
    connections = ClientConnections(settings.live_max_connections_per_client)
    sse = SseEndpoint(engine, limits, stats, connections, legacy_view.signer)
    service = LiveService(
        settings, bus, relay, hub, engine, limits, stats, legacy_view, baseline_view, connections, sse
    )
    relay_task = asyncio.create_task(relay.run(), name="sigap-relay")
    notices = NoticeRelay(bus)  # inbox wake-ups (myNotifications) ride the same bus
    notices_task = asyncio.create_task(notices.run(), name="sigap-notices")
    try:
        with on_commit(relay.committed), on_notified(notices.announced):
            yield service
    finally:
        for task in (relay_task, notices_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        engine.close()
        await hub.stop()
        await bus.close()


def origin_allowed(websocket: WebSocket, allowed: tuple[str, ...]) -> bool:
    """Browsers send Origin; a page of another site must not open sockets with the user's
    credentials. Clients that are not browsers send none."""
    origin = websocket.headers.get("origin")
    if not origin or origin in allowed:
        return True
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()
