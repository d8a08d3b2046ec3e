"""A pooled PostgreSQL connection goes back to the pool without asyncpg's reset query only after one
lone read (resolvers/read_statements.py): any borrower that changed its session still has it reset,
before and after such a read on the same connection."""

from __future__ import annotations

from resolvers import read_statements
from resolvers.raw_sql import default_connection
from server.database import connection_config
from tests.conftest import Database

CHANGED = "changed by a borrower"


async def test_only_a_lone_read_skips_the_reset_of_its_connection(db: Database) -> None:
    if db.backend == "sqlite":  # no pool to reset: the URL as it is
        assert connection_config(db.url, 5.0) == db.url
        return
    client = default_connection()
    # The pool lends the connection released last: each step below borrows the same one.
    pid = await _borrow_and_change(client)
    assert await _application_name(client, pid) != CHANGED  # reset on release

    records = await read_statements.fetch(client, "SELECT pg_backend_pid() AS pid", [])
    assert records[0]["pid"] == pid

    assert await _borrow_and_change(client) == pid
    assert await _application_name(client, pid) != CHANGED  # the read's pass did not outlive it


async def _borrow_and_change(client: object) -> int:
    async with client.acquire_connection() as connection:  # type: ignore[attr-defined]
        await connection.execute(f"SET application_name = '{CHANGED}'")
        pid: int = connection.get_server_pid()
        return pid


async def _application_name(client: object, pid: int) -> str:
    async with client.acquire_connection() as connection:  # type: ignore[attr-defined]
        assert connection.get_server_pid() == pid
        name: str = await connection.fetchval("SHOW application_name")
        return name
