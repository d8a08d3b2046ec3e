"""The live feed of one process, started and stopped with the application: the bus, the relay,
the hub and the engine, and the endpoints that reach them (websocket, SSE, stats)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import strawberry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from realtime.bus import Bus, open_bus
from realtime.hub import Hub
from realtime.outbox import on_commit
from realtime.relay import Relay
from resolvers.tokens import TokenSigner
from schema import schema
from server.gateway_identity import subscriptions_per_connection
from server.graphql_view import SigapGraphQL
from server.live.engine import LiveEngine
from server.live.limits import ConnectionLimits, ConnectionStats
from server.live.sse import sse_response
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
    # Open sockets per client address: thousands of idle connections from one client are refused.
    sockets_per_client: Counter[str] = field(default_factory=Counter)

    @property
    def signer(self) -> TokenSigner:
        return self.legacy_view.signer

    async def websocket(self, websocket: WebSocket) -> None:
        if not origin_allowed(websocket, self.settings.allowed_origins):
            await websocket.close(code=1008)  # before the handshake: an HTTP 403
            return
        client = websocket.client.host if websocket.client else "unknown"
        if self.sockets_per_client[client] >= self.settings.live_max_connections_per_client:
            log.info("refusing a websocket: %s already holds %d", client, self.sockets_per_client[client])
            await websocket.close(code=1008)  # before the handshake: an HTTP 403
            return
        self.sockets_per_client[client] += 1
        try:
            await self._serve(websocket)
        finally:
            self.sockets_per_client[client] -= 1
            if not self.sockets_per_client[client]:
                del self.sockets_per_client[client]

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
        return await sse_response(request, self.engine, self.limits, self.stats, self.signer)

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
        }


async def live_stats(request: Request) -> JSONResponse:
    """What the live feed of this process holds now (for operators and the benchmarks)."""
    service: LiveService = request.app.state.live
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
    )
    engine = LiveEngine(served, hub, settings)
    service = LiveService(
        settings, bus, relay, hub, engine, limits, ConnectionStats(), legacy_view, baseline_view
    )
    relay_task = asyncio.create_task(relay.run(), name="sigap-relay")
    try:
        with on_commit(relay.committed):
            yield service
    finally:
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task
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
