"""Recognising Sigap's own gateway among the websocket clients of the reports subgraph.

Hive Gateway multiplexes many clients' subscriptions over one upstream connection, so that one
connection needs a far higher per-connection subscription limit than any client's. The gateway
proves who it is with a shared secret (GATEWAY_TOKEN) in the graphql-transport-ws
`connection_init` payload (gateway/gateway.config.mjs sends it); every other connection is a
client and gets the client limit.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from server.settings import Settings

GATEWAY_TOKEN_PARAM = "gatewayToken"  # noqa: S105 - the name of the parameter, not a secret


def is_gateway(connection_params: Mapping[str, Any] | None, settings: Settings) -> bool:
    if not settings.gateway_token or not isinstance(connection_params, Mapping):
        return False
    presented = connection_params.get(GATEWAY_TOKEN_PARAM)
    if not isinstance(presented, str):
        return False
    return hmac.compare_digest(presented.encode(), settings.gateway_token.encode())


def subscriptions_per_connection(
    connection_params: Mapping[str, Any] | None, settings: Settings, client_limit: int
) -> int:
    """The subscription limit of one websocket connection: the gateway's, or a client's."""
    if is_gateway(connection_params, settings):
        return settings.gateway_subscriptions_per_connection
    return client_limit
