"""The GraphQL surface of Sigap: one module per domain, merged into one schema here."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.directory import DirectoryQuery
from schema.errors import CodedErrors
from schema.mutations import Mutation
from schema.node import NodeQuery
from schema.reports import ReportQuery

Query = merge_types("Query", (ReportQuery, DirectoryQuery, NodeQuery))

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(),
        extensions=[
            CodedErrors,
            ParserCache(maxsize=512),
            ValidationCache(maxsize=512),
            MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryDepthLimiter(max_depth=MAX_DEPTH),
            MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        ],
    )


schema = build_schema()
