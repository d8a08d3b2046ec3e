"""The two databases every database test runs on: the embedded SQLite and a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

POSTGRES_ADMIN_URL = os.environ.get("SIGAP_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
    tables = [model._meta.db_table for model in Tortoise.apps["sigap"].values()]
    if backend == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        deletes = " ".join(f"DELETE FROM {table};" for table in tables)
        # Self-references (duplicate_of, parent areas) would refuse row-by-row deletes.
        await connection.execute_script(
            f"PRAGMA foreign_keys = OFF; {deletes} DELETE FROM sqlite_sequence; PRAGMA foreign_keys = ON;"
        )


@asynccontextmanager
async def photo_rows_refused(backend: str) -> AsyncIterator[None]:
    """The database refuses every new photo row, as a full disk or a lost connection would: a
    real failure of the write that comes after the files are stored."""
    from tortoise import Tortoise

    connection = Tortoise.get_connection("default")
    if backend == "postgres":
        await connection.execute_script(
            "CREATE FUNCTION refuse_photo() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
            "LANGUAGE plpgsql; CREATE TRIGGER refuse_photos BEFORE INSERT ON report_photos "
            "FOR EACH ROW EXECUTE FUNCTION refuse_photo();"
        )
        drop = "DROP TRIGGER refuse_photos ON report_photos; DROP FUNCTION refuse_photo();"
    else:
        await connection.execute_script(
            "CREATE TRIGGER refuse_photos BEFORE INSERT ON report_photos "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
        )
        drop = "DROP TRIGGER refuse_photos;"
    try:
        yield
    finally:
        await connection.execute_script(drop)
