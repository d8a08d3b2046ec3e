"""The schema's limits stay in force, and validating the same document twice costs one validation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from strawberry.schema import schema as strawberry_schema
from strawberry.schema.schema import validate_document

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


async def test_the_same_document_is_validated_once(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    validations: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        validations.append(args[1])
        return validate_document(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counted)
    query = f"{{ agencies {{ code name }} }} # {uuid.uuid4()}"  # a text not sent before
    await run(query)
    await run(query)

    assert len(validations) == 1
