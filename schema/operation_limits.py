"""Admitting an operation once it is valid and before anything runs: its cost against the
maximum and against the caller's hourly budget, and introspection in production.

The cost is estimated again with the request's real variables (validation only saw the
document); the points are taken from the budget of `principal.budget_key`, shared across processes
(resolvers.rate_limits), and reported back in the response's `extensions.cost`. The HTTP view's
response cache charges its hits through `charge` too, so a cached answer skips no limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers import rate_limits
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.identity import Principal
from resolvers.permissions import require_can_read
from schema.query_cost import OperationCost, operation_cost

MAX_COST = 10_000  # objects per operation: a full page of 100 reports with their timelines is ~3,000
POINTS_PER_HOUR = 5_000  # GitHub's budget for a signed-in user


@dataclass(frozen=True)
class OperationLimits:
    """What the deployment decides (server.settings): production strictness and the budget."""

    production: bool = False
    points_per_hour: int = POINTS_PER_HOUR
    max_cost: int = MAX_COST


@dataclass(frozen=True)
class Admission:
    estimate: OperationCost
    budget: rate_limits.BudgetState

    def as_extension(self) -> dict[str, Any]:
        return {
            "requested": self.estimate.points,
            "estimate": self.estimate.cost,
            "limit": self.budget.limit,
            "remaining": self.budget.remaining,
            "resetAt": self.budget.reset_at.isoformat(),
        }


async def admit(
    limits: OperationLimits,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal,
    *,
    via_gateway: bool = False,
    reads: bool = True,
) -> Admission:
    """`reads`: a query or subscription (a mutation's payload is its own change, not a read)."""
    estimate = operation_cost(schema, document, operation_name, variables or {})
    if estimate.cost > limits.max_cost:
        raise fail(
            ErrorCode.QUERY_TOO_COSTLY,
            f"Permintaan terlalu besar (biaya {estimate.cost}, maksimum {limits.max_cost})",
            f"The query costs about {estimate.cost} objects, more than the maximum of {limits.max_cost}",
        )
    if estimate.introspection and limits.production and not principal.may_introspect:
        raise fail(
            ErrorCode.INTROSPECTION_DISABLED,
            "Introspeksi skema tidak tersedia",
            "Introspection is disabled; the schema is published as schema.graphql",
        )
    if reads:
        require_can_read(principal, estimate.types)
    if estimate.federation and limits.production and not via_gateway:
        raise fail(
            ErrorCode.FORBIDDEN,
            "Hanya gateway yang boleh memakai _service dan _entities",
            "Only the gateway may use _service and _entities",
        )
    return await charge(limits, principal, estimate)


async def charge(limits: OperationLimits, principal: Principal, estimate: OperationCost) -> Admission:
    budget = principal.points_per_hour or limits.points_per_hour
    state = await rate_limits.spend(principal.budget_key, estimate.points, budget)
    if not state.allowed:
        wait = state.retry_after
        raise fail(
            ErrorCode.RATE_LIMITED,
            f"Kuota permintaan per jam habis; coba lagi dalam {wait} detik",
            f"The hourly query budget of {budget} points is spent; try again in {wait} seconds",
            retry_after=wait,
        )
    return Admission(estimate, state)


async def admit_cached(limits: OperationLimits, principal: Principal, estimate: OperationCost) -> Admission:
    """Admission of a cached answer (a query's): who may read it, and its charge."""
    require_can_read(principal, estimate.types)
    return await charge(limits, principal, estimate)


def refusal(error: DomainError) -> GraphQLError:
    """The GraphQL error of a refused operation; schema.errors.coded_errors gives it its code."""
    return GraphQLError(error.errors[0].message, original_error=error)


async def admit_into(
    context: Any,
    limits: OperationLimits,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    operation_type: OperationType,
) -> None:
    """Admit the operation into `context.admission` (DomainError when refused), unless it was
    admitted before (a cached answer's charge); its hooks then run once. Shared by
    OperationAdmission and the lean HTTP path for compiled reads (server.lean_reads)."""
    if context.admission is None:
        context.admission = await admit(
            limits,
            schema,
            document,
            operation_name,
            variables,
            context.principal,
            via_gateway=context.via_gateway,
            reads=operation_type != OperationType.MUTATION,
        )
        estimate = context.admission.estimate
        if estimate.introspection or estimate.federation or operation_type != OperationType.QUERY:
            # Who may introspect (or call the gateway's fields) depends on the caller, not on
            # what the cache is keyed by; only queries are answers to keep.
            context.cache_policy.cacheable = False
    hooks, context.on_admitted = context.on_admitted, []  # once, even if the general path runs after
    for hook in hooks:
        await hook()


class OperationAdmission(SchemaExtension):
    """Runs `admit` after validation, before execution; refused operations never execute."""

    def __init__(self, limits: OperationLimits) -> None:
        super().__init__()
        self.limits = limits

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        assert execution.graphql_document is not None
        try:
            await admit_into(
                execution.context,
                self.limits,
                execution.schema._schema,
                execution.graphql_document,
                execution.operation_name,
                execution.variables,
                execution.operation_type,
            )
        except DomainError as exc:
            if (
                execution.operation_type is OperationType.SUBSCRIPTION
                and exc.errors[0].code is ErrorCode.FORBIDDEN
            ):
                # A stream ignores `result`: raised, the refusal is its one answer.
                raise refusal(exc) from None
            execution.result = GraphQLExecutionResult(data=None, errors=[refusal(exc)])
        yield

    def get_results(self) -> dict[str, Any]:
        admission = getattr(self.execution_context.context, "admission", None)
        return {"cost": admission.as_extension()} if admission is not None else {}
