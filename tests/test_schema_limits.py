"""The schema's limits stay in force, and validating the same document twice costs one validation."""

from __future__ import annotations

from strawberry.extensions.validation_cache import _get_validate_cache

from schema import MAX_ALIASES
from tests.conftest import Database
from tests.graphql import run


async def test_too_deep_queries_are_refused_before_any_resolver(db: Database) -> None:
    deep = '{ node(id: "x") { ... on Report ' + "{ duplicateOf " * 11 + "{ code }" + " }" * 12 + " }"

    result = await run(deep)

    assert result.data is None
    assert result.errors is not None
    assert "exceeds maximum operation depth" in result.errors[0].message


async def test_too_many_aliases_are_refused(db: Database) -> None:
    aliases = " ".join(f"a{n}: agencies {{ code }}" for n in range(MAX_ALIASES + 1))

    result = await run(f"{{ {aliases} }}")

    assert result.data is None
    assert result.errors is not None
    assert "aliases" in result.errors[0].message


async def test_the_same_document_is_validated_once(db: Database) -> None:
    cache = _get_validate_cache(512)
    query = "{ agencies { code name } }"
    await run(query)
    before = cache.cache_info()

    await run(query)

    after = cache.cache_info()
    assert after.hits == before.hits + 1
    assert after.misses == before.misses
