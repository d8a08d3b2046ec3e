"""One read-only statement on a pooled PostgreSQL connection, in one round trip.

asyncpg resets every connection on its way back to the pool (`RESET ALL`, `UNLISTEN *`, advisory
locks, cursors: a second round trip after each statement) in case its borrower changed the
session. A lone SELECT outside a transaction changes nothing, so a connection that ran only that is
handed back as it is; every other borrower's connection still gets asyncpg's full reset
(`reset_unless_unchanged`, the pool's reset: server.database). Inside a transaction the statement
runs on the transaction's connection, which the transaction releases and resets itself.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asyncpg import Connection, Record
from tortoise.backends.base.client import BaseDBAsyncClient, PoolConnectionWrapper
from tortoise.models import Model

from resolvers.raw_sql import default_connection, is_postgres

M = TypeVar("M", bound=Model)

# Connections released after one read statement, by their server process (the pool lends a proxy
# of each connection, and resets the connection itself): only between its end and its release.
_UNCHANGED: set[int] = set()


async def reset_unless_unchanged(connection: Connection) -> None:
    """The pool's reset: nothing for a connection that only read, asyncpg's own for the others."""
    if connection.get_server_pid() in _UNCHANGED:
        _UNCHANGED.discard(connection.get_server_pid())
        return
    await connection.reset()


async def fetch(client: BaseDBAsyncClient, sql: str, values: list[Any]) -> list[Record]:
    """The records of one SELECT (prepared once per connection by asyncpg's statement cache)."""
    borrowed = client.acquire_connection()
    async with borrowed as connection:
        records: list[Record] = await connection.fetch(sql, *values)
        if isinstance(borrowed, PoolConnectionWrapper) and not connection.is_in_transaction():
            _UNCHANGED.add(connection.get_server_pid())
        return records


async def first_model(
    model: type[M], where: str, values: list[Any], query_builder: Callable[[], Awaitable[M | None]]
) -> M | None:
    """The first `model` row matching `where` (SQL with `$n` for `values`), built as the query
    builder builds it; on PostgreSQL one statement whose text is built once (the query builder
    cost more CPU than the rest of a signed-in request's reading of its caller), on SQLite
    `query_builder()`, the same question asked through the ORM."""
    connection = default_connection()
    if not is_postgres(connection):
        return await query_builder()
    records = await fetch(connection, _select_every_column(model, where), values)
    return model._init_from_db(**records[0]) if records else None


@functools.cache
def _select_every_column(model: type[Model], where: str) -> str:
    meta = model._meta  # every column the model reads, as `Model.filter(...).first()` selects them
    columns = ", ".join(f'"{column}"' for column in meta.fields_db_projection.values())
    return f'SELECT {columns} FROM "{meta.db_table}" WHERE {where} LIMIT 1'  # noqa: S608 - our names
