"""Execute once, send many: subscribers with the same document, variables (less their resume
cursor) and visibility form a group. The group follows the hub once, executes the document
once per event, serialises the result once, and hands the same string to every member.

A member resuming from a cursor first replays its backlog from the database (rendered through
the group's cache of recent results, so a thousand walls resuming from the same cursor cost one
execution per missed event), then switches to the group's live results with no gap and no
duplicate: live results that arrive during the replay wait in the member's bounded backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import strawberry

from realtime.feed import FeedEvent
from realtime.hub import CursorExpired, FeedOverrun, Hub, replay
from schema.context import Context
from schema.live import LiveSource, cursor_expired
from server.live.results import result_json

log = logging.getLogger("sigap.live")

GROUP_QUEUE = 1024  # events a group may lag behind the hub before its members must resume
RESULT_CACHE = 512  # rendered results kept per group, for members resuming from a cursor
BACKLOG_LIMIT = 1024  # live results a member may hold while it replays


class Sink(Protocol):
    """Where a member's messages go: a websocket connection or an SSE stream."""

    def next(self, op_id: str, payload: str, cursor: int | None) -> None: ...

    def error(self, op_id: str, errors: str) -> None: ...

    def complete(self, op_id: str) -> None: ...

    def drop(self, reason: str) -> None: ...


@dataclass(frozen=True)
class OperationKey:
    query: str
    operation_name: str | None
    variables: bytes  # canonical JSON, without the resume cursor
    visibility: str


@dataclass(eq=False)
class Member:
    op_id: str
    sink: Sink
    last_sent: int = 0
    backlog: list[tuple[int, str]] | None = field(default_factory=list)  # None once live
    active: bool = True

    def deliver(self, event_id: int, payload: str) -> None:
        if event_id <= self.last_sent or not self.active:
            return
        if self.backlog is not None:
            if len(self.backlog) >= BACKLOG_LIMIT:
                self.sink.drop("fell behind while resuming")
                return
            self.backlog.append((event_id, payload))
            return
        self.last_sent = event_id
        self.sink.next(self.op_id, payload, event_id)


@dataclass
class Stats:
    groups: int = 0
    members: int = 0
    executions: int = 0
    deliveries: int = 0


class LiveGroup:
    def __init__(
        self,
        key: OperationKey,
        *,
        variables: dict[str, Any] | None,
        source: LiveSource,
        hub: Hub,
        schema: strawberry.Schema,
        make_context: Callable[[], Context],
        stats: Stats,
        on_empty: Callable[[LiveGroup], None],
    ) -> None:
        self.key = key
        self.source = source
        self._variables = variables
        self._hub = hub
        self._schema = schema
        self._make_context = make_context
        self._stats = stats
        self._on_empty = on_empty
        self.members: set[Member] = set()
        self._closed = False
        self._results: OrderedDict[int, asyncio.Future[str | None]] = OrderedDict()
        self._listening = hub.listen(source.selector, capacity=GROUP_QUEUE)
        self._listener = self._listening.__enter__()
        self._task = asyncio.create_task(self._run(), name="sigap-live-group")

    async def join(self, member: Member, after: int | None) -> None:
        """Add a member; if it resumes from a cursor, replay its backlog first."""
        self.members.add(member)
        self._stats.members += 1
        until = self._hub.position  # live results above this reach the member's backlog
        member.last_sent = until
        if after is None or after >= until:
            member.last_sent = max(until, after or 0)
            member.backlog = None
            return
        try:
            async for item in replay(self.source.selector, after=after, until=until):
                if not member.active:
                    return
                payload = await self.render(item)
                if payload is not None:
                    member.sink.next(member.op_id, payload, item.id)
        except CursorExpired:
            self.leave(member)
            member.sink.next(member.op_id, result_json(None, [cursor_expired()]), None)
            member.sink.complete(member.op_id)
            return
        backlog, member.backlog = member.backlog or [], None
        for event_id, payload in backlog:
            member.deliver(event_id, payload)

    def leave(self, member: Member) -> None:
        member.active = False
        if member in self.members:
            self.members.discard(member)
            self._stats.members -= 1
        if not self.members:
            self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._task.cancel()
        self._listening.__exit__(None, None, None)
        self._on_empty(self)

    async def render(self, item: FeedEvent) -> str | None:
        """The serialised result for one event, executed at most once per group."""
        result = self._results.get(item.id)
        if result is None:
            result = asyncio.get_running_loop().create_future()
            self._results[item.id] = result
            if len(self._results) > RESULT_CACHE:
                self._results.popitem(last=False)
            try:
                result.set_result(await self._execute(item))
            except BaseException as exc:
                result.set_exception(exc)
                self._results.pop(item.id, None)
                raise
        return await result

    async def _execute(self, item: FeedEvent) -> str | None:
        root = self.source.payload(item)
        if root is None:
            return None
        self._stats.executions += 1
        result = await self._schema.execute(
            self.key.query,
            variable_values=self._variables,
            context_value=self._make_context(),
            operation_name=self.key.operation_name,
            root_value=root,
        )
        return result_json(result.data, result.errors)

    async def _run(self) -> None:
        try:
            while True:
                item = await self._listener.get()
                payload = await self.render(item)
                if payload is None:
                    continue
                members = list(self.members)
                self._stats.deliveries += len(members)
                for member in members:
                    member.deliver(item.id, payload)
        except FeedOverrun:
            log.warning(
                "a live group fell %d events behind; its %d members must resume",
                GROUP_QUEUE,
                len(self.members),
            )
            for member in list(self.members):
                member.sink.drop("the server fell behind; resume from your cursor")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a live group failed; its members must resume")
            for member in list(self.members):
                member.sink.drop("internal error; resume from your cursor")


def canonical_variables(variables: dict[str, Any] | None, cursor_variables: frozenset[str]) -> bytes:
    kept = {k: v for k, v in (variables or {}).items() if k not in cursor_variables}
    return orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)


class LiveGroups:
    """The groups of this process, by key."""

    def __init__(self) -> None:
        self._groups: dict[OperationKey, LiveGroup] = {}
        self.stats = Stats()

    def get(self, key: OperationKey) -> LiveGroup | None:
        return self._groups.get(key)

    def add(self, group: LiveGroup) -> None:
        self._groups[group.key] = group
        self.stats.groups = len(self._groups)

    def discard(self, group: LiveGroup) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]
        self.stats.groups = len(self._groups)

    def close(self) -> None:
        for group in list(self._groups.values()):
            with contextlib.suppress(Exception):
                group.close()
