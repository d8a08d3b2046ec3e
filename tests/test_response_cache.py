"""Cached answers are never stale: any committed write, from any process, and the clock invalidate them."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from schema.query_cost import OperationCost
from server.response_cache import CachedAnswer, ResponseCache, cache_key
from tests.databases import create_postgres_database, drop_postgres_database
from tests.server_process import RunningServer, sigap_server

LIST = "{ reports(first: 10) { totalCount edges { node { title isOverdue } } } }"
FILE = """mutation($i: FileReportInput!) { fileReport(input: $i) { report { id } errors { code } } }"""


def filing(title: str) -> dict[str, object]:
    return {
        "i": {
            "title": title,
            "description": "Jalan berlubang",
            "categoryCode": "SAMPAH",
            "location": {"lat": -10.17, "lon": 123.607},
        }
    }


@pytest.fixture(params=["sqlite", "postgres"])
async def served(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[RunningServer, str]]:
    """A real server and the URL of its database, for writing behind its back."""
    if request.param == "postgres":
        url = await create_postgres_database()
    else:
        url = f"sqlite://{tmp_path / 'cache.db'}"
    try:
        with sigap_server(tmp_path, DATABASE_URL=url) as server:
            yield server, url
    finally:
        if request.param == "postgres":
            await drop_postgres_database(url)


async def query(server: RunningServer, document: str = LIST) -> dict[str, object]:
    async with httpx.AsyncClient() as client:
        response = await client.post(server.url + "/graphql", json={"query": document})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def titles(data: dict[str, object]) -> list[str]:
    return [e["node"]["title"] for e in data["reports"]["edges"]]  # type: ignore[index]


async def write_behind(url: str, sql: str) -> None:
    """Change the database from another connection, as another Sigap process would."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            connection.execute(sql)
        return
    connection = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def test_a_filing_shows_up_in_the_next_answer(served: tuple[RunningServer, str]) -> None:
    server, _ = served
    assert titles(await query(server)) == []
    assert titles(await query(server)) == []  # now answered from the cache

    async with httpx.AsyncClient() as client:
        await client.post(server.url + "/graphql", json={"query": FILE, "variables": filing("Baru")})

    assert titles(await query(server)) == ["Baru"]


async def test_a_write_by_another_process_shows_up_in_the_next_answer(
    served: tuple[RunningServer, str],
) -> None:
    server, url = served
    async with httpx.AsyncClient() as client:
        await client.post(server.url + "/graphql", json={"query": FILE, "variables": filing("Lama")})
    assert titles(await query(server)) == ["Lama"]
    assert titles(await query(server)) == ["Lama"]

    await write_behind(url, "UPDATE reports SET title = 'Diubah di proses lain'")

    assert titles(await query(server)) == ["Diubah di proses lain"]


async def test_overdue_flips_when_the_due_time_passes(served: tuple[RunningServer, str]) -> None:
    server, url = served
    async with httpx.AsyncClient() as client:
        await client.post(server.url + "/graphql", json={"query": FILE, "variables": filing("Segera")})
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    stamp = due.isoformat(sep=" ") if url.startswith("sqlite") else due.isoformat()
    await write_behind(url, f"UPDATE reports SET due_at = '{stamp}'")
    first = await query(server)
    assert first["reports"]["edges"][0]["node"]["isOverdue"] is False  # type: ignore[index]

    deadline = time.monotonic() + 10
    while True:
        node = (await query(server))["reports"]["edges"][0]["node"]  # type: ignore[index]
        if node["isOverdue"]:
            break
        assert datetime.now(UTC) < due + timedelta(seconds=1), "a cached answer outlived the due time"
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert datetime.now(UTC) >= due


def test_entries_expire_at_their_valid_until_and_on_a_new_version() -> None:
    cache = ResponseCache()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cache.put(
        "k", CachedAnswer("v1", {"x": 1}, now + timedelta(seconds=5), size=7, estimate=OperationCost(1))
    )

    assert cache.get("k", "v1", now) is not None
    assert cache.get("k", "v2", now) is None
    assert cache.get("k", "v1", now + timedelta(seconds=5)) is None


def test_memory_is_bounded_by_entries_and_bytes() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=1600)
    for n in range(10):
        cache.put(n, CachedAnswer("v", n, None, size=100, estimate=OperationCost(1)))
    assert [k for k in range(10) if cache.get(k, "v", datetime.now(UTC))] == [7, 8, 9]

    cache.put(
        "huge", CachedAnswer("v", "x", None, size=1000, estimate=OperationCost(1))
    )  # over 1/16 of the budget
    assert cache.get("huge", "v", datetime.now(UTC)) is None
    assert cache.size <= 1600


class _Request:
    def __init__(self, query: str, variables: dict[str, object] | None = None) -> None:
        self.query, self.variables, self.operation_name, self.protocol = query, variables, None, "http"


def test_only_queries_are_cached_and_keys_include_visibility() -> None:
    assert cache_key(_Request("mutation { x }"), "public") is None
    assert cache_key(_Request("subscription { x }"), "public") is None
    assert cache_key(_Request("query {"), "public") is None
    assert cache_key(_Request("{ a }", {"b": 1, "a": 2}), "public") == cache_key(
        _Request("{ a }", {"a": 2, "b": 1}), "public"
    )
    assert cache_key(_Request("{ a }"), "public") != cache_key(_Request("{ a }"), "staff:DLH")
