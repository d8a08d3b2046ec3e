"""GraphQL operations over HTTP, counted and timed by type and name, their errors counted by code,
and each traced as a span when tracing is on."""

from __future__ import annotations

import time
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, get_operation_ast, parse
from starlette.requests import Request
from strawberry.types import ExecutionResult

from schema import MAX_TOKENS
from schema.context import Context
from schema.document_limits import MAX_DOCUMENT_CHARACTERS, document_key, validated_documents
from server.graphql_view import SigapGraphQL
from server.observability.metrics import ERRORS, OPERATION_SECONDS, OPERATIONS
from server.observability.tracing import operation_span

# Operation names are the client's to choose: past this many distinct names a process labels the
# rest "other", so that a client inventing names cannot grow the metrics without bound.
MAX_OPERATION_NAMES = 300
_names: set[str] = set()


def operation_of(schema: object, query: str, operation_name: str | None) -> tuple[str, str]:
    """(type, name) of the operation a request runs; ("invalid", "invalid") if none is found. A
    document validated before is read from the validated-document cache, not parsed again; a new
    one is parsed (within the document limits) and kept nowhere."""
    cached = validated_documents.get(document_key(schema, query))
    try:
        if cached is not None:
            document = cached.document
        elif len(query) <= MAX_DOCUMENT_CHARACTERS:
            document = parse(query, max_tokens=MAX_TOKENS)
        else:
            return "invalid", "invalid"
        operation = get_operation_ast(document, operation_name)
    except GraphQLError:
        operation = None
    if not isinstance(operation, OperationDefinitionNode):
        return "invalid", "invalid"
    name = operation.name.value if operation.name else "anonymous"
    return operation.operation.value, name


def _bounded(name: str) -> str:
    if name in _names:
        return name
    if len(_names) < MAX_OPERATION_NAMES:
        _names.add(name)
        return name
    return "other"


def error_codes(result: ExecutionResult) -> list[str]:
    """Codes of the answer's errors: top-level ones, and the typed `errors` of mutation payloads."""
    codes = [str((error.extensions or {}).get("code", "UNKNOWN")) for error in result.errors or ()]
    for payload in (result.data or {}).values():
        if isinstance(payload, dict):
            for error in payload.get("errors") or ():
                if isinstance(error, dict) and "code" in error:
                    codes.append(str(error["code"]))
    return codes


class ObservedGraphQL(SigapGraphQL):
    """SigapGraphQL, with each HTTP operation (cached answers too) counted in Prometheus and traced."""

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: Any,
        context: Context,
        root_value: None,
        sub_response: Any,
    ) -> Any:
        started = time.perf_counter()
        query = getattr(request_data, "query", None)
        operation_name = request_data.operation_name
        kind, name = operation_of(self.schema, query, operation_name) if query else ("invalid", "invalid")
        result = None
        try:
            with operation_span(kind, name):
                result = await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
            return result
        finally:
            labels = (kind, _bounded(name))
            OPERATIONS.labels(*labels).inc()
            OPERATION_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            # An exception (a refused GET mutation, a malformed body) is an HTTP 4xx, counted by
            # route and status in RequestMetrics.
            for code in error_codes(result) if isinstance(result, ExecutionResult) else ():
                ERRORS.labels(code).inc()
