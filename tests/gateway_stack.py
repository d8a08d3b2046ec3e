"""The federated stack for tests: Node checks, and a graphql-transport-ws client for the gateway."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import websockets

from federation.composition import NodeToolingMissing, node_executable
from tests.databases import service_missing

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"


def require_node() -> None:
    """Node and the gateway's npm packages: a failure in CI, a skip with the reason elsewhere."""
    try:
        node_executable()
    except NodeToolingMissing as exc:
        service_missing("Node.js tooling for the gateway", exc)


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
