"""Recognising Sigap's own gateway, and believing what it says about its clients.

Behind Hive Gateway every request reaches a subgraph from the gateway's address, so the per-client
limits (filings, sign-ins, query budgets, sockets) would all fall on the gateway. The gateway
therefore forwards the client's address (`x-sigap-client-address`) with a shared secret
(`x-sigap-gateway-token`, GATEWAY_TOKEN) on every HTTP request and websocket upgrade
(gateway/gateway.config.mjs). `ForwardedClient` believes the address only beside the right token:
a client talking to a subgraph directly cannot name an address of its choice, and without a
configured token nobody is the gateway.

The gateway multiplexes a client's subscriptions over one upstream websocket, which also carries
the token in its `connection_init` payload (`gatewayToken`) and so gets a higher per-connection
subscription limit than a client's.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from server.settings import Settings

log = logging.getLogger(__name__)

GATEWAY_TOKEN_PARAM = "gatewayToken"  # noqa: S105 - the name of the parameter, not a secret
GATEWAY_TOKEN_HEADER = b"x-sigap-gateway-token"
CLIENT_ADDRESS_HEADER = b"x-sigap-client-address"


def _is_token(presented: object, settings: Settings) -> bool:
    if not settings.gateway_token or not isinstance(presented, str | bytes):
        return False
    raw = presented.encode() if isinstance(presented, str) else presented
    return hmac.compare_digest(raw, settings.gateway_token.encode())


def is_gateway(connection_params: Mapping[str, Any] | None, settings: Settings) -> bool:
    if not isinstance(connection_params, Mapping):
        return False
    return _is_token(connection_params.get(GATEWAY_TOKEN_PARAM), settings)


def subscriptions_per_connection(
    connection_params: Mapping[str, Any] | None, settings: Settings, client_limit: int
) -> int:
    """The subscription limit of one websocket connection: the gateway's, or a client's."""
    if is_gateway(connection_params, settings):
        return settings.gateway_subscriptions_per_connection
    return client_limit


def from_gateway(headers: Mapping[bytes, bytes], settings: Settings) -> bool:
    """Whether an HTTP request or websocket upgrade carries the gateway's token (request ids)."""
    return _is_token(headers.get(GATEWAY_TOKEN_HEADER), settings)


def forwarded_address(headers: Mapping[bytes, bytes], settings: Settings) -> str | None:
    """The client address the gateway vouches for, or None when the caller is not the gateway
    (or forwards no valid address)."""
    if not _is_token(headers.get(GATEWAY_TOKEN_HEADER), settings):
        return None
    try:
        return str(ipaddress.ip_address(headers.get(CLIENT_ADDRESS_HEADER, b"").decode("ascii").strip()))
    except (UnicodeDecodeError, ValueError):
        return None


class ForwardedClient:
    """ASGI middleware: for requests and websockets from the gateway, the scope's client becomes the
    client the gateway forwarded, so every per-client limit downstream sees the real client."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.settings.gateway_token:
            headers = dict(scope.get("headers") or ())
            address = forwarded_address(headers, self.settings)
            if address is not None:
                scope = {**scope, "client": (address, 0)}
            elif GATEWAY_TOKEN_HEADER in headers:
                log.warning("a request presented a wrong gateway token; treated as a direct client")
        await self.app(scope, receive, send)
