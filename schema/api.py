"""The embedded schema: every domain's module merged into one API served from one process.
`schema.subgraphs` builds the federated subgraphs from the same types."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLNamedType, GraphQLSchema, print_schema
from strawberry.federation.schema_directives import FederationDirective
from strawberry.tools import merge_types

from schema import descriptions  # noqa: F401 - describes the enums before any schema is built
from schema.compiled.executor import CompiledReadsExecutor
from schema.descriptions import describe_roots
from schema.errors import CodedErrorsSchema
from schema.limits import request_extensions
from schema.operation_limits import OperationLimits
from schema.roots import MUTATION_ROOTS, QUERY_ROOTS, SUBSCRIPTION_ROOT
from schema.scalars import schema_config

Query = merge_types("Query", QUERY_ROOTS)
Mutation = merge_types("Mutation", MUTATION_ROOTS)
describe_roots(Query, Mutation)

__all__ = ["SigapSchema", "build_schema", "print_api_schema", "schema"]


def print_api_schema(graphql_schema: GraphQLSchema) -> str:
    """The API as clients see it, types by name: no federation directives, which only subgraphs
    and the gateway read."""
    by_name = sorted(graphql_schema.type_map.values(), key=lambda named: named.name)
    return print_schema(
        GraphQLSchema(
            query=graphql_schema.query_type,
            mutation=graphql_schema.mutation_type,
            subscription=graphql_schema.subscription_type,
            types=by_name,
            directives=graphql_schema.directives,
        )
    )


class SigapSchema(CodedErrorsSchema):
    """The embedded default: the composition of the subgraphs, served by one process."""

    def as_str(self) -> str:
        return print_api_schema(self._schema)

    # The directory's types carry their federation keys here too (one class per type for both ways
    # of running). They mean nothing to the embedded schema: it neither declares nor warns about them.
    def _collect_schema_directives(
        self, explicit_directive_types: Iterable[type], graphql_types: Iterable[GraphQLNamedType | None]
    ) -> list[type]:
        collected = super()._collect_schema_directives(explicit_directive_types, graphql_types)
        return [kind for kind in collected if not issubclass(kind, FederationDirective)]

    def _warn_for_federation_directives(self) -> None:
        pass


def build_schema(
    limits: OperationLimits | None = None, *, compiled_reads: bool = True, internal: bool = False
) -> SigapSchema:
    """The schema as a deployment runs it (server.app passes the limits of its settings).
    `compiled_reads`: hot read documents answered from compiled plans (schema.compiled).
    `internal`: without the request extensions (document limits, budgets), for the fixed documents
    Sigap runs itself (webhook bodies); never for clients' documents."""
    limits = limits or OperationLimits()
    return SigapSchema(
        execution_context_class=CompiledReadsExecutor if compiled_reads else None,
        query=Query,
        mutation=Mutation,
        subscription=SUBSCRIPTION_ROOT,
        config=schema_config(),
        limits=limits,
        extensions=[] if internal else request_extensions(limits),
    )


schema = build_schema()
