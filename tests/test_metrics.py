"""/metrics of a real server: the counters move by what the requests did, and only the
operators' scraper may read them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.settings import Settings
from tests.live_clients import TransportWsClient, file_report_http, wait_until
from tests.loopback_http import HTTP
from tests.redis_server import private_redis
from tests.server_process import TEST_JWT_SECRET, RunningServer, module_server, sigap_server

TOKEN = "scraper-" + "m" * 32
SCRAPER = {"authorization": f"Bearer {TOKEN}"}
AGENCIES = "query Agencies { agencies { code } }"
SIGN_IN = """mutation SignIn($e: String!, $p: String!) {
  signIn(input: {email: $e, password: $p}) { session { accessToken } errors { code } } }"""

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


server = module_server("metrics", METRICS_TOKEN=TOKEN, RATE_LIMIT_SIGN_IN="2/minute")


def scrape(server: RunningServer) -> Samples:
    response = HTTP.get(server.url + "/metrics", headers=SCRAPER, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def graphql(server: RunningServer, query: str, variables: dict[str, str] | None = None) -> httpx.Response:
    return HTTP.post(server.url + "/graphql", json={"query": query, "variables": variables or {}}, timeout=10)


def test_operations_errors_cache_and_refusals_are_counted(server: RunningServer) -> None:
    before = scrape(server)
    for _ in range(3):
        assert graphql(server, AGENCIES).status_code == 200
    assert graphql(server, "query Probe { reprts { id } }").json()["errors"]
    signs = [
        graphql(server, SIGN_IN, {"e": "nobody@kupang.test", "p": "salah-sekali"}).json()["data"]["signIn"]
        for _ in range(3)
    ]
    after = scrape(server)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("sigap_graphql_operations_total", type="query", operation="Agencies") == 3
    assert moved("sigap_graphql_operation_duration_seconds_count", type="query", operation="Agencies") == 3
    assert moved("sigap_graphql_operations_total", type="mutation", operation="SignIn") == 3
    assert moved("sigap_graphql_operations_total", type="query", operation="Probe") == 1
    assert moved("sigap_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    codes = [error["code"] for payload in signs for error in payload["errors"]]
    assert codes == ["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "RATE_LIMITED"]
    assert moved("sigap_graphql_errors_total", code="INVALID_CREDENTIALS") == 2
    assert moved("sigap_graphql_errors_total", code="RATE_LIMITED") == 1
    assert moved("sigap_rate_limit_refusals_total", limit="sign_in") == 1
    assert moved("sigap_response_cache_hits_total") == 2  # the first Agencies was computed, then kept
    assert moved("sigap_http_requests_total", route="/graphql", method="POST", status="200") == 7
    # The scrape before this one is counted too, when its response has ended.
    assert moved("sigap_http_requests_total", route="/metrics", method="GET", status="200") == 1


def test_live_connections_and_the_relay_are_shown(server: RunningServer) -> None:
    async def run() -> None:
        client = await TransportWsClient.open(server.url)
        try:
            await client.subscribe("feed")
            wait_until(lambda: value(scrape(server), "sigap_live_operations") >= 1, what="subscription")
            before = scrape(server)
            assert value(before, "sigap_live_connections") == 1
            file_report_http(server.url, "Lampu jalan padam")
            await client.events(1)
            wait_until(
                lambda: (
                    value(scrape(server), "sigap_live_deliveries_total")
                    > value(before, "sigap_live_deliveries_total")
                ),
                what="delivery counted",
            )
        finally:
            await client.close()
        wait_until(lambda: value(scrape(server), "sigap_live_connections") == 0, what="socket closed")

    asyncio.run(run())
    samples = scrape(server)
    assert value(samples, "sigap_relay_unpublished_events") == 0
    assert value(samples, "sigap_relay_lag_seconds") == 0


def test_only_the_scraper_reads_metrics(server: RunningServer) -> None:
    assert HTTP.get(server.url + "/metrics").status_code == 401
    wrong = HTTP.get(server.url + "/metrics", headers={"authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("environment", "token", "status"),
    [("production", None, 404), ("development", None, 200), ("production", TOKEN, 401)],
)
async def test_metrics_are_off_in_production_without_a_token(
    tmp_path: Path, environment: str, token: str | None, status: int
) -> None:
    settings = Settings(
        environment=environment, jwt_secret=TEST_JWT_SECRET, metrics_token=token, photo_dir=tmp_path
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get("/metrics")
    assert response.status_code == status


@pytest.mark.parametrize("subgraph", ["directory", "reports"])
async def test_every_subgraph_serves_metrics_and_health(tmp_path: Path, subgraph: str) -> None:
    settings = Settings(jwt_secret=TEST_JWT_SECRET, subgraph=subgraph, photo_dir=tmp_path)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        health = await client.get("/health")
        scraped = await client.get("/metrics")
    assert health.status_code == 200
    assert scraped.status_code == 200
    names = {family.name for family in text_string_to_metric_families(scraped.text)}
    assert {"sigap_http_requests", "sigap_graphql_operations", "sigap_rate_limit_refusals"} <= names


def test_counters_are_summed_over_workers(tmp_path: Path) -> None:
    """`--workers 2`: whichever worker answers the scrape, it counts every worker's operations."""
    # `serve --workers 2` migrates and seeds once, before the workers start (test_cli.py).
    with (
        private_redis(tmp_path) as redis_url,
        sigap_server(tmp_path, WORKERS="2", REDIS_URL=redis_url) as server,
    ):
        for _ in range(20):  # a connection each: the workers share them
            assert HTTP.post(server.url + "/graphql", json={"query": AGENCIES}, timeout=10).status_code == 200
        counts = {
            value(scrape(server), "sigap_graphql_operations_total", type="query", operation="Agencies")
            for _ in range(6)
        }
    assert counts == {20}
