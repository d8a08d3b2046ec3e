"""Hand-written SQL for what the ORM cannot say (UPDATE ... RETURNING, aggregates with medians),
with named parameters bound in each backend's own style: `{name}` in the text becomes `$n` on
PostgreSQL and `?` on SQLite. Only values are ever bound; the SQL text is our own."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient


def default_connection() -> BaseDBAsyncClient:
    return Tortoise.get_connection("default")


def is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


def bind(template: str, params: dict[str, Any], *, postgres: bool) -> tuple[str, list[Any]]:
    """The SQL text with placeholders, and the values in the order they must be passed."""
    pieces = template.split("{")
    sql = pieces[0]
    values: list[Any] = []
    numbers: dict[str, int] = {}
    for piece in pieces[1:]:
        name, rest = piece.split("}", 1)
        if postgres:
            if name not in numbers:
                numbers[name] = len(numbers) + 1
                values.append(params[name])
            sql += f"${numbers[name]}" + rest
        else:
            values.append(params[name])
            sql += "?" + rest
    return sql, values


async def fetch(connection: BaseDBAsyncClient, template: str, **params: Any) -> list[dict[str, Any]]:
    sql, values = bind(template, params, postgres=is_postgres(connection))
    return list(await connection.execute_query_dict(sql, values))
