"""What every request goes through before a resolver runs: caches and the shape limits of a public API.
Shared by the embedded schema and each subgraph."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


def request_extensions() -> list[Callable[[], SchemaExtension]]:
    # Factories: a fresh extension per request (the caches themselves are module-wide).
    return [
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
    ]
