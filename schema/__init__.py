"""The GraphQL surface of Sigap: one module per domain, merged into one schema here."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult

from schema.directory import DirectoryQuery
from schema.errors import coded_errors
from schema.mutations import Mutation
from schema.node import NodeQuery
from schema.reports import ReportQuery
from schema.subscriptions import Subscription

Query = merge_types("Query", (ReportQuery, DirectoryQuery, NodeQuery))

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


class SigapSchema(strawberry.Schema):
    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # Every path (parse, validation, resolvers) ends here: one place to code and mask errors.
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = coded_errors(result.errors)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Silence Strawberry's own error log: refusals are expected, and `coded_errors` logs
        unexpected failures once, with the request id the client was given."""


# The limits' validation rules, made once: each QueryDepthLimiter or MaxAliasesLimiter makes
# new rule classes, and the validation cache is keyed by the rules, so limiters made per
# request would make every request miss the cache.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def build_schema() -> strawberry.Schema:
    return SigapSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(),
        extensions=[
            # Factories: a fresh extension per request (the caches themselves are module-wide).
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules(LIMIT_RULES),
        ],
    )


schema = build_schema()
