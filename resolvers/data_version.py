"""A cheap fingerprint of the database's committed state, for caches that must never serve stale data.

Two equal fingerprints mean no write transaction committed in between, from this process or any other.
An answer computed after reading a fingerprint may be kept under it only if the fingerprint was
`settled`: no write was in flight then, which could commit later without moving the fingerprint again.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import Tortoise

# PostgreSQL: every write statement moves a sequence after taking a shared advisory lock for its
# transaction (migration 0022_data_version, which holds the same key); writes in other databases of
# the cluster move neither. The sequence is read before the lock is tried, so a number that already
# counts a write still in flight comes with `settled` false.
_POSTGRES = """SELECT last_value::text AS version,
  CASE WHEN pg_try_advisory_lock(7305801294337150561) THEN pg_advisory_unlock(7305801294337150561)
       ELSE false END AS settled
FROM sigap_data_version"""
# SQLite: data_version moves on commits of other connections (other processes); total_changes on
# this process's own connection, which Tortoise shares and locks for the length of a transaction.
_SQLITE = "SELECT total_changes() || ':' || data_version AS version, 1 AS settled FROM pragma_data_version"


@dataclass(frozen=True)
class DataVersion:
    value: str
    settled: bool  # no write was in flight: an answer computed from here on may be kept under `value`


async def data_version() -> DataVersion:
    connection = Tortoise.get_connection("default")
    sql = _SQLITE if connection.capabilities.dialect == "sqlite" else _POSTGRES
    _, rows = await connection.execute_query(sql)
    return DataVersion(str(rows[0]["version"]), bool(rows[0]["settled"]))
