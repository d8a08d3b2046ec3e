"""The versioned migrations describe the models exactly: a model change without its migration fails."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from server.database import tortoise_config
from tests.conftest import Database


async def test_models_have_no_changes_missing_a_migration(database: Database) -> None:
    apps = tortoise_config(database.url)["apps"]

    pending = await MigrationAutodetector(Tortoise.apps, apps).changes()

    assert pending == [], "run `make migrations` and commit the new file in models/migrations"


async def test_migrations_created_every_table(db: Database) -> None:
    connection = Tortoise.get_connection("default")
    for table in ["agencies", "categories", "areas", "users", "reports", "report_events"]:
        _, rows = await connection.execute_query(f"SELECT count(*) AS n FROM {table}")
        assert rows[0]["n"] >= 0
