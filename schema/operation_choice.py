"""Which operation of a document runs: the one `operationName` names, or the only one.

The GraphQL spec (GetOperation) and GraphQL over HTTP require an error for a document with
several operations and no `operationName`; Strawberry would run the first. As an extension,
this holds for every transport: HTTP, websockets and SSE.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension


class OneOperationOrItsName(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        # Strawberry keeps the requested name only privately: its public `operation_name`
        # falls back to the first operation's.
        named = execution._provided_operation_name is not None
        if document is not None and not named and not execution.pre_execution_errors:
            operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
            if operations > 1:
                execution.pre_execution_errors = [
                    GraphQLError(
                        "Must provide operation name if query contains multiple operations.",
                        extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
                    )
                ]
        yield
