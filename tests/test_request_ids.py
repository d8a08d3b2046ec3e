"""Request ids across the hop: the gateway's id names a request's log lines (JSON) and comes back
in x-request-id; a client cannot choose one; a masked internal error quotes it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from graphql import GraphQLError

from resolvers.request_ids import current_request_id
from schema.errors import coded_errors
from tests.live_clients import wait_until
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, module_server

GATEWAY_TOKEN = "gateway-" + "g" * 32
QUERY = {"query": "query Agencies { agencies { code name } }"}


server = module_server(
    "request-ids", LOG_FORMAT="json", LOG_LEVEL="debug", GATEWAY_TOKEN=GATEWAY_TOKEN, RESPONSE_CACHE="off"
)


def log_records(server: RunningServer) -> list[dict[str, Any]]:
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def test_the_gateways_request_id_names_the_requests_log_lines(server: RunningServer) -> None:
    request_id = "0b6c8e2a-5f0e-4c1e-9d1e-7c5b2a9e4f10"
    response = HTTP.post(
        server.url + "/graphql",
        json=QUERY,
        headers={"x-request-id": request_id, "x-sigap-gateway-token": GATEWAY_TOKEN},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == request_id

    def sql_logged() -> bool:
        return any(
            r.get("request_id") == request_id and r["logger"].startswith("tortoise")
            for r in log_records(server)
        )

    wait_until(sql_logged, what="the request's SQL logged with its id")
    records = log_records(server)  # every line is JSON (uvicorn's own included)
    assert {"time", "level", "logger", "message", "request_id"} <= set(records[-1])


@pytest.mark.parametrize("token", [None, "wrong-" + "w" * 34])
def test_a_client_cannot_choose_its_request_id(server: RunningServer, token: str | None) -> None:
    headers = {"x-request-id": "forged-by-client"}
    if token:
        headers["x-sigap-gateway-token"] = token
    response = HTTP.post(server.url + "/graphql", json=QUERY, headers=headers, timeout=10)

    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert all(r.get("request_id") != "forged-by-client" for r in log_records(server))


def test_every_response_carries_a_fresh_request_id(server: RunningServer) -> None:
    ids = {HTTP.get(server.url + path, timeout=10).headers["x-request-id"] for path in ("/health", "/ready")}
    ids.add(HTTP.post(server.url + "/graphql", content=b"[]", timeout=10).headers["x-request-id"])
    assert len(ids) == 3


def test_a_masked_internal_error_quotes_the_request_id() -> None:
    token = current_request_id.set("req-1234")
    try:
        [masked] = coded_errors([GraphQLError("boom", original_error=RuntimeError("database on fire"))])
    finally:
        current_request_id.reset(token)
    assert masked.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1234"}
    assert "req-1234" in masked.message
    assert "fire" not in masked.message
