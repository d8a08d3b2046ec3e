"""The GraphQL surface of Sigap: one module per domain, merged into one schema here."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult

from schema.directory import DirectoryQuery
from schema.document_limits import CheckedParserCache, ValidationCacheUnlessRefused
from schema.errors import coded_errors
from schema.mutations import Mutation
from schema.node import NodeQuery
from schema.operation_limits import MAX_COST, OperationAdmission, OperationLimits
from schema.query_cost import create_cost_rule
from schema.reports import ReportQuery

Query = merge_types("Query", (ReportQuery, DirectoryQuery, NodeQuery))

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000

# Built once: the validation cache is keyed by the rule classes, and Strawberry's limiter
# extensions would create new classes on every request, missing the cache every time.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_limit_rule(MAX_DEPTH, None),
    alias_limit_rule(MAX_ALIASES),
    create_cost_rule(MAX_COST),  # variables stand for their defaults here; admission sees the real ones
]


class SigapSchema(strawberry.Schema):
    def __init__(self, *args: Any, limits: OperationLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # Every path (parse, validation, resolvers) ends here: one place to code and mask errors.
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = coded_errors(result.errors, hide_suggestions=self.limits.production)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Silence Strawberry's own error log: refusals are expected, and `coded_errors` logs
        unexpected failures once, with the request id the client was given."""


def build_schema(limits: OperationLimits | None = None) -> SigapSchema:
    """The schema as a deployment runs it (server.app passes the limits of its settings)."""
    limits = limits or OperationLimits()
    return SigapSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(),
        limits=limits,
        extensions=[
            # Factories: a fresh extension per request (the caches themselves are module-wide).
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: CheckedParserCache(maxsize=512),  # refuses field floods and fragment bombs
            lambda: ValidationCacheUnlessRefused(maxsize=512),
            lambda: OperationAdmission(limits),
        ],
    )


schema = build_schema()
