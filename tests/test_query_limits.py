"""Abusive query shapes are refused at validation, before any resolver or SQL runs."""

from __future__ import annotations

from schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.conftest import QueryLog
from tests.graphql import run


def nested(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"duplicateOf {{ {inner} }}"
    return f'{{ report(code: "AAAA-AAAA") {{ {inner} }} }}'


async def test_too_deep_query_is_refused_without_sql(sql_queries: QueryLog) -> None:
    result = await run(nested(MAX_DEPTH + 2))

    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0].message
    assert sql_queries.count == 0


async def test_too_many_aliases_are_refused_without_sql(sql_queries: QueryLog) -> None:
    aliases = " ".join(f"a{n}: agencies {{ code }}" for n in range(MAX_ALIASES + 1))

    result = await run(f"{{ {aliases} }}")

    assert result.data is None
    assert "aliases" in result.errors[0].message
    assert sql_queries.count == 0


async def test_huge_documents_are_refused_without_sql(sql_queries: QueryLog) -> None:
    result = await run("{ " + "agencies { code } " * MAX_TOKENS + "}")

    assert result.data is None
    assert result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert sql_queries.count == 0


async def test_limits_still_apply_when_the_document_is_cached() -> None:
    document = nested(MAX_DEPTH + 2)
    first, second = await run(document), await run(document)

    assert first.errors
    assert second.errors
