"""The executor that answers compiled documents from their plan and all others field by field."""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from typing import Any

from graphql import ExecutionResult, OperationDefinitionNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.compiled.plans import Compiler, Plan, Unsupported

log = logging.getLogger("sigap.compiled")

MAX_PLANS = 512  # as many as the parser and validation caches keep documents


class PlanCache:
    """Plans by operation node: the parser cache hands the same node to each repeat of a document,
    and keeping the node here keeps its id from being reused."""

    def __init__(self, size: int = MAX_PLANS) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[int, int], tuple[OperationDefinitionNode, Plan | None]] = OrderedDict()

    def compiled(self, schema: Any, operation: OperationDefinitionNode) -> Plan | None:
        """The plan already compiled for this operation of `schema` (graphql-core's), if any."""
        key = (id(schema), id(operation))
        entry = self._plans.get(key)
        if entry is None or entry[0] is not operation:
            return None
        self._plans.move_to_end(key)  # in use, though no executor asks for it
        return entry[1]

    def plan_for(self, executor: Any) -> Plan | None:
        operation = executor.operation
        key = (id(executor.schema), id(operation))  # the parser cache is shared by every schema
        entry = self._plans.get(key)
        if entry is not None and entry[0] is operation:
            self._plans.move_to_end(key)
            return entry[1]
        try:
            plan: Plan | None = Compiler(executor).plan()
        except Unsupported:
            plan = None
        self._plans[key] = (operation, plan)
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)
        return plan


PLANS = PlanCache()
# Answers by way: compiled, fell back (an error), general; `lean` counts the compiled answers of
# the lean HTTP path (server.lean_reads), which skips this executor.
STATS: Counter[str] = Counter()


class CompiledReadsExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, with compiled documents answered from their plan. Everything
    around execution (parsing, validation, admission and its cost, caches) is unchanged."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = PLANS.plan_for(self)
        if plan is None:
            STATS["general"] += 1
            return super().execute_operation(serially)
        return self._answer(plan, serially)

    async def _answer(self, plan: Plan, serially: bool | None) -> Any:
        try:
            data = await plan.run(self.context_value, self.variable_values)
        except Exception:
            log.debug("compiled plan fell back to the general path", exc_info=True)
            STATS["fell back"] += 1
            result = super().execute_operation(serially)
            return await result if self.is_awaitable(result) else result
        STATS["compiled"] += 1
        return ExecutionResult(data, None)
