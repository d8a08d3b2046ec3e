"""The lean path for repeats of compiled read documents (issue 12, "reads at database speed").

A `POST /graphql` with a JSON body whose document this schema validated before (the validated-
document cache of schema.document_limits), whose operation is a query, and which the compiled path
has a plan for (schema.compiled) skips Strawberry's request pipeline (request adapter, execution
context, extension runner, graphql-core's executor) but not one of its guards:

- what depends only on the document (tokens, size, depth, aliases, validation rules) was decided
  when it was validated, and only documents that passed are in that cache;
- what depends on the request is checked again here the way the general path checks it: which
  operation runs (`operationName`, one operation or its name), NUL in variables, the variables'
  coercion (graphql-core's own get_variable_values), then authentication, the response cache,
  admission (cost, permissions, budget; schema.operation_limits.admit_into), metrics and traces
  (the view's `execute_operation`, unchanged), and the coded errors.

Anything else (GET, multipart, streaming, batches, mutations, unknown documents, bad variables, a
plan's Fallback) goes the general way: before anything is charged, to Strawberry's `run` with the
body replayed and the context already made (authentication ran once, before the body was read,
as in `run`); after admission, through Strawberry with the same admitted context.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, get_operation_ast
from graphql.execution.values import VariableValues, get_variable_values
from starlette.types import Message, Receive
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as Operation

from resolvers.errors import DomainError
from schema.argument_text import nul_at
from schema.compiled.executor import PLANS, STATS
from schema.compiled.plans import Plan
from schema.context import Context
from schema.document_limits import document_key, validated_documents
from schema.errors import CodedErrorsSchema, coded_errors
from schema.operation_limits import admit_into, refusal

log = logging.getLogger("sigap.compiled")


@dataclass
class CompiledRequest(GraphQLRequestData):
    """A request the lean path answers: what Strawberry would have parsed from the body, and what
    the general path would find for it (the validated document, the operation, its plan)."""

    document: DocumentNode = field(default=None, kw_only=True)  # type: ignore[assignment]
    operation: OperationDefinitionNode = field(default=None, kw_only=True)  # type: ignore[assignment]
    plan: Plan = field(default=None, kw_only=True)  # type: ignore[assignment]
    coerced_variables: VariableValues = field(default=None, kw_only=True)  # type: ignore[assignment]


def compiled_request(schema: CodedErrorsSchema, body: bytes) -> CompiledRequest | None:
    """The lean request in `body`, or None for every body the general path is to answer."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("extensions") is not None:
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not (isinstance(query, str) and isinstance(variables, dict | None) and isinstance(name, str | None)):
        return None
    validated = validated_documents.get(document_key(schema, query))
    if validated is None:
        return None
    # None for a name naming no operation, and for several operations without a name (both
    # refused by the general path).
    operation = get_operation_ast(validated.document, name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    plan = PLANS.compiled(schema._schema, operation)
    if plan is None or nul_at(variables) is not None:
        return None
    coerced = get_variable_values(schema._schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):  # the general path's error, word for word
        return None
    return CompiledRequest(
        query,
        variables,
        name,
        None,
        document=validated.document,
        operation=operation,
        plan=plan,
        coerced_variables=coerced,
    )


async def answer(
    schema: CodedErrorsSchema, request: CompiledRequest, context: Context
) -> ExecutionResult | None:
    """The result Strawberry would give, from the plan; None when the plan fell back (then the
    general path answers, with the same context: admitted and charged once)."""
    try:
        await admit_into(
            context,
            schema.limits,
            schema._schema,
            request.document,
            # As Strawberry names it for admission: the one sent, else the operation's own
            request.operation.name.value if request.operation.name else None,
            request.variables,
            Operation.QUERY,
        )
    except DomainError as exc:
        return _refused(schema, refusal(exc), context)
    except Exception as exc:  # noqa: BLE001 - Strawberry answers any failure before execution as an error
        return _refused(schema, GraphQLError(str(exc), original_error=exc), context)
    try:
        data = await request.plan.run(context, request.coerced_variables)
    except Exception:
        log.debug("compiled plan fell back to the general path", exc_info=True)
        return None
    STATS["compiled"] += 1
    STATS["lean"] += 1
    return ExecutionResult(data=data, errors=None, extensions=_cost(context))


def _refused(schema: CodedErrorsSchema, error: GraphQLError, context: Context) -> ExecutionResult:
    errors = coded_errors([error], hide_suggestions=schema.limits.production)
    return ExecutionResult(data=None, errors=errors, extensions=_cost(context))


def _cost(context: Context) -> dict[str, Any]:
    """The extensions Strawberry's runner collects: OperationAdmission's, once admitted."""
    return {"cost": context.admission.as_extension()} if context.admission is not None else {}


def replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` with the body read already handed out again first."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
