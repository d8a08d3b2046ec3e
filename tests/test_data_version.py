"""The database fingerprint behind the response cache: it moves with every committed write to this
database, on every table, stays put for writes to other databases of the same PostgreSQL server,
and says when a write is in flight (an answer computed then must not be kept)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from resolvers.data_version import data_version
from tests.conftest import Database
from tests.databases import create_postgres_database, drop_postgres_database
from tests.sqlite_urls import sqlite_file_of

RENAME = "UPDATE categories SET name = name || '.' WHERE code = 'SAMPAH'"


def asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


ON_POSTGRES = pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite: pragma data_version


@pytest.fixture
async def postgres(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A second connection to the test database, as another process would have."""
    connection = await asyncpg.connect(asyncpg_url(db.url))
    try:
        yield connection
    finally:
        await connection.close()


async def test_a_committed_write_from_another_connection_moves_it(db: Database) -> None:
    before = await data_version()
    if db.backend == "postgres":
        connection = await asyncpg.connect(asyncpg_url(db.url))
        try:
            await connection.execute(RENAME)
        finally:
            await connection.close()
    else:
        import sqlite3

        with sqlite3.connect(sqlite_file_of(db.url)) as connection:
            connection.execute(RENAME)
    after = await data_version()

    assert before.settled
    assert after.settled
    assert after.value != before.value


@ON_POSTGRES
async def test_every_table_is_watched(postgres: asyncpg.Connection) -> None:
    tables = await postgres.fetch(
        "SELECT c.relname, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid"
        " AND t.tgname = 'sigap_data_change') AS watched"
        " FROM pg_class c WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace"
    )
    assert len(tables) > 20
    assert [row["relname"] for row in tables if not row["watched"]] == []


@ON_POSTGRES
async def test_a_write_in_flight_unsettles_it_until_it_commits(postgres: asyncpg.Connection) -> None:
    before = await data_version()
    writing = postgres.transaction()
    await writing.start()
    await postgres.execute(RENAME)

    during = await data_version()
    await writing.commit()
    after = await data_version()

    assert before.settled
    assert not during.settled
    assert after.settled
    assert during.value != before.value  # the write counted before it commits...
    assert after.value == during.value  # ...so its commit needs no second count


@ON_POSTGRES
async def test_writes_to_another_database_leave_it_alone(postgres: asyncpg.Connection) -> None:
    other_url = await create_postgres_database(migrated=True)
    try:
        before = await data_version()
        other = await asyncpg.connect(asyncpg_url(other_url))
        try:
            async with other.transaction():  # a write (its own transaction id) to a watched table
                await other.execute(
                    "INSERT INTO agencies (code, name, name_en, created_at, updated_at)"
                    " VALUES ('LAIN', 'Dinas Lain', 'Other', now(), now())"
                )
        finally:
            await other.close()
        after = await data_version()
    finally:
        await drop_postgres_database(other_url)

    assert after == before
