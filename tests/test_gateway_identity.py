"""Only the gateway, proven by the shared token, gets the gateway's per-connection subscription limit."""

from __future__ import annotations

import pytest

from server.gateway_identity import subscriptions_per_connection
from server.settings import Settings

CLIENT_LIMIT = 50
SETTINGS = Settings.from_env({"GATEWAY_TOKEN": "s3cret-shared-with-the-gateway"})


def test_the_gateway_gets_its_limit() -> None:
    params = {"gatewayToken": "s3cret-shared-with-the-gateway"}

    assert subscriptions_per_connection(params, SETTINGS, CLIENT_LIMIT) == 10_000


@pytest.mark.parametrize(
    "params",
    [None, {}, {"gatewayToken": "guess"}, {"gatewayToken": ""}, {"gatewayToken": ["s3cret"]}, {"token": "x"}],
)
def test_anyone_else_is_a_client(params: dict[str, object] | None) -> None:
    assert subscriptions_per_connection(params, SETTINGS, CLIENT_LIMIT) == CLIENT_LIMIT


def test_without_a_configured_token_nobody_is_the_gateway() -> None:
    unconfigured = Settings.from_env({})

    assert subscriptions_per_connection({"gatewayToken": ""}, unconfigured, CLIENT_LIMIT) == CLIENT_LIMIT
    assert subscriptions_per_connection({"gatewayToken": "x"}, unconfigured, CLIENT_LIMIT) == CLIENT_LIMIT
