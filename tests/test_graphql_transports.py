"""The same GraphQL rules over HTTP, websockets and SSE, against a real production-mode server:
which operation of a document runs, no "Did you mean" hints for probers, and who may read the
live feed's statistics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.settings import Settings, SettingsError
from tests.live_clients import SseClient, TransportWsClient
from tests.loopback_http import HTTP
from tests.server_process import TEST_JWT_SECRET, RunningServer, module_server

TRANSPORTS = ["http", "websocket", "sse"]


production = module_server("production-transports", SIGAP_ENV="production")


async def answer(server: RunningServer, transport: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The one result of an operation sent over `transport`: {"data": ..., "errors": [...]}."""
    if transport == "http":
        async with httpx.AsyncClient(timeout=15) as http:
            return dict((await http.post(server.url + "/graphql", json=payload)).json())
    if transport == "sse":
        query, operation_name = payload["query"], payload.get("operationName")
        async with SseClient.open(server.url, query, operation_name=operation_name) as stream:
            assert stream.response.status_code == 200
            event = await stream.next_event()
        assert event is not None
        assert event.data is not None
        return event.data
    client = await TransportWsClient.open(server.url)
    await client.send({"id": "1", "type": "subscribe", "payload": payload})
    message = await client.receive()
    await client.close()
    if message["type"] == "error":
        return {"errors": message["payload"]}
    return dict(message["payload"])


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_production_gives_no_field_suggestions_on_any_transport(
    production: RunningServer, transport: str
) -> None:
    result = await answer(production, transport, {"query": "{ agencis { code } }"})

    [error] = result["errors"]
    assert error["message"].startswith("Cannot query field 'agencis'")
    assert "Did you mean" not in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


TWO_OPERATIONS = "query Agencies { agencies { code } } query Categories { categories { code } }"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_several_operations_without_an_operation_name_are_an_error(
    production: RunningServer, transport: str
) -> None:
    result = await answer(production, transport, {"query": TWO_OPERATIONS})

    assert result.get("data") is None
    [error] = result["errors"]
    assert error["message"] == "Must provide operation name if query contains multiple operations."
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_named_operation_runs(production: RunningServer, transport: str) -> None:
    result = await answer(production, transport, {"query": TWO_OPERATIONS, "operationName": "Categories"})

    assert "errors" not in result
    assert list(result["data"]) == ["categories"]


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_an_operation_name_naming_nothing_is_a_coded_error(
    production: RunningServer, transport: str
) -> None:
    result = await answer(production, transport, {"query": TWO_OPERATIONS, "operationName": "Nope"})

    [error] = result["errors"]
    assert error["message"] == 'Unknown operation named "Nope".'
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def _display_key(server: RunningServer) -> str:
    create = 'mutation { createApiKey(input: {name: "Layar", kind: DISPLAY}) { key errors { code } } }'
    created = HTTP.post(server.url + "/graphql", json={"query": create}, headers=server.staff_headers())
    return str(created.json()["data"]["createApiKey"]["key"])


def test_production_shows_the_live_statistics_only_to_staff_and_display_keys(
    production: RunningServer,
) -> None:
    def stats(headers: dict[str, str]) -> httpx.Response:
        return HTTP.get(production.url + "/live", headers=headers, timeout=5)

    anonymous, forged = stats({}), stats({"authorization": "Bearer forged.token.here"})
    citizen = stats(production.citizen_headers("warga@kupang.test"))
    staff, display = stats(production.staff_headers()), stats({"x-api-key": _display_key(production)})

    assert [anonymous.status_code, forged.status_code, citizen.status_code] == [401, 401, 403]
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert citizen.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert [staff.status_code, display.status_code] == [200, 200]
    assert staff.json()["connections"] >= 0


def test_the_per_subscriber_baseline_is_refused_in_production() -> None:
    environment = {"JWT_SECRET": TEST_JWT_SECRET, "LIVE_ENGINE": "per-subscriber"}

    assert Settings.from_env(environment).live_engine == "per-subscriber"  # a benchmark's baseline
    with pytest.raises(SettingsError, match="LIVE_ENGINE"):
        Settings.from_env({**environment, "SIGAP_ENV": "production"})
