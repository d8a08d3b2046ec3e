"""The benchmarks' PostgreSQL databases: made fresh, migrated and seeded with the launch directory."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from models.seed import load_seed
from server.database import apply_migrations, connect, disconnect

ADMIN_URL = os.environ.get("SIGAP_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def pg(url: str) -> str:
    """The same URL as asyncpg spells it."""
    return "postgresql://" + url.split("://", 1)[1]


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def fresh_database(name: str) -> str:
    """Drop and create `name` on the benchmark server, migrate it, load the launch directory; its URL."""
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    await apply_migrations(url)
    await connect(url)
    try:
        await load_seed()
    finally:
        await disconnect()
    return url


async def drop_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(pg(ADMIN_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def connected_database(kind: str, name: str) -> AsyncIterator[Path]:
    """For an in-process benchmark: connected to a migrated, seeded database while the block runs,
    a fresh PostgreSQL database `name` (dropped after) or SQLite in a temporary folder; yields that
    folder, for the benchmark's other files."""
    with tempfile.TemporaryDirectory() as folder:
        if kind == "postgres":
            url = await fresh_database(name)
        else:
            url = f"sqlite://{Path(folder) / 'bench.db'}"
            await apply_migrations(url)
        await connect(url)
        try:
            if kind == "sqlite":
                await load_seed()
            yield Path(folder)
        finally:
            await disconnect()
            if kind == "postgres":
                await drop_database(name)
