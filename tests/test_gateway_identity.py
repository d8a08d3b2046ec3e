"""Only the gateway, proven by the shared token, gets the gateway's per-connection subscription limit."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from server.gateway_identity import forwarded_address, subscriptions_per_connection
from server.settings import Settings, SettingsError
from tests.server_process import sigap_server

CLIENT_LIMIT = 50
SETTINGS = Settings.from_env({"GATEWAY_TOKEN": "s3cret-shared-with-the-gateway-0123456789"})


def test_the_gateway_gets_its_limit() -> None:
    params = {"gatewayToken": "s3cret-shared-with-the-gateway-0123456789"}

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


@pytest.mark.parametrize(
    ("headers", "believed"),
    [
        (
            {b"x-sigap-gateway-token": b"s3cret-token", b"x-sigap-client-address": b"203.0.113.7"},
            "203.0.113.7",
        ),
        (
            {b"x-sigap-gateway-token": b"s3cret-token", b"x-sigap-client-address": b"2001:db8::1"},
            "2001:db8::1",
        ),
        ({b"x-sigap-gateway-token": b"s3cret-token", b"x-sigap-client-address": b"not an address"}, None),
        ({b"x-sigap-gateway-token": b"a guess", b"x-sigap-client-address": b"203.0.113.7"}, None),
        ({b"x-sigap-client-address": b"203.0.113.7", b"x-forwarded-for": b"203.0.113.8"}, None),
    ],
)
def test_only_the_gateway_is_believed_about_the_client_address(
    headers: dict[bytes, bytes], believed: str | None
) -> None:
    assert forwarded_address(headers, Settings(gateway_token="s3cret-token")) == believed
    assert forwarded_address(headers, Settings()) is None  # no token configured: nobody is the gateway


def test_a_guessable_gateway_token_is_refused() -> None:
    with pytest.raises(SettingsError, match="GATEWAY_TOKEN must be at least"):
        Settings.from_env({"GATEWAY_TOKEN": "gateway"})


FILE = """mutation { fileReport(input: {title: "Sampah", description: "Menumpuk", categoryCode: "SAMPAH",
  location: {lat: -10.17, lon: 123.6}}) { errors { code } } }"""


@pytest.mark.parametrize(("allowed", "refused_after"), [(None, 2), ("127.0.0.1", None)])
def test_x_forwarded_for_is_believed_only_from_the_configured_proxies(
    tmp_path: Path, allowed: str | None, refused_after: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default nobody's X-Forwarded-For counts, not even a loopback peer's; FORWARDED_ALLOW_IPS
    names the proxies whose header does."""
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # unset means unset, for uvicorn too
    settings = {"RATE_LIMIT_FILE_REPORT": "2/minute", "RATE_LIMIT_FILE_REPORT_PER_ADDRESS": "2/minute"}
    if allowed is not None:
        settings["FORWARDED_ALLOW_IPS"] = allowed
    with sigap_server(tmp_path, **settings) as server:
        answers = [
            httpx.post(
                server.url + "/graphql", json={"query": FILE}, headers={"x-forwarded-for": f"198.51.100.{n}"}
            ).json()["data"]["fileReport"]["errors"]
            for n in range(3)
        ]

    refused = [n for n, errors in enumerate(answers) if errors]
    assert refused == ([refused_after] if refused_after is not None else [])
