"""Hourly query budgets per client (GitHub's model): every operation is charged its points,
reported back in `extensions.cost`; an empty budget refuses with a retry time and runs nothing;
cached answers are charged too; several processes share the budget through Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from models import ApiKeyKind, Role
from resolvers.api_keys import DEFAULT_BUDGETS, create_api_key
from resolvers.identity import Principal, PrincipalKind
from server.app import create_app
from server.graphql_view import SigapGraphQL
from server.settings import Settings
from tests.abuse import abusive
from tests.conftest import Database, QueryLog
from tests.graphql import run, staff
from tests.redis_server import private_redis
from tests.server_process import sigap_server

AGENCIES = "{ agencies { code } }"


async def test_each_operation_is_charged_and_told_what_is_left(db: Database) -> None:
    caller = Principal(client="ip:10.9.0.1")

    first = await run(AGENCIES, principal=caller)
    second = await run(
        "{ reports(first: 100) { edges { node { id category { code } } } } }", principal=caller
    )

    assert first.extensions["cost"]["requested"] == 1
    assert first.extensions["cost"]["remaining"] == 4999
    assert second.extensions["cost"]["requested"] == 4  # 1 + 100 x 3 objects, in hundreds
    assert second.extensions["cost"]["remaining"] == 4995
    assert first.extensions["cost"]["resetAt"] == second.extensions["cost"]["resetAt"]


async def test_an_empty_budget_refuses_with_a_retry_time_and_runs_nothing(
    db: Database, sql_queries: QueryLog
) -> None:
    caller = Principal(client="ip:10.9.0.2", points_per_hour=3)
    remaining = [(await run(AGENCIES, principal=caller)).extensions["cost"]["remaining"] for _ in range(3)]
    sql_queries.clear()

    refused = await run(abusive(AGENCIES), principal=caller)

    assert remaining == [2, 1, 0]
    assert refused.data is None
    error = refused.errors[0]
    assert error.extensions["code"] == "RATE_LIMITED"
    assert 1 <= error.extensions["retryAfter"] <= 3600
    assert sql_queries.count == 0
    other = await run(AGENCIES, principal=Principal(client="ip:10.9.0.3"))
    assert other.errors is None  # budgets are per client


async def test_a_partner_key_brings_its_own_budget(db: Database) -> None:
    partner = Principal(kind=PrincipalKind.PARTNER, api_key_id=42, client="key:42", points_per_hour=50_000)

    result = await run(AGENCIES, principal=partner)

    assert result.extensions["cost"]["limit"] == 50_000
    assert result.extensions["cost"]["remaining"] == 49_999


@pytest.mark.parametrize("budget", [5, None], ids=["set by the admin", "the kind's default"])
async def test_a_key_is_charged_against_the_budget_it_was_created_with(
    app_client: tuple[httpx.AsyncClient, SigapGraphQL], budget: int | None
) -> None:
    """Through the API as a partner calls it: the key's own budget, not the server's (3 here)."""
    client, _ = app_client
    admin = await staff(Role.CITY_ADMIN, None, "Admin Kota")
    key, text = await create_api_key(
        admin,
        name="Dasbor provinsi",
        kind=ApiKeyKind.PARTNER,
        scopes=["reports:read"],
        budget_per_hour=budget,
    )

    costs = [
        (await client.post("/graphql", json={"query": AGENCIES}, headers={"x-api-key": text})).json()[
            "extensions"
        ]["cost"]
        for _ in range(4)
    ]

    assert key.budget_per_hour == (budget or DEFAULT_BUDGETS[ApiKeyKind.PARTNER])
    assert [cost["limit"] for cost in costs] == [key.budget_per_hour] * 4
    assert [cost["remaining"] for cost in costs] == [key.budget_per_hour - n for n in range(1, 5)]


@pytest.fixture
async def app_client(db: Database) -> AsyncIterator[tuple[httpx.AsyncClient, SigapGraphQL]]:
    """The real app in-process (the test database is already connected), budget 3 points/hour."""
    app = create_app(Settings(database_url=db.url, query_points_per_hour=3))
    http = next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")
    view = http.view  # the Strawberry view behind the SSE switch
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client, view


async def test_cached_answers_are_charged_and_refused_when_the_budget_is_spent(
    app_client: tuple[httpx.AsyncClient, SigapGraphQL], sql_queries: QueryLog
) -> None:
    client, view = app_client
    assert view.cache is not None
    answers = [(await client.post("/graphql", json={"query": AGENCIES})).json() for _ in range(3)]
    sql_queries.clear()

    refused = await client.post("/graphql", json=abusive({"query": AGENCIES}))

    assert view.cache.hits == 2  # the second and third answers came from the cache...
    assert [a["extensions"]["cost"]["remaining"] for a in answers] == [2, 1, 0]  # ...and were charged
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert view.cache.hits == 2
    assert sql_queries.count == 0


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with private_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


def test_processes_share_budgets_and_filing_limits_through_redis(tmp_path: Path, redis_url: str) -> None:
    shared = {"REDIS_URL": redis_url, "QUERY_POINTS_PER_HOUR": "6", "RATE_LIMIT_FILE_REPORT": "2/minute"}
    filing = {
        "query": "mutation($i: FileReportInput!) { fileReport(input: $i) { errors { code } } }",
        "variables": {
            "i": {"title": "Lampu", "description": "Padam", "categoryCode": "LAMPU_RAMBU",
                  "location": {"lat": -10.16, "lon": 123.6}}
        },
    }  # fmt: skip
    with sigap_server(tmp_path, **shared) as a, sigap_server(tmp_path, **shared) as b:
        servers = [a, b, a, b, a, b, a]

        def post(server_index: int, body: dict[str, object]) -> httpx.Response:
            return httpx.post(servers[server_index].url + "/graphql", json=body, timeout=10)

        filed = [post(0, filing).json(), post(1, filing).json(), post(2, abusive(filing)).json()]
        costs = [post(n, {"query": "{ __typename }"}).json()["extensions"]["cost"] for n in (3, 4, 5)]
        refused = post(6, abusive({"query": "{ __typename }"}))

    assert [f["data"]["fileReport"]["errors"] for f in filed] == [[], [], [{"code": "RATE_LIMITED"}]]
    # 3 filings, then 3 queries, alternating between the two processes: one budget, one hour window
    assert [cost["remaining"] for cost in costs] == [2, 1, 0]
    reset_times = [datetime.fromisoformat(cost["resetAt"]).timestamp() for cost in costs]
    assert max(reset_times) - min(reset_times) <= 1.5  # Redis tells a window's end in whole seconds
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
