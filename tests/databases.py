"""The two databases every database test runs on: the embedded SQLite and a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import asyncpg
import pytest

POSTGRES_ADMIN_URL = os.environ.get("SIGAP_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TABLES = ["idempotency_keys", "report_events", "reports", "users", "categories", "areas", "agencies"]


def service_missing(what: str, error: BaseException) -> None:
    """Fail in CI, where every leg must run; elsewhere skip with the reason in the summary."""
    message = f"{what} is not reachable ({error!r}); start it (see README) or this leg does not run"
    if IN_CI or os.environ.get("SIGAP_REQUIRE_SERVICES"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


async def create_postgres_database() -> str:
    """A fresh, uniquely named database on the test server; returns its URL."""
    name = f"sigap_test_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(_asyncpg_url(POSTGRES_ADMIN_URL), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        service_missing(f"PostgreSQL at {POSTGRES_ADMIN_URL}", exc)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(_asyncpg_url(POSTGRES_ADMIN_URL), timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def sqlite_url(folder: Path) -> str:
    return f"sqlite://{folder / 'sigap-test.db'}"


def _asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def empty_tables(backend: str) -> None:
    from tortoise import Tortoise

    connection = Tortoise.get_connection("default")
    if backend == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        deletes = " ".join(f"DELETE FROM {table};" for table in TABLES)
        # Self-references (duplicate_of, parent areas) would refuse row-by-row deletes.
        await connection.execute_script(
            f"PRAGMA foreign_keys = OFF; {deletes} DELETE FROM sqlite_sequence; PRAGMA foreign_keys = ON;"
        )
