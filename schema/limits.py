"""What every request goes through before a resolver runs: caches and the shape limits of a public API.
Shared by the embedded schema and each subgraph."""

from __future__ import annotations

from collections.abc import Callable

from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000

# Built once: the validation cache is keyed by the rule classes, and Strawberry's limiter
# extensions would create new classes on every request, missing the cache every time.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_limit_rule(MAX_DEPTH, None),
    alias_limit_rule(MAX_ALIASES),
]


def request_extensions() -> list[Callable[[], SchemaExtension]]:
    # Factories: a fresh extension per request (the caches themselves are module-wide).
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
