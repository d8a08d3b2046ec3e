"""A cheap fingerprint of the database's committed state, for caches that must never serve stale data.

Two equal fingerprints mean no write transaction committed in between, from this process or any other.
"""

from __future__ import annotations

from tortoise import Tortoise

# PostgreSQL: the snapshot (xmin:xmax:in-progress txids) changes whenever any transaction that
# wrote something commits. A max(id) would not: ids are handed out before commit, out of order.
_POSTGRES = "SELECT pg_current_snapshot()::text AS version"
# SQLite: data_version moves on commits of other connections (other processes); total_changes on
# this process's own connection, which Tortoise shares and locks for the length of a transaction.
_SQLITE = "SELECT total_changes() || ':' || data_version AS version FROM pragma_data_version"


async def data_version() -> str:
    connection = Tortoise.get_connection("default")
    sql = _SQLITE if connection.capabilities.dialect == "sqlite" else _POSTGRES
    _, rows = await connection.execute_query(sql)
    return str(rows[0]["version"])
