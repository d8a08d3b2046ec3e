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
from pympler.asizeof import asizeof

from schema import document_limits
from schema.document_limits import MAX_DOCUMENT_CHARACTERS
from schema.query_cost import OperationCost
from server import response_cache
from server.app import create_app
from server.graphql_view import SigapGraphQL
from server.response_cache import MAX_CACHED_VARIABLES_BYTES, CachedAnswer, ResponseCache, cache_key
from server.settings import Settings
from tests.abuse import abusive
from tests.conftest import Database
from tests.databases import create_postgres_database, drop_postgres_database, migrated_sqlite_url
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, sigap_server
from tests.sqlite_urls import sqlite_file_of

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
        url = await create_postgres_database(migrated=True)
    else:
        url = migrated_sqlite_url(tmp_path)
    try:
        with sigap_server(tmp_path, DATABASE_URL=url) as server:
            yield server, url
    finally:
        if request.param == "postgres":
            await drop_postgres_database(url)


async def query(server: RunningServer, document: str = LIST) -> dict[str, object]:
    response = await asyncio.to_thread(HTTP.post, server.url + "/graphql", json={"query": document})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def titles(data: dict[str, object]) -> list[str]:
    return [e["node"]["title"] for e in data["reports"]["edges"]]  # type: ignore[index]


async def write_behind(url: str, sql: str) -> None:
    """Change the database from another connection, as another Sigap process would."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(sqlite_file_of(url)) as connection:
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

    await asyncio.to_thread(
        HTTP.post, server.url + "/graphql", json={"query": FILE, "variables": filing("Baru")}
    )

    assert titles(await query(server)) == ["Baru"]


async def test_a_write_by_another_process_shows_up_in_the_next_answer(
    served: tuple[RunningServer, str],
) -> None:
    server, url = served
    await asyncio.to_thread(
        HTTP.post, server.url + "/graphql", json={"query": FILE, "variables": filing("Lama")}
    )
    assert titles(await query(server)) == ["Lama"]
    assert titles(await query(server)) == ["Lama"]

    await write_behind(url, "UPDATE reports SET title = 'Diubah di proses lain'")

    assert titles(await query(server)) == ["Diubah di proses lain"]


async def test_overdue_flips_when_the_due_time_passes(served: tuple[RunningServer, str]) -> None:
    server, url = served
    await asyncio.to_thread(
        HTTP.post, server.url + "/graphql", json={"query": FILE, "variables": filing("Segera")}
    )
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    stamp = due.isoformat(sep=" ") if url.startswith("sqlite") else due.isoformat()
    await write_behind(url, f"UPDATE reports SET due_at = '{stamp}'")
    first = await query(server)
    assert first["reports"]["edges"][0]["node"]["isOverdue"] is False  # type: ignore[index]

    deadline = time.monotonic() + 10
    while True:
        asked_at = datetime.now(UTC)  # not when the answer came: a loaded machine may take a while
        node = (await query(server))["reports"]["edges"][0]["node"]  # type: ignore[index]
        if node["isOverdue"]:
            break
        assert asked_at < due + timedelta(seconds=1), "a cached answer outlived the due time"
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert datetime.now(UTC) >= due


def test_entries_expire_at_their_valid_until_and_on_a_new_version() -> None:
    cache = ResponseCache()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cache.put(b"k", CachedAnswer.of("v1", {"x": 1}, now + timedelta(seconds=5), OperationCost(1)))

    hit = cache.get(b"k", "v1", now)
    assert hit is not None
    assert hit.data == {"x": 1}
    assert cache.get(b"k", "v2", now) is None
    assert cache.get(b"k", "v1", now + timedelta(seconds=5)) is None


def test_memory_is_bounded_by_bytes_and_one_answer_cannot_take_it_all() -> None:
    cache = ResponseCache(max_bytes=16 * 2**10)
    for n in range(100):
        cache.put(str(n).encode(), CachedAnswer.of("v", "x" * 100, None, OperationCost(1)))
    kept = [n for n in range(100) if cache.get(str(n).encode(), "v", datetime.now(UTC))]
    assert kept == list(range(100 - len(kept), 100))  # the most recent ones
    assert cache.size <= 16 * 2**10

    cache.put(b"huge", CachedAnswer.of("v", "x" * 2_000, None, OperationCost(1)))  # over 1/16 of it
    assert cache.get(b"huge", "v", datetime.now(UTC)) is None


class _Request:
    def __init__(self, query: str, variables: dict[str, object] | None = None) -> None:
        self.query, self.variables, self.operation_name, self.protocol = query, variables, None, "http"


def test_keys_are_digests_of_the_request_and_its_visibility() -> None:
    key = cache_key(_Request("{ a }", {"b": 1, "a": 2}), "public")

    assert isinstance(key, bytes)
    assert len(key) == 32
    assert key == cache_key(_Request("{ a }", {"a": 2, "b": 1}), "public")
    assert cache_key(_Request("{ a }"), "public") != cache_key(_Request("{ a }"), "staff:DLH")
    assert cache_key(_Request("{ a }", {"a": "x" * MAX_CACHED_VARIABLES_BYTES}), "public") is None
    assert cache_key(_Request("{ a }" + " " * MAX_DOCUMENT_CHARACTERS), "public") is None


@pytest.fixture
async def app_view(db: Database) -> AsyncIterator[tuple[httpx.AsyncClient, SigapGraphQL]]:
    """The real app in-process (the test database is already connected)."""
    app = create_app(Settings(database_url=db.url, query_points_per_hour=1_000_000))
    http = next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client, http.view


AGENCIES = "{ agencies { code name } }"  # variables it does not declare are ignored, and were keyed


async def test_junk_variables_cannot_grow_the_cache_past_its_bound(
    app_view: tuple[httpx.AsyncClient, SigapGraphQL],
) -> None:
    client, view = app_view
    view.cache = cache = ResponseCache(max_bytes=256 * 2**10)
    for n in range(120):  # distinct junk just under the cacheable size: one entry each
        junk = f"{n:04d}" + "j" * (MAX_CACHED_VARIABLES_BYTES - 40)
        answer = await client.post("/graphql", json={"query": AGENCIES, "variables": abusive({"junk": junk})})
        assert "errors" not in answer.json()
    held = asizeof(cache._entries)  # keys, answers and bookkeeping: every byte the cache holds

    assert len(cache) > 0
    assert held <= cache.max_bytes, f"the cache holds {held} bytes, over its bound of {cache.max_bytes}"
    assert held <= cache.size * 1.1  # and what it counts is what it holds
    entries = len(cache)
    for n in range(20):  # half a megabyte of junk each (the body limit is 1 MiB): answered, not kept
        big = {"junk": f"{n}" + "j" * 2**19}
        answer = await client.post("/graphql", json={"query": AGENCIES, "variables": abusive(big)})
        assert "errors" not in answer.json()
    assert len(cache) == entries
    assert asizeof(cache._entries) <= cache.max_bytes


async def test_refused_documents_leave_nothing_in_any_cache(
    app_view: tuple[httpx.AsyncClient, SigapGraphQL],
) -> None:
    client, view = app_view
    assert view.cache is not None
    caches = [view.cache._entries, document_limits.validated_documents]
    memoised = [value for module in (response_cache, document_limits) for value in vars(module).values()
                if hasattr(value, "cache_info")]  # fmt: skip

    def contents() -> object:
        return [(set(cache), cache.currsize) for cache in caches], [f.cache_info().currsize for f in memoised]

    before = contents()

    for n in range(30):
        too_long = "{ agencies { code } }" + f"# {n} " + "x" * MAX_DOCUMENT_CHARACTERS
        invalid = f"{{ agencies {{ nope{n} }} }}" + " " * 5_000
        for document in (too_long, invalid):
            answer = await client.post("/graphql", json={"query": abusive(document)})
            assert "errors" in answer.json()

    assert (
        [(set(cache), cache.currsize) for cache in caches],
        [f.cache_info().currsize for f in memoised],
    ) == before
