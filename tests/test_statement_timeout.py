"""Statement timeouts on PostgreSQL: a slow statement is cut with a clear error while the server
keeps answering everyone else. (SQLite has no statement timeout: see README.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from graphql import GraphQLError

from schema.errors import coded_errors
from server.database import connection_config
from tests.abuse import abusive
from tests.databases import create_postgres_database, drop_postgres_database
from tests.server_process import sigap_server

pytestmark = pytest.mark.postgres


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await create_postgres_database(migrated=True)
    try:
        yield url
    finally:
        await drop_postgres_database(url)


def asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def test_every_pooled_connection_cuts_statements_at_the_timeout(postgres_url: str) -> None:
    from tortoise.backends.asyncpg import AsyncpgDBClient

    config = connection_config(postgres_url, statement_timeout_s=0.5)
    assert isinstance(config, dict)
    client = AsyncpgDBClient(connection_name="timeout-test", **config["credentials"])
    await client.create_connection(with_db=True)
    try:
        slow = asyncio.create_task(client.execute_query(abusive("SELECT pg_sleep(30)")))
        answered = [await client.execute_query("SELECT 1 AS one") for _ in range(5)]  # the pool is free
        with pytest.raises(asyncpg.QueryCanceledError) as cut:
            await slow
    finally:
        await client.close()

    assert all(rows[0]["one"] == 1 for _, rows in answered)
    assert "statement timeout" in str(cut.value)
    error = coded_errors([GraphQLError("x", original_error=cut.value)])[0]
    assert error.extensions is not None
    assert error.extensions["code"] == "QUERY_TIMEOUT"


async def wait_for_lock_waiter(admin: asyncpg.Connection, database: str, deadline: float = 20) -> None:
    """Until a server backend of `database` waits on a lock: the slow request is really stuck."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", database
        )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the slow request never reached the database")


async def test_a_stuck_query_is_cut_with_a_clear_error_while_others_are_answered(
    tmp_path: Path, postgres_url: str
) -> None:
    with sigap_server(
        tmp_path, DATABASE_URL=postgres_url, STATEMENT_TIMEOUT="1", RESPONSE_CACHE="0"
    ) as server:
        locker = await asyncpg.connect(asyncpg_url(postgres_url))
        admin = await asyncpg.connect(asyncpg_url(postgres_url))
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            try:
                await locker.execute("BEGIN; LOCK TABLE reports IN ACCESS EXCLUSIVE MODE")
                stuck = asyncio.create_task(
                    client.post("/graphql", json=abusive({"query": "{ reports(first: 5) { totalCount } }"}))
                )
                await wait_for_lock_waiter(admin, postgres_url.rsplit("/", 1)[1])
                meanwhile = [
                    await client.post("/graphql", json={"query": "{ agencies { code } }"}) for _ in range(5)
                ]
                still_stuck = not stuck.done()
                response = await stuck
            finally:
                await locker.execute("ROLLBACK")
                await locker.close()
                await admin.close()
            after = await client.post("/graphql", json={"query": "{ reports(first: 5) { totalCount } }"})

    assert still_stuck  # the five answers came while the slow request was still waiting
    assert all(len(r.json()["data"]["agencies"]) == 7 for r in meanwhile)
    body = response.json()
    assert response.status_code == 200
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TIMEOUT"
    assert "Traceback" not in response.text
    assert after.json()["data"]["reports"]["totalCount"] == 0
