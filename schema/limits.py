"""What every request goes through before a resolver runs: caches and the shape limits of a public API.
Shared by the embedded schema and each subgraph."""

from __future__ import annotations

from collections.abc import Callable

from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule

from schema.document_limits import CheckedParserCache, ValidationCacheUnlessRefused
from schema.operation_choice import OneOperationOrItsName
from schema.operation_limits import MAX_COST, OperationAdmission, OperationLimits
from schema.query_cost import create_cost_rule

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2_000  # clients send a few hundred; parsing 5,000 took ~20 ms, too slow to refuse

# Built once: the validation cache is keyed by the rule classes, and Strawberry's limiter
# extensions would create new classes on every request, missing the cache every time.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_limit_rule(MAX_DEPTH, None),
    alias_limit_rule(MAX_ALIASES),
    create_cost_rule(MAX_COST),  # variables stand for their defaults here; admission sees the real ones
]


def request_extensions(limits: OperationLimits) -> list[Callable[[], SchemaExtension]]:
    # Factories: a fresh extension per request (the caches themselves are module-wide).
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: CheckedParserCache(maxsize=512),  # refuses field floods and fragment bombs
        OneOperationOrItsName,  # before validation: a refused document is not validated
        lambda: ValidationCacheUnlessRefused(maxsize=512),
        lambda: OperationAdmission(limits),
    ]
