"""Running one GraphQL operation for a live transport.

Queries and mutations run once. A subscription runs its field resolver once in capture mode
(Strawberry validates the document and the field parses its arguments as usual), which yields
the field's live source; the subscriber then joins the group of identical subscriptions.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

import strawberry
from cachetools import LRUCache
from graphql import (
    DocumentNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from realtime.hub import Hub
from resolvers.errors import DomainError
from resolvers.identity import Principal
from resolvers.live_selection import parse_event_cursor
from resolvers.photo_urls import PhotoUrls
from schema.context import Context
from schema.document_limits import MAX_DOCUMENT_CHARACTERS
from schema.limits import MAX_TOKENS
from schema.live import CaptureSource, NoLiveFeed, PrivateSource
from server.live.groups import LiveGroup, LiveGroups, Member, OperationKey, Sink, canonical_variables
from server.live.results import errors_json, result_json
from server.settings import Settings

RESUME_ARGUMENT = "after"  # by convention, every live field's resume cursor


class InvalidOperation(ValueError):
    """The subscribe payload is not a GraphQL request."""


@dataclass(frozen=True)
class OperationRequest:
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None

    @classmethod
    def from_payload(cls, payload: object) -> OperationRequest:
        if not isinstance(payload, dict):
            raise InvalidOperation("payload must be an object")
        query, variables = payload.get("query"), payload.get("variables")
        operation_name, extensions = payload.get("operationName"), payload.get("extensions")
        if not isinstance(query, str):
            raise InvalidOperation("payload.query must be a string")
        if variables is not None and not isinstance(variables, dict):
            raise InvalidOperation("payload.variables must be an object")
        if operation_name is not None and not isinstance(operation_name, str):
            raise InvalidOperation("payload.operationName must be a string")
        if extensions is not None and not isinstance(extensions, dict):
            raise InvalidOperation("payload.extensions must be an object")
        return cls(query, variables, operation_name)


class LiveEngine:
    def __init__(self, schema: strawberry.Schema, hub: Hub, settings: Settings) -> None:
        self.schema = schema
        self.hub = hub
        self.settings = settings
        self.groups = LiveGroups()
        self.photo_urls = PhotoUrls.from_secret(settings.photo_address_base, settings.jwt_secret)

    def context(self, principal: Principal, request: Any = None) -> Context:
        return Context(
            request=request,
            principal=principal,
            service_area=self.settings.service_area,
            timezone=self.settings.timezone,
            live=NoLiveFeed(),
            photo_urls=self.photo_urls,  # the same signing key as the HTTP view: /photos accepts both
        )

    async def run(
        self,
        operation: OperationRequest,
        *,
        op_id: str,
        sink: Sink,
        principal: Principal,
        request: Any = None,
        resume_after: int | None = None,
        allowed: Iterable[OperationType] | None = None,
        joined: Callable[[Callable[[], None]], None] = lambda leave: None,
    ) -> None:
        """Send the operation's results to the sink; for a subscription, join its group and
        hand `joined` the function that leaves it."""
        cursors = cursor_variables(operation.query, operation.operation_name)
        key = OperationKey(
            operation.query,
            operation.operation_name,
            canonical_variables(operation.variables, cursors),
            # Principals of one visibility see exactly the same data: any of them may run the group.
            principal.visibility,
        )
        group = self.groups.get(key)
        variables = operation.variables or {}
        # A cursor variable missing or not a string goes the long way, to get its validation error.
        if group is not None and all(isinstance(variables.get(name, 0), str | None) for name in cursors):
            # The same document and variables as a running group, which were validated and
            # accepted: only this subscriber's cursor is new.
            try:
                after = (
                    resume_after
                    if resume_after is not None
                    else parse_event_cursor(variables[next(iter(cursors))])
                    if cursors
                    else group.source.after
                )
            except DomainError as exc:
                sink.next(op_id, result_json(None, [exc]), None)
                sink.complete(op_id)
                return
            await self._join(group, op_id, sink, after, joined)
            return

        capture = CaptureSource()
        context = self.context(principal, request)
        context.live = capture
        results = await self.schema.stream(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.operation_name,
            allowed_operation_types=allowed,
        )
        async with aclosing(results):
            async for result in results:
                if isinstance(result, PreExecutionError):
                    sink.error(op_id, errors_json(result.errors or []))
                    return
                if isinstance(result, ExecutionResult):
                    sink.next(op_id, result_json(result.data, result.errors), None)
        source = capture.source
        if source is None:  # a query or mutation, or a subscription its resolver refused
            sink.complete(op_id)
            return
        if isinstance(source, PrivateSource):
            await self._follow_alone(operation, source, op_id, sink, principal, resume_after, joined)
            return
        group = self.groups.get(key)  # another subscriber may have made it meanwhile
        if group is None:
            group = LiveGroup(
                key,
                variables=operation.variables,
                source=source,
                hub=self.hub,
                schema=self.schema,
                make_context=lambda: self.context(principal),
                stats=self.groups.stats,
                on_empty=self.groups.discard,
            )
            self.groups.add(group)
        await self._join(
            group, op_id, sink, resume_after if resume_after is not None else source.after, joined
        )

    async def _follow_alone(
        self,
        operation: OperationRequest,
        source: PrivateSource,
        op_id: str,
        sink: Sink,
        principal: Principal,
        resume_after: int | None,
        joined: Callable[[Callable[[], None]], None],
    ) -> None:
        """A subscriber's own stream (their inbox): executed for them alone, until they leave."""
        task = asyncio.current_task()
        if task is not None:
            joined(functools.partial(_cancel, task))
        after = resume_after if resume_after is not None else source.after
        async for cursor, item in source.follow(after):
            result = await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context(principal),
                operation_name=operation.operation_name,
                root_value=source.payload(item),
            )
            sink.next(op_id, result_json(result.data, result.errors), cursor)

    async def _join(
        self,
        group: LiveGroup,
        op_id: str,
        sink: Sink,
        after: int | None,
        joined: Callable[[Callable[[], None]], None],
    ) -> None:
        member = Member(op_id, sink)
        joined(functools.partial(group.leave, member))
        await group.join(member, after)

    def close(self) -> None:
        self.groups.close()


def _cancel(task: asyncio.Task[object]) -> None:
    task.cancel()


def operation_type(operation: OperationRequest) -> OperationType | None:
    """The type of the operation a request runs; None where its document does not parse or
    names no single operation (executing it reports why)."""
    try:
        document = parse(operation.query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError:
        return None
    chosen = _operation(document, operation.operation_name)
    return OperationType(chosen.operation.value) if chosen is not None else None


# By digest, so that what is kept per document is a few bytes, not the client's whole text.
_cursor_variables: LRUCache[bytes, frozenset[str]] = LRUCache(maxsize=512)


def cursor_variables(query: str, operation_name: str | None) -> frozenset[str]:
    """Variables that only carry the resume cursor: subscribers differing in them alone can
    share one execution, since a live result does not depend on where a subscriber resumed."""
    if len(query) > MAX_DOCUMENT_CHARACTERS:
        return frozenset()  # refused at validation anyway; not worth parsing
    key = hashlib.sha256(f"{operation_name}\0{query}".encode(errors="surrogatepass")).digest()
    found = _cursor_variables.get(key)
    if found is None:
        found = _cursor_variables[key] = _cursor_variables_of(query, operation_name)
    return found


def _cursor_variables_of(query: str, operation_name: str | None) -> frozenset[str]:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError:
        return frozenset()
    operation = _operation(document, operation_name)
    if operation is None:
        return frozenset()
    names = set()
    for selection in operation.selection_set.selections:
        for argument in getattr(selection, "arguments", None) or ():
            if argument.name.value == RESUME_ARGUMENT and isinstance(argument.value, VariableNode):
                names.add(argument.value.name.value)
    uses: Counter[str] = Counter()
    visit(operation, _VariableUses(uses))
    # Declared once and used once: the cursor argument is its only use.
    return frozenset(name for name in names if uses[name] == 2)


class _VariableUses(Visitor):
    def __init__(self, uses: Counter[str]) -> None:
        super().__init__()
        self.uses = uses

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.uses[node.name.value] += 1


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)
