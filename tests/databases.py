"""The two databases every database test runs on: the embedded SQLite and a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from tests.migrated_templates import migrated_sqlite_file, postgres_template
from tests.sqlite_urls import sqlite_url_of

POSTGRES_ADMIN_URL = os.environ.get("SIGAP_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def service_missing(what: str, error: BaseException) -> None:
    """Fail in CI, where every leg must run; elsewhere skip with the reason in the summary."""
    message = f"{what} is not reachable ({error!r}); start it (see README) or this leg does not run"
    if IN_CI or os.environ.get("SIGAP_REQUIRE_SERVICES"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


async def create_postgres_database(*, migrated: bool = False) -> str:
    """A fresh, uniquely named database on the test server; returns its URL. `migrated`: a copy of
    the migrated template (tests/migrated_templates.py), for servers that would otherwise migrate."""
    name = f"sigap_test_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(_asyncpg_url(POSTGRES_ADMIN_URL), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        service_missing(f"PostgreSQL at {POSTGRES_ADMIN_URL}", exc)
    try:
        template = f' TEMPLATE "{await postgres_template(admin, POSTGRES_ADMIN_URL)}"' if migrated else ""
        await admin.execute(f'CREATE DATABASE "{name}"{template}')
        # Commits return before their WAL reaches the disk (only a crash of the PostgreSQL server
        # could lose one, which no test makes): for every connection, the servers' too.
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
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
    return sqlite_url_of(folder / "sigap-test.db")


def migrated_sqlite_url(folder: Path) -> str:
    """A SQLite database at the newest migration, copied from the template."""
    return sqlite_url_of(migrated_sqlite_file(folder / "sigap-test.db"))


def _asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def empty_tables(backend: str) -> None:
    from tortoise import Tortoise

    connection = Tortoise.get_connection("default")
    tables = [model._meta.db_table for model in Tortoise.apps["sigap"].values()]
    if backend == "postgres":
        # DELETE, not TRUNCATE: TRUNCATE gives each of the ~24 tables new files on disk, ~0.6 s a
        # test (1.5 s on a loaded machine) against ~0.1 s for deleting the few rows a test leaves,
        # before every test on PostgreSQL. Foreign-key triggers are off meanwhile (superuser, as
        # the test server's `postgres` is), since self-references refuse deletes in any order; the
        # tables' id sequences start again at 1, as TRUNCATE's RESTART IDENTITY did.
        owned = ", ".join(f"'{table}'::regclass" for table in tables)
        await connection.execute_script(
            "SET session_replication_role = replica; "
            + " ".join(f"DELETE FROM {table};" for table in tables)
            + " SET session_replication_role = DEFAULT; "
            "SELECT setval(d.objid::regclass, 1, false) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid "
            f"WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i') AND d.refobjid IN ({owned});"
        )
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
