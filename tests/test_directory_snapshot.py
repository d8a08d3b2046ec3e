"""Pages of reports name their categories and agencies as the database holds them when the page is
read, though each server process keeps a copy of the directory (resolvers/directory_snapshot.py):
a rename by another process shows on the next page, and one still in flight does not, before or
after it commits. Through the real app, on the compiled (lean) path, as an app reads its list."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from resolvers import rate_limits
from schema.compiled.executor import STATS
from server.app import create_app
from server.settings import Settings
from tests.conftest import Database
from tests.graphql import SIGNER, file_report
from tests.sqlite_urls import sqlite_file_of

PAGE = "{ reports(first: 5) { edges { node { title category { code name } agency { code name } } } } }"
RENAME_CATEGORY = "UPDATE categories SET name = 'Sampah liar' WHERE code = 'SAMPAH'"
RENAME_AGENCY = (
    "UPDATE agencies SET name = 'Dinas Kebersihan Kota'"
    " WHERE id = (SELECT agency_id FROM categories WHERE code = 'SAMPAH')"
)


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The app as a server process runs it, without the response cache (every page is read)."""
    await rate_limits.reset()
    app = create_app(Settings(database_url=db.url, jwt_secret=SIGNER.secret, response_cache=False))
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


async def page(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    """(category name, agency name) of each report on the first page, read on the lean path."""
    lean_before = STATS["lean"]
    answer = await client.post(
        "/graphql", content=orjson.dumps({"query": PAGE}), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["reports"]["edges"]]
    assert nodes, "the page has the report filed"
    if STATS["lean"] == lean_before:  # the first read of a document validates it, on the general path
        return await page(client)
    return [(node["category"]["name"], node["agency"]["name"]) for node in nodes]


def asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def run_elsewhere(db: Database, *statements: str) -> None:
    """`statements`, committed by a connection of its own, as another server process would."""
    if db.backend == "postgres":
        connection = await asyncpg.connect(asyncpg_url(db.url))
        try:
            async with connection.transaction():
                for statement in statements:
                    await connection.execute(statement)
        finally:
            await connection.close()
        return
    with sqlite3.connect(sqlite_file_of(db.url)) as connection:
        for statement in statements:
            connection.execute(statement)


async def test_a_page_shows_the_directory_as_another_process_left_it(
    db: Database, client: httpx.AsyncClient
) -> None:
    await file_report()
    before = await page(client)
    assert before[0][0] == "Sampah"

    await run_elsewhere(db, RENAME_CATEGORY)
    assert [category for category, _ in await page(client)] == ["Sampah liar"]

    await run_elsewhere(db, RENAME_AGENCY)
    assert await page(client) == [("Sampah liar", "Dinas Kebersihan Kota")]


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # a transaction left open
async def test_a_rename_in_flight_shows_once_it_commits(db: Database, client: httpx.AsyncClient) -> None:
    await file_report()
    assert (await page(client))[0][0] == "Sampah"
    other = await asyncpg.connect(asyncpg_url(db.url))
    try:
        writing = other.transaction()
        await writing.start()
        await other.execute(RENAME_CATEGORY)
        # Not committed: the page, and the copy the process keeps of the directory, still see the old name.
        assert (await page(client))[0][0] == "Sampah"
        await writing.commit()
        assert (await page(client))[0][0] == "Sampah liar"
    finally:
        await other.close()
