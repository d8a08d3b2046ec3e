"""A subgraph's federation fields: `_entities` costs one object per representation (and what each
selects), and in production only the gateway, proving itself with GATEWAY_TOKEN, may call
`_entities` or `_service`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from models import Agency
from schema.context import Context
from schema.ids import to_global_id
from schema.subgraphs import build_subgraph
from server.app import create_app
from server.settings import Settings
from tests.abuse import abusive
from tests.conftest import Database, QueryLog

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Agency { code } } }"
HEAVY = """query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Agency { reports(first: 50) { edges { node { id } } } } } }"""
SDL = "{ _service { sdl } }"
TOKEN = "gateway-" + "t" * 40


async def representations(count: int) -> list[dict[str, str]]:
    agency = await Agency.first()
    assert agency is not None
    return [{"__typename": "Agency", "id": to_global_id("Agency", agency.id)}] * count


async def test_entities_are_costed_by_their_representations(db: Database) -> None:
    directory = build_subgraph("directory")
    estimates = []
    for count in (1, 20, 300):
        result = await directory.execute(
            ENTITIES, variable_values={"r": await representations(count)}, context_value=Context()
        )
        assert result.errors is None, result.errors
        estimates.append(result.extensions["cost"]["estimate"])

    assert estimates == [1, 20, 300]


async def test_too_many_costly_representations_are_refused_before_any_sql(
    db: Database, sql_queries: QueryLog
) -> None:
    reports = build_subgraph("reports")
    many = await representations(300)
    sql_queries.clear()

    result = await reports.execute(HEAVY, variable_values={"r": abusive(many)}, context_value=Context())

    assert result.data is None
    assert [e.extensions["code"] for e in result.errors or ()] == ["QUERY_TOO_COSTLY"]
    assert sql_queries.count == 0


@pytest.fixture
async def production_directory(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The directory subgraph as production runs it behind the gateway, in-process."""
    settings = Settings(
        environment="production",
        subgraph="directory",
        database_url=db.url,
        gateway_token=TOKEN,
        jwt_secret="j" * 40,
        seed_on_start=False,
        graphiql=False,
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str) -> Any:
    return (
        await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    ).json()


@pytest.mark.parametrize("query", [SDL, ENTITIES], ids=["_service", "_entities"])
async def test_in_production_only_the_gateway_calls_federation_fields(
    production_directory: httpx.AsyncClient, query: str
) -> None:
    variables = {"r": await representations(1)} if query == ENTITIES else {}
    gateway = await post(production_directory, query, variables, **{"x-sigap-gateway-token": TOKEN})
    anonymous = await post(production_directory, abusive(query), variables)
    impostor = await post(
        production_directory, query, variables, **{"x-sigap-gateway-token": abusive("guess")}
    )
    replayed = await post(production_directory, query, variables)  # not served from the gateway's answer

    assert "errors" not in gateway, gateway
    for refused in (anonymous, impostor, replayed):
        assert refused["data"] is None
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
