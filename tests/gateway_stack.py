"""The federated stack for tests: the loopback topology on free ports, Node checks, clients on loopback
addresses of their own, and a graphql-transport-ws client for the gateway."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import websockets

from federation.composition import NodeToolingMissing, node_executable
from federation.loopback import LoopbackConfig, RunningTopology, run_topology
from federation.topology import POSTGRES, SERVICES
from tests.databases import create_postgres_database, drop_postgres_database, service_missing
from tests.server_process import free_port

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"


def require_node() -> None:
    """Node and the gateway's npm packages: a failure in CI, a skip with the reason elsewhere."""
    try:
        node_executable()
    except NodeToolingMissing as exc:
        service_missing("Node.js tooling for the gateway", exc)


@contextmanager
def federated_stack(state_dir: Path, **options: Any) -> Iterator[RunningTopology]:
    """Every service of the production topology on free loopback ports, in production mode as
    docker-compose.yml runs it, on a fresh PostgreSQL database dropped afterwards."""
    require_node()
    database_url = asyncio.run(create_postgres_database(migrated=True))
    ports = {service.name: free_port() for service in SERVICES if service.port and service is not POSTGRES}
    config = LoopbackConfig(
        state_dir=state_dir, database_url=database_url, ports=ports, environment="production", **options
    )
    try:
        with run_topology(config) as running:
            yield running
    finally:
        asyncio.run(drop_postgres_database(database_url))


async def operation_over_websocket(
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    init: dict[str, Any] | None = None,
    local_address: str | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Run one operation over graphql-transport-ws and yield each `next` payload until `complete`.

    For a subscription this is how a client follows it through the gateway; the gateway forwards
    subscriptions to the reports subgraph over websockets (gateway/gateway.config.mjs). The protocol has
    no "subscribed" acknowledgement: wait for the server to register the subscriber (or subscribe from
    a resume cursor) before triggering the event you wait for. `local_address` (127.0.0.x) makes
    the socket come from another loopback address: another client, as the servers see it.
    """
    ws_url = url.replace("http://", "ws://", 1)
    source = {"local_addr": (local_address, 0)} if local_address else {}
    async with websockets.connect(ws_url, subprotocols=[GRAPHQL_TRANSPORT_WS], **source) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": init or {}}))
        ack = json.loads(await socket.recv())
        assert ack["type"] == "connection_ack", ack
        payload = {"query": query, "variables": variables or {}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == "next":
                yield message["payload"]
            elif message["type"] == "complete":
                return
            elif message["type"] == "error":
                raise AssertionError(f"operation refused: {message['payload']}")
            elif message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))


def client_at(address: str) -> httpx.Client:
    """An HTTP client whose connections come from `address` (any 127.0.0.x is this machine): to the
    gateway, another client."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)
