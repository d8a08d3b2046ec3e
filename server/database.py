"""Connecting Tortoise to SQLite or PostgreSQL and applying the versioned migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate

from models import APP_LABEL, MODEL_MODULES
from resolvers.read_statements import reset_unless_unchanged


def normalise_url(url: str) -> str:
    """Accept the usual postgresql:// spelling and make SQLite's folder exist."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        path = Path(url[len("sqlite://") :].split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
    return url


def connection_config(database_url: str, statement_timeout_s: float | None = None) -> str | dict[str, Any]:
    """The connection as Tortoise takes it. On PostgreSQL, `statement_timeout` is set on every
    pooled connection (asyncpg's server_settings), so that no statement holds a connection and a
    worker longer than that; connections that only read skip the reset (resolvers.read_statements).
    SQLite has no such limit: its statements run in aiosqlite's thread
    and only wait on locks up to its busy timeout (see README)."""
    url = normalise_url(database_url)
    if not url.startswith("postgres"):
        return url
    config = expand_db_url(url)
    # A connection that only ran one read goes back to the pool without the reset round trip.
    config["credentials"]["reset"] = reset_unless_unchanged
    if statement_timeout_s is not None:
        timeout_ms = str(round(statement_timeout_s * 1000))
        config["credentials"]["server_settings"] = {"statement_timeout": timeout_ms}
    return config


def tortoise_config(database_url: str, statement_timeout_s: float | None = None) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url, statement_timeout_s)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def apply_migrations(database_url: str) -> None:
    """Bring the database up to the newest migration in models/migrations (no statement timeout:
    building an index on a large table may rightly take longer)."""
    await migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def connect(database_url: str, statement_timeout_s: float | None = None) -> None:
    await Tortoise.init(
        config=tortoise_config(database_url, statement_timeout_s), _enable_global_fallback=True
    )


async def disconnect() -> None:
    await Tortoise.close_connections()


# For Tortoise's own commands: `tortoise -c server.database.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://data/sigap.db")
